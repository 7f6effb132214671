//! The AWS layer: provider configuration and the resources. It sees values,
//! schemas and diagnostics from [`crate::plugin`], never the wire protocol.

mod actions;
mod apigateway;
mod apigatewayv2;
mod arn;
mod clients;
mod clock;
mod closed_set;
mod config;
mod dispatcher;
mod endpoint;
mod error;
mod functions;
mod lambda;
mod once_map;
mod rate_limit;
pub mod resources;
mod retry;
mod run;
mod validate;

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;

use crate::plugin::{Context, Current, Diagnostic, Diagnostics, Provider, Resource, Schema, Value};
use clients::Aws;
use run::Session;

pub struct AwsProvider {
    schema: Schema,
    /// The session of the latest successful Configure; empty before it.
    session: Current<Arc<OnceLock<Session>>>,
}

impl AwsProvider {
    pub fn new() -> Self {
        AwsProvider { schema: config::schema(), session: Current::default() }
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

    /// Every Configure takes effect, none is refused: Terraform configures once
    /// per run, and a `--debug` process serves many runs whose provider blocks
    /// may differ. Each builds fresh clients and an empty run cache, as what
    /// unset settings fall back to (profiles, SSO caches) may have changed
    /// too; calls in flight keep the session they started with, and a failed
    /// Configure changes nothing.
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
                self.session.replace(Arc::new(OnceLock::from(Session::new(aws))));
                Vec::new()
            }
            Err(e) => vec![Diagnostic::error("Cannot configure the async provider", e.to_string())],
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(resources::lambda_endpoint::LambdaEndpoint::new(self.session.get())),
            Arc::new(resources::lambda_route::LambdaRoute::new(self.session.get())),
        ]
    }

    fn actions(&self) -> Vec<Arc<dyn crate::plugin::Action>> {
        actions::all(self.session.get())
    }

    fn functions(&self) -> Vec<Arc<dyn crate::plugin::Function>> {
        functions::all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::PlanRequest;

    fn provider_block(region: &str) -> Value {
        Value::object([
            ("region", Value::from(region)),
            ("access_key", Value::from("test")),
            ("secret_key", Value::from("test")),
            // The plan would ask AWS about the function's failure destination.
            ("skip_failure_destination_check", Value::from(true)),
        ])
    }

    /// The summaries of planning an endpoint for a function in us-east-1, as
    /// the plugin layer does after a Configure: with the resources it yields.
    async fn plan_summaries(provider: &AwsProvider) -> Vec<String> {
        let function = "arn:aws:lambda:us-east-1:123456789012:function:worker";
        let endpoint = Value::object([("function_name", Value::from(function))]);
        let request = PlanRequest {
            prior_state: Value::Null,
            proposed_state: endpoint.clone(),
            config: endpoint,
        };
        let plan = provider.resources()[0].plan(request, &Context::default()).await;
        plan.diagnostics.into_iter().map(|d| d.summary).collect()
    }

    #[tokio::test]
    async fn each_configure_takes_effect_even_in_the_same_process() {
        let provider = AwsProvider::new();
        for (region, refused) in [("us-east-1", false), ("us-west-2", true), ("us-east-1", false)] {
            let diagnostics = provider.configure(provider_block(region), &Context::default()).await;
            assert!(diagnostics.is_empty(), "{region}: {diagnostics:?}");
            let summaries = plan_summaries(&provider).await;
            let other_region = summaries.iter().any(|s| s == "Function in another region");
            assert_eq!(other_region, refused, "configured for {region}: {summaries:?}");
        }
    }
}
