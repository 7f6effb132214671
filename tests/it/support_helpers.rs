//! The support code's checks from outside Terraform are themselves checked:
//! "nothing left behind" holds only when LocalStack said so about something
//! that exists, never because it did not answer.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::support::aws as cloud;
use crate::support::localstack;

/// The panic message of `check`, which must panic.
fn failure(what: &str, check: impl FnOnce()) -> String {
    let Err(panic) = catch_unwind(AssertUnwindSafe(check)) else {
        panic!("{what}: the helper answered instead of failing");
    };
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn absent_means_absent_and_silence_fails() {
    // It stops LocalStack, which the other tests in this process share.
    if !localstack::in_own_process("support_helpers::absent_means_absent_and_silence_fails") {
        return;
    }
    let (api, resource) = cloud::rest_api_with_resource("helpers", "jobs");
    cloud::function("helpers", "def handler(event, context):\n    return event\n");

    // Really absent: no policy on a function that exists, no method on a resource that does.
    assert_eq!(cloud::permission_statements("helpers"), []);
    assert!(cloud::get_method(&api, &resource, "POST").is_none());
    assert_eq!(cloud::methods_on(&api), 0);

    // "Not found" about the thing holding them is no answer about them.
    let message = failure("a missing function", || {
        cloud::permission_statements("no-such-function");
    });
    assert!(message.contains("no-such-function"), "{message}");
    let message = failure("a missing resource", || {
        cloud::get_method(&api, "nosuch1", "POST");
    });
    assert!(message.contains("nosuch1"), "{message}");
    let message = failure("a missing REST API", || {
        cloud::methods_on("nosuchapi1");
    });
    assert!(message.contains("nosuchapi1"), "{message}");

    // LocalStack gone: every check fails rather than reporting nothing.
    localstack::stop();
    let message = failure("GetPolicy unanswered", || {
        cloud::permission_statements("helpers");
    });
    assert!(message.contains("GetPolicy"), "{message}");
    let message = failure("GetMethod unanswered", || {
        cloud::get_method(&api, &resource, "POST");
    });
    assert!(message.contains("GetMethod"), "{message}");
    let message = failure("GetResources unanswered", || {
        cloud::methods_on(&api);
    });
    assert!(message.contains("GetResources"), "{message}");
}
