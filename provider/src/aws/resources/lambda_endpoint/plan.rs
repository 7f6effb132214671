//! Planning: defaults for what the user left unset, which computed values
//! will change, and which changes replace the endpoint.

use super::attr;
use super::model::{Delivery, Inputs, State, Target};
use super::state::{self, FromValue};
use super::wiring;
use crate::aws::arn::Account;
use crate::plugin::{AttributePath, Plan, PlanRequest, Presence, Schema, Value};

/// Plans a create or update. With the `account` (from a configured provider), an update
/// also repairs what was changed outside Terraform in the parts that are not
/// attributes of their own: the async integration and the permission.
pub fn plan(schema: &Schema, request: PlanRequest, account: Option<&Account>) -> Plan {
    let PlanRequest { prior_state, proposed_state, config } = request;
    let mut inputs = match proposed_state {
        Value::Map(attributes) => attributes,
        _ => Default::default(),
    };
    // Terraform proposes the prior value for unset optional-computed attributes;
    // unset means "the default", so a removed setting goes back to it.
    let defaults = state::defaults();
    for attribute in &schema.block.attributes {
        if attribute.presence == Presence::OptionalComputed && config.get(&attribute.name).is_null()
        {
            inputs.insert(attribute.name.clone(), defaults.get(&attribute.name).clone());
        }
    }
    let inputs = Value::Map(inputs);

    let prior = (!prior_state.is_null()).then(|| State::from_value(&prior_state));
    let requires_replace: Vec<AttributePath> = match prior {
        None => Vec::new(),
        Some(_) => schema
            .block
            .attributes
            .iter()
            .filter(|a| a.requires_replace && inputs.get(&a.name) != prior_state.get(&a.name))
            .map(|a| AttributePath::root(&a.name))
            .collect(),
    };
    // What stays as it is: the resource path unless the endpoint is new,
    // and the wiring unless the function changes or needs repair too. The
    // dispatcher's alias names the status too.
    let kept = prior.as_ref().filter(|_| requires_replace.is_empty());
    let wiring = kept.filter(|prior| {
        Target::known(&inputs).as_ref() == Some(&prior.inputs.target)
            && (prior.inputs.target.delivery == Delivery::Direct
                || inputs.get(attr::RESPONSE_STATUS_CODE)
                    == prior_state.get(attr::RESPONSE_STATUS_CODE))
            && !account.is_some_and(|account| needs_repair(prior, &inputs, account))
    });
    // No validation: none. The same validation: the validator in use. Else
    // known once the apply has made sure of the REST API's.
    let validation = Inputs::known(&inputs).map(|planned| planned.method.validation());
    let request_validator_id = match validation {
        Some(None) => Some(None),
        Some(Some(validation)) => kept
            .filter(|prior| prior.inputs.method.validation() == Some(validation))
            .and_then(|prior| prior.computed.request_validator_id.as_deref())
            .map(Some),
        None => None,
    };
    let planned_state = state::planned(
        inputs,
        kept.map(|prior| prior.computed.resource_path.as_deref()),
        wiring.map(|prior| &prior.computed.wiring),
        request_validator_id,
    );
    Plan { planned_state, requires_replace, diagnostics: Vec::new() }
}

