//! `provider::async::openapi_operation` (Terraform 1.8+): a REST API defined
//! by an OpenAPI document (hashicorp/aws 3.39.0's `aws_api_gateway_rest_api`
//! `body`) answers and queues events as `async_lambda_endpoint` does; a
//! change of options reaches the stage through the document's hash; bad
//! arguments are refused at the argument before anything is applied. The
//! consumers' checks of the events are in `consumers::`.

use serde_json::Value as Json;

use crate::support::stack::{Stack, decoded_body, post};
use crate::support::terraform::{Terraform, each_terraform_version};

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn an_openapi_document_answers_202_queues_the_event_and_redeploys_on_change() {
    let stack = Stack::new("openapi", 0);
    stack.apply_openapi("{}");
    stack.tf.assert_no_changes();
    let body = br#"{"job": "resize"}"#;
    let answer = post(&stack.url("/jobs"), "application/json", &[], body);
    assert_eq!(answer.status, 202, "{}", answer.body);
    let response: Json = serde_json::from_str(&answer.body).expect("the answer is JSON");
    assert_eq!(response["accepted"], true, "{response}");
    let event = &stack.events(1)[0]["event"];
    assert_eq!(event["requestContext"]["requestId"], response["requestId"], "{event}");
    assert_eq!(
        (event["httpMethod"].as_str(), event["resource"].as_str()),
        (Some("POST"), Some("/jobs"))
    );
    assert_eq!(decoded_body(event), body);
    // By default the template serves forms and text too.
    for (content_type, body) in
        [("application/x-www-form-urlencoded", &b"text=hi"[..]), ("text/plain", b"hi")]
    {
        let answer = post(&stack.url("/jobs"), content_type, &[], body);
        assert_eq!(answer.status, 202, "{content_type}: {}", answer.body);
    }
    let bodies: Vec<Vec<u8>> = stack.events(3).iter().map(|r| decoded_body(&r["event"])).collect();
    for sent in [&b"text=hi"[..], b"hi"] {
        assert!(
            bodies.iter().any(|b| b == sent),
            "{:?} among the events",
            String::from_utf8_lossy(sent)
        );
    }

    stack.apply_openapi(
        r#"{
      response_status_code = 200
      response_templates   = { "application/json" = "{\"queued\": \"$context.requestId\"}" }
    }"#,
    );
    stack.tf.assert_no_changes();
    let answer = post(&stack.url("/hooks/github"), "application/json", &[], b"{}");
    assert_eq!(answer.status, 200, "the stage serves the changed document: {}", answer.body);
    let response: Json = serde_json::from_str(&answer.body).expect("the answer is JSON");
    let event = &stack.events(4)[3]["event"];
    assert_eq!(event["requestContext"]["requestId"], response["queued"], "{event}");
    assert_eq!(event["pathParameters"]["source"], "github", "{event}");

    // A schema: API Gateway answers an invalid body 400 without calling Lambda.
    stack.apply_openapi(r#"{ request_model = "Job" }"#);
    stack.tf.assert_no_changes();
    let refused = post(&stack.url("/jobs"), "application/json", &[], br#"{"other": 1}"#);
    assert_eq!(refused.status, 400, "{}", refused.body);
    let accepted = post(&stack.url("/jobs"), "application/json", &[], br#"{"id": "a"}"#);
    assert_eq!(accepted.status, 202, "{}", accepted.body);
    let records = stack.events(5);
    assert_eq!(decoded_body(&records[4]["event"]), br#"{"id": "a"}"#, "only the valid body");
    stack.tf.destroy();
}

each_terraform_version!(bad_arguments_are_refused_at_the_argument_before_anything_is_planned since functions);
fn bad_arguments_are_refused_at_the_argument_before_anything_is_planned(version: &'static str) {
    let tf = Terraform::new(version);
    let call = |arguments: &str| {
        format!(
            "{}\noutput \"operation\" {{\n  value = provider::async::openapi_operation({arguments})\n}}\n",
            crate::support::hcl::required_providers(&[])
        )
    };
    for (arguments, says) in [
        (r#""worker", {}"#, "full ARN"),
        (
            r#""arn:aws:lambda:us-east-1:123456789012:function:worker", { response_status_code = 404 }"#,
            "options.response_status_code",
        ),
        (
            r#""arn:aws:lambda:us-east-1:123456789012:function:worker", { delivery = "dispatcher" }"#,
            "no attribute \"delivery\"",
        ),
    ] {
        tf.write_config(&call(arguments));
        let out = tf.fails(&["validate", "-no-color"]);
        assert!(out.contains("Invalid function argument"), "{arguments}: {out}");
        assert!(out.contains(says), "{arguments}: {out}");
        assert!(out.contains("provider::async::openapi_operation("), "points at the call: {out}");
    }
    tf.write_config(&call(r#""arn:aws:lambda:us-east-1:123456789012:function:worker", null"#));
    let out = tf.ok(&["validate", "-no-color"]);
    assert!(out.contains("The configuration is valid"), "{out}");
}
