//! `async_lambda_route` end to end: HTTP APIs on moto (LocalStack's free
//! edition has none), Lambda, IAM and STS on LocalStack, Terraform driving
//! the provider. moto routes no traffic, so the dispatcher is invoked as
//! API Gateway invokes it: with the route's payload format 2.0 event and the
//! header the integration's parameter mapping adds.
//!
//! The dispatcher is one per account and region, so these tests take turns
//! ([`dispatcher_turn`]): one test's last destroy removes it.

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;
use serde_json::{Value as Json, json};

use crate::support::aws::{self as cloud, ACCOUNT, REGION, block_on};
use crate::support::hcl;
use crate::support::moto::{self, dispatcher_turn, provider_block};
use crate::support::stack::{RECORDING_HANDLER, wait_for_events};
use crate::support::terraform::{Terraform, each_terraform_version};

const DISPATCHER: &str = "tf-async-dispatcher";
const ROLE: &str = "tf-async-dispatcher-us-east-1";
const HEADER_KEY: &str = "overwrite:header.x-async-lambda-route";

/// AWS's documented payload format 2.0 example (provider/dispatcher/fixtures).
const EXAMPLE_EVENT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/provider/dispatcher/fixtures/aws-http-api-payload-v2.json"
));

fn http_api(name: &str) -> String {
    block_on(async {
        let api = moto::apigatewayv2()
            .create_api()
            .name(name)
            .protocol_type(aws_sdk_apigatewayv2::types::ProtocolType::Http)
            .send()
            .await
            .unwrap();
        api.api_id().unwrap().to_owned()
    })
}

/// A `resource "async_lambda_route"` block.
fn route(
    name: &str,
    api_id: &str,
    route_key: &str,
    function: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut route = hcl::Resource::new("async_lambda_route", name)
        .string("api_id", api_id)
        .string("route_key", route_key)
        .string("function_name", function);
    for (argument, expression) in extra {
        route = route.set(argument, expression);
    }
    route.hcl()
}

fn configure(tf: &Terraform, routes: &[String]) {
    tf.write_config(&format!(
        "{}{}\n{}",
        hcl::required_providers(&[]),
        provider_block(),
        routes.join("\n")
    ));
}

/// What moto holds for a route: (route key, target, integration URI,
/// the dispatcher header's value).
fn held(api_id: &str, route_id: &str) -> (String, String, String, String) {
    block_on(async {
        let client = moto::apigatewayv2();
        let route = client.get_route().api_id(api_id).route_id(route_id).send().await.unwrap();
        let target = route.target().unwrap_or_default().to_owned();
        let integration_id = target.strip_prefix("integrations/").unwrap();
        let integration = client
            .get_integration()
            .api_id(api_id)
            .integration_id(integration_id)
            .send()
            .await
            .unwrap();
        assert_eq!(integration.payload_format_version(), Some("2.0"));
        assert_eq!(integration.integration_type().map(|t| t.as_str()), Some("AWS_PROXY"));
        let header = integration.request_parameters().unwrap()[HEADER_KEY].clone();
        (
            route.route_key().unwrap().to_owned(),
            target,
            integration.integration_uri().unwrap().to_owned(),
            header,
        )
    })
}

fn dispatcher_exists() -> bool {
    block_on(async {
        match cloud::lambda().get_function_configuration().function_name(DISPATCHER).send().await {
            Ok(_) => true,
            Err(e) if e.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => {
                false
            }
            Err(e) => panic!("GetFunctionConfiguration: {e:?}"),
        }
    })
}

