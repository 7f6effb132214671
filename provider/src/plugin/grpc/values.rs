//! Values in and out of protocol messages, against a schema's type. A value
//! that does not decode or encode becomes a diagnostic, not a gRPC error:
//! Terraform shows it, and the request still gets its response.

use crate::plugin::codec::{self, CodecError};
use crate::plugin::diagnostics::{Diagnostic, Diagnostics};
use crate::plugin::proto::tfplugin5 as pb;
use crate::plugin::value::{Type, Value};

/// A request's value: msgpack when present, else JSON; an absent message is
/// null. `what` names it in the diagnostic.
pub fn decode(
    value: Option<&pb::DynamicValue>,
    ty: &Type,
    what: &str,
) -> Result<Value, Diagnostics> {
    let decoded = match value {
        Some(v) if !v.msgpack.is_empty() => codec::decode_msgpack(&v.msgpack, ty),
        Some(v) if !v.json.is_empty() => codec::decode_json(&v.json, ty),
        _ => Ok(Value::Null),
    };
    decoded.map_err(|e| vec![codec_diagnostic(what, e)])
}

/// A value as Terraform stored it: JSON, in the upgrade RPCs.
pub fn decode_stored(json: &[u8], ty: &Type, what: &str) -> Result<Value, Diagnostics> {
    codec::decode_json(json, ty).map_err(|e| vec![codec_diagnostic(what, e)])
}

/// A response's value, as msgpack (the form Terraform expects back). A
/// failure is a provider bug: reported beside the rest of the answer.
pub fn encode(
    value: &Value,
    ty: &Type,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<pb::DynamicValue> {
    match codec::encode_msgpack(value, ty) {
        Ok(msgpack) => Some(pb::DynamicValue { msgpack, json: Vec::new() }),
        Err(e) => {
            diags.push(codec_diagnostic(what, e));
            None
        }
    }
}

/// An identity, as the messages that carry one hold it.
pub fn encode_identity(
    identity: &Value,
    ty: &Type,
    diags: &mut Diagnostics,
) -> Option<pb::ResourceIdentityData> {
    let data = encode(identity, ty, "identity", diags)?;
    Some(pb::ResourceIdentityData { identity_data: Some(data) })
}

/// A codec failure as the user sees it: an internal error, since Terraform
/// only sends values of the schema's type.
fn codec_diagnostic(what: &str, error: CodecError) -> Diagnostic {
    Diagnostic::error(
        format!("Invalid {what}"),
        format!(
            "The provider could not decode the {what}: {}. This is a bug in the provider or a \
             Terraform version it does not support; please report it.",
            error.problem
        ),
    )
    .at(error.path)
}
