//! One PATCH operation: `add`, `replace` or `remove` on the target of its path.

use std::collections::HashMap;

use serde_json::Value;

use scimkit_filter::PatchPath;

use super::Work;
use super::entries::{
    EntryIndex, PendingRemovals, clear_other_primaries, entry_identity, same_entry,
};
use super::target::{AttrTarget, Scope, Target, resolve_key, resolve_path, resolve_simple};
use crate::compat::Compatibility;
use crate::error::{Error, Result};
use crate::message::{PatchOpKind, PatchOperation};
use crate::normalize::{JsonObject, normalize_value};
use crate::registry::ResourceTypeSchema;
use crate::schema::{Attribute, Mutability, Schema};

/// What to do to an attribute target.
#[derive(Clone, Copy, Debug)]
enum Action<'v> {
    /// `add` or `replace` with a (non-null) client value.
    Set(PatchOpKind, &'v Value),
    /// `remove`, or a `replace` with nothing. `listed` is a `remove`'s value; with `missing_ok`
    /// a target with nothing to remove is no error.
    Remove { listed: Option<&'v Value>, missing_ok: bool },
}

/// Applies one operation to `resource`.
pub(super) fn operation<'s>(
    schema: &ResourceTypeSchema<'s>,
    work: &mut Work<'s>,
    op: &PatchOperation,
    compat: &Compatibility,
) -> Result<()> {
    let kind = op.op;
    let value = op.value.as_ref().filter(|v| !v.is_null());
    let Some(path) = op.path.as_deref() else {
        work.flush_removals();
        if kind == PatchOpKind::Remove {
            return Err(Error::no_target("remove needs a path"));
        }
        let Some(Value::Object(fields)) = value else {
            return Err(Error::invalid_value(format!(
                "a {kind} without a path needs a JSON object of attributes as its value"
            )));
        };
        return apply_object(schema, work, Scope::Resource, kind, fields, compat);
    };
    let path = path.trim();
    let parsed;
    let target = match resolve_simple(schema, path) {
        Some(target) => target,
        None => {
            parsed = PatchPath::parse_with(path, &work.filter_limits)
                .map_err(|e| Error::invalid_path(format!("the path does not parse: {e}")))?;
            resolve_path(schema, &parsed, compat)?
        }
    };
    if let Target::Attr(target) = &target {
        if kind == PatchOpKind::Remove && value.is_none() && remove_by_value(work, target, compat)?
        {
            return Ok(());
        }
    }
    work.flush_removals();
    match target {
        Target::Ignored => Ok(()),
        Target::Extension(ext) => {
            if !compat.extension_urn_path {
                return Err(Error::invalid_path(format!(
                    "{} is a schema extension; name one of its attributes",
                    ext.id
                )));
            }
            if kind == PatchOpKind::Remove {
                return remove_extension(work, ext, compat.remove_missing_ok);
            }
            let Some(Value::Object(fields)) = value else {
                return Err(Error::invalid_value(format!(
                    "a {kind} of the extension {} needs a JSON object of its attributes",
                    ext.id
                )));
            };
            apply_object(schema, work, Scope::Extension(ext), kind, fields, compat)
        }
        Target::Attr(mut target) => {
            if target.filter.is_some() && !target.attr.multi_valued {
                // Only a remove (Entra ID's `manager[value eq "id"]`) may filter a single value:
                // the filter selects the one value, or nothing.
                if kind != PatchOpKind::Remove {
                    return Err(Error::invalid_path(format!(
                        "a value filter selects entries of a multi-valued complex attribute; {} is not one",
                        target.attr.name
                    )));
                }
                if !single_value_matches(work, &target) {
                    return match compat.remove_missing_ok {
                        true => Ok(()),
                        false => Err(Error::no_target(format!(
                            "{} has no value matching the filter",
                            target.attr.name
                        ))),
                    };
                }
                target.filter = None;
            }
            if target.attr.mutability == Mutability::ReadOnly
                || target.sub.is_some_and(|s| s.mutability == Mutability::ReadOnly)
            {
                return Err(Error::mutability(format!("{} is read-only", target.name())));
            }
            let action = match (kind, value) {
                (PatchOpKind::Remove, listed) => {
                    Action::Remove { listed, missing_ok: compat.remove_missing_ok }
                }
                (_, Some(value)) => Action::Set(kind, value),
                (PatchOpKind::Replace, None) if compat.replace_null_removes => {
                    Action::Remove { listed: None, missing_ok: true }
                }
                (_, None) => {
                    return Err(Error::invalid_value(format!("{kind} needs a value")));
                }
            };
            apply_attr(work, &target, action, compat)
        }
    }
}

