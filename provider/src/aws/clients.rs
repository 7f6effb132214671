//! From provider settings to ready SDK clients: the standard AWS chain for
//! anything unset, our endpoints and retry policy, and the account and
//! partition every ARN needs. Failures become one clear error each.

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_types::retry::RetryConfig;
use aws_types::region::Region;

use crate::aws::arn::{Account, Arn};
use crate::aws::config::{DEFAULT_MAX_RETRIES, Settings};
use crate::aws::endpoint::Destination;
use crate::aws::error::AwsError;
use crate::aws::rate_limit::Rates;
use crate::aws::retry::RetryPolicy;
use crate::plugin::Context;

/// Everything a resource needs to call AWS.
#[derive(Debug)]
pub struct Aws {
    pub apigateway: aws_sdk_apigateway::Client,
    pub apigatewayv2: aws_sdk_apigatewayv2::Client,
    pub iam: aws_sdk_iam::Client,
    pub lambda: aws_sdk_lambda::Client,
    sts: aws_sdk_sts::Client,
    pub region: String,
    pub retry: RetryPolicy,
    /// The dispatcher's role when the user brings one (`dispatcher_role_arn`).
    pub dispatcher_role_arn: Option<String>,
    /// No plan-time check of the targets' failure destinations.
    pub skip_failure_destination_check: bool,
    /// Asked of STS on first use, or read from an ARN the provider built.
    account: tokio::sync::OnceCell<Account>,
    /// A plan's one STS call failed: the plans after it do not ask again.
    plan_account_failed: std::sync::atomic::AtomicBool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigureError {
    #[error(
        "No AWS region is configured. Set region in the provider block, or AWS_REGION in the \
         environment, or a region in the selected profile."
    )]
    MissingRegion,
    #[error(
        "No AWS credentials were found: {0}. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
         choose a profile (profile or AWS_PROFILE), log in with `aws sso login`, or set \
         access_key and secret_key in the provider block."
    )]
    MissingCredentials(String),
    #[error(
        "AWS did not accept the credentials: {0}. Check that they are current (temporary \
         credentials expire) and belong to the intended account."
    )]
    InvalidCredentials(AwsError),
    /// Terraform's Stop, not a verdict on the credentials.
    #[error("{0}")]
    Stopped(AwsError),
}

impl Aws {
    /// The caller's account, read from `arn` (one this provider built for the
    /// caller, such as a permission's source ARN) when it is for this region,
    /// so refreshing state needs no STS call; else asked of STS.
    pub async fn account_from(
        &self,
        ctx: &Context,
        arn: Option<&str>,
    ) -> Result<Account, ConfigureError> {
        let named = arn.and_then(Arn::parse).and_then(|arn| arn.account());
        match named.filter(|account| account.region == self.region) {
            Some(account) => {
                // Known now for the rest of the run (a plan asks nothing more).
                let _ = self.account.set(account.clone());
                Ok(account)
            }
            None => self.account(ctx).await.cloned(),
        }
    }

    /// The caller's account and partition (one STS call per process).
    pub async fn account(&self, ctx: &Context) -> Result<&Account, ConfigureError> {
        self.account
            .get_or_try_init(|| async {
                let identity = self
                    .retry
                    .run(ctx, "STS", "GetCallerIdentity", || self.sts.get_caller_identity().send())
                    .await
                    .map_err(|e| match e {
                        AwsError::Stopped { .. } => ConfigureError::Stopped(e),
                        e => ConfigureError::InvalidCredentials(e),
                    })?;
                Ok(self.account_of(&identity))
            })
            .await
    }

    /// The caller's account for a plan, which needs it only to show a new
    /// object's identity: as known, else from one STS call without retries.
    /// `None` when that fails: the identity is then known after apply, and
    /// the apply, which needs the account, reports why it cannot get it.
    pub async fn account_for_plan(&self, ctx: &Context) -> Option<&Account> {
        use std::sync::atomic::Ordering;
        // Single-flight: the plans of many new objects wait for one call.
        let ask = || async {
            if self.plan_account_failed.load(Ordering::SeqCst) {
                return Err(None);
            }
            let call = || self.sts.get_caller_identity().send();
            match self.retry.run_once(ctx, "STS", "GetCallerIdentity", call).await {
                Ok(identity) => Ok(self.account_of(&identity)),
                Err(e) => {
                    self.plan_account_failed.store(true, Ordering::SeqCst);
                    Err(Some(e))
                }
            }
        };
        match self.account.get_or_try_init(ask).await {
            Ok(account) => Some(account),
            Err(failed) => {
                if let Some(e) = failed {
                    tracing::warn!(error = %e, "no account for the planned identity: known after apply");
                }
                None
            }
        }
    }

