//! The names and ARNs an endpoint derives from its inputs and the account.

use super::model::{EndpointId, Inputs, Invocation, Permission, Wiring};
use crate::aws::apigateway::{execute_api, lambda_integration};
use crate::aws::arn::Account;
use crate::aws::lambda::FunctionRef;

impl EndpointId {
    /// The Lambda permission statement that lets this endpoint's REST API
    /// invoke a function: one per function and REST API, shared by all the
    /// API's endpoints that invoke it, since a function's policy holds
    /// 20,480 bytes, about 60 statements. Deterministic, so a retried or
    /// re-run create finds the statement instead of adding a second.
    pub fn statement_id(&self) -> String {
        format!("async-endpoints-{}", self.rest_api_id)
    }
}

impl Inputs {
    /// The qualified function ARN the integration invokes; names and partial
    /// ARNs are completed with the provider's partition, region and account.
    pub fn function_arn(&self, account: &Account) -> String {
        FunctionRef::lenient(&self.target.function_name)
            .arn(account, self.target.qualifier.as_deref())
    }

    /// The statement id of the permission, or `None` when API Gateway
    /// invokes through `credentials` and needs no permission.
    pub fn statement_id(&self) -> Option<String> {
        self.target.credentials.is_none().then(|| self.id.statement_id())
    }

    /// The function the method invokes and the integration URI it does so by.
    pub fn invocation(&self, account: &Account) -> Invocation {
        let function_arn = self.function_arn(account);
        Invocation {
            integration_uri: lambda_integration::invocation_uri(account, &function_arn),
            function_arn,
        }
    }

    /// How the method reaches the function. The statement's source ARN is
    /// this REST API, any stage, method and path: never broader than one
    /// REST API.
    pub fn wiring(&self, account: &Account) -> Wiring {
        let Invocation { function_arn, integration_uri } = self.invocation(account);
        Wiring {
            function_arn: Some(function_arn),
            integration_uri: Some(integration_uri),
            permission: self.statement_id().map(|statement_id| Permission {
                statement_id,
                source_arn: execute_api::whole_api(account, &self.id.rest_api_id),
            }),
        }
    }
}

/// A statement earlier versions of this provider added, one per method
/// (`async-endpoint-API-RESOURCE-METHOD`): moved to the shared one.
pub fn is_per_method_of_earlier_versions(permission: &Permission) -> bool {
    permission.statement_id.starts_with("async-endpoint-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::resources::lambda_endpoint::model::Target;

    fn account() -> Account {
        Account {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account_id: "123456789012".into(),
        }
    }

    fn inputs(function_name: &str, method: &str) -> Inputs {
        Inputs {
            id: EndpointId::parse(&format!("api1/res1/{method}")).unwrap(),
            target: Target { function_name: function_name.into(), ..Target::default() },
            ..Inputs::default()
        }
    }

    #[test]
    fn names_resolve_to_full_arns_in_the_provider_account() {
        let account = account();
        let wiring = inputs("worker", "POST").invocation(&account);
        assert_eq!(wiring.function_arn, "arn:aws:lambda:us-east-1:123456789012:function:worker");
        assert_eq!(
            wiring.integration_uri,
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invocations"
        );
        let q = inputs("arn:aws:lambda:eu-west-1:210987654321:function:w:live", "POST");
        assert_eq!(
            q.function_arn(&account),
            "arn:aws:lambda:eu-west-1:210987654321:function:w:live"
        );
        let mut qualified = inputs("worker", "POST");
        qualified.target.qualifier = Some("7".into());
        assert_eq!(
            qualified.function_arn(&account),
            "arn:aws:lambda:us-east-1:123456789012:function:worker:7"
        );
    }

    #[test]
    fn one_statement_serves_every_method_of_the_rest_api() {
        let account = account();
        let permission =
            |method: &str| inputs("worker", method).wiring(&account).permission.unwrap();
        let post = permission("POST");
        assert_eq!(post.source_arn, "arn:aws:execute-api:us-east-1:123456789012:api1/*");
        assert_eq!(post.statement_id, "async-endpoints-api1");
        assert_eq!(permission("ANY"), post);
    }

    #[test]
    fn credentials_replace_the_permission() {
        let mut with_role = inputs("worker", "POST");
        with_role.target.credentials = Some("arn:aws:iam::123456789012:role/r".into());
        assert_eq!(with_role.wiring(&account()).permission, None);
    }

    #[test]
    fn statements_of_earlier_versions_are_known_by_their_id() {
        let permission = |statement_id: &str| Permission {
            statement_id: statement_id.into(),
            source_arn: "arn:aws:execute-api:us-east-1:123456789012:api1/*".into(),
        };
        assert!(is_per_method_of_earlier_versions(&permission("async-endpoint-api1-res1-POST")));
        assert!(!is_per_method_of_earlier_versions(&permission("async-endpoints-api1")));
    }
}
