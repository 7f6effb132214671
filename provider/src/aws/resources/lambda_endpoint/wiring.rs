//! The names and ARNs an endpoint derives from its inputs and the account.

use super::model::{
    Delivery, EndpointId, Inputs, Invocation, Permission, StatusCode, Target, Wiring,
};
use crate::aws::apigateway::{execute_api, lambda_integration};
use crate::aws::arn::Account;
use crate::aws::dispatcher::endpoint_alias::{self, EndpointAlias};
use crate::aws::lambda::{self, FunctionRef};

impl EndpointId {
    /// The Lambda permission statement that lets this endpoint's REST API
    /// invoke a function: one per function and REST API, shared by all the
    /// API's endpoints that invoke it, since a function's policy holds
    /// 20,480 bytes, about 60 statements. Deterministic, so a retried or
    /// re-run create finds the statement instead of adding a second.
    pub fn statement_id(&self) -> String {
        format!("async-endpoints-{}", self.rest_api_id)
    }

    /// The REST API model holding this endpoint's `request_schema`: model
    /// names are alphanumeric, and so are resource ids and methods.
    pub fn model_name(&self) -> String {
        format!("AsyncEndpoint{}{}", self.resource_id, self.http_method)
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

    /// With `delivery = "dispatcher"`, what the dispatcher's alias says:
    /// the target and the status to answer.
    pub fn dispatch(&self) -> Option<EndpointAlias> {
        let Target { function_name, qualifier, delivery, .. } = &self.target;
        (*delivery == Delivery::Dispatcher).then(|| {
            let function = FunctionRef::lenient(function_name);
            EndpointAlias {
                function_name: function.name,
                qualifier: function.qualifier.or_else(|| qualifier.clone()),
                status: self.response.status_code.unwrap_or(StatusCode::ACCEPTED).code(),
            }
        })
    }

    /// With `delivery = "dispatcher"`, the account `function_name` names when
    /// it is not `account`'s: the dispatcher's alias names the function by
    /// name only, in the dispatcher's own account, so that is refused.
    pub fn dispatch_elsewhere(&self, account: &Account) -> Option<String> {
        self.dispatch()?;
        let named = FunctionRef::lenient(&self.target.function_name).account?;
        (named != account.account_id).then_some(named)
    }

    /// The function the method invokes and the integration URI it does so
    /// by: the function's own, or the dispatcher alias's for it.
    pub fn invocation(&self, account: &Account) -> Invocation {
        let function_arn = self.function_arn(account);
        // Validation refuses a dispatch whose alias name Lambda would refuse.
        let alias = self.dispatch().and_then(|dispatch| dispatch.name());
        let invoked_arn = match &alias {
            Some(alias) => endpoint_alias::alias_arn(account, alias),
            None => function_arn.clone(),
        };
        Invocation {
            integration_uri: lambda_integration::invocation_uri(account, &invoked_arn),
            function_arn,
            invoked_arn,
            alias,
        }
    }

    /// How the method reaches the function. The statement's source ARN is
    /// this REST API, any stage, method and path: never broader than one
    /// REST API.
    pub fn wiring(&self, account: &Account) -> Wiring {
        let Invocation { function_arn, integration_uri, .. } = self.invocation(account);
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

impl Wiring {
    /// The dispatcher's alias the integration invokes, if it invokes one.
    pub fn dispatcher_alias(&self) -> Option<String> {
        let invoked =
            self.integration_uri.as_deref().and_then(lambda_integration::function_arn_from_uri)?;
        endpoint_alias::of_arn(invoked)?;
        lambda::split_qualifier(invoked).1.map(str::to_owned)
    }

    /// What API Gateway invokes, and the permission is on: the function in
    /// the integration URI, else the function.
    pub fn invoked_arn(&self) -> Option<&str> {
        let from_uri =
            self.integration_uri.as_deref().and_then(lambda_integration::function_arn_from_uri);
        from_uri.or(self.function_arn.as_deref())
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
    fn a_dispatch_invokes_the_dispatchers_alias_naming_target_and_status() {
        let account = account();
        let mut dispatched = inputs("worker", "POST");
        dispatched.target.delivery = Delivery::Dispatcher;
        dispatched.target.qualifier = Some("live".into());
        let invocation = dispatched.invocation(&account);
        let alias = "arn:aws:lambda:us-east-1:123456789012:function:tf-async-dispatcher:to-202-6-worker-live";
        assert_eq!(
            invocation.function_arn,
            "arn:aws:lambda:us-east-1:123456789012:function:worker:live"
        );
        assert_eq!(invocation.invoked_arn, alias);
        assert_eq!(invocation.alias.as_deref(), Some("to-202-6-worker-live"));
        assert!(invocation.integration_uri.ends_with(&format!("/functions/{alias}/invocations")));
        let wiring = dispatched.wiring(&account);
        assert_eq!(wiring.invoked_arn(), Some(alias));
        assert_eq!(wiring.dispatcher_alias().as_deref(), Some("to-202-6-worker-live"));
        assert_eq!(wiring.permission.unwrap().statement_id, "async-endpoints-api1");
        dispatched.response.status_code = StatusCode::parse("200");
        assert_eq!(dispatched.invocation(&account).alias.as_deref(), Some("to-200-6-worker-live"));
        let direct = inputs("worker", "POST").wiring(&account);
        assert_eq!(direct.invoked_arn(), direct.function_arn.as_deref());
        assert_eq!(direct.dispatcher_alias(), None);
    }

    #[test]
    fn a_dispatch_to_another_account_is_named() {
        let account = account();
        let mut elsewhere = inputs("arn:aws:lambda:us-east-1:999999999999:function:w", "POST");
        assert_eq!(elsewhere.dispatch_elsewhere(&account), None, "direct: invoked as named");
        elsewhere.target.delivery = Delivery::Dispatcher;
        assert_eq!(elsewhere.dispatch_elsewhere(&account).as_deref(), Some("999999999999"));
        let mut here = inputs("arn:aws:lambda:us-east-1:123456789012:function:w", "POST");
        here.target.delivery = Delivery::Dispatcher;
        assert_eq!(here.dispatch_elsewhere(&account), None);
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
