//! The dispatcher as REST endpoints use it: one alias per dispatch
//! (`endpoint_alias`), made before an endpoint's integration invokes it and
//! removed once no REST API's statement is on it; the role allowed to invoke
//! each REST API's dispatched targets.

use std::collections::BTreeSet;

use super::endpoint_alias;
use super::lifecycle::{self, Claim, DispatcherError, Doing, retire_if_unused};
use super::remote;
use crate::aws::lambda;
use crate::aws::run::Run;

/// The role's inline policy with the targets of one REST API's endpoints.
const TARGETS_POLICY_PREFIX: &str = "endpoints-";

/// The managed role's policy with the targets of REST API `rest_api_id`'s
/// dispatched endpoints.
fn targets_policy(rest_api_id: &str) -> String {
    format!("{TARGETS_POLICY_PREFIX}{rest_api_id}")
}

/// Makes sure the dispatcher runs this provider's code and has the alias
/// `alias`; returns a claim on both for the create or update that asked.
pub async fn ensure(run: Run<'_>, alias: &str) -> Result<Claim, DispatcherError> {
    let (_, claim) = lifecycle::ensure(run).await?;
    let cache = &run.cache.dispatcher;
    let _turn = cache.current.lock().await;
    if cache.aliases.lock().contains(alias) {
        return Ok(claim);
    }
    if !remote::alias_exists(run, alias).await.doing("Reading the dispatcher's alias")? {
        match remote::create_alias(run, alias).await {
            // Made meanwhile by another run: the same alias, the same dispatch.
            Err(e) if e.is_already_exists() => {}
            other => other.doing("Creating the dispatcher's alias")?,
        }
    }
    cache.aliases.lock().insert(alias.to_owned());
    Ok(claim)
}

/// Whether the dispatcher runs this provider's code, has the alias `alias`
/// and may invoke `function` (unqualified) for REST API `rest_api_id`: a
/// refresh's check of a REST endpoint's dispatch, one read of the
/// dispatcher, one listing of its aliases and one read of the API's role
/// policy per run.
pub async fn serves(
    run: Run<'_>,
    alias: &str,
    rest_api_id: &str,
    function: &str,
) -> Result<bool, DispatcherError> {
    if lifecycle::deployed(run).await?.is_none()
        || !lifecycle::role_allows(run, &targets_policy(rest_api_id), function).await?
    {
        return Ok(false);
    }
    let list = || async {
        let names = remote::alias_names(run).await.doing("Listing the dispatcher's aliases")?;
        Ok::<_, DispatcherError>(names.into_iter().collect())
    };
    Ok(run.cache.dispatcher.listed_aliases.get_or_try_init(list).await?.contains(alias))
}

/// Brings REST API `rest_api_id`'s share of the dispatcher in line after an
/// endpoint's integration changed: the managed role may invoke exactly
/// `targets()` (the unqualified ARNs the API's dispatched endpoints name),
/// asked in turn, after the settles before this one.
/// `released`: an alias the endpoint no longer invokes, removed when no
/// statement is left on it, and then the dispatcher when nothing uses it.
/// `claim`, a create's or an update's, ends here.
pub async fn settle(
    run: Run<'_>,
    rest_api_id: &str,
    targets: impl FnOnce() -> BTreeSet<String>,
    released: Option<&str>,
    claim: Option<Claim>,
) -> Result<(), DispatcherError> {
    let cache = &run.cache.dispatcher;
    let mut current = cache.current.lock().await;
    drop(claim);
    lifecycle::allow_targets(run, &targets_policy(rest_api_id), &targets()).await?;
    let Some(alias) = released else { return Ok(()) };
    if cache.claimed() {
        return Ok(());
    }
    let account = run.account().await?;
    let alias_arn = endpoint_alias::alias_arn(account, alias);
    lambda::forget_policy(run, &alias_arn);
    let statements =
        lambda::statements(run, &alias_arn).await.doing("Reading the dispatcher alias's policy")?;
    if !statements.is_empty() {
        return Ok(());
    }
    remote::delete_alias(run, alias).await.doing("Deleting the dispatcher's alias")?;
    cache.aliases.lock().remove(alias);
    lambda::forget_policy(run, &alias_arn);
    let (function_arn, _) = lambda::split_qualifier(&alias_arn);
    retire_if_unused(run, &mut current, function_arn).await
}
