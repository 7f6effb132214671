//! The event contract against the consumers users run on it, end to end on
//! LocalStack: Powertools for AWS Lambda (Python), its parser's
//! `APIGatewayProxyEventModel` and its `APIGatewayProxyEvent` data class, and
//! the Mangum adapter running a Starlette app; and Rust's `lambda_http`,
//! reading the recorded events in the test (`support::lambda_http`). They come from PyPI wheels
//! pinned in scripts/lib/lambda-libs-requirements.txt and are bundled into
//! the function's deployment package as a user bundles them; the handler
//! (tests/it/consumers/handler.py) records what each one made of the event.

mod checks;

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value as Json;

use checks::{
    Failures, Sent, check_mangum, check_powertools_data_class, check_powertools_parser, clf_seconds,
};

use crate::support::dispatcher;
use crate::support::lambda_http;
use crate::support::stack::STAGE;
use crate::support::stack::{Stack, case_index, send};

const HANDLER: &str = include_str!("handler.py");

/// One request a client sends through the stage.
#[derive(Clone, Copy)]
struct Case {
    what: &'static str,
    method: &'static str,
    /// The path after the stage, as the proxy event's `path` has it.
    path: &'static str,
    resource: &'static str,
    path_parameters: &'static [(&'static str, &'static str)],
    /// The query string as sent, and the parameters it stands for.
    raw_query: &'static str,
    query: &'static [(&'static str, &'static str)],
    /// None: no `Content-Type` header.
    content_type: Option<&'static str>,
    headers: &'static [(&'static str, &'static str)],
    body: &'static [u8],
}

const CASES: [Case; 7] = [
    Case {
        method: "POST",
        what: "JSON body, query string and custom headers",
        path: "/jobs",
        resource: "/jobs",
        path_parameters: &[],
        raw_query: "a=1&b=x%20y",
        query: &[("a", "1"), ("b", "x y")],
        content_type: Some("application/json"),
        headers: &[("X-Custom", "v1"), ("X-Quoted", r#"say "hi", it's"#)],
        body: br#"{"job": "resize", "n": 1}"#,
    },
    Case {
        method: "POST",
        what: "form body",
        path: "/jobs",
        resource: "/jobs",
        path_parameters: &[],
        raw_query: "",
        query: &[],
        content_type: Some("application/x-www-form-urlencoded"),
        headers: &[],
        // In canonical form: LocalStack 4.13.1 re-encodes form bodies before
        // the template sees them (see end_to_end.rs), AWS passes them as sent.
        body: b"name=J%C3%BCrgen&text=hello+world",
    },
    Case {
        method: "POST",
        what: "a POST without a body",
        path: "/jobs",
        resource: "/jobs",
        path_parameters: &[],
        raw_query: "",
        query: &[],
        content_type: None,
        headers: &[],
        body: b"",
    },
    Case {
        method: "POST",
        what: "{} body",
        path: "/jobs",
        resource: "/jobs",
        path_parameters: &[],
        raw_query: "",
        query: &[],
        content_type: Some("application/json"),
        headers: &[],
        body: b"{}",
    },
    Case {
        method: "POST",
        what: "path parameter",
        path: "/hooks/github",
        resource: "/hooks/{source}",
        path_parameters: &[("source", "github")],
        raw_query: "delivery=42",
        query: &[("delivery", "42")],
        content_type: Some("application/json"),
        headers: &[("X-GitHub-Event", "push")],
        body: br#"{"ref": "refs/heads/main"}"#,
    },
    Case {
        method: "POST",
        what: "JSON with a charset, as OkHttp sends it",
        path: "/jobs",
        resource: "/jobs",
        path_parameters: &[],
        raw_query: "",
        query: &[],
        content_type: Some("application/json; charset=utf-8"),
        headers: &[],
        body: "{\"name\": \"J\u{fc}rgen \u{1F680}\"}".as_bytes(),
    },
    Case {
        method: "GET",
        what: "a GET of the root resource, no trailing slash",
        path: "/",
        resource: "/",
        path_parameters: &[],
        raw_query: "page=2",
        query: &[("page", "2")],
        content_type: None,
        headers: &[("Accept", "application/json")],
        body: b"",
    },
];

/// Every header sent, as the client named it, with the one that finds the record.
fn sent_headers(case: &Case, index: usize) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> =
        case.content_type.map(|t| ("Content-Type".to_owned(), t.to_owned())).into_iter().collect();
    headers.push(("X-Case".to_owned(), index.to_string()));
    headers.extend(case.headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    headers
}

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn powertools_and_mangum_read_every_event_as_api_gateway_proxy_events() {
    let stack = Stack::with_libraries("consumers", HANDLER);
    stack.apply(&[]);
    let sent = send_cases(&stack);
    let records = stack.events(CASES.len());
    check_consumers(&records, &sent, "/");
    for record in &records {
        check_lambda_http(&record["event"]);
    }
}

/// A REST API defined by an OpenAPI document whose operations come from
/// `provider::async::openapi_operation` (hashicorp/aws 3.39.0's `body`,
/// deployed on its hash): the same requests give the same events, read
/// alike by every consumer, as through `async_lambda_endpoint`.
#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn through_an_openapi_document_the_consumers_get_the_same_events() {
    let stack = Stack::with_libraries("consumers-openapi", HANDLER);
    // AWS selects a template by media type; LocalStack looks the whole
    // Content-Type up, so OkHttp's spelling is listed beside the defaults.
    stack.apply_openapi(
        r#"{ content_types = ["application/json", "application/x-www-form-urlencoded",
      "text/plain", "application/json; charset=utf-8"] }"#,
    );
    let sent = send_cases(&stack);
    let records = stack.events(CASES.len());
    check_consumers(&records, &sent, "/");
    for record in &records {
        check_lambda_http(&record["event"]);
    }
}

