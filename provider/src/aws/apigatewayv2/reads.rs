//! What a request reads of an HTTP API, through the run's cache.

use std::sync::Arc;

use super::cache::HttpApiRead;
use super::remote;
use crate::aws::error::AwsError;
use crate::aws::run::Run;

/// API `api_id`'s routes and integrations as the run sees them; `None`
/// inside when there is no such API.
pub async fn http_api(run: Run<'_>, api_id: &str) -> Result<Arc<Option<HttpApiRead>>, AwsError> {
    let read = || async {
        let Some(routes) = remote::routes(run, api_id).await? else { return Ok(None) };
        let integrations = remote::integrations(run, api_id).await?;
        Ok(Some(HttpApiRead {
            routes: routes.into_iter().map(|r| (r.id.clone(), r)).collect(),
            integrations: integrations.into_iter().map(|i| (i.id.clone(), i)).collect(),
        }))
    };
    run.cache.http_apis.get_or_read(api_id, read).await
}

/// The run wrote to API `api_id`: the next read reads it again.
pub fn wrote(run: Run<'_>, api_id: &str) {
    run.cache.http_apis.forget(api_id);
}
