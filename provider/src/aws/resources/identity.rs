//! What every resource's identity (Terraform 1.12+) shares, as hashicorp/aws
//! v6 gives its resources: the account and region the object lives in,
//! optional on import (the provider's when unset), then the object's own
//! required attributes.

use crate::aws::arn::Account;
use crate::plugin::{IdentityAttribute, IdentitySchema, Type, Value};

pub const ACCOUNT_ID: &str = "account_id";
pub const REGION: &str = "region";

/// The schema: account and region where `what` lives, then `own`
/// (name, description), each a required string.
pub fn schema(what: &str, own: &[(&str, &str)]) -> IdentitySchema {
    let attribute = |name: &str, required_for_import, description: String| IdentityAttribute {
        name: name.to_owned(),
        ty: Type::String,
        description,
        required_for_import,
    };
    let location = [
        attribute(
            ACCOUNT_ID,
            false,
            format!("AWS account the {what} is in; the provider's account when unset."),
        ),
        attribute(
            REGION,
            false,
            format!("Region the {what} is in; the provider's region when unset."),
        ),
    ];
    let own =
        own.iter().map(|(name, description)| attribute(name, true, (*description).to_owned()));
    IdentitySchema { version: 0, attributes: location.into_iter().chain(own).collect() }
}

/// The identity of the object `state` (or a plan) describes in `region`
/// and `account_id`, with its `own` attributes; what is not known yet is
/// unknown.
pub fn of(state: &Value, own: &[&str], region: Option<&str>, account_id: Option<&str>) -> Value {
    let known = |value: Option<&str>| value.map_or(Value::Unknown, Value::from);
    let own = own.iter().map(|name| {
        let value = state.get(name);
        (*name, if value.is_unknown() { Value::Unknown } else { value.clone() })
    });
    Value::object([(ACCOUNT_ID, known(account_id)), (REGION, known(region))].into_iter().chain(own))
}

/// Refuses an identity in another account or region than the provider's.
pub fn check_location(identity: &Value, account: &Account) -> Result<(), String> {
    for (name, configured) in [(ACCOUNT_ID, &account.account_id), (REGION, &account.region)] {
        if let Some(given) = identity.get(name).as_str().filter(|given| given != configured) {
            return Err(format!(
                "The identity's {name} is {given:?}, but this provider works in {configured:?}. \
                 Import with a provider configured for {given:?} (an aliased provider block and \
                 `provider = async.ALIAS` in the import block), or leave {name} unset."
            ));
        }
    }
    Ok(())
}
