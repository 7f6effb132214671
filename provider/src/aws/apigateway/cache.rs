//! What a run keeps of API Gateway: each REST API read once, single-flight,
//! and kept in step with the run's own writes. Every write to a REST API
//! reads it first, so no write of the run happens before the read it would
//! have to be applied to.

use std::collections::BTreeMap;
use std::sync::Arc;

use std::future::Future;

use aws_sdk_apigateway::types::{RequestValidator, Resource};

use super::rest_api::RestApi;
use crate::aws::error::AwsError;
use crate::aws::once_map::OnceMap;
use crate::plugin::Guarded;

#[derive(Debug)]
pub struct RestApiCache {
    apis: OnceMap<String, Guarded<RestApi>>,
    /// One REST API read at a time: an answer holds every method's templates
    /// (~100 KB each) until it is read and marked, and GetResources has a
    /// quota of its own (5 every 2 seconds) anyway.
    reads: tokio::sync::Semaphore,
}

impl Default for RestApiCache {
    fn default() -> Self {
        RestApiCache { apis: OnceMap::default(), reads: tokio::sync::Semaphore::new(1) }
    }
}

impl RestApiCache {
    /// The REST API `rest_api_id` as this run sees it, its resources got by
    /// `get_resources` for the first caller. `shared_templates`: request
    /// templates many methods hold, kept as a mark (see [`RestApi`]).
    pub async fn get_or_read<F, Fut>(
        &self,
        rest_api_id: &str,
        shared_templates: &'static BTreeMap<String, String>,
        get_resources: F,
    ) -> Result<Arc<Guarded<RestApi>>, AwsError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<Vec<Resource>>, AwsError>>,
    {
        let read = || async {
            // Never closed, so acquiring only waits.
            let _turn = self.reads.acquire().await.expect("the semaphore is never closed");
            let resources = get_resources().await?;
            Ok(Guarded::new(RestApi::from_resources(resources, shared_templates)))
        };
        self.apis.get_or_try_init(&rest_api_id.to_owned(), read).await
    }
}

/// Each REST API's request validators as the run knows them, read once;
/// the lock orders the run's makes and deletes (`request_validator`).
pub type ValidatorCache = OnceMap<String, tokio::sync::Mutex<Vec<RequestValidator>>>;
