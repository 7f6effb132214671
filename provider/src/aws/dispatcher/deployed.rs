//! The dispatcher's function as the provider reads it.

/// What the dispatcher's function is, as far as keeping it current goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeployedFunction {
    pub arn: String,
    pub code_sha256: String,
    pub role: String,
    pub readiness: Readiness,
}

/// Whether the function can be invoked and changed now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// Being created or updated: wait.
    Busy,
    /// Lambda gave up on it, saying why.
    Failed(String),
}