/// The dispatcher role's inline policies by name; `None` when there is no role.
fn role_policies() -> Option<Vec<(String, Json)>> {
    block_on(async {
        let iam = cloud::iam();
        match iam.get_role().role_name(ROLE).send().await {
            Ok(_) => {}
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_entity_exception()) => {
                return None;
            }
            Err(e) => panic!("GetRole: {e:?}"),
        }
        let names =
            iam.list_role_policies().role_name(ROLE).send().await.unwrap().policy_names().to_vec();
        let mut policies = Vec::new();
        for name in names {
            let policy =
                iam.get_role_policy().role_name(ROLE).policy_name(&name).send().await.unwrap();
            let document = policy.policy_document();
            let document = form_urlencoded::parse(format!("d={document}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap();
            policies.push((name, serde_json::from_str(&document).unwrap()));
        }
        policies.sort_by(|a, b| a.0.cmp(&b.0));
        Some(policies)
    })
}

/// Invokes the dispatcher as API Gateway does for a route whose integration
/// sets `header`; the payload 2.0 answer.
fn invoke_as_api_gateway(event: &Json, header: &str) -> Json {
    let mut event = event.clone();
    event["headers"]["x-async-lambda-route"] = json!(header);
    block_on(async {
        let answer = cloud::lambda()
            .invoke()
            .function_name(DISPATCHER)
            .invocation_type(InvocationType::RequestResponse)
            .payload(Blob::new(serde_json::to_vec(&event).unwrap()))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.function_error(), None, "{answer:?}");
        serde_json::from_slice(answer.payload().unwrap().as_ref()).unwrap()
    })
}

fn function_arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
}

