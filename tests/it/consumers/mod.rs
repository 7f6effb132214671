//! The event contract against the consumers users run on it, end to end on
//! LocalStack: Powertools for AWS Lambda (Python), its parser's
//! `APIGatewayProxyEventModel` and its `APIGatewayProxyEvent` data class, and
//! the Mangum adapter running a Starlette app. They come from PyPI wheels
//! pinned in scripts/lib/lambda-libs-requirements.txt and are bundled into
//! the function's deployment package as a user bundles them; the handler
//! (tests/it/consumers/handler.py) records what each one made of the event.

mod checks;

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value as Json;

use checks::{
    Failures, Sent, check_mangum, check_powertools_data_class, check_powertools_parser, clf_seconds,
};

use crate::support::stack::{Stack, case_index, send};

const HANDLER: &str = include_str!("handler.py");

/// One request a client sends through the stage.
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

    let mut failures = Failures::default();
    let records = stack.events(CASES.len());
    for record in &records {
        let event = &record["event"];
        let index = case_index(event);
        let (case, sent) = (&CASES[index], &sent[index]);
        let at = format!("case {index} ({})", case.what);
        let headers = sent_headers(case, index);
        let consumers = &record["consumers"];
        let before = failures.0.len();
        check_powertools_parser(
            &mut failures,
            &at,
            case,
            event,
            &consumers["powertools_parser"],
            sent,
            &headers,
        );
        check_powertools_data_class(
            &mut failures,
            &at,
            case,
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
