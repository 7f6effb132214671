//! The REST API reads, one AWS call each, through the run's retry policy.

use aws_sdk_apigateway::types::{Method as AwsMethod, RequestValidator, Resource};

use super::MethodId;

use crate::aws::error::{AwsError, found};
use crate::aws::run::Run;

const APIGATEWAY: &str = "API Gateway";

/// Every resource of the REST API with its methods embedded, page by page
/// (500 resources a page, the most API Gateway gives); `None` when the REST
/// API does not exist.
pub async fn get_resources(
    run: Run<'_>,
    rest_api_id: &str,
) -> Result<Option<Vec<Resource>>, AwsError> {
    let mut resources = Vec::new();
    let mut position = None;
    loop {
        let call = || {
            run.aws
                .apigateway
                .get_resources()
                .rest_api_id(rest_api_id)
                .embed("methods")
                .limit(500)
                .set_position(position.clone())
                .send()
        };
        let Some(page) = found(run.call(APIGATEWAY, "GetResources", call).await)? else {
            return Ok(None);
        };
        position = page.position().filter(|p| !p.is_empty()).map(str::to_owned);
        resources.extend(page.items.unwrap_or_default());
        if position.is_none() {
            return Ok(Some(resources));
        }
    }
}

/// The path of an API resource, e.g. `/hooks/{source}`; `None` if it does not exist.
pub async fn resource_path(
    run: Run<'_>,
    rest_api_id: &str,
    resource_id: &str,
) -> Result<Option<String>, AwsError> {
    let call = || {
        run.aws.apigateway.get_resource().rest_api_id(rest_api_id).resource_id(resource_id).send()
    };
    let output = found(run.call(APIGATEWAY, "GetResource", call).await)?;
    Ok(output.map(|o| o.path().unwrap_or("/").to_owned()))
}

/// Whether the REST API exists; asked only to explain a missing resource.
pub async fn rest_api_exists(run: Run<'_>, rest_api_id: &str) -> Result<bool, AwsError> {
    let call = || run.aws.apigateway.get_rest_api().rest_api_id(rest_api_id).send();
    Ok(found(run.call(APIGATEWAY, "GetRestApi", call).await)?.is_some())
}

/// The method with its integration and both responses, in one call.
pub async fn get_method(run: Run<'_>, id: &MethodId) -> Result<Option<AwsMethod>, AwsError> {
    let call = || {
        run.aws
            .apigateway
            .get_method()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .send()
    };
    let output = found(run.call(APIGATEWAY, "GetMethod", call).await)?;
    Ok(output.map(|o| {
        AwsMethod::builder()
            .set_http_method(o.http_method)
            .set_authorization_type(o.authorization_type)
            .set_authorizer_id(o.authorizer_id)
            .set_authorization_scopes(o.authorization_scopes)
            .set_api_key_required(o.api_key_required)
            .set_request_parameters(o.request_parameters)
            .set_request_models(o.request_models)
            .set_request_validator_id(o.request_validator_id)
            .set_method_responses(o.method_responses)
            .set_method_integration(o.method_integration)
            .build()
    }))
}

/// The REST API's request validators, page by page (500 a page): their
/// ids, names and what each validates.
pub async fn request_validators(
    run: Run<'_>,
    rest_api_id: &str,
) -> Result<Vec<RequestValidator>, AwsError> {
    let mut validators = Vec::new();
    let mut position = None;
    loop {
        let call = || {
            run.aws
                .apigateway
                .get_request_validators()
                .rest_api_id(rest_api_id)
                .limit(500)
                .set_position(position.clone())
                .send()
        };
        let page = run.call(APIGATEWAY, "GetRequestValidators", call).await?;
        position = page.position().filter(|p| !p.is_empty()).map(str::to_owned);
        validators.extend(page.items.unwrap_or_default());
        if position.is_none() {
            return Ok(validators);
        }
    }
}

/// Adds a request validator checking required parameters, and bodies when
/// `body`; returns its id.
pub async fn create_request_validator(
    run: Run<'_>,
    rest_api_id: &str,
    name: &str,
    body: bool,
) -> Result<String, AwsError> {
    let call = || {
        run.aws
            .apigateway
            .create_request_validator()
            .rest_api_id(rest_api_id)
            .name(name)
            .validate_request_body(body)
            .validate_request_parameters(true)
            .send()
    };
    let created = run.call(APIGATEWAY, "CreateRequestValidator", call).await?;
    Ok(created.id.unwrap_or_default())
}

/// Deletes a request validator; gone already is fine. AWS refuses while a
/// method uses it (LocalStack does not).
pub async fn delete_request_validator(
    run: Run<'_>,
    rest_api_id: &str,
    validator_id: &str,
) -> Result<(), AwsError> {
    let call = || {
        run.aws
            .apigateway
            .delete_request_validator()
            .rest_api_id(rest_api_id)
            .request_validator_id(validator_id)
            .send()
    };
    found(run.call(APIGATEWAY, "DeleteRequestValidator", call).await).map(drop)
}

/// What TestInvokeMethod answered: the status, body and execution log of a
/// request API Gateway ran through the method without a deployment.
pub struct TestInvocation {
    pub status: u16,
    pub body: String,
    pub log: String,
    /// API Gateway's own figure, in milliseconds.
    pub latency_ms: i64,
}

/// Sends a test request through the method, as the console's Test does.
/// Not retried: it invokes the integration, and a retry after a failure
/// that reached it would queue a second event.
pub async fn test_invoke_method(
    run: Run<'_>,
    id: &MethodId,
    path_with_query_string: &str,
    headers: &std::collections::BTreeMap<String, String>,
    body: &str,
) -> Result<TestInvocation, AwsError> {
    let call = || {
        run.aws
            .apigateway
            .test_invoke_method()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .path_with_query_string(path_with_query_string)
            .set_headers(Some(headers.clone().into_iter().collect()))
            .body(body)
            .send()
    };
    let output = run.call_once(APIGATEWAY, "TestInvokeMethod", call).await?;
    Ok(TestInvocation {
        status: u16::try_from(output.status).unwrap_or_default(),
        body: output.body.unwrap_or_default(),
        log: output.log.unwrap_or_default(),
        latency_ms: output.latency,
    })
}
