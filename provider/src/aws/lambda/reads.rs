//! What a request reads of Lambda, through the run's cache.

use std::sync::Arc;

use super::policy::PolicyStatement;
use super::remote;
use crate::aws::error::AwsError;
use crate::aws::run::Run;
use crate::plugin::Guarded;

/// Whether `function_arn` (at its qualifier, if it has one) exists, asked
/// of Lambda until it does.
pub async fn function_exists(run: Run<'_>, function_arn: &str) -> Result<bool, AwsError> {
    let ask = || remote::function_exists(run, function_arn);
    run.cache.functions.exists(function_arn, ask).await
}

/// The run's copy of `function_arn`'s policy statements.
pub async fn policy(
    run: Run<'_>,
    function_arn: &str,
) -> Result<Arc<Guarded<Vec<PolicyStatement>>>, AwsError> {
    let read = || remote::policy_statements(run, function_arn);
    run.cache.policies.get_or_read(function_arn, read).await
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
    Ok(policy(run, function_arn).await?.lock().clone())
}
