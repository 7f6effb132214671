//! `async_lambda_endpoint_test`: sends a test request through an endpoint's
//! method in API Gateway (TestInvokeMethod, no deployment or client
//! needed) and says whether the function got the event: what
//! hashicorp/aws's `aws_lambda_invoke` cannot, since it calls Lambda past
//! API Gateway, its permission, templates and responses.

mod verdict;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use async_trait::async_trait;
use tokio::sync::mpsc;

use crate::aws::apigateway::lambda_integration::{
    async_invocation_uri, default_response, function_arn_from_uri,
};
use crate::aws::apigateway::{self, MethodId};
use crate::aws::dispatcher::endpoint_alias;
use crate::aws::error::AwsError;
use crate::aws::run::{Run, Session};
use crate::aws::validate::Checker;
use crate::plugin::{
    Action, Attribute, AttributePath, Block, Context, Diagnostic, Diagnostics, Schema, Type, Value,
};
use verdict::{Failure, Queued};

const ENDPOINT_ID: &str = "endpoint_id";
const BODY: &str = "body";
const HEADERS: &str = "headers";
const CONTENT_TYPE: &str = "content_type";
const PATH: &str = "path";

const DEFAULT_BODY: &str = "{}";
const DEFAULT_CONTENT_TYPE: &str = "application/json";

pub struct EndpointTest {
    schema: Schema,
    /// Set when the provider is configured.
    session: Arc<OnceLock<Session>>,
}

impl EndpointTest {
    pub fn new(session: Arc<OnceLock<Session>>) -> Self {
        EndpointTest { schema: schema(), session }
    }
}

/// Why the test could not be made or did not pass.
#[derive(Debug, thiserror::Error)]
enum TestError {
    #[error("The provider is not configured; Terraform configures it before invoking an action.")]
    NotConfigured,
    #[error(
        "API Gateway has no method {0}: the REST API, the resource or the method is gone. \
         Apply the endpoint again, or check endpoint_id."
    )]
    NoMethod(MethodId),
    #[error(
        "Method {0} does not invoke a Lambda function asynchronously (no AWS integration with \
         X-Amz-Invocation-Type 'Event', nor the dispatcher's). Apply the async_lambda_endpoint \
         again to repair its integration."
    )]
    NotAsynchronous(MethodId),
    #[error("{0}")]
    Aws(#[from] AwsError),
    #[error("{0}")]
    Failed(#[from] Failure),
}

impl TestError {
    fn diagnostic(&self) -> Diagnostic {
        let summary = match self {
            TestError::NotConfigured => "Provider not configured",
            TestError::NoMethod(_) => "Endpoint not found",
            TestError::NotAsynchronous(_) => "Endpoint does not invoke Lambda asynchronously",
            TestError::Aws(AwsError::Stopped { .. }) => "Stopped by Terraform",
            TestError::Aws(_) => "Test request not sent",
            TestError::Failed(Failure::NoPermission { .. }) => {
                "No permission to invoke the function"
            }
            TestError::Failed(Failure::FunctionMissing { .. }) => "Function not found",
            TestError::Failed(Failure::LambdaRefused { .. }) => "Lambda refused the event",
            TestError::Failed(Failure::TemplateFailed { .. }) => "Request template failed",
            TestError::Failed(Failure::NoIntegrationResponse { .. }) => {
                "Integration response missing"
            }
            TestError::Failed(Failure::RequestRefused { .. }) => "Test request refused",
            TestError::Failed(Failure::GatewayFailed { .. }) => "API Gateway failed",
            TestError::Failed(Failure::UnexpectedStatus { .. }) => "Unexpected status",
        };
        Diagnostic::error(summary, self.to_string()).at(AttributePath::root(ENDPOINT_ID))
    }
}

/// What the action's configuration asks for.
struct Request {
    id: MethodId,
    body: String,
    headers: BTreeMap<String, String>,
    path: Option<String>,
}

impl Request {
    fn from_config(config: &Value) -> Result<Request, Diagnostics> {
        let id_text = config.get(ENDPOINT_ID).as_str().unwrap_or_default();
        let id = MethodId::parse(id_text).map_err(|detail| vec![invalid(ENDPOINT_ID, detail)])?;
        let mut headers: BTreeMap<String, String> = config
            .get(HEADERS)
            .as_map()
            .into_iter()
            .flatten()
            .filter_map(|(name, value)| Some((name.clone(), value.as_str()?.to_owned())))
            .collect();
        let content_type = config.get(CONTENT_TYPE).as_str().unwrap_or(DEFAULT_CONTENT_TYPE);
        if !headers.keys().any(|name| name.eq_ignore_ascii_case("content-type")) {
            headers.insert("Content-Type".into(), content_type.to_owned());
        }
        Ok(Request {
            id,
            body: config.get(BODY).as_str().unwrap_or(DEFAULT_BODY).to_owned(),
            headers,
            path: config.get(PATH).as_str().map(str::to_owned),
        })
    }
}

fn invalid(attribute: &str, detail: String) -> Diagnostic {
    Diagnostic::error(format!("Invalid {attribute}"), detail).at(AttributePath::root(attribute))
}

#[async_trait]
impl Action for EndpointTest {
    fn type_name(&self) -> &'static str {
        "async_lambda_endpoint_test"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut check = Checker::new(config);
        check.check_string(ENDPOINT_ID, |id| MethodId::parse(id).map(drop));
        check.check_string(PATH, |path| {
            if path.starts_with('/') {
                Ok(())
            } else {
                Err(format!("{path:?} is not a path: it starts with /, e.g. /hooks/github?x=1."))
            }
        });
        check.diagnostics
    }

    async fn invoke(
        &self,
        config: Value,
        ctx: &Context,
        progress: mpsc::Sender<String>,
    ) -> Diagnostics {
        let request = match Request::from_config(&config) {
            Ok(request) => request,
            Err(diagnostics) => return diagnostics,
        };
        let Some(session) = self.session.get() else {
            return vec![TestError::NotConfigured.diagnostic()];
        };
        match test(session.run(ctx), &request, &progress).await {
            Ok(()) => Vec::new(),
            Err(e) => {
                tracing::warn!(endpoint = %request.id, error = %e, "endpoint test failed");
                vec![e.diagnostic()]
            }
        }
    }
}

