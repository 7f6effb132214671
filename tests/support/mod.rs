//! Shared test support. Each test binary uses only part of it.
#![allow(dead_code, unused_imports, unused_macros)]

pub mod aws;
pub mod binaries;
pub mod hcl;
pub mod localstack;
pub mod plugin;
pub mod proxy;
pub mod stack;
pub mod terraform;