/// A `remove` of the entries of a multi-valued complex attribute selected by `value eq "…"`
/// (`members[value eq "2819c223"]`), as part of a run of such removals of one attribute
/// ([`PendingRemovals`]); `false` if the operation is not one, and must be applied as any
/// other. The outcome is the same as applying the run one operation at a time.
fn remove_by_value<'s>(
    work: &mut Work<'s>,
    target: &AttrTarget<'s, '_>,
    compat: &Compatibility,
) -> Result<bool> {
    let attr = target.attr;
    let Some(filter) = &target.filter else { return Ok(false) };
    let eligible = attr.multi_valued
        && attr.is_complex()
        && target.sub.is_none()
        && matches!(attr.mutability, Mutability::ReadWrite | Mutability::WriteOnly);
    let Some(value) = PendingRemovals::selected_value(attr, filter.filter()).filter(|_| eligible)
    else {
        return Ok(false);
    };
    if !work.removals.as_ref().is_some_and(|run| run.is_over(target.ext, attr)) {
        work.flush_removals();
        let container = match target.ext {
            Some(urn) => work.resource.get(urn).and_then(Value::as_object),
            None => Some(&work.resource),
        };
        let Some(Value::Array(entries)) = container.and_then(|c| c.get(&attr.name)) else {
            // Nothing to remove from: the ordinary path says so.
            return Ok(false);
        };
        work.removals = Some(PendingRemovals::new(target.ext, attr, entries));
    }
    work.touch(target.ext.unwrap_or(&attr.name));
    work.changes += 1;
    // As after any change to the attribute, its duplicates go once all operations ran.
    if !work.to_dedupe.contains(&(target.ext, attr.name.as_str())) {
        work.to_dedupe.push((target.ext, &attr.name));
    }
    let removed = work.removals.as_mut().is_some_and(|run| run.remove(value));
    if !removed && !compat.remove_missing_ok {
        return Err(Error::no_target(format!(
            "no entry of {} matches [{}]",
            attr.name,
            filter.filter()
        )));
    }
    Ok(true)
}

/// Applies each key of an object value (path-less, or for a whole extension) as its own
/// `add` or `replace`.
fn apply_object<'s>(
    schema: &ResourceTypeSchema<'s>,
    work: &mut Work<'s>,
    scope: Scope<'s>,
    kind: PatchOpKind,
    fields: &JsonObject,
    compat: &Compatibility,
) -> Result<()> {
    for (key, value) in fields {
        match resolve_key(schema, scope, key, compat)? {
            Target::Ignored => {}
            Target::Extension(ext) => match value {
                Value::Object(inner) if matches!(scope, Scope::Resource) => {
                    apply_object(schema, work, Scope::Extension(ext), kind, inner, compat)?;
                }
                Value::Null => {}
                _ => {
                    return Err(Error::invalid_value(format!(
                        "{key} must be a JSON object of the extension's attributes"
                    )));
                }
            },
            Target::Attr(target) => {
                let read_only = target.attr.mutability == Mutability::ReadOnly
                    || target.sub.is_some_and(|s| s.mutability == Mutability::ReadOnly);
                if read_only {
                    if compat.ignore_read_only_in_patch
                        || current(&work.resource, &target) == Some(value)
                    {
                        continue;
                    }
                    return Err(Error::mutability(format!("{} is read-only", target.name())));
                }
                let action = match value {
                    // `null` and unassigned are the same state (RFC 7643 §2.5).
                    Value::Null if kind == PatchOpKind::Replace => {
                        Action::Remove { listed: None, missing_ok: true }
                    }
                    Value::Null => continue,
                    value => Action::Set(kind, value),
                };
                apply_attr(work, &target, action, compat)?;
            }
        }
    }
    Ok(())
}

