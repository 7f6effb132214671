//! Create, read, update, delete and import of one endpoint: the order of the
//! AWS calls, what to undo when a step fails, and how what AWS holds becomes
//! state.

use std::collections::BTreeMap;

use aws_sdk_apigateway::operation::get_method::GetMethodOutput;
use aws_sdk_apigateway::types::IntegrationType;

use super::model::{
    Desired, EndpointId, INVOCATION_TYPE_EVENT, INVOCATION_TYPE_PARAMETER, function_arn_from_uri,
    split_qualifier,
};
use super::{plan, remote, templates};
use crate::aws::clients::{Account, Aws};
use crate::aws::error::AwsError;
use crate::plugin::{AttributePath, Context, Diagnostic, Value};

/// A failed operation: what to tell the user, and the state to record.
pub struct Failure {
    pub diagnostic: Diagnostic,
    pub state: Value,
}

fn failed(step: &str, error: &AwsError, detail_suffix: &str) -> Diagnostic {
    let mut diagnostic =
        Diagnostic::error(format!("{step} failed"), format!("{error}{detail_suffix}"));
    if let Some(path) = blame(error) {
        diagnostic = diagnostic.at(path);
    }
    diagnostic
}

fn not_configured(error: &crate::aws::clients::ConfigureError) -> Diagnostic {
    Diagnostic::error("Cannot use the AWS credentials", error.to_string())
}

/// The attribute an AWS error is most likely about, so Terraform points at it.
fn blame(error: &AwsError) -> Option<AttributePath> {
    let message = error.message()?.to_ascii_lowercase();
    let attribute = if message.contains("function") {
        "function_name"
    } else if message.contains("rest api") || message.contains("restapi") {
        "rest_api_id"
    } else if message.contains("resource") {
        "resource_id"
    } else if message.contains("authorizer") {
        "authorizer_id"
    } else if message.contains("role") || message.contains("credentials") {
        "credentials"
    } else {
        return None;
    };
    Some(AttributePath::root(attribute))
}

/// The state after a successful create or update: the plan with every
/// computed value filled in.
fn applied_state(planned: &Value, account: &Account, d: &Desired, resource_path: &str) -> Value {
    let mut state = planned.as_map().cloned().unwrap_or_default();
    let set = |state: &mut BTreeMap<String, Value>, k: &str, v: String| {
        state.insert(k.to_owned(), Value::String(v));
    };
    set(&mut state, "id", d.id.to_string());
    set(&mut state, "resource_path", resource_path.to_owned());
    set(&mut state, "function_arn", d.function_arn(account));
    set(&mut state, "integration_uri", d.integration_uri(account));
    let (statement, source) = d.permission(account, resource_path);
    set(&mut state, "permission_statement_id", statement);
    set(&mut state, "permission_source_arn", source);
    let trigger = plan::redeployment_trigger(&state);
    state.insert("redeployment_trigger".into(), trigger);
    Value::Map(state)
}

/// The API Gateway part, in the order that never needs `depends_on`:
/// method, integration, method response, integration response.
async fn put_api_gateway_part(
    aws: &Aws,
    ctx: &Context,
    account: &Account,
    d: &Desired,
) -> Result<(), (&'static str, AwsError)> {
    remote::put_integration(aws, ctx, d, &d.integration_uri(account))
        .await
        .map_err(|e| ("Creating the integration", e))?;
    remote::put_method_response(aws, ctx, d)
        .await
        .map_err(|e| ("Creating the method response", e))?;
    remote::put_integration_response(aws, ctx, d)
        .await
        .map_err(|e| ("Creating the integration response", e))
}

/// Why the method could not be put.
enum ClaimError {
    /// A method made outside this endpoint is in the way.
    Foreign,
    Aws(AwsError),
}

impl From<AwsError> for ClaimError {
    fn from(e: AwsError) -> Self {
        ClaimError::Aws(e)
    }
}

