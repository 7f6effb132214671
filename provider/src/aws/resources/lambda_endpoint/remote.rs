//! The AWS calls one endpoint is made of, each through the retry policy.
//! Orchestration (order, rollback, what to change) lives in `lifecycle`.

use std::collections::HashMap;

use aws_sdk_apigateway::operation::get_method::GetMethodOutput;
use aws_sdk_apigateway::types::IntegrationType;

use super::model::{Desired, INVOCATION_TYPE_EVENT, INVOCATION_TYPE_PARAMETER, split_qualifier};
use crate::aws::clients::Aws;
use crate::aws::error::AwsError;
use crate::plugin::Context;

const APIGATEWAY: &str = "API Gateway";
const LAMBDA: &str = "Lambda";

/// Turns "not found" into `None`, for reads and idempotent deletes.
fn found<T>(result: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// The path of an API resource, e.g. `/hooks/{source}`; `None` if it does not exist.
pub async fn resource_path(
    aws: &Aws,
    ctx: &Context,
    rest_api_id: &str,
    resource_id: &str,
) -> Result<Option<String>, AwsError> {
    let call =
        || aws.apigateway.get_resource().rest_api_id(rest_api_id).resource_id(resource_id).send();
    let output = found(aws.retry.run(ctx, APIGATEWAY, "GetResource", call).await)?;
    Ok(output.map(|o| o.path().unwrap_or("/").to_owned()))
}

/// Whether the REST API exists; asked only to explain a missing resource.
pub async fn rest_api_exists(
    aws: &Aws,
    ctx: &Context,
    rest_api_id: &str,
) -> Result<bool, AwsError> {
    let call = || aws.apigateway.get_rest_api().rest_api_id(rest_api_id).send();
    Ok(found(aws.retry.run(ctx, APIGATEWAY, "GetRestApi", call).await)?.is_some())
}

/// The method with its integration and both responses, in one call.
pub async fn get_method(
    aws: &Aws,
    ctx: &Context,
    d: &Desired,
) -> Result<Option<GetMethodOutput>, AwsError> {
    let call = || {
        aws.apigateway
            .get_method()
            .rest_api_id(&d.id.rest_api_id)
            .resource_id(&d.id.resource_id)
            .http_method(&d.id.http_method)
            .send()
    };
    found(aws.retry.run(ctx, APIGATEWAY, "GetMethod", call).await)
}

pub async fn put_method(aws: &Aws, ctx: &Context, d: &Desired) -> Result<(), AwsError> {
    let call = || {
        aws.apigateway
            .put_method()
            .rest_api_id(&d.id.rest_api_id)
            .resource_id(&d.id.resource_id)
            .http_method(&d.id.http_method)
            .authorization_type(&d.authorization)
            .set_authorizer_id(d.authorizer_id.clone())
            .set_authorization_scopes(
                (!d.authorization_scopes.is_empty()).then(|| d.authorization_scopes.clone()),
            )
            .api_key_required(d.api_key_required)
            .set_request_parameters(
                (!d.request_parameters.is_empty())
                    .then(|| d.request_parameters.clone().into_iter().collect()),
            )
            .send()
    };
    aws.retry.run(ctx, APIGATEWAY, "PutMethod", call).await.map(drop)
}

/// Deletes the method with its integration and responses; gone already is fine.
pub async fn delete_method(aws: &Aws, ctx: &Context, d: &Desired) -> Result<(), AwsError> {
    let call = || {
        aws.apigateway
            .delete_method()
            .rest_api_id(&d.id.rest_api_id)
            .resource_id(&d.id.resource_id)
            .http_method(&d.id.http_method)
            .send()
    };
    found(aws.retry.run(ctx, APIGATEWAY, "DeleteMethod", call).await).map(drop)
}

/// Creates or replaces the integration. API Gateway drops the integration
/// responses when it replaces one, so callers put the response again after.
pub async fn put_integration(
    aws: &Aws,
    ctx: &Context,
    d: &Desired,
    uri: &str,
) -> Result<(), AwsError> {
    let parameters =
        HashMap::from([(INVOCATION_TYPE_PARAMETER.to_owned(), INVOCATION_TYPE_EVENT.to_owned())]);
    let call = || {
        aws.apigateway
            .put_integration()
            .rest_api_id(&d.id.rest_api_id)
            .resource_id(&d.id.resource_id)
            .http_method(&d.id.http_method)
            .r#type(IntegrationType::Aws)
            // Lambda's Invoke API is a POST whatever the client's method.
            .integration_http_method("POST")
            .uri(uri)
            .set_credentials(d.credentials.clone())
            .set_request_parameters(Some(parameters.clone()))
            .set_request_templates(Some(d.request_templates.clone().into_iter().collect()))
            .passthrough_behavior(&d.passthrough_behavior)
            .timeout_in_millis(d.timeout_milliseconds)
            .send()
    };
    aws.retry.run(ctx, APIGATEWAY, "PutIntegration", call).await.map(drop)
}

pub async fn put_method_response(aws: &Aws, ctx: &Context, d: &Desired) -> Result<(), AwsError> {
    // The method response declares the headers; the integration response fills them.
    let headers: HashMap<String, bool> =
        d.response_parameters.keys().map(|k| (k.clone(), false)).collect();
    let call = || {
        aws.apigateway
            .put_method_response()
            .rest_api_id(&d.id.rest_api_id)
            .resource_id(&d.id.resource_id)
            .http_method(&d.id.http_method)
            .status_code(&d.response_status_code)
            .set_response_parameters((!headers.is_empty()).then(|| headers.clone()))
            .send()
    };
    aws.retry.run(ctx, APIGATEWAY, "PutMethodResponse", call).await.map(drop)
}

/// The default integration response (no selection pattern): what the
/// client gets once Lambda has queued the event.
pub async fn put_integration_response(
    aws: &Aws,
    ctx: &Context,
    d: &Desired,
) -> Result<(), AwsError> {
    let call = || {
        aws.apigateway
            .put_integration_response()
            .rest_api_id(&d.id.rest_api_id)
            .resource_id(&d.id.resource_id)
            .http_method(&d.id.http_method)
            .status_code(&d.response_status_code)
            .set_response_templates(Some(d.response_templates.clone().into_iter().collect()))
            .set_response_parameters(
                (!d.response_parameters.is_empty())
                    .then(|| d.response_parameters.clone().into_iter().collect()),
            )
            .send()
    };
    aws.retry.run(ctx, APIGATEWAY, "PutIntegrationResponse", call).await.map(drop)
}

/// Lets API Gateway invoke the function from this method only. An existing
/// statement with our id is ours (a retried create): it is replaced.
pub async fn add_permission(
    aws: &Aws,
    ctx: &Context,
    function_arn: &str,
    statement_id: &str,
    source_arn: &str,
) -> Result<(), AwsError> {
    let (function, qualifier) = split_qualifier_owned(function_arn);
    let call = || {
        aws.lambda
            .add_permission()
            .function_name(&function)
            .set_qualifier(qualifier.clone())
            .statement_id(statement_id)
            .action("lambda:InvokeFunction")
            .principal("apigateway.amazonaws.com")
            .source_arn(source_arn)
            .send()
    };
    match aws.retry.run(ctx, LAMBDA, "AddPermission", call).await {
        Err(e) if e.code() == Some("ResourceConflictException") => {
            remove_permission(aws, ctx, function_arn, statement_id).await?;
            aws.retry.run(ctx, LAMBDA, "AddPermission", call).await.map(drop)
        }
        other => other.map(drop),
    }
}

/// Removes our statement from the function's policy; gone already is fine.
pub async fn remove_permission(
    aws: &Aws,
    ctx: &Context,
    function_arn: &str,
    statement_id: &str,
) -> Result<(), AwsError> {
    let (function, qualifier) = split_qualifier_owned(function_arn);
    let call = || {
        aws.lambda
            .remove_permission()
            .function_name(&function)
            .set_qualifier(qualifier.clone())
            .statement_id(statement_id)
            .send()
    };
    found(aws.retry.run(ctx, LAMBDA, "RemovePermission", call).await).map(drop)
}

/// The source ARN of our statement in the function's policy, if it is there.
pub async fn permission_source_arn(
    aws: &Aws,
    ctx: &Context,
    function_arn: &str,
    statement_id: &str,
) -> Result<Option<String>, AwsError> {
    let (function, qualifier) = split_qualifier_owned(function_arn);
    let call =
        || aws.lambda.get_policy().function_name(&function).set_qualifier(qualifier.clone()).send();
    let Some(output) = found(aws.retry.run(ctx, LAMBDA, "GetPolicy", call).await)? else {
        return Ok(None);
    };
    let policy: serde_json::Value =
        serde_json::from_str(output.policy().unwrap_or("{}")).unwrap_or_default();
    let statements = match &policy["Statement"] {
        serde_json::Value::Array(items) => items.clone(),
        single @ serde_json::Value::Object(_) => vec![single.clone()],
        _ => Vec::new(),
    };
    Ok(statements.iter().find(|s| s["Sid"] == statement_id).map(|s| {
        s["Condition"]["ArnLike"]["AWS:SourceArn"].as_str().unwrap_or_default().to_owned()
    }))
}

fn split_qualifier_owned(function_arn: &str) -> (String, Option<String>) {
    let (function, qualifier) = split_qualifier(function_arn);
    (function.to_owned(), qualifier.map(str::to_owned))
}
