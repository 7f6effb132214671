//! What happens to events that fail after the 202: at plan, once per
//! function and run, a warning when the target (at its qualifier) would
//! drop them, none once it has an on-failure destination or a dead-letter
//! queue, and none when the provider is told to skip the check.

use aws_smithy_types::error::display::DisplayErrorContext;

use crate::support::aws::{self as cloud, block_on, lambda};
use crate::support::hcl::{Endpoint, configuration};
use crate::support::terraform::{Terraform, each_terraform_version};

const LOST: &str = "Warning: Failed events for";

/// The plan's text; the plan must succeed.
fn plan(tf: &Terraform) -> String {
    tf.ok(&["plan", "-no-color", "-input=false"])
}

/// How many times the plan warned that failed events of `target` are lost.
fn warnings_for(plan: &str, target: &str) -> usize {
    assert!(!plan.contains("more similar warning"), "one warning per function: {plan}");
    plan.matches(&format!("{LOST} {target} will be lost")).count()
}

fn put_destination(function: &str, qualifier: Option<&str>, destination: &str) {
    block_on(async {
        let on_failure =
            aws_sdk_lambda::types::OnFailure::builder().destination(destination).build();
        let config = aws_sdk_lambda::types::DestinationConfig::builder().on_failure(on_failure);
        lambda()
            .put_function_event_invoke_config()
            .function_name(function)
            .set_qualifier(qualifier.map(str::to_owned))
            .destination_config(config.build())
            .send()
            .await
            .unwrap_or_else(|e| panic!("PutFunctionEventInvokeConfig: {}", DisplayErrorContext(e)));
    });
}

fn put_dead_letter_queue(function: &str, target: &str) {
    block_on(async {
        let queue = aws_sdk_lambda::types::DeadLetterConfig::builder().target_arn(target).build();
        lambda()
            .update_function_configuration()
            .function_name(function)
            .dead_letter_config(queue)
            .send()
            .await
            .unwrap_or_else(|e| panic!("UpdateFunctionConfiguration: {}", DisplayErrorContext(e)));
    });
}

fn alias(function: &str, name: &str) {
    block_on(async {
        let version = lambda().publish_version().function_name(function).send().await.unwrap();
        lambda()
            .create_alias()
            .function_name(function)
            .name(name)
            .function_version(version.version().unwrap())
            .send()
            .await
            .unwrap_or_else(|e| panic!("CreateAlias: {}", DisplayErrorContext(e)));
    });
}

each_terraform_version!(acceptance a_target_that_drops_failed_events_is_warned_about_once_at_plan);
fn a_target_that_drops_failed_events_is_warned_about_once_at_plan(version: &'static str) {
    let test = &format!("drops-{}", version.replace('.', "-"));
    let (api, _) = cloud::rest_api_with_resource(test, "base");
    let resources = cloud::resources(&api, &["a".into(), "b".into(), "c".into()]);
    cloud::function(test, "def handler(event, context):\n    return None\n");
    let sink = format!("{test}-sink");
    let sink_arn = cloud::function(&sink, "def handler(event, context):\n    return None\n");
    alias(test, "live");
    let endpoints = [
        Endpoint::new("a", &api, &resources[0], "POST", test),
        Endpoint::new("b", &api, &resources[1], "POST", test),
        Endpoint::new("live", &api, &resources[2], "POST", test).string("qualifier", "live"),
    ];
    let tf = Terraform::new(version);
    tf.write_config(&configuration(&cloud::provider_block(), &endpoints));

    let first = plan(&tf);
    assert_eq!(warnings_for(&first, test), 1, "{version}, the unqualified target: {first}");
    let live = format!("{test} (qualifier live)");
    assert_eq!(warnings_for(&first, &live), 1, "{version}, the alias: {first}");
    assert!(first.contains("aws_lambda_function_event_invoke_config"), "what to add: {first}");
    assert!(first.contains("skip_failure_destination_check"), "how to silence it: {first}");

    // A destination for the function leaves its alias without one.
    put_destination(test, None, &sink_arn);
    let second = plan(&tf);
    assert_eq!(warnings_for(&second, test), 0, "{version}: {second}");
    assert_eq!(warnings_for(&second, &live), 1, "{version}: {second}");
    put_destination(test, Some("live"), &sink_arn);
    tf.apply();
    assert!(!tf.apply().contains(LOST), "{version}: every target has a destination");

    // Skipped: no warning, though the function drops them.
    let dropping = format!("{test}-plain");
    cloud::function(&dropping, "def handler(event, context):\n    return None\n");
    let unchecked = [Endpoint::new("a", &api, &resources[0], "POST", &dropping)];
    let skipping = cloud::provider_block().replacen(
        "provider \"async\" {",
        "provider \"async\" {\n  skip_failure_destination_check = true",
        1,
    );
    tf.write_config(&configuration(&skipping, &unchecked));
    assert!(!plan(&tf).contains(LOST), "{version}: skipped");
    tf.destroy();
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn a_dead_letter_queue_keeps_failed_events_too() {
    let test = "dead-letters";
    let (api, resource) = cloud::rest_api_with_resource(test, "jobs");
    cloud::function(test, "def handler(event, context):\n    return None\n");
    let tf = Terraform::new(crate::support::versions::TERRAFORM_NEWEST);
    let endpoint = Endpoint::new("jobs", &api, &resource, "POST", test);
    tf.write_config(&configuration(&cloud::provider_block(), &[endpoint]));
    assert_eq!(warnings_for(&plan(&tf), test), 1, "no queue yet");
    let queue = format!("arn:aws:sqs:{}:{}:{test}", cloud::REGION, cloud::ACCOUNT);
    put_dead_letter_queue(test, &queue);
    let planned = plan(&tf);
    assert_eq!(warnings_for(&planned, test), 0, "{planned}");
}
