//! Create and delete of one endpoint (an update is `update`'s): the order of
//! the AWS calls and what to undo when one fails.

use super::failure::{Error, Left};
use super::model::{Computed, EndpointId, Inputs, Invocation, Permission, State};
use super::refresh::{self, rest_api};
use super::remote;
use super::state::FromValue;
use super::step::{During, Step, StepError};
use crate::aws::apigateway::{AtMethod, RestApi};
use crate::aws::error::AwsError;
use crate::aws::lambda;
use crate::aws::resources::failure::MissingFunction;
use crate::aws::run::Run;
use crate::plugin::{Guarded, Value};

/// A failed apply: the error, and the state to record when it is not the
/// one before (null for a create).
pub struct Failed {
    pub error: Error,
    pub state: Option<State>,
}

impl From<Error> for Failed {
    fn from(error: Error) -> Self {
        Failed { error, state: None }
    }
}

impl From<StepError> for Failed {
    fn from(failed: StepError) -> Self {
        Error::from(failed).into()
    }
}

pub async fn create(run: Run<'_>, planned: &Value) -> Result<State, Failed> {
    let inputs = Inputs::from_value(planned);
    let id = &inputs.id;
    let account = run.account().await.map_err(Error::from)?;
    let api = rest_api(run, &id.rest_api_id).await.during(Step::LookUpResource)?;
    let resource_path = refresh::resource_path(run, &api, id, true).await?;
    let Invocation { function_arn, integration_uri } = inputs.invocation(account);
    let mut wiring = inputs.wiring(account);
    require_function(run, &function_arn, true).await?;
    claim_method(run, &api, &inputs, &integration_uri, &resource_path).await?;
    let mut result = put_api_gateway_part(run, &api, &inputs, &integration_uri).await;
    if result.is_ok()
        && let Some(permission) = wiring.permission.take()
    {
        let granted = lambda::grant(run, &function_arn, &id.rest_api_id, &permission)
            .await
            .during(Step::AddPermission);
        wiring.permission = Some(granted.as_ref().map_or(permission, Clone::clone));
        result = granted.map(drop);
    }
    let computed = Computed { resource_path: Some(resource_path), wiring };
    let state = State { inputs, computed };
    let Err(failed) = result else { return Ok(state) };

    // Undo what this create made, so a failed apply leaves nothing behind.
    if matches!(failed.error, AwsError::Stopped { .. }) {
        // Stopped: no time to clean up. Record what may exist; Terraform
        // marks it tainted and the next apply replaces it.
        return Err(Failed { error: failed.into(), state: Some(state) });
    }
    match delete_method(run, &api, &state.inputs.id).await {
        Ok(()) => Err(failed.leaving(Left::RolledBack).into()),
        Err(cleanup) => Err(Failed {
            error: failed.leaving(Left::Tainted(Box::new(cleanup))),
            state: Some(state),
        }),
    }
}

/// Fails unless the function exists, before anything is written: every
/// later step would fail on a missing one, under a headline blaming itself
/// (AddPermission: "Function not found", read as an IAM problem).
pub(super) async fn require_function(
    run: Run<'_>,
    function_arn: &str,
    creating: bool,
) -> Result<(), Error> {
    match lambda::function_exists(run, function_arn).await.during(Step::LookUpFunction) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::NoFunction(MissingFunction {
            function_arn: function_arn.to_owned(),
            region: run.region().to_owned(),
            creating,
        })),
        Err(failed) if creating => Err(failed.leaving(Left::NothingCreated)),
        Err(failed) => Err(failed.into()),
    }
}

