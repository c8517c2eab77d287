//! Validation of normalised resources against their schemas (create, replace, after PATCH).
//!
//! Input has already been through [`crate::normalize_resource`], so types and names are right;
//! what is left is what involves the whole resource: required attributes and extensions, at
//! most one `primary: true` per multi-valued attribute, and, on replace, immutable values kept.

use serde_json::Value;

use crate::error::{Error, Result};
use crate::normalize::JsonObject;
use crate::registry::ResourceTypeSchema;
use crate::schema::{Attribute, AttributeType, Mutability, Returned, Schema};

/// Checks a normalised resource: every required attribute and sub-attribute present, every
/// required extension present, and at most one `primary: true` in each multi-valued attribute.
///
/// ```
/// use scimkit_core::{Compatibility, Registry, normalize_resource, validate_resource};
/// use serde_json::json;
///
/// let registry = Registry::standard();
/// let users = registry.resource_type_schema("User").unwrap();
/// let no_name = normalize_resource(&users, json!({ "active": true }), &Compatibility::default())?;
/// let err = validate_resource(&users, &no_name).unwrap_err();
/// assert_eq!(err.to_string(), "invalid value: userName is required");
/// # Ok::<(), scimkit_core::Error>(())
/// ```
pub fn validate_resource(schema: &ResourceTypeSchema<'_>, resource: &JsonObject) -> Result<()> {
    validate_changed(schema, resource, &|_| true)
}

