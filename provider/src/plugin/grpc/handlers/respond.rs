//! The last step of every handler that can fail: its diagnostics go on its
//! response, whether it answered or stopped early.

use crate::plugin::diagnostics::Diagnostics;
use crate::plugin::grpc::convert;
use crate::plugin::proto::tfplugin5 as pb;

/// What a handler makes of a request: its response and the diagnostics
/// gathered on the way (warnings, or errors beside a partial answer), or the
/// diagnostics that stopped it before it had a response.
pub type Handled<R> = Result<(R, Diagnostics), Diagnostics>;

/// A message that carries diagnostics to Terraform.
pub trait Diagnosed: Default {
    fn diagnostics_mut(&mut self) -> &mut Vec<pb::Diagnostic>;
}

macro_rules! diagnosed {
    ($($message:ty => $field:ident,)*) => {$(
        impl Diagnosed for $message {
            fn diagnostics_mut(&mut self) -> &mut Vec<pb::Diagnostic> {
                &mut self.$field
            }
        }
    )*};
}

diagnosed! {
    pb::prepare_provider_config::Response => diagnostics,
    pb::configure::Response => diagnostics,
    pb::validate_resource_type_config::Response => diagnostics,
    pb::upgrade_resource_state::Response => diagnostics,
    pb::read_resource::Response => diagnostics,
    pb::plan_resource_change::Response => diagnostics,
    pb::apply_resource_change::Response => diagnostics,
    pb::import_resource_state::Response => diagnostics,
    pb::move_resource_state::Response => diagnostics,
    pb::generate_resource_config::Response => diagnostics,
    pb::upgrade_resource_identity::Response => diagnostics,
    pb::validate_list_resource_config::Response => diagnostics,
    pb::list_resource::Event => diagnostic,
    pb::validate_action_config::Response => diagnostics,
    pb::plan_action::Response => diagnostics,
}

/// The response to send: the handler's with its diagnostics, or, when it
/// stopped early, an empty one with those that stopped it.
pub fn respond<R: Diagnosed>(handled: Handled<R>) -> R {
    let (mut response, diagnostics) =
        handled.unwrap_or_else(|diagnostics| (R::default(), diagnostics));
    *response.diagnostics_mut() = convert::diagnostics(&diagnostics);
    response
}
