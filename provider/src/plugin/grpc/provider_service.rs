//! The `tfplugin5.Provider` service: decodes each request against the schema,
//! hands it to the [`Provider`] or [`Resource`], and encodes the answer.
//! Every failure becomes a diagnostic; gRPC errors are kept for requests that
//! cannot be answered at all.

use std::collections::HashMap;
use std::sync::Arc;

use tonic::{Request, Response, Status};
use tracing::{debug, instrument};

use super::convert::{self, codec_diagnostic, decode, encode};
use crate::plugin::diagnostics::{Diagnostic, Diagnostics};
use crate::plugin::proto::tfplugin5 as pb;
use crate::plugin::proto::tfplugin5::provider_server;
use crate::plugin::resource::{ApplyRequest, Context, PlanRequest, Provider, Resource};
use crate::plugin::value::{Type, Value};

pub struct ProviderService {
    provider: Arc<dyn Provider>,
    resources: HashMap<&'static str, Arc<dyn Resource>>,
    /// Built once: Terraform asks for it in every process, sometimes twice.
    schema_response: pb::get_provider_schema::Response,
    ctx: Context,
}

impl ProviderService {
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        let resources: HashMap<_, _> =
            provider.resources().into_iter().map(|r| (r.type_name(), r)).collect();
        let schema_response = pb::get_provider_schema::Response {
            provider: Some(convert::schema(provider.schema())),
            resource_schemas: resources
                .iter()
                .map(|(name, r)| ((*name).to_owned(), convert::schema(r.schema())))
                .collect(),
            server_capabilities: Some(pb::ServerCapabilities {
                plan_destroy: true,
                get_provider_schema_optional: true,
                move_resource_state: false,
                generate_resource_config: false,
            }),
            ..Default::default()
        };
        ProviderService { provider, resources, schema_response, ctx: Context::default() }
    }

    fn resource(&self, type_name: &str) -> Result<&Arc<dyn Resource>, Diagnostics> {
        self.resources.get(type_name).ok_or_else(|| {
            vec![Diagnostic::error(
                "Unknown resource type",
                format!("This provider has no resource type {type_name:?}."),
            )]
        })
    }
}

/// Decodes a request value, turning failure into a diagnostic.
fn decode_value(
    value: Option<&pb::DynamicValue>,
    ty: &Type,
    what: &str,
) -> Result<Value, Diagnostics> {
    decode(value, ty).map_err(|e| vec![codec_diagnostic(what, e)])
}

