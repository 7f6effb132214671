//! The hashicorp/aws recipe the tests adopt from: what its five resources
//! make, by SDK calls and as HCL, and a client watching a migration from it.

use aws_sdk_apigateway::types::IntegrationType;

use super::{Fixture, HAND_WRITTEN};
use crate::support::aws::{self as cloud, ACCOUNT, REGION, block_on};
use crate::support::hcl;
use crate::support::stack::{STAGE, post};

impl Fixture {
    /// What the recipe's five resources make, by SDK calls: POST on
    /// `/hooks/{source}` invoking the function asynchronously with a
    /// hand-written template, 202, and a statement of its own for the method.
    pub(super) fn recipe_method(&self) {
        let uri = format!(
            "arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{}/invocations",
            self.function_arn
        );
        block_on(async {
            let client = cloud::apigateway();
            let (api, resource) = (&self.api, &self.source);
            client
                .put_method()
                .rest_api_id(api)
                .resource_id(resource)
                .http_method("POST")
                .authorization_type("NONE")
                .send()
                .await
                .unwrap();
            client
                .put_integration()
                .rest_api_id(api)
                .resource_id(resource)
                .http_method("POST")
                .r#type(IntegrationType::Aws)
                .integration_http_method("POST")
                .uri(uri)
                .request_parameters("integration.request.header.X-Amz-Invocation-Type", "'Event'")
                .request_templates("application/json", HAND_WRITTEN)
                .passthrough_behavior("NEVER")
                .send()
                .await
                .unwrap();
            client
                .put_method_response()
                .rest_api_id(api)
                .resource_id(resource)
                .http_method("POST")
                .status_code("202")
                .send()
                .await
                .unwrap();
            client
                .put_integration_response()
                .rest_api_id(api)
                .resource_id(resource)
                .http_method("POST")
                .status_code("202")
                .send()
                .await
                .unwrap();
            cloud::lambda()
                .add_permission()
                .function_name(&self.function)
                .statement_id("recipe-hook")
                .action("lambda:InvokeFunction")
                .principal("apigateway.amazonaws.com")
                .source_arn(self.recipe_source_arn())
                .send()
                .await
                .unwrap();
        });
    }

    pub(super) fn recipe_source_arn(&self) -> String {
        format!("arn:aws:execute-api:{REGION}:{ACCOUNT}:{}/*/POST/hooks/{{source}}", self.api)
    }
}

/// The recipe's five resources for POST /jobs, with a hand-written template.
pub(super) fn recipe(function: &str) -> String {
    format!(
        r#"
resource "aws_api_gateway_method" "hook" {{
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.jobs.id
  http_method   = "POST"
  authorization = "NONE"
}}

resource "aws_api_gateway_integration" "hook" {{
  rest_api_id             = aws_api_gateway_method.hook.rest_api_id
  resource_id             = aws_api_gateway_method.hook.resource_id
  http_method             = aws_api_gateway_method.hook.http_method
  type                    = "AWS"
  integration_http_method = "POST"
  uri                     = "arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}/invocations"
  request_parameters = {{
    "integration.request.header.X-Amz-Invocation-Type" = "'Event'"
  }}
  request_templates    = {{ "application/json" = {template} }}
  passthrough_behavior = "NEVER"
}}

resource "aws_api_gateway_method_response" "hook" {{
  rest_api_id = aws_api_gateway_method.hook.rest_api_id
  resource_id = aws_api_gateway_method.hook.resource_id
  http_method = aws_api_gateway_method.hook.http_method
  status_code = "202"
}}

resource "aws_api_gateway_integration_response" "hook" {{
  rest_api_id = aws_api_gateway_method.hook.rest_api_id
  resource_id = aws_api_gateway_method.hook.resource_id
  http_method = aws_api_gateway_method.hook.http_method
  status_code = aws_api_gateway_method_response.hook.status_code
  depends_on  = [aws_api_gateway_integration.hook]
}}

resource "aws_lambda_permission" "hook" {{
  statement_id  = "recipe-hook"
  action        = "lambda:InvokeFunction"
  function_name = "{function}"
  principal     = "apigateway.amazonaws.com"
  # execution_arn has no account with skip_requesting_account_id (LocalStack).
  source_arn    = "arn:aws:execute-api:{REGION}:{ACCOUNT}:${{aws_api_gateway_rest_api.api.id}}/*/POST/jobs"
}}
"#,
        template = hcl::string(HAND_WRITTEN),
    )
}

/// The REST API, its `/jobs` resource and a stage deployed whenever
/// `trigger` changes, unless `hold` keeps the deployment as it is.
pub(super) fn api_and_stage(name: &str, trigger: &str, hold: bool) -> String {
    let api = hcl::rest_api("api", name);
    let jobs = hcl::api_resource("jobs", &api, "jobs");
    let mut deployment = hcl::deployment("api", &api, &[("hook", trigger)]);
    if hold {
        let lifecycle = [("create_before_destroy", "true"), ("ignore_changes", "[triggers]")];
        deployment = deployment.block("lifecycle", &lifecycle);
    }
    let stage = hcl::stage("api", &api, &deployment, STAGE);
    let output = hcl::output("api_id", &api.attribute("id"));
    format!("\n{api}\n{jobs}\n{deployment}\n{stage}\n{output}")
}

/// What a client posting all along saw, and what the function's policy held.
#[derive(Default)]
pub(super) struct Watched {
    pub(super) answers: Vec<u16>,
    /// Samples of the policy's statement ids.
    pub(super) policies: Vec<Vec<String>>,
}

/// Runs `during` while one thread posts to `url` and another samples the
/// function's policy, without pause, until `during` returns.
pub(super) fn watched(url: &str, function: &str, during: impl FnOnce()) -> Watched {
    use std::sync::atomic::{AtomicBool, Ordering};
    let done = AtomicBool::new(false);
    let mut watched = Watched::default();
    std::thread::scope(|scope| {
        let client = scope.spawn(|| {
            let mut answers = Vec::new();
            while !done.load(Ordering::SeqCst) {
                let body = format!("{{\"n\": {}}}", answers.len());
                answers.push(post(url, "application/json", &[], body.as_bytes()).status);
            }
            answers
        });
        let sampler = scope.spawn(|| {
            let mut samples = Vec::new();
            while !done.load(Ordering::SeqCst) {
                let ids = cloud::permission_statements(function).into_iter().map(|(id, _)| id);
                samples.push(ids.collect());
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            samples
        });
        during();
        done.store(true, Ordering::SeqCst);
        watched.answers = client.join().unwrap();
        watched.policies = sampler.join().unwrap();
    });
    watched
}
