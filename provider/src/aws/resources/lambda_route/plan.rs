//! Planning: defaults for what the user left unset, which computed values
//! will change, and that a new API replaces the route.

use super::attr::*;
use super::model::{Authorization, DEFAULT_STATUS};
use crate::plugin::{AttributePath, Plan, PlanRequest, Value};

/// The optional attributes with a default, and that default.
pub fn defaults() -> [(&'static str, Value); 2] {
    [
        (AUTHORIZATION_TYPE, Value::from(Authorization::None.as_str())),
        (RESPONSE_STATUS_CODE, Value::from(i64::from(DEFAULT_STATUS))),
    ]
}

pub fn plan(request: PlanRequest) -> Plan {
    let PlanRequest { prior_state, proposed_state, config } = request;
    let mut planned = match proposed_state {
        Value::Map(attributes) => attributes,
        _ => Default::default(),
    };
    // Unset means the default, also when an earlier apply had another value.
    for (name, default) in defaults() {
        if config.get(name).is_null() {
            planned.insert(name.to_owned(), default);
        }
    }
    let changed = |name: &str| planned.get(name).unwrap_or(&Value::Null) != prior_state.get(name);
    let replaced = !prior_state.is_null() && changed(API_ID);
    let creating = prior_state.is_null() || replaced;
    let target_changed = changed(FUNCTION_NAME) || changed(QUALIFIER);
    let mut unknown = |name: &str| {
        planned.insert(name.to_owned(), Value::Unknown);
    };
    if creating {
        for name in [ID, ROUTE_ID, INTEGRATION_ID, FUNCTION_ARN, DISPATCHER_ARN] {
            unknown(name);
        }
    } else {
        if target_changed {
            unknown(FUNCTION_ARN);
        }
        // A route that lost its dispatcher integration gets a new one.
        if prior_state.get(INTEGRATION_ID).is_null() {
            unknown(INTEGRATION_ID);
        }
        // One that lost the dispatcher, or the API's permission to invoke
        // it, has them put back.
        if prior_state.get(INTEGRATION_ID).is_null() || prior_state.get(DISPATCHER_ARN).is_null() {
            unknown(DISPATCHER_ARN);
        }
    }
    let requires_replace = if replaced { vec![AttributePath::root(API_ID)] } else { Vec::new() };
    Plan { planned_state: Value::Map(planned), requires_replace, diagnostics: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::lambda_route::model::{Computed, Inputs, Response, State};

    fn prior() -> Value {
        State {
            inputs: Inputs {
                api_id: "a1".into(),
                route_key: "POST /x".into(),
                function_name: "worker".into(),
                qualifier: None,
                authorization: Authorization::None,
                authorizer_id: None,
                authorization_scopes: None,
                response: Response::default(),
            },
            computed: Computed {
                route_id: Some("r1".into()),
                integration_id: Some("i1".into()),
                function_arn: Some("arn:aws:lambda:us-east-1:1:function:worker".into()),
                dispatcher_arn: Some(
                    "arn:aws:lambda:us-east-1:1:function:tf-async-dispatcher".into(),
                ),
            },
        }
        .to_value()
    }

    fn config(function: &str) -> Value {
        Value::object([
            (API_ID, Value::from("a1")),
            (ROUTE_KEY, Value::from("POST /x")),
            (FUNCTION_NAME, Value::from(function)),
        ])
    }

    fn proposed(config: &Value, prior: &Value) -> Value {
        let mut value = prior.as_map().cloned().unwrap_or_default();
        for (k, v) in config.as_map().unwrap() {
            value.insert(k.clone(), v.clone());
        }
        Value::Map(value)
    }

    #[test]
    fn an_unchanged_route_plans_no_change() {
        let (prior, config) = (prior(), config("worker"));
        let plan = plan(PlanRequest {
            prior_state: prior.clone(),
            proposed_state: proposed(&config, &prior),
            config,
        });
        assert_eq!(plan.planned_state, prior);
        assert!(plan.requires_replace.is_empty());
    }

    #[test]
    fn a_new_target_is_known_after_apply_and_updates_in_place() {
        let (prior, config) = (prior(), config("other"));
        let plan = plan(PlanRequest {
            prior_state: prior.clone(),
            proposed_state: proposed(&config, &prior),
            config,
        });
        assert!(plan.planned_state.get(FUNCTION_ARN).is_unknown());
        assert_eq!(plan.planned_state.get(INTEGRATION_ID), prior.get(INTEGRATION_ID));
        assert!(plan.requires_replace.is_empty());
    }

    #[test]
    fn a_create_takes_the_defaults() {
        let config = config("worker");
        let plan =
            plan(PlanRequest { prior_state: Value::Null, proposed_state: config.clone(), config });
        assert_eq!(plan.planned_state.get(RESPONSE_STATUS_CODE).as_i64(), Some(202));
        assert_eq!(plan.planned_state.get(AUTHORIZATION_TYPE).as_str(), Some("NONE"));
        assert!(plan.planned_state.get(ID).is_unknown());
    }
}
