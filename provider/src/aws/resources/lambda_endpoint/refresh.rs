//! Reading what AWS holds for an endpoint, for a refresh or an import, as
//! state: the run's read of the REST API answers for the method, its
//! integration and both responses (GetMethod where it cannot tell); the
//! run's read of the function's policy for the permission.

use std::sync::Arc;

use aws_sdk_apigateway::types::{Integration as AwsIntegration, Method as AwsMethod};

use super::failure::Error;
use super::model::{
    Authorization, Computed, Delivery, EndpointId, Inputs, Integration, Method,
    PassthroughBehavior, Permission, Response, State, StatusCode, non_empty,
};
use super::normalise;
use super::remote;
use super::request_schema;
use super::state::FromValue;
use super::step::{During, Step};
use super::templates;
use crate::aws::apigateway::lambda_integration::{
    async_invocation_uri, default_response, function_arn_from_uri,
};
use crate::aws::apigateway::{self, AtMethod, RestApi, execute_api, request_validator};
use crate::aws::arn::Account;
use crate::aws::dispatcher::{
    self,
    endpoint_alias::{self, EndpointAlias},
};
use crate::aws::error::AwsError;
use crate::aws::lambda::{self, function_name_for, split_qualifier};
use crate::aws::resources::failure::UnrecognisedValue;
use crate::aws::run::Run;
use crate::plugin::{Guarded, Value};

/// The REST API `rest_api_id` as the run sees it, the built-in request
/// templates kept as a mark.
pub async fn rest_api(run: Run<'_>, rest_api_id: &str) -> Result<Arc<Guarded<RestApi>>, AwsError> {
    apigateway::rest_api(run, rest_api_id, templates::built_in_request_templates()).await
}

/// `prior` as AWS holds it now; `None` when the method is gone.
pub async fn read(run: Run<'_>, prior: &Value) -> Result<Option<State>, Error> {
    let mut prior = State::from_value(prior);
    let Some(method) = method(run, &prior.inputs.id, Step::ReadMethod).await? else {
        return Ok(None);
    };
    // Only a state taken over with `moved` lacks the path.
    if prior.computed.resource_path.is_none() {
        let api = rest_api(run, &prior.inputs.id.rest_api_id).await;
        let api = api.during(Step::LookUpResource)?;
        let path = resource_path(run, &api, &prior.inputs.id, false).await?;
        prior.computed.resource_path = Some(path);
    }
    observe(run, prior, &method).await.map(Some)
}

pub async fn import(run: Run<'_>, id: EndpointId) -> Result<State, Error> {
    let api = rest_api(run, &id.rest_api_id).await.during(Step::LookUpResource)?;
    let resource_path = resource_path(run, &api, &id, false).await?;
    let Some(method) = method(run, &id, Step::ReadMethod).await? else {
        return Err(Error::NoMethodToImport { id, path: resource_path });
    };
    let found = State {
        inputs: Inputs { id, ..Inputs::default() },
        computed: Computed { resource_path: Some(resource_path), ..Computed::default() },
    };
    observe(run, found, &method).await
}

/// The path of the endpoint's API resource, or which of the REST API and
/// the resource is missing. A resource the run's read of the REST API does
/// not know may have been made since (in this very apply): it is asked for.
pub async fn resource_path(
    run: Run<'_>,
    api: &Guarded<RestApi>,
    id: &EndpointId,
    creating: bool,
) -> Result<String, Error> {
    if let Some(path) = api.lock().path(&id.resource_id) {
        return Ok(path.to_owned());
    }
    let path = apigateway::resource_path(run, &id.rest_api_id, &id.resource_id).await;
    if let Some(path) = path.during(Step::LookUpResource)? {
        api.lock().learned(&id.resource_id, &path);
        return Ok(path);
    }
    // An error here only loses the distinction; the resource is missing either way.
    Err(match apigateway::rest_api_exists(run, &id.rest_api_id).await {
        Ok(false) => Error::NoRestApi { id: id.clone(), region: run.region().to_owned(), creating },
        _ => Error::NoResource { id: id.clone(), creating },
    })
}

/// The endpoint's method as the run's read of its REST API has it, or as
/// GetMethod answers where that read cannot tell; `None` when it is gone.
async fn method(run: Run<'_>, id: &EndpointId, step: Step) -> Result<Option<AwsMethod>, Error> {
    let api = rest_api(run, &id.rest_api_id).await.during(step)?;
    let at = api.lock().take(id);
    match at {
        AtMethod::Absent => Ok(None),
        AtMethod::Async { method: Some(method), .. } => Ok(Some(*method)),
        _ => Ok(apigateway::get_method(run, id).await.during(step)?),
    }
}

