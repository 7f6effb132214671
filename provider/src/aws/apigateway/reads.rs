//! What a request reads of API Gateway, through the run's cache.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::remote;
use super::rest_api::RestApi;
use crate::aws::error::AwsError;
use crate::aws::run::Run;
use crate::plugin::Guarded;

/// The REST API `rest_api_id` as the run sees it; `shared_templates` kept
/// as a mark (see [`RestApi`]).
pub async fn rest_api(
    run: Run<'_>,
    rest_api_id: &str,
    shared_templates: &'static BTreeMap<String, String>,
) -> Result<Arc<Guarded<RestApi>>, AwsError> {
    let get_resources = || remote::get_resources(run, rest_api_id);
    run.cache.rest_apis.get_or_read(rest_api_id, shared_templates, get_resources).await
}

/// The REST API as AWS holds it now, read apart from the run's copy `api`
/// (which keeps the run's own writes since its read; this read may lack
/// them): for a decision another configuration's run could outdate.
pub async fn rest_api_now(
    run: Run<'_>,
    api: &Guarded<RestApi>,
    rest_api_id: &str,
) -> Result<RestApi, AwsError> {
    let shared_templates = api.lock().shared_templates();
    Ok(RestApi::from_resources(remote::get_resources(run, rest_api_id).await?, shared_templates))
}
