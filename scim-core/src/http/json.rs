//! Strict JSON request bodies: duplicate member names are rejected, not silently collapsed.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Parses a request body as JSON, rejecting duplicate member names (RFC 8259 leaves their
/// meaning open, and a client sending `{"active": true, "active": false}` has a bug worth
/// reporting) and nesting deeper than serde_json's limit of 128.
pub(crate) fn parse_body(body: &[u8]) -> Result<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::invalid_syntax("the request body is empty"));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value =
        <StrictValue as de::Deserialize>::deserialize(&mut deserializer).map_err(Error::from)?;
    deserializer.end().map_err(Error::from)?;
    Ok(value.0)
}

struct StrictValue(Value);

impl<'de> de::Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> std::result::Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Value, E> {
        no_nul(v)?;
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Value, E> {
        no_nul(&v)?;
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            no_nul(&key)?;
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate member {key:?}")));
            }
            let StrictValue(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// Refuses a string with a NUL character (`\u0000`): no SCIM value needs one, and stores such
/// as PostgreSQL cannot hold it in text, so every store answers the same 400.
fn no_nul<E: de::Error>(text: &str) -> std::result::Result<(), E> {
    match text.contains('\0') {
        true => Err(E::custom("a string holds a NUL character (\\u0000)")),
        false => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_bodies() {
        assert_eq!(parse_body(br#"{"a": [1, 2.5, "x", null, true]}"#).unwrap()["a"][1], 2.5);
        for bad in [
            &br#"{"a": 1, "a": 2}"#[..],
            b"",
            b"  ",
            b"{",
            b"{} x",
            b"\xff",
            br#"{"userName": "a\u0000b"}"#,
            br#"{"a\u0000": 1}"#,
            br#"["\u0000"]"#,
        ] {
            assert!(matches!(parse_body(bad), Err(Error::InvalidSyntax { .. })), "{bad:?}");
        }
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(parse_body(deep.as_bytes()), Err(Error::InvalidSyntax { .. })));
    }
}
