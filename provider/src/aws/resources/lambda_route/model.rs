//! The typed model of an `async_lambda_route`: what the user declares and
//! what the provider works out, with the defaults in one place.

use std::collections::BTreeMap;

use crate::aws::arn::Account;
use crate::aws::closed_set::closed_set;
use crate::aws::dispatcher::RouteConfig;
use crate::aws::lambda::{FunctionRef, split_qualifier};

closed_set! {
    /// Who may call the route (HTTP APIs' authorization types).
    pub enum Authorization {
        None = "NONE",
        Jwt = "JWT",
        AwsIam = "AWS_IAM",
        Custom = "CUSTOM",
    }
}

impl Authorization {
    /// JWT and Lambda (`CUSTOM`) authorization run an authorizer of the API.
    pub fn needs_authorizer(self) -> bool {
        matches!(self, Authorization::Jwt | Authorization::Custom)
    }
}

/// The status a route answers with once the event is queued, by default.
pub const DEFAULT_STATUS: u16 = 202;

/// The route's id, `API_ID/ROUTE_ID`: also the import id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteId {
    pub api_id: String,
    pub route_id: String,
}

impl RouteId {
    pub fn parse(text: &str) -> Result<RouteId, String> {
        match text.split_once('/') {
            Some((api_id, route_id))
                if crate::aws::validate::is_api_id(api_id)
                    && crate::aws::validate::is_api_id(route_id) =>
            {
                Ok(RouteId { api_id: api_id.into(), route_id: route_id.into() })
            }
            _ => Err(format!(
                "{text:?} is not a route id: expected API_ID/ROUTE_ID, e.g. \"a1b2c3d4e5/f6g7h8i\" \
                 (the API's id and the route's, as `aws apigatewayv2 get-routes --api-id API_ID` \
                 lists them)."
            )),
        }
    }
}

impl std::fmt::Display for RouteId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.api_id, self.route_id)
    }
}

/// What the client is answered once the event is queued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Option<BTreeMap<String, String>>,
    /// `None`: `{"accepted": true, "requestId": ...}`.
    pub body: Option<String>,
}

impl Default for Response {
    fn default() -> Self {
        Response { status: DEFAULT_STATUS, headers: None, body: None }
    }
}

/// The route as declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inputs {
    pub api_id: String,
    pub route_key: String,
    pub function_name: String,
    pub qualifier: Option<String>,
    pub authorization: Authorization,
    pub authorizer_id: Option<String>,
    pub authorization_scopes: Option<Vec<String>>,
    pub response: Response,
}

impl Inputs {
    /// The qualified ARN of the function the route invokes.
    pub fn function_arn(&self, account: &Account) -> String {
        FunctionRef::lenient(&self.function_name).arn(account, self.qualifier.as_deref())
    }

    /// What the dispatcher is told for this route.
    pub fn route_config(&self, account: &Account) -> RouteConfig {
        let function_arn = self.function_arn(account);
        let (function, qualifier) = split_qualifier(&function_arn);
        RouteConfig {
            function: function.to_owned(),
            qualifier: qualifier.map(str::to_owned),
            status: self.response.status,
            headers: self.response.headers.clone().unwrap_or_default(),
            body: self.response.body.clone(),
        }
    }

    /// The route's own settings (not its dispatch) as AWS holds them.
    pub fn same_route_settings(&self, other: &Inputs) -> bool {
        self.route_key == other.route_key
            && self.authorization == other.authorization
            && self.authorizer_id == other.authorizer_id
            && self.authorization_scopes.clone().unwrap_or_default()
                == other.authorization_scopes.clone().unwrap_or_default()
    }
}

/// What the provider works out; `None` where there is nothing (yet).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Computed {
    pub route_id: Option<String>,
    /// The dispatcher integration the route targets; `None` when the route
    /// targets anything else (changed outside Terraform): the next apply
    /// repairs it.
    pub integration_id: Option<String>,
    pub function_arn: Option<String>,
    pub dispatcher_arn: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    pub inputs: Inputs,
    pub computed: Computed,
}

impl State {
    pub fn id(&self) -> Option<RouteId> {
        Some(RouteId {
            api_id: self.inputs.api_id.clone(),
            route_id: self.computed.route_id.clone()?,
        })
    }
}