/// Whether the value of a single-valued complex target matches the target's filter.
fn single_value_matches(work: &Work<'_>, target: &AttrTarget<'_, '_>) -> bool {
    let Some(filter) = &target.filter else { return true };
    let container = match target.ext {
        Some(urn) => work.resource.get(urn).and_then(Value::as_object),
        None => Some(&work.resource),
    };
    match container.and_then(|c| c.get(&target.attr.name)) {
        Some(value) => !filter.matching(std::slice::from_ref(value)).is_empty(),
        None => false,
    }
}

/// The current value of a target without a filter, if any.
fn current<'r>(resource: &'r JsonObject, target: &AttrTarget<'_, '_>) -> Option<&'r Value> {
    let container = match target.ext {
        Some(urn) => resource.get(urn)?.as_object()?,
        None => resource,
    };
    let value = container.get(&target.attr.name)?;
    match target.sub {
        Some(sub) => value.get(&sub.name),
        None => Some(value),
    }
}

/// Applies `action` to an attribute target, checking that an immutable attribute with a value
/// keeps it.
fn apply_attr<'s>(
    work: &mut Work<'s>,
    target: &AttrTarget<'s, '_>,
    action: Action<'_>,
    compat: &Compatibility,
) -> Result<()> {
    work.touch(target.ext.unwrap_or(&target.attr.name));
    work.changes += 1;
    let mut entries = Entries { index: work.entry_index.take(), change: work.changes };
    let container = match target.ext {
        Some(urn) => object_slot(&mut work.resource, urn)?,
        None => &mut work.resource,
    };
    let attr = target.attr;
    let before = match attr.mutability {
        Mutability::Immutable => container.get(&attr.name).cloned(),
        _ => None,
    };
    match action {
        Action::Set(kind, value) => {
            set_target(container, target, kind, value, compat, &mut entries)?;
        }
        Action::Remove { listed, missing_ok } => {
            remove_target(container, target, listed, missing_ok, compat)?;
        }
    }
    if attr.multi_valued {
        // An operation that sets the same sub-attribute on several entries can make them
        // equal: duplicates go once all operations ran (at once for an immutable attribute,
        // which is compared below).
        if before.is_some() {
            if let Some(Value::Array(entries)) = container.get_mut(&attr.name) {
                crate::normalize::dedupe(entries);
            }
        } else if !work.to_dedupe.contains(&(target.ext, attr.name.as_str())) {
            work.to_dedupe.push((target.ext, &attr.name));
        }
    }
    work.entry_index = entries.index;
    if let Some(before) = before {
        if container.get(&attr.name) != Some(&before) {
            return Err(Error::mutability(format!(
                "{} is immutable and already has a value",
                attr.name
            )));
        }
    }
    Ok(())
}

/// `add` or `replace` of a target with a client value.
fn set_target<'s>(
    container: &mut JsonObject,
    target: &AttrTarget<'s, '_>,
    kind: PatchOpKind,
    raw: &Value,
    compat: &Compatibility,
    entries: &mut Entries<'s>,
) -> Result<()> {
    let attr = target.attr;
    let name = target.name();
    if target.filter.is_some() {
        return set_filtered(container, target, kind, raw, compat, &name);
    }
    let normalized = normalize_value(target.target(), raw.clone(), compat, &name)?;
    let Some(value) = normalized else {
        // Nothing left of the value (`[]`, `{}`): a replace clears the target.
        return match kind {
            PatchOpKind::Replace => remove_target(container, target, None, true, compat),
            _ => Ok(()),
        };
    };
    if let Some(sub) = target.sub {
        return set_sub_everywhere(container, attr, sub, value, &name);
    }
    if attr.multi_valued {
        let new = match value {
            Value::Array(items) => items,
            single => vec![single],
        };
        // Entra ID sends the whole new set of a multi-valued custom (extension) attribute as an
        // `add`: what it means is a replace.
        let replaces =
            kind == PatchOpKind::Replace || (compat.extension_add_replaces && target.ext.is_some());
        if replaces {
            container.insert(attr.name.clone(), Value::Array(new));
            return Ok(());
        }
        return add_entries(container, target, new, &name, entries);
    }
    match value {
        Value::Object(fields) if attr.is_complex() => {
            merge_into(object_slot(container, &attr.name)?, attr, fields, &name)
        }
        value => {
            container.insert(attr.name.clone(), value);
            Ok(())
        }
    }
}

