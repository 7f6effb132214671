//! `async_lambda_endpoint`: an API Gateway REST API method that invokes a
//! Lambda function asynchronously.

mod plan;
pub mod schema;
mod templates;
mod validate;

use async_trait::async_trait;

use crate::plugin::{
    ApplyRequest, Context, Diagnostic, Diagnostics, Plan, PlanRequest, Resource, Schema, Value,
};

pub struct LambdaEndpoint {
    schema: Schema,
}

impl LambdaEndpoint {
    pub fn new() -> Self {
        LambdaEndpoint { schema: schema::schema() }
    }
}

impl Default for LambdaEndpoint {
    fn default() -> Self {
        Self::new()
    }
}

fn not_yet(operation: &str) -> Diagnostic {
    Diagnostic::error(
        format!("{operation} is not available yet"),
        "This build of terraform-provider-async validates and plans async_lambda_endpoint; \
         creating, reading and deleting it against AWS arrive in the next release.",
    )
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

    async fn plan(&self, request: PlanRequest, _ctx: &Context) -> Plan {
        plan::plan(&self.schema, request)
    }

    async fn apply(&self, request: ApplyRequest, _ctx: &Context) -> (Value, Diagnostics) {
        (request.prior_state, vec![not_yet("Apply")])
    }

    async fn read(&self, state: Value, _ctx: &Context) -> (Value, Diagnostics) {
        (state, vec![not_yet("Read")])
    }

    async fn import(&self, _id: &str, _ctx: &Context) -> (Value, Diagnostics) {
        (Value::Null, vec![not_yet("Import")])
    }
}
