//! The resources this provider offers, one module each.

pub(crate) mod failure;
pub(crate) mod failure_destination;
mod identity;
pub mod lambda_endpoint;
pub mod lambda_route;
