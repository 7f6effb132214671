//! The default mapping templates rendered by Apache Velocity 1.7, the engine
//! API Gateway runs, rather than LocalStack's Python port of it: over a corpus
//! of hostile headers, query strings, path parameters, stage variables,
//! context values and bodies, every rendering must be valid JSON carrying
//! exactly the values sent.
//!
//! The cases are [`corpus`]'s and [`random`]'s; [`renderer`] has
//! RenderTemplates.java, which emulates what API Gateway documents for mapping
//! templates ($input, $util, $context, $stageVariables), render every case in
//! one JVM run; [`checks`] says what a rendering must be. Java and the jars
//! come from `scripts/install-tools.sh velocity`, so these are acceptance
//! tests: ignored unless asked for, as `make test` does, and failing without
//! them.

mod checks;
mod corpus;
mod random;
mod renderer;

use std::collections::BTreeMap;

use serde_json::json;

use checks::{Failures, body_bytes, check_request, context_matches, delivered_body, event, show};
use corpus::{content_length, content_type};
use renderer::corpus;

const PROBE_EXPECTED: &str = r#"it\'s \"q\" \\ \/ \u00E9 \uD83D\uDE00
it's
w6k= é
a+b%26%C3%A9 a b&é
7|x y|hv|hv||
X-H=hv,B=2{"a":[1,{"b":"c"}]} {"b":"c"} "c" 2 c
v
sv 203.0.113.7 m
y"#;

/// The renderer's `$input`, `$util`, `$context` and `$stageVariables` do what
/// the AWS reference says (`$input.params(x)`: path, then query string, then
/// header; `escapeJavaScript` escapes `'`).
#[test]
#[ignore = "acceptance test: needs a JDK and Velocity 1.7 (scripts/install-tools.sh velocity); make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn the_emulation_renders_as_documented() {
    let corpus = corpus();
    let probe = &corpus.rendered["probe"];
    assert_eq!(probe.error, None);
    assert_eq!(probe.output.as_deref(), Some(PROBE_EXPECTED));
    assert_eq!(probe.status, json!(418), "$context.responseOverride.status");
}

#[test]
#[ignore = "acceptance test: needs a JDK and Velocity 1.7 (scripts/install-tools.sh velocity); make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn request_template_renders_valid_json_carrying_exactly_what_was_sent() {
    let corpus = corpus();
    let mut failures = Failures::default();
    for (i, r) in corpus.requests.iter().enumerate() {
        match event(corpus, &format!("request {i}")) {
            Ok(event) => check_request(&mut failures, r, &event),
            Err(why) => failures.0.push(format!("{}: {why}", r.label)),
        }
    }
    failures.assert_none(&format!("{} request cases", corpus.requests.len()));
}

/// Empty and literal `{}` payloads, sent as clients send them (a right
/// Content-Length on every non-empty payload, none or `Content-Length: 0` on
/// an empty one, which API Gateway drops), arrive as [`delivered_body`] says.
/// Failures are summed up by kind of request.
#[test]
#[ignore = "acceptance test: needs a JDK and Velocity 1.7 (scripts/install-tools.sh velocity); make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn empty_and_literal_empty_payloads_follow_the_rule() {
    let corpus = corpus();
    // kind of request -> (cases, failed cases, what the first failure got)
    let mut kinds: BTreeMap<String, (usize, usize, String)> = BTreeMap::new();
    for (i, r) in corpus.requests.iter().enumerate() {
        if !r.body.is_empty() && r.body != b"{}" {
            continue;
        }
        let kind = format!(
            "payload {:?}, {} with Content-Type {:?}, Content-Length {:?}",
            String::from_utf8_lossy(&r.body),
            r.context["httpMethod"].as_str().unwrap(),
            content_type(&r.headers),
            content_length(&r.headers),
        );
        let want = delivered_body(r);
        let got = match event(corpus, &format!("request {i}")) {
            Ok(event) => match body_bytes(&event) {
                Ok(body) if body == want => None,
                Ok(body) => Some(format!(
                    "body {:?}, want {:?}",
                    String::from_utf8_lossy(&body),
                    String::from_utf8_lossy(want)
                )),
                Err(why) => Some(why),
            },
            Err(why) => Some(why),
        };
        let entry = kinds.entry(kind).or_default();
        entry.0 += 1;
        if let Some(got) = got {
            entry.1 += 1;
            if entry.2.is_empty() {
                entry.2 = format!("{}: {got}", r.label);
            }
        }
    }
    let empty = corpus.requests.iter().filter(|r| r.body.is_empty()).count();
    let literal = corpus.requests.iter().filter(|r| r.body == b"{}").count();
    assert!(empty > 5 && literal > 5, "the corpus has both kinds: {empty} and {literal}");
    let wrong: Vec<String> = kinds
        .iter()
        .filter(|(_, (_, failed, _))| *failed > 0)
        .map(|(kind, (cases, failed, first))| format!("{kind}: {failed} of {cases} wrong, {first}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "of {empty} empty and {literal} literal {{}} payloads, these kinds arrive wrong:\n{}",
        wrong.join("\n")
    );
}

#[test]
#[ignore = "acceptance test: needs a JDK and Velocity 1.7 (scripts/install-tools.sh velocity); make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn response_template_answers_accepted_only_for_a_queued_event() {
    let corpus = corpus();
    let mut failures = Failures::default();
    for (i, r) in corpus.responses.iter().enumerate() {
        let id = format!("response {i}");
        let answer = match event(corpus, &id) {
            Ok(answer) => answer,
            Err(why) => {
                failures.0.push(format!("{}: {why}", r.label));
                continue;
            }
        };
        let status = &corpus.rendered[&id].status;
        failures.check(answer["accepted"] == !r.refused, || {
            format!("{}: accepted is {}", r.label, answer["accepted"])
        });
        let request_id = json!(r.request_id);
        failures.check(context_matches(&request_id, &answer["requestId"]), || {
            format!(
                "{}: requestId is {}, sent {}",
                r.label,
                show(&answer["requestId"]),
                show(&r.request_id)
            )
        });
        let is_500 = *status == json!(500) || *status == json!("500");
        failures.check(is_500 == r.refused && (r.refused || status.is_null()), || {
            format!("{}: $context.responseOverride.status is {status}", r.label)
        });
        if r.refused {
            let text = answer.to_string();
            failures.check(!text.contains("arn:"), || {
                format!("{}: Lambda's error shows: {text}", r.label)
            });
        }
    }
    failures.assert_none(&format!("{} response cases", corpus.responses.len()));
}
