//! AWS clients pointed at LocalStack, for preparing what an endpoint needs
//! and for checking from outside Terraform what it left in AWS.

use std::future::Future;
use std::io::Write;
use std::sync::OnceLock;

use aws_sdk_apigateway::Client as ApiGateway;
use aws_sdk_lambda::Client as Lambda;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use aws_smithy_types::error::display::DisplayErrorContext;

use super::hcl::Endpoint;
use super::localstack::localstack;

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "000000000000";

/// Runs a future to completion from a synchronous test.
pub fn block_on<F: Future>(future: F) -> F::Output {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap())
        .block_on(future)
}

fn sdk_config() -> aws_types::SdkConfig {
    aws_types::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_types::region::Region::new(REGION))
        .endpoint_url(&localstack().endpoint)
        .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
            aws_credential_types::Credentials::new("test", "test", None, None, "tests"),
        ))
        .build()
}

pub fn apigateway() -> ApiGateway {
    ApiGateway::new(&sdk_config())
}

pub fn lambda() -> Lambda {
    Lambda::new(&sdk_config())
}

pub fn iam() -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&sdk_config())
}

/// A fresh REST API with one resource under the root; `(api_id, resource_id)`.
pub fn rest_api_with_resource(name: &str, path_part: &str) -> (String, String) {
    block_on(async {
        let client = apigateway();
        let api = client.create_rest_api().name(name).send().await.unwrap();
        let api_id = api.id().unwrap().to_owned();
        let root = root_resource(&api_id).await;
        let resource = client
            .create_resource()
            .rest_api_id(&api_id)
            .parent_id(root)
            .path_part(path_part)
            .send()
            .await
            .unwrap();
        (api_id, resource.id().unwrap().to_owned())
    })
}

pub async fn root_resource(api_id: &str) -> String {
    let resources = all_resources(api_id).await;
    let root = resources.iter().find(|r| r.path() == Some("/"));
    root.and_then(|r| r.id())
        .unwrap_or_else(|| panic!("{api_id} has no root: {resources:?}"))
        .to_owned()
}

/// More resources under the root of `api_id`, one per path part.
pub fn resources(api_id: &str, path_parts: &[String]) -> Vec<String> {
    block_on(async {
        let root = root_resource(api_id).await;
        let mut ids = Vec::new();
        for part in path_parts {
            let r = apigateway()
                .create_resource()
                .rest_api_id(api_id)
                .parent_id(&root)
                .path_part(part)
                .send()
                .await
                .unwrap();
            ids.push(r.id().unwrap().to_owned());
        }
        ids
    })
}

/// A Python function with `handler_source` as `handler.py`; returns its ARN.
pub fn function(name: &str, handler_source: &str) -> String {
    function_with_env(name, handler_source, &[])
}