/// The entry index a change may use and leave for the next ([`EntryIndex`]), and the number
/// of the change.
struct Entries<'s> {
    index: Option<EntryIndex<'s>>,
    change: usize,
}

/// Appends entries to a multi-valued attribute; an entry already present gets the new one's
/// sub-attributes merged in instead.
fn add_entries<'s>(
    container: &mut JsonObject,
    target: &AttrTarget<'s, '_>,
    new: Vec<Value>,
    name: &str,
    cache: &mut Entries<'s>,
) -> Result<()> {
    let attr = target.attr;
    let entries = array_slot(container, &attr.name)?;
    let mut touched = Vec::with_capacity(new.len());
    // Entries by identity, so adding many entries to many stays linear, and a run of adds
    // hashes the existing entries once.
    let index =
        EntryIndex::reuse_or_build(cache.index.take(), target.ext, attr, cache.change, entries);
    let mut by_identity = index.positions;
    for item in new {
        let identity = entry_identity(attr, &item);
        let found =
            by_identity.get(&identity).copied().filter(|&i| same_entry(attr, &entries[i], &item));
        match found {
            Some(i) => {
                if let (Some(Value::Object(existing)), Value::Object(fields)) =
                    (entries.get_mut(i), item)
                {
                    // `value` is equal by identity (perhaps in another case): keep the stored one.
                    let fields = fields.into_iter().filter(|(k, _)| k != "value").collect();
                    merge_into(existing, attr, fields, name)?;
                }
                touched.push(i);
            }
            None => {
                entries.push(item);
                by_identity.entry(identity).or_insert(entries.len() - 1);
                touched.push(entries.len() - 1);
            }
        }
    }
    clear_other_primaries(entries, &touched);
    cache.index = Some(EntryIndex { positions: by_identity, ..index });
    Ok(())
}

/// Sets a sub-attribute on a single complex value (created if absent), or on every entry of a
/// multi-valued one.
fn set_sub_everywhere(
    container: &mut JsonObject,
    attr: &Attribute,
    sub: &Attribute,
    value: Value,
    name: &str,
) -> Result<()> {
    if !attr.multi_valued {
        return set_sub(object_slot(container, &attr.name)?, sub, value, name);
    }
    let Some(Value::Array(entries)) = container.get_mut(&attr.name) else { return Ok(()) };
    for entry in entries.iter_mut() {
        if let Value::Object(fields) = entry {
            set_sub(fields, sub, value.clone(), name)?;
        }
    }
    Ok(())
}

/// `add` or `replace` through a value filter.
fn set_filtered(
    container: &mut JsonObject,
    target: &AttrTarget<'_, '_>,
    kind: PatchOpKind,
    raw: &Value,
    compat: &Compatibility,
    name: &str,
) -> Result<()> {
    let attr = target.attr;
    let Some(filter) = &target.filter else { return Ok(()) };
    let value = match target.sub {
        Some(sub) => normalize_value(sub, raw.clone(), compat, name)?,
        None => match normalize_value(attr, raw.clone(), compat, name)? {
            Some(Value::Array(mut items)) if items.len() <= 1 => items.pop(),
            Some(_) => {
                return Err(Error::invalid_value(format!(
                    "{name}[{}] takes one entry (a JSON object)",
                    filter.filter()
                )));
            }
            None => None,
        },
    };
    let Some(value) = value else {
        return match kind {
            PatchOpKind::Replace => remove_target(container, target, None, true, compat),
            _ => Ok(()),
        };
    };
    let entries = array_slot(container, &attr.name)?;
    let matched = filter.matching(entries);
    if matched.is_empty() {
        let creates = match kind {
            PatchOpKind::Add => compat.filtered_add_creates_entry,
            _ => compat.filtered_replace_creates_entry,
        };
        let no_match = || format!("no entry of {} matches [{}]", attr.name, filter.filter());
        if !creates {
            return Err(Error::no_target(no_match()));
        }
        let Some(mut entry) = filter.seed(attr, compat)? else {
            return Err(Error::no_target(format!(
                "{}, and the filter does not describe an entry to create",
                no_match()
            )));
        };
        match (target.sub, value) {
            (Some(sub), value) => {
                entry.insert(sub.name.clone(), value);
            }
            (None, Value::Object(fields)) => entry.extend(fields),
            (None, _) => {}
        }
        entries.push(Value::Object(entry));
        let touched = [entries.len() - 1];
        clear_other_primaries(entries, &touched);
        return Ok(());
    }
    for &i in &matched {
        let Some(entry) = entries.get_mut(i) else { continue };
        match (target.sub, &value) {
            (Some(sub), value) => {
                if let Value::Object(fields) = entry {
                    set_sub(fields, sub, value.clone(), name)?;
                }
            }
            (None, Value::Object(fields)) if kind == PatchOpKind::Add => {
                if let Value::Object(existing) = entry {
                    merge_into(existing, attr, fields.clone(), name)?;
                }
            }
            (None, value) => *entry = value.clone(),
        }
    }
    clear_other_primaries(entries, &matched);
    Ok(())
}