/// `prior` with what AWS holds of `method` and the permission.
async fn observe(run: Run<'_>, prior: State, method: &AwsMethod) -> Result<State, Error> {
    let source_arn = prior.computed.wiring.permission.as_ref().map(|p| p.source_arn.as_str());
    let account = &run.aws.account_from(run.ctx, source_arn).await?;
    let mut state = prior;
    let request_schema = observe_schema(run, &state.inputs, method).await?;
    state.inputs.method =
        Method { request_schema, ..observe_method(&state.inputs.method, method)? };
    state.computed.request_validator_id = observe_validator(run, &state, method).await?;
    let integration = method.method_integration();
    let dispatch =
        observe_function(&mut state, integration.and_then(async_invocation_uri), account);
    match (integration, dispatch) {
        (Some(integration), Some(dispatch)) => {
            // A proxy integration: no templates, and the alias says the status.
            state.inputs.target.credentials = None;
            state.inputs.integration = Integration {
                timeout_milliseconds: integration.timeout_in_millis(),
                ..Integration::default()
            };
            state.inputs.response = Response {
                status_code: StatusCode::parse(&dispatch.status.to_string()),
                templates: None,
                parameters: None,
            };
        }
        (Some(integration), None) => {
            state.inputs.target.credentials = non_blank(integration.credentials());
            state.inputs.integration = observe_integration(&state.inputs.integration, integration)?;
            state.inputs.response = observe_response(&state.inputs.response, integration, method);
        }
        (None, _) => {}
    }
    state.computed.wiring.permission = observe_permission(run, &state, account).await?;
    Ok(state)
}

fn non_blank(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_owned)
}

/// A closed set's name as API Gateway answered it (`None`: the default).
/// AWS documents every name it answers; an unknown one is an error, not a
/// guess.
fn named<T>(
    answered: Option<&str>,
    default: T,
    parse: fn(&str) -> Option<T>,
    attribute: &'static str,
) -> Result<T, Error> {
    match answered {
        None => Ok(default),
        Some(name) => parse(name)
            .ok_or_else(|| UnrecognisedValue { attribute, value: name.to_owned() }.into()),
    }
}

/// The schema of the endpoint's model, when the method validates its JSON
/// bodies with it: as the prior spells it when the model holds that.
async fn observe_schema(
    run: Run<'_>,
    prior: &Inputs,
    method: &AwsMethod,
) -> Result<Option<String>, Error> {
    let id = &prior.id;
    let model = method.request_models().and_then(|m| m.get(request_schema::CONTENT_TYPE));
    if model != Some(&id.model_name()) {
        return Ok(None);
    }
    let Some(held) = remote::model_schema(run, id).await.during(Step::ReadMethod)? else {
        return Ok(None);
    };
    Ok(Some(match &prior.method.request_schema {
        Some(text) if request_schema::holds(&held, text) => text.clone(),
        Some(_) => held,
        None => request_schema::as_configured(&held),
    }))
}

/// The validator checking the method's requests, while the endpoint needs
/// one and it checks what the endpoint needs checked. A method that needs none
/// keeps whatever validator it has: not this endpoint's business.
async fn observe_validator(
    run: Run<'_>,
    state: &State,
    method: &AwsMethod,
) -> Result<Option<String>, Error> {
    let Some(validator) = non_blank(method.request_validator_id()) else { return Ok(None) };
    let Some(validation) = state.inputs.method.validation() else { return Ok(None) };
    let api = &state.inputs.id.rest_api_id;
    let checks = request_validator::checks(run, api, &validator, validation);
    Ok(checks.await.during(Step::ReadMethod)?.then_some(validator))
}

fn observe_method(prior: &Method, method: &AwsMethod) -> Result<Method, Error> {
    let default = Method::default();
    let parameters = method.request_parameters().into_iter().flatten();
    let parameters = parameters.map(|(k, v)| (k.clone(), *v)).collect();
    Ok(Method {
        authorization: named(
            method.authorization_type(),
            default.authorization,
            Authorization::parse,
            super::attr::AUTHORIZATION,
        )?,
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
        request_schema: None,
    })
}

