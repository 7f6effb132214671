//! Creating, updating and deleting a route. The integration is written
//! before the route that targets it, the dispatcher's permissions settled in
//! between, so the route never serves without them; deletes go the other
//! way (route, integration, then the API's share of the dispatcher).

use super::failure::{During, Error, Step};
use super::model::{Computed, Inputs, State};
use super::remote;
use super::state;
use crate::aws::apigatewayv2;
use crate::aws::arn::Account;
use crate::aws::dispatcher::{self, Claim};
use crate::aws::lambda;
use crate::aws::resources::failure::MissingFunction;
use crate::aws::run::Run;
use crate::plugin::Value;

const NOTHING_CREATED: &str = "; nothing was created.";

/// Checks what the route needs before anything is written.
async fn check_target(
    run: Run<'_>,
    inputs: &Inputs,
    account: &Account,
    creating: bool,
) -> Result<String, Error> {
    let function_arn = inputs.function_arn(account);
    if !lambda::function_exists(run, &function_arn).await.during(Step::LookUpFunction)? {
        let region = run.region().to_owned();
        return Err(MissingFunction { function_arn, region, creating }.into());
    }
    Ok(function_arn)
}

pub async fn create(run: Run<'_>, planned: &Value) -> Result<State, Error> {
    let inputs = state::inputs(planned);
    let account = run.account().await?;
    let api_id = inputs.api_id.clone();
    match apigatewayv2::api(run, &api_id).await.during(Step::LookUpApi)? {
        None => {
            let region = run.region().to_owned();
            return Err(Error::NoApi { api_id, region, creating: true });
        }
        Some(api) if !api.is_http => return Err(Error::NotHttpApi { api_id }),
        Some(_) => {}
    }
    let function_arn = check_target(run, &inputs, account, true).await?;
    let (dispatcher_arn, claim) = match dispatcher::ensure(run).await {
        Ok(ensured) => ensured,
        Err(e) => return Err(Error::from(e).leaving(NOTHING_CREATED.into())),
    };
    let config = inputs.route_config(account);
    apigatewayv2::wrote(run, &api_id);
    let integration_id =
        match remote::create_integration(run, &api_id, &dispatcher_arn, &config).await {
            Ok(id) => id,
            Err(e) => {
                let left = undo(run, &api_id, None, Some(claim)).await;
                return Err(Step::CreateIntegration.failed(e).leaving(left));
            }
        };
    if let Err(e) = dispatcher::settle(run, &api_id, Some(claim)).await {
        let left = undo(run, &api_id, Some(&integration_id), None).await;
        return Err(Error::from(e).leaving(left));
    }
    let route_id = match remote::create_route(run, &inputs, &integration_id).await {
        Ok(id) => id,
        Err(e) => {
            let left = undo(run, &api_id, Some(&integration_id), None).await;
            return Err(Step::CreateRoute.failed(e).leaving(left));
        }
    };
    Ok(State {
        inputs,
        computed: Computed {
            route_id: Some(route_id),
            integration_id: Some(integration_id),
            function_arn: Some(function_arn),
            dispatcher_arn: Some(dispatcher_arn),
        },
    })
}

/// Removes what a failed create made, and says what is left.
async fn undo(
    run: Run<'_>,
    api_id: &str,
    integration_id: Option<&str>,
    claim: Option<Claim>,
) -> String {
    if let Some(integration_id) = integration_id
        && let Err(e) = remote::delete_integration(run, api_id, integration_id).await
    {
        return format!(
            "; removing the integration {integration_id} it made failed too ({e}): delete it with \
             `aws apigatewayv2 delete-integration --api-id {api_id} --integration-id \
             {integration_id}`."
        );
    }
    match dispatcher::settle(run, api_id, claim).await {
        Ok(()) => NOTHING_CREATED.into(),
        Err(e) => format!(
            "; nothing was created, but tidying the dispatcher's permissions failed ({e}): the \
             next apply of a route of this API tidies them."
        ),
    }
}

/// Updates the route in place: its integration when the target or the
/// answer changed (or the route lost it), the route when its own settings
/// changed or it targets anything else.
pub async fn update(run: Run<'_>, prior: &Value, planned: &Value) -> Result<State, Error> {
    let prior = state::from_value(prior);
    let inputs = state::inputs(planned);
    let account = run.account().await?;
    let function_arn = check_target(run, &inputs, account, false).await?;
    let api_id = inputs.api_id.clone();
    let route_id = prior.computed.route_id.clone().unwrap_or_default();
    let config = inputs.route_config(account);
    let mut computed = prior.computed.clone();
    apigatewayv2::wrote(run, &api_id);
    let repaired = prior.computed.integration_id.is_none();
    let lost_dispatcher = prior.computed.dispatcher_arn.is_none();
    if repaired || lost_dispatcher || config != prior.inputs.route_config(account) {
        let (dispatcher_arn, claim) = dispatcher::ensure(run).await?;
        let integration_id = match &prior.computed.integration_id {
            Some(id) => {
                remote::update_integration(run, &api_id, id, &dispatcher_arn, &config)
                    .await
                    .during(Step::UpdateIntegration)?;
                id.clone()
            }
            None => remote::create_integration(run, &api_id, &dispatcher_arn, &config)
                .await
                .during(Step::CreateIntegration)?,
        };
        dispatcher::settle(run, &api_id, Some(claim)).await?;
        computed.integration_id = Some(integration_id);
        computed.dispatcher_arn = Some(dispatcher_arn);
    }
    if repaired || !inputs.same_route_settings(&prior.inputs) {
        let integration_id = computed.integration_id.as_deref().unwrap_or_default();
        remote::update_route(run, &route_id, &inputs, integration_id)
            .await
            .during(Step::UpdateRoute)?;
    }
    computed.function_arn = Some(function_arn);
    Ok(State { inputs, computed })
}

pub async fn delete(run: Run<'_>, prior: &Value) -> Result<(), Error> {
    let prior = state::from_value(prior);
    let api_id = &prior.inputs.api_id;
    apigatewayv2::wrote(run, api_id);
    if let Some(route_id) = &prior.computed.route_id {
        remote::delete_route(run, api_id, route_id).await.during(Step::DeleteRoute)?;
    }
    if let Some(integration_id) = &prior.computed.integration_id {
        remote::delete_integration(run, api_id, integration_id)
            .await
            .during(Step::DeleteIntegration)?;
    }
    dispatcher::settle(run, api_id, None).await?;
    Ok(())
}
