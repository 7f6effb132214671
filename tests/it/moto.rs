//! What moto's server mode does with API Gateway v2 (HTTP APIs), the facts
//! `async_lambda_route` must cope with when its tests run API Gateway v2 on
//! moto ([`support::moto`]) and Lambda, IAM and STS on LocalStack.
//!
//! moto is laxer than AWS in places; those tests assert what moto does, with
//! what AWS does beside it, so that a moto upgrade that changes either is
//! noticed here rather than as a puzzling failure elsewhere. Each test works
//! on HTTP APIs of its own.

use std::collections::HashMap;

use aws_sdk_apigatewayv2::Client;
use aws_sdk_apigatewayv2::config::http::HttpResponse;
use aws_sdk_apigatewayv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_apigatewayv2::types::{
    AuthorizationType, AuthorizerType, IntegrationType, JwtConfiguration, ProtocolType,
};
use aws_smithy_types::error::display::DisplayErrorContext;

use crate::support::aws::{ACCOUNT, REGION, block_on};
use crate::support::moto;

/// The header the provider's integrations set, to tell routes apart.
const ROUTE_HEADER: &str = "overwrite:header.x-async-lambda-route";

/// A Lambda function's ARN as LocalStack makes it, where the functions live.
fn function_arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
}

/// A fresh HTTP API; its id.
async fn http_api(client: &Client, name: &str) -> String {
    let api = client.create_api().name(name).protocol_type(ProtocolType::Http).send().await;
    let api = api.unwrap_or_else(|e| panic!("CreateApi {name}: {}", DisplayErrorContext(e)));
    api.api_id().expect("CreateApi gives an id").to_owned()
}

/// An AWS_PROXY integration (payload 2.0) of `function` on `api`, with the
/// route header set to `route`; its id.
async fn lambda_integration(client: &Client, api: &str, function: &str, route: &str) -> String {
    let created = client
        .create_integration()
        .api_id(api)
        .integration_type(IntegrationType::AwsProxy)
        .payload_format_version("2.0")
        .integration_uri(function_arn(function))
        .request_parameters(ROUTE_HEADER, route)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateIntegration on {api}: {}", DisplayErrorContext(e)));
    created.integration_id().expect("CreateIntegration gives an id").to_owned()
}

/// A JWT authorizer on `api`; its id.
async fn jwt_authorizer(client: &Client, api: &str) -> String {
    let jwt = JwtConfiguration::builder()
        .audience("async-tests")
        .issuer("https://issuer.example.com")
        .build();
    let created = client
        .create_authorizer()
        .api_id(api)
        .name("jwt")
        .authorizer_type(AuthorizerType::Jwt)
        .identity_source("$request.header.Authorization")
        .jwt_configuration(jwt)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateAuthorizer on {api}: {}", DisplayErrorContext(e)));
    created.authorizer_id().expect("CreateAuthorizer gives an id").to_owned()
}

/// A route `key` on `api` targeting `integration`, open to all; its id.
async fn open_route(client: &Client, api: &str, key: &str, integration: &str) -> String {
    let created = client
        .create_route()
        .api_id(api)
        .route_key(key)
        .target(format!("integrations/{integration}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateRoute {key} on {api}: {}", DisplayErrorContext(e)));
    created.route_id().expect("CreateRoute gives an id").to_owned()
}

/// The error code, the HTTP status and a description of a call that must
/// have failed.
fn failure<T, E>(
    what: &str,
    result: Result<T, SdkError<E, HttpResponse>>,
) -> (Option<String>, Option<u16>, String)
where
    T: std::fmt::Debug,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let error = match result {
        Ok(answer) => panic!("{what}: moto answered {answer:?}, not an error"),
        Err(error) => error,
    };
    let status = error.raw_response().map(|r| r.status().as_u16());
    let code = error.code().map(str::to_owned);
    let message = error.message().unwrap_or_default().to_owned();
    (code, status, format!("{message} ({})", DisplayErrorContext(error)))
}

fn header(value: &str) -> HashMap<String, String> {
    HashMap::from([(ROUTE_HEADER.to_owned(), value.to_owned())])
}

