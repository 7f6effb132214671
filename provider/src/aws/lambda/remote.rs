//! The Lambda calls, one AWS call each, through the run's retry policy.

use aws_sdk_lambda::operation::get_function::GetFunctionOutput;

use super::failure_handling::FailureHandling;
use super::function_ref::split_qualifier;
use super::policy::{self, Permission, PolicyStatement};
use crate::aws::error::{AwsError, found};
use crate::aws::run::Run;

const LAMBDA: &str = "Lambda";

/// Whether the function exists (at its qualifier, if the ARN has one).
pub async fn function_exists(run: Run<'_>, function_arn: &str) -> Result<bool, AwsError> {
    let (function, qualifier) = split_qualifier(function_arn);
    Ok(get_function(run, function, qualifier, Attempts::Retried).await?.is_some())
}

/// How a read is sent: with the run's retries, or once, for a read whose
/// failure costs only a warning (see [`Run::call_once`]).
#[derive(Clone, Copy)]
enum Attempts {
    Retried,
    Once,
}

/// GetFunction rather than GetFunctionConfiguration: it has a quota of its
/// own (100 a second), outside the control plane's 15. `None`: no function.
async fn get_function(
    run: Run<'_>,
    function: &str,
    qualifier: Option<&str>,
    attempts: Attempts,
) -> Result<Option<GetFunctionOutput>, AwsError> {
    let call = || {
        run.aws
            .lambda
            .get_function()
            .function_name(function)
            .set_qualifier(qualifier.map(str::to_owned))
            .send()
    };
    found(match attempts {
        Attempts::Retried => run.call(LAMBDA, "GetFunction", call).await,
        Attempts::Once => run.call_once(LAMBDA, "GetFunction", call).await,
    })
}

/// The statements of the function's policy that let API Gateway invoke it;
/// none when the function has no policy. A policy that cannot be read is an
/// error: taken as empty, a create would add a statement the policy may hold.
pub async fn policy_statements(
    run: Run<'_>,
    function_arn: &str,
) -> Result<Vec<PolicyStatement>, AwsError> {
    let (function, qualifier) = split_qualifier(function_arn);
    let call = || {
        run.aws
            .lambda
            .get_policy()
            .function_name(function)
            .set_qualifier(qualifier.map(str::to_owned))
            .send()
    };
    let Some(output) = found(run.call(LAMBDA, "GetPolicy", call).await)? else {
        return Ok(Vec::new());
    };
    policy::api_gateway_statements(output.policy().unwrap_or("{}")).map_err(|why| {
        AwsError::Unreadable {
            service: LAMBDA,
            operation: "GetPolicy",
            detail: format!(
                "the resource-based policy of {function_arn}: {why}. Check it with `aws lambda \
                 get-policy --function-name {function_arn}` and remove the statements that make \
                 it unreadable (`aws lambda remove-permission`), then apply again."
            ),
        }
    })
}

/// Lets API Gateway invoke the function from `permission.source_arn`.
pub async fn add_permission(
    run: Run<'_>,
    function_arn: &str,
    permission: &Permission,
) -> Result<(), AwsError> {
    let Permission { statement_id, source_arn } = permission;
    let (function, qualifier) = split_qualifier(function_arn);
    let call = || {
        run.aws
            .lambda
            .add_permission()
            .function_name(function)
            .set_qualifier(qualifier.map(str::to_owned))
            .statement_id(statement_id)
            .action("lambda:InvokeFunction")
            .principal("apigateway.amazonaws.com")
            .source_arn(source_arn)
            .send()
    };
    run.call(LAMBDA, "AddPermission", call).await.map(drop)
}

/// Removes the statement `statement_id` from the function's policy; gone already is fine.
pub async fn remove_permission(
    run: Run<'_>,
    function_arn: &str,
    statement_id: &str,
) -> Result<(), AwsError> {
    let (function, qualifier) = split_qualifier(function_arn);
    let call = || {
        run.aws
            .lambda
            .remove_permission()
            .function_name(function)
            .set_qualifier(qualifier.map(str::to_owned))
            .statement_id(statement_id)
            .send()
    };
    found(run.call(LAMBDA, "RemovePermission", call).await).map(drop)
}

/// The on-failure destination of the function's asynchronous invocations
/// at `qualifier`; `None` when it has none (no event invoke configuration,
/// or one without it), or when the function does not exist. Asked at plan
/// for a warning, so not retried (see [`Run::call_once`]).
pub async fn on_failure_destination(
    run: Run<'_>,
    function: &str,
    qualifier: Option<&str>,
) -> Result<Option<String>, AwsError> {
    let call = || {
        run.aws
            .lambda
            .get_function_event_invoke_config()
            .function_name(function)
            .set_qualifier(qualifier.map(str::to_owned))
            .send()
    };
    let output = found(run.call_once(LAMBDA, "GetFunctionEventInvokeConfig", call).await)?;
    let destination =
        output.as_ref().and_then(|o| o.destination_config()?.on_failure()?.destination());
    Ok(destination.map(str::to_owned))
}

/// The function's dead-letter queue or topic at `qualifier`, as
/// [`FailureHandling`]; `None` when the function does not exist. Not
/// retried, as [`on_failure_destination`].
pub async fn dead_letter_queue(
    run: Run<'_>,
    function: &str,
    qualifier: Option<&str>,
) -> Result<Option<FailureHandling>, AwsError> {
    let Some(output) = get_function(run, function, qualifier, Attempts::Once).await? else {
        return Ok(None);
    };
    let queue = output.configuration().and_then(|c| c.dead_letter_config()?.target_arn());
    Ok(Some(queue.map_or(FailureHandling::Dropped, |q| FailureHandling::DeadLetterQueue(q.into()))))
}
