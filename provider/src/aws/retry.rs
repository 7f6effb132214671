//! The retry policy for every AWS call: API Gateway's control plane allows
//! about 10 requests per second per account (burst 40), so large applies are
//! throttled as a matter of course. Throttling, conflicting concurrent
//! changes, 5xx answers and network failures are retried with capped
//! exponential backoff and full jitter; anything else fails at once.

use std::future::Future;
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::request_id::RequestId;
use tracing::{debug, warn};

use crate::aws::error::AwsError;
use crate::aws::rate_limit::{RateLimiter, Rates};
use crate::plugin::Context;

const THROTTLING_CODES: [&str; 6] = [
    "TooManyRequestsException",
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "RequestLimitExceeded",
    "SlowDown",
];

#[derive(Debug)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Every attempt, first or retried, waits for its turn here.
    limiter: RateLimiter,
}

impl RetryPolicy {
    pub fn new(max_retries: u32, rates: Rates) -> Self {
        RetryPolicy {
            max_retries,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(20),
            limiter: RateLimiter::new(rates),
        }
    }

    /// The delay before retry number `retry` (0-based): uniformly random up
    /// to the capped exponential, so concurrent callers spread out.
    fn delay(&self, retry: u32) -> Duration {
        let ceiling = self.base_delay.saturating_mul(1 << retry.min(16)).min(self.max_delay);
        ceiling.mul_f64(fastrand::f64())
    }

    /// Runs `call` until it succeeds, fails for good, runs out of retries, or
    /// Terraform asks us to stop. Each attempt is logged with its request id.
    pub async fn run<T, E, F, Fut>(
        &self,
        ctx: &Context,
        service: &'static str,
        operation: &'static str,
        call: F,
    ) -> Result<T, AwsError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
        T: RequestId,
    {
        self.run_up_to(self.max_retries, ctx, service, operation, call).await
    }

    /// [`RetryPolicy::run`] without retries: for a call whose failure
    /// costs nothing now (it is made again, with retries, where it matters).
    pub async fn run_once<T, E, F, Fut>(
        &self,
        ctx: &Context,
        service: &'static str,
        operation: &'static str,
        call: F,
    ) -> Result<T, AwsError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
        T: RequestId,
    {
        self.run_up_to(0, ctx, service, operation, call).await
    }

    async fn run_up_to<T, E, F, Fut>(
        &self,
        max_retries: u32,
        ctx: &Context,
        service: &'static str,
        operation: &'static str,
        mut call: F,
    ) -> Result<T, AwsError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
        T: RequestId,
    {
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            tokio::select! {
                () = self.limiter.acquire(service, operation) => {}
                () = ctx.stop.cancelled() => return Err(AwsError::Stopped { service, operation }),
            }
            let started = Instant::now();
            let result = tokio::select! {
                result = call() => result,
                () = ctx.stop.cancelled() => return Err(AwsError::Stopped { service, operation }),
            };
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let error = match result {
                Ok(output) => {
                    debug!(
                        service,
                        operation,
                        request_id = output.request_id().unwrap_or(""),
                        duration_ms = elapsed_ms,
                        retries = attempt - 1,
                        "AWS call succeeded"
                    );
                    return Ok(output);
                }
                Err(e) => e,
            };
            let request_id = error.request_id().unwrap_or("").to_owned();
            let outcome = classify(error, service, operation, attempt);
            if matches!(outcome, AwsError::Throttled { .. }) {
                self.limiter.throttled(service);
            }
            if !outcome.is_transient() || attempt > max_retries {
                debug!(service, operation, request_id, duration_ms = elapsed_ms, retries = attempt - 1, error = %outcome, "AWS call failed");
                return Err(outcome);
            }
            let delay = self.delay(attempt - 1);
            warn!(service, operation, request_id, attempt, delay_ms = delay.as_millis() as u64, error = %outcome, "retrying AWS call");
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = ctx.stop.cancelled() => return Err(AwsError::Stopped { service, operation }),
            }
        }
    }
}

/// Sorts a failed call into what the policy does with it.
fn classify<E>(
    error: SdkError<E, HttpResponse>,
    service: &'static str,
    operation: &'static str,
    attempts: u32,
) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let status = error.raw_response().map(|r| r.status().as_u16());
    let transport = |message: String| AwsError::Transport { service, operation, message, attempts };
    match error {
        SdkError::TimeoutError(_) => transport("the request timed out".into()),
        SdkError::DispatchFailure(e) => transport(format!("{:?}", e.as_connector_error())),
        SdkError::ResponseError(_) => transport("the response could not be read".into()),
        SdkError::ConstructionFailure(e) => AwsError::Service {
            service,
            operation,
            code: "InvalidRequest".into(),
            message: format!("{e:?}"),
            status: 0,
        },
        SdkError::ServiceError(e) => {
            let err = e.err();
            let code = err.code().unwrap_or("Unknown").to_owned();
            let message = err.message().unwrap_or("").to_owned();
            let status = status.unwrap_or(0);
            if THROTTLING_CODES.contains(&code.as_str()) || status == 429 {
                AwsError::Throttled { service, operation, code, attempts }
            } else if is_transient_conflict(&code, &message) {
                AwsError::Conflict { service, operation, code, message, attempts }
            } else if status >= 500 {
                AwsError::ServerError { service, operation, code, message, status, attempts }
            } else {
                AwsError::Service { service, operation, code, message, status }
            }
        }
        other => transport(format!("{other:?}")),
    }
}

