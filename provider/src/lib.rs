//! terraform-provider-async: API Gateway REST API methods that invoke Lambda
//! asynchronously, as one Terraform resource.
//!
//! Two layers that do not know each other: [`plugin`] speaks Terraform's plugin
//! protocol for any provider; [`aws`] is this provider. `main.rs` joins them.

pub mod aws;
pub mod plugin;
