//! The endpoint as typed data: its id, what the configuration asks for, and
//! the names and ARNs derived from it.

use std::collections::BTreeMap;

use super::templates;
use super::validate::is_api_id;
use crate::aws::clients::Account;
use crate::aws::function_ref::FunctionRef;
use crate::plugin::Value;

/// Selects the asynchronous invocation in the integration request.
pub const INVOCATION_TYPE_PARAMETER: &str = "integration.request.header.X-Amz-Invocation-Type";
pub const INVOCATION_TYPE_EVENT: &str = "'Event'";

/// `REST_API_ID/RESOURCE_ID/HTTP_METHOD`, the resource's id and import id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointId {
    pub rest_api_id: String,
    pub resource_id: String,
    pub http_method: String,
}

impl EndpointId {
    pub fn parse(id: &str) -> Result<EndpointId, String> {
        let parts: Vec<&str> = id.split('/').collect();
        match parts.as_slice() {
            [api, resource, method]
                if is_api_id(api)
                    && is_api_id(resource)
                    && super::schema::HTTP_METHODS.contains(method) =>
            {
                Ok(EndpointId {
                    rest_api_id: (*api).to_owned(),
                    resource_id: (*resource).to_owned(),
                    http_method: (*method).to_owned(),
                })
            }
            _ => Err(format!(
                "{id:?} is not an endpoint id. Expected REST_API_ID/RESOURCE_ID/HTTP_METHOD, e.g. \
                 a1b2c3d4e5/f6g7h8/POST, with HTTP_METHOD one of {}.",
                super::schema::HTTP_METHODS.join(", ")
            )),
        }
    }

    /// The Lambda permission statement this endpoint owns. Deterministic, so a
    /// retried or re-run create finds its own statement instead of adding a second.
    pub fn statement_id(&self) -> String {
        format!("async-endpoint-{}-{}-{}", self.rest_api_id, self.resource_id, self.http_method)
    }
}

impl std::fmt::Display for EndpointId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.rest_api_id, self.resource_id, self.http_method)
    }
}

/// What a (known) planned or prior state asks for, with defaults applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Desired {
    pub id: EndpointId,
    pub function_name: String,
    pub qualifier: Option<String>,
    pub authorization: String,
    pub authorizer_id: Option<String>,
    pub authorization_scopes: Vec<String>,
    pub api_key_required: bool,
    pub request_parameters: BTreeMap<String, bool>,
    pub request_templates: BTreeMap<String, String>,
    pub passthrough_behavior: String,
    pub response_status_code: String,
    pub response_templates: BTreeMap<String, String>,
    pub response_parameters: BTreeMap<String, String>,
    pub credentials: Option<String>,
    pub timeout_milliseconds: i32,
}

fn string(state: &Value, name: &str) -> Option<String> {
    state.get(name).as_str().map(str::to_owned)
}

fn string_map(value: &Value) -> BTreeMap<String, String> {
    value
        .as_map()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
        .collect()
}

impl Desired {
    pub fn from_state(state: &Value) -> Desired {
        Desired {
            id: EndpointId {
                rest_api_id: string(state, "rest_api_id").unwrap_or_default(),
                resource_id: string(state, "resource_id").unwrap_or_default(),
                http_method: string(state, "http_method").unwrap_or_default(),
            },
            function_name: string(state, "function_name").unwrap_or_default(),
            qualifier: string(state, "qualifier"),
            authorization: string(state, "authorization").unwrap_or_else(|| "NONE".into()),
            authorizer_id: string(state, "authorizer_id"),
            authorization_scopes: state
                .get("authorization_scopes")
                .as_list()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            api_key_required: state.get("api_key_required").as_bool().unwrap_or(false),
            request_parameters: state
                .get("request_parameters")
                .as_map()
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((k.clone(), v.as_bool()?)))
                .collect(),
            request_templates: string_map(&templates::effective(
                "request_templates",
                state.get("request_templates"),
            )),
            passthrough_behavior: string(state, "passthrough_behavior")
                .unwrap_or_else(|| "NEVER".into()),
            response_status_code: string(state, "response_status_code")
                .unwrap_or_else(|| "202".into()),
            response_templates: string_map(&templates::effective(
                "response_templates",
                state.get("response_templates"),
            )),
            response_parameters: string_map(state.get("response_parameters")),
            credentials: string(state, "credentials"),
            timeout_milliseconds: state
                .get("timeout_milliseconds")
                .as_i64()
                .and_then(|t| i32::try_from(t).ok())
                .unwrap_or(29_000),
        }
    }

    /// The qualified function ARN the integration invokes; names and partial
    /// ARNs are completed with the provider's partition, region and account.
    pub fn function_arn(&self, account: &Account) -> String {
        let f = FunctionRef::parse(&self.function_name).unwrap_or(FunctionRef {
            partition: None,
            region: None,
            account: None,
            name: self.function_name.clone(),
            qualifier: None,
        });
        let base = format!(
            "arn:{}:lambda:{}:{}:function:{}",
            f.partition.as_deref().unwrap_or(&account.partition),
            f.region.as_deref().unwrap_or(&account.region),
            f.account.as_deref().unwrap_or(&account.account_id),
            f.name
        );
        match f.qualifier.or_else(|| self.qualifier.clone()) {
            Some(q) => format!("{base}:{q}"),
            None => base,
        }
    }

    pub fn integration_uri(&self, account: &Account) -> String {
        invocation_uri(&account.partition, &account.region, &self.function_arn(account))
    }

    /// The statement id of the permission, or `None` when API Gateway
    /// invokes through `credentials` and needs no permission.
    pub fn statement_id(&self) -> Option<String> {
        self.credentials.is_none().then(|| self.id.statement_id())
    }

    /// The permission as state records it: its statement id and source ARN,
    /// both empty when `credentials` replaces it.
    pub fn permission(&self, account: &Account, resource_path: &str) -> (String, String) {
        match self.statement_id() {
            Some(statement) => (statement, self.source_arn(account, resource_path)),
            None => (String::new(), String::new()),
        }
    }

    /// The narrowest source ARN that lets this method invoke the function:
    /// this API, any stage, this method, this path.
    pub fn source_arn(&self, account: &Account, resource_path: &str) -> String {
        let method = if self.id.http_method == "ANY" { "*" } else { &self.id.http_method };
        let path: Vec<&str> = resource_path
            .split('/')
            .map(|segment| if segment.starts_with('{') { "*" } else { segment })
            .collect();
        format!(
            "arn:{}:execute-api:{}:{}:{}/*/{method}{}",
            account.partition,
            account.region,
            account.account_id,
            self.id.rest_api_id,
            path.join("/")
        )
    }
}

