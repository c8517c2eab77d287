//! Tolerant input, exact output: turning what a client sent into the canonical JSON form.

use serde_json::{Map, Value};

use crate::compat::Compatibility;
use crate::error::{Error, Result};
use crate::registry::ResourceTypeSchema;
use crate::schema::{Attribute, AttributeType, Mutability, Schema};

/// A resource in its generic JSON form: one JSON object.
///
/// The canonical form of a resource is a JSON object in which
/// - every attribute name has the schema's spelling (input names match case-insensitively);
/// - extension attributes sit under their extension's URN, in the registry's spelling;
/// - there is no `null`, no empty array and no empty complex value (explicit `null` means absent);
/// - values have the attribute's type (`"True"` becomes `true` for a boolean, per
///   [`Compatibility::boolean_strings`]);
/// - client-sent read-only attributes (`id`, `meta`, `groups`, …) are gone;
/// - `schemas` lists the core schema and each extension present, nothing else (unknown schema
///   URIs a client lists are accepted and dropped, since they carry no attributes).
///
/// Stores hold this form, and PATCH, filtering, sorting and projection rely on it.
pub type JsonObject = Map<String, Value>;

/// Normalises a resource body sent to create or replace a resource of `schema`'s type.
///
/// Read-only attributes are dropped, so the result has no `id` or `meta`; the caller assigns
/// them. Validation of required attributes and the like is the job of
/// [`validate_resource`](crate::validate_resource).
///
/// ```
/// use scimkit_core::{Compatibility, Registry, normalize_resource};
/// use serde_json::json;
///
/// let registry = Registry::standard();
/// let users = registry.resource_type_schema("User").unwrap();
/// let body = json!({
///     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:example:unknown"],
///     "USERNAME": "ann", "active": "True", "nickName": null, "id": "client-chosen",
///     "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": { "Department": "Sales" }
/// });
/// let user = normalize_resource(&users, body, &Compatibility::default())?;
/// assert_eq!(serde_json::Value::Object(user), json!({
///     "schemas": [
///         "urn:ietf:params:scim:schemas:core:2.0:User",
///         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
///     ],
///     "userName": "ann", "active": true,
///     "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "department": "Sales" }
/// }));
/// # Ok::<(), scimkit_core::Error>(())
/// ```
pub fn normalize_resource(
    schema: &ResourceTypeSchema<'_>,
    input: Value,
    compat: &Compatibility,
) -> Result<JsonObject> {
    let Value::Object(input) = input else {
        return Err(Error::invalid_syntax("the resource must be a JSON object"));
    };
    let core = schema.core();
    let mut out = JsonObject::new();
    for (key, value) in input {
        if value.is_null() || key.eq_ignore_ascii_case("schemas") {
            if key.eq_ignore_ascii_case("schemas") {
                check_schemas(&value)?;
            }
            continue;
        }
        if let Some(ext) = schema.extension(&key) {
            let Value::Object(fields) = value else {
                return Err(Error::invalid_syntax(format!(
                    "the extension {} must be a JSON object",
                    ext.id
                )));
            };
            let normalized = normalize_fields(ext, fields, compat, &ext.id)?;
            merge_extension(&mut out, &ext.id, normalized)?;
            continue;
        }
        let resolved = if key.contains(':') {
            // A URN-qualified core attribute (`urn:…:core:2.0:User:userName`).
            match schema.resolve_str(&key) {
                Some(crate::registry::ResolvedPath::Attribute(a))
                    if !a.is_extension() && a.sub_attribute.is_none() =>
                {
                    Some(a.attribute)
                }
                _ => None,
            }
        } else {
            schema.resolve(Some(&core.id), &key, None).map(|a| a.attribute)
        };
        let Some(attr) = resolved else {
            unknown_attribute(&key, compat)?;
            continue;
        };
        if attr.mutability == Mutability::ReadOnly {
            continue;
        }
        if let Some(value) = normalize_value(attr, value, compat, &attr.name)? {
            insert_unique(&mut out, &attr.name, value)?;
        }
    }
    set_schemas(schema, &mut out);
    Ok(out)
}

/// Normalises the attributes of one schema given as a JSON object (an extension's body).
fn normalize_fields(
    schema: &Schema,
    fields: JsonObject,
    compat: &Compatibility,
    context: &str,
) -> Result<JsonObject> {
    let mut out = JsonObject::new();
    for (key, value) in fields {
        let Some(attr) = schema.attribute(&key) else {
            unknown_attribute(&format!("{context}:{key}"), compat)?;
            continue;
        };
        if attr.mutability == Mutability::ReadOnly {
            continue;
        }
        if let Some(value) = normalize_value(attr, value, compat, &attr.name)? {
            insert_unique(&mut out, &attr.name, value)?;
        }
    }
    Ok(out)
}

