//! Making sure of the dispatcher before a route uses it, and settling an
//! API's share of it after a route's integration changed: the invoke
//! statement scoped to the API and the role's permission to invoke the
//! API's targets follow what the API's integrations say, read afresh, and
//! the dispatcher goes when no API uses it any more.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::cache::Known;
use super::deployed::{DeployedFunction, Readiness};
use super::remote;
use super::route_config::{self, RouteConfig};
use super::{FUNCTION_NAME, documents, is_dispatcher_uri, package};
use crate::aws::apigateway::execute_api;
use crate::aws::apigatewayv2;
use crate::aws::clients::ConfigureError;
use crate::aws::error::AwsError;
use crate::aws::lambda::{self, Permission};
use crate::aws::run::Run;

/// The statement that lets HTTP API `api_id` invoke the dispatcher.
const STATEMENT_PREFIX: &str = "async-routes-";
/// The role's inline policy with the targets of one API's routes.
const TARGETS_POLICY_PREFIX: &str = "routes-";
const LOGS_POLICY: &str = "logs";
/// How long a new or updated function may take to become ready.
const READY_POLLS: u32 = 60;
/// A new role is not assumable by Lambda at once (IAM is eventually
/// consistent): CreateFunction is retried this many times, 2 s apart.
const ROLE_PROPAGATION_ATTEMPTS: u32 = 15;

#[derive(Debug, thiserror::Error)]
pub enum DispatcherError {
    #[error("{what} failed: {error}")]
    Call { what: &'static str, error: AwsError },
    #[error(
        "Lambda could not make the dispatcher function {FUNCTION_NAME} ready: {0}. Check it in \
         the Lambda console; the next apply updates it again."
    )]
    NotReady(String),
    #[error("{0}")]
    Credentials(#[from] ConfigureError),
    #[error("Waiting for the dispatcher was interrupted: Terraform asked the provider to stop.")]
    Stopped,
}