/// `delivery = "dispatcher"`: the same consumers read the same requests, and
/// what only API Gateway's own proxy event has arrives too: `body` null for
/// no body even with a JSON content type, and every value of a repeated
/// query parameter and header.
#[test]
#[ignore = "acceptance test: needs LocalStack; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn through_the_dispatcher_the_consumers_get_api_gateways_own_proxy_event() {
    let _turn = dispatcher::turn();
    let stack = Stack::with_libraries("consumers-dispatcher", HANDLER);
    stack.apply_with(&[], &[("delivery", "\"dispatcher\"")]);
    let sent = send_cases(&stack);
    let index = CASES.len().to_string();
    let url = format!("{}?tag=a&tag=b", stack.url("/jobs"));
    let headers = [("X-Case", index.as_str()), ("X-Multi", "1"), ("X-Multi", "2")];
    let answer = send("POST", &url, Some("application/json"), &headers, b"");
    assert_eq!(answer.status, 202, "{}", answer.body);
    let response: Json = serde_json::from_str(&answer.body).expect("the answer is JSON");
    assert_eq!(response["accepted"], true, "{response}");

    let records = stack.events(CASES.len() + 1);
    let (exact, cases): (Vec<Json>, Vec<Json>) =
        records.into_iter().partition(|r| case_index(&r["event"]) == CASES.len());
    // The proxy event LocalStack 4.13.1 makes has "" as the root's path
    // (create_lambda_input_event takes the path after the stage); AWS's has
    // "/". The dispatcher passes on what it was given.
    check_consumers(&cases, &sent, "");
    for record in &cases {
        check_lambda_http(&record["event"]);
    }
    let event = &exact[0]["event"];
    assert_eq!(event["requestContext"]["requestId"], response["requestId"], "{event}");
    assert_eq!(event["body"], Json::Null, "no body, JSON content type: {event}");
    assert_eq!(event["isBase64Encoded"], false, "{event}");
    assert_eq!(event["multiValueQueryStringParameters"]["tag"], serde_json::json!(["a", "b"]));
    assert_eq!(event["queryStringParameters"]["tag"], "b", "the last value, as AWS gives it");
    let multi = crate::support::stack::header(&event["multiValueHeaders"], "x-multi");
    assert_eq!(multi, Some(&serde_json::json!(["1", "2"])), "{event}");
    let config_header = crate::support::stack::header(&event["headers"], "x-async-lambda-route");
    assert_eq!(config_header, None, "{event}");
    let consumers = &exact[0]["consumers"];
    assert_eq!(consumers["powertools_parser"]["ok"], true, "{consumers}");
    assert_eq!(consumers["powertools_data_class"]["ok"], true, "{consumers}");
    assert_eq!(
        consumers["mangum"]["request"]["query_items"],
        serde_json::json!([["tag", "a"], ["tag", "b"]]),
        "{consumers}"
    );
    let seen = lambda_http::seen(event).unwrap_or_else(|e| panic!("lambda_http: {e}"));
    let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert_eq!(seen.query, [pair("tag", "a"), pair("tag", "b")], "lambda_http: {seen:?}");
    // lambda_http lays the single-valued headers over the multi-valued ones
    // (http's HeaderMap::extend replaces), so a Rust handler sees one value
    // of a repeated header: the event's `headers` one.
    let single = crate::support::stack::header(&event["headers"], "x-multi").unwrap();
    let multi: Vec<_> = seen.headers.iter().filter(|(name, _)| name == "x-multi").collect();
    assert_eq!(multi, [&pair("x-multi", single.as_str().unwrap())], "lambda_http: {seen:?}");
    assert_eq!(seen.body, b"", "lambda_http: {seen:?}");
    // The dispatcher goes with the last endpoint that used it.
    stack.tf.destroy();
    assert!(!dispatcher::dispatcher_exists(), "the dispatcher outlived its last endpoint");
}

