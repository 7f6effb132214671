//! The route's own API Gateway v2 calls, one AWS call each.

use aws_sdk_apigatewayv2::types::{AuthorizationType, IntegrationType};

use super::model::{Authorization, Inputs};
use crate::aws::apigatewayv2::SERVICE;
use crate::aws::dispatcher::{RouteConfig, route_config};
use crate::aws::error::{AwsError, found};
use crate::aws::run::Run;

fn authorization_type(authorization: Authorization) -> AuthorizationType {
    match authorization {
        Authorization::None => AuthorizationType::None,
        Authorization::Jwt => AuthorizationType::Jwt,
        Authorization::AwsIam => AuthorizationType::AwsIam,
        Authorization::Custom => AuthorizationType::Custom,
    }
}

/// An `AWS_PROXY` integration, payload format 2.0, to the dispatcher, whose
/// parameter mapping tells it the route's configuration. Returns its id.
pub async fn create_integration(
    run: Run<'_>,
    api_id: &str,
    dispatcher_arn: &str,
    config: &RouteConfig,
) -> Result<String, AwsError> {
    let call = || {
        run.aws
            .apigatewayv2
            .create_integration()
            .api_id(api_id)
            .integration_type(IntegrationType::AwsProxy)
            .integration_uri(dispatcher_arn)
            .payload_format_version("2.0")
            .request_parameters(route_config::parameter_key(), config.encode())
            .description("Managed by terraform-provider-async (async_lambda_route)")
            .send()
    };
    let output = run.call(SERVICE, "CreateIntegration", call).await?;
    Ok(output.integration_id().unwrap_or_default().to_owned())
}

/// Points the integration at the dispatcher with `config`, as created.
pub async fn update_integration(
    run: Run<'_>,
    api_id: &str,
    integration_id: &str,
    dispatcher_arn: &str,
    config: &RouteConfig,
) -> Result<(), AwsError> {
    let call = || {
        run.aws
            .apigatewayv2
            .update_integration()
            .api_id(api_id)
            .integration_id(integration_id)
            .integration_type(IntegrationType::AwsProxy)
            .integration_uri(dispatcher_arn)
            .payload_format_version("2.0")
            .request_parameters(route_config::parameter_key(), config.encode())
            .send()
    };
    run.call(SERVICE, "UpdateIntegration", call).await.map(drop)
}

/// Deletes the integration; gone already is fine.
pub async fn delete_integration(
    run: Run<'_>,
    api_id: &str,
    integration_id: &str,
) -> Result<(), AwsError> {
    let call = || {
        run.aws
            .apigatewayv2
            .delete_integration()
            .api_id(api_id)
            .integration_id(integration_id)
            .send()
    };
    found(run.call(SERVICE, "DeleteIntegration", call).await).map(drop)
}

/// Creates the route to `integration_id`; returns the route's id.
pub async fn create_route(
    run: Run<'_>,
    inputs: &Inputs,
    integration_id: &str,
) -> Result<String, AwsError> {
    let call = || {
        run.aws
            .apigatewayv2
            .create_route()
            .api_id(&inputs.api_id)
            .route_key(&inputs.route_key)
            .target(format!("integrations/{integration_id}"))
            .authorization_type(authorization_type(inputs.authorization))
            .set_authorizer_id(inputs.authorizer_id.clone())
            .set_authorization_scopes(inputs.authorization_scopes.clone())
            .send()
    };
    let output = run.call(SERVICE, "CreateRoute", call).await?;
    Ok(output.route_id().unwrap_or_default().to_owned())
}

/// Sets the route's key, authorization and target as `inputs` say; an
/// authorizer or scopes the inputs leave out are cleared.
pub async fn update_route(
    run: Run<'_>,
    route_id: &str,
    inputs: &Inputs,
    integration_id: &str,
) -> Result<(), AwsError> {
    let call = || {
        run.aws
            .apigatewayv2
            .update_route()
            .api_id(&inputs.api_id)
            .route_id(route_id)
            .route_key(&inputs.route_key)
            .target(format!("integrations/{integration_id}"))
            .authorization_type(authorization_type(inputs.authorization))
            .authorizer_id(inputs.authorizer_id.clone().unwrap_or_default())
            .set_authorization_scopes(Some(inputs.authorization_scopes.clone().unwrap_or_default()))
            .send()
    };
    run.call(SERVICE, "UpdateRoute", call).await.map(drop)
}

/// Deletes the route; gone already is fine.
pub async fn delete_route(run: Run<'_>, api_id: &str, route_id: &str) -> Result<(), AwsError> {
    let call = || run.aws.apigatewayv2.delete_route().api_id(api_id).route_id(route_id).send();
    found(run.call(SERVICE, "DeleteRoute", call).await).map(drop)
}
