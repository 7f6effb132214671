//! The redeployment trigger: a digest of every input, since each shapes the
//! method, its integration or its responses, which a stage serves only once
//! redeployed. The built-in templates count as written out, so a provider
//! upgrade that improves them redeploys.

use sha2::{Digest, Sha256};

use super::attr;
use super::model::{Delivery, Inputs};
use crate::plugin::Value;

pub fn of(inputs: &Inputs) -> String {
    let mut deployed = inputs.clone();
    deployed.integration.request_templates = Some(inputs.integration.effective_request_templates());
    deployed.response.templates = Some(inputs.response.effective_templates());
    let mut hasher = Sha256::new();
    // The default delivery, and no request schema, digest as before either
    // existed: upgrading the provider redeploys nothing that it leaves as it was.
    let attributes = deployed.attributes().into_iter().filter(|(name, value)| {
        !(*name == attr::DELIVERY && value.as_str() == Some(Delivery::Direct.as_str())
            || *name == attr::REQUEST_SCHEMA && value.is_null())
    });
    for (name, value) in attributes {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hash_value(&mut hasher, &value);
    }
    // A stage validates requests only once redeployed after the validator
    // was set, which parameters marked required now bring.
    if inputs.method.validation().is_some() {
        hasher.update(b"request validation");
    }
    let digest = hasher.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
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
    use std::collections::BTreeMap;

    use super::*;
    use crate::aws::resources::lambda_endpoint::model::{
        Authorization, EndpointId, PassthroughBehavior, StatusCode, Target,
    };

    fn minimal() -> Inputs {
        Inputs {
            id: EndpointId::parse("api1/res1/POST").unwrap(),
            target: Target { function_name: "worker".into(), ..Target::default() },
            ..Inputs::default()
        }
    }

    /// Digests of states written by earlier versions: a change here would
    /// tell every existing deployment to redeploy for nothing.
    #[test]
    fn triggers_of_existing_states_do_not_change() {
        assert_eq!(of(&minimal()), "26d6f5af2febb857b476525e4087cd20");
        let mut empties = minimal();
        empties.method.authorization_scopes = Some(Vec::new());
        empties.method.request_parameters = Some(BTreeMap::new());
        empties.response.templates = Some(BTreeMap::new());
        assert_eq!(of(&empties), "b9947dbf73644128c40be19725a852b8");
        let mut full = minimal();
        let map = |k: &str, v: &str| Some(BTreeMap::from([(k.to_owned(), v.to_owned())]));
        full.target.qualifier = Some("live".into());
        full.target.credentials = Some("arn:aws:iam::123456789012:role/r".into());
        full.method.authorization = Authorization::CognitoUserPools;
        full.method.authorizer_id = Some("auth1".into());
        full.method.authorization_scopes = Some(vec!["b".into(), "a".into()]);
        full.method.api_key_required = true;
        full.method.request_parameters =
            Some(BTreeMap::from([("method.request.header.X".to_owned(), false)]));
        full.integration.request_templates = map("application/json", "{}");
        full.integration.passthrough_behavior = PassthroughBehavior::WhenNoMatch;
        full.integration.timeout_milliseconds = 5000;
        full.response.status_code = StatusCode::parse("200");
        full.response.templates = map("application/json", "ok");
        full.response.parameters = map("method.response.header.A", "'*'");
        // As the version before `request_schema` digested it (a parameter
        // marked required now validates, which a stage must be redeployed
        // for: see below).
        assert_eq!(of(&full), "0fadd7894175f66fe75663c0e586fdd2");
    }

    #[test]
    fn validation_is_a_change_to_deploy() {
        let mut schema = minimal();
        schema.method.request_schema = Some(r#"{"type":"object"}"#.into());
        assert_ne!(of(&schema), of(&minimal()));
        let required = |flag: bool| {
            let mut inputs = minimal();
            inputs.method.request_parameters =
                Some(BTreeMap::from([("method.request.header.X".to_owned(), flag)]));
            inputs
        };
        assert_ne!(of(&required(true)), of(&required(false)));
    }

    #[test]
    fn the_dispatcher_is_a_change_to_deploy() {
        let mut dispatched = minimal();
        dispatched.target.delivery =
            crate::aws::resources::lambda_endpoint::model::Delivery::Dispatcher;
        assert_ne!(of(&dispatched), of(&minimal()));
    }

    #[test]
    fn built_in_templates_count_as_written_out() {
        let mut written = minimal();
        written.integration.request_templates =
            Some(minimal().integration.effective_request_templates());
        assert_eq!(of(&written), of(&minimal()));
    }
}
