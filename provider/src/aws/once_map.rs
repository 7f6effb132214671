//! Single-flight values by key: the first caller for a key computes the
//! value, callers that arrive meanwhile wait for that one answer, and later
//! callers get it at once. A failure is not kept: the next caller tries again.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

#[derive(Debug)]
pub struct OnceMap<K, V> {
    cells: Mutex<HashMap<K, Arc<OnceCell<Arc<V>>>>>,
}

impl<K, V> Default for OnceMap<K, V> {
    fn default() -> Self {
        OnceMap { cells: Mutex::new(HashMap::new()) }
    }
}

impl<K: Eq + Hash + Clone, V> OnceMap<K, V> {
    pub async fn get_or_try_init<E, F, Fut>(&self, key: &K, init: F) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
            cells.entry(key.clone()).or_default().clone()
        };
        cell.get_or_try_init(|| async { init().await.map(Arc::new) }).await.cloned()
    }

    /// Forgets `key`'s value: the next caller computes it again.
    pub fn remove(&self, key: &K) {
        self.cells.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
    }

    /// The value for `key` if one was computed; never waits or computes.
    pub fn get(&self, key: &K) -> Option<Arc<V>> {
        let cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
        cells.get(key).and_then(|cell| cell.get().cloned())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_computation() {
        let map = Arc::new(OnceMap::<&str, u32>::default());
        let computed = Arc::new(AtomicU32::new(0));
        let callers: Vec<_> = (0..10)
            .map(|_| {
                let (map, computed) = (map.clone(), computed.clone());
                tokio::spawn(async move {
                    let value = map.get_or_try_init(&"api", || async {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        Ok::<_, ()>(computed.fetch_add(1, Ordering::SeqCst) + 7)
                    });
                    *value.await.unwrap()
                })
            })
            .collect();
        for caller in callers {
            assert_eq!(caller.await.unwrap(), 7);
        }
        assert_eq!(computed.load(Ordering::SeqCst), 1);
        let other = map.get_or_try_init(&"other", || async { Ok::<_, ()>(1) }).await;
        assert_eq!(*other.unwrap(), 1, "each key has its own value");
        assert_eq!(map.get(&"api").as_deref(), Some(&7));
        assert_eq!(map.get(&"unread"), None);
    }

    #[tokio::test]
    async fn a_failure_is_not_kept() {
        let map = OnceMap::<&str, u32>::default();
        assert_eq!(
            map.get_or_try_init(&"api", || async { Err("throttled") }).await,
            Err("throttled")
        );
        let value = map.get_or_try_init(&"api", || async { Ok::<_, &str>(3) }).await;
        assert_eq!(*value.unwrap(), 3);
    }
}
