//! Taking over the state of the hashicorp/aws recipe's method
//! (`moved { from = aws_api_gateway_method.x  to = async_lambda_endpoint.x }`,
//! Terraform 1.8+). The method's state says where it is and who may call
//! it; the refresh that follows reads the integration, the responses, the
//! function and the permission from AWS.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::model::{Authorization, EndpointId, Inputs, Method, State};
use crate::plugin::{Diagnostic, Diagnostics, MoveSource, Value};

const SOURCE_TYPE: &str = "aws_api_gateway_method";

/// Whether `address` is hashicorp/aws, from any registry host.
fn is_hashicorp_aws(address: &str) -> bool {
    address
        .rsplit_once('/')
        .is_some_and(|(rest, name)| name == "aws" && rest.rsplit('/').next() == Some("hashicorp"))
}

pub fn from(source: &MoveSource) -> Result<Value, Diagnostics> {
    if source.type_name != SOURCE_TYPE || !is_hashicorp_aws(&source.provider_address) {
        return Err(vec![Diagnostic::error(
            "Unsupported move",
            format!(
                "An async_lambda_endpoint can take over the state of an {SOURCE_TYPE} of \
                 hashicorp/aws only, not of a {} of {}. Import the endpoint instead \
                 (`import {{ to = ... id = \"REST_API_ID/RESOURCE_ID/HTTP_METHOD\" }}`).",
                source.type_name, source.provider_address
            ),
        )]);
    }
    let s = &source.state;
    let text = |name: &str| s[name].as_str().filter(|v| !v.is_empty()).map(str::to_owned);
    let id = EndpointId {
        rest_api_id: text("rest_api_id").unwrap_or_default(),
        resource_id: text("resource_id").unwrap_or_default(),
        http_method: text("http_method").unwrap_or_default(),
    };
    let id = EndpointId::parse(&id.to_string()).map_err(|problem| {
        vec![Diagnostic::error(
            "Invalid source state",
            format!("The {SOURCE_TYPE} to move does not name a method: {problem}"),
        )]
    })?;
    let default = Method::default();
    let method = Method {
        authorization: text("authorization")
            .and_then(|a| Authorization::parse(&a))
            .unwrap_or(default.authorization),
        authorizer_id: text("authorizer_id"),
        authorization_scopes: s["authorization_scopes"]
            .as_array()
            .map(|scopes| scopes.iter().filter_map(Json::as_str).map(str::to_owned).collect()),
        api_key_required: s["api_key_required"].as_bool().unwrap_or(default.api_key_required),
        request_parameters: s["request_parameters"].as_object().map(|parameters| {
            parameters
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_bool()?)))
                .collect::<BTreeMap<_, _>>()
        }),
        // A model of the recipe's is not this endpoint's: none is adopted.
        request_schema: None,
    }
    .normalised();
    let inputs = Inputs { id, method, ..Inputs::default() };
    Ok(State { inputs, ..State::default() }.to_value())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::lambda_endpoint::attr;

    fn source(provider: &str, type_name: &str, state: Json) -> MoveSource {
        MoveSource {
            provider_address: provider.into(),
            type_name: type_name.into(),
            schema_version: 0,
            state,
        }
    }

    #[test]
    fn a_recipe_method_becomes_an_endpoint_to_refresh() {
        // As hashicorp/aws 3.39.0 stores it.
        let state = serde_json::json!({
            "api_key_required": true, "authorization": "CUSTOM", "authorization_scopes": null,
            "authorizer_id": "auth1", "http_method": "POST", "id": "agm-api1-res1-POST",
            "request_models": null, "request_parameters": {"method.request.header.X-Sig": true},
            "request_validator_id": "", "resource_id": "res1", "rest_api_id": "api1"
        });
        let moved =
            from(&source("registry.terraform.io/hashicorp/aws", SOURCE_TYPE, state)).unwrap();
        assert_eq!(moved.get(attr::ID), &Value::from("api1/res1/POST"));
        assert_eq!(moved.get(attr::AUTHORIZATION), &Value::from("CUSTOM"));
        assert_eq!(moved.get(attr::AUTHORIZER_ID), &Value::from("auth1"));
        assert_eq!(moved.get(attr::API_KEY_REQUIRED), &Value::from(true));
        assert_eq!(moved.get(attr::AUTHORIZATION_SCOPES), &Value::Null);
        let parameters = moved.get(attr::REQUEST_PARAMETERS).as_map().unwrap();
        assert_eq!(parameters["method.request.header.X-Sig"], Value::from(true));
        // For the refresh to read from AWS.
        assert_eq!(moved.get(attr::FUNCTION_NAME), &Value::from(""));
        assert_eq!(moved.get(attr::RESOURCE_PATH), &Value::from(""));
    }

    #[test]
    fn other_sources_are_refused_with_the_import_to_use_instead() {
        let state = serde_json::json!({"rest_api_id": "api1"});
        for (provider, type_name) in [
            ("registry.terraform.io/hashicorp/aws", "aws_api_gateway_integration"),
            ("registry.terraform.io/someone/aws", SOURCE_TYPE),
        ] {
            let refused = from(&source(provider, type_name, state.clone())).unwrap_err();
            assert!(refused[0].detail.contains("Import the endpoint"), "{}", refused[0].detail);
        }
        assert!(is_hashicorp_aws("registry.opentofu.org/hashicorp/aws"));
        let broken = from(&source("registry.terraform.io/hashicorp/aws", SOURCE_TYPE, state));
        assert!(broken.unwrap_err()[0].detail.contains("REST_API_ID/RESOURCE_ID/HTTP_METHOD"));
    }
}
