//! What both resources' failures share: the missing target function and the
//! dispatcher's failures, said the same way, and the one shape of a
//! diagnostic at an attribute.

use crate::aws::dispatcher::DispatcherError;
use crate::plugin::{AttributePath, Diagnostic};

/// The function to invoke does not exist: checked before anything is
/// written, so the apply names it rather than a later step's refusal.
#[derive(Debug, thiserror::Error)]
#[error(
    "Lambda has no function {function_arn} in {region}. Check function_name and qualifier. A \
     function made in the same configuration must be referenced \
     (aws_lambda_function.NAME.function_name) rather than named, so that Terraform makes it \
     first.{}",
    if *creating { " Nothing was created." } else { " Nothing was changed." }
)]
pub struct MissingFunction {
    pub function_arn: String,
    pub region: String,
    pub creating: bool,
}

/// AWS holds a value of a closed set that this provider does not know.
#[derive(Debug, thiserror::Error)]
#[error(
    "API Gateway holds {attribute} = {value:?}, which this provider does not know. Upgrade the \
     provider, or set {attribute} to one it knows outside Terraform."
)]
pub struct UnrecognisedValue {
    pub attribute: &'static str,
    pub value: String,
}

/// The summary of a failure to set up the dispatcher.
pub fn dispatcher_summary(error: &DispatcherError) -> &'static str {
    match error {
        DispatcherError::Stopped => "Stopped by Terraform",
        _ => "Setting up the dispatcher failed",
    }
}

/// An error diagnostic whose detail is `detail`, at `attribute` if any.
pub fn diagnostic(summary: &str, detail: String, attribute: Option<&str>) -> Diagnostic {
    let diagnostic = Diagnostic::error(summary, detail);
    match attribute {
        Some(name) => diagnostic.at(AttributePath::root(name)),
        None => diagnostic,
    }
}
