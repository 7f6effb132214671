//! The run's logical clock, for decisions another configuration's run could
//! outdate.

use std::sync::atomic::{AtomicU64, Ordering};

/// The run's logical clock. Another configuration (another state file)
/// may change what this run shares with it at any time, so a decision
/// about a shared statement must rest on a read of AWS begun after the
/// run's own write it follows: the clock orders the two.
#[derive(Debug, Default)]
pub struct Clock(AtomicU64);

/// A point on the run's [`Clock`]; each is later than every one before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Moment(u64);

impl Clock {
    pub fn now(&self) -> Moment {
        Moment(self.0.fetch_add(1, Ordering::SeqCst))
    }
}