/// Puts the method, after checking what is there: nothing, a leftover of this
/// very endpoint (a create interrupted before Terraform recorded it: the
/// provider was killed, or the answer to a call was lost), which is taken over
/// and rebuilt so the next apply converges, or someone else's method, which is
/// never touched. (AWS refuses to overwrite a method; LocalStack overwrites it
/// silently, so the check is ours.)
async fn claim_method(
    aws: &Aws,
    ctx: &Context,
    account: &Account,
    d: &Desired,
) -> Result<(), ClaimError> {
    if let Some(existing) = remote::get_method(aws, ctx, d).await? {
        let leftover = existing.method_integration().is_none_or(|i| {
            i.r#type() == Some(&IntegrationType::Aws)
                && i.uri() == Some(d.integration_uri(account).as_str())
                && i.request_parameters()
                    .and_then(|p| p.get(INVOCATION_TYPE_PARAMETER))
                    .map(String::as_str)
                    == Some(INVOCATION_TYPE_EVENT)
        });
        if !leftover {
            return Err(ClaimError::Foreign);
        }
        tracing::info!(endpoint = %d.id, "taking over a method left by an interrupted create");
        remote::delete_method(aws, ctx, d).await?;
    }
    Ok(remote::put_method(aws, ctx, d).await?)
}

/// Why the API resource of `id` was not found: no such REST API, or no such
/// resource in it; at the attribute to fix.
async fn missing_resource(aws: &Aws, ctx: &Context, id: &EndpointId) -> Diagnostic {
    // An error here only loses the distinction; the resource is missing either way.
    if let Ok(false) = remote::rest_api_exists(aws, ctx, &id.rest_api_id).await {
        Diagnostic::error(
            "REST API not found",
            format!(
                "API Gateway has no REST API {:?} in {}. Check rest_api_id and the provider's \
                 region.",
                id.rest_api_id, aws.region
            ),
        )
        .at(AttributePath::root("rest_api_id"))
    } else {
        Diagnostic::error(
            "REST API resource not found",
            format!(
                "REST API {:?} has no resource {:?}. Check resource_id.",
                id.rest_api_id, id.resource_id
            ),
        )
        .at(AttributePath::root("resource_id"))
    }
}

pub async fn create(aws: &Aws, ctx: &Context, planned: &Value) -> Result<Value, Failure> {
    let d = Desired::from_state(planned);
    let nothing_created = |diagnostic| Failure { diagnostic, state: Value::Null };
    let account = aws.account(ctx).await.map_err(|e| nothing_created(not_configured(&e)))?;
    let path = match remote::resource_path(aws, ctx, &d.id.rest_api_id, &d.id.resource_id).await {
        Ok(Some(path)) => path,
        Ok(None) => {
            let mut missing = missing_resource(aws, ctx, &d.id).await;
            missing.detail.push_str(" Nothing was created.");
            return Err(nothing_created(missing));
        }
        Err(e) => return Err(nothing_created(failed("Looking up the API resource", &e, ""))),
    };

    match claim_method(aws, ctx, account, &d).await {
        Ok(()) => {}
        Err(ClaimError::Foreign) => {
            return Err(nothing_created(
                Diagnostic::error(
                    "Method already exists",
                    format!(
                        "{} {} already has a method {}, made outside this resource. Import it \
                         with `terraform import <address> {}` or delete it; nothing was created.",
                        d.id.rest_api_id, path, d.id.http_method, d.id
                    ),
                )
                .at(AttributePath::root("http_method")),
            ));
        }
        Err(ClaimError::Aws(e)) => {
            return Err(nothing_created(failed(
                "Creating the method",
                &e,
                "; nothing was created.",
            )));
        }
    }

    let mut result = put_api_gateway_part(aws, ctx, account, &d).await;
    if result.is_ok()
        && let Some(statement_id) = d.statement_id()
    {
        let source_arn = d.source_arn(account, &path);
        result =
            remote::add_permission(aws, ctx, &d.function_arn(account), &statement_id, &source_arn)
                .await
                .map_err(|e| ("Adding the Lambda permission", e));
    }
    let Err((step, error)) = result else {
        return Ok(applied_state(planned, account, &d, &path));
    };

    // Undo what this create made, so a failed apply leaves nothing behind.
    if matches!(error, AwsError::Stopped { .. }) {
        // Stopped: no time to clean up. Record what may exist; Terraform
        // marks it tainted and the next apply replaces it.
        let state = applied_state(planned, account, &d, &path);
        return Err(Failure { diagnostic: failed(step, &error, ""), state });
    }
    match remote::delete_method(aws, ctx, &d).await {
        Ok(()) => Err(nothing_created(failed(
            step,
            &error,
            "; the method created so far was removed again.",
        ))),
        Err(cleanup) => Err(Failure {
            diagnostic: failed(
                step,
                &error,
                &format!(
                    "; removing the half-created method failed too ({cleanup}). It is kept in \
                     state as tainted: the next apply replaces it."
                ),
            ),
            state: applied_state(planned, account, &d, &path),
        }),
    }
}

