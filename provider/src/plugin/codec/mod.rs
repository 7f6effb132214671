//! The two encodings of `DynamicValue`: msgpack (what Terraform sends and
//! expects back) and JSON (legacy clients and raw state in upgrades).

mod json;
mod msgpack;

pub use json::decode_json;
pub use msgpack::{decode_msgpack, encode_msgpack};

use crate::plugin::diagnostics::AttributePath;
use crate::plugin::value::Type;

/// A value that does not fit its type. The path says where, so the
/// diagnostic can point at the attribute.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {problem}")]
pub struct CodecError {
    pub path: AttributePath,
    pub problem: String,
}

impl CodecError {
    fn new(path: &AttributePath, problem: impl Into<String>) -> Self {
        CodecError { path: path.clone(), problem: problem.into() }
    }

    fn mismatch(path: &AttributePath, ty: &Type, found: &str) -> Self {
        CodecError::new(path, format!("expected {ty}, found {found}"))
    }
}

#[cfg(test)]
mod tests;
