//! Shared test support: what the tests of every area use.

pub mod aws;
pub mod binaries;
pub mod dispatcher;
pub mod hcl;
pub mod lambda_http;
pub mod localstack;
pub mod moto;
pub mod plugin;
pub mod proxy;
pub mod stack;
pub mod terraform;
pub mod versions;