/// The function behind the asynchronous integration `uri` (directly, or
/// through the dispatcher's alias, returned), named as the prior names it
/// when it is the same. Without one (the method's integration was replaced
/// or removed) there is no URI: the plan repairs it.
fn observe_function(
    state: &mut State,
    uri: Option<&str>,
    account: &Account,
) -> Option<EndpointAlias> {
    let wiring = &mut state.computed.wiring;
    let Some((uri, invoked_arn)) = uri.and_then(|uri| Some((uri, function_arn_from_uri(uri)?)))
    else {
        wiring.integration_uri = None;
        return None;
    };
    let dispatch = endpoint_alias::of_arn(invoked_arn);
    let function_arn = match &dispatch {
        Some((alias, at)) => alias.target_arn(at),
        None => invoked_arn.to_owned(),
    };
    state.inputs.target.delivery =
        if dispatch.is_some() { Delivery::Dispatcher } else { Delivery::Direct };
    if state.inputs.function_arn(account) != function_arn {
        let (unqualified, qualifier) = split_qualifier(&function_arn);
        state.inputs.target.function_name = function_name_for(account, unqualified);
        state.inputs.target.qualifier = qualifier.map(str::to_owned);
    }
    wiring.integration_uri = Some(uri.to_owned());
    wiring.function_arn = Some(function_arn);
    dispatch.map(|(alias, _)| alias)
}

fn observe_integration(
    prior: &Integration,
    integration: &AwsIntegration,
) -> Result<Integration, Error> {
    let default = Integration::default();
    Ok(Integration {
        request_templates: normalise::templates(
            prior.request_templates.as_ref(),
            templates::built_in_request_templates(),
            integration.request_templates(),
        ),
        passthrough_behavior: named(
            integration.passthrough_behavior(),
            default.passthrough_behavior,
            PassthroughBehavior::parse,
            super::attr::PASSTHROUGH_BEHAVIOR,
        )?,
        timeout_milliseconds: integration.timeout_in_millis(),
    })
}

/// The default integration response (no selection pattern), when the method
/// declares its status; without it the client gets no answer, the status
/// reads as none and the plan repairs it.
fn observe_response(
    prior: &Response,
    integration: &AwsIntegration,
    method: &AwsMethod,
) -> Response {
    let declared = |code: &str| method.method_responses().is_some_and(|m| m.contains_key(code));
    let Some((response, status_code)) = default_response(integration).and_then(|r| {
        let code = r.status_code().filter(|code| declared(code))?;
        Some((r, StatusCode::parse(code)?))
    }) else {
        return Response { status_code: None, ..prior.clone() };
    };
    let parameters = response.response_parameters().into_iter().flatten();
    let parameters = parameters.map(|(k, v)| (k.clone(), v.clone())).collect();
    Response {
        status_code: Some(status_code),
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
    run: Run<'_>,
    state: &State,
    account: &Account,
) -> Result<Option<Permission>, Error> {
    let Some(shared_statement) = state.inputs.statement_id() else { return Ok(None) };
    let wiring = &state.computed.wiring;
    let recorded = wiring.permission.as_ref().map(|p| p.statement_id.as_str());
    if let Some(alias) = wiring.dispatcher_alias() {
        let target = split_qualifier(wiring.function_arn.as_deref().unwrap_or_default()).0;
        if !dispatcher::endpoints::serves(run, &alias, &state.inputs.id.rest_api_id, target).await?
        {
            // Gone, outdated or not allowed to invoke the function: the plan
            // repairs the dispatch, which makes sure of each.
            return Ok(None);
        }
    }
    // None only for an import of a method that invokes no function asynchronously.
    let invoked = wiring
        .invoked_arn()
        .map_or_else(|| state.inputs.invocation(account).invoked_arn, str::to_owned);
    let statements = lambda::statements(run, &invoked).await.during(Step::ReadPolicy)?;
    // Read and import know the path by now.
    let path = state.computed.resource_path.as_deref().unwrap_or_default();
    let id = &state.inputs.id;
    let granting: Vec<Permission> = statements
        .iter()
        .filter_map(|s| s.permission())
        .filter(|p| execute_api::grants(&p.source_arn, account, id, path))
        .collect();
    let named = |sid: &str| granting.iter().find(|p| p.statement_id == sid);
    let found = recorded.and_then(named).or_else(|| named(&shared_statement));
    Ok(found.or_else(|| granting.first()).cloned())
}
