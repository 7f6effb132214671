//! The AWS steps an endpoint is applied, refreshed and imported in: what the
//! user is told when one fails, and the attribute to fix when AWS refuses it.

use super::attr;
use crate::aws::error::AwsError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    LookUpResource,
    LookUpFunction,
    /// Writing the request schema's model (create or update).
    WriteModel,
    /// Making sure of the REST API's request validator.
    EnsureValidator,
    /// Removing a model or validator no longer used.
    RemoveValidation,
    CreateMethod,
    CreateIntegration,
    CreateMethodResponse,
    CreateIntegrationResponse,
    AddPermission,
    UpdateMethod,
    UpdateIntegration,
    UpdateMethodResponse,
    UpdateIntegrationResponse,
    /// Deleting the responses of the status code an update leaves.
    RemoveOldResponse,
    RemoveOldPermission,
    DeleteMethod,
    RemovePermission,
    ReadMethod,
    ReadPolicy,
    /// Reading the REST API for `terraform query`.
    ListMethods,
}

impl Step {
    pub fn summary(self) -> &'static str {
        match self {
            Step::LookUpResource => "Looking up the API resource failed",
            Step::LookUpFunction => "Looking up the Lambda function failed",
            Step::WriteModel => "Writing the request schema's model failed",
            Step::EnsureValidator => "Setting up the request validator failed",
            Step::RemoveValidation => "Removing the request schema's model or validator failed",
            Step::CreateMethod => "Creating the method failed",
            Step::CreateIntegration => "Creating the integration failed",
            Step::CreateMethodResponse => "Creating the method response failed",
            Step::CreateIntegrationResponse => "Creating the integration response failed",
            Step::AddPermission => "Adding the Lambda permission failed",
            Step::UpdateMethod => "Updating the method failed",
            Step::UpdateIntegration => "Updating the integration failed",
            Step::UpdateMethodResponse => "Updating the method response failed",
            Step::UpdateIntegrationResponse => "Updating the integration response failed",
            Step::RemoveOldResponse => "Removing the old response failed",
            Step::RemoveOldPermission => "Removing the old Lambda permission failed",
            Step::DeleteMethod => "Deleting the method failed",
            Step::RemovePermission => "Removing the Lambda permission failed",
            Step::ReadMethod => "Reading the method failed",
            Step::ReadPolicy => "Reading the function's policy failed",
            Step::ListMethods => "Listing the REST API's methods failed",
        }
    }

    /// The attribute to change when AWS refuses this step: what plan-time
    /// validation cannot check (that the authorizer, the role, the function
    /// exist; what API Gateway makes of a response mapping). `None` where
    /// the configuration is not to blame.
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            Step::CreateMethod | Step::UpdateMethod => Some(attr::AUTHORIZER_ID),
            Step::WriteModel | Step::EnsureValidator | Step::RemoveValidation => {
                Some(attr::REQUEST_SCHEMA)
            }
            Step::CreateIntegration | Step::UpdateIntegration => Some(attr::CREDENTIALS),
            Step::CreateMethodResponse
            | Step::CreateIntegrationResponse
            | Step::UpdateMethodResponse
            | Step::UpdateIntegrationResponse => Some(attr::RESPONSE_PARAMETERS),
            Step::LookUpFunction | Step::AddPermission | Step::ReadPolicy => {
                Some(attr::FUNCTION_NAME)
            }
            Step::LookUpResource
            | Step::RemoveOldResponse
            | Step::RemoveOldPermission
            | Step::DeleteMethod
            | Step::RemovePermission
            | Step::ReadMethod
            | Step::ListMethods => None,
        }
    }
}

/// An AWS call that failed, with the step it was.
#[derive(Debug)]
pub struct StepError {
    pub step: Step,
    pub error: AwsError,
}

/// Names the step of a call's result: `remote::put_method(..).await.during(Step::CreateMethod)`.
pub trait During<T> {
    fn during(self, step: Step) -> Result<T, StepError>;
}

impl<T> During<T> for Result<T, AwsError> {
    fn during(self, step: Step) -> Result<T, StepError> {
        self.map_err(|error| StepError { step, error })
    }
}
