//! Crashes and interruptions: the provider killed in the middle of creating
//! twenty endpoints, and Terraform's Stop (Ctrl-C); the next apply converges
//! to exactly the configuration with nothing orphaned in LocalStack.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::aws as cloud;
use crate::support::hcl::configuration;
use crate::support::terraform::{Terraform, interrupt, start_apply};
use crate::support::versions::TERRAFORM_OLDEST;

const ENDPOINTS: usize = 20;

/// A REST API with twenty resources, a function, and a configuration wiring
/// each resource's POST to the function.
fn twenty_endpoints(test: &str) -> (Terraform, String, String) {
    let (endpoints, api) = cloud::endpoints_on_fresh_api(test, ENDPOINTS);
    let tf = Terraform::new(TERRAFORM_OLDEST);
    tf.write_config(&configuration(&cloud::provider_block(), &endpoints));
    (tf, api, test.to_owned())
}

/// Waits until at least `count` methods exist on the API (the apply is midway).
fn wait_for_methods(api: &str, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while cloud::methods_on(api) < count {
        assert!(Instant::now() < deadline, "the apply never got going");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The pids of `root`'s descendants whose name starts with `prefix`
/// (Terraform 1.0 re-executes itself, so providers are grandchildren).
fn descendants(root: u32, prefix: &str) -> Vec<u32> {
    let processes: Vec<(u32, u32, String)> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let (open, close) = (stat.find('(')?, stat.rfind(')')?);
            let ppid = stat[close + 2..].split(' ').nth(1)?.parse().ok()?;
            Some((pid, ppid, stat[open + 1..close].to_owned()))
        })
        .collect();
    let mut family = vec![root];
    let mut found = Vec::new();
    while let Some(parent) = family.pop() {
        for (pid, ppid, name) in &processes {
            if *ppid == parent {
                family.push(*pid);
                if name.starts_with(prefix) {
                    found.push(*pid);
                }
            }
        }
    }
    found
}

/// After the repair apply: plans empty, exactly one method per endpoint and
/// the one permission statement they share, nothing else.
fn assert_converged(tf: &Terraform, api: &str, function: &str) {
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(cloud::methods_on(api), ENDPOINTS, "orphaned or missing methods");
    let statements = cloud::permission_statements(function);
    assert_eq!(statements.len(), 1, "duplicate or missing permission statements");
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn the_provider_killed_midway_then_the_next_apply_converges() {
    let (tf, api, function) = twenty_endpoints("killed");
    let apply = start_apply(&tf);
    wait_for_methods(&api, 3);
    let providers = descendants(apply.id(), "terraform-provi");
    assert!(!providers.is_empty(), "no provider process found");
    for pid in providers {
        Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap();
    }
    let output = apply.wait_with_output().unwrap();
    assert!(!output.status.success(), "the apply should fail when its provider dies");
    assert!(cloud::methods_on(&api) < ENDPOINTS, "killed too late to prove anything");
    assert_converged(&tf, &api, &function);
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn ctrl_c_stops_promptly_and_the_next_apply_repairs() {
    let (tf, api, function) = twenty_endpoints("stopped");
    let apply = start_apply(&tf);
    wait_for_methods(&api, 3);
    let interrupted = Instant::now();
    interrupt(apply);
    assert!(cloud::methods_on(&api) < ENDPOINTS, "stopped too late to prove anything");
    eprintln!("stopped {:?} after Ctrl-C", interrupted.elapsed());
    assert_converged(&tf, &api, &function);
}