/// Whether the integration or the permission in the refreshed prior state
/// differs from what the plan asks for (e.g. deleted or rewired out of band).
/// Any statement the refresh found grants the method, whatever its id: it
/// is kept, unless an earlier version of this provider added it.
fn needs_repair(prior: &State, planned: &Value, account: &Account) -> bool {
    let Some(planned) = Inputs::known(planned) else { return false };
    let expected = planned.wiring(account);
    let recorded = &prior.computed.wiring;
    expected.integration_uri != recorded.integration_uri
        || match (&expected.permission, &recorded.permission) {
            (Some(_), Some(held)) => wiring::is_per_method_of_earlier_versions(held),
            (wanted, held) => wanted.is_some() != held.is_some(),
        }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::aws::resources::lambda_endpoint::schema::schema;

    fn config(extra: &[(&str, Value)]) -> Value {
        let mut attrs: BTreeMap<String, Value> = [
            (attr::REST_API_ID, "api1"),
            (attr::RESOURCE_ID, "res1"),
            (attr::HTTP_METHOD, "POST"),
            (attr::FUNCTION_NAME, "worker"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::from(v)))
        .collect();
        for (k, v) in extra {
            attrs.insert((*k).to_owned(), v.clone());
        }
        Value::Map(attrs)
    }

    fn plan_for(prior: Value, config: Value) -> Plan {
        plan(
            &schema(),
            PlanRequest { prior_state: prior, proposed_state: config.clone(), config },
            None,
        )
    }

    #[test]
    fn create_fills_defaults_and_leaves_remote_values_unknown() {
        let p = plan_for(Value::Null, config(&[]));
        let s = &p.planned_state;
        assert_eq!(s.get(attr::ID), &Value::from("api1/res1/POST"));
        assert_eq!(s.get(attr::AUTHORIZATION), &Value::from("NONE"));
        assert_eq!(s.get(attr::RESPONSE_STATUS_CODE), &Value::from("202"));
        assert_eq!(s.get(attr::TIMEOUT_MILLISECONDS), &Value::from(29_000));
        assert_eq!(s.get(attr::FUNCTION_ARN), &Value::Unknown);
        assert_eq!(s.get(attr::RESOURCE_PATH), &Value::Unknown);
        assert!(s.get(attr::REDEPLOYMENT_TRIGGER).is_present());
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn an_unchanged_endpoint_plans_no_change() {
        let applied = applied_state(&[]);
        let p = plan_for(applied.clone(), merge(&applied, &config(&[])));
        assert_eq!(p.planned_state, applied);
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn changing_the_method_replaces_and_changes_the_trigger() {
        let applied = applied_state(&[]);
        let next = config(&[(attr::HTTP_METHOD, "PUT".into())]);
        let p = plan_for(applied.clone(), merge(&applied, &next));
        assert_eq!(p.requires_replace, vec![AttributePath::root(attr::HTTP_METHOD)]);
        assert_ne!(
            p.planned_state.get(attr::REDEPLOYMENT_TRIGGER),
            applied.get(attr::REDEPLOYMENT_TRIGGER)
        );
    }

    #[test]
    fn changing_a_template_updates_in_place_and_changes_the_trigger() {
        let applied = applied_state(&[]);
        let templates = Value::object([("application/json", Value::from("{}"))]);
        let next = config(&[(attr::REQUEST_TEMPLATES, templates)]);
        let p = plan_for(applied.clone(), merge(&applied, &next));
        assert!(p.requires_replace.is_empty());
        assert_eq!(p.planned_state.get(attr::FUNCTION_ARN), applied.get(attr::FUNCTION_ARN));
        assert_ne!(
            p.planned_state.get(attr::REDEPLOYMENT_TRIGGER),
            applied.get(attr::REDEPLOYMENT_TRIGGER)
        );
    }

    #[test]
    fn a_dispatchs_status_is_part_of_its_wiring() {
        let status = |code: &str| (attr::RESPONSE_STATUS_CODE, Value::from(code));
        for (delivery, rewired) in [("direct", false), ("dispatcher", true)] {
            let delivered = (attr::DELIVERY, Value::from(delivery));
            let applied = applied_state(std::slice::from_ref(&delivered));
            let next = config(&[delivered, status("200")]);
            let p = plan_for(applied.clone(), merge(&applied, &next));
            assert!(p.requires_replace.is_empty(), "{delivery}");
            let uri = p.planned_state.get(attr::INTEGRATION_URI);
            assert_eq!(uri.is_unknown(), rewired, "{delivery}: {uri:?}");
        }
    }

    #[test]
    fn an_unknown_function_makes_the_trigger_unknown() {
        let p = plan_for(Value::Null, config(&[(attr::FUNCTION_NAME, Value::Unknown)]));
        assert_eq!(p.planned_state.get(attr::REDEPLOYMENT_TRIGGER), &Value::Unknown);
    }

    #[test]
    fn an_integration_rewired_out_of_band_is_repaired() {
        let account = Account {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account_id: "123456789012".into(),
        };
        let Value::Map(mut applied) = applied_state(&[]) else { unreachable!() };
        let inputs = Inputs::from_value(&Value::Map(applied.clone()));
        let invocation = inputs.invocation(&account);
        let wiring = inputs.wiring(&account);
        let permission = wiring.permission.as_ref().unwrap();
        let recorded = [
            (attr::RESOURCE_PATH, "/jobs"),
            (attr::FUNCTION_ARN, &invocation.function_arn),
            (attr::INTEGRATION_URI, &invocation.integration_uri),
            (attr::PERMISSION_STATEMENT_ID, &permission.statement_id),
            (attr::PERMISSION_SOURCE_ARN, &permission.source_arn),
        ];
        for (name, value) in recorded {
            applied.insert(name.into(), value.into());
        }
        let request = |prior: &BTreeMap<String, Value>| PlanRequest {
            prior_state: Value::Map(prior.clone()),
            proposed_state: merge(&Value::Map(prior.clone()), &config(&[])),
            config: config(&[]),
        };
        let intact = plan(&schema(), request(&applied), Some(&account));
        assert_eq!(intact.planned_state, Value::Map(applied.clone()));
        // A refresh reads an integration that is not ours any more as no URI.
        applied.insert(attr::INTEGRATION_URI.into(), "".into());
        let repaired = plan(&schema(), request(&applied), Some(&account));
        assert_eq!(repaired.planned_state.get(attr::INTEGRATION_URI), &Value::Unknown);
        assert_eq!(repaired.planned_state.get(attr::RESOURCE_PATH), &Value::from("/jobs"));
        assert!(repaired.requires_replace.is_empty());
    }

    /// What state looks like after creating `config(extra)`.
    fn applied_state(extra: &[(&str, Value)]) -> Value {
        let Value::Map(mut state) = plan_for(Value::Null, config(extra)).planned_state else {
            unreachable!()
        };
        for name in [
            attr::RESOURCE_PATH,
            attr::FUNCTION_ARN,
            attr::INTEGRATION_URI,
            attr::PERMISSION_STATEMENT_ID,
            attr::PERMISSION_SOURCE_ARN,
        ] {
            state.insert(name.into(), format!("remote-{name}").into());
        }
        Value::Map(state)
    }

    /// Terraform's proposed state: config values, prior values for unset computed ones.
    fn merge(prior: &Value, config: &Value) -> Value {
        let mut out = prior.as_map().cloned().unwrap_or_default();
        for (k, v) in config.as_map().into_iter().flatten() {
            out.insert(k.clone(), v.clone());
        }
        Value::Map(out)
    }
}
