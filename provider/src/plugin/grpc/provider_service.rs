//! The `tfplugin5.Provider` service: every RPC takes a context from the stop
//! token current as it starts (tf5server's stoppableContext) and goes to its
//! handler, which decodes, calls the provider and answers with diagnostics.
//! gRPC errors are left for requests that cannot be answered at all.

use std::future::Future;
use std::sync::Arc;

use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status};
use tracing::{debug, instrument};

use super::handlers::Handlers;
use crate::plugin::proto::tfplugin5 as pb;
use crate::plugin::proto::tfplugin5::provider_server;
use crate::plugin::provider::Provider;
use crate::plugin::resource::Context;
use crate::plugin::stop::Stopper;

type Reply<T> = Result<Response<T>, Status>;

pub struct ProviderService {
    handlers: Handlers,
    /// Hands each RPC its context; Stop cancels those in flight.
    stopper: Stopper,
}

impl ProviderService {
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        ProviderService { handlers: Handlers::new(provider), stopper: Stopper::default() }
    }

    /// Every RPC's one shape: a context that the next Stop cancels, then the
    /// handler, which answers every request.
    async fn serve<'a, Req, Res, Fut>(
        &'a self,
        request: Request<Req>,
        handler: impl FnOnce(&'a Handlers, Req, Context) -> Fut,
    ) -> Reply<Res>
    where
        Fut: Future<Output = Res>,
    {
        let ctx = self.stopper.context();
        Ok(Response::new(handler(&self.handlers, request.into_inner(), ctx).await))
    }

    /// Stop is the service's own: it cancels the contexts it handed out.
    #[instrument(skip_all)]
    fn stop_in_flight(&self) {
        debug!("stop requested: cancelling in-flight operations");
        self.stopper.stop();
    }
}

#[tonic::async_trait]
impl provider_server::Provider for ProviderService {
    async fn get_schema(
        &self,
        request: Request<pb::get_provider_schema::Request>,
    ) -> Reply<pb::get_provider_schema::Response> {
        self.serve(request, Handlers::schema).await
    }

    async fn prepare_provider_config(
        &self,
        request: Request<pb::prepare_provider_config::Request>,
    ) -> Reply<pb::prepare_provider_config::Response> {
        self.serve(request, Handlers::prepare_config).await
    }

    async fn validate_resource_type_config(
        &self,
        request: Request<pb::validate_resource_type_config::Request>,
    ) -> Reply<pb::validate_resource_type_config::Response> {
        self.serve(request, Handlers::validate_resource).await
    }

    async fn configure(
        &self,
        request: Request<pb::configure::Request>,
    ) -> Reply<pb::configure::Response> {
        self.serve(request, Handlers::configure_provider).await
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Reply<pb::upgrade_resource_state::Response> {
        self.serve(request, Handlers::upgrade_state).await
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Reply<pb::read_resource::Response> {
        self.serve(request, Handlers::read_state).await
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Reply<pb::plan_resource_change::Response> {
        self.serve(request, Handlers::plan_change).await
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Reply<pb::apply_resource_change::Response> {
        self.serve(request, Handlers::apply_change).await
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Reply<pb::import_resource_state::Response> {
        self.serve(request, Handlers::import_state).await
    }

    async fn get_resource_identity_schemas(
        &self,
        request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Reply<pb::get_resource_identity_schemas::Response> {
        self.serve(request, Handlers::identity_schemas).await
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Reply<pb::upgrade_resource_identity::Response> {
        self.serve(request, Handlers::upgrade_identity).await
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Reply<pb::move_resource_state::Response> {
        self.serve(request, Handlers::move_state).await
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> Reply<pb::generate_resource_config::Response> {
        self.serve(request, Handlers::generate_config).await
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> Reply<pb::validate_list_resource_config::Response> {
        self.serve(request, Handlers::validate_list_config).await
    }

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> Reply<BoxStream<pb::list_resource::Event>> {
        self.serve(request, Handlers::list).await
    }

    async fn get_functions(
        &self,
        request: Request<pb::get_functions::Request>,
    ) -> Reply<pb::get_functions::Response> {
        self.serve(request, Handlers::functions).await
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Reply<pb::call_function::Response> {
        self.serve(request, Handlers::call_function).await
    }

    async fn validate_action_config(
        &self,
        request: Request<pb::validate_action_config::Request>,
    ) -> Reply<pb::validate_action_config::Response> {
        self.serve(request, Handlers::validate_action_config).await
    }

    async fn plan_action(
        &self,
        request: Request<pb::plan_action::Request>,
    ) -> Reply<pb::plan_action::Response> {
        self.serve(request, Handlers::plan_action).await
    }

    async fn invoke_action(
        &self,
        request: Request<pb::invoke_action::Request>,
    ) -> Reply<BoxStream<pb::invoke_action::Event>> {
        self.serve(request, Handlers::invoke_action).await
    }

    async fn stop(&self, _: Request<pb::stop::Request>) -> Reply<pb::stop::Response> {
        self.stop_in_flight();
        Ok(Response::new(pb::stop::Response::default()))
    }
}
