//! The provider's own RPCs: the schemas, and checking and applying the
//! provider configuration.

use std::sync::Arc;

use tracing::instrument;

use super::respond::respond;
use super::{Handlers, actions_by_type_name, by_type_name};
use crate::plugin::grpc::values;
use crate::plugin::proto::tfplugin5 as pb;
use crate::plugin::resource::Context;

impl Handlers {
    #[instrument(skip_all)]
    pub async fn schema(
        &self,
        _: pb::get_provider_schema::Request,
        _: Context,
    ) -> pb::get_provider_schema::Response {
        self.schema_response.clone()
    }

    #[instrument(skip_all)]
    pub async fn prepare_config(
        &self,
        request: pb::prepare_provider_config::Request,
        _: Context,
    ) -> pb::prepare_provider_config::Response {
        let handled = async {
            let ty = self.provider.schema().value_type();
            let config = values::decode(request.config.as_ref(), &ty, "provider configuration")?;
            Ok((Default::default(), self.provider.validate(&config)))
        }
        .await;
        // The configuration goes back as it came: there is nothing to prepare.
        pb::prepare_provider_config::Response {
            prepared_config: request.config,
            ..respond(handled)
        }
    }

    /// Configures the provider, then takes its resources and actions anew: a process
    /// serving many runs is configured once per run, each time taking effect.
    #[instrument(skip_all, fields(terraform_version = %request.terraform_version))]
    pub async fn configure_provider(
        &self,
        request: pb::configure::Request,
        ctx: Context,
    ) -> pb::configure::Response {
        let handled = async {
            let ty = self.provider.schema().value_type();
            let config = values::decode(request.config.as_ref(), &ty, "provider configuration")?;
            let diags = self.provider.configure(config, &ctx).await;
            self.resources.replace(Arc::new(by_type_name(self.provider.resources())));
            self.actions.replace(Arc::new(actions_by_type_name(self.provider.actions())));
            Ok((Default::default(), diags))
        }
        .await;
        respond(handled)
    }
}
