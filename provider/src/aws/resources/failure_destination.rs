//! The plan-time warning both resources give when the function they queue
//! events for would drop the ones that fail: their client was answered
//! "accepted" long before, so an operator learns of it from nothing else.

use crate::aws::config::SKIP_FAILURE_DESTINATION_CHECK as SKIP_SETTING;
use crate::aws::lambda::{self, Checked, FailureHandling};
use crate::aws::run::Run;
use crate::aws::validate::{FUNCTION_NAME, QUALIFIER};
use crate::plugin::{AttributePath, Diagnostic, Plan, Severity, Value};

/// Adds [`check`]'s warning to `plan`, unless the plan is refused: a
/// configuration in error costs no AWS call.
pub async fn add_warning(run: Run<'_>, config: &Value, plan: &mut Plan) {
    if plan.diagnostics.iter().all(|d| d.severity != Severity::Error) {
        plan.diagnostics.extend(check(run, config).await);
    }
}

/// A warning at `function_name` when the configured target (with its
/// qualifier) has neither an on-failure destination nor a dead-letter
/// queue, or when Lambda would not say; given once per function and run,
/// to the first object that asks. None while the target is unknown.
async fn check(run: Run<'_>, config: &Value) -> Option<Diagnostic> {
    if run.aws.skip_failure_destination_check {
        return None;
    }
    let function = config.get(FUNCTION_NAME).as_str()?;
    let qualifier = match config.get(QUALIFIER) {
        Value::Null => None,
        known => Some(known.as_str()?),
    };
    let (checked, first) = lambda::failure_handling(run, function, qualifier).await;
    if !first {
        return None;
    }
    let target = match qualifier {
        Some(qualifier) => format!("{function} (qualifier {qualifier})"),
        None => function.to_owned(),
    };
    let warning = match checked {
        Checked::Found(FailureHandling::Dropped) => Diagnostic::warning(
            format!("Failed events for {target} will be lost"),
            format!(
                "The client is answered as soon as Lambda queues the event. If {target} fails \
                 on it, Lambda retries twice and keeps the event at most 6 hours, then drops it: \
                 the function has neither an on-failure destination nor a dead-letter queue. Add \
                 an aws_lambda_function_event_invoke_config for it{} with \
                 destination_config {{ on_failure {{ destination = ARN of an SQS queue, SNS \
                 topic, S3 bucket, EventBridge bus or function }} }}, or dead_letter_config \
                 {{ target_arn = ... }} on the aws_lambda_function. One made in this same apply \
                 is seen from the next plan on. To silence this warning, set {SKIP_SETTING} = \
                 true in the provider block.",
                qualifier.map(|q| format!(" (qualifier = \"{q}\")")).unwrap_or_default()
            ),
        ),
        Checked::Unknown(why) => Diagnostic::warning(
            format!("Could not check where failed events for {target} go"),
            format!(
                "Lambda did not say whether the function has an on-failure destination or a \
                 dead-letter queue: {why}. Without one, events that fail are dropped after two \
                 retries. Allow lambda:GetFunctionEventInvokeConfig and lambda:GetFunction to \
                 the provider's credentials, or set {SKIP_SETTING} = true in the provider block."
            ),
        ),
        Checked::Found(FailureHandling::Destination(_) | FailureHandling::DeadLetterQueue(_))
        | Checked::NoFunction => return None,
    };
    Some(warning.at(AttributePath::root(FUNCTION_NAME)))
}
