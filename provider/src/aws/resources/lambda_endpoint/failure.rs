//! What can go wrong with an endpoint, and the one place it becomes a
//! diagnostic: a summary, a detail that says what to do, and the attribute.

use std::fmt;

use super::attr;
use super::model::EndpointId;
use super::step::StepError;
use crate::aws::clients::ConfigureError;
use crate::aws::dispatcher::DispatcherError;
use crate::aws::error::AwsError;
use crate::aws::resources::failure::{self, MissingFunction, UnrecognisedValue};
use crate::plugin::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}{left}", failed.error)]
    Aws { failed: StepError, left: Left },
    #[error("{0}")]
    Credentials(#[from] ConfigureError),
    #[error(
        "API Gateway has no REST API {:?} in {region}. Check rest_api_id and the provider's \
         region.{}",
        id.rest_api_id,
        nothing_created(*creating)
    )]
    NoRestApi { id: EndpointId, region: String, creating: bool },
    #[error(
        "REST API {:?} has no resource {:?}. Check resource_id.{}",
        id.rest_api_id,
        id.resource_id,
        nothing_created(*creating)
    )]
    NoResource { id: EndpointId, creating: bool },
    #[error("{0}")]
    NoFunction(#[from] MissingFunction),
    #[error(
        "The function is in account {function_account} and the provider in {account}: with \
         delivery = \"dispatcher\" the function must be in the provider's account, where the \
         dispatcher runs. Use a provider configuration for account {function_account}, or \
         delivery = \"direct\".{}",
        nothing_created(*creating)
    )]
    DispatchElsewhere { function_account: String, account: String, creating: bool },
    #[error("{error}{left}")]
    Dispatcher { error: Box<DispatcherError>, left: Left },
    #[error(
        "{} {path} already has a method {}, made outside this resource. Import it with \
         `terraform import <address> {id}` or delete it; nothing was created.",
        id.rest_api_id,
        id.http_method
    )]
    MethodExists { id: EndpointId, path: String },
    #[error("{path} in REST API {:?} has no {} method.", id.rest_api_id, id.http_method)]
    NoMethodToImport { id: EndpointId, path: String },
    #[error("{0}")]
    Unrecognised(#[from] UnrecognisedValue),
    #[error("{0}")]
    InvalidImportId(String),
    #[error("{0}")]
    InvalidIdentity(String),
    #[error(
        "The async provider was not configured before use. This is a bug in Terraform or in the \
         provider; please report it."
    )]
    NotConfigured,
}

fn nothing_created(creating: bool) -> &'static str {
    if creating { " Nothing was created." } else { "" }
}

/// What a failed apply left behind, as the detail tells it.
#[derive(Debug)]
pub enum Left {
    /// Nothing to add: the state recorded says it all.
    Unsaid,
    NothingCreated,
    RolledBack,
    /// Rolling back failed too, with this error: the state keeps what is there.
    Tainted(Box<AwsError>),
    /// Rolled back, but settling the dispatcher after it failed.
    RolledBackDispatcherKept(Box<Error>),
    /// Rebuilt only in part: the next refresh sees what is there.
    Repairable,
}

impl fmt::Display for Left {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Left::Unsaid => Ok(()),
            Left::NothingCreated => f.write_str("; nothing was created."),
            Left::RolledBack => f.write_str("; the method created so far was removed again."),
            Left::Tainted(cleanup) => write!(
                f,
                "; removing the half-created method failed too ({cleanup}). It is kept in state as \
                 tainted: the next apply replaces it."
            ),
            Left::RolledBackDispatcherKept(kept) => write!(
                f,
                "; the method created so far was removed again, but removing the dispatcher's \
                 alias for it failed ({kept}). The alias invokes nothing; remove it with `aws \
                 lambda list-aliases --function-name tf-async-dispatcher` and `aws lambda \
                 delete-alias`."
            ),
            Left::Repairable => f.write_str("; the next apply repairs the endpoint."),
        }
    }
}

