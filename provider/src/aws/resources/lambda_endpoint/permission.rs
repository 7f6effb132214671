//! The Lambda permission an endpoint invokes its function through: the
//! statement its REST API shares for that function (see
//! `EndpointId::statement_id`), granted with the API's first endpoint that
//! invokes the function and released with its last. A lock per function and
//! REST API orders this process's grants and releases, so concurrent creates
//! and deletes leave neither a duplicate nor an orphan statement.

use super::model::{EndpointId, Permission};
use super::remote;
use super::shared::{Guarded, RestApi, Shared};
use crate::aws::clients::Aws;
use crate::aws::error::AwsError;
use crate::plugin::Context;

/// Makes sure `permission` is in `function_arn`'s policy, as it is, and
/// returns the statement the endpoint invokes through: `permission`, or
/// one of another id with the very same source ARN, adopted rather than
/// doubled.
pub async fn grant(
    shared: &Shared,
    aws: &Aws,
    ctx: &Context,
    id: &EndpointId,
    function_arn: &str,
    permission: &Permission,
) -> Result<Permission, AwsError> {
    let _turn = shared.grant_turn(function_arn, &id.rest_api_id).await;
    let policy = shared.policy(aws, ctx, function_arn).await?;
    let (recorded, same_source) = {
        let statements = policy.lock();
        let named = statements.iter().find(|s| s.statement_id == permission.statement_id);
        let same_source = statements.iter().find(|s| s.source_arn == permission.source_arn);
        (named.cloned(), same_source.cloned())
    };
    match recorded {
        Some(statement) if statement == *permission => return Ok(statement),
        None if let Some(statement) = same_source => return Ok(statement),
        // Ours by its id, but conditioned otherwise: rewritten.
        Some(_) => {
            remote::remove_permission(aws, ctx, function_arn, &permission.statement_id).await?;
        }
        None => {}
    }
    if let Err(e) = remote::add_permission(aws, ctx, function_arn, permission).await {
        // Added since this run read the policy (another apply on the same
        // function): fine as it is, else rewritten.
        if !e.is_already_exists() {
            return Err(e);
        }
        let now = remote::policy_statements(aws, ctx, function_arn).await?;
        if !now.contains(permission) {
            remote::remove_permission(aws, ctx, function_arn, &permission.statement_id).await?;
            remote::add_permission(aws, ctx, function_arn, permission).await?;
        }
    }
    record(&policy, Some(permission), &permission.statement_id);
    Ok(permission.clone())
}

/// Removes `permission` from `function_arn`'s policy unless another method
/// of `rest_api` still invokes the function through it: the REST API's
/// shared statement, or an adopted one that grants more than this method.
pub async fn release(
    shared: &Shared,
    aws: &Aws,
    ctx: &Context,
    rest_api: &Guarded<RestApi>,
    id: &EndpointId,
    function_arn: &str,
    permission: &Permission,
) -> Result<(), AwsError> {
    let _turn = shared.grant_turn(function_arn, &id.rest_api_id).await;
    if rest_api.lock().invokes_through(function_arn, permission, id) {
        return Ok(());
    }
    remote::remove_permission(aws, ctx, function_arn, &permission.statement_id).await?;
    if let Some(policy) = shared.policy_read(function_arn) {
        record(&policy, None, &permission.statement_id);
    }
    Ok(())
}

/// Puts `statement` in place of `statement_id` in the run's copy of a policy.
fn record(policy: &Guarded<Vec<Permission>>, statement: Option<&Permission>, statement_id: &str) {
    let mut statements = policy.lock();
    statements.retain(|s| s.statement_id != statement_id);
    statements.extend(statement.cloned());
}