/// Create, read back, dispatch, update in place, drift repaired, import,
/// a second route sharing the dispatcher, and destroy leaving nothing.
fn route_lifecycle(version: &'static str) {
    let _turn = dispatcher_turn();
    let test = format!("route-life-{}", version.replace('.', "-"));
    let events = tempfile::Builder::new().prefix("events-").tempdir().unwrap();
    let events_dir = events.path().display().to_string();
    cloud::function_with_env(
        &test,
        RECORDING_HANDLER,
        &[("EVENT_DIR", &events_dir), ("SLEEP", "0")],
    );
    let api_id = http_api(&test);
    let tf = Terraform::new(version);

    // Create.
    let github = route("github", &api_id, "POST /hooks/{source}", &test, &[]);
    configure(&tf, std::slice::from_ref(&github));
    tf.apply();
    let state = tf.state_attributes("async_lambda_route.github");
    let route_id = state["route_id"].as_str().unwrap().to_owned();
    assert_eq!(state["id"], format!("{api_id}/{route_id}"));
    assert_eq!(state["function_arn"], function_arn(&test));
    assert_eq!(state["response_status_code"], 202);
    assert_eq!(state["dispatcher_arn"], function_arn(DISPATCHER));
    let (key, target, uri, header) = held(&api_id, &route_id);
    assert_eq!(key, "POST /hooks/{source}");
    assert_eq!(target, format!("integrations/{}", state["integration_id"].as_str().unwrap()));
    assert_eq!(uri, function_arn(DISPATCHER));
    tf.assert_no_changes();

    // The API may invoke the dispatcher, the dispatcher only the target.
    let statements = cloud::permission_statements(DISPATCHER);
    let source = format!("arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}/*");
    assert!(statements.contains(&(format!("async-routes-{api_id}"), source)), "{statements:?}");
    let policies = role_policies().expect("the dispatcher's role");
    let invoke = &policies.iter().find(|(n, _)| *n == format!("routes-{api_id}")).unwrap().1;
    assert_eq!(invoke["Statement"][0]["Action"], "lambda:InvokeFunction");
    assert_eq!(
        invoke["Statement"][0]["Resource"],
        json!([function_arn(&test), format!("{}:*", function_arn(&test))])
    );
    assert!(policies.iter().any(|(n, _)| n == "logs"), "{policies:?}");

    // Dispatched: answered 202 with the request id, the event delivered unchanged.
    let event: Json = serde_json::from_str(EXAMPLE_EVENT).unwrap();
    let answer = invoke_as_api_gateway(&event, &header);
    assert_eq!(answer["statusCode"], 202, "{answer}");
    let body: Json = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(body, json!({"accepted": true, "requestId": event["requestContext"]["requestId"]}));
    let delivered = wait_for_events(events.path(), 1);
    assert_eq!(
        delivered[0]["event"], event,
        "the target gets the event API Gateway gave the dispatcher"
    );

    // Update in place: the answer and the authorization, same route and integration.
    let custom = route(
        "github",
        &api_id,
        "POST /hooks/{source}",
        &test,
        &[
            ("response_status_code", "200"),
            ("response_body", "\"ok\""),
            ("response_headers", "{ \"content-type\" = \"text/plain\" }"),
            ("authorization_type", "\"AWS_IAM\""),
        ],
    );
    configure(&tf, std::slice::from_ref(&custom));
    let plan = tf.plan_changes(&[]).expect("a change");
    assert!(plan.contains("1 to change, 0 to destroy"), "{plan}");
    tf.apply();
    let updated = tf.state_attributes("async_lambda_route.github");
    assert_eq!(
        (&updated["route_id"], &updated["integration_id"]),
        (&state["route_id"], &state["integration_id"])
    );
    let (_, _, _, header) = held(&api_id, &route_id);
    let answer = invoke_as_api_gateway(&event, &header);
    assert_eq!(
        (answer["statusCode"].clone(), answer["body"].clone()),
        (json!(200), json!("ok")),
        "{answer}"
    );
    assert_eq!(answer["headers"]["content-type"], "text/plain");
    tf.assert_no_changes();

    // Drift: the route key changed outside Terraform is put back.
    block_on(async {
        moto::apigatewayv2()
            .update_route()
            .api_id(&api_id)
            .route_id(&route_id)
            .route_key("POST /elsewhere")
            .send()
            .await
            .unwrap()
    });
    let plan = tf.plan_changes(&[]).expect("drift shows");
    assert!(plan.contains("POST /elsewhere"), "{plan}");
    tf.apply();
    assert_eq!(held(&api_id, &route_id).0, "POST /hooks/{source}");
    tf.assert_no_changes();

    // The API's permission to invoke the dispatcher removed, then the
    // dispatcher itself deleted, outside Terraform: each is put back.
    let statement = format!("async-routes-{api_id}");
    block_on(async {
        cloud::lambda()
            .remove_permission()
            .function_name(DISPATCHER)
            .statement_id(&statement)
            .send()
            .await
            .unwrap()
    });
    tf.plan_changes(&[]).expect("a lost permission shows");
    tf.apply();
    assert!(cloud::permission_statements(DISPATCHER).iter().any(|(sid, _)| *sid == statement));
    tf.assert_no_changes();
    cloud::delete_function(DISPATCHER);
    tf.plan_changes(&[]).expect("a deleted dispatcher shows");
    tf.apply();
    assert!(dispatcher_exists());
    let answer = invoke_as_api_gateway(&event, &held(&api_id, &route_id).3);
    assert_eq!(answer["statusCode"], 200, "{answer}");
    tf.assert_no_changes();

    // Code other than this provider's (an older provider's, or a hand edit)
    // is replaced with the provider's.
    let code = || {
        block_on(async {
            let config = cloud::lambda()
                .get_function_configuration()
                .function_name(DISPATCHER)
                .send()
                .await
                .unwrap();
            config.code_sha256().unwrap().to_owned()
        })
    };
    let provided = code();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("dispatcher.py", zip::write::SimpleFileOptions::default()).unwrap();
    std::io::Write::write_all(
        &mut zip,
        b"def handler(event, context):\n    return {'statusCode': 500}\n",
    )
    .unwrap();
    let other = zip.finish().unwrap().into_inner();
    block_on(async {
        cloud::lambda()
            .update_function_code()
            .function_name(DISPATCHER)
            .zip_file(Blob::new(other))
            .send()
            .await
            .unwrap()
    });
    assert_ne!(code(), provided);
    tf.plan_changes(&[]).expect("other code shows");
    tf.apply();
    assert_eq!(code(), provided, "the provider's code is back");
    tf.assert_no_changes();

    // Import into a fresh working directory: the same state, no changes.
    let imported = Terraform::new(version);
    configure(&imported, std::slice::from_ref(&custom));
    imported.ok(&[
        "import",
        "-no-color",
        "async_lambda_route.github",
        &format!("{api_id}/{route_id}"),
    ]);
    imported.assert_no_changes();
    imported.ok(&["state", "rm", "-no-color", "async_lambda_route.github"]);

    // A second route shares the dispatcher; removing the first keeps it.
    let second = route("second", &api_id, "GET /status", &test, &[]);
    configure(&tf, &[custom, second.clone()]);
    tf.apply();
    configure(&tf, std::slice::from_ref(&second));
    tf.apply();
    assert!(dispatcher_exists(), "the second route still uses the dispatcher");
    tf.assert_no_changes();

    // Destroying the last route removes the dispatcher, its role and the API's share.
    tf.destroy();
    let leftover = block_on(async {
        let client = moto::apigatewayv2();
        let routes = client.get_routes().api_id(&api_id).send().await.unwrap().items().len();
        let integrations =
            client.get_integrations().api_id(&api_id).send().await.unwrap().items().len();
        (routes, integrations)
    });
    assert_eq!(leftover, (0, 0), "routes and integrations left on the API");
    assert!(!dispatcher_exists(), "the last route's destroy removes the dispatcher");
    assert_eq!(role_policies(), None, "and its role");
}

