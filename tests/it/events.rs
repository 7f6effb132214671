//! The event contract under pressure, end to end on LocalStack: a client is
//! never told 202 for an event Lambda refused, and random headers, query
//! strings and bodies always become valid JSON events carrying exactly them.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value as Json, json};

use crate::support::aws as cloud;
use crate::support::stack::{Stack, case_index, decoded_body, header, post, send};

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn a_refused_invocation_is_answered_500_never_202() {
    let stack = Stack::new("refused", 0);
    stack.apply(&[]);
    let url = stack.url("/jobs");
    let queued = post(&url, "application/json", &[], b"{}");
    assert_eq!(queued.status, 202, "{}", queued.body);
    stack.events(1);

    // AWS itself answers refused invocations 500; LocalStack hands Lambda's
    // error to the integration response, where the default template answers 500.
    let assert_refused = |why: &str| {
        let refused = post(&url, "application/json", &[], b"{\"lost\": true}");
        assert_eq!(
            refused.status, 500,
            "{why}: the event must not look accepted: {}",
            refused.body
        );
        let body: Json = serde_json::from_str(&refused.body).expect("the answer is JSON");
        assert_eq!(body["accepted"], false, "{why}: {body}");
        assert!(body["requestId"].as_str().is_some_and(|id| !id.is_empty()), "{why}: {body}");
        assert!(!refused.body.contains("arn:"), "{why}: Lambda's error is not shown: {body}");
    };
    // Deleted outside Terraform: Lambda refuses with ResourceNotFoundException (404).
    cloud::delete_function(&stack.name);
    assert_refused("function missing");
    // Back, but unable to start (State=Failed): ResourceConflictException (409).
    cloud::failed_function(&stack.name);
    assert_refused("function not active");
}

/// One random request: headers and query parameters by name, and a body.
#[derive(Debug)]
struct RandomRequest {
    headers: BTreeMap<String, String>,
    query: BTreeMap<String, String>,
    body: String,
}

/// Header values: printable ASCII (what HTTP allows), so quotes, backslashes,
/// `$`, `#`, braces and commas, without the surrounding spaces HTTP trims.
fn header_value() -> impl Strategy<Value = String> {
    "[ -~]{1,40}".prop_map(|v| v.trim().to_owned()).prop_filter("not blank", |v| !v.is_empty())
}

fn random_request() -> impl Strategy<Value = RandomRequest> {
    (
        prop::collection::btree_map("x-p-[a-z0-9]{1,8}", header_value(), 0..6),
        prop::collection::btree_map("[a-z][a-z0-9_]{0,8}", "\\PC{1,30}", 0..6),
        // Any Unicode text, control characters included, empty too. (A text
        // body of exactly `{}` reads as empty: see the README's event contract.)
        any::<String>().prop_filter("not {}", |b| b != "{}"),
    )
        .prop_map(|(headers, query, body)| RandomRequest { headers, query, body })
}

/// `count` requests from a fixed seed: the same on every run, so a failure
/// is reproducible.
fn random_requests(count: usize) -> Vec<RandomRequest> {
    let config = Config { failure_persistence: None, ..Config::default() };
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let strategy = random_request();
    (0..count).map(|_| strategy.new_tree(&mut runner).unwrap().current()).collect()
}

fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

const CONTRACT_KEYS: [&str; 12] = [
    "body",
    "headers",
    "httpMethod",
    "isBase64Encoded",
    "multiValueHeaders",
    "multiValueQueryStringParameters",
    "path",
    "pathParameters",
    "queryStringParameters",
    "requestContext",
    "resource",
    "stageVariables",
];

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn random_headers_query_strings_and_bodies_arrive_exactly_in_valid_json() {
    let requests = random_requests(40);
    let stack = Stack::new("random", 0);
    stack.apply(&[]);
    let url = stack.url("/jobs");
    for (case, request) in requests.iter().enumerate() {
        let query: Vec<String> = request
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encoded(k), percent_encoded(v)))
            .collect();
        let case_id = case.to_string();
        let mut headers: Vec<(&str, &str)> =
            request.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        headers.push(("x-case", &case_id));
        let answer = post(
            &format!("{url}?{}", query.join("&")),
            "text/plain",
            &headers,
            request.body.as_bytes(),
        );
        assert_eq!(answer.status, 202, "case {case} {request:?}: {}", answer.body);
    }

    // Each record was parsed as JSON by the handler: the event is valid JSON.
    for record in stack.events(requests.len()) {
        let event = &record["event"];
        let case = case_index(event);
        let request = &requests[case];
        let keys: Vec<&str> = event.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, CONTRACT_KEYS, "case {case}: keys beyond the contract");
        for (name, value) in &request.headers {
            assert_eq!(header(&event["headers"], name), Some(&json!(value)), "case {case} {name}");
            assert_eq!(
                header(&event["multiValueHeaders"], name),
                Some(&json!([value])),
                "case {case} {name}"
            );
        }
        // As in AWS's proxy event, no query string is null.
        let or_null = |map: Json| if map == json!({}) { Json::Null } else { map };
        assert_eq!(event["queryStringParameters"], or_null(json!(request.query)), "case {case}");
        let multi: BTreeMap<&String, [&String; 1]> =
            request.query.iter().map(|(k, v)| (k, [v])).collect();
        assert_eq!(event["multiValueQueryStringParameters"], or_null(json!(multi)), "case {case}");
        assert_eq!(decoded_body(event), request.body.as_bytes(), "case {case}: body");
    }
}

