//! What can go wrong with a route, and the one place it becomes a
//! diagnostic: a summary, a detail that says what to do, the attribute.

use super::attr;
use crate::aws::clients::ConfigureError;
use crate::aws::dispatcher::DispatcherError;
use crate::aws::error::AwsError;
use crate::aws::resources::failure::{self, MissingFunction, UnrecognisedValue};
use crate::plugin::Diagnostic;

/// The AWS steps a route is applied and refreshed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    LookUpApi,
    LookUpFunction,
    CreateIntegration,
    CreateRoute,
    UpdateIntegration,
    UpdateRoute,
    DeleteRoute,
    DeleteIntegration,
    ReadRoute,
    /// Reading the API's routes and integrations for `terraform query`.
    ListRoutes,
}

impl Step {
    pub fn failed(self, error: AwsError) -> Error {
        Error::Aws { step: self, error, left: None }
    }

    fn summary(self) -> &'static str {
        match self {
            Step::LookUpApi => "Looking up the HTTP API failed",
            Step::LookUpFunction => "Looking up the Lambda function failed",
            Step::CreateIntegration => "Creating the route's integration failed",
            Step::CreateRoute => "Creating the route failed",
            Step::UpdateIntegration => "Updating the route's integration failed",
            Step::UpdateRoute => "Updating the route failed",
            Step::DeleteRoute => "Deleting the route failed",
            Step::DeleteIntegration => "Deleting the route's integration failed",
            Step::ReadRoute => "Reading the HTTP API's routes failed",
            Step::ListRoutes => "Listing the HTTP API's routes failed",
        }
    }

    /// The attribute to change when AWS refuses the step.
    fn attribute(self) -> Option<&'static str> {
        match self {
            Step::CreateRoute | Step::UpdateRoute => Some(attr::ROUTE_KEY),
            Step::LookUpFunction => Some(attr::FUNCTION_NAME),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{error}{}", left.as_deref().unwrap_or(""))]
    Aws { step: Step, error: AwsError, left: Option<String> },
    #[error("{error}{}", left.as_deref().unwrap_or(""))]
    Dispatcher { error: Box<DispatcherError>, left: Option<String> },
    #[error("{0}")]
    Credentials(#[from] ConfigureError),
    #[error(
        "API Gateway has no HTTP API {api_id:?} in {region}. Check api_id and the provider's \
         region.{}",
        if *creating { " Nothing was created." } else { "" }
    )]
    NoApi { api_id: String, region: String, creating: bool },
    #[error(
        "{api_id:?} is a WebSocket API. async_lambda_route serves HTTP APIs \
         (protocol_type = \"HTTP\"); nothing was created."
    )]
    NotHttpApi { api_id: String },
    #[error("{0}")]
    NoFunction(#[from] MissingFunction),
    #[error(
        "Route {id} does not target a dispatcher integration made by this provider, so it is \
         not an async route. Import routes that async_lambda_route made, or manage this one \
         with aws_apigatewayv2_route."
    )]
    NotAsyncRoute { id: String },
    #[error("No route {id} exists.")]
    NoRouteToImport { id: String },
    #[error("{0}")]
    Unrecognised(#[from] UnrecognisedValue),
    #[error("{0}")]
    InvalidImportId(String),
    #[error("{0}")]
    InvalidIdentity(String),
    #[error(
        "The async provider was not configured before use. This is a bug in Terraform or in the \
         provider; please report it."
    )]
    NotConfigured,
}

/// Names the step of a call's result.
pub trait During<T> {
    fn during(self, step: Step) -> Result<T, Error>;
}

impl<T> During<T> for Result<T, AwsError> {
    fn during(self, step: Step) -> Result<T, Error> {
        self.map_err(|error| step.failed(error))
    }
}

impl From<DispatcherError> for Error {
    fn from(error: DispatcherError) -> Self {
        Error::Dispatcher { error: Box::new(error), left: None }
    }
}

impl Error {
    /// The error with what the failed apply left behind said after it.
    pub fn leaving(self, what: String) -> Error {
        match self {
            Error::Aws { step, error, .. } => Error::Aws { step, error, left: Some(what) },
            Error::Dispatcher { error, .. } => Error::Dispatcher { error, left: Some(what) },
            other => other,
        }
    }

    pub fn diagnostic(&self) -> Diagnostic {
        let (summary, attribute) = match self {
            Error::Aws { step, error, .. } => {
                (step.summary(), step.attribute().filter(|_| error.is_refusal()))
            }
            Error::Credentials(ConfigureError::Stopped(_)) => ("Stopped by Terraform", None),
            Error::Dispatcher { error, .. } => (failure::dispatcher_summary(error), None),
            Error::Credentials(_) => ("Cannot use the AWS credentials", None),
            Error::NoApi { .. } => ("HTTP API not found", Some(attr::API_ID)),
            Error::NotHttpApi { .. } => ("Not an HTTP API", Some(attr::API_ID)),
            Error::NoFunction(_) => ("Lambda function not found", Some(attr::FUNCTION_NAME)),
            Error::NotAsyncRoute { .. } => ("Cannot import: not an async route", None),
            Error::NoRouteToImport { .. } => ("Cannot import: no such route", None),
            Error::Unrecognised(unrecognised) => {
                ("Unrecognised value in AWS", Some(unrecognised.attribute))
            }
            Error::InvalidImportId(_) => ("Invalid import id", None),
            Error::InvalidIdentity(_) => ("Invalid import identity", None),
            Error::NotConfigured => ("Provider not configured", None),
        };
        failure::diagnostic(summary, self.to_string(), attribute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::AttributePath;

    #[test]
    fn a_refused_route_points_at_the_route_key_and_says_what_was_left() {
        let refused = AwsError::Service {
            service: "API Gateway",
            operation: "CreateRoute",
            code: "ConflictException".into(),
            message: "Route with key POST /x already exists".into(),
            status: 409,
        };
        let error = Step::CreateRoute.failed(refused).leaving("; nothing was created.".into());
        let diagnostic = error.diagnostic();
        assert_eq!(diagnostic.summary, "Creating the route failed");
        assert_eq!(diagnostic.attribute, Some(AttributePath::root(attr::ROUTE_KEY)));
        assert!(diagnostic.detail.ends_with("already exists; nothing was created."));
    }
}