/// A deployment package holding one file.
fn zipped(file_name: &str, source: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(file_name, zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(source.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

/// The same, with environment variables for the handler.
pub fn function_with_env(name: &str, handler_source: &str, env: &[(&str, &str)]) -> String {
    python_function(name, zipped("handler.py", handler_source), env)
}

/// A function whose deployment package holds `handler.py` and, beside it, the
/// libraries of scripts/lib/lambda-libs-requirements.txt, as a user bundles
/// dependencies (`pip install --target package/`): Lambda puts the package's
/// root first on `sys.path`, and so does the test executor. Byte code is left
/// out, dist-info folders are kept, as pip installs them.
pub fn function_with_libraries(name: &str, handler_source: &str, env: &[(&str, &str)]) -> String {
    super::terraform::ensure_installed("lambda-libs");
    let libraries = super::terraform::repo_root().join(".tools/lambda-libs/python");
    let mut files = Vec::new();
    library_files(&libraries, &mut files);
    assert!(!files.is_empty(), "no libraries in {}", libraries.display());
    files.sort();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("handler.py", options).unwrap();
    zip.write_all(handler_source.as_bytes()).unwrap();
    for path in files {
        let relative = path.strip_prefix(&libraries).unwrap();
        let entry: Vec<_> =
            relative.components().map(|c| c.as_os_str().to_str().unwrap()).collect();
        zip.start_file(entry.join("/"), options).unwrap();
        zip.write_all(&std::fs::read(&path).unwrap()).unwrap();
    }
    python_function(name, zip.finish().unwrap().into_inner(), env)
}

/// The files under `dir`, byte code left out.
fn library_files(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "__pycache__" {
                library_files(&path, files);
            }
        } else if !path.extension().is_some_and(|x| x == "pyc" || x == "pyo") {
            files.push(path);
        }
    }
}

/// A python3.11 function from a deployment package; returns its ARN.
fn python_function(name: &str, bytes: Vec<u8>, env: &[(&str, &str)]) -> String {
    let variables = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    block_on(async {
        let created = lambda()
            .create_function()
            .function_name(name)
            .runtime(Runtime::Python311)
            .handler("handler.handler")
            .timeout(30)
            .role(format!("arn:aws:iam::{ACCOUNT}:role/lambda-role"))
            .code(FunctionCode::builder().zip_file(Blob::new(bytes)).build())
            .environment(
                aws_sdk_lambda::types::Environment::builder()
                    .set_variables(Some(variables))
                    .build(),
            )
            .send()
            .await
            .unwrap();
        created.function_arn().unwrap().to_owned()
    })
}

/// A function Lambda keeps in State=Failed, so it refuses every invocation:
/// the test executor (tests/localstack_executor) runs only Python.
pub fn failed_function(name: &str) {
    block_on(async {
        lambda()
            .create_function()
            .function_name(name)
            .runtime(Runtime::Nodejs20x)
            .handler("index.handler")
            .role(format!("arn:aws:iam::{ACCOUNT}:role/lambda-role"))
            .code(
                FunctionCode::builder()
                    .zip_file(Blob::new(zipped("index.js", "exports.handler = async () => {};")))
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let config =
                lambda().get_function_configuration().function_name(name).send().await.unwrap();
            if config.state() == Some(&aws_sdk_lambda::types::State::Failed) {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "{name} never failed: {config:?}");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    })
}

/// Deletes a function, as someone outside Terraform would.
pub fn delete_function(name: &str) {
    block_on(async { lambda().delete_function().function_name(name).send().await.unwrap() });
}

/// The size in bytes of the function's policy as GetPolicy gives it, which is
/// what Lambda holds to its 20,480-byte limit.
pub fn policy_size(function: &str) -> usize {
    block_on(async {
        let policy = lambda().get_policy().function_name(function).send().await;
        let policy =
            policy.unwrap_or_else(|e| panic!("GetPolicy {function}: {}", DisplayErrorContext(e)));
        policy.policy().unwrap_or_else(|| panic!("GetPolicy {function}: no policy")).len()
    })
}

/// The `Sid -> source ARN` of every statement in the function's policy;
/// none when the function has no policy. Any other answer (LocalStack down, a
/// function that does not exist, which would make "no statement left"
/// vacuous) fails the test.
pub fn permission_statements(function: &str) -> Vec<(String, String)> {
    block_on(async {
        let policy = match lambda().get_policy().function_name(function).send().await {
            Ok(policy) => policy,
            Err(e) if e.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => {
                // Lambda says the same for a missing function: make sure it is there.
                function_exists(function).await;
                return Vec::new();
            }
            Err(e) => panic!("GetPolicy {function}: {}", DisplayErrorContext(e)),
        };
        let text = policy.policy().unwrap_or_else(|| panic!("GetPolicy {function}: no policy"));
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        json["Statement"]
            .as_array()
            .unwrap_or_else(|| panic!("{function}'s policy has no statements: {json}"))
            .iter()
            .map(|s| {
                let source = s["Condition"]["ArnLike"]["AWS:SourceArn"].as_str().unwrap_or("");
                (s["Sid"].as_str().unwrap().to_owned(), source.to_owned())
            })
            .collect()
    })
}

/// Fails the test unless `function` exists.
async fn function_exists(function: &str) {
    if let Err(e) = lambda().get_function_configuration().function_name(function).send().await {
        panic!("GetFunctionConfiguration {function}: {}", DisplayErrorContext(e));
    }
}

/// The method, or `None` when API Gateway says it does not exist on a
/// resource that does. Any other answer (LocalStack down, a missing REST API
/// or resource) fails the test.
pub fn get_method(
    api_id: &str,
    resource_id: &str,
    method: &str,
) -> Option<aws_sdk_apigateway::operation::get_method::GetMethodOutput> {
    block_on(async {
        let client = apigateway();
        let result = client
            .get_method()
            .rest_api_id(api_id)
            .resource_id(resource_id)
            .http_method(method)
            .send()
            .await;
        match result {
            Ok(found) => Some(found),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_not_found_exception()) => {
                // API Gateway says the same for a missing API or resource.
                let resource =
                    client.get_resource().rest_api_id(api_id).resource_id(resource_id).send().await;
                if let Err(e) = resource {
                    panic!("GetResource {api_id}/{resource_id}: {}", DisplayErrorContext(e));
                }
                None
            }
            Err(e) => {
                panic!("GetMethod {api_id}/{resource_id}/{method}: {}", DisplayErrorContext(e))
            }
        }
    })
}

/// A method someone else made: `http_method` on the resource with a MOCK
/// integration, which is no async endpoint.
pub fn mock_method(api_id: &str, resource_id: &str, http_method: &str) {
    block_on(async {
        let client = apigateway();
        client
            .put_method()
            .rest_api_id(api_id)
            .resource_id(resource_id)
            .http_method(http_method)
            .authorization_type("NONE")
            .send()
            .await
            .unwrap();
        client
            .put_integration()
            .rest_api_id(api_id)
            .resource_id(resource_id)
            .http_method(http_method)
            .r#type(aws_sdk_apigateway::types::IntegrationType::Mock)
            .send()
            .await
            .unwrap();
    });
}

/// The hashicorp/aws provider block for LocalStack.
pub fn aws_provider_block() -> String {
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/lib/localstack-aws-provider.tf.in"))
        .replace("@REGION@", &format!("\"{REGION}\""))
        .replace("@ENDPOINT@", &localstack().endpoint)
}

/// The provider block for LocalStack, as examples and tests write it.
pub fn provider_block() -> String {
    let endpoint = &localstack().endpoint;
    provider_block_via(endpoint, endpoint, None)
}

/// The provider block with API Gateway (v1 and v2), IAM and Lambda calls
/// sent to `via` and STS calls to `sts`, and `max_retries` when given.
pub fn provider_block_via(via: &str, sts: &str, max_retries: Option<u32>) -> String {
    let retries = max_retries.map(|n| format!("  max_retries = {n}\n")).unwrap_or_default();
    format!(
        r#"provider "async" {{
  region     = "{REGION}"
  access_key = "test"
  secret_key = "test"
{retries}  endpoints {{
    apigateway   = "{via}"
    apigatewayv2 = "{via}"
    iam          = "{via}"
    lambda       = "{via}"
    sts          = "{sts}"
  }}
}}
"#
    )
}