/// `arn:PARTITION:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations`.
pub fn invocation_uri(partition: &str, region: &str, function_arn: &str) -> String {
    format!(
        "arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )
}

/// The function ARN inside an invocation URI.
pub fn function_arn_from_uri(uri: &str) -> Option<&str> {
    let (_, rest) = uri.split_once(":lambda:path/2015-03-31/functions/")?;
    rest.strip_suffix("/invocations")
}

/// Splits a qualified function ARN into the unqualified ARN and the qualifier.
pub fn split_qualifier(function_arn: &str) -> (&str, Option<&str>) {
    // arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
    match function_arn.match_indices(':').nth(6) {
        Some((i, _)) => (&function_arn[..i], Some(&function_arn[i + 1..])),
        None => (function_arn, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account_id: "123456789012".into(),
        }
    }

    fn desired(function_name: &str, method: &str) -> Desired {
        let state = Value::object([
            ("rest_api_id", Value::from("api1")),
            ("resource_id", Value::from("res1")),
            ("http_method", Value::from(method)),
            ("function_name", Value::from(function_name)),
        ]);
        Desired::from_state(&state)
    }

    #[test]
    fn ids_round_trip_and_malformed_ones_show_the_expected_form() {
        let id = EndpointId::parse("api1/res1/POST").unwrap();
        assert_eq!(id.to_string(), "api1/res1/POST");
        for bad in ["api1/res1", "api1/res1/FETCH", "//POST", "a/b/POST/x"] {
            assert!(
                EndpointId::parse(bad).unwrap_err().contains("REST_API_ID/RESOURCE_ID/HTTP_METHOD")
            );
        }
    }

    #[test]
    fn names_resolve_to_full_arns_in_the_provider_account() {
        let account = account();
        let d = desired("worker", "POST");
        assert_eq!(
            d.function_arn(&account),
            "arn:aws:lambda:us-east-1:123456789012:function:worker"
        );
        assert_eq!(
            d.integration_uri(&account),
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invocations"
        );
        let q = desired("arn:aws:lambda:eu-west-1:210987654321:function:w:live", "POST");
        assert_eq!(
            q.function_arn(&account),
            "arn:aws:lambda:eu-west-1:210987654321:function:w:live"
        );
    }

    #[test]
    fn source_arns_are_scoped_to_method_and_path() {
        let account = account();
        let d = desired("worker", "POST");
        assert_eq!(
            d.source_arn(&account, "/hooks/{source}"),
            "arn:aws:execute-api:us-east-1:123456789012:api1/*/POST/hooks/*"
        );
        assert_eq!(
            desired("worker", "ANY").source_arn(&account, "/"),
            "arn:aws:execute-api:us-east-1:123456789012:api1/*/*/"
        );
    }

    #[test]
    fn uris_give_back_their_function() {
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:w:7";
        let uri = invocation_uri("aws", "us-east-1", arn);
        assert_eq!(function_arn_from_uri(&uri), Some(arn));
        assert_eq!(
            split_qualifier(arn),
            ("arn:aws:lambda:us-east-1:123456789012:function:w", Some("7"))
        );
        assert_eq!(split_qualifier("arn:aws:lambda:r:a:function:w").1, None);
    }
}
