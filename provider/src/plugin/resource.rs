//! The contract between the protocol layer and a provider's resources, and
//! the per-call [`Context`] every part of a provider gets. Nothing here
//! knows about gRPC or about any cloud: implementations see decoded
//! [`Value`]s and answer with values and [`Diagnostics`].

use async_trait::async_trait;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::plugin::diagnostics::{AttributePath, Diagnostics};
use crate::plugin::schema::Presence;
use crate::plugin::schema::{IdentitySchema, Schema};
use crate::plugin::value::Value;

/// Per-call context. `stop` fires when Terraform sends Stop (Ctrl-C) while
/// the call runs: it should end promptly and report what it left behind.
/// Calls that start after a Stop get a fresh `stop`.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub stop: CancellationToken,
}

/// A plan for one resource instance.
#[derive(Debug)]
pub struct Plan {
    pub planned_state: Value,
    /// Attributes whose change replaces the instance.
    pub requires_replace: Vec<AttributePath>,
    pub diagnostics: Diagnostics,
}

impl Plan {
    /// A plan that stops at `diagnostics`; Terraform shows them and plans nothing.
    pub fn refused(proposed_state: Value, diagnostics: Diagnostics) -> Plan {
        Plan { planned_state: proposed_state, requires_replace: Vec::new(), diagnostics }
    }
}

/// What Terraform asks `plan` to decide about.
#[derive(Debug)]
pub struct PlanRequest {
    /// Null when creating.
    pub prior_state: Value,
    /// Config merged with prior state by Terraform: computed attributes the
    /// config leaves unset keep their prior value (or are null on create).
    pub proposed_state: Value,
    pub config: Value,
}

/// What Terraform asks `apply` to carry out. `planned_state` null = destroy.
#[derive(Debug)]
pub struct ApplyRequest {
    pub prior_state: Value,
    pub planned_state: Value,
    pub config: Value,
}

/// What an import names: an id (`terraform import`, `import { id }`) or an
/// identity (`import { identity }`, Terraform 1.12+).
#[derive(Debug)]
pub enum ImportTarget {
    Id(String),
    Identity(Value),
}

/// The state of an object as another resource type stored it.
#[derive(Debug)]
pub struct MoveSource {
    /// E.g. `registry.terraform.io/hashicorp/aws`.
    pub provider_address: String,
    pub type_name: String,
    pub schema_version: i64,
    /// As stored: the source's schema, which this provider does not know.
    pub state: serde_json::Value,
}

/// What a `list` block asks for.
#[derive(Debug)]
pub struct ListRequest {
    /// Of the type of [`Resource::list_schema`].
    pub config: Value,
    /// Whether each object's whole state is wanted, or its identity only.
    pub include_state: bool,
    pub limit: usize,
}

/// One listed object.
#[derive(Debug)]
pub struct Listed {
    pub identity: Value,
    /// E.g. `POST /hooks/{source} -> worker`.
    pub display_name: String,
    /// Its state, when asked for.
    pub state: Option<Value>,
}

#[async_trait]
pub trait Resource: Send + Sync {
    /// The full type name, e.g. `aws_instance`.
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> &Schema;

    /// Checks a configuration without calling anything remote. Unknown values
    /// must be accepted: they are checked again once known.
    fn validate(&self, config: &Value) -> Diagnostics;

    /// Plans a create or update (destroys never reach here).
    async fn plan(&self, request: PlanRequest, ctx: &Context) -> Plan;

    /// Carries out a plan and returns the new state: null after a destroy, or
    /// the prior state when nothing was changed. On failure the diagnostics
    /// say what went wrong and the state says what exists now.
    async fn apply(&self, request: ApplyRequest, ctx: &Context) -> (Value, Diagnostics);

    /// Refreshes state from the remote; null when the object is gone.
    async fn read(&self, state: Value, ctx: &Context) -> (Value, Diagnostics);

    /// The state of an existing remote object named by an import id or by
    /// its identity.
    async fn import(&self, target: ImportTarget, ctx: &Context) -> (Value, Diagnostics);

    /// What identifies an instance (Terraform 1.12+); `None`: no identity.
    fn identity_schema(&self) -> Option<&IdentitySchema> {
        None
    }

    /// The identity of the object `state` describes. A planned state's
    /// identity may have unknown parts; an existing object's never changes.
    async fn identity(&self, _state: &Value, _ctx: &Context) -> Result<Value, Diagnostics> {
        Ok(Value::Null)
    }

    /// This resource's state for an object another resource type (of any
    /// provider) held in state until a `moved` block (Terraform 1.8+). The
    /// result is refreshed before it is planned, so it may name only what
    /// the read needs.
    fn move_state(&self, source: &MoveSource) -> Result<Value, Diagnostics> {
        Err(vec![crate::plugin::diagnostics::Diagnostic::error(
            "Unsupported move",
            format!(
                "A {} cannot take over the state of a {} ({}).",
                self.type_name(),
                source.type_name,
                source.provider_address
            ),
        )])
    }

    /// The configuration a person would write for `state`, for
    /// `-generate-config-out`: the default keeps what the user may set.
    fn config_of(&self, state: &Value) -> Value {
        let attributes = self.schema().block.attributes.iter().map(|a| {
            let value = if a.presence == Presence::Computed {
                Value::Null
            } else {
                state.get(&a.name).clone()
            };
            (a.name.as_str(), value)
        });
        Value::object(attributes)
    }

    /// The configuration a `list` block of this type takes (Terraform
    /// 1.14+ `terraform query`); `None`: it cannot be listed.
    fn list_schema(&self) -> Option<&Schema> {
        None
    }

    /// Sends each object a `list` block's configuration selects, at most
    /// `limit`, to `listed` as soon as it is read: Terraform shows it without
    /// waiting for the rest. The listing is over when this returns (dropping
    /// `listed`); a failed send means Terraform reads no more, so stop with
    /// `Ok`. An error ends the listing after the objects already sent.
    async fn list(
        &self,
        _request: ListRequest,
        _ctx: &Context,
        _listed: mpsc::Sender<Listed>,
    ) -> Result<(), Diagnostics> {
        Err(vec![crate::plugin::diagnostics::Diagnostic::error(
            "Unsupported list",
            format!("{} objects cannot be listed.", self.type_name()),
        )])
    }

    /// Brings stored state written with schema `version` to the current
    /// schema. The default accepts the current version only.
    fn upgrade(&self, version: i64, state: Value) -> Result<Value, Diagnostics> {
        let current = self.schema().version;
        if version == current {
            Ok(state)
        } else {
            Err(vec![crate::plugin::diagnostics::Diagnostic::error(
                "Unsupported state version",
                format!(
                    "The state of this {} was written with schema version {version}, but this \
                     provider knows version {current} only. Use the provider version that wrote it.",
                    self.type_name()
                ),
            )])
        }
    }
}