each_terraform_version!(acceptance route_lifecycle);

/// Refused invocations are never answered 2xx, and the answer names no
/// function: an event over Lambda's 1 MB asynchronous limit (which the test
/// bed's executor enforces as AWS does) and a deleted target.
#[test]
#[ignore = "acceptance test: needs LocalStack and moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn refusals_are_not_answered_2xx() {
    let _turn = dispatcher_turn();
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

/// Routes of two APIs on two functions created, replaced and destroyed in
/// the same applies, concurrently (Terraform's default parallelism): the
/// dispatcher's statements and role follow, nothing is left after.
#[test]
#[ignore = "acceptance test: needs LocalStack and moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn concurrent_creates_and_destroys_share_one_dispatcher() {
    let _turn = dispatcher_turn();
    let functions = ["route-many-a", "route-many-b"];
    for function in functions {
        cloud::function(function, "def handler(event, context):\n    return None\n");
    }
    let apis = [http_api("route-many-1"), http_api("route-many-2")];
    let routes = |names: &[usize]| -> Vec<String> {
        names
            .iter()
            .map(|&i| {
                let (api, function) = (&apis[i % 2], functions[i / 2 % 2]);
                route(&format!("r{i}"), api, &format!("POST /r{i}"), function, &[])
            })
            .collect()
    };
    let tf = Terraform::new(crate::support::versions::TERRAFORM_NEWEST);
    configure(&tf, &routes(&[0, 1, 2, 3, 4, 5]));
    tf.apply();
    tf.assert_no_changes();
    let statements = cloud::permission_statements(DISPATCHER);
    for api in &apis {
        assert!(
            statements.iter().any(|(sid, _)| *sid == format!("async-routes-{api}")),
            "{statements:?}"
        );
    }
    let policies = role_policies().unwrap();
    let targets = |api: &str| {
        policies.iter().find(|(n, _)| *n == format!("routes-{api}")).unwrap().1["Statement"][0]["Resource"].clone()
    };
    // r0, r2, r4 on API 1 target a, b, a; r1, r3, r5 on API 2 target a, b, a.
    for api in &apis {
        let resources = targets(api);
        for function in functions {
            assert!(
                resources.as_array().unwrap().contains(&json!(function_arn(function))),
                "{resources}"
            );
        }
    }

    // Three go, two come, in one apply: API 2 keeps only r5 (function a).
    configure(&tf, &routes(&[0, 2, 4, 5, 6, 8]));
    tf.apply();
    tf.assert_no_changes();
    let policies = role_policies().unwrap();
    let api2 = policies.iter().find(|(n, _)| *n == format!("routes-{}", apis[1])).unwrap();
    assert_eq!(
        api2.1["Statement"][0]["Resource"],
        json!([function_arn(functions[0]), format!("{}:*", function_arn(functions[0]))])
    );

    tf.destroy();
    assert!(!dispatcher_exists(), "the dispatcher outlived its last route");
    assert_eq!(role_policies(), None);
    for function in functions {
        cloud::delete_function(function);
    }
}

