//! Applying a PATCH request (RFC 7644 §3.5.2) to a resource in the canonical JSON form.
//!
//! [`apply_patch`] applies the operations in order to a copy of the resource. If any operation
//! fails, the error names the operation (`Operations[2] (remove "members")`) and the caller's
//! resource is untouched: a request is applied whole or not at all. After the last operation
//! empty values (`null`, `[]`, `{}`, an entry left with no sub-attribute) are dropped from the
//! attributes the operations touched, `schemas` is recomputed and the result is validated with
//! [`validate_resource`](crate::validate_resource), so a PATCH that leaves a required attribute
//! missing fails. The input is expected in the canonical form: attributes no operation touches
//! are copied as they are. [`PatchOutcome::changed`] is false when the result equals the input, so a
//! no-op PATCH (re-adding a member) need not bump the version.
//!
#![doc = include_str!("semantics.md")]
//!
//! # Example
//!
//! ```
//! use scimkit_core::{Compatibility, PatchRequest, Registry, apply_patch, normalize_resource};
//! use serde_json::json;
//!
//! let registry = Registry::standard();
//! let users = registry.resource_type_schema("User").unwrap();
//! let compat = Compatibility::default();
//! let user = normalize_resource(&users, json!({ "userName": "ann", "active": true }), &compat)?;
//!
//! // As Microsoft Entra ID sends it.
//! let request: PatchRequest = serde_json::from_value(json!({
//!     "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
//!     "Operations": [
//!         { "op": "Replace", "path": "active", "value": "False" },
//!         { "op": "Add", "path": "emails[type eq \"work\"].value", "value": "ann@example.com" }
//!     ]
//! }))?;
//! let outcome = apply_patch(&users, &user, &request, &compat)?;
//! assert!(outcome.changed);
//! assert_eq!(serde_json::Value::Object(outcome.resource), json!({
//!     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
//!     "userName": "ann",
//!     "active": false,
//!     "emails": [{ "type": "work", "value": "ann@example.com" }]
//! }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod apply;
mod entries;
mod target;

#[cfg(test)]
mod tests;

use serde_json::Value;

use self::entries::PendingRemovals;
use crate::compat::Compatibility;
use crate::error::{Error, Result};
use crate::message::{PatchOperation, PatchRequest};
use crate::normalize::{JsonObject, set_schemas};
use crate::registry::ResourceTypeSchema;
use crate::validate::validate_changed;
use entries::EntryIndex;

/// The result of [`apply_patch`]: the patched resource, and whether it differs from the input.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct PatchOutcome {
    /// The resource after every operation, in the canonical form and validated.
    pub resource: JsonObject,
    /// Whether `resource` differs from the input. A PATCH that changes nothing (re-adding a
    /// member, removing one that is not there) gives `false`: the version need not change.
    pub changed: bool,
    /// The top-level keys the operations touched, each with its value before them (`None`
    /// where the key was absent): no other key can differ from the input.
    pub(crate) touched: Vec<(String, Option<Value>)>,
}

/// Applies the operations of `request` in order to a copy of `resource` (a resource of
/// `schema`'s type in the canonical form), with the tolerances of `compat`.
///
/// The semantics of each form, in RFC 7644 §3.5.2 and as real clients send it:
///
#[doc = include_str!("semantics.md")]
///
/// # Errors
///
/// The first failing operation's error, with a `scimType` of `invalidPath`, `noTarget`,
/// `mutability`, `invalidValue` or `invalidSyntax` and a detail naming the operation
/// (`Operations[1] (replace "id"): id is read-only`); or the validation error of the result.
/// `resource` is never modified.
///
/// ```
/// use scimkit_core::{Compatibility, PatchRequest, Registry, ScimType, apply_patch};
/// use serde_json::json;
///
/// let registry = Registry::standard();
/// let groups = registry.resource_type_schema("Group").unwrap();
/// let group = json!({
///     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
///     "id": "g1", "displayName": "Tour Guides", "members": [{ "value": "u1" }]
/// });
/// let group = group.as_object().unwrap();
/// let request: PatchRequest = serde_json::from_value(json!({
///     "Operations": [
///         { "op": "add", "path": "members", "value": [{ "value": "u2" }] },
///         { "op": "replace", "path": "id", "value": "g2" }
///     ]
/// }))?;
/// let err = apply_patch(&groups, group, &request, &Compatibility::default()).unwrap_err();
/// assert_eq!(err.scim_type(), Some(ScimType::Mutability));
/// assert_eq!(err.detail(), r#"Operations[1] (replace "id"): id is read-only"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apply_patch(
    schema: &ResourceTypeSchema<'_>,
    resource: &JsonObject,
    request: &PatchRequest,
    compat: &Compatibility,
) -> Result<PatchOutcome> {
    apply_patch_owned(schema, resource.clone(), request, compat)
}

/// [`apply_patch`] on a resource the caller owns and no longer needs in its old state (such as
/// a copy just read from a store): no second copy is made. On error the resource is dropped.
///
/// ```
/// use scimkit_core::{Compatibility, PatchRequest, Registry, apply_patch_owned};
/// use serde_json::json;
///
/// let registry = Registry::standard();
/// let users = registry.resource_type_schema("User").unwrap();
/// let user = json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ann" });
/// let request: PatchRequest = serde_json::from_value(json!({
///     "Operations": [{ "op": "Replace", "path": "active", "value": "False" }]
/// }))?;
/// let outcome = apply_patch_owned(&users, user.as_object().unwrap().clone(), &request, &Compatibility::default())?;
/// assert!(outcome.changed);
/// assert_eq!(outcome.resource["active"], false);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`apply_patch`].
pub fn apply_patch_owned(
    schema: &ResourceTypeSchema<'_>,
    resource: JsonObject,
    request: &PatchRequest,
    compat: &Compatibility,
) -> Result<PatchOutcome> {
    apply_patch_limited(schema, resource, request, compat, &scimkit_filter::Limits::default())
}