/// A Rust handler (lambda_http) reads a case's REST proxy event as the
/// client sent the request.
fn check_lambda_http(event: &Json) {
    let index = case_index(event);
    let case = &CASES[index];
    let seen =
        lambda_http::seen(event).unwrap_or_else(|e| panic!("case {index}: lambda_http: {e}"));
    assert_eq!(seen.method, case.method, "case {index}: {seen:?}");
    // lambda_http takes a REST event's path from requestContext.path, the
    // stage included, unless AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH is set.
    // (It writes the stage's root as "/test/".)
    let with_stage = event["requestContext"]["path"].as_str().unwrap();
    assert_eq!(seen.path.trim_end_matches('/'), with_stage.trim_end_matches('/'), "case {index}");
    assert!(with_stage.starts_with(&format!("/{STAGE}")), "case {index}: {with_stage}");
    let mut query: Vec<(String, String)> =
        case.query.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    query.sort();
    assert_eq!(seen.query, query, "case {index}: {seen:?}");
    for (name, value) in sent_headers(case, index) {
        let pair = (name.to_ascii_lowercase(), value);
        assert!(seen.headers.contains(&pair), "case {index}: {pair:?} not in {:?}", seen.headers);
    }
    assert_eq!(seen.body, case.body, "case {index}: {seen:?}");
}

/// Sends every case through the stage, each answered 202 with its request id.
fn send_cases(stack: &Stack) -> Vec<Sent> {
    let mut sent = Vec::new();
    for (index, case) in CASES.iter().enumerate() {
        let headers = sent_headers(case, index);
        let extra: Vec<(&str, &str)> = headers
            .iter()
            .filter(|(k, _)| k != "Content-Type")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        // The root resource is called without a trailing slash.
        let mut url = stack.url(if case.path == "/" { "" } else { case.path });
        if !case.raw_query.is_empty() {
            url = format!("{url}?{}", case.raw_query);
        }
        let before = now();
        let answer = send(case.method, &url, case.content_type, &extra, case.body);
        assert_eq!(answer.status, 202, "{}: {}", case.what, answer.body);
        let response: Json = serde_json::from_str(&answer.body).expect("the answer is JSON");
        let request_id = response["requestId"].as_str().unwrap().to_owned();
        sent.push(Sent { request_id, before, after: answer.at });
    }
    sent
}

/// What each consumer made of each case's event, against what was sent.
/// `root_path`: the `path` the event gives the stage's root resource (the
/// adapters make it "/" whatever it is).
fn check_consumers(records: &[Json], sent: &[Sent], root_path: &'static str) {
    let mut failures = Failures::default();
    for record in records {
        let event = &record["event"];
        let index = case_index(event);
        let (case, sent) = (&CASES[index], &sent[index]);
        let in_event = match case.path {
            "/" => &Case { path: root_path, ..*case },
            _ => case,
        };
        let at = format!("case {index} ({})", case.what);
        let headers = sent_headers(case, index);
        let consumers = &record["consumers"];
        let before = failures.0.len();
        check_powertools_parser(
            &mut failures,
            &at,
            in_event,
            event,
            &consumers["powertools_parser"],
            sent,
            &headers,
        );
        check_powertools_data_class(
            &mut failures,
            &at,
            in_event,
            event,
            &consumers["powertools_data_class"],
            sent,
            &headers,
        );
        check_mangum(&mut failures, &at, case, &consumers["mangum"], &headers);
        if failures.0.len() > before {
            eprintln!("{at}: the record:\n{}", serde_json::to_string_pretty(record).unwrap());
        }
    }
    assert!(
        failures.0.is_empty(),
        "{} consumer expectation(s) failed:\n{}",
        failures.0.len(),
        failures.0.join("\n")
    );
}

#[test]
fn request_times_are_read_in_common_log_format() {
    assert_eq!(clf_seconds("01/Jan/1970:00:00:00 +0000"), Some(0));
    assert_eq!(clf_seconds("20/Feb/2024:10:01:02 +0000"), Some(1_708_423_262));
    assert_eq!(clf_seconds("20/Feb/2024:11:31:02 +0130"), Some(1_708_423_262));
    assert_eq!(clf_seconds("20/Feb/2024:10:01:02 "), Some(1_708_423_262), "LocalStack's");
    for bad in ["", "20/Feb/2024:10:01:02", "20/Foo/2024:10:01:02 +0000", "2024-02-20T10:01:02Z"] {
        assert_eq!(clf_seconds(bad), None, "{bad:?}");
    }
}