#[test]
#[ignore = "acceptance test: needs moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn get_api_gives_protocol_endpoint_and_tags() {
    let client = moto::apigatewayv2();
    block_on(async {
        let created = client
            .create_api()
            .name("moto-get-api")
            .protocol_type(ProtocolType::Http)
            .tags("team", "async")
            .send()
            .await
            .unwrap();
        let api = created.api_id().unwrap();
        let got = client.get_api().api_id(api).send().await.unwrap();
        assert_eq!(got.protocol_type(), Some(&ProtocolType::Http));
        assert_eq!(got.name(), Some("moto-get-api"));
        // AWS's form of the invoke URL, not moto's address: moto does not
        // serve HTTP API requests at all.
        assert_eq!(
            got.api_endpoint(),
            Some(format!("https://{api}.execute-api.{REGION}.amazonaws.com").as_str())
        );
        assert!(!got.api_endpoint().unwrap().contains(moto::endpoint()));
        assert_eq!(got.route_selection_expression(), Some("$request.method $request.path"));

        // Tags: given at creation, on GetApi, and through the tagging API.
        let tags = HashMap::from([("team".to_owned(), "async".to_owned())]);
        assert_eq!(got.tags(), Some(&tags));
        let arn = format!("arn:aws:apigateway:{REGION}::/apis/{api}");
        client.tag_resource().resource_arn(&arn).tags("stage", "test").send().await.unwrap();
        let listed = client.get_tags().resource_arn(&arn).send().await.unwrap();
        let both = HashMap::from([
            ("team".to_owned(), "async".to_owned()),
            ("stage".to_owned(), "test".to_owned()),
        ]);
        assert_eq!(listed.tags(), Some(&both));
        let got = client.get_api().api_id(api).send().await.unwrap();
        assert_eq!(got.tags(), Some(&both));
    });
}

#[test]
#[ignore = "acceptance test: needs moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn lambda_proxy_integration_keeps_its_request_parameters() {
    let client = moto::apigatewayv2();
    block_on(async {
        let api = http_api(&client, "moto-integration").await;
        let created = client
            .create_integration()
            .api_id(&api)
            .integration_type(IntegrationType::AwsProxy)
            .payload_format_version("2.0")
            .integration_uri(function_arn("moto-integration"))
            .request_parameters(ROUTE_HEADER, "abc")
            .send()
            .await
            .unwrap();
        assert_eq!(created.request_parameters(), Some(&header("abc")));
        let id = created.integration_id().unwrap();

        let got = client.get_integration().api_id(&api).integration_id(id).send().await.unwrap();
        assert_eq!(got.integration_id(), Some(id));
        assert_eq!(got.integration_type(), Some(&IntegrationType::AwsProxy));
        assert_eq!(got.payload_format_version(), Some("2.0"));
        assert_eq!(got.integration_uri(), Some(function_arn("moto-integration").as_str()));
        // Unchanged: key and value as given.
        assert_eq!(got.request_parameters(), Some(&header("abc")));
        // moto's default timeout is AWS's maximum for HTTP APIs, 30 s.
        assert_eq!(got.timeout_in_millis(), Some(30_000));

        // UpdateIntegration changes it in place: same id, new values.
        let updated = client
            .update_integration()
            .api_id(&api)
            .integration_id(id)
            .integration_uri(function_arn("moto-integration-2"))
            .request_parameters(ROUTE_HEADER, "def")
            .timeout_in_millis(10_000)
            .send()
            .await
            .unwrap();
        assert_eq!(updated.integration_id(), Some(id));
        let got = client.get_integration().api_id(&api).integration_id(id).send().await.unwrap();
        assert_eq!(got.integration_uri(), Some(function_arn("moto-integration-2").as_str()));
        assert_eq!(got.request_parameters(), Some(&header("def")));
        assert_eq!(got.timeout_in_millis(), Some(10_000));
        assert_eq!(got.payload_format_version(), Some("2.0"));

        // moto replaces the whole map with the one given and drops keys given
        // an empty value. AWS merges it key by key and removes a key given ""
        // (hashicorp/aws removes parameters so). Sending every wanted key, and
        // "" for each to remove, means the same to both. Leaving the map out
        // keeps it.
        client
            .update_integration()
            .api_id(&api)
            .integration_id(id)
            .request_parameters(ROUTE_HEADER, "")
            .request_parameters("overwrite:header.x-other", "1")
            .send()
            .await
            .unwrap();
        let got = client.get_integration().api_id(&api).integration_id(id).send().await.unwrap();
        let other = HashMap::from([("overwrite:header.x-other".to_owned(), "1".to_owned())]);
        assert_eq!(got.request_parameters(), Some(&other));
        client
            .update_integration()
            .api_id(&api)
            .integration_id(id)
            .timeout_in_millis(20_000)
            .send()
            .await
            .unwrap();
        let got = client.get_integration().api_id(&api).integration_id(id).send().await.unwrap();
        assert_eq!(got.request_parameters(), Some(&other));
    });
}

