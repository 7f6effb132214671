//! What any resource needs of API Gateway v2 (HTTP APIs): whether an API
//! is an HTTP API, its routes and the integrations it holds, read once a run.

pub mod cache;
mod model;
mod reads;
mod remote;

pub use model::{Integration, Route};
pub use reads::{http_api, wrote};
pub use remote::{api, integrations};

/// The calls' service name, so that they are paced and retried as API
/// Gateway's: HTTP APIs are managed through the same service and endpoint
/// (`apigateway.REGION.amazonaws.com`, paths under `/v2/`), whose
/// account-level management quota AWS documents once for API Gateway
/// (<https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html>,
/// 10 requests a second, burst 40; see `aws::rate_limit`).
pub const SERVICE: &str = "API Gateway";
