//! The request validators the endpoints of a REST API share: API Gateway
//! keeps validators per REST API, so one of each [`Validation`] is made
//! with the first endpoint that needs it and deleted with the last. Another configuration's endpoints
//! may use it too: before deleting it the REST API is read again, and AWS
//! refuses to delete a validator a method uses
//! (https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteRequestValidator.html).

use std::sync::Arc;

use aws_sdk_apigateway::types::RequestValidator;
use tokio::sync::Mutex;

use super::{MethodId, RestApi, reads, remote};
use crate::aws::error::AwsError;
use crate::aws::run::Run;
use crate::plugin::Guarded;

/// What a validator checks. Only parameters, where there is no schema:
/// a validator of bodies checks a method without a model against the
/// `Empty` model (an object; LocalStack's reading of AWS, localstack#7846),
/// which would refuse an array, a form or text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validation {
    Parameters,
    BodyAndParameters,
}

impl Validation {
    /// The shared validator's name.
    pub fn name(self) -> &'static str {
        match self {
            Validation::Parameters => "async-endpoints-parameters",
            Validation::BodyAndParameters => "async-endpoints",
        }
    }

    fn validates_body(self) -> bool {
        self == Validation::BodyAndParameters
    }

    /// Whether `validator` checks exactly this.
    fn checked_by(self, validator: &RequestValidator) -> bool {
        validator.validate_request_body() == self.validates_body()
            && validator.validate_request_parameters()
    }

    /// Whether `validator` is a shared one this provider makes.
    fn made(validator: &RequestValidator) -> bool {
        [Validation::Parameters, Validation::BodyAndParameters]
            .iter()
            .any(|v| validator.name() == Some(v.name()) && v.checked_by(validator))
    }
}

async fn known(
    run: Run<'_>,
    rest_api_id: &str,
) -> Result<Arc<Mutex<Vec<RequestValidator>>>, AwsError> {
    let read = || async { Ok(Mutex::new(remote::request_validators(run, rest_api_id).await?)) };
    run.cache.request_validators.get_or_try_init(&rest_api_id.to_owned(), read).await
}

/// The id of the REST API's shared validator checking `validation`, made
/// if there is none.
pub async fn ensure(
    run: Run<'_>,
    rest_api_id: &str,
    validation: Validation,
) -> Result<String, AwsError> {
    let validators = known(run, rest_api_id).await?;
    let mut validators = validators.lock().await;
    let ours =
        validators.iter().find(|v| v.name() == Some(validation.name()) && validation.checked_by(v));
    if let Some(id) = ours.and_then(RequestValidator::id) {
        return Ok(id.to_owned());
    }
    let body = validation.validates_body();
    let id = remote::create_request_validator(run, rest_api_id, validation.name(), body).await?;
    let made = RequestValidator::builder()
        .id(&id)
        .name(validation.name())
        .validate_request_body(body)
        .validate_request_parameters(true)
        .build();
    validators.push(made);
    Ok(id)
}

/// Whether validator `id` of the REST API checks exactly `validation`
/// (any validator that does serves an endpoint).
pub async fn checks(
    run: Run<'_>,
    rest_api_id: &str,
    id: &str,
    validation: Validation,
) -> Result<bool, AwsError> {
    let validators = known(run, rest_api_id).await?;
    let validators = validators.lock().await;
    Ok(validators.iter().any(|v| v.id() == Some(id) && validation.checked_by(v)))
}

/// Deletes the shared validator `id` once no method but `releasing` uses
/// it: as the run's copy of the REST API says, then as a fresh read says
/// (another configuration's methods). A validator this provider did not
/// make is never deleted.
pub async fn release(
    run: Run<'_>,
    api: &Guarded<RestApi>,
    releasing: &MethodId,
    id: &str,
) -> Result<(), AwsError> {
    let rest_api_id = &releasing.rest_api_id;
    let validators = known(run, rest_api_id).await?;
    let mut validators = validators.lock().await;
    let ours = validators.iter().any(|v| v.id() == Some(id) && Validation::made(v));
    if !ours || api.lock().validates_with(id, releasing) {
        return Ok(());
    }
    let now = reads::rest_api_now(run, api, rest_api_id).await?;
    if now.validates_with(id, releasing) {
        return Ok(());
    }
    match remote::delete_request_validator(run, rest_api_id, id).await {
        // A method made since the read uses it: it stays.
        Err(e) if e.is_refusal() => {
            tracing::info!(validator = id, error = %e, "request validator in use: kept");
            return Ok(());
        }
        done => done?,
    }
    validators.retain(|v| v.id() != Some(id));
    Ok(())
}
