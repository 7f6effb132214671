//! A large API as a real account sees it: 200 endpoints of one REST API on one
//! function, through our proxy enforcing AWS's documented quotas and policy
//! size limit (tests/support/fault_proxy.py `--quotas aws --policy-limit`),
//! which LocalStack has none of. Times are the bench's business
//! (`make bench-quota`); this checks what must hold whatever the machine.

use crate::support::aws as cloud;
use crate::support::hcl::configuration;
use crate::support::localstack::localstack;
use crate::support::proxy::FaultProxy;
use crate::support::terraform::Terraform;
use crate::support::versions::TERRAFORM_NEWEST;

const ENDPOINTS: usize = 200;
/// Lambda's limit on a function's resource-based policy.
const POLICY_LIMIT: usize = 20_480;

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn two_hundred_endpoints_on_one_function_keep_to_the_quotas() {
    let (hcl, api) = cloud::endpoints_on_fresh_api("scale", ENDPOINTS);
    let function = "scale";
    let tf = Terraform::new(TERRAFORM_NEWEST);
    let through = |proxy: &FaultProxy| {
        let provider = cloud::provider_block_via(&proxy.url, &localstack().endpoint, None);
        configuration(&cloud::paced_to_aws_quotas(&provider), &hcl)
    };
    let limit = POLICY_LIMIT.to_string();
    let quotas = [("quotas", "aws"), ("policy-limit", limit.as_str())];

    let apply = FaultProxy::start(&quotas);
    tf.write_config(&through(&apply));
    let out = tf.apply();
    assert!(out.contains(&format!("{ENDPOINTS} added")), "{out}");
    let stats = apply.stats();
    let (served, throttled) = (count(&stats, "forwarded"), count(&stats, "quota"));
    eprintln!("apply: {served} calls served, {throttled} answered 429: {stats}");
    assert!(throttled * 20 <= served, "paced, not throttled: {throttled} 429s for {served} calls");
    assert_eq!(cloud::methods_on(&api), ENDPOINTS);
    let statements = cloud::permission_statements(function);
    assert_eq!(statements.len(), 1, "one statement for the REST API: {statements:?}");
    let size = cloud::policy_size(function);
    assert!(size < POLICY_LIMIT, "the policy is {size} bytes");

    let plan = FaultProxy::start(&quotas);
    tf.write_config(&through(&plan));
    tf.assert_no_changes();
    let calls = &plan.stats()["calls"];
    let expected = serde_json::json!({
        "apigateway:GetResources": 1,
        "lambda:GetPolicy": 1,
        // The function's failure destination, then its dead-letter queue:
        // once per plan, and `assert_no_changes` plans twice (with and
        // without refresh).
        "lambda:GetFunctionEventInvokeConfig": 2,
        "lambda:GetFunction": 2,
    });
    assert_eq!(calls, &expected, "a refresh of {ENDPOINTS} endpoints");

    let destroy = FaultProxy::start(&quotas);
    tf.write_config(&through(&destroy));
    tf.destroy();
    let stats = destroy.stats();
    eprintln!("destroy: {stats}");
    assert!(count(&stats, "quota") * 20 <= count(&stats, "forwarded"), "{stats}");
    assert_eq!(cloud::methods_on(&api), 0, "orphaned methods");
    assert!(cloud::permission_statements(function).is_empty(), "orphaned statement");
}

fn count(stats: &serde_json::Value, name: &str) -> u64 {
    stats[name].as_u64().unwrap_or_else(|| panic!("no {name} in the proxy's stats: {stats}"))
}
