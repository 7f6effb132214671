//! The provider functions (Terraform 1.8+): pure, so they work before the
//! provider is configured and call nothing remote.

mod openapi_operation;

use std::sync::Arc;

use crate::plugin::Function;

pub fn all() -> Vec<Arc<dyn Function>> {
    vec![Arc::new(openapi_operation::OpenapiOperation::new())]
}
