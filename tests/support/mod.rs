//! Shared test support. Each test binary uses only part of it.
#![allow(dead_code)]

pub mod plugin;
pub mod terraform;
