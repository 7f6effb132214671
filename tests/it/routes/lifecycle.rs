//! A route's life: create, read back, update in place, drift repaired, import,
//! sharing the dispatcher, destroy leaving nothing; what it costs to read.

use aws_sdk_lambda::primitives::Blob;
use serde_json::{Value as Json, json};

use super::{calls, configure, held, http_api, route};
use crate::support::aws::{self as cloud, ACCOUNT, REGION, block_on};
use crate::support::dispatcher::{
    self, DISPATCHER, EXAMPLE_EVENT, dispatcher_exists, function_arn, invoke_as_api_gateway,
    role_policies,
};
use crate::support::hcl;
use crate::support::moto::{self, provider_block};
use crate::support::stack::{RECORDING_HANDLER, wait_for_events};
use crate::support::terraform::{Terraform, each_terraform_version};

each_terraform_version!(acceptance route_lifecycle);

/// Create, read back, dispatch, update in place, drift repaired, import,
/// a second route sharing the dispatcher, and destroy leaving nothing.
fn route_lifecycle(version: &'static str) {
    let _turn = dispatcher::turn();
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
    // The role's permission to invoke the API's targets removed: put back.
    let targets_policy = format!("routes-{api_id}");
    dispatcher::delete_role_policy(&targets_policy);
    tf.plan_changes(&[]).expect("a lost role policy shows");
    tf.apply();
    assert!(dispatcher::has_role_policy(&targets_policy));
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
    let code = || dispatcher::configuration().code_sha256().unwrap().to_owned();
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

/// Routes of two APIs on two functions created, replaced and destroyed in
/// the same applies, concurrently (Terraform's default parallelism): the
/// dispatcher's statements and role follow, nothing is left after.
#[test]
#[ignore = "acceptance test: needs LocalStack and moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn concurrent_creates_and_destroys_share_one_dispatcher() {
    let _turn = dispatcher::turn();
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

/// A missing HTTP API or function fails the apply naming the attribute,
/// with nothing created: no route, no integration, no dispatcher.
#[test]
#[ignore = "acceptance test: needs LocalStack and moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn a_missing_api_or_function_fails_with_nothing_created() {
    let _turn = dispatcher::turn();
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

/// A plan of six routes of one HTTP API reads the API once (its routes and
/// its integrations), the dispatcher and its policy once, and the target's
/// failure handling once, whatever the number of routes: no call per route.
#[test]
#[ignore = "acceptance test: needs LocalStack and moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn a_plan_reads_each_http_api_once_not_each_route() {
    let _turn = dispatcher::turn();
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
        // The target's failure destination, once for the six (none: then its
        // dead-letter queue).
        ("GetFunction", 1),
        ("GetFunctionConfiguration", 1),
        ("GetFunctionEventInvokeConfig", 1),
        ("GetIntegrations", 1),
        ("GetPolicy", 1),
        ("GetRolePolicy", 1),
        ("GetRoutes", 1),
    ]
    .into_iter()
    .map(|(operation, n)| (operation.to_owned(), n))
    .collect();
    assert_eq!(counts, expected, "the calls of a no-change plan of six routes");
    tf.destroy();
}

/// With `dispatcher_role_arn`, the dispatcher runs as the organisation's
/// role and the provider creates, changes and deletes no role or policy.
#[test]
#[ignore = "acceptance test: needs LocalStack and moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn a_brought_role_is_used_as_it_is() {
    let _turn = dispatcher::turn();
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
    let role_of_dispatcher = dispatcher::configuration().role().unwrap().to_owned();
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