#[test]
#[ignore = "acceptance test: needs moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn routes_with_each_authorization_type() {
    let client = moto::apigatewayv2();
    block_on(async {
        let api = http_api(&client, "moto-routes").await;
        let integration = lambda_integration(&client, &api, "moto-routes", "r1").await;
        let target = format!("integrations/{integration}");

        // No authorization_type: NONE.
        let open = open_route(&client, &api, "POST /open", &integration).await;
        let got = client.get_route().api_id(&api).route_id(&open).send().await.unwrap();
        assert_eq!(got.route_id(), Some(open.as_str()));
        assert_eq!(got.route_key(), Some("POST /open"));
        assert_eq!(got.target(), Some(target.as_str()));
        assert_eq!(got.authorization_type(), Some(&AuthorizationType::None));
        assert_eq!(got.authorizer_id(), None);
        assert_eq!(got.authorization_scopes, None);
        // Fields of WebSocket APIs: false and empty, as AWS gives them.
        assert_eq!(got.api_key_required(), Some(false));
        assert_eq!(got.request_parameters(), Some(&HashMap::new()));

        // JWT, with an authorizer and scopes: all given back.
        let authorizer = jwt_authorizer(&client, &api).await;
        let created = client
            .create_route()
            .api_id(&api)
            .route_key("POST /jwt")
            .target(&target)
            .authorization_type(AuthorizationType::Jwt)
            .authorizer_id(&authorizer)
            .authorization_scopes("jobs/write")
            .authorization_scopes("jobs/admin")
            .send()
            .await
            .unwrap();
        let jwt = created.route_id().unwrap();
        let got = client.get_route().api_id(&api).route_id(jwt).send().await.unwrap();
        assert_eq!(got.authorization_type(), Some(&AuthorizationType::Jwt));
        assert_eq!(got.authorizer_id(), Some(authorizer.as_str()));
        assert_eq!(got.authorization_scopes(), ["jobs/write", "jobs/admin"]);
        assert_eq!(got.target(), Some(target.as_str()));

        // AWS_IAM: no authorizer, no scopes.
        let created = client
            .create_route()
            .api_id(&api)
            .route_key("POST /iam")
            .target(&target)
            .authorization_type(AuthorizationType::AwsIam)
            .send()
            .await
            .unwrap();
        let iam = created.route_id().unwrap();
        let got = client.get_route().api_id(&api).route_id(iam).send().await.unwrap();
        assert_eq!(got.authorization_type(), Some(&AuthorizationType::AwsIam));
        assert_eq!(got.authorizer_id(), None);
        assert_eq!(got.authorization_scopes, None);

        // GetRoutes lists all three the same way.
        let listed = client.get_routes().api_id(&api).send().await.unwrap();
        let mut keys: Vec<_> = listed.items().iter().filter_map(|r| r.route_key()).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["POST /iam", "POST /jwt", "POST /open"]);
        let listed_jwt = listed.items().iter().find(|r| r.route_id() == Some(jwt)).unwrap();
        assert_eq!(listed_jwt.authorization_scopes(), ["jobs/write", "jobs/admin"]);
    });
}

