//! `async_lambda_endpoint_test` (Terraform 1.14+): a test request through
//! API Gateway (TestInvokeMethod) after create and update from
//! `action_trigger`, and on request with `-invoke`; its progress says the
//! status, the latency and that Lambda queued the event, which reaches the
//! function; what breaks the endpoint fails it with a diagnostic naming the
//! function.

use aws_smithy_types::error::display::DisplayErrorContext;

use crate::support::aws::{self as cloud, apigateway, block_on};
use crate::support::dispatcher;
use crate::support::hcl::{Endpoint, configuration};
use crate::support::stack::{RECORDING_HANDLER, wait_for_events};
use crate::support::terraform::{Terraform, each_terraform_version};
use crate::support::versions::TERRAFORM_NEWEST;

/// The endpoint, tested by the action after each create and update.
fn config(api: &str, resource: &str, function: &str, extra: &[(&str, &str)]) -> String {
    let endpoint = Endpoint::new("jobs", api, resource, "POST", function).with(extra).hcl();
    let trigger = "  lifecycle {\n    action_trigger {\n      events  = [after_create, after_update]\n      actions = [action.async_lambda_endpoint_test.jobs]\n    }\n  }\n}\n";
    let endpoint = endpoint.trim_end().strip_suffix('}').unwrap().to_owned() + trigger;
    let action = r#"
action "async_lambda_endpoint_test" "jobs" {
  config {
    endpoint_id = async_lambda_endpoint.jobs.id
    body        = jsonencode({ smoke = true })
    headers     = { "X-Case" = "smoke" }
  }
}
"#;
    configuration(&cloud::provider_block(), &[]) + &endpoint + action
}

/// Function `name`, recording each event it gets in a directory of its own:
/// the directory and the function's ARN.
fn recording_function(name: &str) -> (tempfile::TempDir, String) {
    let events = tempfile::Builder::new().prefix("events-").tempdir().unwrap();
    let env = [("EVENT_DIR", events.path().display().to_string()), ("SLEEP", "0".into())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    cloud::function_with_env(name, RECORDING_HANDLER, &env);
    (events, format!("arn:aws:lambda:{}:{}:function:{name}", cloud::REGION, cloud::ACCOUNT))
}

each_terraform_version!(acceptance the_test_action_reaches_the_function_and_names_it_when_something_is_broken since actions);
fn the_test_action_reaches_the_function_and_names_it_when_something_is_broken(
    version: &'static str,
) {
    let name = format!("action-{}", version.replace('.', "-"));
    let (api, resource) = cloud::rest_api_with_resource(&name, "jobs");
    let function = name.as_str();
    let (events, function_arn) = recording_function(function);
    let tf = Terraform::new(version);

    // After create, from action_trigger.
    tf.write_config(&config(&api, &resource, function, &[]));
    let out = tf.apply();
    assert!(out.contains("Action started: action.async_lambda_endpoint_test.jobs"), "{out}");
    assert!(out.contains("POST /jobs: sending a test request through API Gateway"), "{out}");
    assert!(out.contains("API Gateway answered 202 in"), "{out}");
    assert!(out.contains(&format!("Lambda queued the event for {function_arn}")), "{out}");
    let event = &wait_for_events(events.path(), 1)[0]["event"];
    assert_eq!(event["resource"], "/jobs", "{event}");
    assert_eq!(crate::support::stack::header(&event["headers"], "X-Case"), Some(&"smoke".into()));

    // After update: the new answer is what the action expects.
    tf.write_config(&config(&api, &resource, function, &[("response_status_code", "\"200\"")]));
    let out = tf.apply();
    assert!(out.contains("API Gateway answered 200 in"), "{out}");
    wait_for_events(events.path(), 2);

    // On request.
    let invoke =
        ["apply", "-no-color", "-auto-approve", "-invoke=action.async_lambda_endpoint_test.jobs"];
    let out = tf.ok(&invoke);
    assert!(out.contains(&format!("Lambda queued the event for {function_arn}")), "{out}");
    wait_for_events(events.path(), 3);

    // The integration response removed out of band: the client would get
    // no answer; the action says so and names the function.
    block_on(async {
        apigateway()
            .delete_integration_response()
            .rest_api_id(&api)
            .resource_id(&resource)
            .http_method("POST")
            .status_code("200")
            .send()
            .await
            .map_err(|e| DisplayErrorContext(e).to_string())
    })
    .unwrap();
    let out = tf.fails(&invoke);
    assert!(out.contains("Integration response missing"), "{out}");
    assert!(out.contains(&function_arn), "names the function: {out}");
    wait_for_events(events.path(), 3);
    let sent = std::fs::read_dir(events.path()).unwrap().count();
    assert_eq!(sent, 3, "no test request was sent without an answer to give");

    // The function deleted.
    tf.apply();
    cloud::delete_function(function);
    let out = tf.fails(&invoke);
    assert!(out.contains("Function not found"), "{out}");
    assert!(out.contains(&function_arn), "names the function: {out}");
    assert!(out.contains("endpoint_id"), "at the attribute: {out}");
}

/// With `delivery = "dispatcher"` API Gateway invokes the dispatcher's
/// alias, not the function: the action names the function the alias
/// dispatches to, beside the alias, and the event arrives.
#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn through_the_dispatcher_the_test_action_names_the_target_function() {
    let _turn = dispatcher::turn();
    let name = "action-dispatched";
    let (api, resource) = cloud::rest_api_with_resource(name, "jobs");
    let (events, function_arn) = recording_function(name);
    let tf = Terraform::new(TERRAFORM_NEWEST);
    tf.write_config(&config(&api, &resource, name, &[("delivery", "\"dispatcher\"")]));
    let applied = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    // Destroyed first: a dispatcher left behind would fail the tests after.
    tf.destroy();
    assert!(!dispatcher::dispatcher_exists(), "the dispatcher outlived its last endpoint");
    let out = String::from_utf8_lossy(&applied.stdout).into_owned()
        + &String::from_utf8_lossy(&applied.stderr);
    assert!(applied.status.success(), "{out}");
    let alias = format!("function:tf-async-dispatcher:to-202-{}-{name}", name.len());
    let named = format!("the dispatcher accepted the event for {function_arn} (through the");
    assert!(out.contains(&named), "names the target: {out}");
    assert!(out.contains(&alias), "names the alias: {out}");
    let event = &wait_for_events(events.path(), 1)[0]["event"];
    assert_eq!(crate::support::stack::header(&event["headers"], "X-Case"), Some(&"smoke".into()));
}
