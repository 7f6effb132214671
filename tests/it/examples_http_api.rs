//! `examples/http-api` as a user applies it, unchanged, beside an override
//! file for the test bed: hashicorp/aws 3.39.0 makes the HTTP API and its
//! `$default` stage on moto and the worker on LocalStack, this provider the
//! two routes through the dispatcher. moto routes no traffic, so each route
//! is exercised as API Gateway would: the dispatcher is invoked with the
//! route's payload format 2.0 event and the header its integration sets, and
//! the example's own worker must receive that event.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value as Json, json};

use crate::support::aws::{REGION, block_on};
use crate::support::dispatcher::{
    self, CONFIG_HEADER, CONFIG_PARAMETER, DISPATCHER, EXAMPLE_EVENT, function_arn,
    function_exists, invoke_as_api_gateway, role_policies,
};
use crate::support::moto;
use crate::support::stack::wait_for_events;
use crate::support::terraform::{Terraform, repo_root};
use crate::support::versions::TERRAFORM_NEWEST;

/// The example's `name`, so that its function and role are this test's own.
const NAME: &str = "example-http-api";

fn copy_example(dir: &Path) {
    let example = repo_root().join("examples/http-api");
    for entry in std::fs::read_dir(&example).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && path.extension().is_some_and(|x| x == "tf" || x == "py") {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("worker.py", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(&std::fs::read(example.join("worker.py")).unwrap()).unwrap();
    std::fs::create_dir_all(dir.join("build")).unwrap();
    std::fs::write(dir.join("build/worker.zip"), zip.finish().unwrap().into_inner()).unwrap();
}

/// A route as moto holds it, with its integration and the configuration the
/// integration hands the dispatcher, decoded as the dispatcher decodes it.
#[derive(Debug)]
struct HeldRoute {
    route_id: String,
    integration_type: String,
    payload_format: String,
    uri: String,
    header: String,
    config: Json,
}

/// Every route of the API by route key.
fn held_routes(api_id: &str) -> BTreeMap<String, HeldRoute> {
    block_on(async {
        let client = moto::apigatewayv2();
        let routes = client.get_routes().api_id(api_id).send().await.unwrap();
        let mut held = BTreeMap::new();
        for route in routes.items() {
            let target = route.target().unwrap_or_default();
            let integration = moto::route_integration(&client, api_id, target).await;
            let parameters = integration.request_parameters().cloned().unwrap_or_default();
            let header = parameters
                .get(CONFIG_PARAMETER)
                .unwrap_or_else(|| panic!("{integration:?} sets no {CONFIG_HEADER}"))
                .clone();
            let config = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&header).unwrap())
                .expect("the header is base64url of JSON");
            held.insert(
                route.route_key().unwrap().to_owned(),
                HeldRoute {
                    route_id: route.route_id().unwrap().to_owned(),
                    integration_type: integration
                        .integration_type()
                        .map(|t| t.as_str().to_owned())
                        .unwrap_or_default(),
                    payload_format: integration
                        .payload_format_version()
                        .unwrap_or_default()
                        .to_owned(),
                    uri: integration.integration_uri().unwrap_or_default().to_owned(),
                    header,
                    config,
                },
            );
        }
        held
    })
}

fn integrations_on(api_id: &str) -> usize {
    block_on(async {
        let client = moto::apigatewayv2();
        client.get_integrations().api_id(api_id).send().await.unwrap().items().len()
    })
}

/// The HTTP API's endpoint, `None` once the API is gone.
fn api_endpoint(api_id: &str) -> Option<String> {
    block_on(async {
        match moto::apigatewayv2().get_api().api_id(api_id).send().await {
            Ok(api) => Some(api.api_endpoint().unwrap_or_default().to_owned()),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_not_found_exception()) => None,
            Err(e) => panic!("GetApi {api_id}: {e:?}"),
        }
    })
}

/// The event API Gateway would give a route: AWS's example, for `route_key`
/// called at `path` on `api_id`, with request id `request_id`.
fn event_for(api_id: &str, route_key: &str, path: &str, request_id: &str) -> Json {
    let mut event: Json = serde_json::from_str(EXAMPLE_EVENT).unwrap();
    event["routeKey"] = json!(route_key);
    event["rawPath"] = json!(path);
    event["requestContext"]["routeKey"] = json!(route_key);
    event["requestContext"]["apiId"] = json!(api_id);
    event["requestContext"]["requestId"] = json!(request_id);
    event["requestContext"]["http"]["path"] = json!(path);
    event
}

