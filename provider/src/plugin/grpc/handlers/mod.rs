//! The provider service's handlers, one per RPC, grouped by RPC family, and
//! what they share. Each takes the decoded request and its [`Context`], and
//! answers every request: failures become diagnostics on the response.
//!
//! [`Context`]: crate::plugin::resource::Context

mod action;
mod function;
mod identity;
mod list;
mod provider;
mod resource;
mod respond;

use std::collections::HashMap;
use std::sync::Arc;

use crate::plugin::action::Action;
use crate::plugin::current::Current;
use crate::plugin::diagnostics::{Diagnostic, Diagnostics};
use crate::plugin::function::Function;
use crate::plugin::grpc::convert;
use crate::plugin::proto::tfplugin5 as pb;
use crate::plugin::provider::Provider;
use crate::plugin::resource::Resource;

/// A provider's resources by type name.
type Resources = HashMap<&'static str, Arc<dyn Resource>>;

/// A provider's actions by type name.
type Actions = HashMap<&'static str, Arc<dyn Action>>;

/// The provider served, and what its handlers keep between calls.
pub struct Handlers {
    provider: Arc<dyn Provider>,
    /// As of the latest Configure (see [`Provider::resources`]).
    resources: Current<Arc<Resources>>,
    /// As of the latest Configure, as the resources.
    actions: Current<Arc<Actions>>,
    /// By name; the same whatever the configuration.
    functions: HashMap<&'static str, Arc<dyn Function>>,
    /// Built once: Terraform asks for it in every process, sometimes twice.
    schema_response: pb::get_provider_schema::Response,
}

impl Handlers {
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        let resources = by_type_name(provider.resources());
        let actions = actions_by_type_name(provider.actions());
        let functions: HashMap<_, _> =
            provider.functions().into_iter().map(|f| (f.name(), f)).collect();
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
            action_schemas: actions
                .iter()
                .map(|(name, a)| {
                    let schema = Some(convert::schema(a.schema()));
                    ((*name).to_owned(), pb::ActionSchema { schema })
                })
                .collect(),
            functions: functions
                .iter()
                .map(|(name, f)| ((*name).to_owned(), convert::function(f.signature())))
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
        Handlers {
            provider,
            resources: Current::new(Arc::new(resources)),
            actions: Current::new(Arc::new(actions)),
            functions,
            schema_response,
        }
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

fn by_type_name(resources: Vec<Arc<dyn Resource>>) -> Resources {
    resources.into_iter().map(|r| (r.type_name(), r)).collect()
}

fn actions_by_type_name(actions: Vec<Arc<dyn Action>>) -> Actions {
    actions.into_iter().map(|a| (a.type_name(), a)).collect()
}
