//! One endpoint as typed data: its inputs in the parts AWS holds them in, and
//! what the provider computes. What the user leaves unset is the `Default`
//! here, and only here.
//!
//! Optional collections stay `Option`s: state must give back `{}` where the
//! user wrote `{}`, though AWS treats it as unset (see `normalised`).

use std::collections::BTreeMap;

use super::templates;
/// `REST_API_ID/RESOURCE_ID/HTTP_METHOD`: where the method is; the
/// resource's id and import id. Changing any of it replaces the endpoint.
pub use crate::aws::apigateway::MethodId as EndpointId;
use crate::aws::closed_set::closed_set;
/// The Lambda permission statement this endpoint invokes through.
pub use crate::aws::lambda::Permission;
use crate::aws::validate::is_api_id;

/// The methods API Gateway knows; `ANY` stands for each.
pub const HTTP_METHODS: [&str; 8] =
    ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"];

/// The function the method invokes, how, and the role it invokes it with
/// (none: the endpoint adds a Lambda permission instead).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    pub function_name: String,
    pub qualifier: Option<String>,
    pub delivery: Delivery,
    pub credentials: Option<String>,
}

closed_set! {
    /// How the event reaches the function.
    #[derive(Default)]
    pub enum Delivery {
        /// API Gateway invokes it with `X-Amz-Invocation-Type: Event`, the
        /// event made by the request templates.
        #[default]
        Direct = "direct",
        /// API Gateway's Lambda proxy integration invokes the dispatcher,
        /// which queues API Gateway's own proxy event for the function.
        Dispatcher = "dispatcher",
    }
}

closed_set! {
    /// Who may call the method (API Gateway's `authorizationType`).
    pub enum Authorization {
        None = "NONE",
        AwsIam = "AWS_IAM",
        Custom = "CUSTOM",
        CognitoUserPools = "COGNITO_USER_POOLS",
    }
}

impl Authorization {
    /// Whether it takes an `authorizer_id`.
    pub fn needs_authorizer(self) -> bool {
        matches!(self, Authorization::Custom | Authorization::CognitoUserPools)
    }
}

closed_set! {
    /// What API Gateway does with a request whose media type has no template.
    pub enum PassthroughBehavior {
        /// Refuses it with 415.
        Never = "NEVER",
        /// Passes its body through when there are no templates at all, else
        /// refuses it with 415.
        WhenNoTemplates = "WHEN_NO_TEMPLATES",
        /// Passes its body through.
        WhenNoMatch = "WHEN_NO_MATCH",
    }
}

/// An HTTP status code, as API Gateway holds a method response's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusCode(u16);

impl StatusCode {
    pub const ACCEPTED: StatusCode = StatusCode(202);

    /// Three digits, 100 to 599.
    pub fn parse(text: &str) -> Option<StatusCode> {
        let code = text.parse().ok().filter(|c| (100..=599).contains(c) && text.len() == 3)?;
        Some(StatusCode(code))
    }

    pub fn code(self) -> u16 {
        self.0
    }

    /// 200 to 299: the client is told its event was queued.
    pub fn is_success(self) -> bool {
        (200..=299).contains(&self.0)
    }
}

impl std::fmt::Display for StatusCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

pub use crate::aws::apigateway::request_validator::Validation;

/// Who may call the method, the request parameters it declares, and the
/// JSON Schema its `application/json` bodies must satisfy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Method {
    pub authorization: Authorization,
    pub authorizer_id: Option<String>,
    pub authorization_scopes: Option<Vec<String>>,
    pub api_key_required: bool,
    pub request_parameters: Option<BTreeMap<String, bool>>,
    /// As configured (`jsonencode(...)`); `None` only as refreshed when the
    /// method no longer uses the endpoint's model.
    pub request_schema: Option<String>,
}

/// How API Gateway turns a request into the Lambda event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Integration {
    /// `None`: the built-in templates.
    pub request_templates: Option<BTreeMap<String, String>>,
    pub passthrough_behavior: PassthroughBehavior,
    pub timeout_milliseconds: i32,
}

/// What the client is answered once Lambda has queued the event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// `None` only as refreshed: AWS holds no default response (removed out
    /// of band), so the client gets no answer; the plan repairs it.
    pub status_code: Option<StatusCode>,
    /// `None`: the built-in template.
    pub templates: Option<BTreeMap<String, String>>,
    pub parameters: Option<BTreeMap<String, String>>,
}

/// What the configuration asks for; what it leaves unset is the default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inputs {
    pub id: EndpointId,
    pub target: Target,
    pub method: Method,
    pub integration: Integration,
    pub response: Response,
}

