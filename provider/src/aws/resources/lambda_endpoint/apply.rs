//! Create, update and delete of one endpoint: the order of the AWS calls and
//! what to undo when one fails.

use super::failure::{Error, Left};
use super::model::{Computed, Inputs, State, Wiring};
use super::refresh;
use super::remote;
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

pub async fn create(aws: &Aws, ctx: &Context, planned: &Value) -> Result<State, Failed> {
    let inputs = Inputs::from_value(planned);
    let account = aws.account(ctx).await.map_err(Error::from)?;
    let resource_path = refresh::resource_path(aws, ctx, &inputs.id, true).await?;
    let wiring = inputs.wiring(account, &resource_path);
    claim_method(aws, ctx, &inputs, &wiring.integration_uri, &resource_path).await?;
    let mut result = put_api_gateway_part(aws, ctx, &inputs, &wiring).await;
    if result.is_ok()
        && let Some(permission) = &wiring.permission
    {
        result = remote::add_permission(aws, ctx, &wiring.function_arn, permission)
            .await
            .during(Step::AddPermission);
    }
    let state = State { inputs, computed: Computed { resource_path, wiring } };
    let Err(failed) = result else { return Ok(state) };

    // Undo what this create made, so a failed apply leaves nothing behind.
    if matches!(failed.error, AwsError::Stopped { .. }) {
        // Stopped: no time to clean up. Record what may exist; Terraform
        // marks it tainted and the next apply replaces it.
        return Err(Failed { error: failed.into(), state: Some(state) });
    }
    match remote::delete_method(aws, ctx, &state.inputs.id).await {
        Ok(()) => Err(failed.leaving(Left::RolledBack).into()),
        Err(cleanup) => Err(Failed {
            error: failed.leaving(Left::Tainted(Box::new(cleanup))),
            state: Some(state),
        }),
    }
}

/// Puts the method, after checking what is there: nothing, a leftover of this
/// very endpoint (a create interrupted before Terraform recorded it: the
/// provider was killed, or the answer to a call was lost), which is taken over
/// and rebuilt so the next apply converges, or someone else's method, which is
/// never touched. (AWS refuses to overwrite a method; LocalStack overwrites it
/// silently, so the check is ours.)
async fn claim_method(
    aws: &Aws,
    ctx: &Context,
    inputs: &Inputs,
    integration_uri: &str,
    resource_path: &str,
) -> Result<(), Error> {
    let id = &inputs.id;
    let claimed = async {
        if let Some(existing) = remote::get_method(aws, ctx, id).await? {
            let leftover = existing
                .method_integration()
                .is_none_or(|i| remote::async_invocation_uri(i) == Some(integration_uri));
            if !leftover {
                return Ok(false);
            }
            tracing::info!(endpoint = %id, "taking over a method left by an interrupted create");
            remote::delete_method(aws, ctx, id).await?;
        }
        remote::put_method(aws, ctx, id, &inputs.method).await.map(|()| true)
    };
    match claimed.await.during(Step::CreateMethod) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::MethodExists { id: id.clone(), path: resource_path.to_owned() }),
        Err(failed) => Err(failed.leaving(Left::NothingCreated)),
    }
}

/// The API Gateway part after the method, in the order that never needs
/// `depends_on`: integration, method response, integration response.
async fn put_api_gateway_part(
    aws: &Aws,
    ctx: &Context,
    inputs: &Inputs,
    wiring: &Wiring,
) -> Result<(), StepError> {
    let (id, credentials) = (&inputs.id, inputs.target.credentials.as_deref());
    remote::put_integration(
        aws,
        ctx,
        id,
        &inputs.integration,
        &wiring.integration_uri,
        credentials,
    )
    .await
    .during(Step::CreateIntegration)?;
    remote::put_method_response(aws, ctx, id, &inputs.response)
        .await
        .during(Step::CreateMethodResponse)?;
    remote::put_integration_response(aws, ctx, id, &inputs.response)
        .await
        .during(Step::CreateIntegrationResponse)
}

/// Applies a change in place. The API Gateway part is rebuilt as one unit
/// whenever any of it changes: a stage serves its last deployment until it is
/// redeployed, so clients see nothing of the rebuild, and the integration
/// response can never be left behind (API Gateway drops it whenever an
/// integration is replaced).
pub async fn update(
    aws: &Aws,
    ctx: &Context,
    prior: &Value,
    planned: &Value,
) -> Result<State, Failed> {
    let old = State::from_value(prior);
    let inputs = Inputs::from_value(planned);
    let account = aws.account(ctx).await.map_err(Error::from)?;
    let resource_path = old.computed.resource_path.clone();
    let wiring = inputs.wiring(account, &resource_path);
    let new = State { inputs, computed: Computed { resource_path, wiring } };

    if api_gateway_part_differs(&old, &new) {
        let id = &old.inputs.id;
        remote::delete_method(aws, ctx, id).await.during(Step::ReplaceMethod)?;
        let rebuilt = async {
            remote::put_method(aws, ctx, id, &new.inputs.method)
                .await
                .during(Step::CreateMethod)?;
            put_api_gateway_part(aws, ctx, &new.inputs, &new.computed.wiring).await
        };
        if let Err(failed) = rebuilt.await {
            // The method is incomplete now; record the plan so the next
            // refresh sees what is really there and plans the repair.
            return Err(Failed { error: failed.leaving(Left::Repairable), state: Some(new) });
        }
    }

    let (before, after) = (&old.computed.wiring, &new.computed.wiring);
    if (&before.function_arn, &before.permission) != (&after.function_arn, &after.permission) {
        remove_permission(aws, ctx, before).await.during(Step::RemoveOldPermission)?;
        if let Some(permission) = &after.permission {
            let added = remote::add_permission(aws, ctx, &after.function_arn, permission).await;
            if let Err(failed) = added.during(Step::AddPermission) {
                return Err(Failed { error: failed.into(), state: Some(new) });
            }
        }
    }
    Ok(new)
}

/// Whether anything on the method, its integration or its responses would
/// be written differently (the permission is handled on its own).
fn api_gateway_part_differs(old: &State, new: &State) -> bool {
    let (before, after) = (&old.inputs, &new.inputs);
    before.method.normalised() != after.method.normalised()
        || before.integration.normalised() != after.integration.normalised()
        || before.response.normalised() != after.response.normalised()
        || before.target.credentials != after.target.credentials
        || old.computed.wiring.integration_uri != new.computed.wiring.integration_uri
}

pub async fn delete(aws: &Aws, ctx: &Context, prior: &Value) -> Result<(), Error> {
    let prior = State::from_value(prior);
    remote::delete_method(aws, ctx, &prior.inputs.id).await.during(Step::DeleteMethod)?;
    remove_permission(aws, ctx, &prior.computed.wiring).await.during(Step::RemovePermission)?;
    Ok(())
}

/// Removes the permission `wiring` records, if it records one.
async fn remove_permission(aws: &Aws, ctx: &Context, wiring: &Wiring) -> Result<(), AwsError> {
    match &wiring.permission {
        Some(permission) if !wiring.function_arn.is_empty() => {
            remote::remove_permission(aws, ctx, &wiring.function_arn, &permission.statement_id)
                .await
        }
        _ => Ok(()),
    }
}
