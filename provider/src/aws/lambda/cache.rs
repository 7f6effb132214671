//! What a run keeps of Lambda: each function's policy read once (and kept in
//! step with the run's own grants and releases), each function seen to
//! exist, and the turns that order changes to one API's statement. The
//! reads themselves are the caller's (`super::reads`).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::policy::PolicyStatement;
use crate::aws::clock::{Clock, Moment};
use crate::aws::error::AwsError;
use crate::aws::once_map::OnceMap;
use crate::plugin::Guarded;

/// Each function's policy statements, by qualified function ARN.
#[derive(Debug, Default)]
pub struct PolicyCache(OnceMap<String, PolicyCopy>);

/// The run's copy of one function's policy.
#[derive(Debug)]
pub struct PolicyCopy {
    /// When the read it rests on began; the run's own changes since are in
    /// `statements`, another configuration's are not.
    pub read_at: Moment,
    pub statements: Guarded<Vec<PolicyStatement>>,
}

impl PolicyCache {
    /// The statements of `function_arn`'s policy as this run sees them:
    /// `read` by the first caller, single-flight.
    pub async fn get_or_read<F, Fut>(
        &self,
        function_arn: &str,
        clock: &Clock,
        read: F,
    ) -> Result<Arc<PolicyCopy>, AwsError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<PolicyStatement>, AwsError>>,
    {
        let read = || async {
            let read_at = clock.now();
            Ok(PolicyCopy { read_at, statements: Guarded::new(read().await?) })
        };
        self.0.get_or_try_init(&function_arn.to_owned(), read).await
    }

    /// Forgets the run's copy of `function_arn`'s policy (the function was
    /// deleted): the next reader reads it again.
    pub fn forget(&self, function_arn: &str) {
        self.0.remove(&function_arn.to_owned());
    }

    /// The run's copy of `function_arn`'s policy, if it was read.
    pub fn get(&self, function_arn: &str) -> Option<Arc<PolicyCopy>> {
        self.0.get(&function_arn.to_owned())
    }
}

/// Functions seen to exist this run, each asked once. A missing one is
/// asked again: a resource of the same apply may create it meanwhile.
#[derive(Debug, Default)]
pub struct FunctionCache(OnceMap<String, ()>);

impl FunctionCache {
    /// Whether `function_arn` exists, from the run's memory or from `ask`.
    pub async fn exists<F, Fut>(&self, function_arn: &str, ask: F) -> Result<bool, AwsError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<bool, AwsError>>,
    {
        // `Err(None)`: missing, so not kept.
        let ask = || async {
            match ask().await {
                Ok(true) => Ok(()),
                Ok(false) => Err(None),
                Err(e) => Err(Some(e)),
            }
        };
        match self.0.get_or_try_init(&function_arn.to_owned(), ask).await {
            Ok(_) => Ok(true),
            Err(None) => Ok(false),
            Err(Some(e)) => Err(e),
        }
    }
}

/// One turn at a time per function and API to change the statements that
/// let the API invoke the function, so concurrent grants and releases leave
/// neither a duplicate nor an orphan.
#[derive(Debug, Default)]
pub struct StatementTurns(Guarded<HashMap<TurnKey, Arc<Turn>>>);

/// A function's qualified ARN and the API whose statements it is.
type TurnKey = (String, String);

/// What a turn is taken for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Grant,
    Release,
}

/// One key's turns, and how many of each change wait for one.
#[derive(Debug, Default)]
pub struct Turn {
    lock: Arc<tokio::sync::Mutex<()>>,
    waiting: [AtomicUsize; 2],
}

/// A turn held; it lasts while this lives.
pub struct HeldTurn {
    _held: tokio::sync::OwnedMutexGuard<()>,
    turn: Arc<Turn>,
    change: Change,
}

impl HeldTurn {
    /// Whether a change of the same kind waits for the next turn: it will
    /// read AWS after this one, so a decision that another configuration
    /// could outdate may be left to it.
    pub fn another_waits(&self) -> bool {
        self.turn.waiting[self.change as usize].load(Ordering::SeqCst) > 0
    }
}

impl StatementTurns {
    /// Waits for the turn.
    pub async fn take(&self, function_arn: &str, api_id: &str, change: Change) -> HeldTurn {
        let key = (function_arn.to_owned(), api_id.to_owned());
        let turn = self.0.lock().entry(key).or_default().clone();
        let waiting = &turn.waiting[change as usize];
        waiting.fetch_add(1, Ordering::SeqCst);
        let held = turn.lock.clone().lock_owned().await;
        waiting.fetch_sub(1, Ordering::SeqCst);
        HeldTurn { _held: held, turn, change }
    }
}