/// Applies a change in place. The API Gateway part is rebuilt as one unit
/// whenever any of it changes: a stage serves its last deployment until it is
/// redeployed, so clients see nothing of the rebuild, and the integration
/// response can never be left behind (API Gateway drops it whenever an
/// integration is replaced).
pub async fn update(
    aws: &Aws,
    ctx: &Context,
    prior: &Value,
    planned: &Value,
) -> Result<Value, Failure> {
    let old = Desired::from_state(prior);
    let new = Desired::from_state(planned);
    let path = prior.get("resource_path").as_str().unwrap_or("/").to_owned();
    let keep_prior = |diagnostic| Failure { diagnostic, state: prior.clone() };
    let account = aws.account(ctx).await.map_err(|e| keep_prior(not_configured(&e)))?;

    let gateway_changed = api_gateway_part_differs(&old, &new)
        || prior.get("integration_uri").as_str() != Some(new.integration_uri(account).as_str())
        || prior.get("response_status_code").as_str() != Some(new.response_status_code.as_str());
    if gateway_changed {
        remote::delete_method(aws, ctx, &old)
            .await
            .map_err(|e| keep_prior(failed("Replacing the method", &e, "")))?;
        let rebuilt = async {
            remote::put_method(aws, ctx, &new).await.map_err(|e| ("Creating the method", e))?;
            put_api_gateway_part(aws, ctx, account, &new).await
        };
        if let Err((step, e)) = rebuilt.await {
            // The method is incomplete now; record the plan so the next
            // refresh sees what is really there and plans the repair.
            return Err(Failure {
                diagnostic: failed(step, &e, "; the next apply repairs the endpoint."),
                state: applied_state(planned, account, &new, &path),
            });
        }
    }

    let old_statement = prior.get("permission_statement_id").as_str().unwrap_or("");
    let old_source = prior.get("permission_source_arn").as_str().unwrap_or("");
    let (new_statement, new_source) = new.permission(account, &path);
    let new_function = new.function_arn(account);
    let old_function = prior.get("function_arn").as_str().unwrap_or("").to_owned();
    if (old_statement, old_source, old_function.as_str())
        != (new_statement.as_str(), new_source.as_str(), new_function.as_str())
    {
        if !old_statement.is_empty() && !old_function.is_empty() {
            remote::remove_permission(aws, ctx, &old_function, old_statement)
                .await
                .map_err(|e| keep_prior(failed("Removing the old Lambda permission", &e, "")))?;
        }
        if !new_statement.is_empty() {
            remote::add_permission(aws, ctx, &new_function, &new_statement, &new_source)
                .await
                .map_err(|e| Failure {
                    diagnostic: failed("Adding the Lambda permission", &e, ""),
                    state: applied_state(planned, account, &new, &path),
                })?;
        }
    }
    Ok(applied_state(planned, account, &new, &path))
}

/// Whether anything configured on the method, its integration or its
/// responses differs (the permission is handled on its own).
fn api_gateway_part_differs(old: &Desired, new: &Desired) -> bool {
    let part = |d: &Desired| {
        let mut d = d.clone();
        d.function_name.clear();
        d.qualifier = None;
        d
    };
    part(old) != part(new)
}

