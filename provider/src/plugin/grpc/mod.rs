//! The gRPC services a plugin process offers.

mod connection;
mod controller;
mod convert;
mod handlers;
mod provider_service;
mod values;

pub use connection::Connection;
pub use controller::Controller;
pub use provider_service::ProviderService;

#[cfg(test)]
mod tests;