#[test]
#[ignore = "acceptance test: needs LocalStack and moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn the_example_applies_serves_both_routes_plans_empty_and_destroys_cleanly() {
    let _turn = dispatcher::turn();
    let tf = Terraform::with_aws_provider(TERRAFORM_NEWEST);
    copy_example(tf.dir());
    std::fs::write(
        tf.dir().join("localstack_override.tf"),
        format!("{}{}", moto::aws_provider_block(), moto::provider_block()),
    )
    .unwrap();
    let events = tempfile::Builder::new().prefix("events-").tempdir().unwrap();
    // python3.8: the newest Python runtime hashicorp/aws 3.39.0 knows.
    std::fs::write(
        tf.dir().join("test.auto.tfvars"),
        format!(
            "name           = \"{NAME}\"\nworker_runtime = \"python3.8\"\n\
             worker_environment = {{ EVENT_LOG_DIR = \"{}\", WORK_SECONDS = \"0\" }}\n",
            events.path().display()
        ),
    )
    .unwrap();
    tf.ok(&["init", "-no-color", "-input=false"]);
    let applied = tf.apply();
    assert!(applied.contains("Apply complete! Resources: 7 added, 0 changed"), "{applied}");

    // The outputs: the invoke URLs at the API's endpoint, with no stage in
    // the path ($default), the routes' ids and the dispatcher.
    let outputs: Json = serde_json::from_str(&tf.ok(&["output", "-json"])).unwrap();
    let api_id = outputs["api_id"]["value"].as_str().unwrap().to_owned();
    let endpoint = api_endpoint(&api_id).expect("the example's HTTP API");
    assert_eq!(endpoint, format!("https://{api_id}.execute-api.{REGION}.amazonaws.com"));
    assert_eq!(
        outputs["invoke_urls"]["value"],
        json!({
            "source": format!("{endpoint}/hooks/{{source}}"),
            "line": format!("{endpoint}/hooks/line"),
        })
    );
    assert_eq!(outputs["dispatcher_arn"]["value"], function_arn(DISPATCHER));

    // On moto: exactly the two routes, each on an AWS_PROXY payload 2.0
    // integration to the dispatcher, telling it the worker and the answer.
    let worker = format!("{NAME}-worker");
    let routes = held_routes(&api_id);
    let keys: Vec<&str> = routes.keys().map(String::as_str).collect();
    assert_eq!(keys, ["POST /hooks/line", "POST /hooks/{source}"], "{routes:?}");
    let (hooks, line) = (&routes["POST /hooks/{source}"], &routes["POST /hooks/line"]);
    assert_eq!(
        outputs["route_ids"]["value"],
        json!({"source": hooks.route_id, "line": line.route_id})
    );
    for route in [hooks, line] {
        assert_eq!(
            (route.integration_type.as_str(), route.payload_format.as_str(), route.uri.as_str()),
            ("AWS_PROXY", "2.0", function_arn(DISPATCHER).as_str()),
            "{route:?}"
        );
        assert_eq!(route.config["function"], function_arn(&worker), "{route:?}");
    }
    assert_eq!(integrations_on(&api_id), 2, "one integration per route, no more");
    assert_eq!(
        (&hooks.config["status"], &hooks.config["headers"], &hooks.config["body"]),
        (&json!(202), &json!({}), &Json::Null)
    );
    assert_eq!(
        (&line.config["status"], &line.config["headers"], &line.config["body"]),
        (
            &json!(200),
            &json!({"content-type": "application/json"}),
            &json!(r#"{"message":"Hello from custom response"}"#)
        )
    );

    // Each route answers as configured, and the example's worker receives
    // the event API Gateway gave the route.
    let mut github = event_for(&api_id, "POST /hooks/{source}", "/hooks/github", "example-github");
    github["pathParameters"] = json!({"source": "github"});
    let answer = invoke_as_api_gateway(&github, &hooks.header);
    assert_eq!(answer["statusCode"], 202, "{answer}");
    assert_eq!(
        serde_json::from_str::<Json>(answer["body"].as_str().unwrap()).unwrap(),
        json!({"accepted": true, "requestId": "example-github"})
    );
    let line_event = event_for(&api_id, "POST /hooks/line", "/hooks/line", "example-line");
    let answer = invoke_as_api_gateway(&line_event, &line.header);
    assert_eq!(
        (&answer["statusCode"], &answer["headers"], &answer["body"]),
        (
            &json!(200),
            &json!({"content-type": "application/json"}),
            &json!(r#"{"message":"Hello from custom response"}"#)
        ),
        "{answer}"
    );
    let mut received: Vec<Json> =
        wait_for_events(events.path(), 2).into_iter().map(|r| r["event"].clone()).collect();
    received.sort_by_key(|e| e["requestContext"]["requestId"].as_str().unwrap().to_owned());
    assert_eq!(received, [github, line_event], "the worker gets the events unchanged");

    tf.assert_no_changes();

    // The routes' destroy leaves nothing of theirs on the API, and takes the
    // dispatcher and its role with the last of them.
    let destroyed = tf.ok(&[
        "destroy",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "-target=async_lambda_route.hooks",
        "-target=async_lambda_route.line",
    ]);
    assert!(destroyed.contains("Resources: 2 destroyed"), "{destroyed}");
    assert!(held_routes(&api_id).is_empty(), "routes left on the API");
    assert_eq!(integrations_on(&api_id), 0, "integrations left on the API");
    assert!(!function_exists(DISPATCHER), "the dispatcher outlived the example's routes");
    assert_eq!(role_policies(), None, "the dispatcher's role outlived it");

    // The rest goes with hashicorp/aws: the API, its stage, the worker.
    let destroyed = tf.destroy();
    assert!(destroyed.contains("Resources: 5 destroyed"), "{destroyed}");
    assert_eq!(api_endpoint(&api_id), None, "the HTTP API outlived the destroy");
    assert!(!function_exists(&worker), "the worker outlived the destroy");
}