/// `remove` of a target (also a `replace` with nothing).
fn remove_target(
    container: &mut JsonObject,
    target: &AttrTarget<'_, '_>,
    listed: Option<&Value>,
    missing_ok: bool,
    compat: &Compatibility,
) -> Result<()> {
    let attr = target.attr;
    let name = target.name();
    let missing = |what: String| if missing_ok { Ok(()) } else { Err(Error::no_target(what)) };
    if let Some(sub) = target.sub {
        if sub.required {
            return Err(Error::mutability(format!("{name} is required and cannot be removed")));
        }
    } else if target.filter.is_none() && attr.required {
        return Err(Error::mutability(format!("{name} is required and cannot be removed")));
    }
    let Some(current) = container.get_mut(&attr.name) else {
        return missing(format!("{name} has no value"));
    };
    if let Some(filter) = &target.filter {
        let Value::Array(entries) = current else {
            return missing(format!("{name} has no value"));
        };
        let matched = filter.matching(entries);
        if matched.is_empty() {
            return missing(format!("no entry of {} matches [{}]", attr.name, filter.filter()));
        }
        match target.sub {
            Some(sub) => {
                for &i in &matched {
                    if let Some(Value::Object(fields)) = entries.get_mut(i) {
                        remove_sub(fields, sub, &name)?;
                    }
                }
            }
            None => {
                let mut remove = vec![false; entries.len()];
                for &i in &matched {
                    remove[i] = true;
                }
                let mut i = 0;
                entries.retain(|_| {
                    i += 1;
                    !remove[i - 1]
                });
            }
        }
        return Ok(());
    }
    if let Some(sub) = target.sub {
        let removed = match current {
            Value::Array(entries) => {
                let mut removed = false;
                for entry in entries.iter_mut() {
                    if let Value::Object(fields) = entry {
                        removed |= remove_sub(fields, sub, &name)?;
                    }
                }
                removed
            }
            Value::Object(fields) => remove_sub(fields, sub, &name)?,
            _ => false,
        };
        return if removed { Ok(()) } else { missing(format!("{name} has no value")) };
    }
    match listed {
        Some(listed) if !attr.multi_valued && attr.is_complex() && compat.single_value_filter => {
            // `remove` of `manager` with `[{"value": id}]`: only if it is that manager.
            let listed = match listed {
                Value::Array(items) => items.as_slice(),
                single => std::slice::from_ref(single),
            };
            let listed: Vec<Value> = listed
                .iter()
                .map(|l| normalize_value(attr, l.clone(), compat, &name))
                .collect::<Result<Vec<_>>>()?
                .into_iter()
                .flatten()
                .collect();
            if listed.iter().any(|l| same_entry(attr, current, l)) {
                container.remove(&attr.name);
            } else {
                return missing(format!("the listed value is not the value of {name}"));
            }
        }
        Some(listed) if attr.multi_valued && compat.remove_listed_values => {
            let Some(Value::Array(listed)) = normalize_value(attr, listed.clone(), compat, &name)?
            else {
                return missing(format!("the value lists no entry of {name}"));
            };
            let Value::Array(entries) = current else {
                return missing(format!("{name} has no value"));
            };
            let before = entries.len();
            // The listed entries by identity, so that removing many from many stays linear.
            let mut by_identity: HashMap<String, Vec<&Value>> = HashMap::new();
            for item in &listed {
                by_identity.entry(entry_identity(attr, item)).or_default().push(item);
            }
            entries.retain(|e| {
                let candidates = by_identity.get(&entry_identity(attr, e));
                !candidates.is_some_and(|c| c.iter().any(|l| same_entry(attr, e, l)))
            });
            if entries.len() == before {
                return missing(format!("no listed entry is in {name}"));
            }
        }
        _ => {
            container.remove(&attr.name);
        }
    }
    Ok(())
}

