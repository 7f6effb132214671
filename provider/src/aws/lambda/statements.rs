//! The permission statements an API's objects share: granted with the API's
//! first object that invokes the function and released with its last,
//! ordered by the run's [`StatementTurns`](super::cache::StatementTurns).
//!
//! Objects of other configurations (other state files) may share the
//! statement too, and their runs do not take this run's turns. So each side
//! decides from a read of AWS begun after its own write: a grant, called
//! once its object invokes through the statement, reads the policy again
//! unless the run's copy was read since; a release asks the API again
//! before keeping the statement for someone else, and after removing it
//! asks whether an object was wired to it meanwhile, and puts it back if
//! so. Whichever side reads last sees the other's write.

use super::policy::{Permission, PolicyStatement};
use super::{reads, remote};
use crate::aws::error::AwsError;
use crate::aws::run::Run;
use crate::plugin::Guarded;

/// The objects of an API other than the one releasing the statement, that
/// may invoke through it: this run's and other configurations'.
pub trait StatementUsers {
    /// Whether one of them invokes through the statement, by what AWS
    /// answers after this call began.
    async fn still_use(&self) -> Result<bool, AwsError>;
    /// Whether one of them invokes through it by a read of the whole API
    /// begun after this call: another configuration may have wired one
    /// since the statement was removed, relying on the statement it saw.
    async fn wired_since(&self) -> Result<bool, AwsError>;
}

/// Makes sure `permission` is in `function_arn`'s policy, as it is, and
/// returns the statement API `api_id` invokes through: `permission`, or one
/// of another id with the very same source ARN, adopted rather than doubled.
/// Called once the caller's object invokes through it.
pub async fn grant(
    run: Run<'_>,
    function_arn: &str,
    api_id: &str,
    permission: &Permission,
) -> Result<Permission, AwsError> {
    let wired = run.cache.clock.now();
    let _turn = run.cache.statement_turns.take(function_arn, api_id).await;
    let policy = reads::policy_since(run, function_arn, wired).await?;
    let policy = &policy.statements;
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
    record(policy, Some(wanted), &permission.statement_id);
    Ok(permission.clone())
}

/// Removes `permission` from `function_arn`'s policy unless another object
/// of API `api_id` invokes through it (`users`, asked during the turn, so no
/// grant of this run runs meanwhile), and puts it back if one was wired to
/// it while it was being removed. Called once the caller's object no
/// longer invokes through it.
pub async fn release(
    run: Run<'_>,
    function_arn: &str,
    api_id: &str,
    permission: &Permission,
    users: &impl StatementUsers,
) -> Result<(), AwsError> {
    let _turn = run.cache.statement_turns.take(function_arn, api_id).await;
    if users.still_use().await? {
        return Ok(());
    }
    remote::remove_permission(run, function_arn, &permission.statement_id).await?;
    let mut kept = None;
    if users.wired_since().await? {
        tracing::info!(
            function = function_arn,
            statement = %permission.statement_id,
            "putting the statement back: another configuration's object now invokes through it"
        );
        add_again(run, function_arn, permission).await?;
        kept = Some(PolicyStatement::of(permission));
    }
    if let Some(policy) = run.cache.policies.get(function_arn) {
        record(&policy.statements, kept, &permission.statement_id);
    }
    Ok(())
}

/// Adds `permission` back; the other configuration's own grant may have
/// added it first.
async fn add_again(
    run: Run<'_>,
    function_arn: &str,
    permission: &Permission,
) -> Result<(), AwsError> {
    match remote::add_permission(run, function_arn, permission).await {
        Err(e) if e.is_already_exists() => Ok(()),
        done => done,
    }
}

/// Nothing else invokes through the statement: its caller knows it alone
/// uses it.
pub struct NoOtherUsers;

impl StatementUsers for NoOtherUsers {
    async fn still_use(&self) -> Result<bool, AwsError> {
        Ok(false)
    }

    async fn wired_since(&self) -> Result<bool, AwsError> {
        Ok(false)
    }
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
