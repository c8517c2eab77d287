//! Group membership as stores keep it: the `members[].value` of resources of type
//! [`GROUP_RESOURCE_TYPE`](super::GROUP_RESOURCE_TYPE).

use scimkit_filter::{AttrExpr, AttrPath, AttrTest, CompValue, CompareOp, Filter};
use serde_json::Value;

use super::Membership;
use crate::error::Error;
use crate::normalize::JsonObject;
use crate::schema::urn::SCHEMA_USER;

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

/// How deep nested memberships are followed: a user in group A, A in B, B in C … is listed
/// as an indirect member of every group up to this many levels above it (RFC 7643 §4.1.2:
/// `groups` holds "direct or indirect" memberships). Deeper nesting is not listed; cycles
/// (A in B, B in A) end the walk where it comes back.
pub const MAX_GROUP_NESTING: usize = 16;

/// Whether `filter` tests the `groups` attribute of a resource (`groups eq "g"`,
/// `groups.display co "x"`, `groups[type eq "indirect"]`, or the same under the User schema's
/// URN): the attribute a store derives from membership instead of reading it from the data.
///
/// ```
/// use scimkit_core::{filter::Filter, filter_tests_groups};
///
/// let filter = Filter::parse(r#"active eq true and groups[value eq "g1"]"#).unwrap();
/// assert!(filter_tests_groups(&filter));
/// assert!(!filter_tests_groups(&Filter::parse(r#"userName eq "groups""#).unwrap()));
/// ```
pub fn filter_tests_groups(filter: &Filter) -> bool {
    match filter {
        Filter::Attr(expr) => is_groups_path(&expr.path),
        Filter::ValuePath(vp) | Filter::ValuePathAttr { path: vp, .. } => is_groups_path(&vp.attr),
        Filter::And(operands) | Filter::Or(operands) => operands.iter().any(filter_tests_groups),
        Filter::Not(inner) => filter_tests_groups(inner),
        // A form this version does not know cannot be told apart: treat it as testing groups,
        // so that the library evaluates it with memberships in place.
        #[allow(unreachable_patterns)]
        _ => true,
    }
}

/// Whether `path` names the `groups` attribute (bare or under the User schema's URN).
pub fn is_groups_path(path: &AttrPath) -> bool {
    path.name.eq_ignore_case("groups")
        && path.schema.as_ref().is_none_or(|urn| urn.as_str().eq_ignore_ascii_case(SCHEMA_USER))
}

/// The group id `filter` asks for membership in, if it is `groups eq "g"`,
/// `groups.value eq "g"` or `groups[value eq "g"]` (with or without the User schema's URN):
/// the form a store can answer from its membership index instead of evaluating the filter on
/// every resource. `groups.value` is not case-exact, so `g` matches group ids ignoring case.
///
/// ```
/// use scimkit_core::{filter::Filter, group_equality};
///
/// let eq = |text: &str| group_equality(&Filter::parse(text).unwrap()).map(str::to_owned);
/// assert_eq!(eq(r#"groups eq "g1""#).as_deref(), Some("g1"));
/// assert_eq!(eq(r#"groups[value eq "g1"]"#).as_deref(), Some("g1"));
/// assert_eq!(eq(r#"groups.display eq "g1""#), None);
/// ```
pub fn group_equality(filter: &Filter) -> Option<&str> {
    fn equality(expr: &AttrExpr) -> Option<&str> {
        match &expr.test {
            AttrTest::Compare(CompareOp::Eq, CompValue::String(value)) => Some(value.as_str()),
            _ => None,
        }
    }
    match filter {
        Filter::Attr(expr)
            if is_groups_path(&expr.path)
                && expr.path.sub_attr.as_ref().is_none_or(|sub| sub.eq_ignore_case("value")) =>
        {
            equality(expr)
        }
        Filter::ValuePath(vp) if is_groups_path(&vp.attr) && vp.attr.sub_attr.is_none() => {
            match &*vp.filter {
                Filter::Attr(expr)
                    if expr.path.schema.is_none()
                        && expr.path.sub_attr.is_none()
                        && expr.path.name.eq_ignore_case("value") =>
                {
                    equality(expr)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// A resource's `groups` as filters see it: one entry per membership with its `value`,
/// `display` (when the group has one) and `type` (`direct` or `indirect`). `$ref` is left
/// out: it depends on the address the service is reached at, not on the data.
///
/// ```
/// use scimkit_core::{Membership, memberships_value};
///
/// let groups = [Membership::new("g1", Some("Admins".into())), Membership::new("g2", None).nested()];
/// assert_eq!(
///     memberships_value(&groups),
///     serde_json::json!([
///         { "value": "g1", "display": "Admins", "type": "direct" },
///         { "value": "g2", "type": "indirect" },
///     ])
/// );
/// ```
pub fn memberships_value(memberships: &[Membership]) -> Value {
    let entries = memberships
        .iter()
        .map(|m| {
            let mut entry = JsonObject::new();
            entry.insert("value".to_owned(), Value::String(m.group_id.clone()));
            if let Some(display) = &m.display {
                entry.insert("display".to_owned(), Value::String(display.clone()));
            }
            entry.insert("type".to_owned(), Value::String(m.kind().to_owned()));
            Value::Object(entry)
        })
        .collect();
    Value::Array(entries)
}
