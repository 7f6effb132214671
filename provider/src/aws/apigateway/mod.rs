//! What any resource on a REST API needs of API Gateway: the run's one read
//! of each REST API and what it says is at each method, asynchronous Lambda
//! integrations, and the execute-api ARNs permissions are scoped to.

pub mod cache;
pub mod execute_api;
pub mod lambda_integration;
mod other_methods;
mod reads;
mod remote;
pub mod request_validator;
mod rest_api;
pub mod templates;

pub use other_methods::OtherMethods;
pub use reads::rest_api;
pub use remote::{get_method, resource_path, rest_api_exists, test_invoke_method};
pub use rest_api::{AtMethod, RestApi};

/// Where a REST API method is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct MethodId {
    pub rest_api_id: String,
    pub resource_id: String,
    pub http_method: String,
}

impl std::fmt::Display for MethodId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.rest_api_id, self.resource_id, self.http_method)
    }
}
