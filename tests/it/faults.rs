//! Faults injected between the provider and LocalStack by our own proxy
//! (tests/support/fault_proxy.py): throttling, conflicts, 5xx, connection
//! resets, and answers dropped after the call took effect.

use std::time::{Duration, Instant};

use crate::support::aws as cloud;
use crate::support::hcl::{Endpoint, configuration};
use crate::support::localstack::localstack;
use crate::support::proxy::FaultProxy;
use crate::support::terraform::Terraform;
use crate::support::versions::TERRAFORM_NEWEST;

const ENDPOINTS: usize = 20;

/// The provider block sending API Gateway and Lambda calls through `proxy`.
fn provider_via(proxy: &FaultProxy, max_retries: u32) -> String {
    cloud::provider_block_via(&proxy.url, &localstack().endpoint, Some(max_retries))
}

/// Rounds of the mixed-fault apply: one in `make test`, more in `make soak`.
fn rounds() -> u32 {
    std::env::var("TFASYNC_SOAK_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(1)
}

/// Fresh endpoints, with the API's id and the function's name.
fn endpoints(test: &str, count: usize) -> (Vec<Endpoint>, String, String) {
    let (hcl, api) = cloud::endpoints_on_fresh_api(test, count);
    (hcl, api, test.to_owned())
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn twenty_endpoints_apply_through_throttling_server_errors_and_resets() {
    for round in 0..rounds() {
        let seed = (round + 1).to_string();
        let proxy = FaultProxy::start(&[
            ("throttle", "0.2"),
            ("conflict", "0.02"),
            ("error", "0.03"),
            ("reset", "0.02"),
            ("seed", &seed),
        ]);
        let (hcl, api, function) = endpoints(&format!("faulty-{round}"), ENDPOINTS);
        let tf = Terraform::new(TERRAFORM_NEWEST);
        tf.write_config(&configuration(&provider_via(&proxy, 10), &hcl));
        tf.apply();
        tf.assert_no_changes();
        assert_eq!(cloud::methods_on(&api), ENDPOINTS);
        assert_eq!(cloud::permission_statements(&function).len(), 1, "one shared statement");
        tf.destroy();
        assert_eq!(cloud::methods_on(&api), 0, "orphans after destroy");
        assert!(cloud::permission_statements(&function).is_empty(), "statements after destroy");
        let stats = proxy.stats();
        eprintln!("round {round}: {ENDPOINTS} endpoints, orphans 0, fault proxy {stats}");
        assert!(stats["throttle"].as_u64().unwrap() > 0, "faults were injected: {stats}");
    }
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn endless_throttling_fails_within_the_retry_budget_with_a_clear_error() {
    let proxy = FaultProxy::start(&[("throttle", "1.0")]);
    let (hcl, api, _) = endpoints("throttled", 1);
    let tf = Terraform::new(TERRAFORM_NEWEST);
    tf.write_config(&configuration(&provider_via(&proxy, 2), &hcl));
    let started = Instant::now();
    let out = tf.fails(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    // Terraform wraps diagnostic text; compare it as one line.
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    // A hang guard, not a speed target: three attempts back off for seconds at most.
    assert!(started.elapsed() < Duration::from_secs(120), "the apply hung");
    assert!(out.contains("was throttled (TooManyRequestsException) on all 3 attempts"), "{out}");
    assert!(out.contains("-parallelism"), "the error says what to do: {out}");
    assert_eq!(cloud::methods_on(&api), 0, "nothing half-created");
    assert!(tf.state_attributes("async_lambda_endpoint.e0").is_null(), "nothing in state");
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn answers_lost_after_the_write_converge_without_duplicates_or_orphans() {
    let (hcl, api, function) = endpoints("dropped", ENDPOINTS);
    let tf = Terraform::new(TERRAFORM_NEWEST);
    {
        let lossy = FaultProxy::start(&[("drop", "0.15")]);
        tf.write_config(&configuration(&provider_via(&lossy, 10), &hcl));
        // Retries usually absorb the losses; either way the next apply must converge.
        let _ = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        let stats = lossy.stats();
        eprintln!("fault proxy: {stats}");
        assert!(stats["drop"].as_u64().unwrap() > 0, "answers were dropped: {stats}");
    }
    let clean = FaultProxy::start(&[]);
    tf.write_config(&configuration(&provider_via(&clean, 10), &hcl));
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(cloud::methods_on(&api), ENDPOINTS, "orphaned or missing methods");
    assert_eq!(cloud::permission_statements(&function).len(), 1, "duplicate statements");
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn a_refresh_reads_the_rest_api_the_policy_and_the_failure_handling_once() {
    const COUNT: usize = 5;
    let (hcl, _, _) = endpoints("refresh-calls", COUNT);
    let tf = Terraform::new(TERRAFORM_NEWEST);
    let counted = |proxy: &FaultProxy| {
        // Every call, STS included, goes through the (fault-free) proxy.
        configuration(&cloud::provider_block_via(&proxy.url, &proxy.url, None), &hcl)
    };
    let setup = FaultProxy::start(&[]);
    tf.write_config(&counted(&setup));
    tf.apply();
    let refresh = FaultProxy::start(&[]);
    tf.write_config(&counted(&refresh));
    assert!(tf.plan_changes(&[]).is_none(), "no changes");
    let calls = &refresh.stats()["calls"];
    let expected = serde_json::json!({
        "apigateway:GetResources": 1,
        "lambda:GetPolicy": 1,
        // The function's failure destination, then its dead-letter queue.
        "lambda:GetFunctionEventInvokeConfig": 1,
        "lambda:GetFunction": 1,
    });
    assert_eq!(calls, &expected, "for {COUNT} endpoints of one REST API on one function");
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn lambda_refusing_concurrent_policy_changes_is_retried() {
    const APIS: usize = 4;
    let function = "policy-conflicts";
    cloud::function(function, "def handler(event, context):\n    return event\n");
    let hcl: Vec<Endpoint> = (0..APIS)
        .flat_map(|i| {
            let (api, resource) = cloud::rest_api_with_resource(&format!("{function}-{i}"), "jobs");
            ["POST", "PUT"].map(|method| {
                Endpoint::new(&format!("e{i}{method}"), &api, &resource, method, function)
            })
        })
        .collect();
    // Every REST API grants the one function at once, and later revokes at once.
    let proxy =
        FaultProxy::start(&[("faulty", "lambda"), ("conflict", "0.2"), ("precondition", "0.15")]);
    let tf = Terraform::new(TERRAFORM_NEWEST);
    tf.write_config(&configuration(&provider_via(&proxy, 10), &hcl));
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(cloud::permission_statements(function).len(), APIS, "one statement per REST API");
    tf.destroy();
    assert!(cloud::permission_statements(function).is_empty(), "statements after destroy");
    let stats = proxy.stats();
    eprintln!("fault proxy: {stats}");
    assert!(stats["conflict"].as_u64().unwrap() > 0, "conflicts were injected: {stats}");
    assert!(stats["precondition"].as_u64().unwrap() > 0, "preconditions failed: {stats}");
}
