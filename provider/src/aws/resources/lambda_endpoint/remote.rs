//! The API Gateway calls one endpoint's method is made of, one AWS call
//! each, through the run's retry policy; each takes the endpoint's id and
//! the part it writes. The REST API reads and the Lambda calls are shared
//! (`crate::aws::apigateway`, `crate::aws::lambda`); the order of the calls
//! and what to undo live in `apply` and `refresh`.

use std::collections::HashMap;

use aws_sdk_apigateway::types::{IntegrationType, Op, PatchOperation};

use super::model::{Delivery, EndpointId, Integration, Method, Response, StatusCode};
use super::request_schema;
use crate::aws::apigateway::lambda_integration::{
    INVOCATION_TYPE_EVENT, INVOCATION_TYPE_PARAMETER,
};
use crate::aws::error::{AwsError, found};
use crate::aws::run::Run;

const APIGATEWAY: &str = "API Gateway";

/// Puts the method; `validator` checks its requests, against the
/// endpoint's model when it has a `request_schema`.
pub async fn put_method(
    run: Run<'_>,
    id: &EndpointId,
    method: &Method,
    validator: Option<&str>,
) -> Result<(), AwsError> {
    let m = method.normalised();
    let models = m
        .request_schema
        .as_ref()
        .map(|_| HashMap::from([(request_schema::CONTENT_TYPE.to_owned(), id.model_name())]));
    let call = || {
        run.aws
            .apigateway
            .put_method()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .authorization_type(m.authorization.as_str())
            .set_authorizer_id(m.authorizer_id.clone())
            .set_authorization_scopes(m.authorization_scopes.clone())
            .api_key_required(m.api_key_required)
            .set_request_parameters(m.request_parameters.clone().map(HashMap::from_iter))
            .set_request_models(models.clone())
            .set_request_validator_id(validator.map(str::to_owned))
            .send()
    };
    run.call(APIGATEWAY, "PutMethod", call).await.map(drop)
}

/// Writes the endpoint's model with `schema` (as `request_schema::written`
/// makes it): made, or rewritten when it exists (left by an interrupted
/// create, or edited out of band).
pub async fn put_model(run: Run<'_>, id: &EndpointId, schema: &str) -> Result<(), AwsError> {
    let name = id.model_name();
    let create = || {
        run.aws
            .apigateway
            .create_model()
            .rest_api_id(&id.rest_api_id)
            .name(&name)
            .content_type(request_schema::CONTENT_TYPE)
            .schema(schema)
            .send()
    };
    match run.call(APIGATEWAY, "CreateModel", create).await {
        Err(e) if e.is_already_exists() => {}
        done => return done.map(drop),
    }
    let replace = PatchOperation::builder().op(Op::Replace).path("/schema").value(schema).build();
    let update = || {
        run.aws
            .apigateway
            .update_model()
            .rest_api_id(&id.rest_api_id)
            .model_name(&name)
            .patch_operations(replace.clone())
            .send()
    };
    run.call(APIGATEWAY, "UpdateModel", update).await.map(drop)
}

/// The schema the endpoint's model holds; `None` when there is no model.
pub async fn model_schema(run: Run<'_>, id: &EndpointId) -> Result<Option<String>, AwsError> {
    let name = id.model_name();
    let call =
        || run.aws.apigateway.get_model().rest_api_id(&id.rest_api_id).model_name(&name).send();
    let model = found(run.call(APIGATEWAY, "GetModel", call).await)?;
    Ok(model.map(|m| m.schema.unwrap_or_default()))
}

/// Deletes the endpoint's model, once no method uses it; gone already is fine.
pub async fn delete_model(run: Run<'_>, id: &EndpointId) -> Result<(), AwsError> {
    let name = id.model_name();
    let call =
        || run.aws.apigateway.delete_model().rest_api_id(&id.rest_api_id).model_name(&name).send();
    found(run.call(APIGATEWAY, "DeleteModel", call).await).map(drop)
}

/// Changes the method in place (`patch::method`).
pub async fn update_method(
    run: Run<'_>,
    id: &EndpointId,
    operations: Vec<PatchOperation>,
) -> Result<(), AwsError> {
    let call = || {
        run.aws
            .apigateway
            .update_method()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .set_patch_operations(Some(operations.clone()))
            .send()
    };
    run.call(APIGATEWAY, "UpdateMethod", call).await.map(drop)
}

/// Deletes the method with its integration and responses; gone already is fine.
pub async fn delete_method(run: Run<'_>, id: &EndpointId) -> Result<(), AwsError> {
    let call = || {
        run.aws
            .apigateway
            .delete_method()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .send()
    };
    found(run.call(APIGATEWAY, "DeleteMethod", call).await).map(drop)
}

