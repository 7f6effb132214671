//! Create, update and delete of one endpoint: the order of the AWS calls and
//! what to undo when one fails.

use aws_sdk_apigateway::types::PatchOperation;

use super::attr;
use super::failure::{Error, Left};
use super::model::{Computed, EndpointId, Inputs, Permission, Response, State, Wiring};
use super::patch;
use super::permission;
use super::refresh;
use super::remote;
use super::shared::{Existing, Guarded, RestApi, Shared};
use super::state::FromValue;
use super::step::{During, Step, StepError};
use crate::aws::clients::Aws;
use crate::aws::error::AwsError;
use crate::plugin::{Context, Value};

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

pub async fn create(
    aws: &Aws,
    shared: &Shared,
    ctx: &Context,
    planned: &Value,
) -> Result<State, Failed> {
    let inputs = Inputs::from_value(planned);
    let id = &inputs.id;
    let account = aws.account(ctx).await.map_err(Error::from)?;
    let api = shared.rest_api(aws, ctx, &id.rest_api_id).await.during(Step::LookUpResource)?;
    let resource_path = refresh::resource_path(aws, ctx, &api, id, true).await?;
    let mut wiring = inputs.wiring(account);
    require_function(aws, shared, ctx, &wiring.function_arn, true).await?;
    claim_method(aws, ctx, &api, &inputs, &wiring.integration_uri, &resource_path).await?;
    let mut result = put_api_gateway_part(aws, ctx, &api, &inputs, &wiring).await;
    if result.is_ok()
        && let Some(permission) = wiring.permission.take()
    {
        let granted = permission::grant(shared, aws, ctx, id, &wiring.function_arn, &permission)
            .await
            .during(Step::AddPermission);
        wiring.permission = Some(granted.as_ref().map_or(permission, Clone::clone));
        result = granted.map(drop);
    }
    let state = State { inputs, computed: Computed { resource_path, wiring } };
    let Err(failed) = result else { return Ok(state) };

    // Undo what this create made, so a failed apply leaves nothing behind.
    if matches!(failed.error, AwsError::Stopped { .. }) {
        // Stopped: no time to clean up. Record what may exist; Terraform
        // marks it tainted and the next apply replaces it.
        return Err(Failed { error: failed.into(), state: Some(state) });
    }
    match delete_method(aws, ctx, &api, &state.inputs.id).await {
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
async fn require_function(
    aws: &Aws,
    shared: &Shared,
    ctx: &Context,
    function_arn: &str,
    creating: bool,
) -> Result<(), Error> {
    match shared.function_exists(aws, ctx, function_arn).await.during(Step::LookUpFunction) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::NoFunction {
            function_arn: function_arn.to_owned(),
            region: aws.region.clone(),
            creating,
        }),
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
    aws: &Aws,
    ctx: &Context,
    api: &Guarded<RestApi>,
    inputs: &Inputs,
    integration_uri: &str,
    resource_path: &str,
) -> Result<(), Error> {
    let id = &inputs.id;
    let claimed = async {
        let existing = api.lock().existing(id);
        let existing_uri = match existing {
            Existing::Async(uri) => Some(Some(uri)),
            Existing::Unknown => existing_integration(aws, ctx, id).await?,
            Existing::Absent => match put_method(aws, ctx, api, inputs).await {
                Err(e) if e.is_already_exists() => existing_integration(aws, ctx, id).await?,
                done => return done.map(|()| true),
            },
        };
        if let Some(uri) = existing_uri {
            if uri.is_some_and(|uri| uri != integration_uri) {
                return Ok(false);
            }
            tracing::info!(endpoint = %id, "taking over a method left by an interrupted create");
            delete_method(aws, ctx, api, id).await?;
        }
        put_method(aws, ctx, api, inputs).await.map(|()| true)
    };
    match claimed.await.during(Step::CreateMethod) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::MethodExists { id: id.clone(), path: resource_path.to_owned() }),
        Err(failed) => Err(failed.leaving(Left::NothingCreated)),
    }
}