/// `provider_block` with `rate_limits` at AWS's documented quotas: the
/// provider paces only calls to AWS by default, and a quota-enforcing proxy
/// in front of LocalStack is not AWS.
pub fn paced_to_aws_quotas(provider_block: &str) -> String {
    let body = provider_block.trim_end().strip_suffix('}').expect("a provider block");
    format!("{body}  rate_limits {{\n    apigateway = 10\n    lambda     = 15\n  }}\n}}\n")
}

/// `count` endpoints, `e0`, `e1`, ... (POST on fresh resources of a fresh
/// REST API, all wired to a fresh function named `test`); with the API's id.
pub fn endpoints_on_fresh_api(test: &str, count: usize) -> (Vec<Endpoint>, String) {
    let (api, _) = rest_api_with_resource(test, "base");
    let parts: Vec<String> = (0..count).map(|i| format!("r{i}")).collect();
    let resources = resources(&api, &parts);
    function(test, "def handler(event, context):\n    return event\n");
    let endpoints = resources
        .iter()
        .enumerate()
        .map(|(i, r)| Endpoint::new(&format!("e{i}"), &api, r, "POST", test))
        .collect();
    (endpoints, api)
}

/// How many methods exist on the API's resources (all of them, page by page).
pub fn methods_on(api: &str) -> usize {
    block_on(async {
        all_resources(api).await.iter().map(|r| r.resource_methods().map_or(0, |m| m.len())).sum()
    })
}

/// Every resource of the API, page by page; failing the test on any error.
async fn all_resources(api: &str) -> Vec<aws_sdk_apigateway::types::Resource> {
    let mut pages = apigateway().get_resources().rest_api_id(api).into_paginator().send();
    let mut resources = Vec::new();
    while let Some(page) = pages.next().await {
        let page =
            page.unwrap_or_else(|e| panic!("GetResources {api}: {}", DisplayErrorContext(e)));
        resources.extend(page.items().iter().cloned());
    }
    resources
}
