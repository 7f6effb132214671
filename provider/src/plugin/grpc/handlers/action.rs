//! Actions (Terraform 1.14+): checking their configuration, planning them
//! (the check again, with the values the plan knows), and InvokeAction,
//! which streams each progress message as the action sends it, then one
//! completion event with its diagnostics.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::ReceiverStream;
use tonic::codegen::BoxStream;
use tracing::{Instrument as _, instrument};

use super::Handlers;
use super::respond::{Handled, respond};
use crate::plugin::action::Action;
use crate::plugin::diagnostics::{Diagnostic, Diagnostics};
use crate::plugin::grpc::{convert, values};
use crate::plugin::proto::tfplugin5 as pb;
use crate::plugin::resource::Context;
use crate::plugin::value::Value;

use pb::invoke_action::event::{Completed, Progress, Type as EventType};

impl Handlers {
    #[instrument(skip_all, fields(type_name = %request.type_name))]
    pub async fn validate_action_config(
        &self,
        request: pb::validate_action_config::Request,
        _: Context,
    ) -> pb::validate_action_config::Response {
        respond(self.checked(&request.type_name, request.config.as_ref()))
    }

    /// An action changes nothing Terraform plans: its plan is the check
    /// again, with the values the plan knows.
    #[instrument(skip_all, fields(type_name = %request.action_type))]
    pub async fn plan_action(
        &self,
        request: pb::plan_action::Request,
        _: Context,
    ) -> pb::plan_action::Response {
        respond(self.checked(&request.action_type, request.config.as_ref()))
    }

    /// The action runs in a task of its own, so the stream goes back at
    /// once and each progress message reaches Terraform as it is sent.
    #[instrument(skip_all, fields(type_name = %request.action_type))]
    pub async fn invoke_action(
        &self,
        request: pb::invoke_action::Request,
        ctx: Context,
    ) -> BoxStream<pb::invoke_action::Event> {
        let (action, config) =
            match self.action_config(&request.action_type, request.config.as_ref()) {
                Ok(found) => found,
                Err(diags) => return Box::pin(tokio_stream::once(Ok(completed(&diags)))),
            };
        let (sender, messages) = mpsc::channel(8);
        let invocation = async move { action.invoke(config, &ctx, sender).await };
        let invocation = tokio::spawn(invocation.in_current_span());
        let progress = ReceiverStream::new(messages).map(|message| pb::invoke_action::Event {
            r#type: Some(EventType::Progress(Progress { message })),
        });
        let done = tokio_stream::once(invocation).then(|invocation| async move {
            match invocation.await {
                Ok(diags) => completed(&diags),
                Err(failure) => std::panic::resume_unwind(failure.into_panic()),
            }
        });
        Box::pin(progress.chain(done).map(Ok))
    }

    /// The action's check of its configuration, as a response's diagnostics.
    fn checked<R: Default>(
        &self,
        type_name: &str,
        config: Option<&pb::DynamicValue>,
    ) -> Handled<R> {
        let (action, config) = self.action_config(type_name, config)?;
        Ok((R::default(), action.validate(&config)))
    }

    /// The action of `type_name` (as of the latest Configure) and its
    /// configuration, decoded.
    fn action_config(
        &self,
        type_name: &str,
        config: Option<&pb::DynamicValue>,
    ) -> Result<(Arc<dyn Action>, Value), Diagnostics> {
        let action = self.actions.get().get(type_name).cloned().ok_or_else(|| {
            vec![Diagnostic::error(
                "Unknown action type",
                format!("This provider has no action type {type_name:?}."),
            )]
        })?;
        let ty = action.schema().value_type();
        let config = values::decode(config, &ty, "action configuration")?;
        Ok((action, config))
    }
}

fn completed(diags: &Diagnostics) -> pb::invoke_action::Event {
    pb::invoke_action::Event {
        r#type: Some(EventType::Completed(Completed { diagnostics: convert::diagnostics(diags) })),
    }
}