/// The invocation URI of the method's integration as GetMethod answers:
/// `None` without a method, `Some(None)` without an integration, an empty URI
/// for an integration that is not an asynchronous Lambda invoke.
async fn existing_integration(
    aws: &Aws,
    ctx: &Context,
    id: &EndpointId,
) -> Result<Option<Option<String>>, AwsError> {
    Ok(remote::get_method(aws, ctx, id).await?.map(|method| {
        method
            .method_integration()
            .map(|i| remote::async_invocation_uri(i).unwrap_or_default().to_owned())
    }))
}

/// Puts the method, in AWS and in the run's copy of the REST API.
async fn put_method(
    aws: &Aws,
    ctx: &Context,
    api: &Guarded<RestApi>,
    inputs: &Inputs,
) -> Result<(), AwsError> {
    remote::put_method(aws, ctx, &inputs.id, &inputs.method).await?;
    api.lock().wrote(&inputs.id, None, false);
    Ok(())
}

/// The API Gateway part after the method, in the order that never needs
/// `depends_on`: integration, method response, integration response.
async fn put_api_gateway_part(
    aws: &Aws,
    ctx: &Context,
    api: &Guarded<RestApi>,
    inputs: &Inputs,
    wiring: &Wiring,
) -> Result<(), StepError> {
    let (id, credentials) = (&inputs.id, inputs.target.credentials.as_deref());
    let uri = &wiring.integration_uri;
    remote::put_integration(aws, ctx, id, &inputs.integration, uri, credentials)
        .await
        .during(Step::CreateIntegration)?;
    api.lock().wrote(id, Some(uri), credentials.is_none());
    remote::put_method_response(aws, ctx, id, &inputs.response)
        .await
        .during(Step::CreateMethodResponse)?;
    remote::put_integration_response(aws, ctx, id, &inputs.response)
        .await
        .during(Step::CreateIntegrationResponse)
}

/// Applies a change in place: only what differs is written, and the method
/// is never deleted, so what this resource does not manage on it (other
/// responses, request models and validators, documentation) stays, and a
/// deployment made meanwhile never lacks it.
pub async fn update(
    aws: &Aws,
    shared: &Shared,
    ctx: &Context,
    prior: &Value,
    planned: &Value,
) -> Result<State, Failed> {
    let old = State::from_value(prior);
    let inputs = Inputs::from_value(planned);
    let account = aws.account(ctx).await.map_err(Error::from)?;
    let resource_path = old.computed.resource_path.clone();
    // The plan keeps the wiring whole (an adopted statement too) or leaves
    // it to be worked out.
    let wiring = if planned.get(attr::FUNCTION_ARN).is_unknown() {
        inputs.wiring(account)
    } else {
        old.computed.wiring.clone()
    };
    if wiring.function_arn != old.computed.wiring.function_arn {
        require_function(aws, shared, ctx, &wiring.function_arn, false).await?;
    }
    let mut new = State { inputs, computed: Computed { resource_path, wiring } };
    let id = &old.inputs.id;
    let api = shared.rest_api(aws, ctx, &id.rest_api_id).await.during(Step::ReadMethod)?;

    if let Err(failed) = update_api_gateway_part(aws, ctx, &api, &old, &new).await {
        // Part of the change may be in; record the plan so the next refresh
        // sees what is really there and plans the repair.
        return Err(Failed { error: failed.leaving(Left::Repairable), state: Some(new) });
    }

    let (before, after) = (&old.computed.wiring, &new.computed.wiring);
    if (&before.function_arn, &before.permission) != (&after.function_arn, &after.permission) {
        match move_permission(shared, aws, ctx, &api, id, before, after).await {
            Ok(granted) => new.computed.wiring.permission = granted,
            Err(failed) => return Err(Failed { error: failed.into(), state: Some(new) }),
        }
    }
    Ok(new)
}

