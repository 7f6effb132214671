//! Actions (plugin protocol 5.10, Terraform 1.14+): operations a
//! configuration declares in `action` blocks and Terraform invokes on
//! request (`terraform apply -invoke=action.TYPE.NAME`) or from a
//! resource's `action_trigger`. They change nothing Terraform tracks: no
//! state, only progress messages and diagnostics.

use async_trait::async_trait;
use tokio::sync::mpsc;

use crate::plugin::diagnostics::Diagnostics;
use crate::plugin::resource::Context;
use crate::plugin::schema::Schema;
use crate::plugin::value::Value;

#[async_trait]
pub trait Action: Send + Sync {
    /// The full type name, e.g. `aws_lambda_invoke`.
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> &Schema;

    /// Checks a configuration without calling anything remote; unknown
    /// values are checked again once known.
    fn validate(&self, config: &Value) -> Diagnostics;

    /// Runs the action. Each progress message goes to `progress` as it
    /// happens; Terraform shows it at once. A failed send means Terraform
    /// stopped listening: carry on or stop, as is safest. The diagnostics
    /// returned end the invocation (an error fails the apply).
    async fn invoke(
        &self,
        config: Value,
        ctx: &Context,
        progress: mpsc::Sender<String>,
    ) -> Diagnostics;
}
