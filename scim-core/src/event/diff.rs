//! What a change amounts to: its kinds, the attributes it touched, the members it moved.

use std::collections::HashSet;

use serde_json::Value;

use super::EventKind;
use crate::normalize::JsonObject;

/// The attributes of a resource that are not content: never reported as changed.
const NOT_CONTENT: [&str; 3] = ["id", "meta", "schemas"];

/// How a write changes a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    Create,
    Put,
    Patch,
    Delete,
}

/// What an event says of a change, apart from who made it and when.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Description {
    pub(crate) kinds: Vec<EventKind>,
    pub(crate) attributes: Vec<String>,
    pub(crate) members_added: Vec<String>,
    pub(crate) members_removed: Vec<String>,
}

/// The state of a resource before a change, as much of it as the change may have touched.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Before<'a> {
    /// The resource did not exist (a create).
    Nothing,
    /// The whole resource.
    Whole(&'a JsonObject),
    /// Only these top-level keys may differ, with their values before the change (`None`
    /// where a key was absent); every other key is as it was. What a PATCH reports.
    Touched(&'a [(String, Option<Value>)]),
}

impl Before<'_> {
    /// The value of `key` before the change; `Err(())` if the key was not touched (so it is
    /// the same after).
    fn get(&self, key: &str) -> Result<Option<&Value>, ()> {
        match self {
            Before::Nothing => Ok(None),
            Before::Whole(old) => Ok(old.get(key)),
            Before::Touched(keys) => {
                keys.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_ref()).ok_or(())
            }
        }
    }
}

/// Describes the change from `before` to `after` (`None` after a delete).
pub(crate) fn describe_change(
    change: Change,
    before: Before<'_>,
    after: Option<&JsonObject>,
) -> Description {
    let empty = JsonObject::new();
    let new = after.unwrap_or(&empty);
    let mut kinds = vec![match change {
        Change::Create => EventKind::Create,
        Change::Put => EventKind::Put,
        Change::Patch => EventKind::Patch,
        Change::Delete => EventKind::Delete,
    }];
    if matches!(change, Change::Put | Change::Patch) {
        if let Ok(old) = before.get("active") {
            // An unset `active` counts as active: a user created without it and then set to
            // false was deactivated.
            let was = old.and_then(Value::as_bool).unwrap_or(true);
            let is = new.get("active").and_then(Value::as_bool).unwrap_or(was);
            match (was, is) {
                (true, false) => kinds.push(EventKind::Deactivate),
                (false, true) => kinds.push(EventKind::Activate),
                _ => {}
            }
        }
    }
    let attributes = match (change, before) {
        (Change::Delete, _) => Vec::new(),
        (_, Before::Touched(keys)) => {
            let mut out = Vec::new();
            for (key, old) in keys {
                compare(key, old.as_ref(), new.get(key), &mut out);
            }
            out
        }
        (_, Before::Whole(old)) => changed(old, new),
        (_, Before::Nothing) => changed(&empty, new),
    };
    let Ok(old_members) = before.get("members") else {
        return Description { kinds, attributes, ..Description::default() };
    };
    let old_members: Vec<&str> = member_ids(old_members).collect();
    let new_members: Vec<&str> = member_ids(new.get("members")).collect();
    Description {
        kinds,
        attributes,
        members_added: difference(&new_members, &old_members),
        members_removed: if change == Change::Delete {
            Vec::new()
        } else {
            difference(&old_members, &new_members)
        },
    }
}

/// The `value`s of a `members` attribute.
fn member_ids(members: Option<&Value>) -> impl Iterator<Item = &str> {
    members
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.get("value").and_then(Value::as_str))
}

/// The attributes whose values differ between `old` and `new`, in the order they appear (those
/// of `new` first, then those only `old` had). An extension's attributes are named one by one
/// with its schema URI.
fn changed(old: &JsonObject, new: &JsonObject) -> Vec<String> {
    let mut out = Vec::new();
    let content = |(key, _): &(&String, &Value)| !NOT_CONTENT.contains(&key.as_str());
    for (key, value) in new.iter().filter(content) {
        match (value, old.get(key)) {
            (Value::Object(ext), before) if is_extension(key) => {
                let before = before.and_then(Value::as_object);
                changed_in_extension(key, before, Some(ext), &mut out);
            }
            (value, Some(before)) if value == before => {}
            _ => out.push(key.clone()),
        }
    }
    for (key, value) in old.iter().filter(content).filter(|(key, _)| !new.contains_key(*key)) {
        match value {
            Value::Object(ext) if is_extension(key) => {
                changed_in_extension(key, Some(ext), None, &mut out);
            }
            _ => out.push(key.clone()),
        }
    }
    out
}

/// Adds `key` (or its changed extension attributes) to `out` if its value differs.
fn compare(key: &str, old: Option<&Value>, new: Option<&Value>, out: &mut Vec<String>) {
    if NOT_CONTENT.contains(&key) || old == new {
        return;
    }
    match (old, new) {
        (old, new)
            if is_extension(key)
                && (old.is_some_and(Value::is_object) || new.is_some_and(Value::is_object)) =>
        {
            changed_in_extension(
                key,
                old.and_then(Value::as_object),
                new.and_then(Value::as_object),
                out,
            );
        }
        _ => out.push(key.to_owned()),
    }
}

fn changed_in_extension(
    urn: &str,
    old: Option<&JsonObject>,
    new: Option<&JsonObject>,
    out: &mut Vec<String>,
) {
    let empty = JsonObject::new();
    let (old, new) = (old.unwrap_or(&empty), new.unwrap_or(&empty));
    for (key, value) in new {
        if old.get(key) != Some(value) {
            out.push([urn, ":", key].concat());
        }
    }
    for key in old.keys().filter(|key| !new.contains_key(*key)) {
        out.push([urn, ":", key].concat());
    }
}

/// Whether a resource key holds an extension (its schema URI).
fn is_extension(key: &str) -> bool {
    key.get(..4).is_some_and(|prefix| prefix.eq_ignore_ascii_case("urn:"))
}

/// The ids of `a` that `b` lacks, in the order of `a`, without repeats.
fn difference(a: &[&str], b: &[&str]) -> Vec<String> {
    let b: HashSet<&str> = b.iter().copied().collect();
    let mut seen = HashSet::new();
    a.iter().filter(|id| !b.contains(*id) && seen.insert(**id)).map(|id| (*id).to_owned()).collect()
}