/// The method, then the integration, then the responses, each written only
/// where `new` differs from `old`. `old` is the refreshed state: an
/// integration that is not this endpoint's reads as an empty URI, a missing
/// default response as an empty status code.
async fn update_api_gateway_part(
    aws: &Aws,
    ctx: &Context,
    api: &Guarded<RestApi>,
    old: &State,
    new: &State,
) -> Result<(), StepError> {
    let (id, before, after) = (&new.inputs.id, &old.inputs, &new.inputs);
    let (old_uri, new_uri) =
        (&old.computed.wiring.integration_uri, &new.computed.wiring.integration_uri);
    let method = patch::method(&before.method, &after.method);
    if !method.is_empty() {
        remote::update_method(aws, ctx, id, method).await.during(Step::UpdateMethod)?;
        let ours = (!old_uri.is_empty()).then_some(old_uri.as_str());
        api.lock().wrote(id, ours, before.target.credentials.is_none());
    }

    let credentials = after.target.credentials.as_deref();
    // Whether the integration responses went with the integration.
    let mut dropped = false;
    match integration_write(old, new) {
        IntegrationWrite::Unchanged => {}
        IntegrationWrite::Patch(operations) => {
            remote::update_integration(aws, ctx, id, operations)
                .await
                .during(Step::UpdateIntegration)?;
            api.lock().wrote(id, Some(new_uri), credentials.is_none());
        }
        IntegrationWrite::Put => {
            remote::put_integration(aws, ctx, id, &after.integration, new_uri, credentials)
                .await
                .during(Step::UpdateIntegration)?;
            api.lock().wrote(id, Some(new_uri), credentials.is_none());
            dropped = true;
        }
    }
    update_responses(aws, ctx, id, &before.response, &after.response, dropped).await
}

/// How an update writes the integration.
enum IntegrationWrite {
    Unchanged,
    /// UpdateIntegration: the integration responses stay.
    Patch(Vec<PatchOperation>),
    /// PutIntegration over the integration there. AWS accepts it and drops
    /// the integration responses: Terraform's AWS provider updated an
    /// integration so until hashicorp/terraform#13249, and "Change to
    /// aws_api_gateway_integration destroys all
    /// aws_api_gateway_integration_response resources" (hashicorp/terraform#9877,
    /// hashicorp/terraform-provider-aws#352). LocalStack does the same.
    Put,
}

/// Patched where AWS and LocalStack can patch it, else put. Not patched:
/// the type, which UpdateIntegration cannot change (an integration that is
/// not ours, e.g. AWS_PROXY put out of band); credentials, which it can
/// replace but not add or remove (hashicorp/terraform#13249; hashicorp/aws
/// re-creates the integration for them); and the passthrough behaviour,
/// whose patch LocalStack 4.13.1 ignores (its model spells the field
/// `passthrough_behaviour`).
fn integration_write(old: &State, new: &State) -> IntegrationWrite {
    let (before, after) = (&old.inputs, &new.inputs);
    let (old_uri, new_uri) =
        (&old.computed.wiring.integration_uri, &new.computed.wiring.integration_uri);
    if old_uri.is_empty()
        || before.target.credentials != after.target.credentials
        || before.integration.passthrough_behavior != after.integration.passthrough_behavior
    {
        return IntegrationWrite::Put;
    }
    let operations =
        patch::integration((&before.integration, old_uri), (&after.integration, new_uri));
    if operations.is_empty() {
        IntegrationWrite::Unchanged
    } else {
        IntegrationWrite::Patch(operations)
    }
}

