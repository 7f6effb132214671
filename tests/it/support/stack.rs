//! A deployed stack for end-to-end tests: a REST API composed with
//! hashicorp/aws and our endpoints, on a stage, in front of a function that
//! really runs (through the subprocess executor in tests/localstack_executor)
//! and records each event it receives.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::Value as Json;

use super::aws as cloud;
use super::hcl::{self, Endpoint};
use super::localstack::localstack;
use super::terraform::Terraform;
use super::versions;

/// Records each event it receives, after sleeping `SLEEP` seconds.
pub const RECORDING_HANDLER: &str = r#"
import json, os, time, uuid

def handler(event, context):
    started = time.time()
    time.sleep(float(os.environ.get("SLEEP", "0")))
    name = os.path.join(os.environ["EVENT_DIR"], uuid.uuid4().hex)
    with open(name + ".tmp", "w") as out:
        json.dump({"started": started, "finished": time.time(), "event": event}, out)
    os.rename(name + ".tmp", name + ".json")
    return {"ok": True}
"#;

pub const STAGE: &str = "test";

/// A REST API with POST /jobs, POST /hooks/{source} and GET / wired to a
/// recording function, deployed to stage `test` with a stage variable.
pub struct Stack {
    pub tf: Terraform,
    pub name: String,
    pub events: tempfile::TempDir,
}

impl Stack {
    pub fn new(test: &str, handler_sleep_seconds: u32) -> Stack {
        Stack::with_function(test, handler_sleep_seconds, |name, env| {
            cloud::function_with_env(name, RECORDING_HANDLER, env)
        })
    }

    /// The stack in front of `handler_source` bundled with the libraries of
    /// .tools/lambda-libs ([`cloud::function_with_libraries`]); the handler
    /// records to EVENT_DIR as [`RECORDING_HANDLER`] does.
    pub fn with_libraries(test: &str, handler_source: &str) -> Stack {
        Stack::with_function(test, 0, |name, env| {
            cloud::function_with_libraries(name, handler_source, env)
        })
    }

    /// `create(name, env)` makes the function, with EVENT_DIR and SLEEP in `env`.
    fn with_function(
        test: &str,
        handler_sleep_seconds: u32,
        create: impl FnOnce(&str, &[(&str, &str)]) -> String,
    ) -> Stack {
        let events = tempfile::Builder::new().prefix("events-").tempdir().unwrap();
        let name = format!("e2e-{test}");
        create(
            &name,
            &[
                ("EVENT_DIR", &events.path().display().to_string()),
                ("SLEEP", &handler_sleep_seconds.to_string()),
            ],
        );
        let tf = Terraform::with_aws_provider(versions::TERRAFORM_NEWEST);
        Stack { tf, name, events }
    }

    /// Applies the stack with `jobs` (arguments and their HCL expressions)
    /// added to the /jobs endpoint.
    pub fn apply(&self, jobs: &[(&str, &str)]) {
        self.apply_with(jobs, &[]);
    }

