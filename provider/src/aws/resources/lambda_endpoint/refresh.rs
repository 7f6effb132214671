//! Reading what AWS holds for an endpoint, for a refresh or an import, as
//! state: the run's read of the REST API answers for the method, its
//! integration and both responses (GetMethod where it cannot tell); the
//! run's read of the function's policy for the permission.

use aws_sdk_apigateway::types::{Integration as AwsIntegration, Method as AwsMethod};

use super::arn::{function_arn_from_uri, function_name_for, split_qualifier};
use super::failure::Error;
use super::model::{
    Computed, EndpointId, Inputs, Integration, Method, Permission, Response, State, non_empty,
};
use super::normalise;
use super::remote;
use super::shared::{Guarded, Lookup, RestApi, Shared};
use super::state::FromValue;
use super::step::{During, Step};
use super::templates;
use crate::aws::clients::{Account, Aws};
use crate::plugin::{Context, Value};

/// `prior` as AWS holds it now; `None` when the method is gone.
pub async fn read(
    aws: &Aws,
    shared: &Shared,
    ctx: &Context,
    prior: &Value,
) -> Result<Option<State>, Error> {
    let mut prior = State::from_value(prior);
    let Some(method) = method(aws, shared, ctx, &prior.inputs.id, Step::ReadMethod).await? else {
        return Ok(None);
    };
    // Only a state taken over with `moved` lacks the path.
    if prior.computed.resource_path.is_empty() {
        let api = shared.rest_api(aws, ctx, &prior.inputs.id.rest_api_id).await;
        let api = api.during(Step::LookUpResource)?;
        prior.computed.resource_path =
            resource_path(aws, ctx, &api, &prior.inputs.id, false).await?;
    }
    observe(aws, shared, ctx, prior, &method).await.map(Some)
}

pub async fn import(
    aws: &Aws,
    shared: &Shared,
    ctx: &Context,
    id: EndpointId,
) -> Result<State, Error> {
    let api = shared.rest_api(aws, ctx, &id.rest_api_id).await.during(Step::LookUpResource)?;
    let resource_path = resource_path(aws, ctx, &api, &id, false).await?;
    let Some(method) = method(aws, shared, ctx, &id, Step::ReadMethod).await? else {
        return Err(Error::NoMethodToImport { id, path: resource_path });
    };
    let found = State {
        inputs: Inputs { id, ..Inputs::default() },
        computed: Computed { resource_path, ..Computed::default() },
    };
    observe(aws, shared, ctx, found, &method).await
}

/// The path of the endpoint's API resource, or which of the REST API and
/// the resource is missing. A resource the run's read of the REST API does
/// not know may have been made since (in this very apply): it is asked for.
pub async fn resource_path(
    aws: &Aws,
    ctx: &Context,
    api: &Guarded<RestApi>,
    id: &EndpointId,
    creating: bool,
) -> Result<String, Error> {
    if let Some(path) = api.lock().path(&id.resource_id) {
        return Ok(path.to_owned());
    }
    if let Some(path) = remote::resource_path(aws, ctx, id).await.during(Step::LookUpResource)? {
        api.lock().learned(&id.resource_id, &path);
        return Ok(path);
    }
    // An error here only loses the distinction; the resource is missing either way.
    Err(match remote::rest_api_exists(aws, ctx, id).await {
        Ok(false) => Error::NoRestApi { id: id.clone(), region: aws.region.clone(), creating },
        _ => Error::NoResource { id: id.clone(), creating },
    })
}

/// The endpoint's method as the run's read of its REST API has it, or as
/// GetMethod answers where that read cannot tell; `None` when it is gone.
async fn method(
    aws: &Aws,
    shared: &Shared,
    ctx: &Context,
    id: &EndpointId,
    step: Step,
) -> Result<Option<AwsMethod>, Error> {
    let api = shared.rest_api(aws, ctx, &id.rest_api_id).await.during(step)?;
    let lookup = api.lock().take(id);
    match lookup {
        Lookup::Absent => Ok(None),
        Lookup::Read(method) => Ok(Some(*method)),
        Lookup::Unread => Ok(remote::get_method(aws, ctx, id).await.during(step)?),
    }
}

/// `prior` with what AWS holds of `method` and the permission.
async fn observe(
    aws: &Aws,
    shared: &Shared,
    ctx: &Context,
    prior: State,
    method: &AwsMethod,
) -> Result<State, Error> {
    let source_arn = prior.computed.wiring.permission.as_ref().map(|p| p.source_arn.as_str());
    let account = &aws.account_from(ctx, source_arn).await?;
    let mut state = prior;
    state.inputs.method = observe_method(&state.inputs.method, method);
    let integration = method.method_integration();
    observe_function(&mut state, integration.and_then(remote::async_invocation_uri), account);
    if let Some(integration) = integration {
        state.inputs.target.credentials = non_blank(integration.credentials());
        state.inputs.integration = observe_integration(&state.inputs.integration, integration);
        state.inputs.response = observe_response(&state.inputs.response, integration, method);
    }
    state.computed.wiring.permission =
        observe_permission(aws, shared, ctx, &state, account).await?;
    Ok(state)
}

