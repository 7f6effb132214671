//! `list "async_lambda_route"` (Terraform 1.14+ `terraform query`): the
//! routes of an HTTP API whose integration is one of the provider's
//! dispatcher integrations, whoever applied them, with their identity and,
//! when asked, the state an import gives. Two reads answer for the API:
//! its routes and its integrations.

use tokio::sync::mpsc;

use super::attr::API_ID;
use super::failure::{During, Error, Step};
use super::{identity, refresh};
use crate::aws::apigatewayv2;
use crate::aws::run::Run;
use crate::plugin::{ListRequest, Listed};

pub async fn list(
    run: Run<'_>,
    request: ListRequest,
    listed: mpsc::Sender<Listed>,
) -> Result<(), Error> {
    let api_id = request.config.get(API_ID).as_str().unwrap_or_default();
    let account = run.account().await?;
    let api = apigatewayv2::http_api(run, api_id).await.during(Step::ListRoutes)?;
    let Some(api) = api.as_ref() else {
        let region = run.region().to_owned();
        return Err(Error::NoApi { api_id: api_id.to_owned(), region, creating: false });
    };
    let mut routes: Vec<_> = api.routes.values().collect();
    routes.sort_by(|a, b| a.route_key.cmp(&b.route_key));
    let mut sent = 0;
    for route in routes {
        if sent == request.limit {
            break;
        }
        let integration = route.integration_id().and_then(|id| api.integrations.get(id)).cloned();
        let state = refresh::observe(run, api_id, route, integration, None).await?;
        if state.computed.integration_id.is_none() {
            continue; // Not dispatched: not an async route.
        }
        let value = state.to_value();
        let display_name = format!("{} -> {}", route.route_key, state.inputs.function_name);
        let route = Listed {
            identity: identity::of(&value, Some(&account.region), Some(&account.account_id)),
            display_name,
            state: request.include_state.then_some(value),
        };
        if listed.send(route).await.is_err() {
            break; // Terraform reads no more.
        }
        sent += 1;
    }
    Ok(())
}