    /// Applies the stack with `every` added to every endpoint, and `jobs`
    /// to the /jobs endpoint.
    pub fn apply_with(&self, jobs: &[(&str, &str)], every: &[(&str, &str)]) {
        let api = hcl::rest_api("api", &self.name);
        let jobs_resource = hcl::api_resource("jobs", &api, "jobs");
        let hooks = hcl::api_resource("hooks", &api, "hooks");
        let source_resource =
            hcl::api_resource("source", &api, "{source}").set("parent_id", &hooks.attribute("id"));
        let endpoint = |endpoint: &str, resource: &str, method: &str| {
            Endpoint::named(endpoint)
                .set("rest_api_id", &api.attribute("id"))
                .set("resource_id", resource)
                .string("http_method", method)
                .string("function_name", &self.name)
                .with(every)
        };
        let endpoints = [
            endpoint("jobs", &jobs_resource.attribute("id"), "POST").with(jobs),
            endpoint("source", &source_resource.attribute("id"), "POST"),
            endpoint("root", &api.attribute("root_resource_id"), "GET"),
        ];
        let [jobs, source, root] =
            endpoints.each_ref().map(|e| e.attribute("redeployment_trigger"));
        let deployment =
            hcl::deployment("api", &api, &[("jobs", &jobs), ("source", &source), ("root", &root)]);
        let stage = hcl::stage("api", &api, &deployment, STAGE)
            .set("variables", r#"{ greeting = "hello" }"#);
        let blocks = [api.hcl(), jobs_resource.hcl(), hooks.hcl(), source_resource.hcl()]
            .into_iter()
            .chain(endpoints.iter().map(Endpoint::hcl))
            .chain([deployment.hcl(), stage.hcl(), hcl::output("api_id", &api.attribute("id"))]);
        self.write_and_apply(blocks);
    }

    /// The same REST API defined by an OpenAPI document instead (Terraform
    /// 1.8+): each operation from `provider::async::openapi_operation` with
    /// `options` (an HCL object), redeployed on the document's hash, and the
    /// one Lambda permission the document needs, scoped to the API. The
    /// document declares the request validators and a schema `Job` (an
    /// object with an `id`) that options may name.
    pub fn apply_openapi(&self, options: &str) {
        let function_arn =
            format!("arn:aws:lambda:{}:{}:function:{}", cloud::REGION, cloud::ACCOUNT, self.name);
        let operation = |options: &str| {
            format!("provider::async::openapi_operation({}, {options})", hcl::string(&function_arn))
        };
        let body = format!(
            r#"jsonencode({{
    openapi = "3.0.1"
    info    = {{ title = {title}, version = "1" }}
    "x-amazon-apigateway-request-validators" = {{
      "async-endpoints"            = {{ validateRequestBody = true, validateRequestParameters = true }}
      "async-endpoints-parameters" = {{ validateRequestBody = false, validateRequestParameters = true }}
    }}
    paths = {{
      "/jobs"           = {{ post = {jobs} }}
      "/hooks/{{source}}" = {{ post = {hooks} }}
      "/"               = {{ get = {root} }}
    }}
    components = {{ schemas = {{ Job = {{ type = "object", required = ["id"] }} }} }}
  }})"#,
            title = hcl::string(&self.name),
            jobs = operation(options),
            hooks = operation(options),
            root = operation(options),
        );
        let api = hcl::rest_api("api", &self.name).set("body", &body);
        let deployment =
            hcl::deployment("api", &api, &[("body", &format!("sha1({})", api.attribute("body")))]);
        let stage = hcl::stage("api", &api, &deployment, STAGE)
            .set("variables", r#"{ greeting = "hello" }"#);
        let permission = hcl::Resource::new("aws_lambda_permission", "api")
            .string("statement_id", "openapi-endpoints")
            .string("action", "lambda:InvokeFunction")
            .string("function_name", &function_arn)
            .string("principal", "apigateway.amazonaws.com")
            .set("source_arn", &format!("\"${{{}}}/*\"", api.attribute("execution_arn")));
        let blocks = [api.hcl(), deployment.hcl(), stage.hcl(), permission.hcl()]
            .into_iter()
            .chain([hcl::output("api_id", &api.attribute("id"))]);
        self.write_and_apply(blocks);
    }

    /// Writes the configuration of `blocks` (hashicorp/aws and this
    /// provider configured for LocalStack), then inits and applies it.
    fn write_and_apply(&self, blocks: impl Iterator<Item = String>) {
        let mut config = hcl::required_providers(&["aws"])
            + &cloud::aws_provider_block()
            + &cloud::provider_block();
        for block in blocks {
            config += &format!("\n{block}");
        }
        self.tf.write_config(&config);
        if !self.tf.dir().join(".terraform").exists() {
            self.tf.ok(&["init", "-no-color", "-input=false"]);
        }
        self.tf.apply();
    }

    pub fn url(&self, path: &str) -> String {
        let api = self.tf.ok(&["output", "-raw", "api_id"]);
        format!("{}/_aws/execute-api/{api}/{STAGE}{path}", localstack().endpoint)
    }

    /// The first `count` events the function recorded, oldest first.
    pub fn events(&self, count: usize) -> Vec<Json> {
        wait_for_events(self.events.path(), count)
    }
}

pub fn wait_for_events(dir: &Path, count: usize) -> Vec<Json> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut records: Vec<Json> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .map(|e| serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap())
            .collect();
        if records.len() >= count {
            records.sort_by(|a, b| {
                a["finished"].as_f64().partial_cmp(&b["finished"].as_f64()).unwrap()
            });
            return records;
        }
        assert!(Instant::now() < deadline, "only {} of {count} events arrived", records.len());
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub struct Answer {
    pub status: u16,
    pub body: String,
    /// Seconds since the epoch when the answer had arrived.
    pub at: f64,
}

pub fn post(url: &str, content_type: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    send("POST", url, Some(content_type), headers, body)
}

/// Sends a request; with no `content_type`, no `Content-Type` header.
pub fn send(
    method: &str,
    url: &str,
    content_type: Option<&str>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let agent: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut request = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in content_type.map(|t| ("Content-Type", t)).iter().chain(headers) {
        request = request.header(*name, *value);
    }
    let request = request.body(body.to_vec()).unwrap();
    let mut response =
        if body.is_empty() { agent.run(request.map(|_| ())) } else { agent.run(request) }
            .expect("HTTP request");
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap();
    let at = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64();
    Answer { status, body, at }
}

pub fn decoded_body(event: &Json) -> Vec<u8> {
    assert_eq!(event["isBase64Encoded"], true, "{event}");
    base64::engine::general_purpose::STANDARD.decode(event["body"].as_str().unwrap()).unwrap()
}

/// The value of header `name` in an event's header object, whatever its case.
pub fn header<'a>(headers: &'a Json, name: &str) -> Option<&'a Json> {
    headers.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

/// The index a test sent in its `x-case` header, read back from an event.
pub fn case_index(event: &Json) -> usize {
    header(&event["headers"], "x-case")
        .and_then(Json::as_str)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no x-case header in {event}"))
}