/// [`apply_patch_owned`] with the value filters in paths (`members[value eq "…"]`) parsed
/// under `filter_limits` rather than the parser's defaults: what the manager does, with the
/// service's configured limits ([`crate::Limits::filter_limits`]).
///
/// # Errors
///
/// As [`apply_patch`]; a path filter beyond the limits is `invalidPath`.
pub fn apply_patch_limited(
    schema: &ResourceTypeSchema<'_>,
    resource: JsonObject,
    request: &PatchRequest,
    compat: &Compatibility,
    filter_limits: &scimkit_filter::Limits,
) -> Result<PatchOutcome> {
    let original_schemas = resource.get("schemas").cloned();
    let mut work = Work::new(resource, filter_limits);
    for (index, op) in request.operations.iter().enumerate() {
        apply::operation(schema, &mut work, op, compat).map_err(|e| in_operation(e, index, op))?;
    }
    work.flush_removals();
    work.dedupe_entries();
    let Work { resource: mut patched, touched, .. } = work;
    // Only the touched attributes can have changed: the others are as they came in.
    for (key, _) in &touched {
        if patched.get_mut(*key).is_some_and(prune_value) {
            patched.remove(*key);
        }
    }
    set_schemas(schema, &mut patched);
    // The input was valid; only what the operations touched needs checking again.
    validate_changed(schema, &patched, &|key| touched.iter().any(|(k, _)| *k == key))?;
    let changed = patched.get("schemas") != original_schemas.as_ref()
        || touched.iter().any(|(key, before)| patched.get(*key) != before.as_ref());
    let touched = touched.into_iter().map(|(key, before)| (key.to_owned(), before)).collect();
    Ok(PatchOutcome { resource: patched, changed, touched })
}

/// The resource being patched, and the top-level keys (attribute names, extension URNs) the
/// operations so far have touched, each with its value before the first touch.
#[derive(Debug)]
struct Work<'s> {
    resource: JsonObject,
    touched: Vec<(&'s str, Option<Value>)>,
    /// The limits path filters are parsed under.
    filter_limits: scimkit_filter::Limits,
    /// How many changes have been made so far (each attribute an operation sets or removes
    /// counts one): what tells whether `entry_index` is still true.
    changes: usize,
    /// The identities of a multi-valued attribute's entries, kept from one `add` of entries
    /// to the next while nothing else changes the resource, so that a run of adds to a large
    /// attribute (a group's members) hashes its entries once.
    entry_index: Option<EntryIndex<'s>>,
    /// The multi-valued attributes whose entries are de-duplicated once all operations ran
    /// (their extension, if any, and their name).
    to_dedupe: Vec<(Option<&'s str>, &'s str)>,
    /// The entries a run of `remove`s by `value eq` marked, dropped when the run ends.
    removals: Option<PendingRemovals<'s>>,
}

impl<'s> Work<'s> {
    fn new(resource: JsonObject, filter_limits: &scimkit_filter::Limits) -> Self {
        Self {
            resource,
            touched: Vec::new(),
            filter_limits: *filter_limits,
            changes: 0,
            entry_index: None,
            to_dedupe: Vec::new(),
            removals: None,
        }
    }

    /// Ends a run of removals: drops the entries it marked.
    fn flush_removals(&mut self) {
        let Some(run) = self.removals.take() else { return };
        let container = match run.ext {
            Some(urn) => self.resource.get_mut(urn).and_then(Value::as_object_mut),
            None => Some(&mut self.resource),
        };
        if let Some(Value::Array(entries)) = container.and_then(|c| c.get_mut(&run.attr.name)) {
            run.flush(entries);
        }
    }

    /// Removes duplicate entries of the multi-valued attributes the operations changed.
    fn dedupe_entries(&mut self) {
        for (ext, name) in std::mem::take(&mut self.to_dedupe) {
            let container = match ext {
                Some(urn) => self.resource.get_mut(urn).and_then(Value::as_object_mut),
                None => Some(&mut self.resource),
            };
            if let Some(Value::Array(entries)) = container.and_then(|c| c.get_mut(name)) {
                crate::normalize::dedupe(entries);
            }
        }
    }

    /// Notes that the top-level key `key` may change, keeping its current value to compare.
    fn touch(&mut self, key: &'s str) {
        if !self.touched.iter().any(|(k, _)| *k == key) {
            self.touched.push((key, self.resource.get(key).cloned()));
        }
    }
}

/// Prefixes the detail of `err` with the operation it comes from.
fn in_operation(mut err: Error, index: usize, op: &PatchOperation) -> Error {
    let place = match &op.path {
        Some(path) => format!("Operations[{index}] ({} {path:?})", op.op),
        None => format!("Operations[{index}] ({}, no path)", op.op),
    };
    match &mut err {
        Error::InvalidPath { detail }
        | Error::NoTarget { detail }
        | Error::Mutability { detail }
        | Error::InvalidValue { detail }
        | Error::InvalidSyntax { detail }
        | Error::InvalidFilter { detail } => *detail = format!("{place}: {detail}"),
        _ => {}
    }
    err
}

/// Drops `null`s, empty arrays and empty objects inside `value`, at every level, and tells
/// whether nothing is left of it.
fn prune_value(value: &mut Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => {
            items.retain_mut(|item| !prune_value(item));
            items.is_empty()
        }
        Value::Object(fields) => {
            fields.retain(|_, v| !prune_value(v));
            fields.is_empty()
        }
        _ => false,
    }
}
