//! The endpoint's resource identity (Terraform 1.12+), as hashicorp/aws v6
//! gives `aws_api_gateway_method`: the account and region it lives in and
//! where the method is. It follows from the id and the configured provider,
//! so it is known at plan for a create and never changes for an endpoint.

use super::attr::{HTTP_METHOD, RESOURCE_ID, REST_API_ID};
use super::model::EndpointId;
use super::state::FromValue;
use crate::aws::arn::Account;
use crate::aws::resources::identity;
use crate::plugin::{IdentitySchema, Value};

pub fn schema() -> IdentitySchema {
    identity::schema(
        "REST API",
        &[
            (REST_API_ID, "ID of the REST API."),
            (RESOURCE_ID, "ID of the API resource the method is on."),
            (HTTP_METHOD, "HTTP method of the method, e.g. `POST`."),
        ],
    )
}

/// The identity of the endpoint `state` (or a plan) describes in `region`
/// and `account_id`; what is not known yet (parts of the id at plan, the
/// account before the run learns it) is unknown.
pub fn of(state: &Value, region: Option<&str>, account_id: Option<&str>) -> Value {
    identity::of(state, &[REST_API_ID, RESOURCE_ID, HTTP_METHOD], region, account_id)
}

/// The endpoint an `import { identity = ... }` names, once its account and
/// region, when given, are the provider's.
pub fn endpoint(identity: &Value, account: &Account) -> Result<EndpointId, String> {
    identity::check_location(identity, account)?;
    let id = EndpointId::from_value(identity);
    EndpointId::parse(&id.to_string()).map_err(|_| {
        format!(
            "The identity {{ rest_api_id = {:?}, resource_id = {:?}, http_method = {:?} }} does \
             not name a method: rest_api_id and resource_id are API Gateway ids such as \
             a1b2c3d4e5, http_method one of {}.",
            id.rest_api_id,
            id.resource_id,
            id.http_method,
            super::model::HTTP_METHODS.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::identity::{ACCOUNT_ID, REGION};

    fn account() -> Account {
        Account {
            partition: "aws".into(),
            region: "eu-west-1".into(),
            account_id: "123456789012".into(),
        }
    }

    fn identity(pairs: &[(&str, &str)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (*k, Value::from(*v))))
    }

    #[test]
    fn the_identity_follows_from_the_id_and_the_account() {
        let state =
            identity(&[(REST_API_ID, "api1"), (RESOURCE_ID, "res1"), (HTTP_METHOD, "POST")]);
        let found = of(&state, Some("eu-west-1"), Some("123456789012"));
        assert_eq!(found.get(ACCOUNT_ID), &Value::from("123456789012"));
        assert_eq!(found.get(REGION), &Value::from("eu-west-1"));
        assert_eq!(endpoint(&found, &account()).unwrap().to_string(), "api1/res1/POST");
        let planned = of(&state, Some("eu-west-1"), None);
        assert_eq!(planned.get(ACCOUNT_ID), &Value::Unknown);
        assert_eq!(planned.get(REGION), &Value::from("eu-west-1"));
    }

    #[test]
    fn an_identity_elsewhere_or_malformed_is_refused_with_what_to_do() {
        let elsewhere = identity(&[
            (ACCOUNT_ID, "999999999999"),
            (REST_API_ID, "api1"),
            (RESOURCE_ID, "res1"),
            (HTTP_METHOD, "POST"),
        ]);
        assert!(endpoint(&elsewhere, &account()).unwrap_err().contains("aliased provider"));
        let region = identity(&[
            (REGION, "us-east-1"),
            (REST_API_ID, "a"),
            (RESOURCE_ID, "b"),
            (HTTP_METHOD, "GET"),
        ]);
        assert!(endpoint(&region, &account()).unwrap_err().contains("\"us-east-1\""));
        let bad = identity(&[(REST_API_ID, "api1"), (RESOURCE_ID, "res1"), (HTTP_METHOD, "FETCH")]);
        assert!(endpoint(&bad, &account()).unwrap_err().contains("http_method one of"));
    }
}
