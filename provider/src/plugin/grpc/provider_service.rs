//! The `tfplugin5.Provider` service: decodes each request against the schema,
//! hands it to the [`Provider`] or [`Resource`], and encodes the answer.
//! Every failure becomes a diagnostic; gRPC errors are kept for requests that
//! cannot be answered at all.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use tokio_stream::StreamExt as _;
use tonic::{Request, Response, Status};
use tracing::{debug, instrument};

use super::convert::{self, codec_diagnostic, decode, encode};
use crate::plugin::current::Current;
use crate::plugin::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::plugin::proto::tfplugin5 as pb;
use crate::plugin::proto::tfplugin5::provider_server;
use crate::plugin::resource::{
    ApplyRequest, Context, ImportTarget, ListRequest, MoveSource, PlanRequest, Provider, Resource,
};
use crate::plugin::schema::Schema;
use crate::plugin::stop::Stopper;
use crate::plugin::value::{Type, Value};

/// A provider's resources by type name.
type Resources = HashMap<&'static str, Arc<dyn Resource>>;

type Answer<T> = Result<Response<T>, Status>;

type BoxStream<T> = std::pin::Pin<Box<dyn tokio_stream::Stream<Item = Result<T, Status>> + Send>>;

pub struct ProviderService {
    provider: Arc<dyn Provider>,
    /// As of the latest Configure (see [`Provider::resources`]).
    resources: Current<Arc<Resources>>,
    /// Built once: Terraform asks for it in every process, sometimes twice.
    schema_response: pb::get_provider_schema::Response,
    stopper: Stopper,
}

impl ProviderService {
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        let resources = by_type_name(provider.resources());
        let schema_response = pb::get_provider_schema::Response {
            provider: Some(convert::schema(provider.schema())),
            resource_schemas: resources
                .iter()
                .map(|(name, r)| ((*name).to_owned(), convert::schema(r.schema())))
                .collect(),
            list_resource_schemas: resources
                .iter()
                .filter_map(|(name, r)| {
                    Some(((*name).to_owned(), convert::schema(r.list_schema()?)))
                })
                .collect(),
            // Terraform versions that do not know a capability ignore it.
            server_capabilities: Some(pb::ServerCapabilities {
                plan_destroy: true,
                get_provider_schema_optional: true,
                move_resource_state: true,
                generate_resource_config: true,
            }),
            ..Default::default()
        };
        ProviderService {
            provider,
            resources: Current::new(Arc::new(resources)),
            schema_response,
            stopper: Stopper::default(),
        }
    }

    /// Every RPC's one shape: a context from the stop token current as it
    /// starts (tf5server's stoppableContext), then its handler, which turns
    /// failures into diagnostics so that every request gets a response.
    async fn serve<'a, Req, Res, Fut>(
        &'a self,
        request: Request<Req>,
        handler: impl FnOnce(&'a Self, Req, Context) -> Fut,
    ) -> Answer<Res>
    where
        Fut: Future<Output = Res>,
    {
        let ctx = self.stopper.context();
        Ok(Response::new(handler(self, request.into_inner(), ctx).await))
    }

    fn resource(&self, type_name: &str) -> Result<Arc<dyn Resource>, Diagnostics> {
        self.resources.get().get(type_name).cloned().ok_or_else(|| {
            vec![Diagnostic::error(
                "Unknown resource type",
                format!("This provider has no resource type {type_name:?}."),
            )]
        })
    }
}

