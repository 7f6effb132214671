//! What a request reads of Lambda, through the run's cache.

use std::sync::Arc;

use super::cache::PolicyCopy;
use super::failure_handling::{Checked, FailureHandling};
use super::policy::PolicyStatement;
use super::remote;
use crate::aws::clock::Moment;
use crate::aws::error::AwsError;
use crate::aws::run::Run;

/// Whether `function_arn` (at its qualifier, if it has one) exists, asked
/// of Lambda until it does.
pub async fn function_exists(run: Run<'_>, function_arn: &str) -> Result<bool, AwsError> {
    let ask = || remote::function_exists(run, function_arn);
    run.cache.functions.exists(function_arn, ask).await
}

/// The run's copy of `function_arn`'s policy statements.
pub async fn policy(run: Run<'_>, function_arn: &str) -> Result<Arc<PolicyCopy>, AwsError> {
    let read = || remote::policy_statements(run, function_arn);
    run.cache.policies.get_or_read(function_arn, &run.cache.clock, read).await
}

/// The run's copy of `function_arn`'s policy, read again unless its read
/// began after `since`: what another configuration changed before then is
/// in it.
pub async fn policy_since(
    run: Run<'_>,
    function_arn: &str,
    since: Moment,
) -> Result<Arc<PolicyCopy>, AwsError> {
    let copy = policy(run, function_arn).await?;
    if copy.read_at > since {
        return Ok(copy);
    }
    forget_policy(run, function_arn);
    policy(run, function_arn).await
}

/// Forgets the run's copy of `function_arn`'s policy, so the next reader
/// reads what is there now (another run's writes, or a deleted function).
pub fn forget_policy(run: Run<'_>, function_arn: &str) {
    run.cache.policies.forget(function_arn);
}

/// The statements of `function_arn`'s policy that let API Gateway invoke
/// it, as the run sees them.
pub async fn statements(
    run: Run<'_>,
    function_arn: &str,
) -> Result<Vec<PolicyStatement>, AwsError> {
    Ok(policy(run, function_arn).await?.statements.lock().clone())
}

/// What keeps `function`'s failed asynchronous events at `qualifier` (both
/// as configured: a name or ARN, which may carry the qualifier), asked once
/// a run; `first` says whether this caller asked. At most two Lambda reads.
pub async fn failure_handling(
    run: Run<'_>,
    function: &str,
    qualifier: Option<&str>,
) -> (Checked, bool) {
    let mut first = false;
    let ask = || {
        first = true;
        async move {
            let checked = match remote::on_failure_destination(run, function, qualifier).await {
                Ok(Some(destination)) => Ok(Some(FailureHandling::Destination(destination))),
                Ok(None) => remote::dead_letter_queue(run, function, qualifier).await,
                Err(e) => Err(e),
            };
            Ok::<_, std::convert::Infallible>(match checked {
                Ok(Some(handling)) => Checked::Found(handling),
                Ok(None) => Checked::NoFunction,
                Err(e) => Checked::Unknown(e.to_string()),
            })
        }
    };
    let key = (function.to_owned(), qualifier.map(str::to_owned));
    let checked = match run.cache.failure_handling.get_or_try_init(&key, ask).await {
        Ok(checked) => checked,
        Err(never) => match never {},
    };
    ((*checked).clone(), first)
}