pub async fn delete(aws: &Aws, ctx: &Context, prior: &Value) -> Result<(), Diagnostic> {
    let d = Desired::from_state(prior);
    remote::delete_method(aws, ctx, &d).await.map_err(|e| failed("Deleting the method", &e, ""))?;
    let statement = prior.get("permission_statement_id").as_str().unwrap_or("");
    let function = prior.get("function_arn").as_str().unwrap_or("");
    if !statement.is_empty() && !function.is_empty() {
        remote::remove_permission(aws, ctx, function, statement)
            .await
            .map_err(|e| failed("Removing the Lambda permission", &e, ""))?;
    }
    Ok(())
}

/// Refreshes `prior` from AWS; null when the method is gone. Two calls:
/// GetMethod (method, integration and both responses) and GetPolicy.
pub async fn read(aws: &Aws, ctx: &Context, prior: &Value) -> Result<Value, Diagnostic> {
    let d = Desired::from_state(prior);
    let method =
        remote::get_method(aws, ctx, &d).await.map_err(|e| failed("Reading the method", &e, ""))?;
    match method {
        None => Ok(Value::Null),
        Some(method) => observe(aws, ctx, prior, &method).await,
    }
}

pub async fn import(aws: &Aws, ctx: &Context, id: &str) -> Result<Value, Diagnostic> {
    let id = EndpointId::parse(id).map_err(|why| Diagnostic::error("Invalid import id", why))?;
    let path = remote::resource_path(aws, ctx, &id.rest_api_id, &id.resource_id)
        .await
        .map_err(|e| failed("Looking up the API resource", &e, ""))?;
    let Some(path) = path else {
        // An import has no configuration to point at.
        return Err(Diagnostic { attribute: None, ..missing_resource(aws, ctx, &id).await });
    };
    let base = Value::object([
        ("id", Value::from(id.to_string())),
        ("rest_api_id", Value::from(id.rest_api_id.clone())),
        ("resource_id", Value::from(id.resource_id.clone())),
        ("http_method", Value::from(id.http_method.clone())),
        ("resource_path", Value::from(path.clone())),
    ]);
    let d = Desired::from_state(&base);
    let method = remote::get_method(aws, ctx, &d)
        .await
        .map_err(|e| failed("Reading the method", &e, ""))?
        .ok_or_else(|| {
            Diagnostic::error(
                "Cannot import: no such method",
                format!(
                    "{path} in REST API {:?} has no {} method.",
                    id.rest_api_id, id.http_method
                ),
            )
        })?;
    observe(aws, ctx, &base, &method).await
}

/// The function_name a user would write for `function_arn`: the bare name
/// when it is in the provider's account and region, else the unqualified ARN.
fn function_name_for(account: &Account, unqualified_arn: &str) -> String {
    let local_prefix = format!(
        "arn:{}:lambda:{}:{}:function:",
        account.partition, account.region, account.account_id
    );
    unqualified_arn.strip_prefix(&local_prefix).unwrap_or(unqualified_arn).to_owned()
}

