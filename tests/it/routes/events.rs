//! What the dispatcher does with events: hostile ones delivered identical,
//! read by Powertools and Mangum; refusals never answered 2xx.

use base64::Engine;
use serde_json::{Value as Json, json};

use super::{configure, held, hostile_events, http_api, route};
use crate::support::aws as cloud;
use crate::support::dispatcher::{self, EXAMPLE_EVENT, dispatcher_exists, invoke_as_api_gateway};
use crate::support::lambda_http;
use crate::support::stack::{RECORDING_HANDLER, wait_for_events};
use crate::support::terraform::Terraform;

/// Refused invocations are never answered 2xx, and the answer names no
/// function: an event over Lambda's 1 MB asynchronous limit (which the test
/// bed's executor enforces as AWS does) and a deleted target.
#[test]
#[ignore = "acceptance test: needs LocalStack and moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn refusals_are_not_answered_2xx() {
    let _turn = dispatcher::turn();
    let test = "route-refusals";
    cloud::function(test, "def handler(event, context):\n    return None\n");
    let api_id = http_api(test);
    let tf = Terraform::new(crate::support::versions::TERRAFORM_NEWEST);
    configure(&tf, &[route("hook", &api_id, "POST /hook", test, &[])]);
    tf.apply();
    let route_id =
        tf.state_attributes("async_lambda_route.hook")["route_id"].as_str().unwrap().to_owned();
    let (_, _, _, header) = held(&api_id, &route_id);
    let mut event: Json = serde_json::from_str(EXAMPLE_EVENT).unwrap();

    event["body"] = json!("x".repeat(1_100_000));
    let oversize = invoke_as_api_gateway(&event, &header);
    assert_eq!(oversize["statusCode"], 413, "{}", oversize["body"]);

    event["body"] = json!("small");
    cloud::delete_function(test);
    let missing = invoke_as_api_gateway(&event, &header);
    let status = missing["statusCode"].as_u64().unwrap();
    assert!((500..600).contains(&status), "{missing}");
    let text = missing.to_string();
    assert!(
        !text.contains("arn:") && !text.contains(test),
        "the answer names the function: {text}"
    );

    cloud::function(test, "def handler(event, context):\n    return None\n");
    tf.destroy();
    assert!(!dispatcher_exists());
}

/// A `$default` route of a new HTTP API to the function `test`, which
/// `create(name, events_dir)` makes to record its events there, applied:
/// the events directory, the Terraform that applied it, and the header its
/// integration sets.
fn default_route(
    test: &str,
    create: impl FnOnce(&str, &str),
) -> (tempfile::TempDir, Terraform, String) {
    let events = tempfile::Builder::new().prefix("events-").tempdir().unwrap();
    create(test, &events.path().display().to_string());
    let api_id = http_api(test);
    let tf = Terraform::new(crate::support::versions::TERRAFORM_NEWEST);
    configure(&tf, &[route("hook", &api_id, "$default", test, &[])]);
    tf.apply();
    let route_id =
        tf.state_attributes("async_lambda_route.hook")["route_id"].as_str().unwrap().to_owned();
    let header = held(&api_id, &route_id).3;
    (events, tf, header)
}

#[test]
#[ignore = "acceptance test: needs LocalStack and moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn hostile_events_reach_the_target_identical() {
    let _turn = dispatcher::turn();
    let (events, tf, header) = default_route("route-hostile", |name, events_dir| {
        cloud::function_with_env(
            name,
            RECORDING_HANDLER,
            &[("EVENT_DIR", events_dir), ("SLEEP", "0")],
        );
    });
    let sent = hostile_events();
    for event in &sent {
        let answer = invoke_as_api_gateway(event, &header);
        assert_eq!(answer["statusCode"], 202, "{answer}");
        let body: Json = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["requestId"], event["requestContext"]["requestId"]);
    }
    let delivered = wait_for_events(events.path(), sent.len());
    for event in &sent {
        let id = &event["requestContext"]["requestId"];
        let got = delivered.iter().find(|d| d["event"]["requestContext"]["requestId"] == *id);
        assert_eq!(got.map(|d| &d["event"]), Some(event), "{id}");
        check_lambda_http(&got.unwrap()["event"]);
    }
    tf.destroy();
}

