//! Planning: defaults for what the user left unset, which computed values
//! will change, and which changes replace the endpoint.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::model::Desired;
use super::templates;
use crate::aws::clients::Account;
use crate::plugin::{AttributePath, Plan, PlanRequest, Schema, Value};

/// Attributes a stage must be redeployed for: everything that shapes the
/// method, its integration or its responses.
const DEPLOYED_ATTRIBUTES: [&str; 17] = [
    "rest_api_id",
    "resource_id",
    "http_method",
    "function_name",
    "qualifier",
    "authorization",
    "authorizer_id",
    "authorization_scopes",
    "api_key_required",
    "request_parameters",
    "request_templates",
    "passthrough_behavior",
    "response_status_code",
    "response_templates",
    "response_parameters",
    "credentials",
    "timeout_milliseconds",
];

/// Computed attributes that follow from the function and the credentials.
const FUNCTION_DERIVED: [&str; 4] =
    ["function_arn", "integration_uri", "permission_statement_id", "permission_source_arn"];

/// What decides the function-derived attributes.
const FUNCTION_INPUTS: [&str; 3] = ["function_name", "qualifier", "credentials"];

/// The value of each optional-computed attribute the user left unset.
pub fn defaults() -> [(&'static str, Value); 5] {
    [
        ("authorization", "NONE".into()),
        ("api_key_required", false.into()),
        ("passthrough_behavior", "NEVER".into()),
        ("response_status_code", "202".into()),
        ("timeout_milliseconds", 29_000.into()),
    ]
}

/// Plans a create or update. With the `account` (from a configured provider), an update
/// also repairs what was changed outside Terraform in the parts that are not
/// attributes of their own: the async integration and the permission.
pub fn plan(schema: &Schema, request: PlanRequest, account: Option<&Account>) -> Plan {
    let PlanRequest { prior_state, proposed_state, config } = request;
    let mut planned = match proposed_state {
        Value::Map(attrs) => attrs,
        _ => BTreeMap::new(),
    };
    // Terraform proposes the prior value for unset optional-computed attributes;
    // unset means "the default", so a removed setting goes back to it.
    for (name, default) in defaults() {
        if config.get(name).is_null() {
            planned.insert(name.to_owned(), default);
        }
    }

    let creating = prior_state.is_null();
    let changed =
        |name: &str| creating || planned.get(name).unwrap_or(&Value::Null) != prior_state.get(name);
    let requires_replace: Vec<AttributePath> = if creating {
        Vec::new()
    } else {
        schema
            .block
            .attributes
            .iter()
            .filter(|a| a.requires_replace && changed(&a.name))
            .map(|a| AttributePath::root(&a.name))
            .collect()
    };
    let replacing = !requires_replace.is_empty();
    let function_changed = FUNCTION_INPUTS.iter().any(|n| changed(n));

    if creating || replacing {
        planned.insert("resource_path".into(), Value::Unknown);
    }
    let broken =
        !creating && account.is_some_and(|account| needs_repair(&prior_state, &planned, account));
    if creating || replacing || function_changed || broken {
        for name in FUNCTION_DERIVED {
            planned.insert(name.into(), Value::Unknown);
        }
    }
    let id = endpoint_id(&planned);
    planned.insert("id".into(), id);
    let trigger = redeployment_trigger(&planned);
    planned.insert("redeployment_trigger".into(), trigger);

    Plan { planned_state: Value::Map(planned), requires_replace, diagnostics: Vec::new() }
}

/// Whether the integration or the permission in the refreshed prior state
/// differs from what the plan asks for (e.g. deleted or rewired out of band).
fn needs_repair(prior: &Value, planned: &BTreeMap<String, Value>, account: &Account) -> bool {
    if planned.values().any(Value::contains_unknown) {
        return false;
    }
    let d = Desired::from_state(&Value::Map(planned.clone()));
    let path = prior.get("resource_path").as_str().unwrap_or("/");
    let (statement, source) = d.permission(account, path);
    prior.get("integration_uri").as_str() != Some(d.integration_uri(account).as_str())
        || prior.get("permission_statement_id").as_str() != Some(statement.as_str())
        || prior.get("permission_source_arn").as_str() != Some(source.as_str())
}

/// `REST_API_ID/RESOURCE_ID/METHOD`, unknown until all three are known.
pub fn endpoint_id(attrs: &BTreeMap<String, Value>) -> Value {
    let part = |name: &str| attrs.get(name).and_then(Value::as_str);
    match (part("rest_api_id"), part("resource_id"), part("http_method")) {
        (Some(api), Some(resource), Some(method)) => format!("{api}/{resource}/{method}").into(),
        _ => Value::Unknown,
    }
}

/// A digest of everything a deployment serves (built-in templates included,
/// so a provider upgrade that improves them redeploys); unknown while any of
/// it is, so a deployment that depends on it waits for the real value.
pub fn redeployment_trigger(attrs: &BTreeMap<String, Value>) -> Value {
    let mut hasher = Sha256::new();
    for name in DEPLOYED_ATTRIBUTES {
        let value = templates::effective(name, attrs.get(name).unwrap_or(&Value::Null));
        let value = value.as_ref();
        if value.contains_unknown() {
            return Value::Unknown;
        }
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hash_value(&mut hasher, value);
    }
    let digest = hasher.finalize();
    Value::String(digest[..16].iter().map(|b| format!("{b:02x}")).collect())
}

/// Feeds a value into the hasher unambiguously (tagged, length-prefixed).
fn hash_value(hasher: &mut Sha256, value: &Value) {
    match value {
        Value::Null | Value::Unknown => hasher.update([0]),
        Value::Bool(b) => hasher.update([1, u8::from(*b)]),
        Value::Number(n) => {
            hasher.update([2]);
            hash_bytes(hasher, n.to_string().as_bytes());
        }
        Value::String(s) => {
            hasher.update([3]);
            hash_bytes(hasher, s.as_bytes());
        }
        Value::List(items) => {
            hasher.update([4]);
            hasher.update((items.len() as u64).to_le_bytes());
            items.iter().for_each(|item| hash_value(hasher, item));
        }
        Value::Map(entries) => {
            hasher.update([5]);
            hasher.update((entries.len() as u64).to_le_bytes());
            for (k, v) in entries {
                hash_bytes(hasher, k.as_bytes());
                hash_value(hasher, v);
            }
        }
    }
}

fn hash_bytes(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::lambda_endpoint::schema::schema;

    fn config(extra: &[(&str, Value)]) -> Value {
        let mut attrs: BTreeMap<String, Value> = [
            ("rest_api_id", "api1"),
            ("resource_id", "res1"),
            ("http_method", "POST"),
            ("function_name", "worker"),
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
        assert_eq!(s.get("id"), &Value::from("api1/res1/POST"));
        assert_eq!(s.get("authorization"), &Value::from("NONE"));
        assert_eq!(s.get("response_status_code"), &Value::from("202"));
        assert_eq!(s.get("timeout_milliseconds"), &Value::from(29_000));
        assert_eq!(s.get("function_arn"), &Value::Unknown);
        assert_eq!(s.get("resource_path"), &Value::Unknown);
        assert!(s.get("redeployment_trigger").is_present());
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
        let next = config(&[("http_method", "PUT".into())]);
        let p = plan_for(applied.clone(), merge(&applied, &next));
        assert_eq!(p.requires_replace, vec![AttributePath::root("http_method")]);
        assert_ne!(
            p.planned_state.get("redeployment_trigger"),
            applied.get("redeployment_trigger")
        );
    }

    #[test]
    fn changing_a_template_updates_in_place_and_changes_the_trigger() {
        let applied = applied_state(&[]);
        let templates = Value::object([("application/json", Value::from("{}"))]);
        let next = config(&[("request_templates", templates)]);
        let p = plan_for(applied.clone(), merge(&applied, &next));
        assert!(p.requires_replace.is_empty());
        assert_eq!(p.planned_state.get("function_arn"), applied.get("function_arn"));
        assert_ne!(
            p.planned_state.get("redeployment_trigger"),
            applied.get("redeployment_trigger")
        );
    }

    #[test]
    fn an_unknown_function_makes_the_trigger_unknown() {
        let p = plan_for(Value::Null, config(&[("function_name", Value::Unknown)]));
        assert_eq!(p.planned_state.get("redeployment_trigger"), &Value::Unknown);
    }

    /// What state looks like after creating `config(extra)`.
    fn applied_state(extra: &[(&str, Value)]) -> Value {
        let Value::Map(mut state) = plan_for(Value::Null, config(extra)).planned_state else {
            unreachable!()
        };
        for name in FUNCTION_DERIVED.into_iter().chain(["resource_path"]) {
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
