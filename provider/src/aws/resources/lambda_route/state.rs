//! The model as Terraform values and back: the only code that maps this
//! resource's attributes to the model's fields.

use std::collections::BTreeMap;

use super::attr::*;
use super::model::{Authorization, Computed, Inputs, Response, State};
use crate::plugin::Value;

fn string(value: &Value, name: &str) -> Option<String> {
    value.get(name).as_str().map(str::to_owned)
}

fn string_map(value: &Value, name: &str) -> Option<BTreeMap<String, String>> {
    let map = value.get(name).as_map()?;
    Some(map.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect())
}

/// Reads the inputs of `value`; unset or unknown ones take their defaults
/// (at apply only computed attributes can be unknown).
pub fn inputs(value: &Value) -> Inputs {
    let response = Response::default();
    Inputs {
        api_id: string(value, API_ID).unwrap_or_default(),
        route_key: string(value, ROUTE_KEY).unwrap_or_default(),
        function_name: string(value, FUNCTION_NAME).unwrap_or_default(),
        qualifier: string(value, QUALIFIER),
        authorization: string(value, AUTHORIZATION_TYPE)
            .and_then(|a| Authorization::parse(&a))
            .unwrap_or(Authorization::None),
        authorizer_id: string(value, AUTHORIZER_ID),
        authorization_scopes: value
            .get(AUTHORIZATION_SCOPES)
            .as_list()
            .map(|scopes| scopes.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect()),
        response: Response {
            status: value
                .get(RESPONSE_STATUS_CODE)
                .as_i64()
                .and_then(|n| u16::try_from(n).ok())
                .unwrap_or(response.status),
            headers: string_map(value, RESPONSE_HEADERS),
            body: string(value, RESPONSE_BODY),
        },
    }
}

pub fn from_value(value: &Value) -> State {
    State {
        inputs: inputs(value),
        computed: Computed {
            route_id: string(value, ROUTE_ID),
            integration_id: string(value, INTEGRATION_ID),
            function_arn: string(value, FUNCTION_ARN),
            dispatcher_arn: string(value, DISPATCHER_ARN),
        },
    }
}

fn strings(items: &[String]) -> Value {
    Value::List(items.iter().map(|s| Value::from(s.as_str())).collect())
}

fn string_map_value(map: &BTreeMap<String, String>) -> Value {
    Value::Map(map.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect())
}

impl State {
    pub fn to_value(&self) -> Value {
        let Inputs { api_id, route_key, function_name, qualifier, .. } = &self.inputs;
        let Computed { route_id, integration_id, function_arn, dispatcher_arn } = &self.computed;
        let id = self.id().map(|id| id.to_string());
        let response = &self.inputs.response;
        Value::object([
            (ID, Value::from(id)),
            (API_ID, Value::from(api_id.as_str())),
            (ROUTE_KEY, Value::from(route_key.as_str())),
            // Empty: the route no longer targets a dispatcher integration.
            (
                FUNCTION_NAME,
                Value::from((!function_name.is_empty()).then_some(function_name.as_str())),
            ),
            (QUALIFIER, Value::from(qualifier.as_deref())),
            (AUTHORIZATION_TYPE, Value::from(self.inputs.authorization.as_str())),
            (AUTHORIZER_ID, Value::from(self.inputs.authorizer_id.as_deref())),
            (
                AUTHORIZATION_SCOPES,
                self.inputs.authorization_scopes.as_deref().map_or(Value::Null, strings),
            ),
            (RESPONSE_STATUS_CODE, Value::from(i64::from(response.status))),
            (RESPONSE_HEADERS, response.headers.as_ref().map_or(Value::Null, string_map_value)),
            (RESPONSE_BODY, Value::from(response.body.as_deref())),
            (ROUTE_ID, Value::from(route_id.as_deref())),
            (INTEGRATION_ID, Value::from(integration_id.as_deref())),
            (FUNCTION_ARN, Value::from(function_arn.as_deref())),
            (DISPATCHER_ARN, Value::from(dispatcher_arn.as_deref())),
        ])
    }
}

/// The configuration a person would write for `state`: what they may set,
/// defaults left out (Terraform writes no argument for a null).
pub fn config(state: &Value) -> Value {
    let mut written = from_value(state).to_value();
    if let Value::Map(attributes) = &mut written {
        for (name, default) in super::plan::defaults() {
            if attributes.get(name) == Some(&default) {
                attributes.insert(name.to_owned(), Value::Null);
            }
        }
        for name in [ID, ROUTE_ID, INTEGRATION_ID, FUNCTION_ARN, DISPATCHER_ARN] {
            attributes.insert(name.to_owned(), Value::Null);
        }
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::lambda_route::schema::schema;

    /// Every attribute survives the trip through a Terraform value.
    #[test]
    fn every_attribute_round_trips() {
        let state = State {
            inputs: Inputs {
                api_id: "a1b2c3".into(),
                route_key: "POST /hooks/{source}".into(),
                function_name: "worker".into(),
                qualifier: Some("live".into()),
                authorization: Authorization::Jwt,
                authorizer_id: Some("au1".into()),
                authorization_scopes: Some(vec!["read".into(), "write".into()]),
                response: Response {
                    status: 200,
                    headers: Some(BTreeMap::from([("x-a".into(), "1".into())])),
                    body: Some("ok".into()),
                },
            },
            computed: Computed {
                route_id: Some("r1".into()),
                integration_id: Some("i1".into()),
                function_arn: Some("arn:aws:lambda:us-east-1:1:function:worker:live".into()),
                dispatcher_arn: Some(
                    "arn:aws:lambda:us-east-1:1:function:tf-async-dispatcher".into(),
                ),
            },
        };
        let value = state.to_value();
        assert_eq!(from_value(&value), state);
        assert_eq!(value.get(ID).as_str(), Some("a1b2c3/r1"));
        let names: Vec<_> = value.as_map().unwrap().keys().cloned().collect();
        let mut declared: Vec<_> =
            schema().block.attributes.iter().map(|a| a.name.clone()).collect();
        declared.sort();
        assert_eq!(names, declared, "to_value writes exactly the schema's attributes");
    }
}
