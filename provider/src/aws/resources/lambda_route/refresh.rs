//! Reading a route back from AWS: the route's own settings from the route,
//! the target and the answer from its dispatcher integration, so a change
//! made outside Terraform shows in the plan.

use super::failure::{During, Error, Step};
use super::model::{Authorization, Computed, Inputs, Response, RouteId, State};
use super::state;
use crate::aws::apigatewayv2::{self, Integration, Route};
use crate::aws::dispatcher::{self, RouteConfig, is_dispatcher_uri, route_config};
use crate::aws::lambda::function_name_for;
use crate::aws::resources::failure::UnrecognisedValue;
use crate::aws::run::Run;
use crate::plugin::Value;

/// The route as it is now; `None` when it is gone (or its API is).
pub async fn read(run: Run<'_>, state: &Value) -> Result<Option<State>, Error> {
    let prior = state::from_value(state);
    let Some(id) = prior.id() else { return Ok(None) };
    let Some((route, integration)) = find(run, &id).await? else { return Ok(None) };
    observe(run, &id.api_id, &route, integration, Some(&prior)).await.map(Some)
}

pub async fn import(run: Run<'_>, id: RouteId) -> Result<State, Error> {
    let found = find(run, &id).await?;
    let (route, integration) =
        found.ok_or_else(|| Error::NoRouteToImport { id: id.to_string() })?;
    let state = observe(run, &id.api_id, &route, integration, None).await?;
    if state.computed.integration_id.is_none() {
        return Err(Error::NotAsyncRoute { id: id.to_string() });
    }
    Ok(state)
}

/// Route `id` and the integration it targets, from the run's one read of
/// its API.
async fn find(run: Run<'_>, id: &RouteId) -> Result<Option<(Route, Option<Integration>)>, Error> {
    let api = apigatewayv2::http_api(run, &id.api_id).await.during(Step::ReadRoute)?;
    let Some(api) = api.as_ref() else { return Ok(None) };
    let Some(route) = api.routes.get(&id.route_id) else { return Ok(None) };
    let integration = route.integration_id().and_then(|i| api.integrations.get(i)).cloned();
    Ok(Some((route.clone(), integration)))
}

/// The state of `route`, whose integration is `integration`, keeping the
/// prior spelling of what AWS holds in another form (a function name for
/// its ARN).
pub async fn observe(
    run: Run<'_>,
    api_id: &str,
    route: &Route,
    integration: Option<Integration>,
    prior: Option<&State>,
) -> Result<State, Error> {
    let authorization =
        Authorization::parse(&route.authorization_type).ok_or_else(|| UnrecognisedValue {
            attribute: super::attr::AUTHORIZATION_TYPE,
            value: route.authorization_type.clone(),
        })?;
    let dispatched = integration.and_then(|integration| {
        let uri = integration.uri.clone().filter(|uri| is_dispatcher_uri(uri))?;
        let config = integration.request_parameters.get(&route_config::parameter_key())?;
        Some((integration.id, uri, RouteConfig::decode(config)?))
    });
    let prior_inputs = prior.map(|p| &p.inputs);
    // Only JWT routes have scopes, and only JWT and CUSTOM an authorizer:
    // what AWS keeps beside other types (moto keeps both) is not the route's.
    let scopes_set = prior_inputs.is_some_and(|p| p.authorization_scopes.is_some());
    let scopes = (authorization == Authorization::Jwt
        && (scopes_set || !route.authorization_scopes.is_empty()))
    .then(|| route.authorization_scopes.clone());
    let mut inputs = Inputs {
        api_id: api_id.to_owned(),
        route_key: route.route_key.clone(),
        function_name: String::new(),
        qualifier: prior_inputs.and_then(|p| p.qualifier.clone()),
        authorization,
        authorizer_id: route.authorizer_id.clone().filter(|_| authorization.needs_authorizer()),
        authorization_scopes: scopes,
        response: prior_inputs.map(|p| p.response.clone()).unwrap_or_default(),
    };
    let Some((integration_id, dispatcher_arn, config)) = dispatched else {
        // Not one of ours any more: the plan shows function_name to set again.
        return Ok(State {
            inputs,
            computed: Computed { route_id: Some(route.id.clone()), ..Computed::default() },
        });
    };
    let account = run.account().await?;
    let function_arn = match &config.qualifier {
        Some(q) => format!("{}:{q}", config.function),
        None => config.function.clone(),
    };
    match prior_inputs.filter(|p| p.function_arn(account) == function_arn) {
        Some(p) => {
            inputs.function_name = p.function_name.clone();
            inputs.qualifier = p.qualifier.clone();
        }
        None => {
            inputs.function_name = function_name_for(account, &config.function);
            inputs.qualifier = config.qualifier.clone();
        }
    }
    // The dispatcher deleted, the API's permission to invoke it or its
    // permission to invoke the target removed: no dispatcher to record, so
    // the plan repairs it.
    let serves = dispatcher::serves(run, api_id, &dispatcher_arn, &config.function).await?;
    let dispatcher_arn = serves.then_some(dispatcher_arn);
    let headers_unset = prior_inputs.is_none_or(|p| p.response.headers.is_none());
    inputs.response = Response {
        status: config.status,
        headers: (!(config.headers.is_empty() && headers_unset)).then_some(config.headers),
        body: config.body,
    };
    Ok(State {
        inputs,
        computed: Computed {
            route_id: Some(route.id.clone()),
            integration_id: Some(integration_id),
            function_arn: Some(function_arn),
            dispatcher_arn,
        },
    })
}
