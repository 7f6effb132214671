//! Acceptance tests: the whole life of `async_lambda_endpoint` against a real
//! LocalStack, with real Terraform, the oldest and the newest supported. Each
//! test works on its own REST API, so tests run in parallel.

use crate::support::aws::{self as cloud, ACCOUNT, REGION, block_on};
use crate::support::hcl::{Endpoint, configuration};
use crate::support::localstack::localstack;
use crate::support::proxy::FaultProxy;
use crate::support::terraform::{Terraform, each_terraform_version};
use crate::support::versions::TERRAFORM_NEWEST;

const HANDLER: &str = "def handler(event, context):\n    print(event)\n";

/// A configuration with the LocalStack provider block and `endpoints`.
fn config(endpoints: &[Endpoint]) -> String {
    configuration(&cloud::provider_block(), endpoints)
}

/// A proxy in front of LocalStack that counts the calls and refuses, as AWS
/// does, to put a method, a method response or a second default integration
/// response over one there (LocalStack overwrites them).
fn as_aws() -> FaultProxy {
    FaultProxy::start(&[("refusals", "aws")])
}

/// A configuration whose API Gateway and Lambda calls go through `proxy`.
fn config_via(proxy: &FaultProxy, endpoints: &[Endpoint]) -> String {
    configuration(&cloud::provider_block_via(&proxy.url, &localstack().endpoint, None), endpoints)
}

/// The writes the proxy saw (every call but the reads), by operation, and
/// how many of them it refused as AWS would.
fn writes(proxy: &FaultProxy) -> (serde_json::Value, u64) {
    let stats = proxy.stats();
    let calls = stats["calls"].as_object().unwrap().iter();
    let writes = calls.filter(|(call, _)| !call.contains(":Get"));
    (writes.map(|(c, n)| (c.clone(), n.clone())).collect(), stats["refused"].as_u64().unwrap())
}

/// A REST API with a `/jobs` resource and a function, unique to `test`.
struct Fixture {
    api: String,
    resource: String,
    function: String,
}

fn fixture(test: &str, version: &str) -> Fixture {
    let name = format!("{test}-{}", version.replace('.', "-"));
    let (api, resource) = cloud::rest_api_with_resource(&name, "jobs");
    cloud::function(&name, HANDLER);
    Fixture { api, resource, function: name }
}

impl Fixture {
    /// Endpoint `name`: `method` on `/jobs`, wired to the function.
    fn endpoint(&self, name: &str, method: &str) -> Endpoint {
        Endpoint::new(name, &self.api, &self.resource, method, &self.function)
    }

    /// The configuration with one endpoint, `hook`, POST on `/jobs`, plus `arguments`.
    fn hook(&self, arguments: &[(&str, &str)]) -> String {
        config(&[self.endpoint("hook", "POST").with(arguments)])
    }
}

/// A fixture with the plain `hook` endpoint applied.
fn applied(test: &str, version: &'static str) -> (Fixture, Terraform) {
    let f = fixture(test, version);
    let tf = Terraform::new(version);
    tf.write_config(&f.hook(&[]));
    tf.apply();
    (f, tf)
}