/// API Gateway says ConflictException both for "another change is in
/// progress" (retry) and "already exists" (do not); Lambda says
/// ResourceConflictException while a function or its policy is being
/// updated, and PreconditionFailedException when the policy changed under a
/// concurrent change.
fn is_transient_conflict(code: &str, message: &str) -> bool {
    match code {
        "ConflictException" | "ResourceConflictException" => {
            !message.to_ascii_lowercase().contains("already exist")
        }
        "PreconditionFailedException" => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use aws_sdk_apigateway::operation::put_method::{PutMethodError, PutMethodOutput};
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    use super::*;

    #[test]
    fn delays_grow_but_stay_capped() {
        let policy = RetryPolicy::new(10, Rates::default());
        for retry in 0..40 {
            assert!(policy.delay(retry) <= policy.max_delay);
        }
        let early: Duration = (0..200).map(|_| policy.delay(0)).max().unwrap();
        assert!(early <= policy.base_delay);
    }

    #[test]
    fn only_concurrent_modification_conflicts_are_retried() {
        assert!(is_transient_conflict(
            "ConflictException",
            "Unable to complete operation due to concurrent modification. Please try again later."
        ));
        assert!(!is_transient_conflict(
            "ConflictException",
            "Method already exists for this resource"
        ));
        assert!(!is_transient_conflict(
            "ResourceConflictException",
            "The statement id (x) provided already exists."
        ));
        assert!(!is_transient_conflict("BadRequestException", "nope"));
    }

    fn service_error(
        status: u16,
        code: &str,
        message: &str,
    ) -> SdkError<PutMethodError, HttpResponse> {
        let error =
            PutMethodError::generic(ErrorMetadata::builder().code(code).message(message).build());
        let response = HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::empty());
        SdkError::service_error(error, response)
    }

    /// Fails with `error()` `failures` times, then succeeds; counts attempts.
    async fn run_with(
        policy: &RetryPolicy,
        ctx: &Context,
        failures: u32,
        error: impl Fn() -> SdkError<PutMethodError, HttpResponse>,
    ) -> (Result<PutMethodOutput, AwsError>, u32) {
        let attempts = AtomicU32::new(0);
        let result = policy
            .run(ctx, "API Gateway", "PutMethod", || {
                let n = attempts.fetch_add(1, Ordering::SeqCst);
                let outcome = if n < failures {
                    Err(error())
                } else {
                    Ok(PutMethodOutput::builder().build())
                };
                async move { outcome }
            })
            .await;
        (result, attempts.load(Ordering::SeqCst))
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_is_retried_until_it_passes() {
        let policy = RetryPolicy::new(5, Rates::default());
        let too_many = || service_error(429, "TooManyRequestsException", "Too Many Requests");
        let (result, attempts) = run_with(&policy, &Context::default(), 3, too_many).await;
        assert!(result.is_ok());
        assert_eq!(attempts, 4);
    }

    #[tokio::test(start_paused = true)]
    async fn exhausted_retries_say_what_was_throttled() {
        let policy = RetryPolicy::new(2, Rates::default());
        let too_many = || service_error(429, "TooManyRequestsException", "Too Many Requests");
        let (result, attempts) = run_with(&policy, &Context::default(), 100, too_many).await;
        assert_eq!(attempts, 3);
        let message = result.unwrap_err().to_string();
        assert!(
            message.contains(
                "API Gateway PutMethod was throttled (TooManyRequestsException) on all 3 attempts"
            ),
            "{message}"
        );
        assert!(message.contains("-parallelism"), "{message}");
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_modification_is_retried_but_already_exists_is_not() {
        let policy = RetryPolicy::new(5, Rates::default());
        let busy = || service_error(409, "ConflictException", "concurrent modification, try again");
        assert!(run_with(&policy, &Context::default(), 2, busy).await.0.is_ok());
        let exists =
            || service_error(409, "ConflictException", "Method already exists for this resource");
        let (result, attempts) = run_with(&policy, &Context::default(), 100, exists).await;
        assert_eq!(attempts, 1);
        assert!(matches!(result, Err(AwsError::Service { status: 409, .. })));
    }

    #[tokio::test(start_paused = true)]
    async fn server_errors_are_retried_and_client_errors_are_not() {
        let policy = RetryPolicy::new(5, Rates::default());
        let unavailable = || service_error(503, "ServiceUnavailableException", "busy");
        assert!(run_with(&policy, &Context::default(), 2, unavailable).await.0.is_ok());
        let (result, attempts) = run_with(&policy, &Context::default(), 100, unavailable).await;
        assert_eq!(attempts, 6);
        let message = result.unwrap_err().to_string();
        assert!(message.contains("server error (503 ServiceUnavailableException"), "{message}");
        assert!(message.contains("try again later") && !message.contains("network"), "{message}");
        let bad = || service_error(400, "BadRequestException", "Invalid resource identifier");
        let (result, attempts) = run_with(&policy, &Context::default(), 100, bad).await;
        assert_eq!(attempts, 1);
        assert_eq!(result.unwrap_err().code(), Some("BadRequestException"));
    }

    #[tokio::test(start_paused = true)]
    async fn stop_interrupts_the_wait_between_retries() {
        let policy = RetryPolicy::new(50, Rates::default());
        let ctx = Context::default();
        let stop = ctx.stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            stop.cancel();
        });
        let too_many = || service_error(429, "TooManyRequestsException", "Too Many Requests");
        let (result, attempts) = run_with(&policy, &ctx, u32::MAX, too_many).await;
        assert!(matches!(result, Err(AwsError::Stopped { .. })));
        assert!(attempts < 50, "stopped promptly after {attempts} attempts");
    }
}
