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
//! so. Whichever side reads last sees the other's write. A grant or release
//! with another of its kind waiting for the turn leaves that read to it:
//! the statement is one for all of them, so the last one's read, after
//! every object's write, decides for all.

use super::cache::Change;
use super::policy::{Permission, PolicyStatement};
use super::{reads, remote};
use crate::aws::error::AwsError;
use crate::aws::run::Run;
use crate::plugin::Guarded;

/// The objects of an API other than the one releasing the statement, that
/// may invoke through it: this run's and other configurations'.
pub trait StatementUsers {
    /// Whether one of them invokes through the statement: by what AWS
    /// answers after this call began when `confirmed`, else as the run knows.
    async fn still_use(&self, confirmed: bool) -> Result<bool, AwsError>;
    /// Whether one of them invokes through it by a read of the whole API
    /// begun after this call: another configuration may have wired one
    /// since the statement was removed, relying on the statement it saw.
    async fn wired_since(&self) -> Result<bool, AwsError>;
}

/// Who may change a statement besides this run's objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sharers {
    /// No one: the run's turns order every change (the dispatcher's
    /// statement for an HTTP API, settled from the run's routes).
    ThisRun,
    /// Other configurations' objects too (see the module's doc).
    Configurations,
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
    sharers: Sharers,
) -> Result<Permission, AwsError> {
    let wired = run.cache.clock.now();
    let turn = run.cache.statement_turns.take(function_arn, api_id, Change::Grant).await;
    let policy = if sharers == Sharers::ThisRun || turn.another_waits() {
        reads::policy(run, function_arn).await?
    } else {
        reads::policy_since(run, function_arn, wired).await?
    };
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
    add(run, function_arn, permission).await?;
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
    let turn = run.cache.statement_turns.take(function_arn, api_id, Change::Release).await;
    if users.still_use(!turn.another_waits()).await? {
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
        add(run, function_arn, permission).await?;
        kept = Some(PolicyStatement::of(permission));
    }
    if let Some(policy) = run.cache.policies.get(function_arn) {
        record(&policy.statements, kept, &permission.statement_id);
    }
    Ok(())
}

/// How many times [`add`] tries while other runs change the same statement.
const ADD_ATTEMPTS: u32 = 3;

/// Adds `permission`. Another run may add or remove the same statement
/// meanwhile (another apply on the function, another configuration's grant
/// or release): one added as it is is fine, one conditioned otherwise is
/// rewritten, one removed again is added again.
async fn add(run: Run<'_>, function_arn: &str, permission: &Permission) -> Result<(), AwsError> {
    let wanted = PolicyStatement::of(permission);
    let mut attempt = 1;
    loop {
        match remote::add_permission(run, function_arn, permission).await {
            Err(e) if e.is_already_exists() && attempt < ADD_ATTEMPTS => {}
            done => return done,
        }
        let now = remote::policy_statements(run, function_arn).await?;
        if now.contains(&wanted) {
            return Ok(());
        }
        if now.iter().any(|s| s.statement_id == permission.statement_id) {
            remote::remove_permission(run, function_arn, &permission.statement_id).await?;
        }
        attempt += 1;
    }
}

/// Nothing else invokes through the statement: its caller knows it alone
/// uses it.
pub struct NoOtherUsers;

impl StatementUsers for NoOtherUsers {
    async fn still_use(&self, _confirmed: bool) -> Result<bool, AwsError> {
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
