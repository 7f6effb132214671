//! The patch operations of an update in place: what differs between the
//! prior and the planned endpoint, as API Gateway's UpdateMethod,
//! UpdateIntegration and UpdateMethodResponse take it. Paths are JSON
//! pointers, so a `/` in a key is written `~1` (`/requestTemplates/application~1json`);
//! the paths and ops are those hashicorp/aws sends for `aws_api_gateway_method`,
//! `aws_api_gateway_integration` and `aws_api_gateway_method_response`.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_apigateway::types::{Op, PatchOperation};

use super::model::{Integration, Method, Response};
use super::request_schema;

/// What changes on the method itself.
pub fn method(before: &Method, after: &Method) -> Vec<PatchOperation> {
    let (before, after) = (before.normalised(), after.normalised());
    let mut operations = Vec::new();
    // The type before the authorizer: AWS takes CUSTOM and COGNITO_USER_POOLS
    // only with an authorizer in the same request.
    if before.authorization != after.authorization {
        operations.push(replace("/authorizationType", after.authorization.as_str()));
    }
    if before.authorizer_id != after.authorizer_id {
        operations.push(replace("/authorizerId", after.authorizer_id.as_deref().unwrap_or("")));
    }
    // A set: one add or remove per scope, the scope as the value.
    let scopes = |m: &Method| -> BTreeSet<String> {
        m.authorization_scopes.iter().flatten().cloned().collect()
    };
    let (had, has) = (scopes(&before), scopes(&after));
    operations.extend(has.difference(&had).map(|s| operation(Op::Add, "/authorizationScopes", s)));
    operations
        .extend(had.difference(&has).map(|s| operation(Op::Remove, "/authorizationScopes", s)));
    if before.api_key_required != after.api_key_required {
        operations.push(replace("/apiKeyRequired", &after.api_key_required.to_string()));
    }
    let parameters = |m: Method| m.request_parameters.unwrap_or_default();
    operations.extend(map(
        "/requestParameters",
        &parameters(before),
        &parameters(after),
        |required| required.to_string(),
    ));
    operations
}

/// What changes on the method's validation: the model its JSON bodies are
/// checked against (`model` while it has a request schema) and the
/// validator checking them.
pub fn validation(
    (had_schema, old_validator): (bool, Option<&str>),
    (has_schema, new_validator): (bool, Option<&str>),
    model: &str,
) -> Vec<PatchOperation> {
    let models = |has: bool| -> BTreeMap<String, String> {
        has.then(|| (request_schema::CONTENT_TYPE.to_owned(), model.to_owned()))
            .into_iter()
            .collect()
    };
    let mut operations: Vec<_> =
        map("/requestModels", &models(had_schema), &models(has_schema), String::clone).collect();
    if old_validator != new_validator {
        operations.push(replace("/requestValidatorId", new_validator.unwrap_or("")));
    }
    operations
}

/// What changes on an integration that stays an asynchronous invoke with
/// the same credentials and passthrough behaviour: its URI, timeout and
/// request templates.
pub fn integration(
    (before, before_uri): (&Integration, &str),
    (after, after_uri): (&Integration, &str),
) -> Vec<PatchOperation> {
    let mut operations = Vec::new();
    if before_uri != after_uri {
        operations.push(replace("/uri", after_uri));
    }
    if before.timeout_milliseconds != after.timeout_milliseconds {
        operations.push(replace("/timeoutInMillis", &after.timeout_milliseconds.to_string()));
    }
    let (had, has) = (before.effective_request_templates(), after.effective_request_templates());
    operations.extend(map("/requestTemplates", &had, &has, String::clone));
    operations
}

/// The response headers the method response declares (the integration
/// response fills them), as headers to declare and headers to retract.
pub fn declared_headers(
    before: &Response,
    after: &Response,
) -> (Vec<PatchOperation>, Vec<PatchOperation>) {
    let declared = |r: &Response| -> BTreeMap<String, bool> {
        let headers = r.normalised().parameters.unwrap_or_default();
        headers.into_keys().map(|header| (header, false)).collect()
    };
    map("/responseParameters", &declared(before), &declared(after), bool::to_string)
        .partition(|o| o.op() != Some(&Op::Remove))
}

/// A map's changes: `remove` for each key gone, `add` for each new one,
/// `replace` for each whose value changed.
fn map<'a, V: PartialEq>(
    prefix: &'a str,
    before: &'a BTreeMap<String, V>,
    after: &'a BTreeMap<String, V>,
    value: impl Fn(&V) -> String + 'a,
) -> impl Iterator<Item = PatchOperation> + 'a {
    let path = move |key: &str| format!("{prefix}/{}", escape(key));
    let removed = before
        .keys()
        .filter(|k| !after.contains_key(*k))
        .map(move |k| PatchOperation::builder().op(Op::Remove).path(path(k)).build());
    let written = after.iter().filter_map(move |(k, v)| match before.get(k) {
        None => Some(operation(Op::Add, &path(k), &value(v))),
        Some(old) if old != v => Some(operation(Op::Replace, &path(k), &value(v))),
        Some(_) => None,
    });
    removed.chain(written)
}

/// A key as a JSON pointer segment (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn replace(path: &str, value: &str) -> PatchOperation {
    operation(Op::Replace, path, value)
}

