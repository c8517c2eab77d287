//! Typed SCIM resources (RFC 7643 §3, §4) and their conversion to and from the generic JSON form.
//!
//! The structs here mirror the wire format exactly: camelCase names, `$ref`, absent instead of
//! `null`. Input is read tolerantly (explicit `null`s are treated as absent, booleans may arrive
//! as the strings `"true"`/`"false"`), output is always the RFC form.
//!
//! Attribute names are matched with their schema spelling here; case-insensitive input is
//! normalised by the schema layer before typed deserialisation.

mod enterprise;
mod group;
mod meta;
mod user;

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Unexpected, Visitor};
use serde_json::{Map, Value};

pub use enterprise::{EnterpriseUser, Manager};
pub use group::{Group, Member};
pub use meta::Meta;
pub use user::{
    Address, Email, Entitlement, GroupRef, Im, MultiValue, Name, PhoneNumber, Photo, Role, User,
    X509Certificate,
};

use crate::schema::urn::{SCHEMA_ENTERPRISE_USER, SCHEMA_GROUP, SCHEMA_USER};

/// Deserialises an optional boolean that may also arrive as the string `"true"` or `"false"`
/// (any case), as Microsoft Entra ID sends it. `null` is `None`.
fn de_opt_bool<'de, D>(deserializer: D) -> Result<Option<bool>, D::Error>
where
    D: Deserializer<'de>,
{
    struct BoolVisitor;

    impl<'de> Visitor<'de> for BoolVisitor {
        type Value = Option<bool>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(r#"a boolean or the string "true" or "false""#)
        }

        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v.eq_ignore_ascii_case("true") {
                Ok(Some(true))
            } else if v.eq_ignore_ascii_case("false") {
                Ok(Some(false))
            } else {
                Err(E::invalid_value(Unexpected::Str(v), &self))
            }
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(BoolVisitor)
        }
    }

    deserializer.deserialize_any(BoolVisitor)
}

/// Deserialises a list where `null` means the empty list.
fn de_vec<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// Deserialises the flattened map of other members, dropping explicit `null`s (absent).
fn de_extensions<'de, D>(deserializer: D) -> Result<BTreeMap<String, Value>, D::Error>
where
    D: Deserializer<'de>,
{
    let mut map = BTreeMap::<String, Value>::deserialize(deserializer)?;
    map.retain(|_, value| !value.is_null());
    Ok(map)
}

fn contains_ignore_case(list: &[String], item: &str) -> bool {
    list.iter().any(|s| s.eq_ignore_ascii_case(item))
}

/// The `schemas` list to output: the core URN first, then the URNs already listed (without
/// duplicates), then the URN of every extension present. With `enterprise` = `Some(present)`,
/// the enterprise URN is listed exactly when the extension is present.
fn output_schemas(
    current: &[String],
    core: &str,
    enterprise: Option<bool>,
    extensions: &BTreeMap<String, Value>,
) -> Vec<String> {
    let mut out = Vec::with_capacity(current.len() + 1);
    out.push(core.to_owned());
    for urn in current {
        let stale_enterprise =
            enterprise == Some(false) && urn.eq_ignore_ascii_case(SCHEMA_ENTERPRISE_USER);
        if !stale_enterprise && !contains_ignore_case(&out, urn) {
            out.push(urn.clone());
        }
    }
    if enterprise == Some(true) && !contains_ignore_case(&out, SCHEMA_ENTERPRISE_USER) {
        out.push(SCHEMA_ENTERPRISE_USER.to_owned());
    }
    for (key, value) in extensions {
        let is_urn = key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:"));
        if is_urn && value.is_object() && !contains_ignore_case(&out, key) {
            out.push(key.clone());
        }
    }
    out
}

/// Serialises a resource to a JSON object and sets its `schemas` member.
fn to_json_object<T: serde::Serialize>(resource: &T, schemas: Vec<String>) -> Value {
    #[allow(
        clippy::expect_used,
        reason = "resources hold only strings, booleans and JSON values: serialising cannot fail"
    )]
    let value = serde_json::to_value(resource).expect("a resource serialises to JSON");
    let mut map = match value {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    map.insert(
        "schemas".to_owned(),
        Value::Array(schemas.into_iter().map(Value::String).collect()),
    );
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize)]
    struct Flag {
        #[serde(default, deserialize_with = "de_opt_bool")]
        flag: Option<bool>,
    }

    #[test]
    fn lenient_bool_accepts_booleans_strings_and_null() {
        let cases = [
            (json!({"flag": true}), Some(true)),
            (json!({"flag": false}), Some(false)),
            (json!({"flag": "true"}), Some(true)),
            (json!({"flag": "True"}), Some(true)),
            (json!({"flag": "false"}), Some(false)),
            (json!({"flag": "False"}), Some(false)),
            (json!({"flag": "FALSE"}), Some(false)),
            (json!({"flag": null}), None),
            (json!({}), None),
        ];
        for (input, expected) in cases {
            let flag: Flag = serde_json::from_value(input.clone()).unwrap();
            assert_eq!(flag.flag, expected, "{input}");
        }
    }

    #[test]
    fn lenient_bool_rejects_other_values() {
        for input in [json!({"flag": "yes"}), json!({"flag": 1}), json!({"flag": []})] {
            assert!(serde_json::from_value::<Flag>(input).is_err());
        }
    }

    #[test]
    fn output_schemas_orders_and_dedups() {
        let current = vec![
            SCHEMA_ENTERPRISE_USER.to_owned(),
            SCHEMA_USER.to_ascii_lowercase(),
            "urn:example:other".to_owned(),
            "urn:example:other".to_owned(),
        ];
        let mut extensions = BTreeMap::new();
        extensions.insert("urn:example:ext".to_owned(), json!({"a": 1}));
        extensions.insert("notAnUrn".to_owned(), json!({"a": 1}));
        let out = output_schemas(&current, SCHEMA_USER, Some(false), &extensions);
        assert_eq!(out, [SCHEMA_USER, "urn:example:other", "urn:example:ext"].map(str::to_owned));
    }
}
