//! JSON as Terraform writes it in state files and in `DynamicValue.json`: no
//! unknowns, `dynamic` values as `{"value": …, "type": …}`.

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::CodecError;
use crate::plugin::diagnostics::AttributePath;
use crate::plugin::value::{Number, Type, Value};

/// Decodes `bytes` as a value of type `ty`. Object attributes the type does
/// not know are dropped: raw state written by an older schema may carry them.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let root = AttributePath::default();
    let json: J = serde_json::from_slice(bytes)
        .map_err(|e| CodecError::new(&root, format!("malformed JSON: {e}")))?;
    from_json(&json, ty, &root)
}

fn from_json(json: &J, ty: &Type, path: &AttributePath) -> Result<Value, CodecError> {
    match (json, ty) {
        (J::Null, _) => Ok(Value::Null),
        (J::Object(o), Type::Dynamic) => {
            let inner_ty = o
                .get("type")
                .and_then(Type::from_json)
                .ok_or_else(|| CodecError::new(path, "dynamic value has an invalid type"))?;
            from_json(o.get("value").unwrap_or(&J::Null), &inner_ty, path)
        }
        (J::Bool(b), Type::Bool) => Ok(Value::Bool(*b)),
        (J::Number(n), Type::Number) => Ok(Value::Number(match n.as_i64() {
            Some(i) => Number::Int(i),
            None => Number::Float(n.as_f64().unwrap_or(f64::NAN)),
        })),
        (J::String(s), Type::Number) => Number::parse(s)
            .map(Value::Number)
            .ok_or_else(|| CodecError::mismatch(path, ty, "a string that is not a number")),
        (J::String(s), Type::String) => Ok(Value::String(s.clone())),
        (J::Array(items), Type::List(elem) | Type::Set(elem)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| from_json(item, elem, &path.index(i as i64)))
            .collect::<Result<_, _>>()
            .map(Value::List),
        (J::Array(items), Type::Tuple(elems)) if items.len() == elems.len() => items
            .iter()
            .zip(elems)
            .enumerate()
            .map(|(i, (item, elem))| from_json(item, elem, &path.index(i as i64)))
            .collect::<Result<_, _>>()
            .map(Value::List),
        (J::Object(o), Type::Map(elem)) => o
            .iter()
            .map(|(k, v)| Ok((k.clone(), from_json(v, elem, &path.key(k))?)))
            .collect::<Result<BTreeMap<_, _>, _>>()
            .map(Value::Map),
        (J::Object(o), Type::Object(attrs)) => attrs
            .iter()
            .map(|(name, attr_ty)| {
                let item = o.get(name).unwrap_or(&J::Null);
                Ok((name.clone(), from_json(item, attr_ty, &path.attribute(name))?))
            })
            .collect::<Result<BTreeMap<_, _>, _>>()
            .map(Value::Map),
        (other, ty) => Err(CodecError::mismatch(path, ty, json_kind(other))),
    }
}

fn json_kind(json: &J) -> &'static str {
    match json {
        J::Null => "null",
        J::Bool(_) => "bool",
        J::Number(_) => "number",
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}