/// [`validate_resource`] for a resource that was valid before some of its top-level members
/// (attribute names, extension URNs) changed: required attributes are all checked, the entries
/// of complex attributes only where `changed` says so.
pub(crate) fn validate_changed(
    schema: &ResourceTypeSchema<'_>,
    resource: &JsonObject,
    changed: &dyn Fn(&str) -> bool,
) -> Result<()> {
    check_attributes(schema.core(), resource, "", changed)?;
    for ext in &schema.resource_type().schema_extensions {
        let Some(ext_schema) = schema.extension(&ext.schema) else { continue };
        match resource.get(&ext_schema.id) {
            Some(Value::Object(fields)) => {
                let in_extension = changed(&ext_schema.id);
                check_attributes(ext_schema, fields, &ext_schema.id, &|_| in_extension)?;
            }
            _ if ext.required => {
                return Err(Error::invalid_value(format!(
                    "the extension {} is required",
                    ext_schema.id
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Checks the attributes of one schema in `fields`; `urn` (empty for the core schema)
/// qualifies names in details; complex values are checked where `changed` says so.
fn check_attributes(
    schema: &Schema,
    fields: &JsonObject,
    urn: &str,
    changed: &dyn Fn(&str) -> bool,
) -> Result<()> {
    let qualified =
        |name: &str| if urn.is_empty() { name.to_owned() } else { format!("{urn}:{name}") };
    for attr in &schema.attributes {
        let value = fields.get(&attr.name);
        if value.is_none() {
            if attr.required && attr.mutability != Mutability::ReadOnly {
                return Err(Error::invalid_value(format!("{} is required", qualified(&attr.name))));
            }
            continue;
        }
        if attr.attr_type == AttributeType::Complex && changed(&attr.name) {
            check_complex(attr, value.into_iter().flat_map(values), &qualified(&attr.name))?;
        }
    }
    Ok(())
}

/// The values of an attribute: the elements of an array, or the value itself.
fn values(value: &Value) -> std::slice::Iter<'_, Value> {
    match value {
        Value::Array(items) => items.iter(),
        single => std::slice::from_ref(single).iter(),
    }
}

/// Checks the entries of a complex attribute: required sub-attributes, one primary at most.
/// `prefix` qualifies the attribute's name in details (formatted only on error: this runs on
/// every create, replace and PATCH).
fn check_complex<'v>(
    attr: &Attribute,
    entries: impl Iterator<Item = &'v Value>,
    name: &str,
) -> Result<()> {
    let path = || name.to_owned();
    let mut primaries = 0;
    for entry in entries {
        let Value::Object(entry) = entry else { continue };
        for sub in &attr.sub_attributes {
            if sub.required
                && sub.mutability != Mutability::ReadOnly
                && !entry.contains_key(&sub.name)
            {
                return Err(Error::invalid_value(format!("{}.{} is required", path(), sub.name)));
            }
        }
        if entry.get("primary") == Some(&Value::Bool(true)) {
            primaries += 1;
        }
    }
    if primaries > 1 {
        return Err(Error::invalid_value(format!(
            "at most one value of {} may be primary",
            path()
        )));
    }
    Ok(())
}

/// Builds the resource a replace (PUT) stores: `replacement` (normalised) with the immutable
/// attributes checked against `existing`, and the values a client cannot send back carried
/// over from `existing`: read-only attributes (`id`, `meta`, `groups`), and write-only ones
/// (`password`, which is never returned, so a client replacing the resource cannot send it
/// back) unless the replacement sets a new value, which then replaces the old one.
///
/// An immutable attribute that already has a value must keep it (else `400 mutability`); if
/// the replacement leaves it out, the existing value is kept.
///
/// ```
/// use scimkit_core::{Compatibility, Registry, merge_replace, normalize_resource};
/// use serde_json::json;
///
/// let registry = Registry::standard();
/// let users = registry.resource_type_schema("User").unwrap();
/// let existing = json!({ "id": "1", "userName": "ann", "password": "s3cret" });
/// let existing = existing.as_object().unwrap();
/// let body = normalize_resource(&users, json!({ "userName": "ann", "title": "CEO" }), &Compatibility::default())?;
/// let stored = merge_replace(&users, existing, body)?;
/// assert_eq!(stored["id"], "1");
/// assert_eq!(stored["password"], "s3cret");
/// assert_eq!(stored["title"], "CEO");
/// let body = normalize_resource(&users, json!({ "userName": "ann", "password": "n3w" }), &Compatibility::default())?;
/// assert_eq!(merge_replace(&users, existing, body)?["password"], "n3w");
/// # Ok::<(), scimkit_core::Error>(())
/// ```
pub fn merge_replace(
    schema: &ResourceTypeSchema<'_>,
    existing: &JsonObject,
    mut replacement: JsonObject,
) -> Result<JsonObject> {
    let common = schema.common_attributes().iter().map(|a| (a, None));
    let core = schema.core().attributes.iter().map(|a| (a, None));
    let extensions = schema
        .extensions()
        .flat_map(|ext| ext.attributes.iter().map(move |a| (a, Some(ext.id.as_str()))));
    for (attr, ext) in common.chain(core).chain(extensions) {
        let old = lookup(existing, ext, &attr.name);
        let hidden = attr.mutability == Mutability::WriteOnly || attr.returned == Returned::Never;
        let carried = attr.mutability == Mutability::ReadOnly
            || (hidden && lookup(&replacement, ext, &attr.name).is_none());
        match (attr.mutability, old) {
            (_, Some(old)) if carried => {
                let old = old.clone();
                set(&mut replacement, ext, &attr.name, old);
            }
            (Mutability::Immutable, Some(old)) => match lookup(&replacement, ext, &attr.name) {
                None => {
                    let old = old.clone();
                    set(&mut replacement, ext, &attr.name, old);
                }
                Some(new) if new != old => {
                    return Err(Error::mutability(format!(
                        "{} is immutable and cannot be changed",
                        attr.name
                    )));
                }
                Some(_) => {}
            },
            (Mutability::ReadOnly, None) => remove(&mut replacement, ext, &attr.name),
            _ => {}
        }
    }
    crate::normalize::set_schemas(schema, &mut replacement);
    Ok(replacement)
}

/// The value of `name`, at the top level or under extension `ext`.
fn lookup<'r>(resource: &'r JsonObject, ext: Option<&str>, name: &str) -> Option<&'r Value> {
    match ext {
        None => resource.get(name),
        Some(ext) => resource.get(ext)?.as_object()?.get(name),
    }
}

/// Sets `name` to `value`, at the top level or under extension `ext`.
fn set(resource: &mut JsonObject, ext: Option<&str>, name: &str, value: Value) {
    match ext {
        None => {
            resource.insert(name.to_owned(), value);
        }
        Some(ext) => {
            let entry =
                resource.entry(ext.to_owned()).or_insert_with(|| Value::Object(JsonObject::new()));
            if let Value::Object(fields) = entry {
                fields.insert(name.to_owned(), value);
            }
        }
    }
}

/// Removes `name`, at the top level or under extension `ext`.
fn remove(resource: &mut JsonObject, ext: Option<&str>, name: &str) {
    match ext {
        None => {
            resource.remove(name);
        }
        Some(ext) => {
            if let Some(Value::Object(fields)) = resource.get_mut(ext) {
                fields.remove(name);
            }
        }
    }
}

#[cfg(test)]
mod tests;
