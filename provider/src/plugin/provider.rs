//! What a provider is to the protocol layer: its configuration, and the
//! resources, actions and functions it offers.

use std::sync::Arc;

use async_trait::async_trait;

use crate::plugin::action::Action;
use crate::plugin::diagnostics::Diagnostics;
use crate::plugin::function::Function;
use crate::plugin::resource::{Context, Resource};
use crate::plugin::schema::Schema;
use crate::plugin::value::Value;

/// A provider: its configuration and the resources it offers.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    fn schema(&self) -> &Schema;

    /// Checks the provider configuration without calling anything remote.
    fn validate(&self, config: &Value) -> Diagnostics;

    /// Applies the configuration; resources are called only after this succeeds.
    /// Terraform configures once per run, so a process serving many runs
    /// (`--debug`) is configured again, possibly with other settings.
    async fn configure(&self, config: Value, ctx: &Context) -> Diagnostics;

    /// The resources as configured now: asked once at start (for the schemas,
    /// which must not change), then again after every [`Provider::configure`].
    /// Calls that start later go to the new ones; calls in flight finish with
    /// those they started with.
    fn resources(&self) -> Vec<Arc<dyn Resource>>;

    /// The actions as configured now (Terraform 1.14+): asked when the
    /// resources are, and kept the same way.
    fn actions(&self) -> Vec<Arc<dyn Action>> {
        Vec::new()
    }

    /// The provider functions (Terraform 1.8+), asked once at start.
    fn functions(&self) -> Vec<Arc<dyn Function>> {
        Vec::new()
    }
}