/// Reads the method, sends the test request, judges the answer; says
/// each step on `progress`.
async fn test(
    run: Run<'_>,
    request: &Request,
    progress: &mpsc::Sender<String>,
) -> Result<(), TestError> {
    let say = |message: String| async move {
        // Terraform no longer listening is no reason to stop the test.
        let _ = progress.send(message).await;
    };
    let id = &request.id;
    let method =
        apigateway::get_method(run, id).await?.ok_or_else(|| TestError::NoMethod(id.clone()))?;
    let integration =
        method.method_integration().ok_or_else(|| TestError::NotAsynchronous(id.clone()))?;
    let uri =
        async_invocation_uri(integration).ok_or_else(|| TestError::NotAsynchronous(id.clone()))?;
    let invoked = function_arn_from_uri(uri).unwrap_or(uri);
    let dispatched =
        integration.r#type() == Some(&aws_sdk_apigateway::types::IntegrationType::AwsProxy);
    let (function, expected) = if dispatched {
        // API Gateway invokes the dispatcher's alias: name the target, and
        // the alias, whose permission and existence count too. A proxy
        // integration has no integration response: the dispatcher answers
        // the status its alias names.
        let (alias, account) = endpoint_alias::of_arn(invoked)
            .ok_or_else(|| TestError::NotAsynchronous(id.clone()))?;
        let target = alias.target_arn(&account);
        (format!("{target} (through the dispatcher's alias {invoked})"), alias.status)
    } else {
        let function = invoked.to_owned();
        // Without one, clients get 500 whatever Lambda says: no need to send.
        let expected = default_response(integration)
            .and_then(|response| response.status_code()?.parse().ok())
            .ok_or_else(|| Failure::NoIntegrationResponse { function: function.clone() })?;
        (function, expected)
    };
    let path = match &request.path {
        Some(path) => path.clone(),
        None => {
            let resource = apigateway::resource_path(run, &id.rest_api_id, &id.resource_id).await?;
            filled(&resource.ok_or_else(|| TestError::NoMethod(id.clone()))?)
        }
    };
    say(format!(
        "{} {path}: sending a test request through API Gateway to {function}",
        id.http_method
    ))
    .await;
    let started = Instant::now();
    let answer =
        apigateway::test_invoke_method(run, id, &path, &request.headers, &request.body).await?;
    let round_trip = started.elapsed().as_millis();
    say(format!(
        "API Gateway answered {} in {} ms (its own figure; {round_trip} ms with the test call)",
        answer.status, answer.latency_ms
    ))
    .await;
    // The dispatcher is invoked synchronously and queues the event itself:
    // AWS's log gives its Invoke's 200; LocalStack 4.13.1's gives the status
    // of the proxy response it returned, the endpoint's.
    let dispatcher_accepts = [200, expected];
    let lambda_accepts: &[u16] = if dispatched { &dispatcher_accepts } else { &[202] };
    let Queued { integration_latency_ms, .. } = verdict::judge(
        &function,
        expected,
        lambda_accepts,
        answer.status,
        &answer.body,
        &answer.log,
    )?;
    let latency = integration_latency_ms.map(|ms| format!(" in {ms} ms")).unwrap_or_default();
    say(if dispatched {
        format!("the dispatcher accepted the event for {function}{latency} and queued it")
    } else {
        format!(
            "Lambda queued the event for {function}{latency} (asynchronous invocation accepted)"
        )
    })
    .await;
    Ok(())
}

