//! Terraform's Stop ends the work in flight and nothing else. Every RPC takes
//! the token current when it starts; Stop cancels that token and puts a fresh
//! one in its place, as tf5server replaces its stop channel. One process can
//! so serve many Terraform runs (`--debug`), each free to be interrupted.

use tokio_util::sync::CancellationToken;

use crate::plugin::current::Current;
use crate::plugin::resource::Context;

#[derive(Debug, Default)]
pub struct Stopper(Current<CancellationToken>);

impl Stopper {
    /// The context of an RPC starting now: cancelled by the next Stop.
    pub fn context(&self) -> Context {
        Context { stop: self.0.get() }
    }

    /// Cancels every context handed out so far; later ones start fresh.
    pub fn stop(&self) {
        self.0.replace(CancellationToken::new()).cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_cancels_the_calls_in_flight_and_not_later_ones() {
        let stopper = Stopper::default();
        let (first, second) = (stopper.context(), stopper.context());
        stopper.stop();
        assert!(first.stop.is_cancelled() && second.stop.is_cancelled());

        let later = stopper.context();
        assert!(!later.stop.is_cancelled(), "a call after Stop starts fresh");
        stopper.stop();
        assert!(later.stop.is_cancelled(), "and the next Stop reaches it");
    }

    #[test]
    fn stop_with_nothing_in_flight_changes_nothing_later() {
        let stopper = Stopper::default();
        stopper.stop();
        stopper.stop();
        assert!(!stopper.context().stop.is_cancelled());
    }
}
