//! msgpack as Terraform's object wire format defines it: nil is null, any
//! extension is unknown (code 12 carries refinements since Terraform 1.6, which
//! a provider may ignore), `dynamic` values are `[type JSON, value]`.

use std::collections::BTreeMap;

use rmpv::Value as Mp;

use super::CodecError;
use crate::plugin::diagnostics::AttributePath;
use crate::plugin::value::{Number, Type, Value};

/// Decodes `bytes` as a value of type `ty`.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let root = AttributePath::default();
    let mut reader = bytes;
    let raw = rmpv::decode::read_value(&mut reader)
        .map_err(|e| CodecError::new(&root, format!("malformed msgpack: {e}")))?;
    if !reader.is_empty() {
        return Err(CodecError::new(&root, "trailing bytes after the msgpack value"));
    }
    from_msgpack(&raw, ty, &root)
}

/// Encodes `value` of type `ty`. Unknowns become extension 0 with an empty payload.
pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let raw = to_msgpack(value, ty, &AttributePath::default())?;
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, &raw).expect("writing to a Vec cannot fail");
    Ok(out)
}

fn from_msgpack(raw: &Mp, ty: &Type, path: &AttributePath) -> Result<Value, CodecError> {
    match (raw, ty) {
        (Mp::Nil, _) => Ok(Value::Null),
        (Mp::Ext(..), _) => Ok(Value::Unknown),
        (_, Type::Dynamic) => {
            let Mp::Array(pair) = raw else {
                return Err(CodecError::mismatch(path, ty, "a value without its type"));
            };
            let [type_json, inner] = pair.as_slice() else {
                return Err(CodecError::new(path, "dynamic value must be [type, value]"));
            };
            let type_bytes = match type_json {
                Mp::Binary(b) => b.as_slice(),
                Mp::String(s) => s.as_bytes(),
                _ => return Err(CodecError::new(path, "dynamic value type must be JSON bytes")),
            };
            let inner_ty = serde_json::from_slice(type_bytes)
                .ok()
                .and_then(|j| Type::from_json(&j))
                .ok_or_else(|| CodecError::new(path, "dynamic value has an invalid type"))?;
            from_msgpack(inner, &inner_ty, path)
        }
        (Mp::Boolean(b), Type::Bool) => Ok(Value::Bool(*b)),
        (Mp::Integer(i), Type::Number) => Ok(Value::Number(match i.as_i64() {
            Some(i) => Number::Int(i),
            None => Number::Float(i.as_f64().unwrap_or(f64::NAN)),
        })),
        (Mp::F32(f), Type::Number) => Ok(Value::Number(Number::Float(f64::from(*f)))),
        (Mp::F64(f), Type::Number) => Ok(Value::Number(Number::Float(*f))),
        (Mp::String(s), Type::Number) => s
            .as_str()
            .and_then(Number::parse)
            .map(Value::Number)
            .ok_or_else(|| CodecError::mismatch(path, ty, "a string that is not a number")),
        (Mp::String(s), Type::String) => s
            .as_str()
            .map(|s| Value::String(s.to_owned()))
            .ok_or_else(|| CodecError::new(path, "string is not valid UTF-8")),
        (Mp::Array(items), Type::List(elem) | Type::Set(elem)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| from_msgpack(item, elem, &path.index(i as i64)))
            .collect::<Result<_, _>>()
            .map(Value::List),
        (Mp::Array(items), Type::Tuple(elems)) => {
            if items.len() != elems.len() {
                return Err(CodecError::new(
                    path,
                    format!("tuple has {} elements, expected {}", items.len(), elems.len()),
                ));
            }
            items
                .iter()
                .zip(elems)
                .enumerate()
                .map(|(i, (item, elem))| from_msgpack(item, elem, &path.index(i as i64)))
                .collect::<Result<_, _>>()
                .map(Value::List)
        }
        (Mp::Map(entries), Type::Map(elem)) => {
            let mut out = BTreeMap::new();
            for (key, item) in entries {
                let key = map_key(key, path)?;
                let item = from_msgpack(item, elem, &path.key(&key))?;
                out.insert(key, item);
            }
            Ok(Value::Map(out))
        }
        (Mp::Map(entries), Type::Object(attrs)) => {
            let mut out = BTreeMap::new();
            for (key, item) in entries {
                let key = map_key(key, path)?;
                let Some(attr_ty) = attrs.get(&key) else {
                    return Err(CodecError::new(path, format!("unsupported attribute {key:?}")));
                };
                let item = from_msgpack(item, attr_ty, &path.attribute(&key))?;
                out.insert(key, item);
            }
            // Terraform always sends every attribute; fill gaps so readers need not care.
            for name in attrs.keys() {
                out.entry(name.clone()).or_insert(Value::Null);
            }
            Ok(Value::Map(out))
        }
        (other, ty) => Err(CodecError::mismatch(path, ty, msgpack_kind(other))),
    }
}