#[test]
#[ignore = "acceptance test: needs moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn update_route_in_place() {
    let client = moto::apigatewayv2();
    block_on(async {
        let api = http_api(&client, "moto-update-route").await;
        let first = lambda_integration(&client, &api, "moto-update-route", "r1").await;
        let second = lambda_integration(&client, &api, "moto-update-route", "r2").await;
        let authorizer = jwt_authorizer(&client, &api).await;
        let route = open_route(&client, &api, "POST /jobs", &first).await;

        // Key, target and authorization change; the id stays.
        let updated = client
            .update_route()
            .api_id(&api)
            .route_id(&route)
            .route_key("PUT /jobs/{id}")
            .target(format!("integrations/{second}"))
            .authorization_type(AuthorizationType::Jwt)
            .authorizer_id(&authorizer)
            .authorization_scopes("jobs/write")
            .send()
            .await
            .unwrap();
        assert_eq!(updated.route_id(), Some(route.as_str()));
        let got = client.get_route().api_id(&api).route_id(&route).send().await.unwrap();
        assert_eq!(got.route_key(), Some("PUT /jobs/{id}"));
        assert_eq!(got.target(), Some(format!("integrations/{second}").as_str()));
        assert_eq!(got.authorization_type(), Some(&AuthorizationType::Jwt));
        assert_eq!(got.authorizer_id(), Some(authorizer.as_str()));
        assert_eq!(got.authorization_scopes(), ["jobs/write"]);

        // Back to NONE: moto keeps the authorizer and the scopes. Told
        // otherwise, it clears the authorizer with "" but never the scopes (it
        // ignores an empty list). What AWS keeps here is not checked: send
        // authorizer and scopes explicitly, and compare a route's scopes and
        // authorizer only when its type is JWT.
        client
            .update_route()
            .api_id(&api)
            .route_id(&route)
            .authorization_type(AuthorizationType::None)
            .send()
            .await
            .unwrap();
        let got = client.get_route().api_id(&api).route_id(&route).send().await.unwrap();
        assert_eq!(got.authorization_type(), Some(&AuthorizationType::None));
        assert_eq!(got.authorizer_id(), Some(authorizer.as_str()));
        assert_eq!(got.authorization_scopes(), ["jobs/write"]);
        client
            .update_route()
            .api_id(&api)
            .route_id(&route)
            .authorizer_id("")
            .set_authorization_scopes(Some(Vec::new()))
            .send()
            .await
            .unwrap();
        let got = client.get_route().api_id(&api).route_id(&route).send().await.unwrap();
        assert_eq!(got.authorizer_id(), Some(""));
        assert_eq!(got.authorization_scopes(), ["jobs/write"]);

        // Nor does moto clear a target given as "" (hashicorp/aws detaches a
        // route from its integration so).
        client.update_route().api_id(&api).route_id(&route).target("").send().await.unwrap();
        let got = client.get_route().api_id(&api).route_id(&route).send().await.unwrap();
        assert_eq!(got.target(), Some(format!("integrations/{second}").as_str()));
    });
}

#[test]
#[ignore = "acceptance test: needs moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn listings_come_in_one_page() {
    let client = moto::apigatewayv2();
    block_on(async {
        let api = http_api(&client, "moto-pages").await;
        let mut integrations = Vec::new();
        for i in 0..3 {
            let id = lambda_integration(&client, &api, "moto-pages", &format!("r{i}")).await;
            open_route(&client, &api, &format!("POST /r{i}"), &id).await;
            integrations.push(id);
        }
        // moto ignores MaxResults and never gives a NextToken (its docs:
        // "Pagination is not yet implemented"); AWS pages (at most 500 items
        // a page, NextToken after each but the last). A reader must follow
        // NextToken for AWS; here the first page is the whole list.
        let routes = client.get_routes().api_id(&api).max_results("1").send().await.unwrap();
        assert_eq!(routes.items().len(), 3);
        assert_eq!(routes.next_token(), None);
        let listed = client.get_integrations().api_id(&api).max_results("1").send().await.unwrap();
        assert_eq!(listed.items().len(), 3);
        assert_eq!(listed.next_token(), None);
        let mut ids: Vec<_> = listed.items().iter().filter_map(|i| i.integration_id()).collect();
        ids.sort_unstable();
        integrations.sort_unstable();
        assert_eq!(ids, integrations);
        for (i, item) in listed.items().iter().enumerate() {
            assert!(item.request_parameters().is_some_and(|p| p.contains_key(ROUTE_HEADER)), "{i}");
        }
    });
}