/// Puts the method, after checking what is there: nothing, a leftover of this
/// very endpoint (a create interrupted before Terraform recorded it: the
/// provider was killed, or the answer to a call was lost), which is taken over
/// and rebuilt so the next apply converges, or someone else's method, which is
/// never touched. The run's read of the REST API tells; where it cannot, AWS
/// refuses to put a method that exists (LocalStack overwrites it silently: a
/// method someone made in the same apply on a resource made in it too).
async fn claim_method(
    run: Run<'_>,
    api: &Guarded<RestApi>,
    inputs: &Inputs,
    integration_uri: &str,
    resource_path: &str,
) -> Result<(), Error> {
    let id = &inputs.id;
    let claimed = async {
        let at = api.lock().at(id);
        let at = match at {
            AtMethod::Absent => match put_method(run, api, inputs).await {
                Err(e) if e.is_already_exists() => AtMethod::of(remote::get_method(run, id).await?),
                done => return done.map(|()| true),
            },
            AtMethod::Unknown => AtMethod::of(remote::get_method(run, id).await?),
            known => known,
        };
        match at {
            AtMethod::Absent => {}
            AtMethod::Async { uri, .. } if uri != integration_uri => return Ok(false),
            AtMethod::Async { .. } | AtMethod::Bare => {
                tracing::info!(endpoint = %id, "taking over a method left by an interrupted create");
                delete_method(run, api, id).await?;
            }
            // Someone else's: never touched.
            AtMethod::Foreign | AtMethod::Unknown => return Ok(false),
        }
        put_method(run, api, inputs).await.map(|()| true)
    };
    match claimed.await.during(Step::CreateMethod) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::MethodExists { id: id.clone(), path: resource_path.to_owned() }),
        Err(failed) => Err(failed.leaving(Left::NothingCreated)),
    }
}

/// Puts the method, in AWS and in the run's copy of the REST API.
async fn put_method(run: Run<'_>, api: &Guarded<RestApi>, inputs: &Inputs) -> Result<(), AwsError> {
    remote::put_method(run, &inputs.id, &inputs.method).await?;
    api.lock().wrote(&inputs.id, None, false);
    Ok(())
}

/// The API Gateway part after the method, in the order that never needs
/// `depends_on`: integration, method response, integration response.
async fn put_api_gateway_part(
    run: Run<'_>,
    api: &Guarded<RestApi>,
    inputs: &Inputs,
    uri: &str,
) -> Result<(), StepError> {
    let (id, credentials) = (&inputs.id, inputs.target.credentials.as_deref());
    remote::put_integration(run, id, &inputs.integration, uri, credentials)
        .await
        .during(Step::CreateIntegration)?;
    api.lock().wrote(id, Some(uri), credentials.is_none());
    remote::put_method_response(run, id, &inputs.response)
        .await
        .during(Step::CreateMethodResponse)?;
    remote::put_integration_response(run, id, &inputs.response)
        .await
        .during(Step::CreateIntegrationResponse)
}

pub async fn delete(run: Run<'_>, prior: &Value) -> Result<(), Error> {
    let prior = State::from_value(prior);
    let id = &prior.inputs.id;
    let api = rest_api(run, &id.rest_api_id).await.during(Step::DeleteMethod)?;
    delete_method(run, &api, id).await.during(Step::DeleteMethod)?;
    let wiring = &prior.computed.wiring;
    if let (Some(permission), Some(function_arn)) = (&wiring.permission, &wiring.function_arn) {
        release(run, &api, id, function_arn, permission).await.during(Step::RemovePermission)?;
    }
    Ok(())
}

/// Deletes the method (with its integration and responses), in AWS and in
/// the run's copy of the REST API.
async fn delete_method(
    run: Run<'_>,
    api: &Guarded<RestApi>,
    id: &EndpointId,
) -> Result<(), AwsError> {
    remote::delete_method(run, id).await?;
    api.lock().deleted(id);
    Ok(())
}

/// Releases the statement the endpoint `id` invoked `function_arn` through,
/// unless another method of its REST API still invokes through it: the REST
/// API's shared statement, or an adopted one granting more than the method.
pub(super) async fn release(
    run: Run<'_>,
    api: &Guarded<RestApi>,
    id: &EndpointId,
    function_arn: &str,
    permission: &Permission,
) -> Result<(), AwsError> {
    let still_used = || api.lock().invokes_through(function_arn, permission, id);
    lambda::release(run, function_arn, &id.rest_api_id, permission, still_used).await
}