    fn account_of(&self, identity: &GetCallerIdentityOutput) -> Account {
        // arn:PARTITION:sts::ACCOUNT:assumed-role/...
        let partition = identity.arn().and_then(|arn| arn.split(':').nth(1)).unwrap_or("aws");
        Account {
            partition: partition.to_owned(),
            region: self.region.clone(),
            account_id: identity.account().unwrap_or_default().to_owned(),
        }
    }

    pub async fn connect(settings: &Settings) -> Result<Aws, ConfigureError> {
        // Our policy retries; the SDK's own retries would multiply with it.
        let mut loader =
            aws_config::defaults(BehaviorVersion::latest()).retry_config(RetryConfig::disabled());
        if let Some(region) = &settings.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(profile) = &settings.profile {
            loader = loader.profile_name(profile);
        }
        if let (Some(access_key), Some(secret_key)) = (&settings.access_key, &settings.secret_key) {
            loader = loader.credentials_provider(Credentials::new(
                access_key,
                secret_key,
                settings.token.clone(),
                None,
                "provider-block",
            ));
        }
        let shared = loader.load().await;
        let region = shared
            .region()
            .map(ToString::to_string)
            .filter(|r| !r.is_empty())
            .ok_or(ConfigureError::MissingRegion)?;
        let credentials = shared
            .credentials_provider()
            .ok_or_else(|| ConfigureError::MissingCredentials("no provider".into()))?;
        credentials
            .provide_credentials()
            .await
            .map_err(|e| ConfigureError::MissingCredentials(e.to_string()))?;

        let mut apigateway = aws_sdk_apigateway::config::Builder::from(&shared);
        if let Some(url) = &settings.apigateway_endpoint {
            apigateway = apigateway.endpoint_url(url);
        }
        let mut apigatewayv2 = aws_sdk_apigatewayv2::config::Builder::from(&shared);
        if let Some(url) = &settings.apigatewayv2_endpoint {
            apigatewayv2 = apigatewayv2.endpoint_url(url);
        }
        let mut iam = aws_sdk_iam::config::Builder::from(&shared);
        if let Some(url) = &settings.iam_endpoint {
            iam = iam.endpoint_url(url);
        }
        let mut lambda = aws_sdk_lambda::config::Builder::from(&shared);
        if let Some(url) = &settings.lambda_endpoint {
            lambda = lambda.endpoint_url(url);
        }
        let mut sts = aws_sdk_sts::config::Builder::from(&shared);
        if let Some(url) = &settings.sts_endpoint {
            sts = sts.endpoint_url(url);
        }
        let rest =
            Destination::resolve(&shared, "API Gateway", settings.apigateway_endpoint.as_deref());
        let http = Destination::resolve(
            &shared,
            "ApiGatewayV2",
            settings.apigatewayv2_endpoint.as_deref(),
        );
        let paced_api = Destination::shared_by(rest, http);
        let lambda_destination =
            Destination::resolve(&shared, "Lambda", settings.lambda_endpoint.as_deref());
        let rates = Rates::choose(settings.rate_limits, &paced_api, &lambda_destination);
        let retry = RetryPolicy::new(settings.max_retries.unwrap_or(DEFAULT_MAX_RETRIES), rates);
        Ok(Aws {
            apigateway: aws_sdk_apigateway::Client::from_conf(apigateway.build()),
            apigatewayv2: aws_sdk_apigatewayv2::Client::from_conf(apigatewayv2.build()),
            iam: aws_sdk_iam::Client::from_conf(iam.build()),
            lambda: aws_sdk_lambda::Client::from_conf(lambda.build()),
            sts: aws_sdk_sts::Client::from_conf(sts.build()),
            region,
            retry,
            dispatcher_role_arn: settings.dispatcher_role_arn.clone(),
            skip_failure_destination_check: settings.skip_failure_destination_check,
            account: tokio::sync::OnceCell::new(),
            plan_account_failed: std::sync::atomic::AtomicBool::new(false),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stopped_account_lookup_says_so_and_blames_no_credentials() {
        // The kernel accepts connections to it; nothing ever answers.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let settings = Settings {
            region: Some("us-east-1".into()),
            access_key: Some("test".into()),
            secret_key: Some("test".into()),
            sts_endpoint: Some(format!("http://{}", silent.local_addr().unwrap())),
            ..Settings::default()
        };
        let aws = Aws::connect(&settings).await.unwrap();
        let ctx = Context::default();
        ctx.stop.cancel();
        let error = aws.account(&ctx).await.unwrap_err();
        assert!(matches!(error, ConfigureError::Stopped(_)), "{error}");
        assert!(error.to_string().contains("asked the provider to stop"), "{error}");
        assert!(!error.to_string().contains("credentials"), "{error}");
    }
}
