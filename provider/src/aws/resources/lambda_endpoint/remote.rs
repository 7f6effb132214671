//! The AWS calls one endpoint is made of, each through the retry policy.
//! API Gateway calls take the endpoint's id and the part they write, Lambda
//! calls the function and the statement; the order of the calls and what to
//! undo live in `apply` and `refresh`.

use std::collections::HashMap;

use aws_sdk_apigateway::types::{
    Integration as AwsIntegration, IntegrationType, Method as AwsMethod, PatchOperation, Resource,
};

use super::arn::{function_arn_from_uri, split_qualifier};
use super::model::{EndpointId, Integration, Method, Permission, Response};
use crate::aws::clients::Aws;
use crate::aws::error::AwsError;
use crate::plugin::Context;

const APIGATEWAY: &str = "API Gateway";
const LAMBDA: &str = "Lambda";

/// Selects the asynchronous invocation in the integration request.
const INVOCATION_TYPE_PARAMETER: &str = "integration.request.header.X-Amz-Invocation-Type";
const INVOCATION_TYPE_EVENT: &str = "'Event'";

/// Turns "not found" into `None`, for reads and idempotent deletes.
fn found<T>(result: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every resource of the REST API with its methods embedded, page by page
/// (500 resources a page, the most API Gateway gives); `None` when the REST
/// API does not exist.
pub async fn get_resources(
    aws: &Aws,
    ctx: &Context,
    rest_api_id: &str,
) -> Result<Option<Vec<Resource>>, AwsError> {
    let mut resources = Vec::new();
    let mut position = None;
    loop {
        let call = || {
            aws.apigateway
                .get_resources()
                .rest_api_id(rest_api_id)
                .embed("methods")
                .limit(500)
                .set_position(position.clone())
                .send()
        };
        let Some(page) = found(aws.retry.run(ctx, APIGATEWAY, "GetResources", call).await)? else {
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
    aws: &Aws,
    ctx: &Context,
    id: &EndpointId,
) -> Result<Option<String>, AwsError> {
    let call = || {
        aws.apigateway
            .get_resource()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .send()
    };
    let output = found(aws.retry.run(ctx, APIGATEWAY, "GetResource", call).await)?;
    Ok(output.map(|o| o.path().unwrap_or("/").to_owned()))
}

/// Whether the REST API exists; asked only to explain a missing resource.
pub async fn rest_api_exists(aws: &Aws, ctx: &Context, id: &EndpointId) -> Result<bool, AwsError> {
    let call = || aws.apigateway.get_rest_api().rest_api_id(&id.rest_api_id).send();
    Ok(found(aws.retry.run(ctx, APIGATEWAY, "GetRestApi", call).await)?.is_some())
}

/// The method with its integration and both responses, in one call.
pub async fn get_method(
    aws: &Aws,
    ctx: &Context,
    id: &EndpointId,
) -> Result<Option<AwsMethod>, AwsError> {
    let call = || {
        aws.apigateway
            .get_method()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .send()
    };
    let output = found(aws.retry.run(ctx, APIGATEWAY, "GetMethod", call).await)?;
    Ok(output.map(|o| {
        AwsMethod::builder()
            .set_http_method(o.http_method)
            .set_authorization_type(o.authorization_type)
            .set_authorizer_id(o.authorizer_id)
            .set_authorization_scopes(o.authorization_scopes)
            .set_api_key_required(o.api_key_required)
            .set_request_parameters(o.request_parameters)
            .set_method_responses(o.method_responses)
            .set_method_integration(o.method_integration)
            .build()
    }))
}

pub async fn put_method(
    aws: &Aws,
    ctx: &Context,
    id: &EndpointId,
    method: &Method,
) -> Result<(), AwsError> {
    let m = method.normalised();
    let call = || {
        aws.apigateway
            .put_method()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .authorization_type(&m.authorization)
            .set_authorizer_id(m.authorizer_id.clone())
            .set_authorization_scopes(m.authorization_scopes.clone())
            .api_key_required(m.api_key_required)
            .set_request_parameters(m.request_parameters.clone().map(HashMap::from_iter))
            .send()
    };
    aws.retry.run(ctx, APIGATEWAY, "PutMethod", call).await.map(drop)
}

/// Changes the method in place (`patch::method`).
pub async fn update_method(
    aws: &Aws,
    ctx: &Context,
    id: &EndpointId,
    operations: Vec<PatchOperation>,
) -> Result<(), AwsError> {
    let call = || {
        aws.apigateway
            .update_method()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .set_patch_operations(Some(operations.clone()))
            .send()
    };
    aws.retry.run(ctx, APIGATEWAY, "UpdateMethod", call).await.map(drop)
}

/// Deletes the method with its integration and responses; gone already is fine.
pub async fn delete_method(aws: &Aws, ctx: &Context, id: &EndpointId) -> Result<(), AwsError> {
    let call = || {
        aws.apigateway
            .delete_method()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .send()
    };
    found(aws.retry.run(ctx, APIGATEWAY, "DeleteMethod", call).await).map(drop)
}

/// Creates or replaces the integration. API Gateway drops the integration
/// responses when it replaces one, so callers put the response again after.
pub async fn put_integration(
    aws: &Aws,
    ctx: &Context,
    id: &EndpointId,
    integration: &Integration,
    uri: &str,
    credentials: Option<&str>,
) -> Result<(), AwsError> {
    let i = integration.normalised();
    let parameters =
        HashMap::from([(INVOCATION_TYPE_PARAMETER.to_owned(), INVOCATION_TYPE_EVENT.to_owned())]);
    let call = || {
        aws.apigateway
            .put_integration()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .r#type(IntegrationType::Aws)
            // Lambda's Invoke API is a POST whatever the client's method.
            .integration_http_method("POST")
            .uri(uri)
            .set_credentials(credentials.map(str::to_owned))
            .set_request_parameters(Some(parameters.clone()))
            .set_request_templates(i.request_templates.clone().map(HashMap::from_iter))
            .passthrough_behavior(&i.passthrough_behavior)
            .timeout_in_millis(i.timeout_milliseconds)
            .send()
    };
    aws.retry.run(ctx, APIGATEWAY, "PutIntegration", call).await.map(drop)
}

/// Changes the integration in place (`patch::integration`); its
/// integration responses stay.
pub async fn update_integration(
    aws: &Aws,
    ctx: &Context,
    id: &EndpointId,
    operations: Vec<PatchOperation>,
) -> Result<(), AwsError> {
    let call = || {
        aws.apigateway
            .update_integration()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .set_patch_operations(Some(operations.clone()))
            .send()
    };
    aws.retry.run(ctx, APIGATEWAY, "UpdateIntegration", call).await.map(drop)
}

/// Declares the status code and the response headers. AWS refuses a status
/// code the method declares already ("Response already exists for this
/// resource"); LocalStack overwrites it.
pub async fn put_method_response(
    aws: &Aws,
    ctx: &Context,
    id: &EndpointId,
    response: &Response,
) -> Result<(), AwsError> {
    // The method response declares the headers; the integration response fills them.
    let headers: Option<HashMap<String, bool>> = response
        .normalised()
        .parameters
        .map(|parameters| parameters.into_keys().map(|k| (k, false)).collect());
    let call = || {
        aws.apigateway
            .put_method_response()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .status_code(&response.status_code)
            .set_response_parameters(headers.clone())
            .send()
    };
    aws.retry.run(ctx, APIGATEWAY, "PutMethodResponse", call).await.map(drop)
}

/// Changes the headers the method response of `status_code` declares
/// (`patch::declared_headers`).
pub async fn update_method_response(
    aws: &Aws,
    ctx: &Context,
    id: &EndpointId,
    status_code: &str,
    operations: Vec<PatchOperation>,
) -> Result<(), AwsError> {
    let call = || {
        aws.apigateway
            .update_method_response()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .status_code(status_code)
            .set_patch_operations(Some(operations.clone()))
            .send()
    };
    aws.retry.run(ctx, APIGATEWAY, "UpdateMethodResponse", call).await.map(drop)
}

/// Deletes the method response of `status_code`; gone already is fine.
pub async fn delete_method_response(
    aws: &Aws,
    ctx: &Context,
    id: &EndpointId,
    status_code: &str,
) -> Result<(), AwsError> {
    let call = || {
        aws.apigateway
            .delete_method_response()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .status_code(status_code)
            .send()
    };
    found(aws.retry.run(ctx, APIGATEWAY, "DeleteMethodResponse", call).await).map(drop)
}

/// The default integration response (no selection pattern): what the
/// client gets once Lambda has queued the event. Put again on the same
/// status code, it is overwritten (hashicorp/aws updates
/// `aws_api_gateway_integration_response` so).
pub async fn put_integration_response(
    aws: &Aws,
    ctx: &Context,
    id: &EndpointId,
    response: &Response,
) -> Result<(), AwsError> {
    let r = response.normalised();
    let call = || {
        aws.apigateway
            .put_integration_response()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .status_code(&r.status_code)
            .set_response_templates(r.templates.clone().map(HashMap::from_iter))
            .set_response_parameters(r.parameters.clone().map(HashMap::from_iter))
            .send()
    };
    aws.retry.run(ctx, APIGATEWAY, "PutIntegrationResponse", call).await.map(drop)
}

/// Deletes the integration response of `status_code`; gone already is fine.
pub async fn delete_integration_response(
    aws: &Aws,
    ctx: &Context,
    id: &EndpointId,
    status_code: &str,
) -> Result<(), AwsError> {
    let call = || {
        aws.apigateway
            .delete_integration_response()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .status_code(status_code)
            .send()
    };
    found(aws.retry.run(ctx, APIGATEWAY, "DeleteIntegrationResponse", call).await).map(drop)
}

/// Whether the function exists (at its qualifier, if the ARN has one).
/// GetFunction rather than GetFunctionConfiguration: it has a quota of its
/// own (100 a second), outside the control plane's 15.
pub async fn function_exists(
    aws: &Aws,
    ctx: &Context,
    function_arn: &str,
) -> Result<bool, AwsError> {
    let (function, qualifier) = split_qualifier_owned(function_arn);
    let call = || {
        aws.lambda.get_function().function_name(&function).set_qualifier(qualifier.clone()).send()
    };
    Ok(found(aws.retry.run(ctx, LAMBDA, "GetFunction", call).await)?.is_some())
}

/// Lets API Gateway invoke the function from `permission.source_arn`.
pub async fn add_permission(
    aws: &Aws,
    ctx: &Context,
    function_arn: &str,
    permission: &Permission,
) -> Result<(), AwsError> {
    let Permission { statement_id, source_arn } = permission;
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
    aws.retry.run(ctx, LAMBDA, "AddPermission", call).await.map(drop)
}

/// Removes the statement `statement_id` from the function's policy; gone already is fine.
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

/// The statements of the function's policy that let API Gateway invoke it,
/// each as its id and the source ARN it is conditioned on; none when the
/// function has no policy.
pub async fn policy_statements(
    aws: &Aws,
    ctx: &Context,
    function_arn: &str,
) -> Result<Vec<Permission>, AwsError> {
    let (function, qualifier) = split_qualifier_owned(function_arn);
    let call =
        || aws.lambda.get_policy().function_name(&function).set_qualifier(qualifier.clone()).send();
    let Some(output) = found(aws.retry.run(ctx, LAMBDA, "GetPolicy", call).await)? else {
        return Ok(Vec::new());
    };
    let policy: serde_json::Value =
        serde_json::from_str(output.policy().unwrap_or("{}")).unwrap_or_default();
    let statements = match &policy["Statement"] {
        serde_json::Value::Array(items) => items.iter().collect(),
        single @ serde_json::Value::Object(_) => vec![single],
        _ => Vec::new(),
    };
    Ok(statements.into_iter().filter(|s| lets_api_gateway_invoke(s)).map(permission).collect())
}

/// Whether a policy statement allows API Gateway to invoke the function.
fn lets_api_gateway_invoke(statement: &serde_json::Value) -> bool {
    let listed = |value: &serde_json::Value, wanted: &[&str]| match value {
        serde_json::Value::String(one) => wanted.contains(&one.as_str()),
        serde_json::Value::Array(many) => {
            many.iter().any(|v| v.as_str().is_some_and(|v| wanted.contains(&v)))
        }
        _ => false,
    };
    statement["Effect"] == "Allow"
        && listed(&statement["Principal"]["Service"], &["apigateway.amazonaws.com"])
        && listed(&statement["Action"], &["lambda:InvokeFunction", "lambda:*", "*"])
}

/// A statement as its id and the source ARN it is conditioned on (empty
/// when none): `ArnLike` as AddPermission writes it, or `ArnEquals`;
/// condition keys are case-insensitive.
fn permission(statement: &serde_json::Value) -> Permission {
    let conditions = statement["Condition"].as_object().into_iter().flatten();
    let source_arn = conditions
        .filter(|(operator, _)| matches!(operator.as_str(), "ArnLike" | "ArnEquals"))
        .flat_map(|(_, keys)| keys.as_object().into_iter().flatten())
        .find(|(key, _)| key.eq_ignore_ascii_case("aws:SourceArn"))
        .and_then(|(_, arn)| arn.as_str());
    Permission {
        statement_id: statement["Sid"].as_str().unwrap_or_default().to_owned(),
        source_arn: source_arn.unwrap_or_default().to_owned(),
    }
}

/// The invocation URI of an asynchronous Lambda integration such as
/// `put_integration` makes; `None` for any other integration.
pub fn async_invocation_uri(integration: &AwsIntegration) -> Option<&str> {
    let asynchronous = integration.r#type() == Some(&IntegrationType::Aws)
        && integration
            .request_parameters()
            .and_then(|p| p.get(INVOCATION_TYPE_PARAMETER))
            .map(String::as_str)
            == Some(INVOCATION_TYPE_EVENT);
    integration.uri().filter(|uri| asynchronous && function_arn_from_uri(uri).is_some())
}

fn split_qualifier_owned(function_arn: &str) -> (String, Option<String>) {
    let (function, qualifier) = split_qualifier(function_arn);
    (function.to_owned(), qualifier.map(str::to_owned))
}
