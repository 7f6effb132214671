//! The gRPC services a plugin process offers.

mod connection;
mod controller;
mod convert;
mod provider_service;

pub use connection::Connection;
pub use controller::Controller;
pub use provider_service::ProviderService;

#[cfg(test)]
mod tests;
