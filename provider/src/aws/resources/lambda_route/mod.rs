//! `async_lambda_route`: an API Gateway HTTP API route that answers at once
//! and invokes a Lambda function asynchronously, through the dispatcher.

mod apply;
mod attr;
mod failure;
mod identity;
mod list;
mod model;
mod plan;
mod refresh;
mod remote;
pub mod schema;
mod state;
mod validate;

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use tokio::sync::mpsc;

use crate::aws::resources::failure_destination;
use crate::aws::run::{Run, Session};
use crate::plugin::{
    ApplyRequest, Context, Diagnostic, Diagnostics, IdentitySchema, ImportTarget, ListRequest,
    Listed, Plan, PlanRequest, Resource, Schema, Value,
};
use failure::Error;
use model::RouteId;

pub struct LambdaRoute {
    schema: Schema,
    identity_schema: IdentitySchema,
    list_schema: Schema,
    /// Set when the provider is configured.
    session: Arc<OnceLock<Session>>,
}

impl LambdaRoute {
    pub fn new(session: Arc<OnceLock<Session>>) -> Self {
        LambdaRoute {
            schema: schema::schema(),
            identity_schema: identity::schema(),
            list_schema: schema::list_schema(),
            session,
        }
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

    async fn plan(&self, request: PlanRequest, ctx: &Context) -> Plan {
        let Some(session) = self.session.get() else { return plan::plan(request) };
        let diagnostics =
            crate::aws::validate::check_function_region(&request.config, &session.aws.region);
        if !diagnostics.is_empty() {
            return Plan::refused(request.proposed_state, diagnostics);
        }
        let config = request.config.clone();
        let mut plan = plan::plan(request);
        failure_destination::add_warning(session.run(ctx), &config, &mut plan).await;
        plan
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
                ImportTarget::Identity(identity) => {
                    let account = run.account().await?;
                    identity::route(&identity, account).map_err(Error::InvalidIdentity)?
                }
            };
            refresh::import(run, id).await
        };
        match result.await {
            Ok(state) => (state.to_value(), Vec::new()),
            Err(e) => (Value::Null, vec![Diagnostic { attribute: None, ..e.diagnostic() }]),
        }
    }

    fn config_of(&self, state: &Value) -> Value {
        state::config(state)
    }

    fn identity_schema(&self) -> Option<&IdentitySchema> {
        Some(&self.identity_schema)
    }

    /// The account from STS, once per run; a create's plan takes it as the
    /// run knows it, else from one STS call that may fail (the identity is
    /// then known after apply, as the route's id is).
    async fn identity(&self, state: &Value, ctx: &Context) -> Result<Value, Diagnostics> {
        let Some(Session { aws, .. }) = self.session.get() else {
            return Ok(identity::of(state, None, None));
        };
        let region = Some(aws.region.as_str());
        if state.contains_unknown() {
            let account = aws.account_for_plan(ctx).await.map(|a| a.account_id.as_str());
            return Ok(identity::of(state, region, account));
        }
        match aws.account(ctx).await {
            Ok(account) => Ok(identity::of(state, region, Some(&account.account_id))),
            Err(e) => Err(vec![Error::from(e).diagnostic()]),
        }
    }

    fn list_schema(&self) -> Option<&Schema> {
        Some(&self.list_schema)
    }

    async fn list(
        &self,
        request: ListRequest,
        ctx: &Context,
        listed: mpsc::Sender<Listed>,
    ) -> Result<(), Diagnostics> {
        let mut check = crate::aws::validate::Checker::new(&request.config);
        check.check_string(attr::API_ID, validate::api_id);
        if !check.diagnostics.is_empty() {
            return Err(check.diagnostics);
        }
        let run = self.run(ctx).map_err(|e| vec![e.diagnostic()])?;
        list::list(run, request, listed)
            .await
            .map_err(|e| vec![Diagnostic { attribute: None, ..e.diagnostic() }])
    }
}