/// A Rust handler (lambda_http) reads a delivered payload 2.0 event as the
/// client sent the request: method, path, every query value, the headers
/// with the cookies, the body's bytes.
fn check_lambda_http(event: &Json) {
    let id = &event["requestContext"]["requestId"];
    let seen = lambda_http::seen(event).unwrap_or_else(|e| panic!("{id}: lambda_http: {e}"));
    assert_eq!(seen.method, event["requestContext"]["http"]["method"].as_str().unwrap(), "{id}");
    assert_eq!(seen.path, event["rawPath"].as_str().unwrap(), "{id}");
    let raw_query = event["rawQueryString"].as_str().unwrap_or_default();
    let mut query: Vec<(String, String)> =
        form_urlencoded::parse(raw_query.as_bytes()).into_owned().collect();
    query.sort();
    query.dedup();
    assert_eq!(seen.query, query, "{id}");
    for (name, value) in event["headers"].as_object().into_iter().flatten() {
        let pair = (name.to_ascii_lowercase(), value.as_str().unwrap().to_owned());
        assert!(seen.headers.contains(&pair), "{id}: {pair:?} not in {:?}", seen.headers);
    }
    // lambda_http gives the cookies as one Cookie header, joined with ';'.
    if let Some(cookies) = event["cookies"].as_array() {
        let joined: Vec<&str> = cookies.iter().filter_map(Json::as_str).collect();
        let header =
            seen.headers.iter().find(|(name, _)| name == "cookie").map(|(_, v)| v.as_str());
        assert_eq!(header, Some(joined.join(";").as_str()), "{id}");
    }
    let body = event["body"].as_str().unwrap_or_default();
    let body = if event["isBase64Encoded"] == true {
        base64::engine::general_purpose::STANDARD.decode(body).unwrap()
    } else {
        body.as_bytes().to_vec()
    };
    assert_eq!(seen.body, body, "{id}");
}

/// Handlers written for HTTP API proxy integrations run unchanged behind a
/// route: Powertools' parser model and data class and Mangum (a Starlette
/// app) read the event the dispatcher delivered on LocalStack, bundled with
/// the function as users bundle them.
#[test]
#[ignore = "acceptance test: needs LocalStack and moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn powertools_and_mangum_read_the_delivered_event() {
    let _turn = dispatcher::turn();
    let (events, tf, header) = default_route("route-consumers", |name, events_dir| {
        let handler = include_str!("consumers_handler.py");
        cloud::function_with_libraries(name, handler, &[("EVENT_DIR", events_dir)]);
    });
    let sent = hostile_events();
    for event in &sent {
        assert_eq!(invoke_as_api_gateway(event, &header)["statusCode"], 202);
    }
    for record in wait_for_events(events.path(), sent.len()) {
        let event = &record["event"];
        let id = &event["requestContext"]["requestId"];
        let method = &event["requestContext"]["http"]["method"];
        let consumers = &record["consumers"];
        for name in ["powertools_parser", "powertools_data_class", "mangum"] {
            assert_eq!(consumers[name]["ok"], true, "{id} {name}: {}", consumers[name]);
            assert_eq!(&consumers[name]["method"], method, "{id} {name}");
        }
        let data_class = &consumers["powertools_data_class"];
        assert_eq!(data_class["body"], event["body"], "{id}");
        assert_eq!(data_class["isBase64Encoded"], event["isBase64Encoded"], "{id}");
        assert_eq!(consumers["mangum"]["status"], 200, "{id}");
        assert_eq!(consumers["mangum"]["path"], event["rawPath"], "{id}");
        assert_eq!(
            consumers["mangum"]["query"],
            event["rawQueryString"].as_str().unwrap_or(""),
            "{id}"
        );
        let body = match (event["body"].as_str(), event["isBase64Encoded"].as_bool()) {
            (Some(b), Some(true)) => b.to_owned(),
            (Some(b), _) => base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b),
            (None, _) => String::new(),
        };
        assert_eq!(consumers["mangum"]["body"], body, "{id}: the body bytes Starlette read");
    }
    tf.destroy();
}
