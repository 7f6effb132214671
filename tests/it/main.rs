//! The integration and acceptance tests of terraform-provider-async: one test
//! binary, so the AWS SDK and tonic are linked once, with a module per area.
//! A test's name starts with its module's, so `cargo test --test it --
//! lifecycle::` runs one area, `make soak` runs `faults::`.
//!
//! Acceptance tests (LocalStack, moto, Velocity) are `#[ignore]`d: `make test`
//! runs them (`TF_ACC=1 cargo test -- --include-ignored`). They share one
//! LocalStack per process ([`support::localstack`]), each on REST APIs and
//! functions of its own, and one moto for API Gateway v2 ([`support::moto`]),
//! each on HTTP APIs of its own.

mod support;

mod actions;
mod adoption;
mod bad_input;
mod consumers;
mod dispatched;
mod docs;
mod ecosystem;
mod end_to_end;
mod events;
mod examples_http_api;
mod failures;
mod faults;
mod lifecycle;
mod moto;
mod openapi;
mod protocol;
mod reliability;
mod routes;
mod scale;
mod schema_probe;
mod sharing;
mod stop;
mod support_helpers;
mod terraform_cli;
mod validation;
mod velocity;
