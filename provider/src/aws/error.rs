//! What can go wrong talking to AWS, typed so callers can tell "not there"
//! from "try later" from "you must fix something".

/// One failed API call, after retries.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error(
        "{service} {operation} was throttled ({code}) on all {attempts} attempts, though the \
         provider paces its calls to the account's quota: other clients of the account are \
         spending it too. Lower the service's rate in the provider's rate_limits block, apply \
         with fewer endpoints at once (terraform apply -parallelism=4), or raise max_retries."
    )]
    Throttled { service: &'static str, operation: &'static str, code: String, attempts: u32 },
    #[error(
        "{service} {operation} kept conflicting with another change to the same API ({code}: \
         {message}) on all {attempts} attempts. Another apply or tool may be changing this API; \
         retry when it is done."
    )]
    Conflict {
        service: &'static str,
        operation: &'static str,
        code: String,
        message: String,
        attempts: u32,
    },
    #[error("{service} {operation}: {code}: {message}")]
    Service {
        service: &'static str,
        operation: &'static str,
        code: String,
        message: String,
        status: u16,
    },
    #[error(
        "{service} {operation}: AWS answered with a server error ({status} {code}: {message}) on \
         all {attempts} attempts. The request itself was accepted; try again later."
    )]
    ServerError {
        service: &'static str,
        operation: &'static str,
        code: String,
        message: String,
        status: u16,
        attempts: u32,
    },
    #[error(
        "{service} {operation} could not reach AWS after {attempts} attempts: {message}. Check \
         the network and the endpoint settings."
    )]
    Transport { service: &'static str, operation: &'static str, message: String, attempts: u32 },
    #[error("{service} {operation} was interrupted: Terraform asked the provider to stop.")]
    Stopped { service: &'static str, operation: &'static str },
    /// The call succeeded, but its answer cannot be read.
    #[error("{service} {operation} answered what this provider cannot read: {detail}")]
    Unreadable { service: &'static str, operation: &'static str, detail: String },
}

/// Turns "not found" into `None`, for reads and idempotent deletes.
pub fn found<T>(result: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

impl AwsError {
    /// The thing addressed does not exist (any service's way of saying so).
    pub fn is_not_found(&self) -> bool {
        matches!(self, AwsError::Service { status: 404, .. })
            || self.code().is_some_and(|c| {
                // IAM says NoSuchEntity.
                matches!(c, "NotFoundException" | "ResourceNotFoundException" | "NoSuchEntity")
            })
    }

    /// AWS refused to create what is there already.
    pub fn is_already_exists(&self) -> bool {
        matches!(self, AwsError::Service { code, message, .. }
            if code.ends_with("ConflictException")
                && message.to_ascii_lowercase().contains("already exist"))
    }

    /// AWS refused the request itself, so something in it must change; not
    /// throttled, conflicting, failing on AWS's side or interrupted.
    pub fn is_refusal(&self) -> bool {
        matches!(self, AwsError::Service { .. })
    }

    /// Worth another attempt: the same request may succeed later.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            AwsError::Throttled { .. }
                | AwsError::Conflict { .. }
                | AwsError::ServerError { .. }
                | AwsError::Transport { .. }
        )
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            AwsError::Throttled { code, .. }
            | AwsError::Conflict { code, .. }
            | AwsError::ServerError { code, .. }
            | AwsError::Service { code, .. } => Some(code),
            AwsError::Transport { .. } | AwsError::Stopped { .. } | AwsError::Unreadable { .. } => {
                None
            }
        }
    }
}