/// Normalises the value of one attribute: names, nulls, types and multiplicity.
///
/// Returns `None` when nothing is left (a `null`, an empty array, an object of nulls).
/// Read-only sub-attributes are dropped, like read-only attributes. `path` names the attribute
/// in error details.
///
/// ```
/// use scimkit_core::{Compatibility, builtin, normalize_value};
/// use serde_json::json;
///
/// let enterprise = builtin::enterprise_user();
/// let manager = enterprise.attribute("manager").unwrap();
/// let value = normalize_value(manager, json!("26118915"), &Compatibility::default(), "manager")?;
/// assert_eq!(value, Some(json!({ "value": "26118915" })));
/// # Ok::<(), scimkit_core::Error>(())
/// ```
pub fn normalize_value(
    attr: &Attribute,
    value: Value,
    compat: &Compatibility,
    path: &str,
) -> Result<Option<Value>> {
    if !attr.multi_valued {
        if value.is_array() {
            return Err(Error::invalid_value(format!(
                "{path} is single-valued; an array was given"
            )));
        }
        return normalize_single(attr, value, compat, path);
    }
    let items = match value {
        Value::Null => return Ok(None),
        Value::Array(items) => items,
        // One value for a multi-valued attribute: a list of one.
        single => vec![single],
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if item.is_array() {
            return Err(Error::invalid_value(format!("{path} takes values, not nested arrays")));
        }
        if let Some(item) = normalize_single(attr, item, compat, path)? {
            out.push(item);
        }
    }
    dedupe(&mut out);
    Ok((!out.is_empty()).then_some(Value::Array(out)))
}

/// Drops the values of a multi-valued attribute that equal an earlier one, keeping the first
/// of each. Few values are compared pairwise; past 16, through a set of their JSON text (objects
/// are canonical, members sorted, so equal values have equal text), so that a group of 100,000
/// members stays linear.
pub(crate) fn dedupe(values: &mut Vec<Value>) {
    if values.len() <= 16 {
        let mut i = 1;
        while i < values.len() {
            if values[..i].contains(&values[i]) {
                values.remove(i);
            } else {
                i += 1;
            }
        }
    } else {
        let mut seen = std::collections::HashSet::with_capacity(values.len());
        values.retain(|value| seen.insert(value.to_string()));
    }
}

/// One value of an attribute (an element, for a multi-valued one).
fn normalize_single(
    attr: &Attribute,
    value: Value,
    compat: &Compatibility,
    path: &str,
) -> Result<Option<Value>> {
    if value.is_null() {
        return Ok(None);
    }
    if attr.attr_type != AttributeType::Complex {
        let value = match value {
            // `{}`: Entra ID's way of saying the values did not change.
            Value::Object(fields)
                if fields.is_empty() && attr.multi_valued && compat.simple_value_objects =>
            {
                return Ok(None);
            }
            Value::Object(fields) if attr.multi_valued && compat.simple_value_objects => {
                match single_value_member(fields) {
                    Ok(inner) => inner,
                    Err(fields) => Value::Object(fields),
                }
            }
            value => value,
        };
        return coerce_simple(attr, value, compat, path).map(Some);
    }
    let fields = match value {
        Value::Object(fields) => fields,
        bare if compat.complex_bare_value && attr.sub_attribute("value").is_some() => {
            let mut fields = JsonObject::new();
            fields.insert("value".to_owned(), bare);
            fields
        }
        _ => {
            return Err(Error::invalid_value(format!("{path} must be a JSON object")));
        }
    };
    let mut out = JsonObject::new();
    for (key, value) in fields {
        if value.is_null() {
            continue;
        }
        let Some(sub) = attr.sub_attribute(&key) else {
            unknown_attribute(&format!("{path}.{key}"), compat)?;
            continue;
        };
        if sub.mutability == Mutability::ReadOnly {
            continue;
        }
        let sub_path = format!("{path}.{}", sub.name);
        if let Some(value) = normalize_value(sub, value, compat, &sub_path)? {
            insert_unique(&mut out, &sub.name, value)?;
        }
    }
    Ok((!out.is_empty()).then_some(Value::Object(out)))
}

/// Checks and converts a value of a simple (non-complex) type.
/// The `value` of an object whose only member it is (named in any case), as Entra ID wraps
/// the entries of multi-valued custom attributes; the object itself otherwise.
fn single_value_member(mut fields: JsonObject) -> std::result::Result<Value, JsonObject> {
    let key = match fields.keys().next() {
        Some(key) if fields.len() == 1 && key.eq_ignore_ascii_case("value") => key.clone(),
        _ => return Err(fields),
    };
    fields.remove(&key).ok_or(fields)
}