fn map_key(key: &Mp, path: &AttributePath) -> Result<String, CodecError> {
    key.as_str().map(str::to_owned).ok_or_else(|| CodecError::new(path, "map key is not a string"))
}

fn msgpack_kind(raw: &Mp) -> &'static str {
    match raw {
        Mp::Nil => "null",
        Mp::Boolean(_) => "bool",
        Mp::Integer(_) | Mp::F32(_) | Mp::F64(_) => "number",
        Mp::String(_) => "string",
        Mp::Binary(_) => "binary",
        Mp::Array(_) => "array",
        Mp::Map(_) => "map",
        Mp::Ext(..) => "unknown",
    }
}

fn to_msgpack(value: &Value, ty: &Type, path: &AttributePath) -> Result<Mp, CodecError> {
    Ok(match (value, ty) {
        (Value::Null, _) => Mp::Nil,
        (Value::Unknown, _) => Mp::Ext(0, Vec::new()),
        (value, Type::Dynamic) => {
            let actual = infer_type(value);
            let type_json = actual.to_json().to_string().into_bytes();
            Mp::Array(vec![Mp::Binary(type_json), to_msgpack(value, &actual, path)?])
        }
        (Value::Bool(b), Type::Bool) => Mp::Boolean(*b),
        (Value::Number(Number::Int(i)), Type::Number) => Mp::from(*i),
        (Value::Number(Number::Float(f)), Type::Number) => Mp::F64(*f),
        (Value::String(s), Type::String) => Mp::from(s.as_str()),
        (Value::List(items), Type::List(elem) | Type::Set(elem)) => Mp::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| to_msgpack(item, elem, &path.index(i as i64)))
                .collect::<Result<_, _>>()?,
        ),
        (Value::List(items), Type::Tuple(elems)) if items.len() == elems.len() => Mp::Array(
            items
                .iter()
                .zip(elems)
                .enumerate()
                .map(|(i, (item, elem))| to_msgpack(item, elem, &path.index(i as i64)))
                .collect::<Result<_, _>>()?,
        ),
        (Value::Map(items), Type::Map(elem)) => Mp::Map(
            items
                .iter()
                .map(|(k, v)| Ok((Mp::from(k.as_str()), to_msgpack(v, elem, &path.key(k))?)))
                .collect::<Result<_, CodecError>>()?,
        ),
        (Value::Map(items), Type::Object(attrs)) => {
            if let Some(extra) = items.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(CodecError::new(path, format!("unsupported attribute {extra:?}")));
            }
            Mp::Map(
                attrs
                    .iter()
                    .map(|(name, attr_ty)| {
                        let v = items.get(name).unwrap_or(&Value::Null);
                        Ok((
                            Mp::from(name.as_str()),
                            to_msgpack(v, attr_ty, &path.attribute(name))?,
                        ))
                    })
                    .collect::<Result<_, CodecError>>()?,
            )
        }
        (value, ty) => return Err(CodecError::mismatch(path, ty, value_kind(value))),
    })
}

/// The most specific type of a known value, for encoding `dynamic` attributes.
fn infer_type(value: &Value) -> Type {
    match value {
        Value::Null | Value::Unknown => Type::Dynamic,
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::List(items) => Type::Tuple(items.iter().map(infer_type).collect()),
        Value::Map(items) => {
            Type::Object(items.iter().map(|(k, v)| (k.clone(), infer_type(v))).collect())
        }
    }
}

fn value_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Unknown => "unknown",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "list",
        Value::Map(_) => "map",
    }
}
