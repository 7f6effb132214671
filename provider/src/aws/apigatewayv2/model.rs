//! HTTP APIs, their integrations and routes, as the provider reads them.

use std::collections::HashMap;

use aws_sdk_apigatewayv2::types::AuthorizationType;

/// An API as far as routes go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Api {
    /// `HTTP` or `WEBSOCKET`.
    pub is_http: bool,
}

/// An integration as far as dispatching goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Integration {
    pub id: String,
    pub uri: Option<String>,
    pub request_parameters: HashMap<String, String>,
}

impl From<&aws_sdk_apigatewayv2::types::Integration> for Integration {
    fn from(i: &aws_sdk_apigatewayv2::types::Integration) -> Integration {
        Integration {
            id: i.integration_id().unwrap_or_default().to_owned(),
            uri: i.integration_uri().map(str::to_owned),
            request_parameters: i.request_parameters().cloned().unwrap_or_default(),
        }
    }
}

/// A route as any resource reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub id: String,
    pub route_key: String,
    /// `integrations/ID`, or anything else a route can target.
    pub target: Option<String>,
    /// `NONE` when AWS gives none.
    pub authorization_type: String,
    pub authorizer_id: Option<String>,
    pub authorization_scopes: Vec<String>,
}

impl Route {
    /// The integration the route targets, if it targets one.
    pub fn integration_id(&self) -> Option<&str> {
        self.target.as_deref()?.strip_prefix("integrations/")
    }

    pub(super) fn of(r: &aws_sdk_apigatewayv2::types::Route) -> Route {
        Route {
            id: r.route_id().unwrap_or_default().to_owned(),
            route_key: r.route_key().unwrap_or_default().to_owned(),
            target: r.target().map(str::to_owned),
            authorization_type: r
                .authorization_type()
                .map_or("NONE", AuthorizationType::as_str)
                .to_owned(),
            authorizer_id: r.authorizer_id().filter(|a| !a.is_empty()).map(str::to_owned),
            authorization_scopes: r.authorization_scopes().to_vec(),
        }
    }
}
