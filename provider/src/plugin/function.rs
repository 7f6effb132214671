//! Provider functions (plugin protocol 5.5, Terraform 1.8+): pure
//! computations a configuration calls as `provider::NAME::FUNCTION(...)`.
//! Terraform may call them before the provider is configured, while it
//! validates, so they call nothing remote.

use crate::plugin::value::{Type, Value};

/// One parameter of a function.
#[derive(Clone, Debug)]
pub struct Parameter {
    pub name: String,
    pub ty: Type,
    pub description: String,
    /// Whether null may be passed; else Terraform refuses it before calling.
    pub allow_null: bool,
}

impl Parameter {
    pub fn new(name: &str, ty: Type, description: &str) -> Parameter {
        Parameter { name: name.into(), ty, description: description.into(), allow_null: false }
    }

    pub fn nullable(self) -> Parameter {
        Parameter { allow_null: true, ..self }
    }
}

/// What a function takes and gives, and the documentation Terraform and
/// the registry show.
#[derive(Clone, Debug)]
pub struct Signature {
    pub parameters: Vec<Parameter>,
    pub return_type: Type,
    pub summary: String,
    /// Markdown.
    pub description: String,
}

/// Why a call failed, shown by Terraform at the call's argument.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionError {
    pub text: String,
    /// The argument at fault (0-based), if one is.
    pub argument: Option<usize>,
}

impl FunctionError {
    pub fn at(argument: usize, text: impl Into<String>) -> FunctionError {
        FunctionError { text: text.into(), argument: Some(argument) }
    }
}

pub trait Function: Send + Sync {
    /// The name after `provider::NAME::`.
    fn name(&self) -> &'static str;

    fn signature(&self) -> &Signature;

    /// The result for `arguments`, one per parameter, each of its type and
    /// known (Terraform answers unknown itself when an argument is).
    fn call(&self, arguments: Vec<Value>) -> Result<Value, FunctionError>;
}
