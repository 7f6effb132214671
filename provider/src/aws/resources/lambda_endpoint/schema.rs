//! The `async_lambda_endpoint` schema: one place that says what every
//! attribute means, used for the wire, validation and docs.

use super::attr::*;
use crate::plugin::{Attribute, Block, Schema, Type};

/// What a `list "async_lambda_endpoint"` block takes (`terraform query`).
pub fn list_schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            description: "Every method of a REST API whose integration invokes a Lambda function \
                asynchronously (type `AWS`, a Lambda invocations URI, \
                `X-Amz-Invocation-Type = 'Event'`), whoever made it, or through this provider's \
                dispatcher (`delivery = \"dispatcher\"`): the async endpoints to adopt."
                .into(),
            attributes: vec![
                Attribute::required(REST_API_ID, Type::String, "ID of the REST API to list."),
                Attribute::optional(
                    PATH_PREFIX,
                    Type::String,
                    "Only methods on resources whose path starts with this, e.g. `/hooks`.",
                ),
            ],
            blocks: Vec::new(),
        },
    }
}

pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            description: "An API Gateway REST API method that invokes a Lambda function \
                asynchronously and answers at once (202 by default): the method, an `AWS` \
                integration with `X-Amz-Invocation-Type: 'Event'`, request templates, the method \
                and integration responses, and the Lambda permission, managed as one resource; \
                or, with `delivery = \"dispatcher\"`, a Lambda proxy integration through this \
                provider's dispatcher function, which gives the function API Gateway's own proxy \
                event."
                .into(),
            attributes: vec![
                Attribute::computed(
                    ID,
                    Type::String,
                    "The endpoint's ID, `REST_API_ID/RESOURCE_ID/HTTP_METHOD`; also the import ID.",
                ),
                Attribute::required(
                    REST_API_ID,
                    Type::String,
                    "ID of the REST API (API Gateway v1).",
                )
                .requires_replace(),
                Attribute::required(
                    RESOURCE_ID,
                    Type::String,
                    "ID of the API resource (path) the method is on.",
                )
                .requires_replace(),
                Attribute::required(
                    HTTP_METHOD,
                    Type::String,
                    "HTTP method: one of `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD`, \
                     `OPTIONS`, `ANY`.",
                )
                .requires_replace(),
                Attribute::required(
                    FUNCTION_NAME,
                    Type::String,
                    "The Lambda function to invoke: a name (`my-function`), a full ARN \
                     (`arn:aws:lambda:us-east-1:123456789012:function:my-function`) or a partial \
                     ARN (`123456789012:function:my-function`), optionally with `:QUALIFIER`.",
                ),
                Attribute::optional_computed(
                    QUALIFIER,
                    Type::String,
                    "Version or alias of the function to invoke. Leave unset to invoke `$LATEST` \
                     or the qualifier in `function_name`.",
                ),
                Attribute::optional_computed(
                    DELIVERY,
                    Type::String,
                    "How the event reaches the function. `direct` (default): API Gateway invokes \
                     it asynchronously (`X-Amz-Invocation-Type: 'Event'`) with the event the \
                     request templates build (see the Event Contract section). `dispatcher`: a \
                     Lambda proxy integration invokes the provider's dispatcher function, which \
                     queues API Gateway's own Lambda proxy (v1) event for the function (every \
                     value of repeated headers and query parameters; `body` null without a body) \
                     and answers `response_status_code` with `{\"accepted\": true, \
                     \"requestId\": \"...\"}`. With `dispatcher` the function must be in the \
                     provider's account and region, and `request_templates`, \
                     `passthrough_behavior`, `response_templates`, `response_parameters` and \
                     `credentials` do not apply.",
                ),
                Attribute::optional_computed(
                    AUTHORIZATION,
                    Type::String,
                    "Who may call the method: `NONE` (default), `AWS_IAM`, `CUSTOM` (Lambda \
                     authorizer) or `COGNITO_USER_POOLS`.",
                ),
                Attribute::optional_computed(
                    AUTHORIZER_ID,
                    Type::String,
                    "ID of the authorizer; required when `authorization` is `CUSTOM` or \
                     `COGNITO_USER_POOLS`.",
                ),
                Attribute::optional_computed(
                    AUTHORIZATION_SCOPES,
                    Type::set(Type::String),
                    "OAuth scopes a Cognito access token must carry; only with `COGNITO_USER_POOLS`.",
                ),
                Attribute::optional_computed(
                    API_KEY_REQUIRED,
                    Type::Bool,
                    "Whether callers must send an API key (`x-api-key`). Defaults to `false`.",
                ),
                Attribute::optional_computed(
                    REQUEST_PARAMETERS,
                    Type::map(Type::Bool),
                    "Method request parameters and whether each is required, e.g. \
                     `{ \"method.request.header.X-Signature\" = true, \
                     \"method.request.querystring.page\" = false }`. A request lacking a required \
                     one (or sending it blank) is answered 400 before Lambda is called.",
                ),
                Attribute::optional_computed(
                    REQUEST_SCHEMA,
                    Type::String,
                    "A JSON Schema (draft 4, as API Gateway models take it) that `application/json` \
                     request bodies must satisfy, written with `jsonencode()`. A request that does \
                     not is answered 400 before Lambda is called, so nothing is queued. The \
                     endpoint writes it as the REST API's model `AsyncEndpointRESOURCE_IDHTTP_METHOD` \
                     (naming draft 4 unless `$schema` does; another draft is refused) and checks \
                     requests with the REST API's request validator `async-endpoints` (bodies and \
                     parameters), removed with the last endpoint using them. Requests of other \
                     content types are not checked against it on AWS (see the README's \"What the \
                     202 promises\").",
                ),
                Attribute::optional_computed(
                    REQUEST_TEMPLATES,
                    Type::map(Type::String),
                    "Mapping templates (VTL) by request content type, turning a request into the \
                     Lambda event. Leave unset for the built-in template, installed for \
                     `application/json`, `application/x-www-form-urlencoded` and `text/plain`, \
                     with and without a charset: it builds a Lambda proxy (v1) event with the raw \
                     body base64-encoded (see the Event Contract section). Keys are media types \
                     (`type/subtype`, optional parameters); a key one letter from a built-in type, \
                     or templates leaving out `application/json` where that means 415, get a \
                     warning at plan.",
                ),
                Attribute::optional_computed(
                    PASSTHROUGH_BEHAVIOR,
                    Type::String,
                    "What to do with a request whose content type has no template: `NEVER` \
                     (default: refuse it with 415 Unsupported Media Type), `WHEN_NO_TEMPLATES` or \
                     `WHEN_NO_MATCH` (forward the body unchanged).",
                ),
                Attribute::optional_computed(
                    RESPONSE_STATUS_CODE,
                    Type::String,
                    "Status code the client receives once the event is queued, `200` to `299`. \
                     Defaults to `202`.",
                ),
                Attribute::optional_computed(
                    RESPONSE_TEMPLATES,
                    Type::map(Type::String),
                    "Response mapping templates by content type. Leave unset for the built-in \
                     JSON body carrying the request id, which the event carries too: \
                     `{\"accepted\": true, \"requestId\": \"...\"}`, or status 500 with \
                     `\"accepted\": false` when Lambda refused the event (see the Statuses \
                     section). Keys are media types, as for `request_templates`.",
                ),
                Attribute::optional_computed(
                    RESPONSE_PARAMETERS,
                    Type::map(Type::String),
                    "Response headers, from `method.response.header.NAME` to a value expression, \
                     e.g. `{ \"method.response.header.Access-Control-Allow-Origin\" = \"'*'\" }`.",
                ),
                Attribute::optional_computed(
                    CREDENTIALS,
                    Type::String,
                    "ARN of an IAM role API Gateway assumes to invoke the function. When set, no \
                     Lambda permission is added: the role must allow `lambda:InvokeFunction`.",
                ),
                Attribute::optional_computed(
                    TIMEOUT_MILLISECONDS,
                    Type::Number,
                    "Integration timeout, 50 to 29000 milliseconds. Defaults to 29000. An \
                     asynchronous invoke returns in milliseconds, so this rarely matters.",
                ),
                Attribute::computed(
                    RESOURCE_PATH,
                    Type::String,
                    "Path of the API resource, e.g. `/hooks/{source}`.",
                ),
                Attribute::computed(
                    FUNCTION_ARN,
                    Type::String,
                    "Resolved ARN of the function invoked, with its qualifier if any.",
                ),
                Attribute::computed(
                    INTEGRATION_URI,
                    Type::String,
                    "URI of the integration: \
                     `arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations`.",
                ),
                Attribute::computed(
                    PERMISSION_STATEMENT_ID,
                    Type::String,
                    "Statement ID of the Lambda permission the function is invoked through: \
                     `async-endpoints-REST_API_ID`, one statement shared by every endpoint of \
                     the REST API that invokes the function, added with the first and removed \
                     with the last (a function's policy holds 20,480 bytes, about 60 \
                     statements). Empty when `credentials` is set.",
                ),
                Attribute::computed(
                    PERMISSION_SOURCE_ARN,
                    Type::String,
                    "Source ARN the permission is scoped to: the REST API, \
                     `arn:aws:execute-api:REGION:ACCOUNT:API_ID/*`.",
                ),
                Attribute::computed(
                    REQUEST_VALIDATOR_ID,
                    Type::String,
                    "ID of the request validator checking the method's requests: the REST API's \
                     `async-endpoints` (bodies and parameters) with `request_schema`, else \
                     `async-endpoints-parameters` (parameters only) while a request parameter is \
                     marked required; empty when neither.",
                ),
                Attribute::computed(
                    REDEPLOYMENT_TRIGGER,
                    Type::String,
                    "A value that changes exactly when a stage must be redeployed to serve this \
                     endpoint's changes. Put it in `aws_api_gateway_deployment.triggers` so one \
                     apply redeploys.",
                ),
            ],
            blocks: Vec::new(),
        },
    }
}
