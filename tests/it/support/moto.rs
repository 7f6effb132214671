//! One real moto server per test process, the emulator of API Gateway v2
//! (HTTP APIs), which LocalStack's free edition lacks: started on first use
//! on a free loopback port by the project's own script (scripts/moto.sh), and
//! stopped when the process exits. Only `apigatewayv2` goes to it; Lambda, IAM
//! and STS stay on LocalStack ([`super::localstack`]).
//!
//! moto keeps everything in memory and is laxer than AWS (tests/it/moto.rs
//! records how): tests share it, each on HTTP APIs of its own.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use aws_sdk_apigatewayv2::Client as ApiGatewayV2;

use super::aws::REGION;
use super::localstack::localstack;
use super::terraform::repo_root;

pub struct Moto {
    /// `http://127.0.0.1:PORT`, for SDK clients and provider blocks.
    pub endpoint: String,
    dir: PathBuf,
}

static INSTANCE: OnceLock<Moto> = OnceLock::new();

/// The running moto, started if need be. Like LocalStack, only acceptance
/// tests use it (`#[ignore]`d, run with TF_ACC=1); a test that reaches here
/// without TF_ACC fails, so an acceptance test nobody marked is noticed.
pub fn moto() -> &'static Moto {
    assert!(
        std::env::var_os("TF_ACC").is_some_and(|v| !v.is_empty()),
        "TF_ACC is not set, and this test needs moto: acceptance tests are marked \
         #[ignore = \"acceptance test: ...\"] and run with \
         `TF_ACC=1 cargo test -- --include-ignored`, as `make test` does"
    );
    INSTANCE.get_or_init(|| {
        ensure_installed();
        let dir = repo_root().join(".work").join(format!("moto-{}", std::process::id()));
        let output = Command::new("bash")
            .arg(repo_root().join("scripts/moto.sh"))
            .arg("start")
            .arg(&dir)
            .output()
            .expect("run scripts/moto.sh");
        assert!(
            output.status.success(),
            "moto did not start (scripts/moto.sh start {}):\n{}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        // The test harness has no teardown hook; exit handlers run when it returns.
        unsafe { libc::atexit(stop_at_exit) };
        Moto { endpoint: String::from_utf8(output.stdout).unwrap().trim().to_owned(), dir }
    })
}

/// The shared moto's endpoint, `http://127.0.0.1:PORT`, started if need be.
pub fn endpoint() -> &'static str {
    &moto().endpoint
}

/// An API Gateway v2 client against the shared moto (region us-east-1, the
/// static test credentials; moto accepts any).
pub fn apigatewayv2() -> ApiGatewayV2 {
    let config = aws_types::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_types::region::Region::new(REGION))
        .endpoint_url(endpoint())
        .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
            aws_credential_types::Credentials::new("test", "test", None, None, "tests"),
        ))
        .build();
    ApiGatewayV2::new(&config)
}

/// The integration a route's target (`integrations/ID`) names, as moto holds it.
pub async fn route_integration(
    client: &ApiGatewayV2,
    api_id: &str,
    target: &str,
) -> aws_sdk_apigatewayv2::operation::get_integration::GetIntegrationOutput {
    let integration_id = target
        .strip_prefix("integrations/")
        .unwrap_or_else(|| panic!("the route's target {target:?} is no integration"));
    let read = client.get_integration().api_id(api_id).integration_id(integration_id).send();
    read.await.unwrap_or_else(|e| panic!("GetIntegration {integration_id}: {e:?}"))
}

/// The provider block for routes: API Gateway v2 on moto, everything else
/// (REST APIs, Lambda, IAM, STS) on LocalStack.
pub fn provider_block() -> String {
    let ls = &localstack().endpoint;
    let moto = endpoint();
    format!(
        r#"provider "async" {{
  region     = "{REGION}"
  access_key = "test"
  secret_key = "test"
  endpoints {{
    apigateway   = "{ls}"
    apigatewayv2 = "{moto}"
    iam          = "{ls}"
    lambda       = "{ls}"
    sts          = "{ls}"
  }}
}}
"#
    )
}

/// The hashicorp/aws provider block for HTTP APIs: LocalStack's block
/// (scripts/lib/localstack-aws-provider.tf.in) with API Gateway on moto.
/// hashicorp/aws 3.x has no `apigatewayv2` endpoint setting: its API
/// Gateway v2 client takes the `apigateway` one, so REST APIs go to moto
/// too and a configuration using this block cannot have both on their
/// emulators.
pub fn aws_provider_block() -> String {
    let template = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/lib/localstack-aws-provider.tf.in"
    ));
    let line = "apigateway = \"@ENDPOINT@\"";
    assert!(template.contains(line), "the template sets no API Gateway endpoint:\n{template}");
    template
        .replace(line, &format!("apigateway = \"{}\"", endpoint()))
        .replace("@REGION@", &format!("\"{REGION}\""))
        .replace("@ENDPOINT@", &localstack().endpoint)
}

/// Installs moto into .tools/moto (a quiet no-op when it is there), or fails
/// the test saying how to.
fn ensure_installed() {
    let venv = repo_root().join(".tools/moto/venv");
    let status =
        Command::new("bash").arg(repo_root().join("scripts/install-tools.sh")).arg("moto").status();
    assert!(
        status.is_ok_and(|s| s.success()) && venv.join("bin/moto_server").is_file(),
        "moto is not installed in {} and scripts/install-tools.sh moto could not install it \
         (see above): run `make tools`",
        venv.display()
    );
}

extern "C" fn stop_at_exit() {
    static STOPPED: std::sync::Once = std::sync::Once::new();
    if let Some(instance) = INSTANCE.get() {
        STOPPED.call_once(|| instance.stop());
    }
}

impl Moto {
    fn stop(&self) {
        let _ = Command::new("bash")
            .arg(repo_root().join("scripts/moto.sh"))
            .arg("stop")
            .arg(&self.dir)
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
