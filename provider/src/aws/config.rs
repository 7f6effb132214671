//! The `provider "async"` block: its schema, its checks, and the settings it
//! yields. Anything left unset falls back to the standard AWS chain.

use crate::aws::rate_limit::{APIGATEWAY_RATE, LAMBDA_RATE, RateLimits};
use crate::aws::validate::{self, Checker};
use crate::plugin::{Attribute, AttributePath, Block, NestedBlock, Nesting, Schema, Type, Value};

/// The services whose endpoints can be overridden (e.g. for LocalStack).
pub const ENDPOINT_SERVICES: [&str; 5] = ["apigateway", "apigatewayv2", "iam", "lambda", "sts"];

/// How the documentation names each service of [`ENDPOINT_SERVICES`].
const SERVICE_TITLES: [&str; 5] =
    ["API Gateway", "API Gateway v2 (HTTP APIs)", "IAM", "Lambda", "STS"];

/// The setting that turns off the plan-time check of failure destinations.
pub const SKIP_FAILURE_DESTINATION_CHECK: &str = "skip_failure_destination_check";

/// Retries for throttled or conflicting API calls when `max_retries` is unset.
pub const DEFAULT_MAX_RETRIES: u32 = 10;

/// The services paced by `rate_limits`, with their titles and default rates.
const RATE_LIMITED: [(&str, &str, f64); 2] =
    [("apigateway", "API Gateway", APIGATEWAY_RATE), ("lambda", "Lambda", LAMBDA_RATE)];

/// The highest rate `rate_limits` accepts, requests per second.
const MAX_RATE: f64 = 1000.0;

pub fn schema() -> Schema {
    let endpoint = |(service, title): (&str, &str)| {
        // The SDKs' environment variables spell the service ids with underscores.
        let variable = match service {
            "apigateway" => "API_GATEWAY",
            "apigatewayv2" => "APIGATEWAYV2",
            other => other,
        };
        Attribute::optional(
            service,
            Type::String,
            &format!(
                "Custom endpoint URL for the {title} API, e.g. `http://127.0.0.1:4566` for \
                 LocalStack. Defaults to `AWS_ENDPOINT_URL_{}`, then `AWS_ENDPOINT_URL`, then AWS.",
                variable.to_ascii_uppercase()
            ),
        )
    };
    Schema {
        version: 0,
        block: Block {
            description: "Configures access to AWS. Every argument is optional: unset ones come \
                          from the standard AWS chain (environment variables, shared config and \
                          credentials files, SSO, web identity, instance metadata)."
                .into(),
            attributes: vec![
                Attribute::optional(
                    "region",
                    Type::String,
                    "AWS region, e.g. `us-east-1`. Defaults to `AWS_REGION`, `AWS_DEFAULT_REGION` \
                     or the profile's region.",
                ),
                Attribute::optional(
                    "profile",
                    Type::String,
                    "Named profile from the shared config and credentials files. Defaults to \
                     `AWS_PROFILE`, then `default`.",
                ),
                Attribute::optional(
                    "access_key",
                    Type::String,
                    "Access key ID. Set together with `secret_key`; prefer the environment or a \
                     profile over literal keys in configuration.",
                ),
                Attribute::optional("secret_key", Type::String, "Secret access key.").sensitive(),
                Attribute::optional(
                    "token",
                    Type::String,
                    "Session token for temporary credentials.",
                )
                .sensitive(),
                Attribute::optional(
                    "max_retries",
                    Type::Number,
                    &format!(
                        "How many times to retry an API call that was throttled \
                         (`TooManyRequestsException`), conflicted (`ConflictException`) or failed \
                         transiently, with exponential backoff and jitter. Defaults to \
                         {DEFAULT_MAX_RETRIES}."
                    ),
                ),
                Attribute::optional(
                    "dispatcher_role_arn",
                    Type::String,
                    "ARN of an existing IAM role for the dispatcher function that \
                     `async_lambda_route` deploys, for organisations that do not let providers \
                     create roles. Lambda must be able to assume it, and it must allow \
                     `lambda:InvokeFunction` on every function the routes target and writing \
                     the dispatcher's logs. Unset: the provider creates and manages \
                     `tf-async-dispatcher-REGION`, allowing exactly that.",
                ),
                Attribute::optional(
                    SKIP_FAILURE_DESTINATION_CHECK,
                    Type::Bool,
                    "Set to `true` to skip the plan-time check that each target function (at its \
                     qualifier) has an on-failure destination or a dead-letter queue, and its \
                     warning. Defaults to `false`: the check asks Lambda once per function and \
                     run (GetFunctionEventInvokeConfig, then GetFunction when there is no \
                     destination).",
                ),
            ],
            blocks: vec![endpoints_block(endpoint), rate_limits_block()],
        },
    }
}

fn endpoints_block(endpoint: impl Fn((&str, &str)) -> Attribute) -> NestedBlock {
    NestedBlock {
        name: "endpoints".into(),
        nesting: Nesting::Single,
        block: Block {
            description: "Custom service endpoints.".into(),
            attributes: ENDPOINT_SERVICES.into_iter().zip(SERVICE_TITLES).map(endpoint).collect(),
            blocks: Vec::new(),
        },
        min_items: 0,
        max_items: 1,
    }
}

