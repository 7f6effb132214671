//! What a rendering must be: valid JSON carrying exactly what was sent, by
//! the event contract.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value as Json, json};

use super::corpus::{Pairs, Request, content_type};
use super::renderer::Corpus;

/// Collects what is wrong, so one run reports every broken case.
#[derive(Default)]
pub(super) struct Failures(pub(super) Vec<String>);

impl Failures {
    pub(super) fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.0.push(what());
        }
    }

    /// Fails with the first few, if any, for `cases` (e.g. "488 request cases").
    pub(super) fn assert_none(self, cases: &str) {
        let shown: Vec<&str> = self.0.iter().take(12).map(String::as_str).collect();
        assert!(
            self.0.is_empty(),
            "{} failed checks in {cases}; the first ones:\n\n{}",
            self.0.len(),
            shown.join("\n\n")
        );
    }
}

/// A value for a message: long ones shortened.
pub(super) fn show(value: &impl std::fmt::Debug) -> String {
    let text = format!("{value:?}");
    if text.chars().count() <= 300 {
        return text;
    }
    let head: String = text.chars().take(300).collect();
    format!("{head}... ({} characters)", text.chars().count())
}

/// The rendering of case `id` as JSON, or why there is none.
pub(super) fn event(corpus: &Corpus, id: &str) -> Result<Json, String> {
    let rendered = &corpus.rendered[id];
    if let Some(error) = &rendered.error {
        return Err(format!("Velocity failed: {error}"));
    }
    let text = rendered.output.as_deref().unwrap();
    match serde_json::from_str::<Json>(text) {
        Ok(json) if json.is_object() => Ok(json),
        Ok(json) => Err(format!("not a JSON object: {}", show(&json))),
        Err(e) => Err(format!("not valid JSON ({e}):\n{}", show(&text))),
    }
}

/// The object a map should arrive as. An empty map may render as `{}` or
/// `null` (API Gateway's own proxy events have `null`); both are accepted.
fn map_matches(got: &Json, sent: &Pairs, multi: bool) -> bool {
    let expected: BTreeMap<&str, Json> =
        sent.iter().map(|(k, v)| (k.as_str(), if multi { json!([v]) } else { json!(v) })).collect();
    if expected.is_empty() {
        return got.is_null() || got.as_object().is_some_and(|o| o.is_empty());
    }
    got.as_object().is_some_and(|o| {
        o.len() == expected.len() && o.iter().all(|(k, v)| expected.get(k.as_str()) == Some(v))
    })
}

/// Null, `""`, or a map of nothing but those: what VTL cannot tell apart
/// (`$!x` renders null as `""`), and what a proxy event may give as null.
fn is_empty(value: &Json) -> bool {
    match value {
        Json::Null => true,
        Json::String(s) => s.is_empty(),
        Json::Object(o) => o.values().all(is_empty),
        _ => false,
    }
}

/// Whether a `$context` value arrived. Null and `""` may arrive as either,
/// an empty map as `{}` or null; maps are compared on the keys that arrived
/// (keys the template adds, or leaves out, are not this function's business).
pub(super) fn context_matches(sent: &Json, got: &Json) -> bool {
    match (sent, got) {
        (Json::Object(s), Json::Object(g)) => {
            g.iter().all(|(k, v)| s.get(k).is_none_or(|sv| context_matches(sv, v)))
        }
        (_, Json::Null) => is_empty(sent),
        (Json::Null, Json::String(g)) => g.is_empty(),
        _ => sent == got,
    }
}

fn lookup<'a>(value: &'a Json, dotted: &str) -> Option<&'a Json> {
    dotted.split('.').try_fold(value, |v, key| v.as_object()?.get(key))
}

/// The `$context` values the event must carry (whatever else it adds).
const REQUIRED_CONTEXT: [&str; 14] = [
    "requestId",
    "extendedRequestId",
    "accountId",
    "apiId",
    "stage",
    "resourceId",
    "resourcePath",
    "path",
    "httpMethod",
    "protocol",
    "requestTimeEpoch",
    "identity.sourceIp",
    "identity.userAgent",
    "authorizer.principalId",
];

/// What the event's path may be: `$context.path` without the stage prefix it
/// has on the default endpoint, the slashes after the prefix kept or folded
/// into one (the template is free to do either).
fn proxy_paths(context: &Json) -> [String; 2] {
    let path = context["path"].as_str().unwrap();
    let prefix = format!("/{}", context["stage"].as_str().unwrap());
    match path.strip_prefix(&prefix) {
        Some(rest) if rest.starts_with('/') => {
            [rest.to_owned(), format!("/{}", rest.trim_start_matches('/'))]
        }
        Some("") => [path.to_owned(), "/".to_owned()],
        _ => [path.to_owned(), path.to_owned()],
    }
}

