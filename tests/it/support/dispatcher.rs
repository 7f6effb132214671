//! The dispatcher that `async_lambda_route` deploys, as the tests see it from
//! outside: whether it and its role exist, its role's policies, and invoking
//! it as API Gateway does for a route.

use std::sync::{Mutex, MutexGuard};

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;
use serde_json::{Value as Json, json};

use super::aws::{self as cloud, ACCOUNT, REGION, block_on};

pub const DISPATCHER: &str = "tf-async-dispatcher";
pub const ROLE: &str = "tf-async-dispatcher-us-east-1";
/// The request header a route's integration sets for the dispatcher.
pub const CONFIG_HEADER: &str = "x-async-lambda-route";
/// The integration's request parameter that sets it.
pub const CONFIG_PARAMETER: &str = "overwrite:header.x-async-lambda-route";

/// AWS's documented payload format 2.0 example (provider/dispatcher/fixtures).
pub const EXAMPLE_EVENT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/provider/dispatcher/fixtures/aws-http-api-payload-v2.json"
));

/// A function's ARN as LocalStack makes it.
pub fn function_arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
}

/// Whether function `name` exists on LocalStack; any other answer fails.
pub fn function_exists(name: &str) -> bool {
    block_on(async {
        match cloud::lambda().get_function_configuration().function_name(name).send().await {
            Ok(_) => true,
            Err(e) if e.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => {
                false
            }
            Err(e) => panic!("GetFunctionConfiguration {name}: {e:?}"),
        }
    })
}

/// The turn of a test that creates or destroys what uses the dispatcher
/// (`async_lambda_route`s, endpoints with `delivery = "dispatcher"`). It is
/// one per account and region, created with the first user and removed with
/// the last, so tests on the shared LocalStack take turns: one test's last
/// destroy would remove it under another's, and a test asserting it is gone
/// would see another's.
pub fn turn() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The dispatcher's configuration as Lambda holds it; any error fails.
pub fn configuration()
-> aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationOutput {
    block_on(async {
        let read = cloud::lambda().get_function_configuration().function_name(DISPATCHER).send();
        read.await.unwrap_or_else(|e| panic!("GetFunctionConfiguration {DISPATCHER}: {e:?}"))
    })
}

pub fn dispatcher_exists() -> bool {
    function_exists(DISPATCHER)
}

/// The dispatcher role's inline policies by name, their documents decoded;
/// `None` when there is no role.
pub fn role_policies() -> Option<Vec<(String, Json)>> {
    block_on(async {
        let iam = cloud::iam();
        match iam.get_role().role_name(ROLE).send().await {
            Ok(_) => {}
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_entity_exception()) => {
                return None;
            }
            Err(e) => panic!("GetRole: {e:?}"),
        }
        let listed = iam.list_role_policies().role_name(ROLE).send().await.unwrap();
        let mut policies = Vec::new();
        for name in listed.policy_names() {
            let policy = iam.get_role_policy().role_name(ROLE).policy_name(name).send().await;
            // IAM URL-encodes policy documents.
            let encoded = format!("d={}", policy.unwrap().policy_document());
            let (_, document) = form_urlencoded::parse(encoded.as_bytes()).next().unwrap();
            policies.push((name.clone(), serde_json::from_str(&document).unwrap()));
        }
        policies.sort_by(|a, b| a.0.cmp(&b.0));
        Some(policies)
    })
}

/// Deletes the dispatcher role's inline policy `name`, as someone outside
/// Terraform would.
pub fn delete_role_policy(name: &str) {
    block_on(async {
        let deleted = cloud::iam().delete_role_policy().role_name(ROLE).policy_name(name).send();
        deleted.await.unwrap_or_else(|e| panic!("DeleteRolePolicy {name}: {e:?}"));
    });
}

/// Whether the dispatcher role has the inline policy `name`.
pub fn has_role_policy(name: &str) -> bool {
    role_policies().is_some_and(|policies| policies.iter().any(|(n, _)| n == name))
}

/// Invokes the dispatcher as API Gateway does for a route whose integration
/// sets `header`; the payload 2.0 answer.
pub fn invoke_as_api_gateway(event: &Json, header: &str) -> Json {
    let mut event = event.clone();
    event["headers"][CONFIG_HEADER] = json!(header);
    block_on(async {
        let answer = cloud::lambda()
            .invoke()
            .function_name(DISPATCHER)
            .invocation_type(InvocationType::RequestResponse)
            .payload(Blob::new(serde_json::to_vec(&event).unwrap()))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.function_error(), None, "{answer:?}");
        serde_json::from_slice(answer.payload().unwrap().as_ref()).unwrap()
    })
}
