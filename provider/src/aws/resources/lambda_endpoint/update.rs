//! An update in place: only what differs is written, each part with the
//! fewest calls AWS allows, and the method is never deleted.

use aws_sdk_apigateway::types::PatchOperation;

use super::apply::{
    Failed, check_dispatch_account, prepare_validation, release, require_function, settle_dispatch,
    undo_validation,
};
use super::attr;
use super::failure::{Error, Left};
use super::model::{Computed, Delivery, EndpointId, Inputs, Permission, Response, State, Wiring};
use super::patch;
use super::refresh::rest_api;
use super::remote;
use super::state::FromValue;
use super::step::{During, Step, StepError};
use crate::aws::apigateway::RestApi;
use crate::aws::dispatcher;
use crate::aws::error::AwsError;
use crate::aws::lambda::{self, Sharers};
use crate::aws::run::Run;
use crate::plugin::{Guarded, Value};

/// Applies a change in place: only what differs is written, and the method
/// is never deleted, so what this resource does not manage on it (other
/// responses, request models and validators, documentation) stays, and a
/// deployment made meanwhile never lacks it.
pub async fn update(run: Run<'_>, prior: &Value, planned: &Value) -> Result<State, Failed> {
    let old = State::from_value(prior);
    let inputs = Inputs::from_value(planned);
    let account = run.account().await.map_err(Error::from)?;
    let resource_path = old.computed.resource_path.clone();
    let invocation = inputs.invocation(account);
    // The plan keeps the wiring whole (an adopted statement too) or leaves
    // it to be worked out.
    let wiring = if planned.get(attr::FUNCTION_ARN).is_unknown() {
        inputs.wiring(account)
    } else {
        old.computed.wiring.clone()
    };
    check_dispatch_account(&inputs, account, false)?;
    if wiring.function_arn != old.computed.wiring.function_arn {
        require_function(run, &invocation.function_arn, false).await?;
    }
    // A new or repaired dispatch: the dispatcher and its alias first.
    let claim = match &invocation.alias {
        Some(alias) if planned.get(attr::FUNCTION_ARN).is_unknown() => {
            Some(dispatcher::endpoints::ensure(run, alias).await.map_err(Error::from)?)
        }
        _ => None,
    };
    let id = &old.inputs.id;
    let api = rest_api(run, &id.rest_api_id).await.during(Step::ReadMethod)?;
    let request_validator_id = match prepare_validation(run, &api, &inputs, Some(&old)).await {
        Ok(validator) => validator,
        Err(failed) => return Err(failed.leaving(Left::Repairable).into()),
    };
    let computed = Computed { resource_path, wiring, request_validator_id };
    let mut new = State { inputs, computed };

    let written = update_api_gateway_part(run, &api, &old, &new, &invocation.integration_uri);
    if let Err(failed) = written.await {
        // Part of the change may be in; record the plan so the next refresh
        // sees what is really there and plans the repair.
        return Err(Failed { error: failed.leaving(Left::Repairable), state: Some(new) });
    }
    // What the old validation needed and the new does not: the model once
    // no schema is left, the validator once none or another checks.
    let model =
        old.inputs.method.request_schema.is_some() && new.inputs.method.request_schema.is_none();
    let (old_validator, new_validator) = (
        old.computed.request_validator_id.as_deref(),
        new.computed.request_validator_id.as_deref(),
    );
    let released = old_validator.filter(|&v| new_validator != Some(v));
    if let Err(failed) =
        undo_validation(run, &api, id, model, released).await.during(Step::RemoveValidation)
    {
        return Err(Failed { error: failed.into(), state: Some(new) });
    }

    let (before, after) = (&old.computed.wiring, &new.computed.wiring);
    if (before.invoked_arn(), &before.permission)
        != (Some(&*invocation.invoked_arn), &after.permission)
    {
        let moved = move_permission(run, &api, id, before, &invocation.invoked_arn, after);
        match moved.await {
            Ok(granted) => new.computed.wiring.permission = granted,
            Err(failed) => return Err(Failed { error: failed.into(), state: Some(new) }),
        }
    }
    let released =
        old.computed.wiring.dispatcher_alias().filter(|a| invocation.alias.as_ref() != Some(a));
    if let Err(error) = settle_dispatch(run, &api, id, released.as_deref(), claim).await {
        return Err(Failed { error, state: Some(new) });
    }
    Ok(new)
}

/// The method, then the integration (to invoke by `new_uri`), then the
/// responses, each written only where `new` differs from `old`. `old` is the
/// refreshed state: an integration that is not this endpoint's has no URI,
/// a missing default response no status code.
async fn update_api_gateway_part(
    run: Run<'_>,
    api: &Guarded<RestApi>,
    old: &State,
    new: &State,
    new_uri: &str,
) -> Result<(), StepError> {
    let (id, before, after) = (&new.inputs.id, &old.inputs, &new.inputs);
    let old_uri = old.computed.wiring.integration_uri.as_deref();
    let mut method = patch::method(&before.method, &after.method);
    let validator = new.computed.request_validator_id.as_deref();
    method.extend(patch::validation(
        (before.method.request_schema.is_some(), old.computed.request_validator_id.as_deref()),
        (after.method.request_schema.is_some(), validator),
        &id.model_name(),
    ));
    if !method.is_empty() {
        remote::update_method(run, id, method).await.during(Step::UpdateMethod)?;
        let mut api = api.lock();
        api.wrote(id, old_uri, before.target.credentials.is_none());
        api.validated_by(id, validator);
    }

    let credentials = after.target.credentials.as_deref();
    // Whether the integration responses went with the integration.
    let mut dropped = false;
    match integration_write(old, new, new_uri) {
        IntegrationWrite::Unchanged => {}
        IntegrationWrite::Patch(operations) => {
            remote::update_integration(run, id, operations)
                .await
                .during(Step::UpdateIntegration)?;
            api.lock().wrote(id, Some(new_uri), credentials.is_none());
        }
        IntegrationWrite::Put => {
            let delivery = after.target.delivery;
            remote::put_integration(run, id, delivery, &after.integration, new_uri, credentials)
                .await
                .during(Step::UpdateIntegration)?;
            api.lock().wrote(id, Some(new_uri), credentials.is_none());
            dropped = true;
        }
    }
    if after.target.delivery == Delivery::Dispatcher {
        // A proxy integration answers with what the dispatcher returns: only
        // the declared status follows.
        return update_declared_status(run, id, &before.response, &after.response).await;
    }
    update_responses(run, id, &before.response, &after.response, dropped).await
}