fn operation(op: Op, path: &str, value: &str) -> PatchOperation {
    PatchOperation::builder().op(op).path(path).value(value).build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::lambda_endpoint::model::Authorization;

    /// Each operation as `op path value`, to compare at a glance.
    fn shown(operations: &[PatchOperation]) -> Vec<String> {
        operations
            .iter()
            .map(|o| {
                let op = o.op().unwrap().as_str();
                format!("{op} {} {}", o.path().unwrap(), o.value().unwrap_or("-"))
            })
            .collect()
    }

    fn map_of<V: Clone>(pairs: &[(&str, V)]) -> Option<BTreeMap<String, V>> {
        Some(pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
    }

    #[test]
    fn the_same_method_needs_no_operation() {
        let method = Method { request_parameters: map_of(&[]), ..Method::default() };
        assert!(super::method(&Method::default(), &method).is_empty(), "empty and unset alike");
    }

    #[test]
    fn a_method_change_is_one_operation_per_field_scope_and_parameter() {
        let before = Method {
            authorization: Authorization::Custom,
            authorizer_id: Some("abc".into()),
            request_parameters: map_of(&[
                ("method.request.header.X-Old", true),
                ("method.request.header.X-Kept", true),
                ("method.request.querystring.q", false),
            ]),
            ..Method::default()
        };
        let after = Method {
            authorization: Authorization::CognitoUserPools,
            authorizer_id: Some("pool".into()),
            authorization_scopes: Some(vec!["email".into(), "openid".into()]),
            api_key_required: true,
            request_parameters: map_of(&[
                ("method.request.header.X-Kept", true),
                ("method.request.querystring.q", true),
                ("method.request.header.X-New", false),
            ]),
            ..Method::default()
        };
        assert_eq!(
            shown(&method(&before, &after)),
            [
                "replace /authorizationType COGNITO_USER_POOLS",
                "replace /authorizerId pool",
                "add /authorizationScopes email",
                "add /authorizationScopes openid",
                "replace /apiKeyRequired true",
                "remove /requestParameters/method.request.header.X-Old -",
                "add /requestParameters/method.request.header.X-New false",
                "replace /requestParameters/method.request.querystring.q true",
            ]
        );
        let back = Method { authorization_scopes: Some(vec!["openid".into()]), ..after.clone() };
        assert_eq!(shown(&method(&after, &back)), ["remove /authorizationScopes email"]);
        assert_eq!(
            shown(&method(&back, &Method::default()))[..3],
            [
                "replace /authorizationType NONE",
                "replace /authorizerId ",
                "remove /authorizationScopes openid"
            ]
        );
    }

    #[test]
    fn template_keys_are_json_pointer_segments() {
        let before = Integration {
            request_templates: map_of(&[
                ("application/json", "A".into()),
                ("text/plain", "T".into()),
            ]),
            ..Integration::default()
        };
        let after = Integration {
            request_templates: map_of(&[("application/json", "B".into()), ("a~b/c", "X".into())]),
            timeout_milliseconds: 5000,
            ..Integration::default()
        };
        assert_eq!(
            shown(&integration((&before, "uri1"), (&after, "uri2"))),
            [
                "replace /uri uri2",
                "replace /timeoutInMillis 5000",
                "remove /requestTemplates/text~1plain -",
                "replace /requestTemplates/application~1json B",
                "add /requestTemplates/a~0b~1c X",
            ]
        );
        assert!(integration((&before, "uri1"), (&before, "uri1")).is_empty());
    }

    #[test]
    fn leaving_the_built_in_templates_removes_the_keys_it_no_longer_has() {
        let custom = Integration {
            request_templates: map_of(&[("application/json", "{}".into())]),
            ..Integration::default()
        };
        let operations = shown(&integration((&Integration::default(), "u"), (&custom, "u")));
        let built_in = super::super::templates::default_content_types();
        assert_eq!(operations.len(), built_in.len());
        assert!(operations.contains(&"replace /requestTemplates/application~1json {}".to_owned()));
        assert!(operations.contains(&"remove /requestTemplates/text~1plain -".to_owned()));
    }

    #[test]
    fn headers_are_declared_before_and_retracted_after() {
        let response = |headers: &[&str]| Response {
            parameters: map_of(&headers.iter().map(|h| (*h, "'x'".to_owned())).collect::<Vec<_>>()),
            ..Response::default()
        };
        let before = response(&["method.response.header.A", "method.response.header.B"]);
        let after = response(&["method.response.header.B", "method.response.header.C"]);
        let (declare, retract) = declared_headers(&before, &after);
        assert_eq!(shown(&declare), ["add /responseParameters/method.response.header.C false"]);
        assert_eq!(shown(&retract), ["remove /responseParameters/method.response.header.A -"]);
        let changed_value = Response { templates: map_of(&[]), ..after.clone() };
        assert_eq!(declared_headers(&after, &changed_value), (vec![], vec![]));
    }

    #[test]
    fn validation_adds_and_removes_the_model_and_sets_or_clears_the_validator() {
        let model = "AsyncEndpointr1POST";
        let added = validation((false, None), (true, Some("v1")), model);
        assert_eq!(
            shown(&added),
            [
                "add /requestModels/application~1json AsyncEndpointr1POST",
                "replace /requestValidatorId v1",
            ]
        );
        let removed = validation((true, Some("v1")), (false, None), model);
        assert_eq!(
            shown(&removed),
            ["remove /requestModels/application~1json -", "replace /requestValidatorId "]
        );
        assert!(validation((true, Some("v1")), (true, Some("v1")), model).is_empty());
        let required_only = validation((false, None), (false, Some("v1")), model);
        assert_eq!(shown(&required_only), ["replace /requestValidatorId v1"]);
    }
}
