//! The route's resource identity (Terraform 1.12+): the account and region,
//! the API and the route. A new route's id is known only after apply.

use super::attr::{API_ID, ROUTE_ID};
use super::model::RouteId;
use crate::aws::arn::Account;
use crate::aws::resources::identity;
use crate::plugin::{IdentitySchema, Value};

pub fn schema() -> IdentitySchema {
    identity::schema("HTTP API", &[(API_ID, "ID of the HTTP API."), (ROUTE_ID, "ID of the route.")])
}

pub fn of(state: &Value, region: Option<&str>, account_id: Option<&str>) -> Value {
    identity::of(state, &[API_ID, ROUTE_ID], region, account_id)
}

/// The route an `import { identity = ... }` names, once its account and
/// region, when given, are the provider's.
pub fn route(identity: &Value, account: &Account) -> Result<RouteId, String> {
    identity::check_location(identity, account)?;
    let part = |name: &str| identity.get(name).as_str().unwrap_or_default().to_owned();
    RouteId::parse(&format!("{}/{}", part(API_ID), part(ROUTE_ID)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::identity::{ACCOUNT_ID, REGION};

    #[test]
    fn the_identity_names_the_route_where_the_provider_works() {
        let account = Account {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account_id: "123456789012".into(),
        };
        let state = Value::object([(API_ID, Value::from("a1")), (ROUTE_ID, Value::from("r1"))]);
        let identity = of(&state, Some("us-east-1"), Some("123456789012"));
        assert_eq!(identity.get(ACCOUNT_ID), &Value::from("123456789012"));
        assert_eq!(route(&identity, &account).unwrap().to_string(), "a1/r1");
        let planned = Value::object([(API_ID, Value::from("a1")), (ROUTE_ID, Value::Unknown)]);
        assert!(of(&planned, Some("us-east-1"), None).get(ROUTE_ID).is_unknown());
        let elsewhere = Value::object([
            (REGION, Value::from("eu-west-1")),
            (API_ID, Value::from("a1")),
            (ROUTE_ID, Value::from("r1")),
        ]);
        assert!(route(&elsewhere, &account).unwrap_err().contains("aliased provider"));
    }
}