/// `terraform query` lists the async routes of an HTTP API (not its other
/// routes), its generated configuration plans only an import, and another
/// configuration adopts a route by its identity.
#[test]
#[ignore = "acceptance test: needs LocalStack and moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn query_lists_async_routes_and_identity_imports_them() {
    let _turn = dispatcher_turn();
    let version = crate::support::versions::TERRAFORM_NEWEST;
    let test = "route-adopt";
    cloud::function(test, "def handler(event, context):\n    return None\n");
    let api_id = http_api(test);
    let made = Terraform::new(version);
    let hook = route("hook", &api_id, "POST /hook", test, &[("response_body", "\"ok\"")]);
    configure(&made, std::slice::from_ref(&hook));
    made.apply();
    let applied = made.state_attributes("async_lambda_route.hook");
    let route_id = applied["route_id"].as_str().unwrap().to_owned();
    made.ok(&["state", "rm", "-no-color", "async_lambda_route.hook"]);
    // A route of the same API that is not dispatched.
    block_on(async {
        let client = moto::apigatewayv2();
        let plain = client
            .create_integration()
            .api_id(&api_id)
            .integration_type(aws_sdk_apigatewayv2::types::IntegrationType::AwsProxy)
            .integration_uri(function_arn(test))
            .payload_format_version("2.0")
            .send()
            .await
            .unwrap();
        let target = format!("integrations/{}", plain.integration_id().unwrap());
        client
            .create_route()
            .api_id(&api_id)
            .route_key("GET /sync")
            .target(target)
            .send()
            .await
            .unwrap();
    });

    let tf = Terraform::new(version);
    configure(&tf, &[]);
    let query = format!(
        "list \"async_lambda_route\" \"all\" {{\n  provider = async\n  config {{\n    api_id = \"{api_id}\"\n  }}\n}}\n"
    );
    std::fs::write(tf.dir().join("adopt.tfquery.hcl"), &query).unwrap();
    let listed = tf.ok(&["query", "-no-color", "-generate-config-out=adopt.tf"]);
    assert!(listed.contains(&format!("POST /hook -> {test}")), "{listed}");
    assert!(!listed.contains("GET /sync"), "not an async route: {listed}");
    let generated = std::fs::read_to_string(tf.dir().join("adopt.tf")).unwrap();
    // Terraform writes `= null` for unset optional arguments; defaults are left out.
    assert!(!generated.contains("202") && !generated.contains("NONE"), "defaults:\n{generated}");
    assert!(generated.contains("response_body        = \"ok\""), "{generated}");
    let plan = tf.plan_changes(&[]).expect("an import is planned");
    assert!(plan.contains("1 to import, 0 to add, 0 to change, 0 to destroy"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    tf.ok(&["state", "rm", "-no-color", "async_lambda_route.all_0"]);

    // By identity, account and region left out.
    let adopting = Terraform::new(version);
    let import = format!(
        "\nimport {{\n  to = async_lambda_route.hook\n  identity = {{\n    api_id   = \"{api_id}\"\n    route_id = \"{route_id}\"\n  }}\n}}\n"
    );
    adopting.write_config(&format!(
        "{}{}\n{hook}\n{import}",
        hcl::required_providers(&[]),
        provider_block()
    ));
    let plan = adopting.plan_changes(&[]).expect("an import is planned");
    assert!(plan.contains("1 to import, 0 to add, 0 to change, 0 to destroy"), "{plan}");
    adopting.apply();
    adopting.assert_no_changes();
    assert_eq!(adopting.state_attributes("async_lambda_route.hook"), applied);
    adopting.destroy();
    assert!(!dispatcher_exists());
}

/// A missing HTTP API or function fails the apply naming the attribute,
/// with nothing created: no route, no integration, no dispatcher.
#[test]
#[ignore = "acceptance test: needs LocalStack and moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn a_missing_api_or_function_fails_with_nothing_created() {
    let _turn = dispatcher_turn();
    let function = "route-missing";
    cloud::function(function, "def handler(event, context):\n    return None\n");
    let api_id = http_api(function);
    let cases = [
        ("nosuchapi1", function, "HTTP API not found", "api_id"),
        (api_id.as_str(), "no-such-function", "Lambda function not found", "function_name"),
    ];
    for (api, function_name, summary, attribute) in cases {
        let tf = Terraform::new(crate::support::versions::TERRAFORM_NEWEST);
        configure(&tf, &[route("hook", api, "POST /hook", function_name, &[])]);
        let out = tf.fails(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(out.contains(summary) && out.contains("Nothing was created"), "{out}");
        assert!(out.contains(&format!(" {attribute} = ")), "names {attribute}: {out}");
        assert!(tf.state_attributes("async_lambda_route.hook").is_null());
        assert!(!dispatcher_exists(), "{summary}: the dispatcher was created");
    }
    let left = block_on(async {
        let client = moto::apigatewayv2();
        let routes = client.get_routes().api_id(&api_id).send().await.unwrap().items().len();
        let integrations =
            client.get_integrations().api_id(&api_id).send().await.unwrap().items().len();
        (routes, integrations)
    });
    assert_eq!(left, (0, 0));
}

/// The AWS calls the provider made, by operation, from a Terraform log
/// written at DEBUG (each call logs "AWS call succeeded" or "failed" with
/// `operation=NAME`).
fn calls(log: &std::path::Path) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    let text = std::fs::read_to_string(log).unwrap();
    let lines =
        text.lines().filter(|l| l.contains("AWS call succeeded") || l.contains("AWS call failed"));
    for line in lines {
        let operation = line.split_whitespace().find_map(|field| field.strip_prefix("operation="));
        *counts.entry(operation.unwrap_or("?").to_owned()).or_default() += 1;
    }
    counts
}

