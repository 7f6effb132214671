//! Round trips through both encodings for values of arbitrary types, and the
//! protocol's special cases.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::{decode_json, decode_msgpack, encode_msgpack};
use crate::plugin::value::{Number, Type, Value};

fn arb_type() -> impl Strategy<Value = Type> {
    let leaf =
        prop_oneof![Just(Type::Bool), Just(Type::Number), Just(Type::String), Just(Type::Dynamic)];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map("[a-z_]{1,8}", inner.clone(), 0..4).prop_map(Type::Object),
            prop::collection::vec(inner, 0..3).prop_map(Type::Tuple),
        ]
    })
}

fn arb_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::Int),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Number::Float),
    ]
}

/// A known value of a type that `dynamic` can be inferred back to.
fn arb_dynamic_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        arb_number().prop_map(Value::Number),
        ".{0,12}".prop_map(Value::String),
    ]
}

/// A value of type `ty`; `unknowns` allows unknown values anywhere.
fn arb_value(ty: Type, unknowns: bool) -> BoxedStrategy<Value> {
    let known: BoxedStrategy<Value> = match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::String => ".{0,16}".prop_map(Value::String).boxed(),
        Type::Dynamic => arb_dynamic_value().boxed(),
        Type::List(e) | Type::Set(e) => {
            prop::collection::vec(arb_value(*e, unknowns), 0..4).prop_map(Value::List).boxed()
        }
        Type::Map(e) => prop::collection::btree_map(".{0,6}", arb_value(*e, unknowns), 0..4)
            .prop_map(Value::Map)
            .boxed(),
        Type::Object(attrs) => {
            let fields: Vec<_> = attrs
                .into_iter()
                .map(|(name, t)| arb_value(t, unknowns).prop_map(move |v| (name.clone(), v)))
                .collect();
            fields.prop_map(|f| Value::Map(f.into_iter().collect())).boxed()
        }
        Type::Tuple(elems) => elems
            .into_iter()
            .map(|t| arb_value(t, unknowns))
            .collect::<Vec<_>>()
            .prop_map(Value::List)
            .boxed(),
    };
    if unknowns {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => known].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 6 => known].boxed()
    }
}

fn typed_value(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(move |ty| (Just(ty.clone()), arb_value(ty, unknowns)))
}

/// The JSON Terraform would write for a known value.
fn to_json(value: &Value, ty: &Type) -> serde_json::Value {
    use serde_json::Value as J;
    match (value, ty) {
        (Value::Null, _) => J::Null,
        (v, Type::Dynamic) => {
            let (inner, inner_ty) = match v {
                Value::Bool(_) => (to_json(v, &Type::Bool), Type::Bool),
                Value::Number(_) => (to_json(v, &Type::Number), Type::Number),
                _ => (to_json(v, &Type::String), Type::String),
            };
            serde_json::json!({ "value": inner, "type": inner_ty.to_json() })
        }
        (Value::Bool(b), _) => J::Bool(*b),
        (Value::Number(Number::Int(i)), _) => J::from(*i),
        (Value::Number(Number::Float(f)), _) => J::from(*f),
        (Value::String(s), _) => J::from(s.as_str()),
        (Value::List(items), Type::List(e) | Type::Set(e)) => {
            J::Array(items.iter().map(|i| to_json(i, e)).collect())
        }
        (Value::List(items), Type::Tuple(elems)) => {
            J::Array(items.iter().zip(elems).map(|(i, t)| to_json(i, t)).collect())
        }
        (Value::Map(items), Type::Map(e)) => {
            J::Object(items.iter().map(|(k, v)| (k.clone(), to_json(v, e))).collect())
        }
        (Value::Map(items), Type::Object(attrs)) => {
            J::Object(items.iter().map(|(k, v)| (k.clone(), to_json(v, &attrs[k]))).collect())
        }
        (v, t) => panic!("{v:?} is not a {t}"),
    }
}

proptest! {
    #[test]
    fn msgpack_round_trips((ty, value) in typed_value(true)) {
        let bytes = encode_msgpack(&value, &ty).unwrap();
        prop_assert_eq!(decode_msgpack(&bytes, &ty).unwrap(), value);
    }

    #[test]
    fn json_decodes_what_terraform_writes((ty, value) in typed_value(false)) {
        let json = to_json(&value, &ty).to_string();
        let decoded = decode_json(json.as_bytes(), &ty).unwrap();
        // JSON cannot tell 1.0 from 1; compare as numbers.
        prop_assert_eq!(normalise(decoded), normalise(value));
    }

    #[test]
    fn malformed_msgpack_is_an_error_never_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..64), ty in arb_type()) {
        let _ = decode_msgpack(&bytes, &ty);
    }

    #[test]
    fn malformed_json_is_an_error_never_a_panic(text in ".{0,64}", ty in arb_type()) {
        let _ = decode_json(text.as_bytes(), &ty);
    }
}

fn normalise(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::Number(n.as_i64().map_or(n, Number::Int)),
        Value::List(items) => Value::List(items.into_iter().map(normalise).collect()),
        Value::Map(items) => {
            Value::Map(items.into_iter().map(|(k, v)| (k, normalise(v))).collect())
        }
        other => other,
    }
}

#[test]
fn any_extension_code_is_unknown_and_unknown_is_written_as_code_0() {
    // fixext1 with code 12 (refinements, Terraform 1.6+) and a payload.
    assert_eq!(decode_msgpack(&[0xd4, 12, 0x01], &Type::String).unwrap(), Value::Unknown);
    assert_eq!(decode_msgpack(&[0xd4, 0, 0], &Type::Number).unwrap(), Value::Unknown);
    let encoded = encode_msgpack(&Value::Unknown, &Type::String).unwrap();
    assert_eq!(encoded, [0xc7, 0x00, 0x00], "ext8, length 0, code 0");
}

#[test]
fn numbers_arrive_as_int_float_or_string() {
    assert_eq!(decode_msgpack(&[0x2a], &Type::Number).unwrap(), Value::from(42));
    let float = [0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0];
    assert_eq!(decode_msgpack(&float, &Type::Number).unwrap(), Value::Number(Number::Float(1.5)));
    let text = [0xa4, b'2', b'9', b'0', b'0'];
    assert_eq!(decode_msgpack(&text, &Type::Number).unwrap(), Value::from(2900));
}

#[test]
fn object_errors_name_the_attribute() {
    let ty = Type::Object(BTreeMap::from([("timeout".to_owned(), Type::Number)]));
    // {"timeout": "soon"}
    let bytes =
        [0x81, 0xa7, b't', b'i', b'm', b'e', b'o', b'u', b't', 0xa4, b's', b'o', b'o', b'n'];
    let err = decode_msgpack(&bytes, &ty).unwrap_err();
    assert_eq!(err.path.to_string(), "timeout");
}

#[test]
fn raw_state_may_carry_attributes_the_schema_dropped() {
    let ty = Type::Object(BTreeMap::from([("a".to_owned(), Type::String)]));
    let value = decode_json(br#"{"a":"x","removed":1}"#, &ty).unwrap();
    assert_eq!(value, Value::object([("a", Value::from("x"))]));
}
