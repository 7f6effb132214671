//! The dispatcher: a small Python function the provider deploys so that an
//! HTTP API route, which can only invoke Lambda synchronously, answers at
//! once while its target is invoked asynchronously; REST endpoints with
//! `delivery = "dispatcher"` use it to give their targets API Gateway's own
//! proxy event. One per account and region, shared by every route and
//! endpoint: created with the first and removed with the last, its code
//! kept current with the provider's, its role allowed to invoke exactly the
//! targets.

pub mod cache;
mod deployed;
mod documents;
pub mod endpoint_alias;
pub mod endpoints;
mod lifecycle;
mod package;
mod remote;
pub mod route_config;

pub use lifecycle::{Claim, DispatcherError, ensure, serves, settle};
pub use route_config::RouteConfig;

/// The dispatcher function's name (Lambda functions are regional).
pub const FUNCTION_NAME: &str = "tf-async-dispatcher";

/// Whether an integration URI names the dispatcher: its ARN, qualified or
/// not, or the invocations URI around it.
pub fn is_dispatcher_uri(uri: &str) -> bool {
    let function = uri.strip_suffix("/invocations").unwrap_or(uri);
    let (unqualified, _) = crate::aws::lambda::split_qualifier(
        function.rsplit_once("/functions/").map_or(function, |(_, arn)| arn),
    );
    unqualified.ends_with(&format!(":function:{FUNCTION_NAME}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatcher_uris_in_every_form() {
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:tf-async-dispatcher";
        assert!(is_dispatcher_uri(arn));
        assert!(is_dispatcher_uri(&format!("{arn}:live")));
        let invocations = format!(
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"
        );
        assert!(is_dispatcher_uri(&invocations));
        assert!(!is_dispatcher_uri("arn:aws:lambda:us-east-1:123456789012:function:worker"));
        assert!(!is_dispatcher_uri(
            "arn:aws:lambda:us-east-1:123456789012:function:tf-async-dispatcher-2"
        ));
    }
}
