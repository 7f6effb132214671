//! Resource identities (Terraform 1.12+): their schemas, upgrading stored
//! ones, and the identity that goes with every answer carrying a state.

use tracing::instrument;

use super::Handlers;
use super::respond::respond;
use crate::plugin::diagnostics::{Diagnostic, Diagnostics};
use crate::plugin::grpc::{convert, values};
use crate::plugin::proto::tfplugin5 as pb;
use crate::plugin::resource::{Context, Resource};
use crate::plugin::value::Value;

impl Handlers {
    #[instrument(skip_all)]
    pub async fn identity_schemas(
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
    pub async fn upgrade_identity(
        &self,
        request: pb::upgrade_resource_identity::Request,
        _: Context,
    ) -> pb::upgrade_resource_identity::Response {
        let handled = async {
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
            let identity = values::decode_stored(&raw.json, &ty, "stored identity")?;
            let mut diags = Vec::new();
            let upgraded_identity = values::encode_identity(&identity, &ty, &mut diags);
            let response =
                pb::upgrade_resource_identity::Response { upgraded_identity, ..Default::default() };
            Ok((response, diags))
        }
        .await;
        respond(handled)
    }
}

/// The identity of the object `state` describes, for a response; none for
/// a resource without identity, a state that is gone, or a planned identity
/// not wholly known (Terraform 1.15 fails to render a plan holding one:
/// "Failed to marshal plan to json: value is not known").
pub async fn identity_of(
    resource: &dyn Resource,
    state: &Value,
    ctx: &Context,
    diags: &mut Diagnostics,
) -> Option<pb::ResourceIdentityData> {
    let schema = resource.identity_schema().filter(|_| state.is_present())?;
    match resource.identity(state, ctx).await {
        Ok(identity) if identity.contains_unknown() => None,
        Ok(identity) => values::encode_identity(&identity, &schema.value_type(), diags),
        Err(more) => {
            diags.extend(more);
            None
        }
    }
}

pub fn no_identity(type_name: &str) -> Diagnostics {
    vec![Diagnostic::error(
        "Resource has no identity",
        format!("{type_name} has no resource identity; import it by its id."),
    )]
}