/// A plan of six routes of one HTTP API reads the API once (its routes and
/// its integrations) and the dispatcher and its policy once, whatever the
/// number of routes: no call per route.
#[test]
#[ignore = "acceptance test: needs LocalStack and moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn a_plan_reads_each_http_api_once_not_each_route() {
    let _turn = dispatcher_turn();
    let test = "route-reads";
    cloud::function(test, "def handler(event, context):\n    return None\n");
    let api_id = http_api(test);
    let routes: Vec<String> = (0..6)
        .map(|i| route(&format!("r{i}"), &api_id, &format!("POST /r{i}"), test, &[]))
        .collect();
    let mut tf = Terraform::new(crate::support::versions::TERRAFORM_NEWEST);
    configure(&tf, &routes);
    tf.apply();
    let log = tf.dir().join("plan.log");
    tf.set_env("TF_LOG", "DEBUG");
    tf.set_env("TF_LOG_PATH", &log.display().to_string());
    assert_eq!(tf.plan_changes(&[]), None, "no change");
    let counts = calls(&log);
    let expected: std::collections::BTreeMap<String, usize> = [
        ("GetCallerIdentity", 1),
        ("GetFunctionConfiguration", 1),
        ("GetIntegrations", 1),
        ("GetPolicy", 1),
        ("GetRoutes", 1),
    ]
    .into_iter()
    .map(|(operation, n)| (operation.to_owned(), n))
    .collect();
    assert_eq!(counts, expected, "the calls of a no-change plan of six routes");
    tf.destroy();
}

/// Payload 2.0 events as API Gateway builds them from hostile requests:
/// each dispatched through LocalStack reaches the target identical.
fn hostile_events() -> Vec<Json> {
    let example: Json = serde_json::from_str(EXAMPLE_EVENT).unwrap();
    let with = |id: &str, change: &dyn Fn(&mut Json)| {
        let mut event = example.clone();
        event["requestContext"]["requestId"] = json!(id);
        change(&mut event);
        event
    };
    vec![
        with("quotes", &|e| {
            e["body"] = json!(r#"{"say": "\"hi\" \\ $x #if(1) ${y} 'q'"}"#);
            e["headers"]["x-quoted"] = json!(r#"a "b" \c $d #e"#);
            e["rawQueryString"] = json!("q=%22x%22%20%24y");
            e["queryStringParameters"] = json!({"q": "\"x\" $y"});
        }),
        with("unicode", &|e| {
            e["body"] = json!("h\u{e9}llo \u{1f389} \u{5e9}\u{5dc}\u{5d5}\u{5dd} nul:\u{0}");
            e["headers"]["x-name"] = json!("Zo\u{eb}");
            e["pathParameters"] = json!({"source": "caf\u{e9}"});
        }),
        with("binary", &|e| {
            e["body"] = json!("AAEC/f7/iVBORw0KGgo=");
            e["isBase64Encoded"] = json!(true);
            e["headers"]["content-type"] = json!("application/octet-stream");
        }),
        with("repeated-and-cookies", &|e| {
            e["rawQueryString"] = json!("a=1&a=2&b=");
            e["queryStringParameters"] = json!({"a": "1,2", "b": ""});
            e["cookies"] = json!(["s=1", "t=2; Path=/", "u=\"q\""]);
        }),
        with("get-without-body", &|e| {
            let event = e.as_object_mut().unwrap();
            for key in ["body", "queryStringParameters", "cookies", "pathParameters"] {
                event.remove(key);
            }
            e["requestContext"]["http"]["method"] = json!("GET");
            e["routeKey"] = json!("$default");
        }),
    ]
}

#[test]
#[ignore = "acceptance test: needs LocalStack and moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn hostile_events_reach_the_target_identical() {
    let _turn = dispatcher_turn();
    let test = "route-hostile";
    let events = tempfile::Builder::new().prefix("events-").tempdir().unwrap();
    let events_dir = events.path().display().to_string();
    cloud::function_with_env(
        test,
        RECORDING_HANDLER,
        &[("EVENT_DIR", &events_dir), ("SLEEP", "0")],
    );
    let api_id = http_api(test);
    let tf = Terraform::new(crate::support::versions::TERRAFORM_NEWEST);
    configure(&tf, &[route("hook", &api_id, "$default", test, &[])]);
    tf.apply();
    let route_id =
        tf.state_attributes("async_lambda_route.hook")["route_id"].as_str().unwrap().to_owned();
    let header = held(&api_id, &route_id).3;
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
    }
    tf.destroy();
}

