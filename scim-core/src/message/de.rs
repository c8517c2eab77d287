//! Tolerant deserialisation helpers shared by the messages.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde_json::{Map, Value};

/// Deserialises a JSON object whose keys may use any ASCII case.
///
/// Every key that equals one of `fields` ignoring case is renamed to that canonical spelling;
/// other keys are kept as they are. The folded object is then handed to `inner` (usually a
/// `#[serde(remote = "…")]` derive that uses the canonical names). Two keys that fold to the
/// same field are an error, like a duplicate field.
pub(crate) fn fold_keys<'de, D, T>(
    deserializer: D,
    fields: &[&str],
    inner: impl FnOnce(Value) -> Result<T, serde_json::Error>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let object = Map::<String, Value>::deserialize(deserializer)?;
    let mut folded = Map::new();
    for (key, value) in object {
        let key = match fields.iter().find(|field| field.eq_ignore_ascii_case(&key)) {
            Some(canonical) => (*canonical).to_owned(),
            None => key,
        };
        if folded.contains_key(&key) {
            return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
        }
        folded.insert(key, value);
    }
    inner(Value::Object(folded)).map_err(de::Error::custom)
}

/// Deserialises an optional integer given as a JSON number, an integral float or a numeric
/// string (`10`, `10.0`, `"10"`); `null` is `None`.
pub(crate) fn opt_int<'de, D, N>(deserializer: D) -> Result<Option<N>, D::Error>
where
    D: Deserializer<'de>,
    N: TryFrom<i64> + TryFrom<u64>,
{
    deserializer.deserialize_any(IntVisitor(PhantomData))
}

/// Like [`opt_int`], but the value must be present and not `null`.
pub(crate) fn int<'de, D, N>(deserializer: D) -> Result<N, D::Error>
where
    D: Deserializer<'de>,
    N: TryFrom<i64> + TryFrom<u64>,
{
    opt_int(deserializer)?.ok_or_else(|| de::Error::invalid_type(Unexpected::Unit, &"an integer"))
}

struct IntVisitor<N>(PhantomData<N>);

impl<N: TryFrom<i64> + TryFrom<u64>> IntVisitor<N> {
    fn convert_i64<E: de::Error>(&self, v: i64) -> Result<Option<N>, E> {
        N::try_from(v).map(Some).map_err(|_| E::invalid_value(Unexpected::Signed(v), self))
    }

    fn convert_u64<E: de::Error>(&self, v: u64) -> Result<Option<N>, E> {
        N::try_from(v).map(Some).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), self))
    }
}

impl<'de, N: TryFrom<i64> + TryFrom<u64>> Visitor<'de> for IntVisitor<N> {
    type Value = Option<N>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer in range, or a string holding one")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.convert_i64(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.convert_u64(v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // 2^63: the first float outside the range of i64.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        if v.fract() == 0.0 && (-LIMIT..LIMIT).contains(&v) {
            self.convert_i64(v as i64)
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &self))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if let Ok(n) = t.parse::<i64>() {
            self.convert_i64(n)
        } else if let Ok(n) = t.parse::<u64>() {
            self.convert_u64(n)
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

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Deserialises a list of strings given as an array (`["a", "b"]`), a comma-separated string
/// (`"a, b"`) or `null`. Array entries are split on commas too; empty names are dropped.
pub(crate) fn string_list<'de, D>(deserializer: D) -> Result<Vec<String>, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        One(String),
        Many(Vec<String>),
    }

    let raw = Option::<Raw>::deserialize(deserializer)?;
    let parts: Vec<String> = match raw {
        None => Vec::new(),
        Some(Raw::One(s)) => vec![s],
        Some(Raw::Many(v)) => v,
    };
    Ok(parts.iter().flat_map(|s| split_list(s)).collect())
}

/// A comma-separated attribute list (`"userName, emails.value"`), trimmed, empty names dropped.
pub(crate) fn split_list(value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// Deserialises an HTTP status given as a string (`"201"`), a number (`201`) or, as some early
/// implementations of RFC 7644 §3.7 send, an object (`{"code": "201"}`), into its string form.
pub(crate) fn status<'de, D>(deserializer: D) -> Result<String, D::Error>
where
    D: Deserializer<'de>,
{
    fn from_value<E: de::Error>(value: Value) -> Result<String, E> {
        match value {
            Value::String(s) => Ok(s),
            Value::Number(n) if n.is_u64() => Ok(n.to_string()),
            Value::Object(mut map) => match map.remove("code") {
                Some(code @ (Value::String(_) | Value::Number(_))) => from_value(code),
                _ => Err(E::custom("a status object needs a `code`")),
            },
            _ => Err(E::custom("expected an HTTP status as a string or a number")),
        }
    }
    from_value(Value::deserialize(deserializer)?)
}

/// Reads a string that must equal one of `names` ignoring ASCII case, returning its index.
pub(crate) fn keyword<'de, D>(
    deserializer: D,
    names: &'static [&'static str],
) -> Result<usize, D::Error>
where
    D: Deserializer<'de>,
{
    let s = String::deserialize(deserializer)?;
    names
        .iter()
        .position(|name| name.eq_ignore_ascii_case(&s))
        .ok_or_else(|| de::Error::unknown_variant(&s, names))
}

/// The default `schemas` of a message: just its URN.
pub(crate) fn schemas(urn: &str) -> Vec<String> {
    vec![urn.to_owned()]
}

/// Asserts that every key of the JSON object `value` is one of `fields`, so the case-folding
/// list of a message cannot drift from what it serialises.
#[cfg(test)]
pub(crate) fn assert_keys_in(value: &Value, fields: &[&str]) {
    let object = value.as_object().expect("a JSON object");
    for key in object.keys() {
        assert!(fields.contains(&key.as_str()), "`{key}` is missing from {fields:?}");
    }
}
