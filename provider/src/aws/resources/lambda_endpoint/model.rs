//! One endpoint as typed data: its inputs in the parts AWS holds them in, and
//! what the provider computes. What the user leaves unset is the `Default`
//! here, and only here.
//!
//! Optional collections stay `Option`s: state must give back `{}` where the
//! user wrote `{}`, though AWS treats it as unset (see `normalised`).

use std::collections::BTreeMap;

use super::templates;
use super::validate::is_api_id;

/// `REST_API_ID/RESOURCE_ID/HTTP_METHOD`: where the method is; the
/// resource's id and import id. Changing any of it replaces the endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointId {
    pub rest_api_id: String,
    pub resource_id: String,
    pub http_method: String,
}

/// The function the method invokes, and the role it invokes it with (none:
/// the endpoint adds a Lambda permission instead).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    pub function_name: String,
    pub qualifier: Option<String>,
    pub credentials: Option<String>,
}

/// Who may call the method, and the request parameters it declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Method {
    pub authorization: String,
    pub authorizer_id: Option<String>,
    pub authorization_scopes: Option<Vec<String>>,
    pub api_key_required: bool,
    pub request_parameters: Option<BTreeMap<String, bool>>,
}

/// How API Gateway turns a request into the Lambda event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Integration {
    /// `None`: the built-in templates.
    pub request_templates: Option<BTreeMap<String, String>>,
    pub passthrough_behavior: String,
    pub timeout_milliseconds: i32,
}

/// What the client is answered once Lambda has queued the event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status_code: String,
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

/// How the method reaches the function: all of it follows from the id, the
/// [`Target`], the account and the resource path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wiring {
    pub function_arn: String,
    pub integration_uri: String,
    /// `None` when `credentials` invoke the function instead.
    pub permission: Option<Permission>,
}

/// The Lambda permission statement this endpoint added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permission {
    pub statement_id: String,
    pub source_arn: String,
}

/// What the provider works out or reads from AWS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Computed {
    /// The path of the API resource, e.g. `/hooks/{source}`.
    pub resource_path: String,
    pub wiring: Wiring,
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
            authorization: "NONE".into(),
            authorizer_id: None,
            authorization_scopes: None,
            api_key_required: false,
            request_parameters: None,
        }
    }
}

impl Default for Integration {
    fn default() -> Self {
        Integration {
            request_templates: None,
            passthrough_behavior: "NEVER".into(),
            timeout_milliseconds: 29_000,
        }
    }
}

impl Default for Response {
    fn default() -> Self {
        Response { status_code: "202".into(), templates: None, parameters: None }
    }
}

impl EndpointId {
    pub fn parse(id: &str) -> Result<EndpointId, String> {
        let parts: Vec<&str> = id.split('/').collect();
        match parts.as_slice() {
            [api, resource, method]
                if is_api_id(api)
                    && is_api_id(resource)
                    && super::schema::HTTP_METHODS.contains(method) =>
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
                super::schema::HTTP_METHODS.join(", ")
            )),
        }
    }
}

impl std::fmt::Display for EndpointId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.rest_api_id, self.resource_id, self.http_method)
    }
}

impl Method {
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
            status_code: self.status_code.clone(),
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
