//! The resources this provider offers, one module each.

pub mod lambda_endpoint;
pub mod lambda_route;