#[test]
#[ignore = "acceptance test: needs moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn missing_things_are_not_found() {
    let client = moto::apigatewayv2();
    block_on(async {
        let api = http_api(&client, "moto-missing").await;
        let integration = lambda_integration(&client, &api, "moto-missing", "r1").await;
        let route = open_route(&client, &api, "POST /jobs", &integration).await;
        let not_found = Some("NotFoundException".to_owned());

        // As in AWS: NotFoundException, HTTP 404, naming what is missing,
        // whether the thing or the API holding it.
        let result = client.get_route().api_id(&api).route_id("nosuchid").send().await;
        let e = result.as_ref().unwrap_err();
        assert!(e.as_service_error().is_some_and(|e| e.is_not_found_exception()), "{e:?}");
        let (code, status, message) = failure("GetRoute of a missing route", result);
        assert_eq!((&code, status), (&not_found, Some(404)), "{message}");
        assert!(message.contains("Invalid Route identifier specified nosuchid"), "{message}");

        let result = client.get_integration().api_id(&api).integration_id("nosuchid").send().await;
        let e = result.as_ref().unwrap_err();
        assert!(e.as_service_error().is_some_and(|e| e.is_not_found_exception()), "{e:?}");
        let (code, status, message) = failure("GetIntegration of a missing integration", result);
        assert_eq!((&code, status), (&not_found, Some(404)), "{message}");
        assert!(message.contains("Invalid Integration identifier specified nosuchid"), "{message}");

        let result = client.get_api().api_id("nosuchapi").send().await;
        let e = result.as_ref().unwrap_err();
        assert!(e.as_service_error().is_some_and(|e| e.is_not_found_exception()), "{e:?}");
        let (code, status, message) = failure("GetApi of a missing API", result);
        assert_eq!((&code, status), (&not_found, Some(404)), "{message}");
        assert!(message.contains("Invalid API identifier specified nosuchapi"), "{message}");

        // The same answer for a route or integration of a missing API: only
        // the message tells which is missing.
        let result = client.get_route().api_id("nosuchapi").route_id(&route).send().await;
        let (code, status, message) = failure("GetRoute on a missing API", result);
        assert_eq!((&code, status), (&not_found, Some(404)), "{message}");
        assert!(message.contains("Invalid API identifier specified nosuchapi"), "{message}");
        let result =
            client.get_integration().api_id("nosuchapi").integration_id(&integration).send().await;
        let (code, status, message) = failure("GetIntegration on a missing API", result);
        assert_eq!((&code, status), (&not_found, Some(404)), "{message}");
        let result = client.get_routes().api_id("nosuchapi").send().await;
        let (code, status, message) = failure("GetRoutes on a missing API", result);
        assert_eq!((&code, status), (&not_found, Some(404)), "{message}");

        // UpdateRoute of a missing route: NotFoundException, as in AWS.
        let result = client
            .update_route()
            .api_id(&api)
            .route_id("nosuchid")
            .route_key("GET /x")
            .send()
            .await;
        let (code, status, message) = failure("UpdateRoute of a missing route", result);
        assert_eq!((&code, status), (&not_found, Some(404)), "{message}");

        // UpdateIntegration of a missing integration: moto fails with an
        // internal error (HTTP 500, an HTML page, no error code), where AWS
        // says NotFoundException. Retries off: the SDK retries a 500.
        let once = Client::from_conf(
            client
                .config()
                .to_builder()
                .retry_config(aws_smithy_types::retry::RetryConfig::disabled())
                .build(),
        );
        let result = once
            .update_integration()
            .api_id(&api)
            .integration_id("nosuchid")
            .timeout_in_millis(1_000)
            .send()
            .await;
        let (code, status, message) = failure("UpdateIntegration of a missing integration", result);
        assert_eq!(status, Some(500), "{code:?}: {message}");
        assert_ne!(code, not_found, "{message}");
    });
}

