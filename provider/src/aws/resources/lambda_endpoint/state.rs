//! The model as Terraform values and back: the only code that maps
//! attributes to the model's fields. At plan time any input may be unknown;
//! the mapping notices, and the plan says what is known only after apply.
//!
//! What the model holds as `None` where AWS holds nothing (a computed part,
//! a response status) is `""` in state, as earlier versions wrote it: a
//! different spelling would show every such endpoint as changed once after
//! an upgrade, and an unset status reads as its default.

use std::cell::Cell;
use std::collections::BTreeMap;

use super::attr::*;
use super::model::{
    Authorization, Computed, Delivery, EndpointId, Inputs, Integration, Method,
    PassthroughBehavior, Permission, Response, State, StatusCode, Target, Wiring, non_empty,
};
use super::trigger;
use crate::plugin::Value;

/// Reads attributes out of a state or plan value, noting any unknown one.
pub struct Reader<'a> {
    value: &'a Value,
    unknown: Cell<bool>,
}

impl<'a> Reader<'a> {
    fn get(&self, name: &str) -> &'a Value {
        let value = self.value.get(name);
        if value.contains_unknown() {
            self.unknown.set(true);
        }
        value
    }

    fn string(&self, name: &str) -> Option<String> {
        self.get(name).as_str().map(str::to_owned)
    }

    fn strings(&self, name: &str) -> Option<Vec<String>> {
        let list = self.get(name).as_list()?;
        Some(list.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
    }

    fn map<T>(
        &self,
        name: &str,
        element: impl Fn(&Value) -> Option<T>,
    ) -> Option<BTreeMap<String, T>> {
        let map = self.get(name).as_map()?;
        Some(map.iter().filter_map(|(k, v)| Some((k.clone(), element(v)?))).collect())
    }

    fn string_map(&self, name: &str) -> Option<BTreeMap<String, String>> {
        self.map(name, |v| v.as_str().map(str::to_owned))
    }

    /// A computed string: `None` where AWS holds nothing (`""`, see above).
    fn computed(&self, name: &str) -> Option<String> {
        self.string(name).filter(|value| !value.is_empty())
    }
}