/// The function the method invokes, as a qualified ARN, and the
/// integration URI it does so by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    pub function_arn: String,
    pub integration_uri: String,
    /// What API Gateway invokes, and the permission is on: the function, or
    /// the dispatcher's alias for it.
    pub invoked_arn: String,
    /// The dispatcher's alias API Gateway invokes, with `delivery = "dispatcher"`.
    pub alias: Option<String>,
}

/// How the method reaches the function: all of it follows from the id, the
/// [`Target`], the account and the resource path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wiring {
    /// The qualified ARN. `None` only as refreshed: a state moved from
    /// hashicorp/aws before its refresh, or the import of a method that
    /// invokes no function.
    pub function_arn: Option<String>,
    /// `None` only as refreshed: the method's integration is not this
    /// endpoint's (replaced or removed out of band); the plan repairs it.
    pub integration_uri: Option<String>,
    /// `None` when `credentials` invoke the function instead.
    pub permission: Option<Permission>,
}

/// What the provider works out or reads from AWS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Computed {
    /// The path of the API resource, e.g. `/hooks/{source}`; `None` only in
    /// a state moved from hashicorp/aws, until its refresh.
    pub resource_path: Option<String>,
    pub wiring: Wiring,
    /// The request validator checking the method's requests (the REST
    /// API's shared one) while [`Method::validates`]; else `None`.
    pub request_validator_id: Option<String>,
}

/// A prior, applied or refreshed state. Its id and redeployment trigger
/// follow from the inputs, so they are written, never stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    pub inputs: Inputs,
    pub computed: Computed,
}

impl Default for Method {
    fn default() -> Self {
        Method {
            authorization: Authorization::None,
            authorizer_id: None,
            authorization_scopes: None,
            api_key_required: false,
            request_parameters: None,
            request_schema: None,
        }
    }
}

impl Default for Integration {
    fn default() -> Self {
        Integration {
            request_templates: None,
            passthrough_behavior: PassthroughBehavior::Never,
            timeout_milliseconds: 29_000,
        }
    }
}

impl Default for Response {
    fn default() -> Self {
        Response { status_code: Some(StatusCode::ACCEPTED), templates: None, parameters: None }
    }
}

impl EndpointId {
    pub fn parse(id: &str) -> Result<EndpointId, String> {
        let parts: Vec<&str> = id.split('/').collect();
        match parts.as_slice() {
            [api, resource, method]
                if is_api_id(api) && is_api_id(resource) && HTTP_METHODS.contains(method) =>
            {
                Ok(EndpointId {
                    rest_api_id: (*api).to_owned(),
                    resource_id: (*resource).to_owned(),
                    http_method: (*method).to_owned(),
                })
            }
            _ => Err(format!(
                "{id:?} is not an endpoint id. Expected REST_API_ID/RESOURCE_ID/HTTP_METHOD, e.g. \
                 a1b2c3d4e5/f6g7h8/POST, with HTTP_METHOD one of {}.",
                HTTP_METHODS.join(", ")
            )),
        }
    }
}

impl Method {
    /// What API Gateway must check before the integration: bodies against
    /// the schema (and parameters), or only parameters marked required.
    pub fn validation(&self) -> Option<Validation> {
        if self.request_schema.is_some() {
            Some(Validation::BodyAndParameters)
        } else if self.request_parameters.iter().flatten().any(|(_, required)| *required) {
            Some(Validation::Parameters)
        } else {
            None
        }
    }

    /// The method as API Gateway holds it: unset and empty alike.
    pub fn normalised(&self) -> Method {
        Method {
            authorization_scopes: non_empty(self.authorization_scopes.clone()),
            request_parameters: non_empty(self.request_parameters.clone()),
            ..self.clone()
        }
    }
}

impl Integration {
    /// The templates API Gateway is given: the configured or the built-in ones.
    pub fn effective_request_templates(&self) -> BTreeMap<String, String> {
        self.request_templates
            .clone()
            .unwrap_or_else(|| templates::built_in_request_templates().clone())
    }

    /// The integration as API Gateway holds it: the templates written out.
    pub fn normalised(&self) -> Integration {
        Integration { request_templates: Some(self.effective_request_templates()), ..self.clone() }
    }
}

impl Response {
    /// The templates API Gateway is given: the configured or the built-in one.
    pub fn effective_templates(&self) -> BTreeMap<String, String> {
        self.templates.clone().unwrap_or_else(|| templates::built_in_response_templates().clone())
    }

    /// The response as API Gateway holds it: the templates written out,
    /// unset and empty parameters alike.
    pub fn normalised(&self) -> Response {
        Response {
            status_code: self.status_code,
            templates: Some(self.effective_templates()),
            parameters: non_empty(self.parameters.clone()),
        }
    }
}

/// An empty collection as unset.
pub fn non_empty<C>(collection: Option<C>) -> Option<C>
where
    for<'a> &'a C: IntoIterator,
{
    collection.filter(|c| c.into_iter().next().is_some())
}