fn non_blank(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_owned)
}

fn observe_method(prior: &Method, method: &AwsMethod) -> Method {
    let default = Method::default();
    let parameters = method.request_parameters().into_iter().flatten();
    let parameters = parameters.map(|(k, v)| (k.clone(), *v)).collect();
    Method {
        authorization: method.authorization_type().map_or(default.authorization, str::to_owned),
        authorizer_id: non_blank(method.authorizer_id()),
        authorization_scopes: normalise::set_order(
            prior.authorization_scopes.as_deref(),
            method.authorization_scopes(),
        ),
        api_key_required: method.api_key_required().unwrap_or(default.api_key_required),
        request_parameters: non_empty(Some(normalise::key_spelling(
            prior.request_parameters.as_ref(),
            parameters,
        ))),
    }
}

/// The function behind the asynchronous integration `uri`, named as the
/// prior names it when it is the same. Without one (the method's
/// integration was replaced or removed) the URI is empty: the plan repairs it.
fn observe_function(state: &mut State, uri: Option<&str>, account: &Account) {
    let wiring = &mut state.computed.wiring;
    let Some(uri) = uri else {
        wiring.integration_uri = String::new();
        return;
    };
    let function_arn = function_arn_from_uri(uri).unwrap_or_default();
    if state.inputs.function_arn(account) != function_arn {
        let (unqualified, qualifier) = split_qualifier(function_arn);
        state.inputs.target.function_name = function_name_for(account, unqualified);
        state.inputs.target.qualifier = qualifier.map(str::to_owned);
    }
    wiring.integration_uri = uri.to_owned();
    wiring.function_arn = function_arn.to_owned();
}

fn observe_integration(prior: &Integration, integration: &AwsIntegration) -> Integration {
    let default = Integration::default();
    Integration {
        request_templates: normalise::templates(
            prior.request_templates.as_ref(),
            templates::built_in_request_templates(),
            integration.request_templates(),
        ),
        passthrough_behavior: integration
            .passthrough_behavior()
            .map_or(default.passthrough_behavior, str::to_owned),
        timeout_milliseconds: integration.timeout_in_millis(),
    }
}

/// The default integration response (no selection pattern), when the method
/// declares its status; without it the client gets no answer, the status
/// reads empty and the plan repairs it.
fn observe_response(
    prior: &Response,
    integration: &AwsIntegration,
    method: &AwsMethod,
) -> Response {
    let declared = |code: &str| method.method_responses().is_some_and(|m| m.contains_key(code));
    let default_response = integration
        .integration_responses()
        .into_iter()
        .flat_map(|r| r.values())
        .find(|r| r.selection_pattern().is_none_or(str::is_empty));
    let Some((response, status_code)) = default_response
        .and_then(|r| r.status_code().filter(|code| declared(code)).map(|code| (r, code)))
    else {
        return Response { status_code: String::new(), ..prior.clone() };
    };
    let parameters = response.response_parameters().into_iter().flatten();
    let parameters = parameters.map(|(k, v)| (k.clone(), v.clone())).collect();
    Response {
        status_code: status_code.to_owned(),
        templates: normalise::templates(
            prior.templates.as_ref(),
            templates::built_in_response_templates(),
            response.response_templates(),
        ),
        parameters: non_empty(Some(normalise::key_spelling(prior.parameters.as_ref(), parameters))),
    }
}

/// The statement in the function's policy the endpoint invokes through, if
/// it needs one: the one its state records, else the REST API's shared one,
/// else any other that grants API Gateway this method within the REST API
/// (the recipe's, a hand-made one), which the endpoint adopts as it is.
/// Each only while it still grants the method.
async fn observe_permission(
    aws: &Aws,
    shared: &Shared,
    ctx: &Context,
    state: &State,
    account: &Account,
) -> Result<Option<Permission>, Error> {
    let Some(shared_statement) = state.inputs.statement_id() else { return Ok(None) };
    let wiring = &state.computed.wiring;
    let recorded = wiring.permission.as_ref().map(|p| p.statement_id.as_str());
    // Empty only for an import of a method that invokes no function asynchronously.
    let function = if wiring.function_arn.is_empty() {
        state.inputs.function_arn(account)
    } else {
        wiring.function_arn.clone()
    };
    let policy = shared.policy(aws, ctx, &function).await.during(Step::ReadPolicy)?;
    let statements = policy.lock();
    let (id, path) = (&state.inputs.id, state.computed.resource_path.as_str());
    let granting: Vec<&Permission> =
        statements.iter().filter(|s| s.covers(account, id, path)).collect();
    let named = |sid: &str| granting.iter().find(|s| s.statement_id == sid).copied();
    let found = recorded.and_then(named).or_else(|| named(&shared_statement));
    Ok(found.or_else(|| granting.first().copied()).cloned())
}
