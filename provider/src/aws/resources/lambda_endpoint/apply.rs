//! Create and delete of one endpoint (an update is `update`'s): the order of
//! the AWS calls and what to undo when one fails.

use super::failure::{Error, Left};
use super::model::{Computed, Delivery, EndpointId, Inputs, Invocation, Permission, State};
use super::refresh::{self, rest_api};
use super::remote;
use super::request_schema;
use super::state::FromValue;
use super::step::{During, Step, StepError};
use crate::aws::apigateway::request_validator;
use crate::aws::apigateway::{self, AtMethod, OtherMethods, RestApi};
use crate::aws::arn::Account;
use crate::aws::dispatcher;
use crate::aws::error::AwsError;
use crate::aws::lambda::{self, Sharers};
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
    let id = &inputs.id.clone();
    let account = run.account().await.map_err(Error::from)?;
    let api = rest_api(run, &id.rest_api_id).await.during(Step::LookUpResource)?;
    let resource_path = refresh::resource_path(run, &api, id, true).await?;
    let Invocation { function_arn, integration_uri, invoked_arn, alias } =
        inputs.invocation(account);
    let mut wiring = inputs.wiring(account);
    check_dispatch_account(&inputs, account, true)?;
    require_function(run, &function_arn, true).await?;
    let validator = prepare_validation(run, &api, &inputs, None)
        .await
        .map_err(|failed| failed.leaving(Left::NothingCreated))?;
    let model = inputs.method.request_schema.is_some();
    let undo_validation = || undo_validation(run, &api, id, model, validator.as_deref());
    let claim = match &alias {
        Some(alias) => match dispatcher::endpoints::ensure(run, alias).await {
            Ok(claim) => Some(claim),
            Err(e) => {
                undo_validation().await.during(Step::RemoveValidation)?;
                return Err(
                    Error::Dispatcher { error: Box::new(e), left: Left::NothingCreated }.into()
                );
            }
        },
        None => None,
    };
    let claimed =
        claim_method(run, &api, &inputs, validator.as_deref(), &integration_uri, &resource_path);
    if let Err(error) = claimed.await {
        // Nothing invokes the alias made for this create: it goes again, and
        // so does what validation needed.
        undo_validation().await.during(Step::RemoveValidation)?;
        settle_dispatch(run, &api, id, alias.as_deref(), claim).await?;
        return Err(error.into());
    }
    let mut result = put_api_gateway_part(run, &api, &inputs, &integration_uri).await;
    if result.is_ok()
        && let Some(permission) = wiring.permission.take()
    {
        let granted =
            lambda::grant(run, &invoked_arn, &id.rest_api_id, &permission, Sharers::Configurations)
                .await
                .during(Step::AddPermission);
        wiring.permission = Some(granted.as_ref().map_or(permission, Clone::clone));
        result = granted.map(drop);
    }
    let computed = Computed {
        resource_path: Some(resource_path),
        wiring,
        request_validator_id: validator.clone(),
    };
    let state = State { inputs: inputs.clone(), computed };
    let failed = match result {
        Ok(()) => match settle_dispatch(run, &api, id, None, claim).await {
            Ok(()) => return Ok(state),
            // The endpoint works but for the dispatcher's role: the next
            // apply settles it again.
            Err(error) => return Err(Failed { error, state: Some(state) }),
        },
        Err(failed) => failed,
    };

    // Undo what this create made, so a failed apply leaves nothing behind.
    if matches!(failed.error, AwsError::Stopped { .. }) {
        // Stopped: no time to clean up. Record what may exist; Terraform
        // marks it tainted and the next apply replaces it.
        return Err(Failed { error: failed.into(), state: Some(state) });
    }
    let undone = async {
        delete_method(run, &api, &state.inputs.id).await?;
        undo_validation().await
    };
    if let Err(cleanup) = undone.await {
        return Err(Failed {
            error: failed.leaving(Left::Tainted(Box::new(cleanup))),
            state: Some(state),
        });
    }
    let left = match settle_dispatch(run, &api, id, alias.as_deref(), claim).await {
        Ok(()) => Left::RolledBack,
        Err(kept) => Left::RolledBackDispatcherKept(Box::new(kept)),
    };
    Err(failed.leaving(left).into())
}

/// Refuses a dispatch to a function in another account (see
/// [`Inputs::dispatch_elsewhere`]).
pub(super) fn check_dispatch_account(
    inputs: &Inputs,
    account: &Account,
    creating: bool,
) -> Result<(), Error> {
    match inputs.dispatch_elsewhere(account) {
        None => Ok(()),
        Some(function_account) => Err(Error::DispatchElsewhere {
            function_account,
            account: account.account_id.clone(),
            creating,
        }),
    }
}

/// Settles the REST API's share of the dispatcher after an endpoint's
/// integration changed: the role may invoke what the API's dispatched
/// endpoints target, as the run's copy of the API has them, and `released`,
/// an alias the endpoint stopped invoking, goes when nothing invokes it.
pub(super) async fn settle_dispatch(
    run: Run<'_>,
    api: &Guarded<RestApi>,
    id: &EndpointId,
    released: Option<&str>,
    claim: Option<dispatcher::Claim>,
) -> Result<(), Error> {
    if claim.is_none() && released.is_none() {
        return Ok(());
    }
    let targets = || api.lock().dispatched_targets();
    dispatcher::endpoints::settle(run, &id.rest_api_id, targets, released, claim)
        .await
        .map_err(Error::from)
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
    validator: Option<&str>,
    integration_uri: &str,
    resource_path: &str,
) -> Result<(), Error> {
    let id = &inputs.id;
    let claimed = async {
        let at = api.lock().at(id);
        let at = match at {
            AtMethod::Absent => match put_method(run, api, inputs, validator).await {
                Err(e) if e.is_already_exists() => {
                    AtMethod::of(apigateway::get_method(run, id).await?)
                }
                done => return done.map(|()| true),
            },
            AtMethod::Unknown => AtMethod::of(apigateway::get_method(run, id).await?),
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
        put_method(run, api, inputs, validator).await.map(|()| true)
    };
    match claimed.await.during(Step::CreateMethod) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::MethodExists { id: id.clone(), path: resource_path.to_owned() }),
        Err(failed) => Err(failed.leaving(Left::NothingCreated)),
    }
}