/// The method response's status, for a Lambda proxy integration: declared
/// anew, the old one retracted.
async fn update_declared_status(
    run: Run<'_>,
    id: &EndpointId,
    before: &Response,
    after: &Response,
) -> Result<(), StepError> {
    if before.status_code == after.status_code {
        return Ok(());
    }
    put_method_response(run, id, after).await.during(Step::CreateMethodResponse)?;
    if let Some(old_code) = before.status_code {
        remote::delete_method_response(run, id, old_code).await.during(Step::RemoveOldResponse)?;
    }
    Ok(())
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
/// the type, which UpdateIntegration cannot change (a change of delivery, or
/// an integration that is not ours, e.g. AWS_PROXY put out of band); credentials, which it can
/// replace but not add or remove (hashicorp/terraform#13249; hashicorp/aws
/// re-creates the integration for them); and the passthrough behaviour,
/// whose patch LocalStack 4.13.1 ignores (its model spells the field
/// `passthrough_behaviour`).
fn integration_write(old: &State, new: &State, new_uri: &str) -> IntegrationWrite {
    let (before, after) = (&old.inputs, &new.inputs);
    let Some(old_uri) = old.computed.wiring.integration_uri.as_deref() else {
        return IntegrationWrite::Put;
    };
    if before.target.credentials != after.target.credentials
        || before.target.delivery != after.target.delivery
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
    run: Run<'_>,
    id: &EndpointId,
    before: &Response,
    after: &Response,
    dropped: bool,
) -> Result<(), StepError> {
    let (old, new) = (before.normalised(), after.normalised());
    if let Some(code) = new.status_code.filter(|code| old.status_code == Some(*code)) {
        // Headers are declared before the integration response fills them,
        // and retracted once it no longer does.
        let (declare, retract) = patch::declared_headers(&old, &new);
        if !declare.is_empty() {
            remote::update_method_response(run, id, code, declare)
                .await
                .during(Step::UpdateMethodResponse)?;
        }
        if dropped || old != new {
            remote::put_integration_response(run, id, after)
                .await
                .during(Step::UpdateIntegrationResponse)?;
        }
        if !retract.is_empty() {
            remote::update_method_response(run, id, code, retract)
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
    put_method_response(run, id, after).await.during(Step::CreateMethodResponse)?;
    if let Some(old_code) = old.status_code
        && !dropped
    {
        remote::delete_integration_response(run, id, old_code)
            .await
            .during(Step::RemoveOldResponse)?;
    }
    remote::put_integration_response(run, id, after)
        .await
        .during(Step::CreateIntegrationResponse)?;
    if let Some(old_code) = old.status_code {
        remote::delete_method_response(run, id, old_code).await.during(Step::RemoveOldResponse)?;
    }
    Ok(())
}

/// Declares a status code the prior state did not have. Drift can leave it
/// declared (an integration put over ours keeps the method responses), and
/// AWS refuses to declare it again, so then it is deleted and put afresh.
async fn put_method_response(
    run: Run<'_>,
    id: &EndpointId,
    response: &Response,
) -> Result<(), AwsError> {
    match (remote::put_method_response(run, id, response).await, response.status_code) {
        (Err(e), Some(code)) if e.is_already_exists() => {
            remote::delete_method_response(run, id, code).await?;
            remote::put_method_response(run, id, response).await
        }
        (done, _) => done,
    }
}

/// Grants the statement `after` needs on `invoked_arn` (the function, or
/// the dispatcher's alias for it), then releases the one `before` had unless
/// it is the same: API Gateway is never refused in between. Returns the
/// statement granted (see [`lambda::grant`]).
async fn move_permission(
    run: Run<'_>,
    api: &Guarded<RestApi>,
    id: &EndpointId,
    before: &Wiring,
    invoked_arn: &str,
    after: &Wiring,
) -> Result<Option<Permission>, StepError> {
    let mut granted = None;
    if let Some(permission) = &after.permission {
        let statement =
            lambda::grant(run, invoked_arn, &id.rest_api_id, permission, Sharers::Configurations)
                .await
                .during(Step::AddPermission)?;
        granted = Some(statement);
    }
    let kept = |old: &Permission| {
        before.invoked_arn() == Some(invoked_arn)
            && granted.as_ref().is_some_and(|p| p.statement_id == old.statement_id)
    };
    if let (Some(old), Some(old_invoked_arn)) = (&before.permission, before.invoked_arn())
        && !kept(old)
    {
        release(run, api, id, old_invoked_arn, old).await.during(Step::RemoveOldPermission)?;
    }
    Ok(granted)
}
