//! The resources this provider offers, one module each.

mod identity;
pub mod lambda_endpoint;
pub mod lambda_route;
