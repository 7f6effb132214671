//! What each consumer must have made of an event: the request as the client
//! sent it.

use base64::Engine;
use serde_json::{Value as Json, json};

use super::Case;
use crate::support::stack::{STAGE, header};

/// What a request got back, and when (seconds since the epoch).
pub(super) struct Sent {
    pub(super) request_id: String,
    pub(super) before: f64,
    pub(super) after: f64,
}

/// Every mismatch, so that one run reports all of them.
#[derive(Default)]
pub(super) struct Failures(pub(super) Vec<String>);

impl Failures {
    fn check(&mut self, ok: bool, message: impl FnOnce() -> String) {
        if !ok {
            self.0.push(message());
        }
    }

    /// Whether a consumer's result is `{"ok": true, ...}`; its error is a failure.
    fn succeeded(&mut self, at: &str, result: &Json) -> bool {
        let ok = result["ok"] == true;
        self.check(ok, || format!("{at} failed: {}", result["error"].as_str().unwrap_or("?")));
        ok
    }

    fn eq(&mut self, at: &str, what: &str, got: &Json, want: &Json) {
        self.check(got == want, || format!("{at}: {what}: got {got}, want {want}"));
    }
}

fn object(pairs: &[(&str, &str)]) -> Json {
    Json::Object(pairs.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect())
}

fn multi_object(pairs: &[(&str, &str)]) -> Json {
    Json::Object(pairs.iter().map(|(k, v)| ((*k).to_owned(), json!([v]))).collect())
}

/// A map the proxy event may also give as null when it has no entries.
fn same_map(got: &Json, want: &Json) -> bool {
    got == want || (got.is_null() && want.as_object().is_some_and(|m| m.is_empty()))
}

/// A body recorded base64-encoded; null is no body.
fn recorded_body(value: &Json) -> Result<Vec<u8>, String> {
    match value {
        Json::Null => Ok(Vec::new()),
        Json::String(text) => base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| format!("not base64 ({e}): {text:?}")),
        other => Err(format!("not a string: {other}")),
    }
}

