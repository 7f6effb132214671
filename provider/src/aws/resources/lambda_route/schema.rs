//! The `async_lambda_route` schema: what every attribute means, for the
//! wire, validation and docs.

use super::attr::*;
use crate::plugin::{Attribute, Block, Schema, Type};

/// What a `list "async_lambda_route"` block takes (`terraform query`).
pub fn list_schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            description: "Every route of an HTTP API whose integration is one of this provider's \
                dispatcher integrations, whoever applied it: the async routes to adopt."
                .into(),
            attributes: vec![Attribute::required(
                API_ID,
                Type::String,
                "ID of the HTTP API to list.",
            )],
            blocks: Vec::new(),
        },
    }
}

pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            description: "An API Gateway HTTP API route that answers at once (202 by default) \
                and invokes a Lambda function asynchronously with the request's payload format \
                2.0 event, unchanged. HTTP APIs can only invoke Lambda synchronously, so the \
                route's integration goes to a small dispatcher function the provider deploys \
                and manages (`tf-async-dispatcher`, one per account and region, shared by every \
                route): it queues the event with `InvocationType=Event` and answers the \
                configured response once Lambda has accepted it. The route, its integration, \
                the dispatcher's permissions and the dispatcher itself are managed as one \
                resource."
                .into(),
            attributes: vec![
                Attribute::computed(
                    ID,
                    Type::String,
                    "The route's ID, `API_ID/ROUTE_ID`; also the import ID.",
                ),
                Attribute::required(API_ID, Type::String, "ID of the HTTP API (API Gateway v2).")
                    .requires_replace(),
                Attribute::required(
                    ROUTE_KEY,
                    Type::String,
                    "The route key: `METHOD /path` (methods `ANY`, `GET`, `POST`, `PUT`, \
                     `PATCH`, `DELETE`, `HEAD`, `OPTIONS`; path parameters `{name}`, a greedy \
                     `{name+}` last), e.g. `POST /hooks/{source}`, or `$default`.",
                ),
                Attribute::required(
                    FUNCTION_NAME,
                    Type::String,
                    "The Lambda function to invoke: a name, a full ARN or a partial ARN, \
                     optionally with `:QUALIFIER`.",
                ),
                Attribute::optional(
                    QUALIFIER,
                    Type::String,
                    "Version or alias of the function to invoke. Leave unset to invoke `$LATEST` \
                     or the qualifier in `function_name`.",
                ),
                Attribute::optional_computed(
                    AUTHORIZATION_TYPE,
                    Type::String,
                    "Who may call the route: `NONE` (default), `JWT`, `AWS_IAM` or `CUSTOM` \
                     (Lambda authorizer).",
                ),
                Attribute::optional(
                    AUTHORIZER_ID,
                    Type::String,
                    "ID of the API's authorizer; required with `JWT` and `CUSTOM`, not allowed \
                     otherwise.",
                ),
                Attribute::optional(
                    AUTHORIZATION_SCOPES,
                    Type::set(Type::String),
                    "Scopes a JWT must carry; only with `JWT`.",
                ),
                Attribute::optional_computed(
                    RESPONSE_STATUS_CODE,
                    Type::Number,
                    "Status the client receives once the event is queued, 200 to 299. Defaults \
                     to 202. A refused invocation is never answered 2xx: 413 when the event \
                     exceeds Lambda's 1 MB asynchronous payload limit, 502 when the function is \
                     missing, 503 when Lambda throttles.",
                ),
                Attribute::optional(
                    RESPONSE_HEADERS,
                    Type::map(Type::String),
                    "Headers of the answer, e.g. `{ \"access-control-allow-origin\" = \"*\" }`.",
                ),
                Attribute::optional(
                    RESPONSE_BODY,
                    Type::String,
                    "Body of the answer, as is (seed 001's `CUSTOM_RES`). Leave unset for \
                     `{\"accepted\": true, \"requestId\": \"...\"}` with the request id the \
                     event carries as `requestContext.requestId`, as `application/json`. At \
                     most 1,024 bytes.",
                ),
                Attribute::computed(ROUTE_ID, Type::String, "ID of the route."),
                Attribute::computed(
                    INTEGRATION_ID,
                    Type::String,
                    "ID of the route's integration: `AWS_PROXY`, payload format 2.0, to the \
                     dispatcher, telling it the target and the answer in a request header it \
                     removes before forwarding.",
                ),
                Attribute::computed(
                    FUNCTION_ARN,
                    Type::String,
                    "Resolved ARN of the function invoked, with its qualifier if any.",
                ),
                Attribute::computed(
                    DISPATCHER_ARN,
                    Type::String,
                    "ARN of the dispatcher function the route's integration invokes.",
                ),
            ],
            blocks: Vec::new(),
        },
    }
}