#[test]
#[ignore = "acceptance test: needs moto; make test runs it (TF_ACC=1 cargo test -- --include-ignored)"]
fn moto_is_laxer_than_aws() {
    let client = moto::apigatewayv2();
    block_on(async {
        let api = http_api(&client, "moto-lax").await;
        let integration = lambda_integration(&client, &api, "moto-lax", "r1").await;
        let route = open_route(&client, &api, "POST /jobs", &integration).await;

        // A second route with the same key: AWS refuses (ConflictException);
        // moto makes it. Check route keys before creating one.
        let twin = open_route(&client, &api, "POST /jobs", &integration).await;
        assert_ne!(twin, route);
        let routes = client.get_routes().api_id(&api).send().await.unwrap();
        let same_key = routes.items().iter().filter(|r| r.route_key() == Some("POST /jobs"));
        assert_eq!(same_key.count(), 2);

        // A target naming no integration, JWT without an authorizer, an
        // unknown authorization type and a malformed route key: moto stores
        // them as given, where AWS validates them (a bad request there). The
        // provider must validate what it sends itself.
        let dangling = open_route(&client, &api, "POST /dangling", "nosuchid").await;
        let got = client.get_route().api_id(&api).route_id(&dangling).send().await.unwrap();
        assert_eq!(got.target(), Some("integrations/nosuchid"));
        let created = client
            .create_route()
            .api_id(&api)
            .route_key("POST /jwt")
            .authorization_type(AuthorizationType::Jwt)
            .send()
            .await
            .unwrap();
        assert_eq!(created.authorization_type(), Some(&AuthorizationType::Jwt));
        assert_eq!(created.authorizer_id(), None);
        let created = client
            .create_route()
            .api_id(&api)
            .route_key("not a route key")
            .authorization_type(AuthorizationType::from("BOGUS"))
            .send()
            .await
            .unwrap();
        assert_eq!(created.route_key(), Some("not a route key"));
        assert_eq!(created.authorization_type().map(|t| t.as_str()), Some("BOGUS"));

        // Deleting an integration a route still targets: AWS refuses (by the
        // issue); moto deletes it, and the route keeps its now dangling target.
        client.delete_integration().api_id(&api).integration_id(&integration).send().await.unwrap();
        let result =
            client.get_integration().api_id(&api).integration_id(&integration).send().await;
        assert!(
            result.is_err_and(|e| e.as_service_error().is_some_and(|e| e.is_not_found_exception()))
        );
        let got = client.get_route().api_id(&api).route_id(&route).send().await.unwrap();
        assert_eq!(got.target(), Some(format!("integrations/{integration}").as_str()));

        // Deleting what is not there: AWS says NotFoundException; moto
        // succeeds, for a route, an integration and an API. So "already
        // gone" on delete cannot be tested against moto, only tolerated.
        client.delete_route().api_id(&api).route_id("nosuchid").send().await.unwrap();
        client.delete_integration().api_id(&api).integration_id("nosuchid").send().await.unwrap();
        client.delete_integration().api_id(&api).integration_id(&integration).send().await.unwrap();
        client.delete_api().api_id("nosuchapi").send().await.unwrap();
        // A route or integration of a missing API is NotFoundException, though.
        let result = client.delete_route().api_id("nosuchapi").route_id(&route).send().await;
        assert!(
            result.is_err_and(|e| e.as_service_error().is_some_and(|e| e.is_not_found_exception()))
        );
        let result =
            client.delete_integration().api_id("nosuchapi").integration_id("nosuchid").send().await;
        assert!(
            result.is_err_and(|e| e.as_service_error().is_some_and(|e| e.is_not_found_exception()))
        );

        // Deleting the API takes its routes with it.
        client.delete_api().api_id(&api).send().await.unwrap();
        let result = client.get_route().api_id(&api).route_id(&route).send().await;
        assert!(
            result.is_err_and(|e| e.as_service_error().is_some_and(|e| e.is_not_found_exception()))
        );
    });
}