/// The charset spellings clients send: OkHttp and .NET, Retrofit, axios,
/// Spring and browsers' `fetch` of a string.
const CHARSETS: [&str; 4] =
    ["; charset=utf-8", "; charset=UTF-8", ";charset=utf-8", ";charset=UTF-8"];

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn content_types_with_parameters_or_none_are_delivered_and_others_refused() {
    let stack = Stack::new("content-types", 0);
    stack.apply(&[]);
    let url = stack.url("/jobs");
    let mut content_types: Vec<Option<String>> = vec![None];
    for media in ["application/json", "application/x-www-form-urlencoded", "text/plain"] {
        content_types.push(Some(media.to_owned()));
        content_types.extend(CHARSETS.iter().map(|c| Some(format!("{media}{c}"))));
    }
    for (case, content_type) in content_types.iter().enumerate() {
        let body = format!("case={case}");
        let case = case.to_string();
        let answer =
            send("POST", &url, content_type.as_deref(), &[("x-case", &case)], body.as_bytes());
        assert_eq!(answer.status, 202, "{content_type:?}: {}", answer.body);
    }
    let refused = post(&url, "application/xml", &[], b"<a/>");
    assert_eq!(refused.status, 415, "a content type without a template: {}", refused.body);

    for record in stack.events(content_types.len()) {
        let event = &record["event"];
        let case = case_index(event);
        assert_eq!(decoded_body(event), format!("case={case}").as_bytes(), "{event}");
        let sent = content_types[case].as_deref().map(Json::from);
        assert_eq!(header(&event["headers"], "content-type"), sent.as_ref(), "{event}");
    }
}

/// A request, and the body and path its event must have.
struct BodyCase {
    method: &'static str,
    /// After the stage.
    path: &'static str,
    content_type: Option<&'static str>,
    sent: &'static [u8],
    delivered: &'static [u8],
    event_path: &'static str,
}

const fn body_case(
    method: &'static str,
    path: &'static str,
    content_type: Option<&'static str>,
    sent: &'static [u8],
    delivered: &'static [u8],
    event_path: &'static str,
) -> BodyCase {
    BodyCase { method, path, content_type, sent, delivered, event_path }
}

const BODY_CASES: [BodyCase; 8] = [
    body_case("POST", "/jobs", None, b"", b"", "/jobs"),
    body_case("POST", "/jobs", Some("text/plain"), b"", b"", "/jobs"),
    body_case("POST", "/jobs", Some("application/x-www-form-urlencoded"), b"", b"", "/jobs"),
    body_case("POST", "/jobs", Some("application/json"), b"{}", b"{}", "/jobs"),
    body_case("POST", "/jobs", Some("application/json; charset=utf-8"), b"{}", b"{}", "/jobs"),
    // The rule's limit: AWS shows the template an empty payload as {}, and
    // no header a template can read tells it from {} in a JSON request.
    body_case("POST", "/jobs", Some("application/json"), b"", b"{}", "/jobs"),
    // The root resource without a trailing slash, and a doubled slash.
    body_case("GET", "", None, b"", b"", "/"),
    body_case("POST", "//jobs", Some("text/plain"), b"x", b"x", "/jobs"),
];

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn no_body_arrives_empty_and_a_literal_empty_object_stays() {
    let stack = Stack::new("bodies-empty", 0);
    stack.apply(&[]);
    for (index, case) in BODY_CASES.iter().enumerate() {
        let index = index.to_string();
        let url = stack.url(case.path);
        let answer = send(case.method, &url, case.content_type, &[("x-case", &index)], case.sent);
        assert_eq!(
            answer.status, 202,
            "{} {url} {:?}: {}",
            case.method, case.content_type, answer.body
        );
    }
    for record in stack.events(BODY_CASES.len()) {
        let event = &record["event"];
        let index = case_index(event);
        let case = &BODY_CASES[index];
        let what = format!(
            "{} {:?} {:?}",
            case.method,
            case.content_type,
            String::from_utf8_lossy(case.sent)
        );
        assert_eq!(decoded_body(event), case.delivered, "{what}: {event}");
        assert_eq!(event["path"], case.event_path, "{what}: {event}");
        assert_eq!(event["httpMethod"], case.method, "{what}");
    }
}
