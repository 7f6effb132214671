//! Adopting routes: `terraform query` and import by identity.

use super::{configure, http_api, route};
use crate::support::aws::{self as cloud, block_on};
use crate::support::dispatcher::{self, dispatcher_exists, function_arn};
use crate::support::hcl;
use crate::support::moto::{self, provider_block};
use crate::support::terraform::{Terraform, each_terraform_version};

// `terraform query` lists the async routes of an HTTP API (not its other
// routes), its generated configuration plans only an import, and another
// configuration adopts a route by its identity: from Terraform 1.14, the
// first with list resources.
each_terraform_version!(acceptance query_lists_async_routes_and_identity_imports_them since actions);
fn query_lists_async_routes_and_identity_imports_them(version: &'static str) {
    let _turn = dispatcher::turn();
    let test = &format!("route-adopt-{}", version.replace('.', "-"));
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
