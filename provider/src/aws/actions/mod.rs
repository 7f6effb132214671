//! The provider's actions (Terraform 1.14+), one module each.

mod endpoint_test;

use std::sync::{Arc, OnceLock};

use crate::aws::run::Session;
use crate::plugin::Action;

pub fn all(session: Arc<OnceLock<Session>>) -> Vec<Arc<dyn Action>> {
    vec![Arc::new(endpoint_test::EndpointTest::new(session))]
}
