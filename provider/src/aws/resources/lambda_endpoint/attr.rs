//! The attribute names of `async_lambda_endpoint`, its identity and its list
//! block: the one spelling of each, so a typo does not compile. The schemas
//! declare them, `state` and `identity` map them to the typed model, and
//! diagnostics point at them.

pub const ID: &str = "id";
pub const REST_API_ID: &str = "rest_api_id";
pub const RESOURCE_ID: &str = "resource_id";
pub const HTTP_METHOD: &str = "http_method";
pub use crate::aws::validate::{FUNCTION_NAME, QUALIFIER};
pub const DELIVERY: &str = "delivery";
pub const AUTHORIZATION: &str = "authorization";
pub const AUTHORIZER_ID: &str = "authorizer_id";
pub const AUTHORIZATION_SCOPES: &str = "authorization_scopes";
pub const API_KEY_REQUIRED: &str = "api_key_required";
pub const REQUEST_PARAMETERS: &str = "request_parameters";
pub const REQUEST_SCHEMA: &str = "request_schema";
pub const REQUEST_TEMPLATES: &str = "request_templates";
pub const PASSTHROUGH_BEHAVIOR: &str = "passthrough_behavior";
pub const RESPONSE_STATUS_CODE: &str = "response_status_code";
pub const RESPONSE_TEMPLATES: &str = "response_templates";
pub const RESPONSE_PARAMETERS: &str = "response_parameters";
pub const CREDENTIALS: &str = "credentials";
pub const TIMEOUT_MILLISECONDS: &str = "timeout_milliseconds";
pub const RESOURCE_PATH: &str = "resource_path";
pub const FUNCTION_ARN: &str = "function_arn";
pub const INTEGRATION_URI: &str = "integration_uri";
pub const PERMISSION_STATEMENT_ID: &str = "permission_statement_id";
pub const PERMISSION_SOURCE_ARN: &str = "permission_source_arn";
pub const REQUEST_VALIDATOR_ID: &str = "request_validator_id";
pub const REDEPLOYMENT_TRIGGER: &str = "redeployment_trigger";

// The list block's own.
pub const PATH_PREFIX: &str = "path_prefix";