/// Encodes a response value; a failure is a provider bug, reported as such.
fn encode_value(
    value: &Value,
    ty: &Type,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<pb::DynamicValue> {
    match encode(value, ty) {
        Ok(v) => Some(v),
        Err(e) => {
            diags.push(codec_diagnostic(what, e));
            None
        }
    }
}

#[tonic::async_trait]
impl provider_server::Provider for ProviderService {
    #[instrument(skip_all)]
    async fn get_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        Ok(Response::new(self.schema_response.clone()))
    }

    #[instrument(skip_all)]
    async fn prepare_provider_config(
        &self,
        request: Request<pb::prepare_provider_config::Request>,
    ) -> Result<Response<pb::prepare_provider_config::Response>, Status> {
        let request = request.into_inner();
        let ty = self.provider.schema().value_type();
        let diagnostics = match decode_value(request.config.as_ref(), &ty, "provider configuration")
        {
            Ok(config) => self.provider.validate(&config),
            Err(diags) => diags,
        };
        Ok(Response::new(pb::prepare_provider_config::Response {
            prepared_config: request.config,
            diagnostics: convert::diagnostics(&diagnostics),
        }))
    }

    #[instrument(skip_all, fields(type_name = %request.get_ref().type_name))]
    async fn validate_resource_type_config(
        &self,
        request: Request<pb::validate_resource_type_config::Request>,
    ) -> Result<Response<pb::validate_resource_type_config::Response>, Status> {
        let request = request.into_inner();
        let diagnostics = self.resource(&request.type_name).and_then(|resource| {
            let ty = resource.schema().value_type();
            let config = decode_value(request.config.as_ref(), &ty, "configuration")?;
            Ok(resource.validate(&config))
        });
        let diagnostics = diagnostics.unwrap_or_else(|d| d);
        Ok(Response::new(pb::validate_resource_type_config::Response {
            diagnostics: convert::diagnostics(&diagnostics),
        }))
    }

    #[instrument(skip_all, fields(terraform_version = %request.get_ref().terraform_version))]
    async fn configure(
        &self,
        request: Request<pb::configure::Request>,
    ) -> Result<Response<pb::configure::Response>, Status> {
        let request = request.into_inner();
        let ty = self.provider.schema().value_type();
        let diagnostics = match decode_value(request.config.as_ref(), &ty, "provider configuration")
        {
            Ok(config) => self.provider.configure(config, &self.ctx).await,
            Err(diags) => diags,
        };
        Ok(Response::new(pb::configure::Response {
            diagnostics: convert::diagnostics(&diagnostics),
        }))
    }

    #[instrument(skip_all, fields(type_name = %request.get_ref().type_name))]
    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let request = request.into_inner();
        let mut diagnostics = Vec::new();
        let upgraded = self.resource(&request.type_name).and_then(|resource| {
            let ty = resource.schema().value_type();
            let raw = request.raw_state.unwrap_or_default();
            if raw.json.is_empty() && !raw.flatmap.is_empty() {
                return Err(vec![Diagnostic::error(
                    "Unsupported state format",
                    "This state is in the legacy flatmap format, which this provider never \
                     wrote. Remove the resource from state and import it again.",
                )]);
            }
            let state = if raw.json.is_empty() {
                Value::Null
            } else {
                crate::plugin::codec::decode_json(&raw.json, &ty)
                    .map_err(|e| vec![codec_diagnostic("stored state", e)])?
            };
            let state = resource.upgrade(request.version, state)?;
            Ok(encode_value(&state, &ty, "upgraded state", &mut diagnostics))
        });
        let upgraded_state = upgraded.unwrap_or_else(|d| {
            diagnostics.extend(d);
            None
        });
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: convert::diagnostics(&diagnostics),
        }))
    }

    #[instrument(skip_all, fields(type_name = %request.get_ref().type_name))]
    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let request = request.into_inner();
        let (new_state, diagnostics) = match self.resource(&request.type_name) {
            Err(diags) => (None, diags),
            Ok(resource) => {
                let ty = resource.schema().value_type();
                match decode_value(request.current_state.as_ref(), &ty, "current state") {
                    Err(diags) => (None, diags),
                    Ok(state) => {
                        let (state, mut diags) = resource.read(state, &self.ctx).await;
                        (encode_value(&state, &ty, "new state", &mut diags), diags)
                    }
                }
            }
        };
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            diagnostics: convert::diagnostics(&diagnostics),
            private: request.private,
            ..Default::default()
        }))
    }

    #[instrument(skip_all, fields(type_name = %request.get_ref().type_name))]
    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let request = request.into_inner();
        let mut response = pb::plan_resource_change::Response {
            planned_private: request.prior_private.clone(),
            ..Default::default()
        };
        let result = async {
            let resource = self.resource(&request.type_name)?;
            let ty = resource.schema().value_type();
            let prior_state = decode_value(request.prior_state.as_ref(), &ty, "prior state")?;
            let proposed_state =
                decode_value(request.proposed_new_state.as_ref(), &ty, "proposed state")?;
            let config = decode_value(request.config.as_ref(), &ty, "configuration")?;
            if proposed_state.is_null() {
                // A destroy: nothing to decide, the planned state is null.
                let mut diags = Vec::new();
                response.planned_state = encode_value(&Value::Null, &ty, "plan", &mut diags);
                return Ok(diags);
            }
            let plan =
                resource.plan(PlanRequest { prior_state, proposed_state, config }, &self.ctx).await;
            let mut diags = plan.diagnostics;
            response.planned_state =
                encode_value(&plan.planned_state, &ty, "planned state", &mut diags);
            response.requires_replace =
                plan.requires_replace.iter().map(convert::attribute_path).collect();
            Ok::<_, Diagnostics>(diags)
        }
        .await;
        response.diagnostics = convert::diagnostics(&result.unwrap_or_else(|d| d));
        Ok(Response::new(response))
    }

    #[instrument(skip_all, fields(type_name = %request.get_ref().type_name))]
    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let request = request.into_inner();
        let mut response = pb::apply_resource_change::Response {
            private: request.planned_private.clone(),
            ..Default::default()
        };
        let result = async {
            let resource = self.resource(&request.type_name)?;
            let ty = resource.schema().value_type();
            let prior_state = decode_value(request.prior_state.as_ref(), &ty, "prior state")?;
            let planned_state = decode_value(request.planned_state.as_ref(), &ty, "planned state")?;
            let config = decode_value(request.config.as_ref(), &ty, "configuration")?;
            let (new_state, mut diags) = resource
                .apply(ApplyRequest { prior_state, planned_state, config }, &self.ctx)
                .await;
            response.new_state = encode_value(&new_state, &ty, "new state", &mut diags);
            Ok::<_, Diagnostics>(diags)
        }
        .await;
        response.diagnostics = convert::diagnostics(&result.unwrap_or_else(|d| d));
        Ok(Response::new(response))
    }

    #[instrument(skip_all, fields(type_name = %request.get_ref().type_name, id = %request.get_ref().id))]
    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let request = request.into_inner();
        let mut imported_resources = Vec::new();
        let result = async {
            let resource = self.resource(&request.type_name)?;
            let ty = resource.schema().value_type();
            let (state, mut diags) = resource.import(&request.id, &self.ctx).await;
            if state.is_present()
                && let Some(state) = encode_value(&state, &ty, "imported state", &mut diags)
            {
                imported_resources.push(pb::import_resource_state::ImportedResource {
                    type_name: request.type_name.clone(),
                    state: Some(state),
                    ..Default::default()
                });
            }
            Ok::<_, Diagnostics>(diags)
        }
        .await;
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources,
            diagnostics: convert::diagnostics(&result.unwrap_or_else(|d| d)),
            deferred: None,
        }))
    }

    #[instrument(skip_all)]
    async fn stop(
        &self,
        _: Request<pb::stop::Request>,
    ) -> Result<Response<pb::stop::Response>, Status> {
        debug!("stop requested: cancelling in-flight operations");
        self.ctx.stop.cancel();
        Ok(Response::new(pb::stop::Response { error: String::new() }))
    }
}