/// `remove` with a whole extension URN as the path.
fn remove_extension<'s>(work: &mut Work<'s>, ext: &'s Schema, missing_ok: bool) -> Result<()> {
    work.touch(&ext.id);
    work.changes += 1;
    let Some(Value::Object(fields)) = work.resource.get(&ext.id) else {
        return if missing_ok {
            Ok(())
        } else {
            Err(Error::no_target(format!("the resource has no {} attributes", ext.id)))
        };
    };
    for attr in &ext.attributes {
        if !fields.contains_key(&attr.name) {
            continue;
        }
        if attr.required || attr.mutability != Mutability::ReadWrite {
            return Err(Error::mutability(format!("{}:{} cannot be removed", ext.id, attr.name)));
        }
    }
    work.resource.remove(&ext.id);
    Ok(())
}

/// Merges normalised sub-attributes into a complex value.
fn merge_into(
    existing: &mut JsonObject,
    attr: &Attribute,
    fields: JsonObject,
    name: &str,
) -> Result<()> {
    for (key, value) in fields {
        match attr.sub_attribute(&key) {
            Some(sub) => set_sub(existing, sub, value, name)?,
            None => {
                existing.insert(key, value);
            }
        }
    }
    Ok(())
}

/// Sets a sub-attribute of one complex value; an immutable one may only be set once.
fn set_sub(fields: &mut JsonObject, sub: &Attribute, value: Value, name: &str) -> Result<()> {
    if sub.mutability == Mutability::Immutable {
        if let Some(old) = fields.get(&sub.name) {
            if *old != value {
                return Err(immutable(name, sub));
            }
            return Ok(());
        }
    }
    fields.insert(sub.name.clone(), value);
    Ok(())
}

/// Removes a sub-attribute of one complex value; tells whether it was there.
fn remove_sub(fields: &mut JsonObject, sub: &Attribute, name: &str) -> Result<bool> {
    if sub.mutability == Mutability::Immutable && fields.contains_key(&sub.name) {
        return Err(immutable(name, sub));
    }
    Ok(fields.remove(&sub.name).is_some())
}

fn immutable(name: &str, sub: &Attribute) -> Error {
    let path = if name.ends_with(&format!(".{}", sub.name)) {
        name.to_owned()
    } else {
        format!("{name}.{}", sub.name)
    };
    Error::mutability(format!("{path} is immutable and already has a value"))
}

/// The object under `name`, created (or made an object) if needed.
fn object_slot<'c>(container: &'c mut JsonObject, name: &str) -> Result<&'c mut JsonObject> {
    let slot = container.entry(name.to_owned()).or_insert_with(|| Value::Object(JsonObject::new()));
    if !slot.is_object() {
        *slot = Value::Object(JsonObject::new());
    }
    slot.as_object_mut().ok_or_else(|| Error::Internal { detail: format!("{name} is no object") })
}

/// The array under `name`, created (or made an array) if needed.
fn array_slot<'c>(container: &'c mut JsonObject, name: &str) -> Result<&'c mut Vec<Value>> {
    let slot = container.entry(name.to_owned()).or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        let old = std::mem::take(slot);
        *slot = Value::Array(vec![old]);
    }
    slot.as_array_mut().ok_or_else(|| Error::Internal { detail: format!("{name} is no array") })
}