impl ProviderService {
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

fn by_type_name(resources: Vec<Arc<dyn Resource>>) -> Resources {
    resources.into_iter().map(|r| (r.type_name(), r)).collect()
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

/// The identity of the object `state` describes, for a response; none for
/// a resource without identity, a state that is gone, or a planned identity
/// not wholly known (Terraform 1.15 fails to render a plan holding one:
/// "Failed to marshal plan to json: value is not known").
async fn identity_of(
    resource: &dyn Resource,
    state: &Value,
    ctx: &Context,
    diags: &mut Diagnostics,
) -> Option<pb::ResourceIdentityData> {
    let schema = resource.identity_schema().filter(|_| state.is_present())?;
    match resource.identity(state, ctx).await {
        Ok(identity) if identity.contains_unknown() => None,
        Ok(identity) => {
            let data = encode_value(&identity, &schema.value_type(), "identity", diags)?;
            Some(pb::ResourceIdentityData { identity_data: Some(data) })
        }
        Err(more) => {
            diags.extend(more);
            None
        }
    }
}

fn no_identity(type_name: &str) -> Diagnostics {
    vec![Diagnostic::error(
        "Resource has no identity",
        format!("{type_name} has no resource identity; import it by its id."),
    )]
}

#[tonic::async_trait]
impl provider_server::Provider for ProviderService {
    async fn get_schema(
        &self,
        request: Request<pb::get_provider_schema::Request>,
    ) -> Answer<pb::get_provider_schema::Response> {
        self.serve(request, Self::schema).await
    }

    async fn prepare_provider_config(
        &self,
        request: Request<pb::prepare_provider_config::Request>,
    ) -> Answer<pb::prepare_provider_config::Response> {
        self.serve(request, Self::prepare_config).await
    }

    async fn validate_resource_type_config(
        &self,
        request: Request<pb::validate_resource_type_config::Request>,
    ) -> Answer<pb::validate_resource_type_config::Response> {
        self.serve(request, Self::validate_resource).await
    }

    async fn configure(
        &self,
        request: Request<pb::configure::Request>,
    ) -> Answer<pb::configure::Response> {
        self.serve(request, Self::configure_provider).await
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Answer<pb::upgrade_resource_state::Response> {
        self.serve(request, Self::upgrade_state).await
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Answer<pb::read_resource::Response> {
        self.serve(request, Self::read_state).await
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Answer<pb::plan_resource_change::Response> {
        self.serve(request, Self::plan_change).await
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Answer<pb::apply_resource_change::Response> {
        self.serve(request, Self::apply_change).await
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Answer<pb::import_resource_state::Response> {
        self.serve(request, Self::import_state).await
    }

    async fn get_resource_identity_schemas(
        &self,
        request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Answer<pb::get_resource_identity_schemas::Response> {
        self.serve(request, Self::identity_schemas).await
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Answer<pb::upgrade_resource_identity::Response> {
        self.serve(request, Self::upgrade_identity).await
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Answer<pb::move_resource_state::Response> {
        self.serve(request, Self::move_state).await
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> Answer<pb::generate_resource_config::Response> {
        self.serve(request, Self::generate_config).await
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> Answer<pb::validate_list_resource_config::Response> {
        self.serve(request, Self::validate_list_config).await
    }

    /// Streams the events [`Self::list`] collects: the objects, or one event
    /// with the diagnostics that stopped the listing.
    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> Answer<BoxStream<pb::list_resource::Event>> {
        let events = self.serve(request, Self::list).await?.into_inner();
        let stream: BoxStream<pb::list_resource::Event> =
            Box::pin(tokio_stream::iter(events).map(Ok));
        Ok(Response::new(stream))
    }

    async fn stop(&self, request: Request<pb::stop::Request>) -> Answer<pb::stop::Response> {
        self.serve(request, Self::stop_in_flight).await
    }
}

/// The handlers, one per RPC, in the protocol's order.
impl ProviderService {
    #[instrument(skip_all)]
    async fn schema(
        &self,
        _: pb::get_provider_schema::Request,
        _: Context,
    ) -> pb::get_provider_schema::Response {
        self.schema_response.clone()
    }

    #[instrument(skip_all)]
    async fn prepare_config(
        &self,
        request: pb::prepare_provider_config::Request,
        _: Context,
    ) -> pb::prepare_provider_config::Response {
        let ty = self.provider.schema().value_type();
        let diagnostics = match decode_value(request.config.as_ref(), &ty, "provider configuration")
        {
            Ok(config) => self.provider.validate(&config),
            Err(diags) => diags,
        };
        pb::prepare_provider_config::Response {
            prepared_config: request.config,
            diagnostics: convert::diagnostics(&diagnostics),
        }
    }

    #[instrument(skip_all, fields(type_name = %request.type_name))]
    async fn validate_resource(
        &self,
        request: pb::validate_resource_type_config::Request,
        _: Context,
    ) -> pb::validate_resource_type_config::Response {
        let diagnostics = self.resource(&request.type_name).and_then(|resource| {
            let ty = resource.schema().value_type();
            let config = decode_value(request.config.as_ref(), &ty, "configuration")?;
            Ok(resource.validate(&config))
        });
        pb::validate_resource_type_config::Response {
            diagnostics: convert::diagnostics(&diagnostics.unwrap_or_else(|d| d)),
        }
    }

    /// Configures the provider, then takes its resources anew: a process
    /// serving many runs is configured once per run, each time taking effect.
    #[instrument(skip_all, fields(terraform_version = %request.terraform_version))]
    async fn configure_provider(
        &self,
        request: pb::configure::Request,
        ctx: Context,
    ) -> pb::configure::Response {
        let ty = self.provider.schema().value_type();
        let diagnostics = match decode_value(request.config.as_ref(), &ty, "provider configuration")
        {
            Ok(config) => {
                let diags = self.provider.configure(config, &ctx).await;
                self.resources.replace(Arc::new(by_type_name(self.provider.resources())));
                diags
            }
            Err(diags) => diags,
        };
        pb::configure::Response { diagnostics: convert::diagnostics(&diagnostics) }
    }

    #[instrument(skip_all, fields(type_name = %request.type_name))]
    async fn upgrade_state(
        &self,
        request: pb::upgrade_resource_state::Request,
        _: Context,
    ) -> pb::upgrade_resource_state::Response {
        let mut response = pb::upgrade_resource_state::Response::default();
        let result = async {
            let resource = self.resource(&request.type_name)?;
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
            let mut diags = Vec::new();
            response.upgraded_state = encode_value(&state, &ty, "upgraded state", &mut diags);
            Ok::<_, Diagnostics>(diags)
        }
        .await;
        response.diagnostics = convert::diagnostics(&result.unwrap_or_else(|d| d));
        response
    }

    #[instrument(skip_all, fields(type_name = %request.type_name))]
    async fn read_state(
        &self,
        request: pb::read_resource::Request,
        ctx: Context,
    ) -> pb::read_resource::Response {
        let mut response =
            pb::read_resource::Response { private: request.private.clone(), ..Default::default() };
        let result = async {
            let resource = self.resource(&request.type_name)?;
            let ty = resource.schema().value_type();
            let state = decode_value(request.current_state.as_ref(), &ty, "current state")?;
            let (state, mut diags) = resource.read(state, &ctx).await;
            response.new_state = encode_value(&state, &ty, "new state", &mut diags);
            response.new_identity = identity_of(&*resource, &state, &ctx, &mut diags).await;
            Ok::<_, Diagnostics>(diags)
        }
        .await;
        response.diagnostics = convert::diagnostics(&result.unwrap_or_else(|d| d));
        response
    }

    #[instrument(skip_all, fields(type_name = %request.type_name))]
    async fn plan_change(
        &self,
        request: pb::plan_resource_change::Request,
        ctx: Context,
    ) -> pb::plan_resource_change::Response {
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
                resource.plan(PlanRequest { prior_state, proposed_state, config }, &ctx).await;
            let mut diags = plan.diagnostics;
            response.planned_state =
                encode_value(&plan.planned_state, &ty, "planned state", &mut diags);
            // A refused plan names no object.
            if !diags.iter().any(|d| d.severity == Severity::Error) {
                response.planned_identity =
                    identity_of(&*resource, &plan.planned_state, &ctx, &mut diags).await;
            }
            response.requires_replace =
                plan.requires_replace.iter().map(convert::attribute_path).collect();
            Ok::<_, Diagnostics>(diags)
        }
        .await;
        response.diagnostics = convert::diagnostics(&result.unwrap_or_else(|d| d));
        response
    }

    #[instrument(skip_all, fields(type_name = %request.type_name))]
    async fn apply_change(
        &self,
        request: pb::apply_resource_change::Request,
        ctx: Context,
    ) -> pb::apply_resource_change::Response {
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
            let (new_state, mut diags) =
                resource.apply(ApplyRequest { prior_state, planned_state, config }, &ctx).await;
            response.new_state = encode_value(&new_state, &ty, "new state", &mut diags);
            response.new_identity = identity_of(&*resource, &new_state, &ctx, &mut diags).await;
            Ok::<_, Diagnostics>(diags)
        }
        .await;
        response.diagnostics = convert::diagnostics(&result.unwrap_or_else(|d| d));
        response
    }

    #[instrument(skip_all, fields(type_name = %request.type_name, id = %request.id))]
    async fn import_state(
        &self,
        request: pb::import_resource_state::Request,
        ctx: Context,
    ) -> pb::import_resource_state::Response {
        let mut response = pb::import_resource_state::Response::default();
        let result = async {
            let resource = self.resource(&request.type_name)?;
            let ty = resource.schema().value_type();
            let identity = request.identity.as_ref().and_then(|i| i.identity_data.as_ref());
            let target = match identity {
                Some(data) if request.id.is_empty() => {
                    let schema = resource
                        .identity_schema()
                        .ok_or_else(|| no_identity(&request.type_name))?;
                    ImportTarget::Identity(decode_value(
                        Some(data),
                        &schema.value_type(),
                        "identity",
                    )?)
                }
                _ => ImportTarget::Id(request.id.clone()),
            };
            let (state, mut diags) = resource.import(target, &ctx).await;
            if state.is_present()
                && let Some(encoded) = encode_value(&state, &ty, "imported state", &mut diags)
            {
                let identity = identity_of(&*resource, &state, &ctx, &mut diags).await;
                response.imported_resources.push(pb::import_resource_state::ImportedResource {
                    type_name: request.type_name.clone(),
                    state: Some(encoded),
                    identity,
                    ..Default::default()
                });
            }
            Ok::<_, Diagnostics>(diags)
        }
        .await;
        response.diagnostics = convert::diagnostics(&result.unwrap_or_else(|d| d));
        response
    }

    #[instrument(skip_all)]
    async fn identity_schemas(
        &self,
        _: pb::get_resource_identity_schemas::Request,
        _: Context,
    ) -> pb::get_resource_identity_schemas::Response {
        let resources = self.resources.get();
        pb::get_resource_identity_schemas::Response {
            identity_schemas: resources
                .iter()
                .filter_map(|(name, r)| {
                    Some(((*name).to_owned(), convert::identity_schema(r.identity_schema()?)))
                })
                .collect(),
            diagnostics: Vec::new(),
        }
    }

    /// Identities are at version 0 so far: stored ones are decoded as they are.
    #[instrument(skip_all, fields(type_name = %request.type_name))]
    async fn upgrade_identity(
        &self,
        request: pb::upgrade_resource_identity::Request,
        _: Context,
    ) -> pb::upgrade_resource_identity::Response {
        let mut response = pb::upgrade_resource_identity::Response::default();
        let result = (|| {
            let resource = self.resource(&request.type_name)?;
            let schema =
                resource.identity_schema().ok_or_else(|| no_identity(&request.type_name))?;
            if request.version != schema.version {
                return Err(vec![Diagnostic::error(
                    "Unsupported identity version",
                    format!(
                        "The identity of this {} was written with version {}, but this provider \
                         knows version {} only. Use the provider version that wrote it.",
                        request.type_name, request.version, schema.version
                    ),
                )]);
            }
            let ty = schema.value_type();
            let raw = request.raw_identity.unwrap_or_default();
            let identity = crate::plugin::codec::decode_json(&raw.json, &ty)
                .map_err(|e| vec![codec_diagnostic("stored identity", e)])?;
            let mut diags = Vec::new();
            response.upgraded_identity = encode_value(&identity, &ty, "identity", &mut diags)
                .map(|data| pb::ResourceIdentityData { identity_data: Some(data) });
            Ok(diags)
        })();
        response.diagnostics = convert::diagnostics(&result.unwrap_or_else(|d| d));
        response
    }

    #[instrument(skip_all, fields(from = %request.source_type_name, to = %request.target_type_name))]
    async fn move_state(
        &self,
        request: pb::move_resource_state::Request,
        _: Context,
    ) -> pb::move_resource_state::Response {
        let mut response = pb::move_resource_state::Response {
            target_private: request.source_private.clone(),
            ..Default::default()
        };
        let result = (|| {
            let resource = self.resource(&request.target_type_name)?;
            let raw = request.source_state.unwrap_or_default();
            let state = serde_json::from_slice(&raw.json).map_err(|e| {
                vec![Diagnostic::error(
                    "Invalid source state",
                    format!(
                        "The state of {} to move is not JSON ({e}). Terraform sends it as it \
                         stored it; this provider cannot read another format.",
                        request.source_type_name
                    ),
                )]
            })?;
            let source = MoveSource {
                provider_address: request.source_provider_address,
                type_name: request.source_type_name,
                schema_version: request.source_schema_version,
                state,
            };
            let state = resource.move_state(&source)?;
            let mut diags = Vec::new();
            let ty = resource.schema().value_type();
            // No identity: Terraform moves in a provider it has not configured,
            // and the read that follows gives the identity.
            response.target_state = encode_value(&state, &ty, "moved state", &mut diags);
            Ok(diags)
        })();
        response.diagnostics = convert::diagnostics(&result.unwrap_or_else(|d| d));
        response
    }

    #[instrument(skip_all, fields(type_name = %request.type_name))]
    async fn generate_config(
        &self,
        request: pb::generate_resource_config::Request,
        _: Context,
    ) -> pb::generate_resource_config::Response {
        let mut response = pb::generate_resource_config::Response::default();
        let result = (|| {
            let resource = self.resource(&request.type_name)?;
            let ty = resource.schema().value_type();
            let state = decode_value(request.state.as_ref(), &ty, "state")?;
            // Null for a listed object Terraform has no state of.
            let config = if state.is_null() { Value::Null } else { resource.config_of(&state) };
            let mut diags = Vec::new();
            response.config = encode_value(&config, &ty, "config", &mut diags);
            Ok(diags)
        })();
        response.diagnostics = convert::diagnostics(&result.unwrap_or_else(|d| d));
        response
    }

    /// The configuration is checked when listing, where its values are known.
    #[instrument(skip_all, fields(type_name = %request.type_name))]
    async fn validate_list_config(
        &self,
        request: pb::validate_list_resource_config::Request,
        _: Context,
    ) -> pb::validate_list_resource_config::Response {
        let result = self.list_resource_of(&request.type_name).and_then(|(_, schema)| {
            decode_value(request.config.as_ref(), &schema.value_type(), "list configuration")?;
            Ok(Vec::new())
        });
        pb::validate_list_resource_config::Response {
            diagnostics: convert::diagnostics(&result.unwrap_or_else(|d| d)),
        }
    }

    #[instrument(skip_all, fields(type_name = %request.type_name, limit = request.limit))]
    async fn list(
        &self,
        request: pb::list_resource::Request,
        ctx: Context,
    ) -> Vec<pb::list_resource::Event> {
        let result = async {
            let (resource, schema) = self.list_resource_of(&request.type_name)?;
            let config =
                decode_value(request.config.as_ref(), &schema.value_type(), "list configuration")?;
            let identity_ty = resource
                .identity_schema()
                .ok_or_else(|| no_identity(&request.type_name))?
                .value_type();
            let state_ty = resource.schema().value_type();
            let list = ListRequest {
                config,
                include_state: request.include_resource_object,
                limit: usize::try_from(request.limit).unwrap_or(usize::MAX),
            };
            let listed = resource.list(list, &ctx).await?;
            Ok::<_, Diagnostics>(
                listed
                    .into_iter()
                    .map(|object| {
                        let mut diags = Vec::new();
                        let identity =
                            encode_value(&object.identity, &identity_ty, "identity", &mut diags)
                                .map(|data| pb::ResourceIdentityData { identity_data: Some(data) });
                        let resource_object = object.state.and_then(|state| {
                            encode_value(&state, &state_ty, "listed state", &mut diags)
                        });
                        pb::list_resource::Event {
                            identity,
                            display_name: object.display_name,
                            resource_object,
                            diagnostic: convert::diagnostics(&diags),
                        }
                    })
                    .collect(),
            )
        }
        .await;
        result.unwrap_or_else(|diags| {
            vec![pb::list_resource::Event {
                diagnostic: convert::diagnostics(&diags),
                ..Default::default()
            }]
        })
    }

    #[instrument(skip_all)]
    async fn stop_in_flight(&self, _: pb::stop::Request, _: Context) -> pb::stop::Response {
        debug!("stop requested: cancelling in-flight operations");
        self.stopper.stop();
        pb::stop::Response { error: String::new() }
    }
}
