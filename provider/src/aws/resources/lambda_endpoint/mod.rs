//! `async_lambda_endpoint`: an API Gateway REST API method that invokes a
//! Lambda function asynchronously.

mod lifecycle;
mod model;
mod plan;
mod remote;
pub mod schema;
pub mod templates;
mod validate;

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;

use crate::aws::clients::Aws;
use crate::plugin::{
    ApplyRequest, Context, Diagnostic, Diagnostics, Plan, PlanRequest, Resource, Schema, Value,
};

pub struct LambdaEndpoint {
    schema: Schema,
    /// Set when the provider is configured.
    aws: Arc<OnceLock<Aws>>,
}

impl LambdaEndpoint {
    pub fn new(aws: Arc<OnceLock<Aws>>) -> Self {
        LambdaEndpoint { schema: schema::schema(), aws }
    }

    fn aws(&self) -> Result<&Aws, Diagnostic> {
        self.aws.get().ok_or_else(|| {
            Diagnostic::error(
                "Provider not configured",
                "The async provider was not configured before use. This is a bug in Terraform \
                 or in the provider; please report it.",
            )
        })
    }
}

#[async_trait]
impl Resource for LambdaEndpoint {
    fn type_name(&self) -> &'static str {
        "async_lambda_endpoint"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate::validate(config)
    }

    async fn plan(&self, request: PlanRequest, ctx: &Context) -> Plan {
        if let Some(aws) = self.aws.get() {
            let diagnostics = validate::check_function_region(&request.config, &aws.region);
            if !diagnostics.is_empty() {
                return Plan::refused(request.proposed_state, diagnostics);
            }
        }
        // Only updates need the account (to spot out-of-band changes); a plan
        // that only creates makes no AWS call at all.
        let account = match (&request.prior_state, self.aws.get()) {
            (Value::Null, _) | (_, None) => None,
            (prior, Some(aws)) => {
                match aws.account_from(ctx, prior.get("permission_source_arn").as_str()).await {
                    Ok(account) => Some(account),
                    Err(e) => {
                        let diagnostic =
                            Diagnostic::error("Cannot use the AWS credentials", e.to_string());
                        return Plan::refused(request.proposed_state, vec![diagnostic]);
                    }
                }
            }
        };
        plan::plan(&self.schema, request, account.as_ref())
    }

    async fn apply(&self, request: ApplyRequest, ctx: &Context) -> (Value, Diagnostics) {
        let aws = match self.aws() {
            Ok(aws) => aws,
            Err(d) => return (request.prior_state, vec![d]),
        };
        let ApplyRequest { prior_state, planned_state, .. } = request;
        if planned_state.is_null() {
            return match lifecycle::delete(aws, ctx, &prior_state).await {
                Ok(()) => (Value::Null, Vec::new()),
                Err(d) => (prior_state, vec![d]),
            };
        }
        let result = if prior_state.is_null() {
            lifecycle::create(aws, ctx, &planned_state).await
        } else {
            lifecycle::update(aws, ctx, &prior_state, &planned_state).await
        };
        match result {
            Ok(state) => (state, Vec::new()),
            Err(failure) => (failure.state, vec![failure.diagnostic]),
        }
    }

    async fn read(&self, state: Value, ctx: &Context) -> (Value, Diagnostics) {
        let aws = match self.aws() {
            Ok(aws) => aws,
            Err(d) => return (state, vec![d]),
        };
        match lifecycle::read(aws, ctx, &state).await {
            Ok(new_state) => (new_state, Vec::new()),
            Err(d) => (state, vec![d]),
        }
    }

    async fn import(&self, id: &str, ctx: &Context) -> (Value, Diagnostics) {
        let result = match self.aws() {
            Ok(aws) => lifecycle::import(aws, ctx, id).await,
            Err(d) => Err(d),
        };
        match result {
            Ok(state) => (state, Vec::new()),
            Err(d) => (Value::Null, vec![d]),
        }
    }
}