/// The method response and the default integration response. `dropped`:
/// the integration was put, so it has no integration response left.
async fn update_responses(
    aws: &Aws,
    ctx: &Context,
    id: &EndpointId,
    before: &Response,
    after: &Response,
    dropped: bool,
) -> Result<(), StepError> {
    let (old, new) = (before.normalised(), after.normalised());
    if old.status_code == new.status_code {
        // Headers are declared before the integration response fills them,
        // and retracted once it no longer does.
        let (declare, retract) = patch::declared_headers(&old, &new);
        let code = &new.status_code;
        if !declare.is_empty() {
            remote::update_method_response(aws, ctx, id, code, declare)
                .await
                .during(Step::UpdateMethodResponse)?;
        }
        if dropped || old != new {
            remote::put_integration_response(aws, ctx, id, after)
                .await
                .during(Step::UpdateIntegrationResponse)?;
        }
        if !retract.is_empty() {
            remote::update_method_response(aws, ctx, id, code, retract)
                .await
                .during(Step::UpdateMethodResponse)?;
        }
        return Ok(());
    }
    // A new status code. AWS keeps one integration response without a
    // selection pattern per method ("Integration response with selection
    // pattern default already exists", hashicorp/terraform#5893), so the old
    // one goes before the new one is put; a stage serves its deployment
    // meanwhile.
    put_method_response(aws, ctx, id, after).await.during(Step::CreateMethodResponse)?;
    if !old.status_code.is_empty() && !dropped {
        remote::delete_integration_response(aws, ctx, id, &old.status_code)
            .await
            .during(Step::RemoveOldResponse)?;
    }
    remote::put_integration_response(aws, ctx, id, after)
        .await
        .during(Step::CreateIntegrationResponse)?;
    if !old.status_code.is_empty() {
        remote::delete_method_response(aws, ctx, id, &old.status_code)
            .await
            .during(Step::RemoveOldResponse)?;
    }
    Ok(())
}

/// Declares a status code the prior state did not have. Drift can leave it
/// declared (an integration put over ours keeps the method responses), and
/// AWS refuses to declare it again, so then it is deleted and put afresh.
async fn put_method_response(
    aws: &Aws,
    ctx: &Context,
    id: &EndpointId,
    response: &Response,
) -> Result<(), AwsError> {
    match remote::put_method_response(aws, ctx, id, response).await {
        Err(e) if e.is_already_exists() => {
            remote::delete_method_response(aws, ctx, id, &response.status_code).await?;
            remote::put_method_response(aws, ctx, id, response).await
        }
        done => done,
    }
}

/// Grants the statement `after` needs, then releases the one `before` had
/// unless it is the same: the function never refuses API Gateway in between.
/// Returns the statement granted (see [`permission::grant`]).
async fn move_permission(
    shared: &Shared,
    aws: &Aws,
    ctx: &Context,
    api: &Guarded<RestApi>,
    id: &EndpointId,
    before: &Wiring,
    after: &Wiring,
) -> Result<Option<Permission>, StepError> {
    let mut granted = None;
    if let Some(permission) = &after.permission {
        let statement = permission::grant(shared, aws, ctx, id, &after.function_arn, permission)
            .await
            .during(Step::AddPermission)?;
        granted = Some(statement);
    }
    let kept = |old: &Permission| {
        before.function_arn == after.function_arn
            && granted.as_ref().is_some_and(|p| p.statement_id == old.statement_id)
    };
    if let Some(old) = &before.permission
        && !before.function_arn.is_empty()
        && !kept(old)
    {
        permission::release(shared, aws, ctx, api, id, &before.function_arn, old)
            .await
            .during(Step::RemoveOldPermission)?;
    }
    Ok(granted)
}

pub async fn delete(aws: &Aws, shared: &Shared, ctx: &Context, prior: &Value) -> Result<(), Error> {
    let prior = State::from_value(prior);
    let id = &prior.inputs.id;
    let api = shared.rest_api(aws, ctx, &id.rest_api_id).await.during(Step::DeleteMethod)?;
    delete_method(aws, ctx, &api, id).await.during(Step::DeleteMethod)?;
    let wiring = &prior.computed.wiring;
    if let Some(permission) = &wiring.permission
        && !wiring.function_arn.is_empty()
    {
        permission::release(shared, aws, ctx, &api, id, &wiring.function_arn, permission)
            .await
            .during(Step::RemovePermission)?;
    }
    Ok(())
}

/// Deletes the method (with its integration and responses), in AWS and in
/// the run's copy of the REST API.
async fn delete_method(
    aws: &Aws,
    ctx: &Context,
    api: &Guarded<RestApi>,
    id: &EndpointId,
) -> Result<(), AwsError> {
    remote::delete_method(aws, ctx, id).await?;
    api.lock().deleted(id);
    Ok(())
}
