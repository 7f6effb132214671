//! A managed resource's RPCs: validate, upgrade, read, plan, apply, import,
//! move, and generate configuration.

use tracing::instrument;

use super::Handlers;
use super::identity::{identity_of, no_identity};
use super::respond::respond;
use crate::plugin::diagnostics::{Diagnostic, Severity};
use crate::plugin::grpc::{convert, values};
use crate::plugin::proto::tfplugin5 as pb;
use crate::plugin::resource::{ApplyRequest, Context, ImportTarget, MoveSource, PlanRequest};
use crate::plugin::value::Value;

impl Handlers {
    #[instrument(skip_all, fields(type_name = %request.type_name))]
    pub async fn validate_resource(
        &self,
        request: pb::validate_resource_type_config::Request,
        _: Context,
    ) -> pb::validate_resource_type_config::Response {
        let handled = async {
            let resource = self.resource(&request.type_name)?;
            let ty = resource.schema().value_type();
            let config = values::decode(request.config.as_ref(), &ty, "configuration")?;
            Ok((Default::default(), resource.validate(&config)))
        }
        .await;
        respond(handled)
    }

    #[instrument(skip_all, fields(type_name = %request.type_name))]
    pub async fn upgrade_state(
        &self,
        request: pb::upgrade_resource_state::Request,
        _: Context,
    ) -> pb::upgrade_resource_state::Response {
        let handled = async {
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
                values::decode_stored(&raw.json, &ty, "stored state")?
            };
            let state = resource.upgrade(request.version, state)?;
            let mut diags = Vec::new();
            let upgraded_state = values::encode(&state, &ty, "upgraded state", &mut diags);
            let response =
                pb::upgrade_resource_state::Response { upgraded_state, ..Default::default() };
            Ok((response, diags))
        }
        .await;
        respond(handled)
    }

    #[instrument(skip_all, fields(type_name = %request.type_name))]
    pub async fn read_state(
        &self,
        request: pb::read_resource::Request,
        ctx: Context,
    ) -> pb::read_resource::Response {
        let handled = async {
            let resource = self.resource(&request.type_name)?;
            let ty = resource.schema().value_type();
            let state = values::decode(request.current_state.as_ref(), &ty, "current state")?;
            let (state, mut diags) = resource.read(state, &ctx).await;
            let response = pb::read_resource::Response {
                new_state: values::encode(&state, &ty, "new state", &mut diags),
                new_identity: identity_of(&*resource, &state, &ctx, &mut diags).await,
                ..Default::default()
            };
            Ok((response, diags))
        }
        .await;
        // Private data goes back as it came, whatever happened.
        pb::read_resource::Response { private: request.private, ..respond(handled) }
    }

    #[instrument(skip_all, fields(type_name = %request.type_name))]
    pub async fn plan_change(
        &self,
        request: pb::plan_resource_change::Request,
        ctx: Context,
    ) -> pb::plan_resource_change::Response {
        let handled = async {
            let resource = self.resource(&request.type_name)?;
            let ty = resource.schema().value_type();
            let prior_state = values::decode(request.prior_state.as_ref(), &ty, "prior state")?;
            let proposed_state =
                values::decode(request.proposed_new_state.as_ref(), &ty, "proposed state")?;
            let config = values::decode(request.config.as_ref(), &ty, "configuration")?;
            if proposed_state.is_null() {
                // A destroy: nothing to decide, the planned state is null.
                let mut diags = Vec::new();
                let planned_state = values::encode(&Value::Null, &ty, "plan", &mut diags);
                let response =
                    pb::plan_resource_change::Response { planned_state, ..Default::default() };
                return Ok((response, diags));
            }
            let plan =
                resource.plan(PlanRequest { prior_state, proposed_state, config }, &ctx).await;
            let mut diags = plan.diagnostics;
            let planned_state =
                values::encode(&plan.planned_state, &ty, "planned state", &mut diags);
            // A refused plan names no object.
            let planned_identity = if diags.iter().any(|d| d.severity == Severity::Error) {
                None
            } else {
                identity_of(&*resource, &plan.planned_state, &ctx, &mut diags).await
            };
            let response = pb::plan_resource_change::Response {
                planned_state,
                planned_identity,
                requires_replace: plan
                    .requires_replace
                    .iter()
                    .map(convert::attribute_path)
                    .collect(),
                ..Default::default()
            };
            Ok((response, diags))
        }
        .await;
        pb::plan_resource_change::Response {
            planned_private: request.prior_private,
            ..respond(handled)
        }
    }

    #[instrument(skip_all, fields(type_name = %request.type_name))]
    pub async fn apply_change(
        &self,
        request: pb::apply_resource_change::Request,
        ctx: Context,
    ) -> pb::apply_resource_change::Response {
        let handled = async {
            let resource = self.resource(&request.type_name)?;
            let ty = resource.schema().value_type();
            let prior_state = values::decode(request.prior_state.as_ref(), &ty, "prior state")?;
            let planned_state =
                values::decode(request.planned_state.as_ref(), &ty, "planned state")?;
            let config = values::decode(request.config.as_ref(), &ty, "configuration")?;
            let (new_state, mut diags) =
                resource.apply(ApplyRequest { prior_state, planned_state, config }, &ctx).await;
            let response = pb::apply_resource_change::Response {
                new_state: values::encode(&new_state, &ty, "new state", &mut diags),
                new_identity: identity_of(&*resource, &new_state, &ctx, &mut diags).await,
                ..Default::default()
            };
            Ok((response, diags))
        }
        .await;
        pb::apply_resource_change::Response { private: request.planned_private, ..respond(handled) }
    }

    #[instrument(skip_all, fields(type_name = %request.type_name, id = %request.id))]
    pub async fn import_state(
        &self,
        request: pb::import_resource_state::Request,
        ctx: Context,
    ) -> pb::import_resource_state::Response {
        let handled = async {
            let resource = self.resource(&request.type_name)?;
            let ty = resource.schema().value_type();
            let identity = request.identity.as_ref().and_then(|i| i.identity_data.as_ref());
            let target = match identity {
                Some(data) if request.id.is_empty() => {
                    let schema = resource
                        .identity_schema()
                        .ok_or_else(|| no_identity(&request.type_name))?;
                    ImportTarget::Identity(values::decode(
                        Some(data),
                        &schema.value_type(),
                        "identity",
                    )?)
                }
                _ => ImportTarget::Id(request.id.clone()),
            };
            let (state, mut diags) = resource.import(target, &ctx).await;
            let mut response = pb::import_resource_state::Response::default();
            if state.is_present()
                && let Some(encoded) = values::encode(&state, &ty, "imported state", &mut diags)
            {
                let identity = identity_of(&*resource, &state, &ctx, &mut diags).await;
                response.imported_resources.push(pb::import_resource_state::ImportedResource {
                    type_name: request.type_name.clone(),
                    state: Some(encoded),
                    identity,
                    ..Default::default()
                });
            }
            Ok((response, diags))
        }
        .await;
        respond(handled)
    }

    /// No identity: Terraform moves in a provider it has not configured, and
    /// the read that follows gives the identity.
    #[instrument(skip_all, fields(from = %request.source_type_name, to = %request.target_type_name))]
    pub async fn move_state(
        &self,
        request: pb::move_resource_state::Request,
        _: Context,
    ) -> pb::move_resource_state::Response {
        let handled = async {
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
            let target_state = values::encode(&state, &ty, "moved state", &mut diags);
            let response = pb::move_resource_state::Response { target_state, ..Default::default() };
            Ok((response, diags))
        }
        .await;
        pb::move_resource_state::Response {
            target_private: request.source_private,
            ..respond(handled)
        }
    }

    #[instrument(skip_all, fields(type_name = %request.type_name))]
    pub async fn generate_config(
        &self,
        request: pb::generate_resource_config::Request,
        _: Context,
    ) -> pb::generate_resource_config::Response {
        let handled = async {
            let resource = self.resource(&request.type_name)?;
            let ty = resource.schema().value_type();
            let state = values::decode(request.state.as_ref(), &ty, "state")?;
            // Null for a listed object Terraform has no state of.
            let config = if state.is_null() { Value::Null } else { resource.config_of(&state) };
            let mut diags = Vec::new();
            let config = values::encode(&config, &ty, "config", &mut diags);
            let response = pb::generate_resource_config::Response { config, ..Default::default() };
            Ok((response, diags))
        }
        .await;
        respond(handled)
    }
}
