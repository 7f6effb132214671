//! The permission statements an API's objects share: granted with the API's
//! first object that invokes the function and released with its last,
//! ordered by the run's [`StatementTurns`](super::cache::StatementTurns).

use super::policy::{Permission, PolicyStatement};
use super::{reads, remote};
use crate::aws::error::AwsError;
use crate::aws::run::Run;
use crate::plugin::Guarded;

/// Makes sure `permission` is in `function_arn`'s policy, as it is, and
/// returns the statement API `api_id` invokes through: `permission`, or one
/// of another id with the very same source ARN, adopted rather than doubled.
pub async fn grant(
    run: Run<'_>,
    function_arn: &str,
    api_id: &str,
    permission: &Permission,
) -> Result<Permission, AwsError> {
    let _turn = run.cache.statement_turns.take(function_arn, api_id).await;
    let policy = reads::policy(run, function_arn).await?;
    let wanted = PolicyStatement::of(permission);
    let (recorded, same_source) = {
        let statements = policy.lock();
        let named = statements.iter().find(|s| s.statement_id == permission.statement_id);
        let same_source = statements.iter().find(|s| s.source_arn == wanted.source_arn);
        (named.cloned(), same_source.and_then(PolicyStatement::permission))
    };
    match recorded {
        Some(statement) if statement == wanted => return Ok(permission.clone()),
        None if let Some(statement) = same_source => return Ok(statement),
        // Ours by its id, but conditioned otherwise: rewritten.
        Some(_) => remote::remove_permission(run, function_arn, &permission.statement_id).await?,
        None => {}
    }
    if let Err(e) = remote::add_permission(run, function_arn, permission).await {
        // Added since this run read the policy (another apply on the same
        // function): fine as it is, else rewritten.
        if !e.is_already_exists() {
            return Err(e);
        }
        let now = remote::policy_statements(run, function_arn).await?;
        if !now.contains(&wanted) {
            remote::remove_permission(run, function_arn, &permission.statement_id).await?;
            remote::add_permission(run, function_arn, permission).await?;
        }
    }
    record(&policy, Some(wanted), &permission.statement_id);
    Ok(permission.clone())
}

/// Removes `permission` from `function_arn`'s policy unless `still_used`
/// says another object of API `api_id` invokes through it; asked during the
/// turn, so no grant of the same statement runs meanwhile.
pub async fn release(
    run: Run<'_>,
    function_arn: &str,
    api_id: &str,
    permission: &Permission,
    still_used: impl FnOnce() -> bool,
) -> Result<(), AwsError> {
    let _turn = run.cache.statement_turns.take(function_arn, api_id).await;
    if still_used() {
        return Ok(());
    }
    remote::remove_permission(run, function_arn, &permission.statement_id).await?;
    if let Some(policy) = run.cache.policies.get(function_arn) {
        record(&policy, None, &permission.statement_id);
    }
    Ok(())
}

/// Puts `statement` in place of `statement_id` in the run's copy of a policy.
fn record(
    policy: &Guarded<Vec<PolicyStatement>>,
    statement: Option<PolicyStatement>,
    statement_id: &str,
) {
    let mut statements = policy.lock();
    statements.retain(|s| s.statement_id != statement_id);
    statements.extend(statement);
}
