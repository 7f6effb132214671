//! One Terraform run as the AWS layer serves it. A Configure makes a
//! [`Session`]: the SDK clients and the [`RunCache`] of what the run has read,
//! so each REST API and each function's policy is read once for every object
//! that needs it. Each request works through a [`Run`]: the session and the
//! request's own context (its Stop), passed as one handle.

use std::future::Future;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::request_id::RequestId;

use crate::aws::apigateway::cache::RestApiCache;
use crate::aws::apigateway::cache::ValidatorCache;
use crate::aws::apigatewayv2::cache::HttpApiCache;
use crate::aws::arn::Account;
use crate::aws::clients::{Aws, ConfigureError};
use crate::aws::clock::Clock;
use crate::aws::dispatcher::cache::DispatcherCache;
use crate::aws::error::AwsError;
use crate::aws::lambda::Checked;
use crate::aws::lambda::cache::{FunctionCache, PolicyCache, StatementTurns};
use crate::aws::once_map::OnceMap;
use crate::plugin::Context;

/// What a configured provider serves one Terraform run with.
#[derive(Debug)]
pub struct Session {
    pub aws: Aws,
    pub cache: RunCache,
}

impl Session {
    pub fn new(aws: Aws) -> Session {
        Session { aws, cache: RunCache::default() }
    }

    /// This session's handle for a request with context `ctx`.
    pub fn run<'a>(&'a self, ctx: &'a Context) -> Run<'a> {
        Run { aws: &self.aws, cache: &self.cache, ctx }
    }
}

/// What the run has read, by concern; each kept in step with the provider's
/// own writes. A configured provider serves one run, so what was read is as
/// fresh as the run's refresh.
#[derive(Debug, Default)]
pub struct RunCache {
    pub rest_apis: RestApiCache,
    pub request_validators: ValidatorCache,
    pub http_apis: HttpApiCache,
    pub policies: PolicyCache,
    pub functions: FunctionCache,
    pub statement_turns: StatementTurns,
    pub dispatcher: DispatcherCache,
    /// What keeps each target's failed events, by function and qualifier as
    /// configured: asked once a run, at plan.
    pub failure_handling: OnceMap<(String, Option<String>), Checked>,
    pub clock: Clock,
}

/// A request's handle on the run: the clients, the run's cache, and the
/// request's context.
#[derive(Clone, Copy, Debug)]
pub struct Run<'a> {
    pub aws: &'a Aws,
    pub cache: &'a RunCache,
    pub ctx: &'a Context,
}

impl<'a> Run<'a> {
    /// `call` paced, retried and stoppable (see [`crate::aws::retry`]).
    pub async fn call<T, E, F, Fut>(
        self,
        service: &'static str,
        operation: &'static str,
        call: F,
    ) -> Result<T, AwsError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
        T: RequestId,
    {
        self.aws.retry.run(self.ctx, service, operation, call).await
    }

    /// [`Run::call`] without retries, for a read whose failure costs only a
    /// warning: a plan never waits on backoff for it.
    pub async fn call_once<T, E, F, Fut>(
        self,
        service: &'static str,
        operation: &'static str,
        call: F,
    ) -> Result<T, AwsError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
        T: RequestId,
    {
        self.aws.retry.run_once(self.ctx, service, operation, call).await
    }

    pub fn region(self) -> &'a str {
        &self.aws.region
    }

    /// The caller's account and partition (one STS call per run).
    pub async fn account(self) -> Result<&'a Account, ConfigureError> {
        self.aws.account(self.ctx).await
    }
}
