//! The AWS layer: provider configuration and the resources. It sees values,
//! schemas and diagnostics from [`crate::plugin`], never the wire protocol.

mod clients;
mod config;
mod error;
mod function_ref;
pub mod resources;
mod retry;
mod validate;

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;

use crate::plugin::{Context, Diagnostic, Diagnostics, Provider, Resource, Schema, Value};
use clients::Aws;

pub struct AwsProvider {
    schema: Schema,
    aws: Arc<OnceLock<Aws>>,
}

impl AwsProvider {
    pub fn new() -> Self {
        AwsProvider { schema: config::schema(), aws: Arc::new(OnceLock::new()) }
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
        if config.contains_unknown() {
            return vec![Diagnostic::error(
                "Provider configuration not known yet",
                "The async provider block uses values that are only known after apply. Use \
                 values known at plan time (variables, literals, data sources).",
            )];
        }
        let settings = config::Settings::from_config(&config);
        match Aws::connect(&settings).await {
            Ok(aws) => {
                let _ = self.aws.set(aws);
                Vec::new()
            }
            Err(e) => vec![Diagnostic::error("Cannot configure the async provider", e.to_string())],
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(resources::lambda_endpoint::LambdaEndpoint::new(self.aws.clone()))]
    }
}