fn rate_limits_block() -> NestedBlock {
    let rate = |(service, title, default): (&str, &str, f64)| {
        Attribute::optional(
            service,
            Type::Number,
            &format!(
                "Requests per second this provider sends to the {title} control plane, shared \
                 by every resource it applies at once. Defaults to {default}, the account's \
                 quota in AWS's documentation, when the calls go to AWS (no endpoint set, or \
                 an AWS host), and to 0 (no pacing) when they go elsewhere (LocalStack, moto: \
                 no quota). Lower it when other clients share the account; set it to pace a \
                 proxy in front of AWS."
            ),
        )
    };
    NestedBlock {
        name: "rate_limits".into(),
        nesting: Nesting::Single,
        block: Block {
            description: "Client-side pacing to AWS's per-account request quotas, so that large \
                          applies wait for their turn instead of being throttled."
                .into(),
            attributes: RATE_LIMITED.into_iter().map(rate).collect(),
            blocks: Vec::new(),
        },
        min_items: 0,
        max_items: 1,
    }
}

pub fn validate(config: &Value) -> crate::plugin::Diagnostics {
    let mut check = Checker::new(config);
    check.check_string("region", validate::region);
    check.check_range("max_retries", 0, 100);
    let access_key = config.get("access_key");
    let secret_key = config.get("secret_key");
    if access_key.is_present() != secret_key.is_present()
        && !access_key.is_unknown()
        && !secret_key.is_unknown()
    {
        let missing = if access_key.is_present() { "secret_key" } else { "access_key" };
        check.error(
            AttributePath::root(missing),
            "Incomplete static credentials",
            "access_key and secret_key must be set together; or leave both unset to use the \
             standard AWS credential chain.",
        );
    }
    check.check_string("dispatcher_role_arn", validate::role_arn);
    let endpoints = config.get("endpoints");
    for service in ENDPOINT_SERVICES {
        if let Some(url) = endpoints.get(service).as_str()
            && let Err(detail) = validate::endpoint_url(url)
        {
            check.error(
                AttributePath::root("endpoints").attribute(service),
                "Invalid endpoint",
                detail,
            );
        }
    }
    let rate_limits = config.get("rate_limits");
    for (service, ..) in RATE_LIMITED {
        let rate = rate_limits.get(service);
        if rate.is_present() && !rate.as_f64().is_some_and(|r| (0.0..=MAX_RATE).contains(&r)) {
            check.error(
                AttributePath::root("rate_limits").attribute(service),
                "Invalid rate limit",
                format!(
                    "Must be a number of requests per second from 0 (no pacing) to {MAX_RATE}."
                ),
            );
        }
    }
    check.diagnostics
}

/// What the provider block says, decoded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub token: Option<String>,
    pub max_retries: Option<u32>,
    pub apigateway_endpoint: Option<String>,
    pub apigatewayv2_endpoint: Option<String>,
    pub iam_endpoint: Option<String>,
    pub lambda_endpoint: Option<String>,
    pub sts_endpoint: Option<String>,
    pub rate_limits: RateLimits,
    pub dispatcher_role_arn: Option<String>,
    pub skip_failure_destination_check: bool,
}

impl Settings {
    pub fn from_config(config: &Value) -> Settings {
        let string = |v: &Value| v.as_str().map(str::to_owned);
        let endpoints = config.get("endpoints");
        let rate_limits = config.get("rate_limits");
        Settings {
            region: string(config.get("region")),
            profile: string(config.get("profile")),
            access_key: string(config.get("access_key")),
            secret_key: string(config.get("secret_key")),
            token: string(config.get("token")),
            max_retries: config.get("max_retries").as_i64().and_then(|n| u32::try_from(n).ok()),
            apigateway_endpoint: string(endpoints.get("apigateway")),
            apigatewayv2_endpoint: string(endpoints.get("apigatewayv2")),
            iam_endpoint: string(endpoints.get("iam")),
            lambda_endpoint: string(endpoints.get("lambda")),
            sts_endpoint: string(endpoints.get("sts")),
            rate_limits: RateLimits {
                apigateway: rate_limits.get("apigateway").as_f64(),
                lambda: rate_limits.get("lambda").as_f64(),
            },
            dispatcher_role_arn: string(config.get("dispatcher_role_arn")),
            skip_failure_destination_check: config
                .get(SKIP_FAILURE_DESTINATION_CHECK)
                .as_bool()
                .unwrap_or(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_static_credentials_name_the_missing_attribute() {
        let config = Value::object([("access_key", Value::from("AKIA"))]);
        let diags = validate(&config);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].attribute, Some(AttributePath::root("secret_key")));
    }

    #[test]
    fn bad_endpoint_is_reported_inside_the_block() {
        let config =
            Value::object([("endpoints", Value::object([("lambda", Value::from("localhost"))]))]);
        let diags = validate(&config);
        assert_eq!(diags[0].attribute, Some(AttributePath::root("endpoints").attribute("lambda")));
    }

    #[test]
    fn settings_read_every_attribute() {
        let config = Value::object([
            ("region", Value::from("eu-west-1")),
            ("max_retries", Value::from(3)),
            ("endpoints", Value::object([("sts", Value::from("http://h:1"))])),
        ]);
        let s = Settings::from_config(&config);
        assert_eq!(s.region.as_deref(), Some("eu-west-1"));
        assert_eq!(s.max_retries, Some(3));
        assert_eq!(s.sts_endpoint.as_deref(), Some("http://h:1"));
        assert_eq!(s.lambda_endpoint, None);
        assert_eq!(s.rate_limits, RateLimits::default());
        let paced = Value::object([("rate_limits", Value::object([("lambda", Value::from(0))]))]);
        let limits = Settings::from_config(&paced).rate_limits;
        assert_eq!(limits, RateLimits { apigateway: None, lambda: Some(0.0) });
    }

    #[test]
    fn a_negative_rate_is_reported_inside_the_block() {
        let config =
            Value::object([("rate_limits", Value::object([("apigateway", Value::from(-1))]))]);
        let diags = validate(&config);
        let at = AttributePath::root("rate_limits").attribute("apigateway");
        assert_eq!(diags[0].attribute, Some(at));
    }
}
