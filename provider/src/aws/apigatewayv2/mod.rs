//! What any resource needs of API Gateway v2 (HTTP APIs): whether an API
//! is an HTTP API, its routes and the integrations it holds, read once a run.

pub mod cache;
mod reads;
mod remote;

pub use reads::{http_api, wrote};
pub use remote::{Integration, Route, api, integrations};

/// The calls' service name: API Gateway v1 and v2 share the control plane's
/// account quota (10 requests a second, burst 40), so they share its pacing.
pub const SERVICE: &str = "API Gateway";
