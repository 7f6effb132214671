//! The AWS layer: provider configuration and the resources. It sees values,
//! schemas and diagnostics from [`crate::plugin`], never the wire protocol.

mod config;
mod function_ref;
pub mod resources;
mod validate;

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;

use crate::plugin::{Context, Diagnostics, Provider, Resource, Schema, Value};

pub use config::Settings;

pub struct AwsProvider {
    schema: Schema,
    settings: OnceLock<Settings>,
}

impl AwsProvider {
    pub fn new() -> Self {
        AwsProvider { schema: config::schema(), settings: OnceLock::new() }
    }
}

impl Default for AwsProvider {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Provider for AwsProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        config::validate(config)
    }

    async fn configure(&self, config: Value, _ctx: &Context) -> Diagnostics {
        let _ = self.settings.set(Settings::from_config(&config));
        Vec::new()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(resources::lambda_endpoint::LambdaEndpoint::new())]
    }
}