/// Puts the method, in AWS and in the run's copy of the REST API.
async fn put_method(
    run: Run<'_>,
    api: &Guarded<RestApi>,
    inputs: &Inputs,
    validator: Option<&str>,
) -> Result<(), AwsError> {
    remote::put_method(run, &inputs.id, &inputs.method, validator).await?;
    let mut api = api.lock();
    api.wrote(&inputs.id, None, false);
    api.validated_by(&inputs.id, validator);
    Ok(())
}

/// What the method's validation needs, written before the method that uses
/// it: the model of its `request_schema` (unless `before`, the refreshed
/// state of an update, holds the same), then the REST API's validator
/// (the one `before` has for the same validation, else made sure of),
/// whose id it returns. A create
/// undoes the model if the validator cannot be had.
pub(super) async fn prepare_validation(
    run: Run<'_>,
    api: &Guarded<RestApi>,
    inputs: &Inputs,
    before: Option<&State>,
) -> Result<Option<String>, StepError> {
    let (id, method) = (&inputs.id, &inputs.method);
    let held = before.map(|b| &b.inputs.method.request_schema);
    if let Some(schema) = &method.request_schema
        && held != Some(&method.request_schema)
    {
        remote::put_model(run, id, &request_schema::model_text(schema))
            .await
            .during(Step::WriteModel)?;
    }
    let Some(validation) = method.validation() else { return Ok(None) };
    let kept = before.filter(|b| b.inputs.method.validation() == Some(validation));
    if let Some(kept) = kept.and_then(|b| b.computed.request_validator_id.clone()) {
        return Ok(Some(kept));
    }
    let ensured = request_validator::ensure(run, &id.rest_api_id, validation).await;
    match ensured.during(Step::EnsureValidator) {
        Ok(validator) => Ok(Some(validator)),
        Err(failed) if before.is_none() => {
            let model = method.request_schema.is_some();
            undo_validation(run, api, id, model, None).await.during(Step::RemoveValidation)?;
            Err(failed)
        }
        Err(failed) => Err(failed),
    }
}

/// Removes what a method's validation needed once the method no longer
/// uses it: its model (`model`), and `validator` unless another method
/// uses it.
pub(super) async fn undo_validation(
    run: Run<'_>,
    api: &Guarded<RestApi>,
    id: &EndpointId,
    model: bool,
    validator: Option<&str>,
) -> Result<(), AwsError> {
    if model {
        remote::delete_model(run, id).await?;
    }
    match validator {
        Some(validator) => request_validator::release(run, api, id, validator).await,
        None => Ok(()),
    }
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
    let delivery = inputs.target.delivery;
    remote::put_integration(run, id, delivery, &inputs.integration, uri, credentials)
        .await
        .during(Step::CreateIntegration)?;
    api.lock().wrote(id, Some(uri), credentials.is_none());
    remote::put_method_response(run, id, &inputs.response)
        .await
        .during(Step::CreateMethodResponse)?;
    if delivery == Delivery::Dispatcher {
        // A proxy integration answers with what the function returns.
        return Ok(());
    }
    remote::put_integration_response(run, id, &inputs.response)
        .await
        .during(Step::CreateIntegrationResponse)
}

pub async fn delete(run: Run<'_>, prior: &Value) -> Result<(), Error> {
    let prior = State::from_value(prior);
    let id = &prior.inputs.id;
    let api = rest_api(run, &id.rest_api_id).await.during(Step::DeleteMethod)?;
    delete_method(run, &api, id).await.during(Step::DeleteMethod)?;
    let (model, validator) = (
        prior.inputs.method.request_schema.is_some(),
        prior.computed.request_validator_id.as_deref(),
    );
    undo_validation(run, &api, id, model, validator).await.during(Step::RemoveValidation)?;
    let wiring = &prior.computed.wiring;
    if let (Some(permission), Some(invoked_arn)) = (&wiring.permission, wiring.invoked_arn()) {
        release(run, &api, id, invoked_arn, permission).await.during(Step::RemovePermission)?;
    }
    settle_dispatch(run, &api, id, wiring.dispatcher_alias().as_deref(), None).await
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

/// Releases the statement the endpoint `id` invoked `invoked_arn` through,
/// unless another method of its REST API still invokes through it: the REST
/// API's shared statement, or an adopted one granting more than the method.
/// Those methods may be another configuration's (see [`OtherMethods`]).
pub(super) async fn release(
    run: Run<'_>,
    api: &Guarded<RestApi>,
    id: &EndpointId,
    invoked_arn: &str,
    permission: &Permission,
) -> Result<(), AwsError> {
    let others = OtherMethods { run, api, releasing: id, function_arn: invoked_arn, permission };
    lambda::release(run, invoked_arn, &id.rest_api_id, permission, &others).await
}