/// The body an event carries, as bytes.
pub(super) fn body_bytes(event: &Json) -> Result<Vec<u8>, String> {
    let body = event["body"].as_str().ok_or_else(|| format!("body is {}", event["body"]))?;
    if event["isBase64Encoded"] == true {
        BASE64.decode(body).map_err(|e| format!("body is not base64 ({e}): {body:?}"))
    } else {
        Ok(body.as_bytes().to_vec())
    }
}

/// Request headers API Gateway never hands templates (RenderTemplates.java's
/// DROPPED_HEADERS): a client sends them, the event cannot carry them.
const DROPPED_HEADERS: [&str; 12] = [
    "connection",
    "content-length",
    "content-md5",
    "expect",
    "max-forwards",
    "proxy-authenticate",
    "server",
    "te",
    "transfer-encoding",
    "trailer",
    "upgrade",
    "www-authenticate",
];

/// The body the event carries by the README's rule ("No body, or `{}`?"):
/// API Gateway shows templates an empty payload as `{}`, so a payload read as
/// `{}` stays `{}` only in a JSON request other than GET or HEAD.
pub(super) fn delivered_body(r: &Request) -> &[u8] {
    if !r.body.is_empty() && r.body != b"{}" {
        return &r.body;
    }
    let json = content_type(&r.headers)
        .is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("application/json"));
    let method = r.context["httpMethod"].as_str().unwrap_or_default();
    if json && method != "GET" && method != "HEAD" { b"{}" } else { b"" }
}

pub(super) fn check_request(failures: &mut Failures, r: &Request, event: &Json) {
    let case = || format!("{} (headers {}, query {})", r.label, show(&r.headers), show(&r.query));
    let no_stage_variables = Vec::new();
    let headers: Pairs = r
        .headers
        .iter()
        .filter(|(name, _)| !DROPPED_HEADERS.contains(&name.to_ascii_lowercase().as_str()))
        .cloned()
        .collect();
    let maps = [
        ("headers", &headers, false),
        ("multiValueHeaders", &headers, true),
        ("queryStringParameters", &r.query, false),
        ("multiValueQueryStringParameters", &r.query, true),
        ("pathParameters", &r.path, false),
        ("stageVariables", r.stage_variables.as_ref().unwrap_or(&no_stage_variables), false),
    ];
    for (field, sent, multi) in maps {
        failures.check(map_matches(&event[field], sent, multi), || {
            format!("{}: {field} is {}, sent {}", case(), show(&event[field]), show(sent))
        });
    }
    let context = &event["requestContext"];
    for path in REQUIRED_CONTEXT {
        let sent = lookup(&r.context, path).unwrap_or(&Json::Null);
        // Left out (e.g. no authorizer ran) only when there was nothing to carry.
        let arrived =
            lookup(context, path).map_or(is_empty(sent), |got| context_matches(sent, got));
        failures.check(arrived, || {
            format!(
                "{}: requestContext.{path} is {}, sent {}",
                case(),
                show(&lookup(context, path)),
                show(sent)
            )
        });
    }
    // An authorizer's context keys and a token's claims arrive exactly, as a
    // proxy integration gives them: strings, `claims` only for a token.
    if let Some(sent) = r.context.get("authorizer") {
        let mut want = sent.clone();
        let map = want.as_object_mut().unwrap();
        if map["claims"].as_object().is_some_and(|c| c.is_empty()) {
            map.remove("claims");
        }
        let want = if map.is_empty() { Json::Null } else { want };
        let got = context.get("authorizer").cloned().unwrap_or(Json::Null);
        failures.check(got == want, || {
            format!("{}: requestContext.authorizer is {}, want {}", case(), show(&got), show(&want))
        });
    }
    failures.check(context_matches(&r.context, context), || {
        format!(
            "{}: requestContext {} differs from $context {}",
            case(),
            show(context),
            show(&r.context)
        )
    });
    let paths = proxy_paths(&r.context);
    for (field, expected) in [
        ("resource", vec![r.context["resourcePath"].clone()]),
        ("httpMethod", vec![r.context["httpMethod"].clone()]),
        ("path", paths.iter().map(|p| json!(p)).collect()),
    ] {
        failures.check(expected.contains(&event[field]), || {
            format!("{}: {field} is {}, expected {}", case(), show(&event[field]), show(&expected))
        });
    }
    // Empty and literal {} payloads: see empty_and_literal_empty_payloads_follow_the_rule.
    if !r.body.is_empty() && r.body != b"{}" {
        let body = body_bytes(event);
        failures.check(body.as_ref() == Ok(&r.body), || {
            format!(
                "{}: body arrives as {}, sent {}",
                case(),
                show(&body.as_ref().map(|b| String::from_utf8_lossy(b))),
                show(&String::from_utf8_lossy(&r.body))
            )
        });
    }
}