impl StepError {
    pub fn leaving(self, left: Left) -> Error {
        Error::Aws { failed: self, left }
    }
}

impl From<DispatcherError> for Error {
    fn from(error: DispatcherError) -> Self {
        Error::Dispatcher { error: Box::new(error), left: Left::Unsaid }
    }
}

impl From<StepError> for Error {
    fn from(failed: StepError) -> Self {
        failed.leaving(Left::Unsaid)
    }
}

impl Error {
    pub fn diagnostic(&self) -> Diagnostic {
        let (summary, attribute) = match self {
            Error::Aws { failed, .. } => (
                failed.step.summary(),
                failed.step.attribute().filter(|_| failed.error.is_refusal()),
            ),
            Error::Credentials(ConfigureError::Stopped(_)) => ("Stopped by Terraform", None),
            Error::Credentials(_) => ("Cannot use the AWS credentials", None),
            Error::NoRestApi { .. } => ("REST API not found", Some(attr::REST_API_ID)),
            Error::NoResource { .. } => ("REST API resource not found", Some(attr::RESOURCE_ID)),
            Error::NoFunction(_) => ("Lambda function not found", Some(attr::FUNCTION_NAME)),
            Error::DispatchElsewhere { .. } => {
                ("Function in another account", Some(attr::FUNCTION_NAME))
            }
            Error::Dispatcher { error, .. } => (failure::dispatcher_summary(error), None),
            Error::MethodExists { .. } => ("Method already exists", Some(attr::HTTP_METHOD)),
            Error::NoMethodToImport { .. } => ("Cannot import: no such method", None),
            Error::Unrecognised(unrecognised) => {
                ("Unrecognised value in AWS", Some(unrecognised.attribute))
            }
            Error::InvalidImportId(_) => ("Invalid import id", None),
            Error::InvalidIdentity(_) => ("Invalid import identity", None),
            Error::NotConfigured => ("Provider not configured", None),
        };
        failure::diagnostic(summary, self.to_string(), attribute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::lambda_endpoint::step::{During, Step};
    use crate::plugin::AttributePath;

    fn refused() -> AwsError {
        AwsError::Service {
            service: "Lambda",
            operation: "AddPermission",
            code: "ResourceNotFoundException".into(),
            message: "Function not found".into(),
            status: 404,
        }
    }

    #[test]
    fn a_refused_step_points_at_its_attribute_and_says_what_was_left() {
        let failed = Err::<(), _>(refused()).during(Step::AddPermission).unwrap_err();
        let diagnostic = failed.leaving(Left::RolledBack).diagnostic();
        assert_eq!(diagnostic.summary, "Adding the Lambda permission failed");
        assert_eq!(diagnostic.attribute, Some(AttributePath::root(attr::FUNCTION_NAME)));
        assert!(
            diagnostic
                .detail
                .ends_with("Function not found; the method created so far was removed again.")
        );
    }

    #[test]
    fn a_missing_function_says_so_at_function_name() {
        let missing = Error::from(MissingFunction {
            function_arn: "arn:aws:lambda:us-east-1:123456789012:function:worker".into(),
            region: "us-east-1".into(),
            creating: true,
        });
        let diagnostic = missing.diagnostic();
        assert_eq!(diagnostic.summary, "Lambda function not found");
        assert_eq!(diagnostic.attribute, Some(AttributePath::root(attr::FUNCTION_NAME)));
        assert!(
            diagnostic.detail.contains("function:worker in us-east-1"),
            "{}",
            diagnostic.detail
        );
        assert!(diagnostic.detail.ends_with("Nothing was created."), "{}", diagnostic.detail);
    }

    #[test]
    fn a_throttled_step_blames_no_attribute() {
        let throttled = AwsError::Throttled {
            service: "Lambda",
            operation: "AddPermission",
            code: "TooManyRequestsException".into(),
            attempts: 3,
        };
        let failed = Err::<(), _>(throttled).during(Step::AddPermission).unwrap_err();
        assert_eq!(Error::from(failed).diagnostic().attribute, None);
    }
}