/// What AWS holds, as state. Values equal to what `prior` says (up to AWS's
/// normalisation) keep the prior's spelling, so there is no perpetual diff.
async fn observe(
    aws: &Aws,
    ctx: &Context,
    prior: &Value,
    method: &GetMethodOutput,
) -> Result<Value, Diagnostic> {
    let source_arn = prior.get("permission_source_arn").as_str();
    let account = &aws.account_from(ctx, source_arn).await.map_err(|e| not_configured(&e))?;
    let mut state = prior.as_map().cloned().unwrap_or_default();
    let mut put = |k: &str, v: Value| {
        state.insert(k.to_owned(), v);
    };
    let opt = |s: Option<&str>| s.filter(|s| !s.is_empty()).map_or(Value::Null, Value::from);

    put("authorization", Value::from(method.authorization_type().unwrap_or("NONE")));
    put("authorizer_id", opt(method.authorizer_id()));
    put("api_key_required", Value::from(method.api_key_required().unwrap_or(false)));
    let scopes = method.authorization_scopes();
    put(
        "authorization_scopes",
        if scopes.is_empty() {
            Value::Null
        } else {
            keep_set_order(prior.get("authorization_scopes"), scopes)
        },
    );
    let request_parameters: BTreeMap<String, Value> = method
        .request_parameters()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), Value::from(*v)))
        .collect();
    put(
        "request_parameters",
        map_or_null(keep_key_spelling(prior.get("request_parameters"), request_parameters)),
    );

    let integration = method.method_integration();
    let async_uri = integration
        .filter(|i| i.r#type() == Some(&IntegrationType::Aws))
        .filter(|i| {
            i.request_parameters()
                .and_then(|p| p.get(INVOCATION_TYPE_PARAMETER))
                .map(String::as_str)
                == Some(INVOCATION_TYPE_EVENT)
        })
        .and_then(|i| i.uri())
        .filter(|uri| function_arn_from_uri(uri).is_some());
    match async_uri {
        Some(uri) => {
            let arn = function_arn_from_uri(uri).unwrap_or_default();
            put("integration_uri", Value::from(uri));
            put("function_arn", Value::from(arn));
            if Desired::from_state(prior).function_arn(account) != arn {
                let (unqualified, qualifier) = split_qualifier(arn);
                put("function_name", Value::from(function_name_for(account, unqualified)));
                put("qualifier", qualifier.map_or(Value::Null, Value::from));
            }
        }
        // Not an asynchronous Lambda integration (any more): the plan repairs it.
        None => put("integration_uri", Value::from("")),
    }
    if let Some(i) = integration {
        put("credentials", opt(i.credentials()));
        put("passthrough_behavior", Value::from(i.passthrough_behavior().unwrap_or("NEVER")));
        put("timeout_milliseconds", Value::from(i64::from(i.timeout_in_millis())));
        put(
            "request_templates",
            observed_templates("request_templates", prior, i.request_templates()),
        );
        let default_response = i
            .integration_responses()
            .into_iter()
            .flat_map(|r| r.values())
            .find(|r| r.selection_pattern().is_none_or(str::is_empty));
        let declared = |code: &str| method.method_responses().is_some_and(|m| m.contains_key(code));
        match default_response.and_then(|r| r.status_code().filter(|c| declared(c)).map(|c| (r, c)))
        {
            Some((response, code)) => {
                put("response_status_code", Value::from(code));
                put(
                    "response_templates",
                    observed_templates("response_templates", prior, response.response_templates()),
                );
                let parameters: BTreeMap<String, Value> = response
                    .response_parameters()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                    .collect();
                put(
                    "response_parameters",
                    map_or_null(keep_key_spelling(prior.get("response_parameters"), parameters)),
                );
            }
            // No response for the client: the plan repairs it.
            None => put("response_status_code", Value::from("")),
        }
    }

    let current = Desired::from_state(&Value::Map(state.clone()));
    let (statement, source) = match current.statement_id() {
        None => (String::new(), String::new()),
        Some(statement_id) => {
            let function = state.get("function_arn").and_then(Value::as_str).map(str::to_owned);
            let function = function.unwrap_or_else(|| current.function_arn(account));
            match remote::permission_source_arn(aws, ctx, &function, &statement_id)
                .await
                .map_err(|e| failed("Reading the function's policy", &e, ""))?
            {
                Some(source) => (statement_id, source),
                None => (String::new(), String::new()),
            }
        }
    };
    state.insert("permission_statement_id".into(), Value::from(statement));
    state.insert("permission_source_arn".into(), Value::from(source));
    let trigger = plan::redeployment_trigger(&state);
    state.insert("redeployment_trigger".into(), trigger);
    Ok(Value::Map(state))
}

