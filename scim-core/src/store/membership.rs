//! Group membership as stores keep it: the `members[].value` of resources of type
//! [`GROUP_RESOURCE_TYPE`](super::GROUP_RESOURCE_TYPE).

use serde_json::Value;

use crate::error::Error;
use crate::normalize::JsonObject;

/// The error a store answers for a group write that adds `member`, an id no resource of the
/// tenant has (one never created, or deleted before the write could commit): 400
/// `invalidValue`. A store checks this in the write's own transaction or lock, so that a
/// member deleted while a group write races it is never left listed.
///
/// ```
/// let err = scimkit_core::unknown_member("2819c223");
/// assert_eq!(err.status(), 400);
/// assert!(err.detail().contains("2819c223"));
/// ```
pub fn unknown_member(member: &str) -> Error {
    let shown: String = member.chars().take(128).collect();
    Error::invalid_value(format!("no resource has the id {shown:?} to be a member"))
}

/// The `value` of each entry of a group's `members`: the ids of its members.
///
/// ```
/// use serde_json::json;
///
/// let group = json!({ "members": [{ "value": "u1" }, { "value": "u2", "type": "User" }] });
/// let ids: Vec<&str> = scimkit_core::group_member_ids(group.as_object().unwrap()).collect();
/// assert_eq!(ids, ["u1", "u2"]);
/// ```
pub fn group_member_ids(group: &JsonObject) -> impl Iterator<Item = &str> {
    group
        .get("members")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.get("value").and_then(Value::as_str))
}

/// Removes every entry for `member` from a group's `members` (and `members` itself once
/// empty), and stamps `meta.lastModified` with `now`: what a store does to each group of a
/// deleted resource.
///
/// ```
/// use serde_json::json;
///
/// let mut group = json!({ "members": [{ "value": "u1" }], "meta": {} });
/// let group = group.as_object_mut().unwrap();
/// scimkit_core::remove_group_member(group, "u1", "2026-01-01T00:00:00.000Z");
/// assert!(!group.contains_key("members"));
/// assert_eq!(group["meta"]["lastModified"], "2026-01-01T00:00:00.000Z");
/// ```
pub fn remove_group_member(group: &mut JsonObject, member: &str, now: &str) {
    if let Some(Value::Array(members)) = group.get_mut("members") {
        members.retain(|m| m.get("value").and_then(Value::as_str) != Some(member));
        if members.is_empty() {
            group.remove("members");
        }
    }
    if let Some(Value::Object(meta)) = group.get_mut("meta") {
        meta.insert("lastModified".to_owned(), Value::String(now.to_owned()));
    }
}
