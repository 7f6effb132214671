//! An endpoint as an OpenAPI 3 operation, for REST APIs defined by a
//! document (`aws_api_gateway_rest_api.body`): the same integration, event
//! templates, validation and answer `async_lambda_endpoint` puts method by
//! method, in API Gateway's OpenAPI extensions
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html>).
//! The document's author adds what spans operations: the Lambda
//! permission, the security schemes and the request validators named here.

use serde_json::{Map, Value as Json, json};

use super::model::{Authorization, Inputs, PassthroughBehavior, Validation};
use crate::aws::apigateway::lambda_integration::{
    INVOCATION_TYPE_EVENT, INVOCATION_TYPE_PARAMETER,
};

/// The security scheme `api_key_required` names, as AWS's examples do.
pub const API_KEY_SCHEME: &str = "api_key";

/// What an operation names that the rest of the document defines.
#[derive(Clone, Copy, Debug, Default)]
pub struct Named<'a> {
    /// The security scheme of a `CUSTOM` or `COGNITO_USER_POOLS` authorization.
    pub authorizer: Option<&'a str>,
    /// The schema in `components.schemas` JSON bodies must satisfy. By
    /// reference: API Gateway makes models of those (LocalStack 4.13.1
    /// ignores an inline request body schema).
    pub request_model: Option<&'a str>,
}

/// The operation object for `inputs`, invoking `integration_uri`.
pub fn operation(inputs: &Inputs, integration_uri: &str, named: Named<'_>) -> Json {
    let (method, integration, response) = (&inputs.method, &inputs.integration, &inputs.response);
    let status = response.status_code.unwrap_or(super::model::StatusCode::ACCEPTED).to_string();
    let normalised = response.normalised();

    let mut integration_object = json!({
        "type": "aws",
        // Lambda's Invoke API is a POST whatever the client's method.
        "httpMethod": "POST",
        "uri": integration_uri,
        "requestParameters": { INVOCATION_TYPE_PARAMETER: INVOCATION_TYPE_EVENT },
        "requestTemplates": integration.effective_request_templates(),
        // The extension spells the behaviours in lower case.
        "passthroughBehavior": passthrough(integration.passthrough_behavior),
        "timeoutInMillis": integration.timeout_milliseconds,
        "responses": { "default": {
            "statusCode": status,
            "responseTemplates": response.effective_templates(),
        } },
    });
    if let Some(role) = &inputs.target.credentials {
        integration_object["credentials"] = json!(role);
    }
    if let Some(parameters) = &normalised.parameters {
        integration_object["responses"]["default"]["responseParameters"] = json!(parameters);
    }

    let headers: Map<String, Json> = normalised
        .parameters
        .iter()
        .flatten()
        .filter_map(|(name, _)| name.strip_prefix("method.response.header."))
        .map(|header| (header.to_owned(), json!({ "schema": { "type": "string" } })))
        .collect();
    let mut answer = json!({ "description": "The event is queued for the function." });
    if !headers.is_empty() {
        answer["headers"] = Json::Object(headers);
    }

    let mut operation = json!({
        "responses": { status: answer },
        "x-amazon-apigateway-integration": integration_object,
    });
    let parameters: Vec<Json> =
        method.request_parameters.iter().flatten().filter_map(parameter).collect();
    if !parameters.is_empty() {
        operation["parameters"] = Json::Array(parameters);
    }
    if let Some(model) = named.request_model {
        let schema = json!({ "$ref": format!("#/components/schemas/{model}") });
        operation["requestBody"] =
            json!({ "content": { "application/json": { "schema": schema } } });
    }
    let validation = match named.request_model {
        Some(_) => Some(Validation::BodyAndParameters),
        None => method.validation(),
    };
    if let Some(validation) = validation {
        operation["x-amazon-apigateway-request-validator"] = json!(validation.name());
    }
    let mut security = Vec::new();
    match (method.authorization, named.authorizer) {
        (Authorization::AwsIam, _) => {
            operation["x-amazon-apigateway-auth"] = json!({ "type": "AWS_IAM" });
        }
        (Authorization::Custom | Authorization::CognitoUserPools, Some(scheme)) => {
            let scopes = method.authorization_scopes.clone().unwrap_or_default();
            security.push(json!({ scheme: scopes }));
        }
        _ => {}
    }
    if method.api_key_required {
        security.push(json!({ API_KEY_SCHEME: [] }));
    }
    if !security.is_empty() {
        operation["security"] = Json::Array(security);
    }
    operation
}

fn passthrough(behavior: PassthroughBehavior) -> String {
    behavior.as_str().to_ascii_lowercase()
}

/// `method.request.header.X-Sig: true` as an OpenAPI parameter object.
fn parameter((name, required): (&String, &bool)) -> Option<Json> {
    let rest = name.strip_prefix("method.request.")?;
    let (location, name) = rest.split_once('.')?;
    let place = match location {
        "header" => "header",
        "querystring" => "query",
        "path" => "path",
        _ => return None,
    };
    // OpenAPI requires path parameters to be required.
    let required = *required || place == "path";
    Some(json!({ "name": name, "in": place, "required": required, "schema": { "type": "string" } }))
}
