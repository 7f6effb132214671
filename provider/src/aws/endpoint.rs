//! Where a service's calls go, and so whether AWS's quotas apply to them:
//! an emulator (LocalStack, moto) has none, and pacing it to AWS's would
//! only slow its users down.
//!
//! The endpoint is resolved as the SDK resolves it: the provider block's,
//! else the SDK's configured one (`AWS_ENDPOINT_URL_<SERVICE>`, a profile's
//! `services` section, `AWS_ENDPOINT_URL`,
//! <https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html>),
//! else AWS's own for the region.

use aws_types::SdkConfig;
use aws_types::service_config::ServiceConfigKey;

/// The domains AWS serves its public, China and isolated partitions' APIs
/// from (including FIPS, dual-stack `api.aws` and VPC endpoint names).
const AWS_DOMAINS: [&str; 5] =
    ["amazonaws.com", "amazonaws.com.cn", "api.aws", "c2s.ic.gov", "sc2s.sgov.gov"];

/// Where one service's calls go.
#[derive(Clone, Debug, PartialEq)]
pub enum Destination {
    /// Nothing configured: AWS's endpoint for the region.
    AwsDefault,
    /// A configured URL on one of AWS's domains.
    AwsHost(String),
    /// A configured URL elsewhere: an emulator or a proxy of the user's.
    Elsewhere(String),
}

impl Destination {
    /// `setting` is the provider block's endpoint; `service_id` the SDK's
    /// name of the service ("API Gateway", "Lambda").
    pub fn resolve(shared: &SdkConfig, service_id: &str, setting: Option<&str>) -> Destination {
        let configured = || {
            let key = ServiceConfigKey::builder()
                .service_id(service_id)
                .env("AWS_ENDPOINT_URL")
                .profile("endpoint_url")
                .build()
                .ok()?;
            shared.service_config()?.load_config(key)
        };
        let url = setting
            .map(str::to_owned)
            .or_else(configured)
            .or_else(|| shared.endpoint_url().map(str::to_owned));
        match url {
            None => Destination::AwsDefault,
            Some(url) if is_aws_host(&url) => Destination::AwsHost(url),
            Some(url) => Destination::Elsewhere(url),
        }
    }

    /// Where the calls sharing one limiter go, as far as pacing goes: REST
    /// and HTTP API calls share API Gateway's, as they share the account's
    /// quota. Paced by the REST API endpoint, or when HTTP API calls go to
    /// an AWS host outright: an unset HTTP API endpoint beside an emulator's
    /// REST API one is no sign of AWS, since emulator users set only the
    /// services they use.
    pub fn shared_by(rest: Destination, http: Destination) -> Destination {
        match http {
            Destination::AwsHost(_) if !rest.is_aws() => http,
            _ => rest,
        }
    }

    pub fn is_aws(&self) -> bool {
        !matches!(self, Destination::Elsewhere(_))
    }
}

impl std::fmt::Display for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Destination::AwsDefault => f.write_str("AWS (no endpoint configured)"),
            Destination::AwsHost(url) => write!(f, "AWS ({url})"),
            Destination::Elsewhere(url) => write!(f, "{url}, not AWS"),
        }
    }
}

/// Whether `url`'s host is AWS's own (`https://apigateway.us-east-1.amazonaws.com`).
fn is_aws_host(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let host = host.split(':').next().unwrap_or_default().trim_end_matches('.');
    let host = host.to_ascii_lowercase();
    AWS_DOMAINS.iter().any(|domain| host.ends_with(&format!(".{domain}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_hosts_are_told_from_emulators_and_look_alikes() {
        for aws in [
            "https://apigateway.us-east-1.amazonaws.com",
            "https://lambda-fips.us-gov-west-1.amazonaws.com/",
            "https://apigateway.cn-north-1.amazonaws.com.cn",
            "https://lambda.eu-west-1.api.aws",
            "https://vpce-0a1b-xyz.execute-api.eu-west-1.vpce.amazonaws.com:443/",
            "HTTPS://LAMBDA.US-EAST-1.AMAZONAWS.COM.",
        ] {
            assert!(is_aws_host(aws), "{aws}");
        }
        for other in [
            "http://127.0.0.1:4566",
            "http://localhost.localstack.cloud:4566",
            "https://amazonaws.com.example.org",
            "https://proxy.corp/amazonaws.com",
            "https://user:amazonaws.com@proxy.corp",
            "https://notamazonaws.com",
        ] {
            assert!(!is_aws_host(other), "{other}");
        }
    }

    #[test]
    fn the_provider_block_wins_then_the_sdk_setting_then_aws() {
        let shared = SdkConfig::builder().endpoint_url("http://127.0.0.1:4566").build();
        let lambda = Destination::resolve(&shared, "Lambda", None);
        assert_eq!(lambda, Destination::Elsewhere("http://127.0.0.1:4566".into()));
        let set = Destination::resolve(&shared, "Lambda", Some("https://lambda.us-east-1.api.aws"));
        assert!(set.is_aws(), "{set}");
        let nothing = Destination::resolve(&SdkConfig::builder().build(), "Lambda", None);
        assert_eq!(nothing, Destination::AwsDefault);
    }

    #[test]
    fn api_gateway_is_paced_by_rest_apis_unless_http_apis_go_to_aws_outright() {
        let emulator = || Destination::Elsewhere("http://127.0.0.1:4566".into());
        let aws_host = || Destination::AwsHost("https://apigateway.us-east-1.amazonaws.com".into());
        // LocalStack users set only the endpoints of the services they use.
        assert!(!Destination::shared_by(emulator(), Destination::AwsDefault).is_aws());
        assert!(!Destination::shared_by(emulator(), emulator()).is_aws());
        assert!(Destination::shared_by(emulator(), aws_host()).is_aws());
        assert!(Destination::shared_by(Destination::AwsDefault, emulator()).is_aws());
    }
}