/// Creates or replaces the integration: with the direct delivery an `AWS`
/// integration invoking asynchronously through the templates, with the
/// dispatcher a Lambda proxy integration (`AWS_PROXY`), which takes neither.
/// API Gateway drops the integration responses when it replaces one, so
/// callers put the response again after.
pub async fn put_integration(
    run: Run<'_>,
    id: &EndpointId,
    delivery: Delivery,
    integration: &Integration,
    uri: &str,
    credentials: Option<&str>,
) -> Result<(), AwsError> {
    let i = integration.normalised();
    let direct = delivery == Delivery::Direct;
    let parameters =
        HashMap::from([(INVOCATION_TYPE_PARAMETER.to_owned(), INVOCATION_TYPE_EVENT.to_owned())]);
    let call = || {
        let put = run
            .aws
            .apigateway
            .put_integration()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            // Lambda's Invoke API is a POST whatever the client's method.
            .integration_http_method("POST")
            .uri(uri)
            .set_credentials(credentials.map(str::to_owned))
            .timeout_in_millis(i.timeout_milliseconds);
        let put = if direct {
            put.r#type(IntegrationType::Aws)
                .set_request_parameters(Some(parameters.clone()))
                .set_request_templates(i.request_templates.clone().map(HashMap::from_iter))
                .passthrough_behavior(i.passthrough_behavior.as_str())
        } else {
            put.r#type(IntegrationType::AwsProxy)
        };
        put.send()
    };
    run.call(APIGATEWAY, "PutIntegration", call).await.map(drop)
}

/// Changes the integration in place (`patch::integration`); its
/// integration responses stay.
pub async fn update_integration(
    run: Run<'_>,
    id: &EndpointId,
    operations: Vec<PatchOperation>,
) -> Result<(), AwsError> {
    let call = || {
        run.aws
            .apigateway
            .update_integration()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .set_patch_operations(Some(operations.clone()))
            .send()
    };
    run.call(APIGATEWAY, "UpdateIntegration", call).await.map(drop)
}

/// Declares the status code and the response headers. AWS refuses a status
/// code the method declares already ("Response already exists for this
/// resource"); LocalStack overwrites it.
pub async fn put_method_response(
    run: Run<'_>,
    id: &EndpointId,
    response: &Response,
) -> Result<(), AwsError> {
    // The method response declares the headers; the integration response fills them.
    let headers: Option<HashMap<String, bool>> = response
        .normalised()
        .parameters
        .map(|parameters| parameters.into_keys().map(|k| (k, false)).collect());
    let call = || {
        run.aws
            .apigateway
            .put_method_response()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .set_status_code(response.status_code.map(|code| code.to_string()))
            .set_response_parameters(headers.clone())
            .send()
    };
    run.call(APIGATEWAY, "PutMethodResponse", call).await.map(drop)
}

/// Changes the headers the method response of `status_code` declares
/// (`patch::declared_headers`).
pub async fn update_method_response(
    run: Run<'_>,
    id: &EndpointId,
    status_code: StatusCode,
    operations: Vec<PatchOperation>,
) -> Result<(), AwsError> {
    let call = || {
        run.aws
            .apigateway
            .update_method_response()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .status_code(status_code.to_string())
            .set_patch_operations(Some(operations.clone()))
            .send()
    };
    run.call(APIGATEWAY, "UpdateMethodResponse", call).await.map(drop)
}

/// Deletes the method response of `status_code`; gone already is fine.
pub async fn delete_method_response(
    run: Run<'_>,
    id: &EndpointId,
    status_code: StatusCode,
) -> Result<(), AwsError> {
    let call = || {
        run.aws
            .apigateway
            .delete_method_response()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .status_code(status_code.to_string())
            .send()
    };
    found(run.call(APIGATEWAY, "DeleteMethodResponse", call).await).map(drop)
}

/// The default integration response (no selection pattern): what the
/// client gets once Lambda has queued the event. Put again on the same
/// status code, it is overwritten (hashicorp/aws updates
/// `aws_api_gateway_integration_response` so).
pub async fn put_integration_response(
    run: Run<'_>,
    id: &EndpointId,
    response: &Response,
) -> Result<(), AwsError> {
    let r = response.normalised();
    let call = || {
        run.aws
            .apigateway
            .put_integration_response()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .set_status_code(r.status_code.map(|code| code.to_string()))
            .set_response_templates(r.templates.clone().map(HashMap::from_iter))
            .set_response_parameters(r.parameters.clone().map(HashMap::from_iter))
            .send()
    };
    run.call(APIGATEWAY, "PutIntegrationResponse", call).await.map(drop)
}

/// Deletes the integration response of `status_code`; gone already is fine.
pub async fn delete_integration_response(
    run: Run<'_>,
    id: &EndpointId,
    status_code: StatusCode,
) -> Result<(), AwsError> {
    let call = || {
        run.aws
            .apigateway
            .delete_integration_response()
            .rest_api_id(&id.rest_api_id)
            .resource_id(&id.resource_id)
            .http_method(&id.http_method)
            .status_code(status_code.to_string())
            .send()
    };
    found(run.call(APIGATEWAY, "DeleteIntegrationResponse", call).await).map(drop)
}