/// A resource path with each `{name}` (or greedy `{name+}`) filled with
/// `name`: `/hooks/{source}` -> `/hooks/source`.
fn filled(resource_path: &str) -> String {
    resource_path
        .split('/')
        .map(|part| match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) => name.trim_end_matches('+').to_owned(),
            None => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            description: "Sends a test request through an `async_lambda_endpoint`'s method in API \
                          Gateway (TestInvokeMethod: no stage or client needed) and reports the \
                          status, the latency and whether Lambda queued the event; fails naming \
                          the function and what is wrong (no permission, a failing template, a \
                          missing function or integration response). The test event reaches the \
                          function like any other."
                .into(),
            attributes: vec![
                Attribute::required(
                    ENDPOINT_ID,
                    Type::String,
                    "The endpoint to test, `REST_API_ID/RESOURCE_ID/HTTP_METHOD`: \
                     `async_lambda_endpoint.NAME.id`.",
                ),
                Attribute::optional(BODY, Type::String, "The request body. Defaults to `{}`."),
                Attribute::optional(
                    HEADERS,
                    Type::map(Type::String),
                    "Request headers, e.g. a webhook's signature header.",
                ),
                Attribute::optional(
                    CONTENT_TYPE,
                    Type::String,
                    "The request's `Content-Type`, unless `headers` has one. Defaults to \
                     `application/json`.",
                ),
                Attribute::optional(
                    PATH,
                    Type::String,
                    "The request path with any query string, e.g. `/hooks/github?verbose=1`. \
                     Defaults to the resource's path with each `{param}` filled with its \
                     name (`/hooks/{source}` -> `/hooks/source`).",
                ),
            ],
            blocks: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_are_filled_with_their_names() {
        assert_eq!(filled("/hooks/{source}"), "/hooks/source");
        assert_eq!(filled("/files/{key+}"), "/files/key");
        assert_eq!(filled("/"), "/");
    }

    #[test]
    fn a_bad_endpoint_id_or_path_is_refused_at_its_attribute() {
        let test = EndpointTest::new(Arc::new(OnceLock::new()));
        let config = Value::object([
            (ENDPOINT_ID, Value::from("a1b2c3/POST")),
            (PATH, Value::from("hooks")),
        ]);
        let diags = test.validate(&config);
        let at: Vec<_> = diags.iter().map(|d| d.attribute.clone()).collect();
        assert_eq!(at, [Some(AttributePath::root(ENDPOINT_ID)), Some(AttributePath::root(PATH))]);
        let good = Value::object([(ENDPOINT_ID, Value::from("a1b2c3d4e5/f6g7h8/POST"))]);
        assert!(test.validate(&good).is_empty());
    }
}
