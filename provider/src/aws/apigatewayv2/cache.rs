//! What a run keeps of HTTP APIs: each API's routes and integrations read
//! once (two calls, whatever the number of routes), single-flight, and
//! forgotten when the run writes to the API, so a later read sees the write.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use super::model::{Integration, Route};
use crate::aws::error::AwsError;
use crate::aws::once_map::OnceMap;

/// An HTTP API as one read saw it; `None` inside when there is no such API.
#[derive(Debug)]
pub struct HttpApiRead {
    pub routes: HashMap<String, Route>,
    pub integrations: HashMap<String, Integration>,
}

#[derive(Debug, Default)]
pub struct HttpApiCache(OnceMap<String, Option<HttpApiRead>>);

impl HttpApiCache {
    pub async fn get_or_read<F, Fut>(
        &self,
        api_id: &str,
        read: F,
    ) -> Result<Arc<Option<HttpApiRead>>, AwsError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<HttpApiRead>, AwsError>>,
    {
        self.0.get_or_try_init(&api_id.to_owned(), read).await
    }

    pub fn forget(&self, api_id: &str) {
        self.0.remove(&api_id.to_owned());
    }
}
