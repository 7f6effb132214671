//! `request_schema` and required parameters: an invalid request is answered
//! 400 before Lambda is called, a valid one 202 as before. Which bodies are
//! invalid is decided by a JSON Schema draft 4 validator (the `jsonschema`
//! crate's draft 4 mode) over the same corpus LocalStack is sent, so the
//! split tested is draft 4's, not the emulator's. The model, the REST
//! API's validator and the method's settings are created, updated in
//! place, repaired after drift and removed with nothing left.

use aws_smithy_types::error::display::DisplayErrorContext;
use serde_json::{Value as Json, json};

use crate::support::aws::{apigateway, block_on};
use crate::support::stack::{Stack, case_index, post};

/// Lower case: the HTTP client sends header names so (as HTTP/2 clients
/// must), and LocalStack 4.13.1 matches required header names
/// case-sensitively (see the README).
const SIGNATURE: &str = "x-signature";

/// The schema as the configuration writes it, and as JSON.
fn schema(required: &[&str]) -> (String, Json) {
    let schema = json!({
        "type": "object",
        "required": required,
        "properties": {
            "id": {"type": "string", "minLength": 1},
            "count": {"type": "integer", "minimum": 0},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    });
    (format!("jsonencode({schema})"), schema)
}

/// Bodies on both sides of draft 4's line, some where later drafts draw it
/// elsewhere (`2.0` is an integer from draft 6 on, not in draft 4).
fn corpus() -> Vec<&'static str> {
    vec![
        r#"{"id": "a"}"#,
        r#"{"id": "a", "count": 3, "tags": ["x", "y"]}"#,
        r#"{"id": "a", "count": 2.0}"#,
        r#"{"id": "a", "count": 2.5}"#,
        r#"{"id": "a", "count": -1}"#,
        r#"{"id": "a", "count": "3"}"#,
        r#"{"id": ""}"#,
        r#"{"id": 7}"#,
        r#"{"count": 1}"#,
        r#"{"id": "a", "tags": [1]}"#,
        r#"{"id": "a", "extra": {"nested": true}}"#,
        r#"[{"id": "a"}]"#,
        r#""a string""#,
        r#"null"#,
        r#"{}"#,
    ]
}

/// What draft 4 says of `body` against `schema`.
fn draft_4_accepts(schema: &Json, body: &str) -> bool {
    let instance: Json = serde_json::from_str(body).unwrap();
    jsonschema::draft4::is_valid(schema, &instance)
}

/// Posts every body of the corpus as JSON (signed), and checks each answer
/// against draft 4: 202 when it accepts, 400 when not. Returns the indices
/// answered 202.
fn post_corpus(stack: &Stack, schema: &Json) -> Vec<usize> {
    let url = stack.url("/jobs");
    let mut accepted = Vec::new();
    for (i, body) in corpus().iter().enumerate() {
        let case = i.to_string();
        let headers = [(SIGNATURE, "sig"), ("x-case", case.as_str())];
        let answer = post(&url, "application/json", &headers, body.as_bytes());
        let expected = if draft_4_accepts(schema, body) { 202 } else { 400 };
        assert_eq!(answer.status, expected, "{body}: {}", answer.body);
        if expected == 202 {
            accepted.push(i);
        }
    }
    accepted
}

/// The cases of the events the function received: exactly those answered 202.
fn assert_queued_exactly(stack: &Stack, accepted: &[usize], seen: usize) {
    let events = stack.events(seen + accepted.len());
    let mut cases: Vec<usize> = events[seen..].iter().map(|e| case_index(&e["event"])).collect();
    cases.sort_unstable();
    assert_eq!(cases, accepted, "only what was answered 202 was queued");
}

