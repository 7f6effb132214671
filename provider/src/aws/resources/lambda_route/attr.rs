//! The attribute names of `async_lambda_route`: the one spelling of each.

pub use crate::aws::validate::{FUNCTION_NAME, QUALIFIER};

pub const ID: &str = "id";
pub const API_ID: &str = "api_id";
pub const ROUTE_KEY: &str = "route_key";
pub const AUTHORIZATION_TYPE: &str = "authorization_type";
pub const AUTHORIZER_ID: &str = "authorizer_id";
pub const AUTHORIZATION_SCOPES: &str = "authorization_scopes";
pub const RESPONSE_STATUS_CODE: &str = "response_status_code";
pub const RESPONSE_HEADERS: &str = "response_headers";
pub const RESPONSE_BODY: &str = "response_body";
pub const ROUTE_ID: &str = "route_id";
pub const INTEGRATION_ID: &str = "integration_id";
pub const FUNCTION_ARN: &str = "function_arn";
pub const DISPATCHER_ARN: &str = "dispatcher_arn";
