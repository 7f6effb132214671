//! `async_lambda_route` end to end: HTTP APIs on moto (LocalStack's free
//! edition has none), Lambda, IAM and STS on LocalStack, Terraform driving
//! the provider. moto routes no traffic, so the dispatcher is invoked as
//! API Gateway invokes it: with the route's payload format 2.0 event and the
//! header the integration's parameter mapping adds.
//!
//! The dispatcher is one per account and region, so these tests take turns
//! ([`dispatcher::turn`](crate::support::dispatcher::turn)): one test's last destroy removes it.

mod adoption;
mod events;
mod lifecycle;

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use crate::support::aws::block_on;
use crate::support::dispatcher::{CONFIG_PARAMETER, EXAMPLE_EVENT};
use crate::support::hcl;
use crate::support::moto::{self, provider_block};
use crate::support::terraform::Terraform;

pub(super) fn http_api(name: &str) -> String {
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
pub(super) fn route(
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

pub(super) fn configure(tf: &Terraform, routes: &[String]) {
    tf.write_config(&format!(
        "{}{}\n{}",
        hcl::required_providers(&[]),
        provider_block(),
        routes.join("\n")
    ));
}

/// What moto holds for a route: (route key, target, integration URI,
/// the dispatcher header's value).
pub(super) fn held(api_id: &str, route_id: &str) -> (String, String, String, String) {
    block_on(async {
        let client = moto::apigatewayv2();
        let route = client.get_route().api_id(api_id).route_id(route_id).send().await.unwrap();
        let target = route.target().unwrap_or_default().to_owned();
        let integration = moto::route_integration(&client, api_id, &target).await;
        assert_eq!(integration.payload_format_version(), Some("2.0"));
        assert_eq!(integration.integration_type().map(|t| t.as_str()), Some("AWS_PROXY"));
        let header = integration.request_parameters().unwrap()[CONFIG_PARAMETER].clone();
        (
            route.route_key().unwrap().to_owned(),
            target,
            integration.integration_uri().unwrap().to_owned(),
            header,
        )
    })
}

/// The AWS calls the provider made, by operation, from a Terraform log
/// written at DEBUG (each call logs "AWS call succeeded" or "failed" with
/// `operation=NAME`).
pub(super) fn calls(log: &std::path::Path) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    let text = std::fs::read_to_string(log).unwrap();
    let lines =
        text.lines().filter(|l| l.contains("AWS call succeeded") || l.contains("AWS call failed"));
    for line in lines {
        let operation = line.split_whitespace().find_map(|field| field.strip_prefix("operation="));
        *counts.entry(operation.unwrap_or("?").to_owned()).or_default() += 1;
    }
    counts
}

/// Payload 2.0 events as API Gateway builds them from hostile requests:
/// each dispatched through LocalStack reaches the target identical.
pub(super) fn hostile_events() -> Vec<Json> {
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
