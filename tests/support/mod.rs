//! Shared test support. Each test binary uses only part of it.
#![allow(dead_code)]

pub mod aws;
pub mod localstack;
pub mod plugin;
pub mod stack;
pub mod terraform;

/// Acceptance tests talk to a real (emulated) AWS and run only when TF_ACC is
/// set, as with terraform-plugin-testing; `make test` sets it.
pub fn acceptance() -> bool {
    let enabled = std::env::var_os("TF_ACC").is_some_and(|v| !v.is_empty());
    if !enabled {
        eprintln!("skipped: acceptance tests run with TF_ACC=1 (make test sets it)");
    }
    enabled
}
