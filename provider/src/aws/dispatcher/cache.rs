//! What a run keeps of the dispatcher: one turn at a time to change it, the
//! ARN once it is known to be current, the aliases it made sure of, and the
//! creates between making sure of it and settling their API, which it must
//! not be removed under.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, Default)]
pub struct DispatcherCache {
    /// The turn, holding what the run knows of the dispatcher.
    pub(super) current: tokio::sync::Mutex<Known>,
    pub(super) claims: Arc<AtomicUsize>,
    /// The REST endpoints' aliases this run made sure of.
    pub(super) aliases: crate::plugin::Guarded<HashSet<String>>,
    /// What the managed role's invoke policies allow, by policy name, as a
    /// refresh first read them this run.
    pub(super) role_policies: crate::aws::once_map::OnceMap<String, BTreeSet<String>>,
    /// The managed role's policies as this run wrote them: a document, or
    /// `None` where it removed one.
    pub(super) written_policies: crate::plugin::Guarded<HashMap<String, Option<String>>>,
    /// The dispatcher's aliases as a refresh first listed them this run.
    pub(super) listed_aliases: tokio::sync::OnceCell<HashSet<String>>,
    /// The dispatcher as a refresh first read it this run; `None` inside:
    /// there is none.
    pub(super) deployed: tokio::sync::OnceCell<Option<super::deployed::DeployedFunction>>,
}

/// What the run knows of the dispatcher function.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) enum Known {
    /// Not read yet.
    #[default]
    Unread,
    Absent,
    /// There, with this ARN, its code not checked.
    Present(String),
    /// There and running this provider's code: made sure of by this run.
    Current(String),
}

impl Known {
    /// The ARN when it is there; `None` when it is not, or not read yet.
    pub(super) fn arn(&self) -> Option<&str> {
        match self {
            Known::Present(arn) | Known::Current(arn) => Some(arn),
            Known::Unread | Known::Absent => None,
        }
    }
}

impl DispatcherCache {
    pub(super) fn claim(&self) -> super::Claim {
        self.claims.fetch_add(1, Ordering::SeqCst);
        super::Claim(self.claims.clone())
    }

    pub(super) fn claimed(&self) -> bool {
        self.claims.load(Ordering::SeqCst) > 0
    }
}
