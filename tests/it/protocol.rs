//! The provider binary speaks go-plugin's handshake and mutual TLS exactly as
//! Terraform expects, and refuses anyone else.

use std::time::Duration;

use terraform_provider_async::plugin::proto::go_plugin::{
    Empty, grpc_controller_client::GrpcControllerClient,
};
use terraform_provider_async::plugin::proto::tfplugin5::get_provider_schema;
use terraform_provider_async::plugin::proto::tfplugin5::provider_client::ProviderClient;

use crate::support::binaries;
use crate::support::plugin::{ClientIdentity, Launched, tls_channel};

#[tokio::test]
async fn terraform_style_launch_serves_schema_and_shuts_down() {
    let client = ClientIdentity::generate();
    let mut launched = Launched::start(&client);
    let channel = tls_channel(&launched, Some(&client)).await;

    let schema = ProviderClient::new(channel.clone())
        .get_schema(get_provider_schema::Request {})
        .await
        .expect("GetSchema over mutual TLS")
        .into_inner();
    assert!(schema.provider.is_some(), "provider schema is never nil");
    let endpoint = &schema.resource_schemas["async_lambda_endpoint"];
    let attributes = &endpoint.block.as_ref().unwrap().attributes;
    assert!(attributes.iter().any(|a| a.name == "function_name" && a.required));
    assert!(attributes.iter().all(|a| !a.description.is_empty()), "every attribute is described");
    let caps = schema.server_capabilities.unwrap();
    assert!(caps.plan_destroy && caps.get_provider_schema_optional);

    let health = tonic_health::pb::health_client::HealthClient::new(channel.clone())
        .check(tonic_health::pb::HealthCheckRequest { service: "plugin".into() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        health.status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    GrpcControllerClient::new(channel).shutdown(Empty {}).await.expect("Shutdown");
    drop(launched.child.stdout.take());
    let status = launched.wait_exit(Duration::from_secs(2)).expect("exits within Terraform's 2 s");
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn socket_is_private_to_the_user() {
    use std::os::unix::fs::PermissionsExt;
    let client = ClientIdentity::generate();
    let launched = Launched::start(&client);
    let socket_mode = std::fs::metadata(&launched.socket).unwrap().permissions().mode();
    assert_eq!(socket_mode & 0o077, 0, "socket mode {socket_mode:o}");
    let dir_mode =
        std::fs::metadata(launched.socket.parent().unwrap()).unwrap().permissions().mode();
    assert_eq!(dir_mode & 0o077, 0, "socket dir mode {dir_mode:o}");
}

async fn schema_call_fails_with(identity: Option<&ClientIdentity>) {
    let client = ClientIdentity::generate();
    let launched = Launched::start(&client);
    let channel = tls_channel(&launched, identity).await;
    let result = ProviderClient::new(channel).get_schema(get_provider_schema::Request {}).await;
    assert!(result.is_err(), "the server answered a client it must refuse");
}

#[tokio::test]
async fn a_client_without_a_certificate_is_refused() {
    schema_call_fails_with(None).await;
}

#[tokio::test]
async fn a_client_with_another_certificate_is_refused() {
    let stranger = ClientIdentity::generate();
    schema_call_fails_with(Some(&stranger)).await;
}

#[test]
fn run_by_hand_it_explains_itself_and_exits_1() {
    let output = std::process::Command::new(binaries::provider())
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("This binary is a plugin"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn launched_with_only_protocol_6_it_says_which_version_it_speaks() {
    let output = std::process::Command::new(binaries::provider())
        .env(
            "TF_PLUGIN_MAGIC_COOKIE",
            terraform_provider_async::plugin::handshake::MAGIC_COOKIE_VALUE,
        )
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("speaks version 5"));
}

#[tokio::test]
async fn sigint_is_ignored_and_unknown_rpcs_are_unimplemented() {
    let client = ClientIdentity::generate();
    let launched = Launched::start(&client);
    // Ctrl-C reaches the whole process group; Terraform stops providers itself.
    std::process::Command::new("kill")
        .args(["-INT", &launched.child.id().to_string()])
        .status()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut provider = ProviderClient::new(tls_channel(&launched, Some(&client)).await);
    provider.get_schema(get_provider_schema::Request {}).await.expect("still serving after SIGINT");

    use terraform_provider_async::plugin::proto::tfplugin5::read_data_source;
    let status = provider
        .read_data_source(read_data_source::Request::default())
        .await
        .expect_err("no data sources");
    assert_eq!(status.code(), tonic::Code::Unimplemented);
}
