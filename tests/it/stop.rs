//! One provider process in debug mode (`--debug`) serving run after run, as
//! a developer uses it: Terraform's Stop (Ctrl-C) ends the apply in flight
//! and nothing else, and each run's provider block takes effect.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::aws as cloud;
use crate::support::binaries;
use crate::support::hcl::{Endpoint, configuration};
use crate::support::terraform::{Terraform, each_terraform_version, interrupt, start_apply};

/// The provider, started with `--debug`, killed however the test ends.
struct DebugProvider {
    child: Child,
    reattach: String,
}

impl DebugProvider {
    /// It does not inherit Terraform's environment: configurations here set
    /// region and credentials in the provider block.
    fn start() -> DebugProvider {
        let mut child = Command::new(binaries::provider())
            .arg("--debug")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut reattach = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut reattach).unwrap();
        DebugProvider { child, reattach: reattach.trim().to_owned() }
    }

    /// Terraform `version`, attached to this process.
    fn terraform(&self, version: &'static str) -> Terraform {
        let mut tf = Terraform::new(version);
        tf.set_env("TF_REATTACH_PROVIDERS", &self.reattach);
        tf
    }

    fn assert_serving(&mut self) {
        assert!(self.child.try_wait().unwrap().is_none(), "the debug provider exited");
    }
}

impl Drop for DebugProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

each_terraform_version!(acceptance ctrl_c_stops_the_apply_in_flight_and_the_next_apply_in_the_same_process_works);

fn ctrl_c_stops_the_apply_in_flight_and_the_next_apply_in_the_same_process_works(
    version: &'static str,
) {
    const ENDPOINTS: usize = 20;
    let mut provider = DebugProvider::start();
    let test = format!("stop-debug-{}", version.replace('.', "-"));
    let (endpoints, api) = cloud::endpoints_on_fresh_api(&test, ENDPOINTS);
    let tf = provider.terraform(version);
    tf.write_config(&configuration(&cloud::provider_block(), &endpoints));

    let apply = start_apply(&tf);
    let deadline = Instant::now() + Duration::from_secs(60);
    while cloud::methods_on(&api) < 3 {
        assert!(Instant::now() < deadline, "the apply never got going");
        std::thread::sleep(Duration::from_millis(20));
    }
    let text = interrupt(apply);
    assert!(!text.contains("did not accept the credentials"), "{text}");
    assert!(cloud::methods_on(&api) < ENDPOINTS, "stopped too late to prove anything");
    provider.assert_serving();

    // The same process, a fresh run: nothing of the Stop is left in it.
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(cloud::methods_on(&api), ENDPOINTS, "orphaned or missing methods");
    let statements = cloud::permission_statements(&test);
    assert_eq!(statements.len(), 1, "duplicate or missing permissions");
    provider.assert_serving();
}

/// An endpoint for a function in us-east-1, under a provider for `region`.
fn endpoint_under_provider_for(region: &str) -> String {
    let provider = format!(
        "provider \"async\" {{\n  region     = \"{region}\"\n  access_key = \"test\"\n  secret_key = \"test\"\n  skip_failure_destination_check = true\n}}\n"
    );
    let function = "arn:aws:lambda:us-east-1:123456789012:function:worker";
    configuration(&provider, &[Endpoint::new("webhook", "a1b2c3d4e5", "f6g7h8", "POST", function)])
}

each_terraform_version!(each_run_configures_the_same_process_anew);

fn each_run_configures_the_same_process_anew(version: &'static str) {
    let mut provider = DebugProvider::start();
    let tf = provider.terraform(version);
    let plan = ["plan", "-no-color", "-input=false"];

    tf.write_config(&endpoint_under_provider_for("us-east-1"));
    let out = tf.ok(&plan);
    assert!(out.contains("async_lambda_endpoint.webhook will be created"), "{out}");

    tf.write_config(&endpoint_under_provider_for("us-west-2"));
    let out = tf.fails(&plan).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(out.contains("Function in another region"), "{out}");
    assert!(out.contains("this provider manages us-west-2"), "{out}");

    tf.write_config(&endpoint_under_provider_for("us-east-1"));
    tf.ok(&plan);
    provider.assert_serving();
}