/// The model, or a part of it, read from the attributes that make it up.
pub trait FromValue: Sized {
    fn read(r: &Reader<'_>) -> Self;

    /// Reads `value`, unknown attributes as unset: at apply only computed
    /// attributes can be unknown, and those are worked out again.
    fn from_value(value: &Value) -> Self {
        Self::read(&Reader { value, unknown: Cell::new(false) })
    }

    /// `None` while any attribute of the part is unknown (at plan time).
    fn known(value: &Value) -> Option<Self> {
        let reader = Reader { value, unknown: Cell::new(false) };
        let part = Self::read(&reader);
        (!reader.unknown.get()).then_some(part)
    }
}

impl FromValue for EndpointId {
    fn read(r: &Reader<'_>) -> Self {
        EndpointId {
            rest_api_id: r.string(REST_API_ID).unwrap_or_default(),
            resource_id: r.string(RESOURCE_ID).unwrap_or_default(),
            http_method: r.string(HTTP_METHOD).unwrap_or_default(),
        }
    }
}

impl FromValue for Target {
    fn read(r: &Reader<'_>) -> Self {
        Target {
            function_name: r.string(FUNCTION_NAME).unwrap_or_default(),
            qualifier: r.string(QUALIFIER),
            delivery: r.string(DELIVERY).and_then(|d| Delivery::parse(&d)).unwrap_or_default(),
            credentials: r.string(CREDENTIALS),
        }
    }
}

impl FromValue for Inputs {
    fn read(r: &Reader<'_>) -> Self {
        let (method, integration, response) =
            (Method::default(), Integration::default(), Response::default());
        Inputs {
            id: EndpointId::read(r),
            target: Target::read(r),
            method: Method {
                authorization: r
                    .string(AUTHORIZATION)
                    .and_then(|a| Authorization::parse(&a))
                    .unwrap_or(method.authorization),
                authorizer_id: r.string(AUTHORIZER_ID),
                authorization_scopes: r.strings(AUTHORIZATION_SCOPES),
                api_key_required: r
                    .get(API_KEY_REQUIRED)
                    .as_bool()
                    .unwrap_or(method.api_key_required),
                request_parameters: r.map(REQUEST_PARAMETERS, Value::as_bool),
                request_schema: r.string(REQUEST_SCHEMA),
            },
            integration: Integration {
                request_templates: r.string_map(REQUEST_TEMPLATES),
                passthrough_behavior: r
                    .string(PASSTHROUGH_BEHAVIOR)
                    .and_then(|p| PassthroughBehavior::parse(&p))
                    .unwrap_or(integration.passthrough_behavior),
                timeout_milliseconds: r
                    .get(TIMEOUT_MILLISECONDS)
                    .as_i64()
                    .and_then(|t| i32::try_from(t).ok())
                    .unwrap_or(integration.timeout_milliseconds),
            },
            response: Response {
                // Unset: the default; "": none (see above).
                status_code: r
                    .string(RESPONSE_STATUS_CODE)
                    .map_or(response.status_code, |code| StatusCode::parse(&code)),
                templates: r.string_map(RESPONSE_TEMPLATES),
                parameters: r.string_map(RESPONSE_PARAMETERS),
            },
        }
    }
}

impl FromValue for State {
    fn read(r: &Reader<'_>) -> Self {
        let permission = r.computed(PERMISSION_STATEMENT_ID).map(|statement_id| Permission {
            statement_id,
            source_arn: r.computed(PERMISSION_SOURCE_ARN).unwrap_or_default(),
        });
        State {
            inputs: Inputs::read(r),
            computed: Computed {
                resource_path: r.computed(RESOURCE_PATH),
                wiring: Wiring {
                    function_arn: r.computed(FUNCTION_ARN),
                    integration_uri: r.computed(INTEGRATION_URI),
                    permission,
                },
                request_validator_id: r.computed(REQUEST_VALIDATOR_ID),
            },
        }
    }
}

fn map_value<T: Into<Value> + Clone>(map: &Option<BTreeMap<String, T>>) -> Value {
    map.as_ref().map_or(Value::Null, |m| {
        Value::Map(m.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect())
    })
}

impl Inputs {
    /// Every input, in schema order (the order the redeployment trigger
    /// digests them in).
    pub fn attributes(&self) -> [(&'static str, Value); 19] {
        let Inputs { id, target, method, integration, response } = self;
        let scopes = method
            .authorization_scopes
            .as_ref()
            .map(|scopes| Value::List(scopes.iter().map(|s| Value::from(s.as_str())).collect()));
        [
            (REST_API_ID, id.rest_api_id.clone().into()),
            (RESOURCE_ID, id.resource_id.clone().into()),
            (HTTP_METHOD, id.http_method.clone().into()),
            (FUNCTION_NAME, target.function_name.clone().into()),
            (QUALIFIER, target.qualifier.clone().into()),
            (DELIVERY, target.delivery.as_str().into()),
            (AUTHORIZATION, method.authorization.as_str().into()),
            (AUTHORIZER_ID, method.authorizer_id.clone().into()),
            (AUTHORIZATION_SCOPES, scopes.unwrap_or(Value::Null)),
            (API_KEY_REQUIRED, method.api_key_required.into()),
            (REQUEST_PARAMETERS, map_value(&method.request_parameters)),
            (REQUEST_SCHEMA, method.request_schema.clone().into()),
            (REQUEST_TEMPLATES, map_value(&integration.request_templates)),
            (PASSTHROUGH_BEHAVIOR, integration.passthrough_behavior.as_str().into()),
            (
                RESPONSE_STATUS_CODE,
                response.status_code.map_or(String::new(), |s| s.to_string()).into(),
            ),
            (RESPONSE_TEMPLATES, map_value(&response.templates)),
            (RESPONSE_PARAMETERS, map_value(&response.parameters)),
            (CREDENTIALS, target.credentials.clone().into()),
            (TIMEOUT_MILLISECONDS, i64::from(integration.timeout_milliseconds).into()),
        ]
    }
}

/// The computed attributes; `None` is known only after apply, and `Some`
/// of nothing is `""` (see above).
fn computed(
    id: Option<String>,
    resource_path: Option<Option<&str>>,
    wiring: Option<&Wiring>,
    request_validator_id: Option<Option<&str>>,
    redeployment_trigger: Option<String>,
) -> [(&'static str, Value); 8] {
    let known =
        |value: Option<Option<&str>>| value.map_or(Value::Unknown, |v| v.unwrap_or("").into());
    let permission = wiring.map(|w| w.permission.as_ref());
    let permission_part = |part: fn(&Permission) -> &str| known(permission.map(|p| p.map(part)));
    [
        (ID, known(id.as_deref().map(Some))),
        (RESOURCE_PATH, known(resource_path)),
        (FUNCTION_ARN, known(wiring.map(|w| w.function_arn.as_deref()))),
        (INTEGRATION_URI, known(wiring.map(|w| w.integration_uri.as_deref()))),
        (PERMISSION_STATEMENT_ID, permission_part(|p| &p.statement_id)),
        (PERMISSION_SOURCE_ARN, permission_part(|p| &p.source_arn)),
        (REQUEST_VALIDATOR_ID, known(request_validator_id)),
        (REDEPLOYMENT_TRIGGER, known(redeployment_trigger.as_deref().map(Some))),
    ]
}

impl State {
    pub fn to_value(&self) -> Value {
        let State { inputs, computed: c } = self;
        let computed = computed(
            Some(inputs.id.to_string()),
            Some(c.resource_path.as_deref()),
            Some(&c.wiring),
            Some(c.request_validator_id.as_deref()),
            Some(trigger::of(inputs)),
        );
        Value::object(computed.into_iter().chain(inputs.attributes()))
    }
}

/// The source ARN of the permission a state or plan records, read alone:
/// an identity needs only it, and reading the whole state copies templates.
pub fn permission_source_arn(value: &Value) -> Option<&str> {
    value.get(PERMISSION_SOURCE_ARN).as_str().filter(|arn| !arn.is_empty())
}

/// What each input is when the user leaves it unset.
pub fn defaults() -> Value {
    Value::object(Inputs::default().attributes())
}

/// The configuration a person would write for `state`: the inputs that
/// are not their default, and no empty collection AWS holds as unset.
pub fn config(state: &Value) -> Value {
    let inputs = State::from_value(state).inputs;
    let normalised = Inputs {
        method: inputs.method.normalised(),
        response: Response {
            parameters: non_empty(inputs.response.parameters.clone()),
            ..inputs.response.clone()
        },
        ..inputs.clone()
    };
    let defaults = Inputs::default().attributes();
    let written =
        normalised.attributes().into_iter().zip(defaults).map(|((name, value), (_, default))| {
            (name, if value == default { Value::Null } else { value })
        });
    let computed = computed(None, None, None, None, None).map(|(name, _)| (name, Value::Null));
    Value::object(written.chain(computed))
}

/// A planned state: `inputs` as planned (any may still be unknown), the
/// resource path, wiring and request validator when they stay as they are,
/// the rest worked out or known after apply.
pub fn planned(
    inputs: Value,
    resource_path: Option<Option<&str>>,
    wiring: Option<&Wiring>,
    request_validator_id: Option<Option<&str>>,
) -> Value {
    let id = EndpointId::known(&inputs).map(|id| id.to_string());
    let trigger = Inputs::known(&inputs).map(|inputs| trigger::of(&inputs));
    let mut state = match inputs {
        Value::Map(attributes) => attributes,
        _ => BTreeMap::new(),
    };
    for (name, value) in computed(id, resource_path, wiring, request_validator_id, trigger) {
        state.insert(name.to_owned(), value);
    }
    Value::Map(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::lambda_endpoint::schema::schema;
    use crate::plugin::Presence;

    /// A state with every attribute set, none to its default.
    fn everything() -> State {
        let map = |pairs: &[(&str, &str)]| {
            Some(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
        };
        State {
            inputs: Inputs {
                id: EndpointId::parse("api1/res1/POST").unwrap(),
                target: Target {
                    function_name: "worker".into(),
                    qualifier: Some("live".into()),
                    delivery: Delivery::Dispatcher,
                    credentials: Some("arn:aws:iam::123456789012:role/r".into()),
                },
                method: Method {
                    authorization: Authorization::CognitoUserPools,
                    authorizer_id: Some("auth1".into()),
                    authorization_scopes: Some(vec!["b".into(), "a".into()]),
                    api_key_required: true,
                    request_parameters: Some(BTreeMap::from([(
                        "method.request.path.x".into(),
                        true,
                    )])),
                    request_schema: Some(r#"{"type":"object"}"#.into()),
                },
                integration: Integration {
                    request_templates: map(&[("application/json", "{}")]),
                    passthrough_behavior: PassthroughBehavior::WhenNoMatch,
                    timeout_milliseconds: 5000,
                },
                response: Response {
                    status_code: StatusCode::parse("200"),
                    templates: map(&[("application/json", "ok")]),
                    parameters: map(&[("method.response.header.A", "'*'")]),
                },
            },
            computed: Computed {
                resource_path: Some("/jobs".into()),
                wiring: Wiring {
                    function_arn: Some("arn:f".into()),
                    integration_uri: Some("arn:uri".into()),
                    permission: Some(Permission {
                        statement_id: "s".into(),
                        source_arn: "arn:source".into(),
                    }),
                },
                request_validator_id: Some("v1".into()),
            },
        }
    }

    #[test]
    fn every_schema_attribute_is_mapped_exactly_once() {
        let schema = schema();
        let mut in_schema: Vec<&str> =
            schema.block.attributes.iter().map(|a| a.name.as_str()).collect();
        let inputs = everything().inputs.attributes().map(|(name, _)| name);
        let computed = computed(None, None, None, None, None).map(|(name, _)| name);
        let mut mapped: Vec<&str> = inputs.into_iter().chain(computed).collect();
        in_schema.sort_unstable();
        mapped.sort_unstable();
        assert_eq!(mapped, in_schema, "each schema attribute is written exactly once");
        // Read back each into its own field: a state with every value distinct survives.
        let value = everything().to_value();
        assert_eq!(State::from_value(&value), everything());
        assert_eq!(State::from_value(&value).to_value(), value);
    }

    #[test]
    fn inputs_are_written_in_schema_order() {
        let schema = schema();
        let in_schema: Vec<&str> = schema
            .block
            .attributes
            .iter()
            .filter(|a| a.presence != Presence::Computed)
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(everything().inputs.attributes().map(|(name, _)| name).to_vec(), in_schema);
    }

    /// Unset inputs plan as their default (null or a value), so every one is
    /// optional and computed: Terraform writes `NAME = null` into generated
    /// configuration for a null optional attribute that is not computed.
    #[test]
    fn every_input_the_user_may_leave_unset_is_optional_and_computed() {
        let defaults = defaults();
        for attribute in schema().block.attributes {
            assert_ne!(attribute.presence, Presence::Optional, "{}", attribute.name);
            if attribute.presence == Presence::OptionalComputed {
                assert!(
                    defaults.as_map().unwrap().contains_key(&attribute.name),
                    "{}",
                    attribute.name
                );
            }
        }
    }

    #[test]
    fn empty_collections_stay_apart_from_unset_ones() {
        let mut state = everything();
        state.inputs.method.authorization_scopes = Some(Vec::new());
        state.inputs.response.templates = Some(BTreeMap::new());
        let value = state.to_value();
        assert_eq!(value.get(AUTHORIZATION_SCOPES), &Value::List(Vec::new()));
        assert_eq!(State::from_value(&value), state);
        assert_eq!(state.inputs.method.normalised().authorization_scopes, None);
    }

    #[test]
    fn what_aws_does_not_hold_is_empty_in_state_and_none_again_after() {
        let mut state = everything();
        state.inputs.response.status_code = None;
        state.computed.resource_path = None;
        state.computed.wiring =
            Wiring { function_arn: None, integration_uri: None, permission: None };
        let value = state.to_value();
        for name in [
            RESPONSE_STATUS_CODE,
            RESOURCE_PATH,
            FUNCTION_ARN,
            INTEGRATION_URI,
            PERMISSION_STATEMENT_ID,
        ] {
            assert_eq!(value.get(name), &Value::from(""), "{name}");
        }
        assert_eq!(State::from_value(&value), state);
        let mut unset = value;
        if let Value::Map(attributes) = &mut unset {
            attributes.insert(RESPONSE_STATUS_CODE.into(), Value::Null);
        }
        assert_eq!(
            State::from_value(&unset).inputs.response.status_code,
            Some(StatusCode::ACCEPTED),
            "unset is the default"
        );
    }

    #[test]
    fn unknown_inputs_are_noticed_per_part() {
        let mut value = everything().to_value();
        if let Value::Map(attributes) = &mut value {
            attributes.insert(QUALIFIER.into(), Value::Unknown);
        }
        assert_eq!(Target::known(&value), None);
        assert_eq!(Inputs::known(&value), None);
        assert!(EndpointId::known(&value).is_some());
        let planned = planned(value, Some(Some("/jobs")), None, None);
        assert_eq!(planned.get(ID), &Value::from("api1/res1/POST"));
        assert_eq!(planned.get(REDEPLOYMENT_TRIGGER), &Value::Unknown);
        assert_eq!(planned.get(FUNCTION_ARN), &Value::Unknown);
        assert_eq!(planned.get(RESOURCE_PATH), &Value::from("/jobs"));
    }

    #[test]
    fn generated_config_leaves_out_defaults_and_what_is_computed() {
        let mut state = State::default();
        state.inputs.id = EndpointId::parse("api1/res1/POST").unwrap();
        state.inputs.target.function_name = "worker".into();
        state.inputs.method.request_parameters = Some(BTreeMap::new());
        state.computed.resource_path = Some("/jobs".into());
        let config = config(&state.to_value());
        let set: Vec<&str> = config
            .as_map()
            .unwrap()
            .iter()
            .filter(|(_, v)| v.is_present())
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(set, [FUNCTION_NAME, HTTP_METHOD, RESOURCE_ID, REST_API_ID]);
        assert_eq!(config.as_map().unwrap().len(), schema().block.attributes.len());

        let mut everything = everything();
        everything.inputs.response.parameters = Some(BTreeMap::new());
        let config = super::config(&everything.to_value());
        assert_eq!(config.get(RESPONSE_STATUS_CODE), &Value::from("200"));
        assert_eq!(config.get(RESPONSE_PARAMETERS), &Value::Null);
        assert_eq!(config.get(ID), &Value::Null);
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
}