/// Handlers written for HTTP API proxy integrations run unchanged behind a
/// route: Powertools' parser model and data class and Mangum (a Starlette
/// app) read the event the dispatcher delivered on LocalStack, bundled with
/// the function as users bundle them.
#[test]
#[ignore = "acceptance test: needs LocalStack and moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn powertools_and_mangum_read_the_delivered_event() {
    let _turn = dispatcher_turn();
    let test = "route-consumers";
    let events = tempfile::Builder::new().prefix("events-").tempdir().unwrap();
    let events_dir = events.path().display().to_string();
    let handler = include_str!("consumers_v2_handler.py");
    cloud::function_with_libraries(test, handler, &[("EVENT_DIR", &events_dir)]);
    let api_id = http_api(test);
    let tf = Terraform::new(crate::support::versions::TERRAFORM_NEWEST);
    configure(&tf, &[route("hook", &api_id, "$default", test, &[])]);
    tf.apply();
    let route_id =
        tf.state_attributes("async_lambda_route.hook")["route_id"].as_str().unwrap().to_owned();
    let header = held(&api_id, &route_id).3;
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

/// With `dispatcher_role_arn`, the dispatcher runs as the organisation's
/// role and the provider creates, changes and deletes no role or policy.
#[test]
#[ignore = "acceptance test: needs LocalStack and moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn a_brought_role_is_used_as_it_is() {
    let _turn = dispatcher_turn();
    let test = "route-own-role";
    cloud::function(test, "def handler(event, context):\n    return None\n");
    let api_id = http_api(test);
    let role_name = "platform-dispatcher";
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let role_arn = block_on(async {
        let role = cloud::iam()
            .create_role()
            .role_name(role_name)
            .assume_role_policy_document(trust.to_string())
            .send()
            .await
            .unwrap();
        role.role().unwrap().arn().to_owned()
    });
    let tf = Terraform::new(crate::support::versions::TERRAFORM_NEWEST);
    let provider = provider_block().replacen(
        "  endpoints {",
        &format!("  dispatcher_role_arn = \"{role_arn}\"\n  endpoints {{"),
        1,
    );
    tf.write_config(&format!(
        "{}{provider}\n{}",
        hcl::required_providers(&[]),
        route("hook", &api_id, "POST /hook", test, &[])
    ));
    tf.apply();
    let role_of_dispatcher = block_on(async {
        let config = cloud::lambda()
            .get_function_configuration()
            .function_name(DISPATCHER)
            .send()
            .await
            .unwrap();
        config.role().unwrap().to_owned()
    });
    assert_eq!(role_of_dispatcher, role_arn);
    assert_eq!(role_policies(), None, "no managed role");
    let own_policies = block_on(async {
        cloud::iam()
            .list_role_policies()
            .role_name(role_name)
            .send()
            .await
            .unwrap()
            .policy_names()
            .to_vec()
    });
    assert!(own_policies.is_empty(), "the brought role is left as it is: {own_policies:?}");
    tf.assert_no_changes();
    tf.destroy();
    assert!(!dispatcher_exists());
    block_on(async { cloud::iam().get_role().role_name(role_name).send().await.unwrap() });
}
