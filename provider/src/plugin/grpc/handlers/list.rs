//! `list` blocks (Terraform 1.14+ `terraform query`): checking their
//! configuration, and ListResource, which streams each object as the
//! resource reads it.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::ReceiverStream;
use tonic::codegen::BoxStream;
use tracing::{Instrument as _, instrument};

use super::Handlers;
use super::identity::no_identity;
use super::respond::respond;
use crate::plugin::diagnostics::{Diagnostic, Diagnostics};
use crate::plugin::grpc::values;
use crate::plugin::proto::tfplugin5 as pb;
use crate::plugin::resource::{Context, ListRequest, Listed, Resource};
use crate::plugin::schema::Schema;
use crate::plugin::value::Type;

impl Handlers {
    /// The configuration is checked when listing, where its values are known.
    #[instrument(skip_all, fields(type_name = %request.type_name))]
    pub async fn validate_list_config(
        &self,
        request: pb::validate_list_resource_config::Request,
        _: Context,
    ) -> pb::validate_list_resource_config::Response {
        let handled = async {
            let (_, schema) = self.list_resource_of(&request.type_name)?;
            let ty = schema.value_type();
            values::decode(request.config.as_ref(), &ty, "list configuration")?;
            Ok((Default::default(), Vec::new()))
        }
        .await;
        respond(handled)
    }

    /// The listed objects, each an event as soon as the resource sends it,
    /// then one event with the diagnostics that stopped the listing, if any.
    #[instrument(skip_all, fields(type_name = %request.type_name, limit = request.limit))]
    pub async fn list(
        &self,
        request: pb::list_resource::Request,
        ctx: Context,
    ) -> BoxStream<pb::list_resource::Event> {
        match self.listing(&request) {
            Ok(listing) => listing.start(ctx),
            Err(diags) => Box::pin(tokio_stream::once(Ok(respond(Err(diags))))),
        }
    }

    fn listing(&self, request: &pb::list_resource::Request) -> Result<Listing, Diagnostics> {
        let (resource, schema) = self.list_resource_of(&request.type_name)?;
        let ty = schema.value_type();
        let config = values::decode(request.config.as_ref(), &ty, "list configuration")?;
        let identity_ty =
            resource.identity_schema().ok_or_else(|| no_identity(&request.type_name))?.value_type();
        let state_ty = resource.schema().value_type();
        let request = ListRequest {
            config,
            include_state: request.include_resource_object,
            limit: usize::try_from(request.limit).unwrap_or(usize::MAX),
        };
        Ok(Listing { resource, request, identity_ty, state_ty })
    }

    /// The resource of a `list` block's type, with the configuration it takes.
    fn list_resource_of(
        &self,
        type_name: &str,
    ) -> Result<(Arc<dyn Resource>, Schema), Diagnostics> {
        let resource = self.resource(type_name)?;
        let schema = resource.list_schema().cloned().ok_or_else(|| {
            vec![Diagnostic::error(
                "Unknown list resource type",
                format!("This provider cannot list {type_name:?} objects."),
            )]
        })?;
        Ok((resource, schema))
    }
}

/// A listing about to start, with the types its events are encoded with.
struct Listing {
    resource: Arc<dyn Resource>,
    request: ListRequest,
    identity_ty: Type,
    state_ty: Type,
}

impl Listing {
    /// The resource lists in a task of its own, so the stream goes back at
    /// once; Terraform dropping the stream fails the resource's next send.
    fn start(self, ctx: Context) -> BoxStream<pb::list_resource::Event> {
        let Listing { resource, request, identity_ty, state_ty } = self;
        let (sender, objects) = mpsc::channel(1);
        let listing = async move { resource.list(request, &ctx, sender).await };
        let listing = tokio::spawn(listing.in_current_span());
        let events =
            ReceiverStream::new(objects).map(move |object| event(object, &identity_ty, &state_ty));
        // The objects end when the listing returns, dropping its sender.
        let stopped = tokio_stream::once(listing).then(outcome).filter_map(|event| event);
        Box::pin(events.chain(stopped).map(Ok))
    }
}

/// One listed object's event: its identity, and its state when asked for.
fn event(object: Listed, identity_ty: &Type, state_ty: &Type) -> pb::list_resource::Event {
    let mut diags = Vec::new();
    let event = pb::list_resource::Event {
        identity: values::encode_identity(&object.identity, identity_ty, &mut diags),
        display_name: object.display_name,
        resource_object: object
            .state
            .and_then(|state| values::encode(&state, state_ty, "listed state", &mut diags)),
        ..Default::default()
    };
    respond(Ok((event, diags)))
}

/// The event that says what stopped the listing, if anything did. A panic
/// goes on, as it does in the other RPCs.
async fn outcome(listing: JoinHandle<Result<(), Diagnostics>>) -> Option<pb::list_resource::Event> {
    match listing.await {
        Ok(listed) => listed.err().map(|diags| respond(Err(diags))),
        Err(failure) => std::panic::resume_unwind(failure.into_panic()),
    }
}