fn shown(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Seconds since the epoch of an API Gateway `requestTime`, which is in
/// Common Log Format: `20/Feb/2024:10:01:02 +0000`. LocalStack 4.13.1 leaves
/// the zone out (`20/Feb/2024:10:01:02 `: a naive `datetime.now()` formatted
/// with `%z`), which is read as UTC; Powertools takes any string.
pub(super) fn clf_seconds(text: &str) -> Option<i64> {
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let number = |s: &str, digits: usize| {
        (s.len() == digits && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i64>().ok())
            .flatten()
    };
    let (date, zone) = text.split_once(' ')?;
    let fields: Vec<&str> = date.split(['/', ':']).collect();
    let [day, month, year, hour, minute, second] = fields[..] else { return None };
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let offset = match zone.split_at_checked(1) {
        None => 0,
        Some((sign, hhmm)) => {
            let hhmm = number(hhmm, 4)?;
            let seconds = hhmm / 100 * 3600 + hhmm % 100 * 60;
            match sign {
                "+" => seconds,
                "-" => -seconds,
                _ => return None,
            }
        }
    };
    Some(
        days_from_civil(number(year, 4)?, month, number(day, 2)?) * 86_400
            + number(hour, 2)? * 3600
            + number(minute, 2)? * 60
            + number(second, 2)?
            - offset,
    )
}

/// The request's time as the event gives it: `requestTimeEpoch` (ms) during
/// the request, and `requestTime` the same second.
fn check_request_time(f: &mut Failures, at: &str, time: &Json, epoch_ms: &Json, sent: &Sent) {
    let epoch = epoch_ms.as_f64().map(|ms| ms / 1000.0);
    f.check(epoch.is_some_and(|s| s >= sent.before.floor() - 1.0 && s <= sent.after + 1.0), || {
        format!(
            "{at}: requestTimeEpoch: got {epoch_ms} ms, want the request's time, {:.0} ms",
            sent.before * 1000.0
        )
    });
    let seconds = time.as_str().and_then(clf_seconds);
    f.check(
        seconds.is_some_and(|s| epoch.is_some_and(|e| (s as f64 - e.floor()).abs() <= 1.0)),
        || format!("{at}: requestTime: got {time}, want the same second as requestTimeEpoch {epoch_ms} in dd/MMM/yyyy:HH:mm:ss +0000"),
    );
}

pub(super) fn check_powertools_parser(
    f: &mut Failures,
    at: &str,
    case: &Case,
    event: &Json,
    parsed: &Json,
    sent: &Sent,
    headers: &[(String, String)],
) {
    let at = &format!("{at}: Powertools parse(APIGatewayProxyEventModel)");
    if !f.succeeded(at, parsed) {
        return;
    }
    f.eq(at, "httpMethod", &parsed["httpMethod"], &json!(case.method));
    f.eq(at, "path", &parsed["path"], &json!(case.path));
    f.eq(at, "resource", &parsed["resource"], &json!(case.resource));
    for (name, value) in headers {
        let got = header(&parsed["headers"], name);
        f.check(got == Some(&json!(value)), || {
            format!("{at}: headers[{name}]: got {got:?}, want {value:?}")
        });
        let got = header(&parsed["multiValueHeaders"], name);
        f.check(got == Some(&json!([value])), || {
            format!("{at}: multiValueHeaders[{name}]: got {got:?}, want [{value:?}]")
        });
    }
    for (field, want) in [
        ("queryStringParameters", object(case.query)),
        ("multiValueQueryStringParameters", multi_object(case.query)),
        ("pathParameters", object(case.path_parameters)),
    ] {
        let got = &parsed[field];
        f.check(same_map(got, &want), || format!("{at}: {field}: got {got}, want {want}"));
    }
    f.eq(at, "stageVariables", &parsed["stageVariables"], &json!({"greeting": "hello"}));
    match recorded_body(&parsed["body_base64"]) {
        Ok(body) => f.check(body == case.body, || {
            format!("{at}: body (decoded): got {}, want {}", shown(&body), shown(case.body))
        }),
        Err(e) => f.0.push(format!("{at}: body: {e}")),
    }
    f.eq(at, "requestContext.requestId", &parsed["requestId"], &json!(sent.request_id));
    f.eq(at, "requestContext.stage", &parsed["stage"], &json!(STAGE));
    check_request_time(f, at, &parsed["requestTime"], &parsed["requestTimeEpoch_ms"], sent);
    f.eq(
        at,
        "requestTimeEpoch",
        &parsed["requestTimeEpoch_ms"],
        &event["requestContext"]["requestTimeEpoch"],
    );
    // Powertools makes the address a network: "127.0.0.1" becomes "127.0.0.1/32".
    let source_ip = &event["requestContext"]["identity"]["sourceIp"];
    let got = parsed["sourceIp"].as_str().unwrap_or("");
    let address = got.strip_suffix("/32").or_else(|| got.strip_suffix("/128")).unwrap_or(got);
    f.check(source_ip.as_str() == Some(address), || {
        format!("{at}: identity.sourceIp: got {got:?}, want the event's {source_ip}")
    });
}

pub(super) fn check_powertools_data_class(
    f: &mut Failures,
    at: &str,
    case: &Case,
    event: &Json,
    data: &Json,
    sent: &Sent,
    headers: &[(String, String)],
) {
    let at = &format!("{at}: Powertools APIGatewayProxyEvent");
    if !f.succeeded(at, data) {
        return;
    }
    f.eq(at, "http_method", &data["http_method"], &json!(case.method));
    f.eq(at, "path", &data["path"], &json!(case.path));
    f.eq(at, "resource", &data["resource"], &json!(case.resource));
    for (name, value) in headers {
        let got = header(&data["headers"], name);
        f.check(got == Some(&json!(value)), || {
            format!("{at}: headers[{name}]: got {got:?}, want {value:?}")
        });
    }
    f.eq(
        at,
        "get_header_value(\"content-type\")",
        &data["content_type"],
        &json!(case.content_type),
    );
    // The data class gives {} where the event has null.
    f.eq(at, "query_string_parameters", &data["query_string_parameters"], &object(case.query));
    f.eq(
        at,
        "multi_value_query_string_parameters",
        &data["multi_value_query_string_parameters"],
        &multi_object(case.query),
    );
    f.eq(at, "path_parameters", &data["path_parameters"], &object(case.path_parameters));
    if data.get("resolved_query_string_parameters").is_some() {
        f.eq(
            at,
            "resolved_query_string_parameters",
            &data["resolved_query_string_parameters"],
            &multi_object(case.query),
        );
    }
    f.eq(at, "is_base64_encoded", &data["is_base64_encoded"], &event["isBase64Encoded"]);
    match (recorded_body(&data["decoded_body_base64"]), data.get("decoded_body_error")) {
        (_, Some(error)) => f.0.push(format!("{at}: decoded_body: {error}")),
        (Ok(body), None) => f.check(body == case.body, || {
            format!("{at}: decoded_body: got {}, want {}", shown(&body), shown(case.body))
        }),
        (Err(e), None) => f.0.push(format!("{at}: decoded_body: {e}")),
    }
    f.eq(at, "request_context.request_id", &data["request_id"], &json!(sent.request_id));
    f.eq(at, "request_context.stage", &data["stage"], &json!(STAGE));
    let source_ip = &data["source_ip"];
    f.eq(
        at,
        "request_context.identity.source_ip",
        source_ip,
        &event["requestContext"]["identity"]["sourceIp"],
    );
    f.check(source_ip.as_str().is_some_and(|ip| ip.parse::<std::net::IpAddr>().is_ok()), || {
        format!("{at}: request_context.identity.source_ip: got {source_ip}, want an IP address")
    });
}

pub(super) fn check_mangum(
    f: &mut Failures,
    at: &str,
    case: &Case,
    result: &Json,
    headers: &[(String, String)],
) {
    let at = &format!("{at}: Mangum(Starlette)");
    if !f.succeeded(at, result) {
        return;
    }
    let response = &result["response"];
    f.eq(at, "response status", &response["statusCode"], &json!(200));
    let request = &result["request"];
    if request.is_null() {
        f.0.push(format!("{at}: the app never saw the request; Mangum answered {response}"));
        return;
    }
    f.eq(at, "request.method", &request["method"], &json!(case.method));
    f.eq(at, "request.url.path", &request["path"], &json!(case.path));
    f.eq(at, "scope[\"root_path\"]", &request["root_path"], &json!(""));
    let pairs: Vec<[&str; 2]> = case.query.iter().map(|(k, v)| [*k, *v]).collect();
    f.eq(at, "query_params.multi_items()", &request["query_items"], &json!(pairs));
    let seen = request["headers"].as_array().cloned().unwrap_or_default();
    for (name, value) in headers {
        let want = json!([name.to_ascii_lowercase(), value]);
        f.check(seen.contains(&want), || {
            format!("{at}: headers: no {want} in {}", request["headers"])
        });
    }
    match recorded_body(&request["body_base64"]) {
        Ok(body) => f.check(body == case.body, || {
            format!("{at}: await request.body(): got {}, want {}", shown(&body), shown(case.body))
        }),
        Err(e) => f.0.push(format!("{at}: body: {e}")),
    }
}