/// The models and validators of the REST API that endpoints make, by name.
fn validation_parts(api: &str) -> (Vec<String>, Vec<String>) {
    block_on(async {
        let models = apigateway().get_models().rest_api_id(api).send().await;
        let models = models.unwrap_or_else(|e| panic!("GetModels: {}", DisplayErrorContext(e)));
        let validators = apigateway().get_request_validators().rest_api_id(api).send().await;
        let validators = validators
            .unwrap_or_else(|e| panic!("GetRequestValidators: {}", DisplayErrorContext(e)));
        let ours = |names: Vec<Option<&str>>| {
            let mut ours: Vec<String> = names
                .into_iter()
                .flatten()
                .filter(|n| n.starts_with("AsyncEndpoint") || n.starts_with("async-endpoints"))
                .map(str::to_owned)
                .collect();
            ours.sort();
            ours
        };
        (
            ours(models.items().iter().map(|m| m.name()).collect()),
            ours(validators.items().iter().map(|v| v.name()).collect()),
        )
    })
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn invalid_requests_are_answered_400_before_lambda_as_draft_4_says() {
    let stack = Stack::new("validation", 0);
    let (required_id, schema_id) = schema(&["id"]);
    // Every endpoint requires the signature; /jobs checks its body too.
    let signature = format!(r#"{{ "method.request.header.{SIGNATURE}" = true }}"#);
    let signed = [("request_parameters", signature.as_str())];
    stack.apply_with(&[("request_schema", required_id.as_str())], &signed);
    stack.tf.assert_no_changes();
    let api = stack.tf.ok(&["output", "-raw", "api_id"]);
    let jobs_state = stack.tf.state_attributes("async_lambda_endpoint.jobs");
    let resource = jobs_state["resource_id"].as_str().unwrap().to_owned();
    let model = format!("AsyncEndpoint{resource}POST");
    let validator = jobs_state["request_validator_id"].as_str().unwrap().to_owned();
    assert!(!validator.is_empty(), "{jobs_state}");
    let both = ["async-endpoints".to_owned(), "async-endpoints-parameters".to_owned()];
    let parts = (vec![model.clone()], both.to_vec());
    assert_eq!(validation_parts(&api), parts, "a model; a validator for each kind");
    let validator_of = |name: &str| {
        let state = stack.tf.state_attributes(&format!("async_lambda_endpoint.{name}"));
        state["request_validator_id"].as_str().unwrap().to_owned()
    };
    let parameters_only = validator_of("source");
    assert_eq!(validator_of("root"), parameters_only, "shared by the REST API");
    assert_ne!(parameters_only, validator, "bodies without a model are not checked");

    let accepted = post_corpus(&stack, &schema_id);
    assert!(accepted.len() >= 3 && accepted.len() < corpus().len(), "{accepted:?}");
    assert!(!accepted.contains(&2), "2.0 is not an integer in draft 4");
    // A valid body without the required header is refused too.
    let unsigned =
        post(&stack.url("/jobs"), "application/json", &[("x-case", "99")], br#"{"id": "a"}"#);
    assert_eq!(unsigned.status, 400, "{}", unsigned.body);
    // The other endpoints check the signature only: any body goes.
    let headers = [(SIGNATURE, "sig"), ("x-case", "98")];
    let other = post(&stack.url("/hooks/github"), "application/json", &headers, b"[1]");
    assert_eq!(other.status, 202, "{}", other.body);
    let unsigned = post(&stack.url("/hooks/github"), "application/json", &[], b"[1]");
    assert_eq!(unsigned.status, 400, "{}", unsigned.body);
    let mut queued = accepted.clone();
    queued.push(98);
    assert_queued_exactly(&stack, &queued, 0);
    let mut seen = queued.len();

    // Changed in place: count becomes required too.
    let (required_both, schema_both) = schema(&["id", "count"]);
    let jobs = [("request_schema", required_both.as_str())];
    stack.apply_with(&jobs, &signed);
    stack.tf.assert_no_changes();
    let accepted = post_corpus(&stack, &schema_both);
    assert!(!accepted.contains(&0), "{{\"id\": \"a\"}} lacks count now");
    assert_queued_exactly(&stack, &accepted, seen);
    seen += accepted.len();

    // Drift: the method's model taken off out of band is planned back.
    block_on(async {
        let remove = aws_sdk_apigateway::types::PatchOperation::builder()
            .op(aws_sdk_apigateway::types::Op::Remove)
            .path("/requestModels/application~1json")
            .build();
        apigateway()
            .update_method()
            .rest_api_id(&api)
            .resource_id(&resource)
            .http_method("POST")
            .patch_operations(remove)
            .send()
            .await
            .unwrap_or_else(|e| panic!("UpdateMethod: {}", DisplayErrorContext(e)));
    });
    let drift = stack.tf.plan_changes(&[]).expect("the lost model is planned back");
    assert!(drift.contains("request_schema"), "{drift}");
    stack.apply_with(&jobs, &signed);
    stack.tf.assert_no_changes();

    // Imported: the schema as the model holds it, and nothing to change.
    let address = "async_lambda_endpoint.jobs";
    let endpoint_id = jobs_state["id"].as_str().unwrap().to_owned();
    stack.tf.ok(&["state", "rm", address]);
    stack.tf.ok(&["import", "-no-color", "-input=false", address, &endpoint_id]);
    let imported = stack.tf.state_attributes(address);
    let held: Json = serde_json::from_str(imported["request_schema"].as_str().unwrap()).unwrap();
    assert_eq!(held["required"], json!(["id", "count"]), "{imported}");
    assert_eq!(imported["request_validator_id"], jobs_state["request_validator_id"]);
    stack.tf.assert_no_changes();

    // The schema removed: the model and the body validator go, the
    // parameters' stays for the signatures; then those too, and nothing is
    // left.
    stack.apply_with(&[], &signed);
    stack.tf.assert_no_changes();
    let parts = (vec![], vec!["async-endpoints-parameters".to_owned()]);
    assert_eq!(validation_parts(&api), parts, "the model and the body validator removed");
    assert_eq!(validator_of("jobs"), parameters_only);
    let headers = [(SIGNATURE, "sig"), ("x-case", "97")];
    let loose = post(&stack.url("/jobs"), "application/json", &headers, b"[1]");
    assert_eq!(loose.status, 202, "{}", loose.body);
    stack.apply(&[]);
    stack.tf.assert_no_changes();
    assert_eq!(validation_parts(&api), (vec![], vec![]), "model and validator removed");
    let unsigned = post(&stack.url("/jobs"), "application/json", &[("x-case", "96")], b"[1]");
    assert_eq!(unsigned.status, 202, "{}", unsigned.body);
    assert_queued_exactly(&stack, &[96, 97], seen);
    stack.tf.destroy();
}