each_terraform_version!(acceptance create_then_both_plans_are_empty everywhere);
fn create_then_both_plans_are_empty(version: &'static str) {
    let (f, tf) = applied("create", version);
    tf.assert_no_changes();

    let method = cloud::get_method(&f.api, &f.resource, "POST").expect("method created");
    let integration = method.method_integration().unwrap();
    assert_eq!(integration.r#type().unwrap().as_str(), "AWS");
    assert_eq!(
        integration.request_parameters().unwrap()["integration.request.header.X-Amz-Invocation-Type"],
        "'Event'"
    );
    assert!(integration.uri().unwrap().ends_with(&format!("function:{}/invocations", f.function)));
    assert!(integration.integration_responses().unwrap().contains_key("202"));
    assert!(method.method_responses().unwrap().contains_key("202"));
    let statements = cloud::permission_statements(&f.function);
    let scoped = format!("arn:aws:execute-api:{REGION}:{ACCOUNT}:{}/*", f.api);
    let statement = (format!("async-endpoints-{}", f.api), scoped.clone());
    assert_eq!(statements, [statement], "one statement, scoped to this REST API");

    let state = tf.state_attributes("async_lambda_endpoint.hook");
    assert_eq!(state["id"], format!("{}/{}/POST", f.api, f.resource));
    assert_eq!(state["resource_path"], "/jobs");
    assert_eq!(state["permission_source_arn"], scoped);
}

each_terraform_version!(acceptance update_in_place_keeps_the_integration_response);
fn update_in_place_keeps_the_integration_response(version: &'static str) {
    let (f, tf) = applied("update", version);
    let trigger = tf.state_attributes("async_lambda_endpoint.hook")["redeployment_trigger"].clone();

    tf.write_config(&f.hook(&[
        ("request_templates", r#"{ "application/json" = "{\"body\": $input.json('$')}" }"#),
        ("response_status_code", r#""200""#),
        ("response_templates", r#"{ "application/json" = "{\"queued\": true}" }"#),
        (
            "response_parameters",
            r#"{ "method.response.header.Access-Control-Allow-Origin" = "'*'" }"#,
        ),
    ]));
    let plan = tf.plan_changes(&[]).expect("a change is planned");
    assert!(plan.contains("will be updated in-place"), "{plan}");
    assert!(plan.contains("0 to add, 1 to change, 0 to destroy"), "{plan}");
    tf.apply();
    tf.assert_no_changes();

    let method = cloud::get_method(&f.api, &f.resource, "POST").unwrap();
    let integration = method.method_integration().unwrap();
    assert_eq!(
        integration.request_templates().unwrap()["application/json"],
        "{\"body\": $input.json('$')}"
    );
    let responses = integration.integration_responses().unwrap();
    let response = responses.get("200").expect("integration response present after the update");
    assert_eq!(response.response_templates().unwrap()["application/json"], "{\"queued\": true}");
    assert!(!responses.contains_key("202"), "the old response is gone");
    assert!(method.method_responses().unwrap().contains_key("200"));
    let new_trigger =
        tf.state_attributes("async_lambda_endpoint.hook")["redeployment_trigger"].clone();
    assert_ne!(trigger, new_trigger, "a stage must be redeployed after this change");
}

each_terraform_version!(acceptance an_update_changes_only_what_differs_and_never_the_method_itself);
fn an_update_changes_only_what_differs_and_never_the_method_itself(version: &'static str) {
    let f = fixture("in-place", version);
    let tf = Terraform::new(version);
    let hook = |arguments: &[(&str, &str)]| f.endpoint("hook", "POST").with(arguments);
    let create = as_aws();
    tf.write_config(&config_via(&create, &[hook(&[])]));
    tf.apply();

    // The method, the request templates and the status code at once.
    let changed = [
        ("api_key_required", "true"),
        ("request_parameters", r#"{ "method.request.header.X-Signature" = true }"#),
        ("request_templates", r#"{ "application/json" = "{\"body\": $input.json('$')}" }"#),
        ("response_status_code", r#""200""#),
    ];
    let update = as_aws();
    tf.write_config(&config_via(&update, &[hook(&changed)]));
    tf.apply();
    let expected = serde_json::json!({
        // The required header: the REST API's parameters validator, set by
        // the same UpdateMethod.
        "apigateway:CreateRequestValidator": 1,
        "apigateway:UpdateMethod": 1,
        "apigateway:UpdateIntegration": 1,
        "apigateway:PutMethodResponse": 1,
        "apigateway:DeleteIntegrationResponse": 1,
        "apigateway:PutIntegrationResponse": 1,
        "apigateway:DeleteMethodResponse": 1,
    });
    assert_eq!(writes(&update), (expected, 0), "no DeleteMethod, no PutMethod, no PutIntegration");
    tf.assert_no_changes();
    let method = cloud::get_method(&f.api, &f.resource, "POST").unwrap();
    assert_eq!(method.api_key_required(), Some(true));
    assert!(method.request_parameters().unwrap()["method.request.header.X-Signature"]);
    assert!(method.request_validator_id().is_some_and(|v| !v.is_empty()), "validated");
    let integration = method.method_integration().unwrap();
    let templates = integration.request_templates().unwrap();
    assert_eq!(templates.len(), 1, "the built-in templates' other keys are gone: {templates:?}");
    let responses = integration.integration_responses().unwrap();
    assert!(responses.contains_key("200"), "integration response present after the update");
    assert!(!responses.contains_key("202"), "the old one is gone: {responses:?}");
    let declared = method.method_responses().unwrap();
    assert!(declared.contains_key("200") && !declared.contains_key("202"), "{declared:?}");

    // The response's template and a header alone: the integration response
    // and the method response's declarations, nothing else.
    let responded = [
        ("response_templates", r#"{ "application/json" = "{\"queued\": true}" }"#),
        ("response_parameters", r#"{ "method.response.header.X-Queued" = "'yes'" }"#),
    ];
    let update = as_aws();
    tf.write_config(&config_via(&update, &[hook(&[&changed[..], &responded[..]].concat())]));
    tf.apply();
    let expected = serde_json::json!({
        "apigateway:UpdateMethodResponse": 1,
        "apigateway:PutIntegrationResponse": 1,
    });
    assert_eq!(writes(&update), (expected, 0));
    tf.assert_no_changes();
    let method = cloud::get_method(&f.api, &f.resource, "POST").unwrap();
    let response = &method.method_integration().unwrap().integration_responses().unwrap()["200"];
    assert_eq!(response.response_templates().unwrap()["application/json"], "{\"queued\": true}");
    assert_eq!(response.response_parameters().unwrap()["method.response.header.X-Queued"], "'yes'");
    let declared = method.method_responses().unwrap()["200"].response_parameters().unwrap();
    assert!(declared.contains_key("method.response.header.X-Queued"), "{declared:?}");
}

each_terraform_version!(acceptance drift_shows_in_the_plan_and_apply_repairs_it);
fn drift_shows_in_the_plan_and_apply_repairs_it(version: &'static str) {
    let f = fixture("drift", version);
    let tf = Terraform::new(version);
    let hook = [f.endpoint("hook", "POST")];
    let create = as_aws();
    tf.write_config(&config_via(&create, &hook));
    tf.apply();

    // Out of band: the integration becomes synchronous, the permission is removed.
    let method = cloud::get_method(&f.api, &f.resource, "POST").unwrap();
    let uri = method.method_integration().unwrap().uri().unwrap().to_owned();
    block_on(async {
        cloud::apigateway()
            .put_integration()
            .rest_api_id(&f.api)
            .resource_id(&f.resource)
            .http_method("POST")
            .r#type(aws_sdk_apigateway::types::IntegrationType::AwsProxy)
            .integration_http_method("POST")
            .uri(uri)
            .send()
            .await
            .unwrap();
        cloud::lambda()
            .remove_permission()
            .function_name(&f.function)
            .statement_id(format!("async-endpoints-{}", f.api))
            .send()
            .await
            .unwrap();
    });
    let repair = as_aws();
    tf.write_config(&config_via(&repair, &hook));
    let plan = tf.plan_changes(&[]).expect("drift shows in the plan");
    assert!(plan.contains("will be updated in-place"), "{plan}");
    tf.apply();
    // The method response outlived the integration put over ours, and AWS
    // refuses to declare it again: it is declared afresh.
    let expected = serde_json::json!({
        "apigateway:PutIntegration": 1,
        "apigateway:PutMethodResponse": 2,
        "apigateway:DeleteMethodResponse": 1,
        "apigateway:PutIntegrationResponse": 1,
        "lambda:AddPermission": 1,
    });
    assert_eq!(writes(&repair), (expected, 1));
    tf.assert_no_changes();
    let method = cloud::get_method(&f.api, &f.resource, "POST").unwrap();
    let integration = method.method_integration().unwrap();
    assert_eq!(integration.r#type().unwrap().as_str(), "AWS");
    assert!(integration.integration_responses().unwrap().contains_key("202"));
    assert_eq!(cloud::permission_statements(&f.function).len(), 1);
}

each_terraform_version!(acceptance a_method_deleted_out_of_band_is_recreated);
fn a_method_deleted_out_of_band_is_recreated(version: &'static str) {
    let (f, tf) = applied("deleted", version);
    block_on(
        cloud::apigateway()
            .delete_method()
            .rest_api_id(&f.api)
            .resource_id(&f.resource)
            .http_method("POST")
            .send(),
    )
    .unwrap();
    let plan = tf.plan_changes(&[]).expect("the missing method is planned");
    assert!(plan.contains("will be created"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert!(cloud::get_method(&f.api, &f.resource, "POST").is_some());
    assert_eq!(cloud::permission_statements(&f.function).len(), 1, "no duplicate statement");
}

each_terraform_version!(acceptance import_gives_the_applied_state);
fn import_gives_the_applied_state(version: &'static str) {
    let f = fixture("import", version);
    let tf = Terraform::new(version);
    tf.write_config(&f.hook(&[
        ("authorization", r#""NONE""#),
        ("request_parameters", r#"{ "method.request.header.X-Signature" = true }"#),
    ]));
    tf.apply();
    let applied = tf.state_attributes("async_lambda_endpoint.hook");

    tf.ok(&["state", "rm", "async_lambda_endpoint.hook"]);
    let id = format!("{}/{}/POST", f.api, f.resource);
    tf.ok(&["import", "-no-color", "-input=false", "async_lambda_endpoint.hook", &id]);
    assert_eq!(tf.state_attributes("async_lambda_endpoint.hook"), applied);
    tf.assert_no_changes();

    tf.ok(&["state", "rm", "async_lambda_endpoint.hook"]);
    let bad = tf.fails(&[
        "import",
        "-no-color",
        "-input=false",
        "async_lambda_endpoint.hook",
        "not-an-id",
    ]);
    assert!(bad.contains("REST_API_ID/RESOURCE_ID/HTTP_METHOD"), "{bad}");
}

each_terraform_version!(acceptance destroy_removes_method_and_permission);
fn destroy_removes_method_and_permission(version: &'static str) {
    let (f, tf) = applied("destroy", version);
    tf.destroy();
    assert!(cloud::get_method(&f.api, &f.resource, "POST").is_none(), "method left behind");
    assert!(cloud::permission_statements(&f.function).is_empty(), "permission left behind");
}

each_terraform_version!(acceptance endpoints_of_one_api_share_a_statement_until_the_last_goes);
fn endpoints_of_one_api_share_a_statement_until_the_last_goes(version: &'static str) {
    let f = fixture("shared", version);
    let name = format!("shared-other-{}", version.replace('.', "-"));
    let (other_api, other_resource) = cloud::rest_api_with_resource(&name, "other");
    let other = Endpoint::new("other", &other_api, &other_resource, "POST", &f.function);
    let tf = Terraform::new(version);
    tf.write_config(&config(&[
        f.endpoint("post", "POST"),
        f.endpoint("put", "PUT"),
        other.clone(),
    ]));
    tf.apply();
    tf.assert_no_changes();
    let mut sources: Vec<String> =
        cloud::permission_statements(&f.function).into_iter().map(|(_, s)| s).collect();
    sources.sort();
    let mut expected: Vec<String> = [&f.api, &other_api]
        .map(|api| format!("arn:aws:execute-api:{REGION}:{ACCOUNT}:{api}/*"))
        .to_vec();
    expected.sort();
    assert_eq!(sources, expected, "one statement per REST API");

    // The REST API's statement stays while one of its endpoints uses it.
    tf.write_config(&config(&[f.endpoint("post", "POST"), other.clone()]));
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(cloud::permission_statements(&f.function).len(), 2);
    assert!(cloud::get_method(&f.api, &f.resource, "POST").is_some());
    assert!(cloud::get_method(&f.api, &f.resource, "PUT").is_none());

    // Replacing the last endpoint of an API takes its statement away and back.
    let replace = "-replace=async_lambda_endpoint.post";
    let replaced = tf.ok(&["apply", "-auto-approve", "-no-color", "-input=false", replace]);
    assert!(replaced.contains("1 added, 0 changed, 1 destroyed"), "{replaced}");
    tf.assert_no_changes();
    assert_eq!(cloud::permission_statements(&f.function).len(), 2, "no duplicate, no orphan");

    tf.write_config(&config(&[other]));
    tf.apply();
    let left = cloud::permission_statements(&f.function);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].1.contains(&other_api), "{left:?}");
}

each_terraform_version!(acceptance twenty_endpoints_in_one_apply);
fn twenty_endpoints_in_one_apply(version: &'static str) {
    let f = fixture("twenty", version);
    let parts: Vec<String> = (0..20).map(|i| format!("hook{i}")).collect();
    let resources = cloud::resources(&f.api, &parts);
    let endpoints: Vec<Endpoint> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| Endpoint::new(&format!("e{i}"), &f.api, r, "POST", &f.function))
        .collect();
    let tf = Terraform::new(version);
    tf.write_config(&config(&endpoints));
    let out = tf.apply();
    assert!(out.contains("20 added"), "{out}");
    tf.assert_no_changes();
    assert_eq!(cloud::permission_statements(&f.function).len(), 1, "one shared statement");
    tf.destroy();
    assert!(cloud::permission_statements(&f.function).is_empty());
}

each_terraform_version!(acceptance a_create_whose_result_was_lost_converges_on_the_next_apply);
fn a_create_whose_result_was_lost_converges_on_the_next_apply(version: &'static str) {
    let (f, tf) = applied("lost", version);
    // As if the provider had been killed before Terraform recorded the create.
    tf.ok(&["state", "rm", "async_lambda_endpoint.hook"]);
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(cloud::permission_statements(&f.function).len(), 1, "no duplicate statement");
    assert!(cloud::get_method(&f.api, &f.resource, "POST").is_some());
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn a_method_made_by_someone_else_is_never_taken_over() {
    let f = fixture("foreign", TERRAFORM_NEWEST);
    cloud::mock_method(&f.api, &f.resource, "POST");
    let tf = Terraform::new(TERRAFORM_NEWEST);
    tf.write_config(&f.hook(&[]));
    let out = tf.fails(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert!(out.contains("Method already exists"), "{out}");
    assert!(out.contains("terraform import"), "{out}");
    let method = cloud::get_method(&f.api, &f.resource, "POST").unwrap();
    assert_eq!(
        method.method_integration().unwrap().r#type().unwrap().as_str(),
        "MOCK",
        "untouched"
    );
    assert!(cloud::permission_statements(&f.function).is_empty(), "nothing created");
    assert!(tf.state_attributes("async_lambda_endpoint.hook").is_null(), "nothing in state");
}

each_terraform_version!(acceptance an_endpoint_of_an_earlier_version_moves_to_the_shared_statement);
fn an_endpoint_of_an_earlier_version_moves_to_the_shared_statement(version: &'static str) {
    let (f, tf) = applied("legacy", version);
    let shared = cloud::permission_statements(&f.function);
    // What earlier versions left: a statement of the endpoint's own, in AWS and in state.
    let legacy_id = format!("async-endpoint-{}-{}-POST", f.api, f.resource);
    let legacy_source = format!("arn:aws:execute-api:{REGION}:{ACCOUNT}:{}/*/POST/jobs", f.api);
    block_on(async {
        let lambda = cloud::lambda();
        lambda
            .remove_permission()
            .function_name(&f.function)
            .statement_id(&shared[0].0)
            .send()
            .await
            .unwrap();
        lambda
            .add_permission()
            .function_name(&f.function)
            .statement_id(&legacy_id)
            .action("lambda:InvokeFunction")
            .principal("apigateway.amazonaws.com")
            .source_arn(&legacy_source)
            .send()
            .await
            .unwrap();
    });
    let mut state: serde_json::Value = serde_json::from_str(&tf.ok(&["state", "pull"])).unwrap();
    state["serial"] = (state["serial"].as_u64().unwrap() + 1).into();
    let attributes = &mut state["resources"][0]["instances"][0]["attributes"];
    attributes["permission_statement_id"] = legacy_id.clone().into();
    attributes["permission_source_arn"] = legacy_source.into();
    let pushed = tf.dir().join("earlier.tfstate");
    std::fs::write(&pushed, state.to_string()).unwrap();
    tf.ok(&["state", "push", pushed.to_str().unwrap()]);

    let plan = tf.plan_changes(&[]).expect("the move to the shared statement is planned");
    assert!(plan.contains("will be updated in-place"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(cloud::permission_statements(&f.function), shared, "the shared one, and only it");
}