fn coerce_simple(
    attr: &Attribute,
    value: Value,
    compat: &Compatibility,
    path: &str,
) -> Result<Value> {
    let mismatch = |expected: &str| {
        Error::invalid_value(format!("{path} must be {expected}, not {}", json_kind(&value)))
    };
    let coerced = match attr.attr_type {
        AttributeType::String | AttributeType::Reference | AttributeType::Binary => match &value {
            Value::String(_) => value,
            // Some clients send numeric strings (employee numbers, phone numbers) as numbers.
            Value::Number(n) => Value::String(n.to_string()),
            _ => return Err(mismatch("a string")),
        },
        AttributeType::Boolean => match &value {
            Value::Bool(_) => value,
            Value::String(s) if compat.boolean_strings && s.eq_ignore_ascii_case("true") => {
                Value::Bool(true)
            }
            Value::String(s) if compat.boolean_strings && s.eq_ignore_ascii_case("false") => {
                Value::Bool(false)
            }
            _ => return Err(mismatch("a boolean")),
        },
        AttributeType::Integer => match &value {
            Value::Number(n) if n.is_i64() || n.is_u64() => value,
            Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0 && f.abs() < 9e15) => {
                // `5.0` is an integer value written as a decimal.
                #[allow(clippy::cast_possible_truncation)]
                Value::from(n.as_f64().unwrap_or_default() as i64)
            }
            Value::String(s) => match s.trim().parse::<i64>() {
                Ok(n) => Value::from(n),
                Err(_) => return Err(mismatch("an integer")),
            },
            _ => return Err(mismatch("an integer")),
        },
        AttributeType::Decimal => match &value {
            Value::Number(_) => value,
            Value::String(s) => match s.trim().parse::<serde_json::Number>() {
                Ok(n) => Value::Number(n),
                Err(_) => return Err(mismatch("a decimal number")),
            },
            _ => return Err(mismatch("a decimal number")),
        },
        AttributeType::DateTime => match &value {
            Value::String(s) if scimkit_filter::DateTime::parse(s).is_some() => value,
            Value::String(_) => {
                return Err(Error::invalid_value(format!(
                    "{path} must be an xsd:dateTime such as 2011-05-13T04:42:34Z"
                )));
            }
            _ => return Err(mismatch("a dateTime string")),
        },
        AttributeType::Complex => value,
    };
    canonical(attr, coerced, path)
}

/// Checks a value against the attribute's canonical values when the schema requires one of
/// them, returning it in the canonical spelling.
fn canonical(attr: &Attribute, value: Value, path: &str) -> Result<Value> {
    if !attr.canonical_only {
        return Ok(value);
    }
    let Value::String(s) = &value else { return Ok(value) };
    let found = attr.canonical_values.iter().find(|c| {
        if attr.case_exact { c.as_str() == s.as_str() } else { c.eq_ignore_ascii_case(s) }
    });
    match found {
        Some(c) => Ok(Value::String(c.clone())),
        None => Err(Error::invalid_value(format!(
            "{path} must be one of {}",
            attr.canonical_values.join(", ")
        ))),
    }
}

/// The kind of a JSON value, for error details.
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Inserts `value` under `name`, failing if a differently-cased key already set it.
fn insert_unique(out: &mut JsonObject, name: &str, value: Value) -> Result<()> {
    if out.insert(name.to_owned(), value).is_some() {
        return Err(Error::invalid_syntax(format!("the attribute {name} is given twice")));
    }
    Ok(())
}

/// Merges an extension's normalised attributes into the output (a client may send the same
/// extension URN twice in different case).
fn merge_extension(out: &mut JsonObject, urn: &str, fields: JsonObject) -> Result<()> {
    if fields.is_empty() {
        return Ok(());
    }
    let entry = out.entry(urn.to_owned()).or_insert_with(|| Value::Object(JsonObject::new()));
    if let Value::Object(existing) = entry {
        for (name, value) in fields {
            insert_unique(existing, &name, value)?;
        }
    }
    Ok(())
}

/// Ignores an attribute the schema does not define, or fails when configured to.
fn unknown_attribute(name: &str, compat: &Compatibility) -> Result<()> {
    if compat.ignore_unknown_attributes {
        Ok(())
    } else {
        Err(Error::invalid_syntax(format!("unknown attribute {name}")))
    }
}

/// Checks the shape of a client's `schemas` value: an array of strings.
fn check_schemas(value: &Value) -> Result<()> {
    match value {
        Value::Array(items) if items.iter().all(Value::is_string) => Ok(()),
        Value::Null => Ok(()),
        _ => Err(Error::invalid_syntax("schemas must be an array of schema URIs")),
    }
}

/// Sets `schemas` to the core schema and every extension present in `out`, and keeps the
/// extensions in the registry's order.
pub(crate) fn set_schemas(schema: &ResourceTypeSchema<'_>, out: &mut JsonObject) {
    let mut schemas = vec![Value::String(schema.core().id.clone())];
    for ext in schema.extensions() {
        match out.get(&ext.id) {
            Some(Value::Object(fields)) if !fields.is_empty() => {
                schemas.push(Value::String(ext.id.clone()));
            }
            Some(_) => {
                out.remove(&ext.id);
            }
            None => {}
        }
    }
    out.insert("schemas".to_owned(), Value::Array(schemas));
}

#[cfg(test)]
mod tests;
