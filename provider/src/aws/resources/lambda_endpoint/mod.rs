//! `async_lambda_endpoint`: an API Gateway REST API method that invokes a
//! Lambda function asynchronously.

mod apply;
mod attr;
mod failure;
mod identity;
mod list;
mod media_type;
mod model;
mod moved;
mod normalise;
pub mod openapi;
mod patch;
mod plan;
mod refresh;
mod remote;
mod request_schema;
pub mod schema;
mod state;
mod step;
pub mod templates;
mod trigger;
mod update;
mod validate;
mod wiring;

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use tokio::sync::mpsc;

use crate::aws::lambda::FunctionRef;
use crate::aws::resources::failure_destination;
use crate::aws::run::{Run, Session};
use crate::plugin::{
    ApplyRequest, Context, Diagnostic, Diagnostics, IdentitySchema, ImportTarget, ListRequest,
    Listed, MoveSource, Plan, PlanRequest, Resource, Schema, Value,
};
use failure::Error;
use model::{EndpointId, State};
use state::FromValue;

pub struct LambdaEndpoint {
    schema: Schema,
    identity_schema: IdentitySchema,
    list_schema: Schema,
    /// Set when the provider is configured.
    session: Arc<OnceLock<Session>>,
}

impl LambdaEndpoint {
    pub fn new(session: Arc<OnceLock<Session>>) -> Self {
        LambdaEndpoint {
            schema: schema::schema(),
            identity_schema: identity::schema(),
            list_schema: schema::list_schema(),
            session,
        }
    }

    /// The run's handle for a request with context `ctx`, once configured.
    fn run<'a>(&'a self, ctx: &'a Context) -> Result<Run<'a>, Error> {
        self.session.get().map(|session| session.run(ctx)).ok_or(Error::NotConfigured)
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
        if let Some(session) = self.session.get() {
            let diagnostics =
                crate::aws::validate::check_function_region(&request.config, &session.aws.region);
            if !diagnostics.is_empty() {
                return Plan::refused(request.proposed_state, diagnostics);
            }
            // A dispatch names its function by name in the dispatcher's
            // account: one named in another is refused before apply.
            if let Some(inputs) = model::Inputs::known(&request.config)
                && inputs.dispatch().is_some()
                && FunctionRef::lenient(&inputs.target.function_name).account.is_some()
                && let Some(account) = session.aws.account_for_plan(ctx).await
                && let Err(e) = apply::check_dispatch_account(&inputs, account, true)
            {
                return Plan::refused(request.proposed_state, vec![e.diagnostic()]);
            }
        }
        // Only updates need the account (to spot out-of-band changes); a plan
        // that only creates needs no account.
        let account = match (&request.prior_state, self.session.get()) {
            (Value::Null, _) | (_, None) => None,
            (prior, Some(Session { aws, .. })) => {
                let prior = State::from_value(prior);
                let permission = prior.computed.wiring.permission;
                match aws
                    .account_from(ctx, permission.as_ref().map(|p| p.source_arn.as_str()))
                    .await
                {
                    Ok(account) => Some(account),
                    Err(e) => {
                        let diagnostics = vec![Error::from(e).diagnostic()];
                        return Plan::refused(request.proposed_state, diagnostics);
                    }
                }
            }
        };
        let config = request.config.clone();
        let mut plan = plan::plan(&self.schema, request, account.as_ref());
        if let Some(session) = self.session.get() {
            failure_destination::add_warning(session.run(ctx), &config, &mut plan).await;
        }
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
            update::update(run, &prior_state, &planned_state).await
        };
        match result {
            Ok(state) => (state.to_value(), Vec::new()),
            Err(failed) => {
                let state = failed.state.map_or(prior_state, |state| state.to_value());
                (state, vec![failed.error.diagnostic()])
            }
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
                ImportTarget::Id(id) => EndpointId::parse(&id).map_err(Error::InvalidImportId)?,
                ImportTarget::Identity(identity) => {
                    let account = run.account().await?;
                    identity::endpoint(&identity, account).map_err(Error::InvalidIdentity)?
                }
            };
            refresh::import(run, id).await
        };
        match result.await {
            Ok(state) => (state.to_value(), Vec::new()),
            // An import has no configuration to point at.
            Err(e) => (Value::Null, vec![Diagnostic { attribute: None, ..e.diagnostic() }]),
        }
    }

    fn identity_schema(&self) -> Option<&IdentitySchema> {
        Some(&self.identity_schema)
    }

    /// The account comes from the permission's source ARN when there is one,
    /// else from STS, once per run. A create's plan takes it as the run knows
    /// it, else from one STS call that may fail: its identity is then known
    /// after apply (an update's plan always knows the account).
    async fn identity(&self, state: &Value, ctx: &Context) -> Result<Value, Diagnostics> {
        let Some(Session { aws, .. }) = self.session.get() else {
            return Ok(identity::of(state, None, None));
        };
        let region = Some(aws.region.as_str());
        let source_arn = state::permission_source_arn(state);
        if state.contains_unknown() && source_arn.is_none() {
            let account = aws.account_for_plan(ctx).await.map(|a| a.account_id.as_str());
            return Ok(identity::of(state, region, account));
        }
        match aws.account_from(ctx, source_arn).await {
            Ok(account) => Ok(identity::of(state, region, Some(&account.account_id))),
            Err(e) => Err(vec![Error::from(e).diagnostic()]),
        }
    }

    fn move_state(&self, source: &MoveSource) -> Result<Value, Diagnostics> {
        moved::from(source)
    }

    fn config_of(&self, state: &Value) -> Value {
        state::config(state)
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
        let diagnostics = validate::validate_list(&request.config);
        if !diagnostics.is_empty() {
            return Err(diagnostics);
        }
        let run = self.run(ctx).map_err(|e| vec![e.diagnostic()])?;
        list::list(run, request, listed)
            .await
            .map_err(|e| vec![Diagnostic { attribute: None, ..e.diagnostic() }])
    }
}

/// The OpenAPI operation object of an endpoint configured as `config`
/// (`provider::async::openapi_operation`): checked as the resource's
/// configuration is, errors only (a function cannot warn). `function_name`
/// must be a full ARN, since a function knows no account or region.
pub fn openapi_operation(
    config: &Value,
    named: openapi::Named<'_>,
) -> Result<serde_json::Value, Diagnostics> {
    let errors: Diagnostics = validate::validate(config)
        .into_iter()
        .filter(|d| d.severity == crate::plugin::Severity::Error)
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let inputs = model::Inputs::from_value(config);
    let account =
        crate::aws::arn::Arn::parse(&inputs.target.function_name).and_then(|a| a.account());
    let Some(account) = account else {
        return Err(vec![
            Diagnostic::error(
                "Function ARN needed",
                "An OpenAPI operation names the function by its full ARN \
                 (arn:aws:lambda:REGION:ACCOUNT:function:NAME), e.g. \
                 aws_lambda_function.worker.arn: a provider function knows no account or region \
                 of its own.",
            )
            .at(crate::plugin::AttributePath::root(attr::FUNCTION_NAME)),
        ]);
    };
    let uri = inputs.invocation(&account).integration_uri;
    Ok(openapi::operation(&inputs, &uri, named))
}
