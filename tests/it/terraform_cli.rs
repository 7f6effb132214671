//! Real Terraform (the oldest and newest supported) loads the provider,
//! validates and plans, through dev_overrides and through reattach (debug) mode.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::binaries;
use crate::support::hcl::{Endpoint, configuration};
use crate::support::terraform::{PROVIDER_ADDRESS, Terraform, each_terraform_version};
use crate::support::versions::{TERRAFORM_ACTIONS, TERRAFORM_FUNCTIONS, at_least};

fn valid_config() -> String {
    let function = "arn:aws:lambda:us-east-1:123456789012:function:worker";
    let webhook = Endpoint::new("webhook", "a1b2c3d4e5", "f6g7h8", "POST", function);
    // The failure-destination check is the plan's only AWS call for new
    // endpoints: skipped, no AWS is needed here.
    let provider = "provider \"async\" {\n  skip_failure_destination_check = true\n}\n";
    configuration(provider, &[webhook])
}

/// AWS settings as a user's shell has them.
const AWS_ENV: [(&str, &str); 3] =
    [("AWS_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test")];

fn terraform(version: &'static str) -> Terraform {
    let mut tf = Terraform::new(version);
    for (key, value) in AWS_ENV {
        tf.set_env(key, value);
    }
    tf
}

fn validate_and_plan(tf: &Terraform) {
    tf.write_config(&valid_config());
    let out = tf.ok(&["validate", "-no-color"]);
    assert!(out.contains("The configuration is valid"), "{out}");
    let plan = tf.ok(&["plan", "-no-color", "-input=false"]);
    assert!(plan.contains("async_lambda_endpoint.webhook will be created"), "{plan}");
    assert!(plan.contains(r#"id                      = "a1b2c3d4e5/f6g7h8/POST""#), "{plan}");
    assert!(plan.contains("function_arn            = (known after apply)"), "{plan}");
    assert!(plan.contains("Plan: 1 to add, 0 to change, 0 to destroy."), "{plan}");
}

each_terraform_version!(validate_and_plan_through_dev_overrides everywhere);
fn validate_and_plan_through_dev_overrides(version: &'static str) {
    validate_and_plan(&terraform(version));
}

each_terraform_version!(a_missing_region_is_one_clear_diagnostic_at_configure);
fn a_missing_region_is_one_clear_diagnostic_at_configure(version: &'static str) {
    let mut tf = Terraform::new(version);
    // No region anywhere: not in the block, the environment, or a profile.
    let home = tf.dir().join("home");
    std::fs::create_dir_all(&home).unwrap();
    tf.set_env("HOME", &home.display().to_string());
    for key in ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE"] {
        tf.set_env(key, "");
    }
    tf.set_env("AWS_ACCESS_KEY_ID", "test");
    tf.set_env("AWS_SECRET_ACCESS_KEY", "test");
    tf.write_config(&valid_config());
    let out = tf.fails(&["plan", "-no-color", "-input=false"]);
    assert_eq!(out.matches("Error: ").count(), 1, "{version}: one diagnostic:\n{out}");
    assert!(out.contains("No AWS region is configured"), "{version}: {out}");
}

each_terraform_version!(providers_schema_lists_the_resource_with_descriptions everywhere);
fn providers_schema_lists_the_resource_with_descriptions(version: &'static str) {
    let tf = terraform(version);
    tf.write_config(&valid_config());
    let json: serde_json::Value =
        serde_json::from_str(&tf.ok(&["providers", "schema", "-json"])).unwrap();
    let provider = &json["provider_schemas"][PROVIDER_ADDRESS];
    let attributes = provider["resource_schemas"]["async_lambda_endpoint"]["block"]["attributes"]
        .as_object()
        .unwrap_or_else(|| panic!("{version}: no resource schema in {json}"));
    assert!(attributes.len() >= 20);
    for (name, attribute) in attributes {
        let description = attribute["description"].as_str().unwrap_or("");
        assert!(!description.is_empty(), "{version}: {name} has no description");
    }
    assert_eq!(attributes["function_name"]["required"], true);
    assert_eq!(attributes["redeployment_trigger"]["computed"], true);
    let config = &provider["provider"]["block"]["attributes"];
    assert_eq!(config["secret_key"]["sensitive"], true);
    // What each version knows of the schema it shows: functions from 1.8,
    // actions from 1.14; older versions ignore them.
    let function = &provider["functions"]["openapi_operation"];
    let action = &provider["action_schemas"]["async_lambda_endpoint_test"];
    assert_eq!(
        function.is_object(),
        at_least(version, TERRAFORM_FUNCTIONS),
        "{version}: {function}"
    );
    if at_least(version, TERRAFORM_FUNCTIONS) {
        assert_eq!(function["parameters"][0]["name"], "function_arn", "{version}: {function}");
    }
    assert_eq!(action.is_object(), at_least(version, TERRAFORM_ACTIONS), "{version}: {provider}");
}

each_terraform_version!(terraform_never_has_to_kill_the_provider);
fn terraform_never_has_to_kill_the_provider(version: &'static str) {
    let mut tf = terraform(version);
    tf.write_config(&valid_config());
    let log = tf.dir().join("terraform.log");
    tf.set_env("TF_LOG", "DEBUG");
    tf.set_env("TF_LOG_PATH", &log.display().to_string());
    tf.ok(&["plan", "-no-color", "-input=false"]);
    let log = std::fs::read_to_string(log).unwrap();
    assert!(log.contains("plugin process exited"), "{version}: provider did not exit");
    assert!(!log.contains("plugin failed to exit gracefully"), "{version}: provider was killed");
}

each_terraform_version!(validate_and_plan_against_a_provider_in_debug_mode);
fn validate_and_plan_against_a_provider_in_debug_mode(version: &'static str) {
    // In debug mode the provider does not inherit Terraform's environment.
    let mut provider = Command::new(binaries::provider())
        .arg("--debug")
        .envs(AWS_ENV)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = provider.stdout.take().unwrap();
    // Stops the provider however the test ends.
    let mut provider = KillOnDrop(provider);
    let mut reattach = String::new();
    BufReader::new(stdout).read_line(&mut reattach).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&reattach).expect("reattach JSON");
    assert_eq!(parsed[PROVIDER_ADDRESS]["Pid"], provider.0.id());

    let mut tf = terraform(version);
    tf.set_env("TF_REATTACH_PROVIDERS", reattach.trim());
    validate_and_plan(&tf);
    // Still serving after Terraform is done (Test: true), until told to stop.
    assert!(provider.0.try_wait().unwrap().is_none(), "debug provider exited early");
    send_sigterm(provider.0.id());
    let status = provider.0.wait().unwrap();
    assert!(status.success(), "{status}");
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn send_sigterm(pid: u32) {
    let status = Command::new("kill").arg("-TERM").arg(pid.to_string()).status().unwrap();
    assert!(status.success());
}