pub(super) trait Doing<T> {
    fn doing(self, what: &'static str) -> Result<T, DispatcherError>;
}

impl<T> Doing<T> for Result<T, AwsError> {
    fn doing(self, what: &'static str) -> Result<T, DispatcherError> {
        self.map_err(|error| DispatcherError::Call { what, error })
    }
}

/// A create between [`ensure`] and [`settle`]: while one lives, the run does
/// not remove the dispatcher, which the create's new integration uses.
#[derive(Debug)]
pub struct Claim(pub(super) Arc<AtomicUsize>);

impl Drop for Claim {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The managed role's policy with the targets of HTTP API `api_id`'s routes.
fn targets_policy(api_id: &str) -> String {
    format!("{TARGETS_POLICY_PREFIX}{api_id}")
}

pub(super) fn role_name(region: &str) -> String {
    format!("{FUNCTION_NAME}-{region}")
}

fn permission(account: &crate::aws::arn::Account, api_id: &str) -> Permission {
    Permission {
        statement_id: format!("{STATEMENT_PREFIX}{api_id}"),
        source_arn: execute_api::whole_api(account, api_id),
    }
}

/// Whether the dispatcher `arn` exists, runs this provider's code, API
/// `api_id` may invoke it and it may invoke `function` (unqualified) for the
/// API: a refresh's check that a route's shared parts are as they should be
/// (one read of the dispatcher, of its policy and of the API's role policy
/// per run).
pub async fn serves(
    run: Run<'_>,
    api_id: &str,
    arn: &str,
    function: &str,
) -> Result<bool, DispatcherError> {
    if deployed(run).await?.is_none_or(|d| d.arn != arn)
        || !role_allows(run, &targets_policy(api_id), function).await?
    {
        return Ok(false);
    }
    let account = run.account().await?;
    let wanted = permission(account, api_id);
    let statements = lambda::statements(run, arn).await.doing("Reading the dispatcher's policy")?;
    Ok(statements.iter().any(|s| s.permission().as_ref() == Some(&wanted)))
}

/// Whether the managed role's policy `policy` lets the dispatcher invoke
/// `function` (unqualified) at any qualifier: a refresh's check, one read
/// per policy per run. A brought role (`dispatcher_role_arn`) is not the
/// provider's to judge.
pub(super) async fn role_allows(
    run: Run<'_>,
    policy: &str,
    function: &str,
) -> Result<bool, DispatcherError> {
    if run.aws.dispatcher_role_arn.is_some() {
        return Ok(true);
    }
    let read = || async {
        let document = remote::role_policy(run, &role_name(run.region()), policy)
            .await
            .doing("Reading the dispatcher role's policy")?;
        Ok::<_, DispatcherError>(
            document.map_or_else(BTreeSet::new, |d| documents::invoked_resources(&d)),
        )
    };
    let allowed =
        run.cache.dispatcher.role_policies.get_or_try_init(&policy.to_owned(), read).await?;
    Ok(allowed.contains(function) && allowed.contains(&format!("{function}:*")))
}

/// The dispatcher, when it exists and runs this provider's code, as the
/// run first read it: a refresh's check, one read per run.
pub(super) async fn deployed(run: Run<'_>) -> Result<Option<&DeployedFunction>, DispatcherError> {
    let read =
        || async { remote::function(run, FUNCTION_NAME).await.doing("Reading the dispatcher") };
    let deployed = run.cache.dispatcher.deployed.get_or_try_init(read).await?;
    Ok(deployed.as_ref().filter(|d| d.code_sha256 == package::code_sha256()))
}

/// Makes sure the dispatcher exists and runs this provider's code; returns
/// its ARN and a claim on it for the create that asked.
pub async fn ensure(run: Run<'_>) -> Result<(String, Claim), DispatcherError> {
    let cache = &run.cache.dispatcher;
    let mut current = cache.current.lock().await;
    let claim = cache.claim();
    if let Known::Current(arn) = &*current {
        return Ok((arn.clone(), claim));
    }
    let arn = match remote::function(run, FUNCTION_NAME).await.doing("Reading the dispatcher")? {
        None => create(run).await?,
        Some(deployed) => {
            let deployed = wait_ready(run, deployed).await?;
            if deployed.code_sha256 != package::code_sha256() {
                remote::update_function_code(run, FUNCTION_NAME)
                    .await
                    .doing("Updating the dispatcher's code")?;
                let updated =
                    remote::function(run, FUNCTION_NAME).await.doing("Reading the dispatcher")?;
                wait_ready(
                    run,
                    updated.ok_or_else(|| {
                        DispatcherError::NotReady("it was deleted while being updated".into())
                    })?,
                )
                .await?;
            }
            deployed.arn
        }
    };
    *current = Known::Current(arn.clone());
    Ok((arn, claim))
}

async fn create(run: Run<'_>) -> Result<String, DispatcherError> {
    let role = match &run.aws.dispatcher_role_arn {
        Some(role) => role.clone(),
        None => ensure_role(run).await?,
    };
    let description = "Answers HTTP API routes and REST endpoints at once and invokes their \
                       targets asynchronously. Managed by terraform-provider-async \
                       (async_lambda_route, async_lambda_endpoint).";
    let mut attempt = 0;
    let arn = loop {
        attempt += 1;
        match remote::create_function(run, FUNCTION_NAME, &role, description).await {
            Ok(arn) => break arn,
            Err(e) if role_not_yet_assumable(&e) && attempt < ROLE_PROPAGATION_ATTEMPTS => {
                pause(run, Duration::from_secs(2)).await?;
            }
            Err(e) => {
                return Err(DispatcherError::Call { what: "Creating the dispatcher", error: e });
            }
        }
    };
    let created = remote::function(run, FUNCTION_NAME).await.doing("Reading the dispatcher")?;
    let created = created
        .ok_or_else(|| DispatcherError::NotReady("it was deleted after being created".into()))?;
    wait_ready(run, created).await?;
    Ok(arn)
}

/// Lambda's answer to a role IAM has not yet made assumable everywhere.
fn role_not_yet_assumable(error: &AwsError) -> bool {
    matches!(error, AwsError::Service { code, message, .. }
        if code == "InvalidParameterValueException" && message.contains("cannot be assumed"))
}

async fn ensure_role(run: Run<'_>) -> Result<String, DispatcherError> {
    let name = role_name(run.region());
    if let Some(arn) = remote::role_arn(run, &name).await.doing("Reading the dispatcher's role")? {
        return Ok(arn);
    }
    let account = run.account().await?;
    let description = "Role of the tf-async-dispatcher function: invokes the targets of \
                       async_lambda_route and dispatched async_lambda_endpoint resources. \
                       Managed by terraform-provider-async.";
    let arn = remote::create_role(run, &name, &documents::trust_policy(), description)
        .await
        .doing("Creating the dispatcher's role")?;
    remote::put_role_policy(run, &name, LOGS_POLICY, &documents::logs_policy(account))
        .await
        .doing("Writing the dispatcher's logs policy")?;
    Ok(arn)
}

async fn wait_ready(
    run: Run<'_>,
    mut deployed: DeployedFunction,
) -> Result<DeployedFunction, DispatcherError> {
    for _ in 0..READY_POLLS {
        match &deployed.readiness {
            Readiness::Ready => return Ok(deployed),
            Readiness::Failed(reason) => return Err(DispatcherError::NotReady(reason.clone())),
            Readiness::Busy => pause(run, Duration::from_secs(1)).await?,
        }
        deployed = remote::function(run, FUNCTION_NAME)
            .await
            .doing("Reading the dispatcher")?
            .ok_or_else(|| {
                DispatcherError::NotReady("it was deleted while becoming ready".into())
            })?;
    }
    Err(DispatcherError::NotReady(format!("still not ready after {READY_POLLS} s")))
}

pub(super) async fn pause(run: Run<'_>, duration: Duration) -> Result<(), DispatcherError> {
    tokio::select! {
        () = tokio::time::sleep(duration) => Ok(()),
        () = run.ctx.stop.cancelled() => Err(DispatcherError::Stopped),
    }
}

/// Brings API `api_id`'s share of the dispatcher in line with its
/// integrations: with routes to dispatch, the API may invoke the dispatcher
/// and the dispatcher their targets; without, neither, and the dispatcher
/// is removed when no API is left using it. `claim`, a create's, ends here.
pub async fn settle(
    run: Run<'_>,
    api_id: &str,
    claim: Option<Claim>,
) -> Result<(), DispatcherError> {
    let cache = &run.cache.dispatcher;
    let mut current = cache.current.lock().await;
    drop(claim);
    let integrations = match apigatewayv2::integrations(run, api_id).await {
        // A deleted API invokes nothing: its share is released like an empty one's.
        Err(e) if e.is_not_found() => Vec::new(),
        other => other.doing("Reading the HTTP API's integrations")?,
    };
    let targets: BTreeSet<String> = integrations
        .iter()
        .filter(|i| i.uri.as_deref().is_some_and(is_dispatcher_uri))
        .filter_map(|i| i.request_parameters.get(&route_config::parameter_key()))
        .filter_map(|value| RouteConfig::decode(value))
        .map(|config| config.function)
        .collect();
    if *current == Known::Unread {
        let read = remote::function(run, FUNCTION_NAME).await.doing("Reading the dispatcher")?;
        *current = read.map_or(Known::Absent, |deployed| Known::Present(deployed.arn));
    }
    let Some(arn) = current.arn().map(str::to_owned) else {
        // No dispatcher: nothing can invoke through it, nothing to settle.
        return Ok(());
    };
    let account = run.account().await?;
    let permission = permission(account, api_id);
    let targets_policy = targets_policy(api_id);
    allow_targets(run, &targets_policy, &targets).await?;
    if !targets.is_empty() {
        lambda::grant(run, &arn, api_id, &permission, lambda::Sharers::ThisRun)
            .await
            .doing("Letting the HTTP API invoke the dispatcher")?;
        return Ok(());
    }
    lambda::release(run, &arn, api_id, &permission, &lambda::NoOtherUsers)
        .await
        .doing("Removing the HTTP API's permission to invoke the dispatcher")?;
    retire_if_unused(run, &mut current, &arn).await
}

/// Makes the managed role's policy `policy` allow exactly `targets`
/// (unqualified ARNs, at any qualifier), or removes it when there are none;
/// nothing when this run left it so already (each create and delete
/// settles its API, most to the same document). A brought role is left as
/// it is. Called with the turn held.
pub(super) async fn allow_targets(
    run: Run<'_>,
    policy: &str,
    targets: &BTreeSet<String>,
) -> Result<(), DispatcherError> {
    if run.aws.dispatcher_role_arn.is_some() {
        return Ok(());
    }
    let cache = &run.cache.dispatcher;
    let document = (!targets.is_empty()).then(|| documents::invoke_policy(targets));
    if cache.written_policies.lock().get(policy) == Some(&document) {
        return Ok(());
    }
    let role = role_name(run.region());
    match &document {
        Some(document) => remote::put_role_policy(run, &role, policy, document)
            .await
            .doing("Allowing the dispatcher to invoke the functions")?,
        None => remote::delete_role_policy(run, &role, policy)
            .await
            .doing("Removing the dispatcher's permission to invoke the functions")?,
    }
    cache.role_policies.remove(&policy.to_owned());
    cache.written_policies.lock().insert(policy.to_owned(), document);
    Ok(())
}

/// Removes the dispatcher `arn` (and the managed role) unless something
/// still uses it: a create of this run between [`ensure`] and settling, an
/// HTTP API (its statement in the dispatcher's policy says so) or a REST
/// endpoint (its alias). Called with the turn held, as `current`.
pub(super) async fn retire_if_unused(
    run: Run<'_>,
    current: &mut Known,
    arn: &str,
) -> Result<(), DispatcherError> {
    if run.cache.dispatcher.claimed() {
        return Ok(());
    }
    lambda::forget_policy(run, arn);
    let routes = lambda::statements(run, arn)
        .await
        .doing("Reading the dispatcher's policy")?
        .iter()
        .any(|s| s.statement_id.starts_with(STATEMENT_PREFIX));
    if routes || remote::has_aliases(run).await.doing("Listing the dispatcher's aliases")? {
        return Ok(());
    }
    remote::delete_function(run, FUNCTION_NAME).await.doing("Deleting the dispatcher")?;
    lambda::forget_policy(run, arn);
    *current = Known::Absent;
    run.cache.dispatcher.aliases.lock().clear();
    if run.aws.dispatcher_role_arn.is_none() {
        retire_role(run, &role_name(run.region())).await?;
        run.cache.dispatcher.written_policies.lock().clear();
    }
    Ok(())
}

/// Deletes the managed role with its inline policies.
async fn retire_role(run: Run<'_>, role: &str) -> Result<(), DispatcherError> {
    let policies = match remote::role_policy_names(run, role).await {
        Err(e) if e.is_not_found() => return Ok(()),
        other => other.doing("Listing the dispatcher role's policies")?,
    };
    for policy in policies {
        remote::delete_role_policy(run, role, &policy)
            .await
            .doing("Deleting the dispatcher role's policies")?;
    }
    remote::delete_role(run, role).await.doing("Deleting the dispatcher's role")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lambdas_role_propagation_answer_is_waited_out() {
        let answer = |code: &str, message: &str| AwsError::Service {
            service: "Lambda",
            operation: "CreateFunction",
            code: code.into(),
            message: message.into(),
            status: 400,
        };
        let propagating = answer(
            "InvalidParameterValueException",
            "The role defined for the function cannot be assumed by Lambda.",
        );
        assert!(role_not_yet_assumable(&propagating));
        assert!(!role_not_yet_assumable(&answer("InvalidParameterValueException", "bad runtime")));
        assert!(!role_not_yet_assumable(&answer("AccessDeniedException", "cannot be assumed")));
    }
}
