//! `async_lambda_route`: an API Gateway HTTP API route that answers at once
//! and invokes a Lambda function asynchronously, through the dispatcher.

mod apply;
mod attr;
mod failure;
mod model;
mod plan;
mod refresh;
mod remote;
pub mod schema;
mod state;
mod validate;

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;

use crate::aws::run::{Run, Session};
use crate::plugin::{
    ApplyRequest, Context, Diagnostic, Diagnostics, ImportTarget, Plan, PlanRequest, Resource,
    Schema, Value,
};
use failure::Error;
use model::RouteId;

pub struct LambdaRoute {
    schema: Schema,
    /// Set when the provider is configured.
    session: Arc<OnceLock<Session>>,
}

impl LambdaRoute {
    pub fn new(session: Arc<OnceLock<Session>>) -> Self {
        LambdaRoute { schema: schema::schema(), session }
    }

    fn run<'a>(&'a self, ctx: &'a Context) -> Result<Run<'a>, Error> {
        self.session.get().map(|session| session.run(ctx)).ok_or(Error::NotConfigured)
    }
}

#[async_trait]
impl Resource for LambdaRoute {
    fn type_name(&self) -> &'static str {
        "async_lambda_route"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate::validate(config)
    }

    async fn plan(&self, request: PlanRequest, _ctx: &Context) -> Plan {
        if let Some(session) = self.session.get() {
            let diagnostics =
                crate::aws::validate::check_function_region(&request.config, &session.aws.region);
            if !diagnostics.is_empty() {
                return Plan::refused(request.proposed_state, diagnostics);
            }
        }
        plan::plan(request)
    }

    async fn apply(&self, request: ApplyRequest, ctx: &Context) -> (Value, Diagnostics) {
        let run = match self.run(ctx) {
            Ok(run) => run,
            Err(e) => return (request.prior_state, vec![e.diagnostic()]),
        };
        let ApplyRequest { prior_state, planned_state, .. } = request;
        if planned_state.is_null() {
            return match apply::delete(run, &prior_state).await {
                Ok(()) => (Value::Null, Vec::new()),
                Err(e) => (prior_state, vec![e.diagnostic()]),
            };
        }
        let result = if prior_state.is_null() {
            apply::create(run, &planned_state).await
        } else {
            apply::update(run, &prior_state, &planned_state).await
        };
        match result {
            Ok(state) => (state.to_value(), Vec::new()),
            Err(e) => (prior_state, vec![e.diagnostic()]),
        }
    }

    async fn read(&self, state: Value, ctx: &Context) -> (Value, Diagnostics) {
        let result = match self.run(ctx) {
            Ok(run) => refresh::read(run, &state).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(refreshed) => (refreshed.map_or(Value::Null, |s| s.to_value()), Vec::new()),
            Err(e) => (state, vec![e.diagnostic()]),
        }
    }

    async fn import(&self, target: ImportTarget, ctx: &Context) -> (Value, Diagnostics) {
        let result = async {
            let run = self.run(ctx)?;
            let id = match target {
                ImportTarget::Id(id) => RouteId::parse(&id).map_err(Error::InvalidImportId)?,
                ImportTarget::Identity(_) => {
                    return Err(Error::InvalidImportId(
                        "async_lambda_route is imported by id (API_ID/ROUTE_ID).".into(),
                    ));
                }
            };
            refresh::import(run, id).await
        };
        match result.await {
            Ok(state) => (state.to_value(), Vec::new()),
            Err(e) => (Value::Null, vec![Diagnostic { attribute: None, ..e.diagnostic() }]),
        }
    }
}