/// Templates as state: null when they are the built-in ones, the prior's
/// text when equal but for whitespace, else what AWS holds.
fn observed_templates(
    attribute: &str,
    prior: &Value,
    observed: Option<&std::collections::HashMap<String, String>>,
) -> Value {
    let observed: BTreeMap<String, String> =
        observed.into_iter().flatten().map(|(k, v)| (k.clone(), v.clone())).collect();
    let same = |value: &Value| {
        let Some(map) = value.as_map() else { return false };
        map.len() == observed.len()
            && map.iter().all(|(k, v)| {
                observed.get(k).zip(v.as_str()).is_some_and(|(a, b)| {
                    templates::normalise_whitespace(a) == templates::normalise_whitespace(b)
                })
            })
    };
    let prior_value = prior.get(attribute);
    if !prior_value.is_null() && same(prior_value) {
        return prior_value.clone();
    }
    if same(&templates::effective(attribute, &Value::Null)) {
        return Value::Null;
    }
    Value::Map(observed.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
}

/// HTTP header names are case-insensitive and AWS may change their case:
/// keep the prior spelling of keys that match but for case.
fn keep_key_spelling(prior: &Value, observed: BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    let prior_keys: Vec<&String> = prior.as_map().into_iter().flat_map(|m| m.keys()).collect();
    observed
        .into_iter()
        .map(|(k, v)| {
            let spelled =
                prior_keys.iter().find(|p| p.eq_ignore_ascii_case(&k)).map_or(k, |p| (*p).clone());
            (spelled, v)
        })
        .collect()
}

fn map_or_null(map: BTreeMap<String, Value>) -> Value {
    if map.is_empty() { Value::Null } else { Value::Map(map) }
}

/// A set as a list: the prior order when the members are the same.
fn keep_set_order(prior: &Value, observed: &[String]) -> Value {
    let mut sorted_prior: Vec<&str> =
        prior.as_list().into_iter().flatten().filter_map(Value::as_str).collect();
    let mut sorted_observed: Vec<&str> = observed.iter().map(String::as_str).collect();
    sorted_prior.sort_unstable();
    sorted_observed.sort_unstable();
    if sorted_prior == sorted_observed {
        prior.clone()
    } else {
        Value::List(observed.iter().map(|s| Value::from(s.as_str())).collect())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn templates(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn built_in_templates_read_back_as_unset() {
        let built_in = templates::effective("request_templates", &Value::Null).into_owned();
        let observed: HashMap<String, String> = built_in
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let state = observed_templates("request_templates", &Value::Null, Some(&observed));
        assert_eq!(state, Value::Null);
    }

    #[test]
    fn whitespace_differences_keep_the_configured_text() {
        let prior = Value::object([(
            "request_templates",
            Value::object([("application/json", Value::from("{\"a\": 1}  \r\n"))]),
        )]);
        let observed = templates(&[("application/json", "{\"a\": 1}")]);
        let state = observed_templates("request_templates", &prior, Some(&observed));
        assert_eq!(&state, prior.get("request_templates"));
    }

    #[test]
    fn real_template_changes_show_as_drift() {
        let prior = Value::object([(
            "request_templates",
            Value::object([("application/json", Value::from("{}"))]),
        )]);
        let observed = templates(&[("application/json", "{\"x\": 1}")]);
        let state = observed_templates("request_templates", &prior, Some(&observed));
        assert_eq!(state, Value::object([("application/json", Value::from("{\"x\": 1}"))]));
    }

    #[test]
    fn header_names_keep_their_configured_case() {
        let prior = Value::object([("method.request.header.X-Signature", Value::from(true))]);
        let observed =
            BTreeMap::from([("method.request.header.x-signature".to_owned(), Value::from(true))]);
        let kept = keep_key_spelling(&prior, observed);
        assert!(kept.contains_key("method.request.header.X-Signature"));
    }

    #[test]
    fn imported_functions_are_named_like_users_write_them() {
        let account = Account {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account_id: "123456789012".into(),
        };
        assert_eq!(
            function_name_for(&account, "arn:aws:lambda:us-east-1:123456789012:function:worker"),
            "worker"
        );
        let foreign = "arn:aws:lambda:eu-west-1:123456789012:function:worker";
        assert_eq!(function_name_for(&account, foreign), foreign);
    }
}
