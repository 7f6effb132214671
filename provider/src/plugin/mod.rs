//! The generic plugin-protocol layer: serves any [`Provider`] to Terraform
//! over plugin protocol 5. Nothing in here knows which provider it serves:
//! its names come in a [`ProviderIdentity`].

pub mod action;
pub mod codec;
mod current;
pub mod diagnostics;
pub mod function;
mod grpc;
pub mod handshake;
mod identity;
mod logging;
pub mod proto;
pub mod provider;
pub mod resource;
pub mod schema;
mod server;
mod stop;
mod tls;
pub mod value;

pub use action::Action;
pub use current::{Current, Guarded};
pub use diagnostics::{AttributePath, Diagnostic, Diagnostics, Severity};
pub use function::{Function, FunctionError, Parameter, Signature};
pub use identity::ProviderIdentity;
pub use provider::Provider;
pub use resource::{
    ApplyRequest, Context, ImportTarget, ListRequest, Listed, MoveSource, Plan, PlanRequest,
    Resource,
};
pub use schema::{
    Attribute, Block, IdentityAttribute, IdentitySchema, NestedBlock, Nesting, Presence, Schema,
};
pub use server::{Mode, run};
pub use value::{Number, Type, Value};
