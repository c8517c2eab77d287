use serde_json::json;

use super::diff::{Before, Change, describe_change};
use super::*;
use crate::normalize::JsonObject;

fn object(value: serde_json::Value) -> JsonObject {
    value.as_object().cloned().unwrap_or_default()
}

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[test]
fn a_create_names_every_attribute_it_sets_and_not_id_meta_or_schemas() {
    let user = object(json!({
        "id": "1", "schemas": ["x"], "meta": {}, "userName": "ann", "active": true,
        ENTERPRISE: { "department": "Sales" }
    }));
    let change = describe_change(Change::Create, Before::Nothing, Some(&user));
    assert_eq!(change.kinds, [EventKind::Create]);
    // In the order of the resource's keys.
    let department = format!("{ENTERPRISE}:department");
    assert_eq!(change.attributes, ["active", department.as_str(), "userName"]);
}

#[test]
fn deactivation_and_activation_are_kinds_of_their_own() {
    let on = object(json!({ "userName": "ann", "active": true }));
    let off = object(json!({ "userName": "ann", "active": false }));
    let unset = object(json!({ "userName": "ann" }));
    let patch =
        |a: &JsonObject, b: &JsonObject| describe_change(Change::Patch, Before::Whole(a), Some(b));
    assert_eq!(patch(&on, &off).kinds, [EventKind::Patch, EventKind::Deactivate]);
    assert_eq!(patch(&off, &on).kinds, [EventKind::Patch, EventKind::Activate]);
    // Unset counts as active: setting it to false deactivates, setting it to true does not
    // activate.
    assert_eq!(patch(&unset, &off).kinds, [EventKind::Patch, EventKind::Deactivate]);
    assert_eq!(patch(&unset, &on).kinds, [EventKind::Patch]);
    let put = describe_change(Change::Put, Before::Whole(&on), Some(&off));
    assert_eq!(put.kinds, [EventKind::Put, EventKind::Deactivate]);
    assert_eq!(put.attributes, ["active"]);
}

#[test]
fn changed_attributes_cover_set_changed_and_removed_values_and_extension_attributes() {
    let before = object(json!({
        "userName": "ann", "title": "Dr", "password": "old", "meta": { "version": "1" },
        ENTERPRISE: { "department": "Sales", "costCenter": "7" }
    }));
    let after = object(json!({
        "userName": "ann", "nickName": "A", "password": "new", "meta": { "version": "2" },
        ENTERPRISE: { "department": "Ops", "costCenter": "7" }
    }));
    let change = describe_change(Change::Patch, Before::Whole(&before), Some(&after));
    let department = format!("{ENTERPRISE}:department");
    assert_eq!(change.attributes, ["nickName", "password", department.as_str(), "title"]);
    let removed = object(json!({ "userName": "ann" }));
    let change = describe_change(Change::Patch, Before::Whole(&before), Some(&removed));
    assert!(change.attributes.contains(&format!("{ENTERPRISE}:costCenter")));
}

#[test]
fn group_changes_name_the_members_added_and_removed_once_each() {
    let before = object(json!({ "members": [{ "value": "a" }, { "value": "b" }] }));
    let after =
        object(json!({ "members": [{ "value": "b" }, { "value": "c" }, { "value": "c" }] }));
    let change = describe_change(Change::Patch, Before::Whole(&before), Some(&after));
    assert_eq!(change.members_added, ["c"]);
    assert_eq!(change.members_removed, ["a"]);
    assert_eq!(change.attributes, ["members"]);
    let deleted = describe_change(Change::Delete, Before::Whole(&after), None);
    assert_eq!(deleted.kinds, [EventKind::Delete]);
    assert!(deleted.attributes.is_empty() && deleted.members_removed.is_empty());
}

#[test]
fn extension_keys_with_multibyte_names_do_not_panic() {
    let before = object(json!({ "ü": 1, "urn": 2 }));
    let after = object(json!({ "ü": 2 }));
    let change = describe_change(Change::Put, Before::Whole(&before), Some(&after));
    assert_eq!(change.attributes, ["ü", "urn"]);
}

pub(super) fn draft(level: PayloadLevel, data: Option<JsonObject>) -> EventDraft {
    EventDraft {
        txn: "t-1".to_owned(),
        resource_type: "User".to_owned(),
        resource_id: "u-1".to_owned(),
        time: "2026-12-03T10:00:00.000Z".to_owned(),
        principal: Some("Entra ID".to_owned()),
        request_id: Some("r-1".to_owned()),
        kinds: vec![EventKind::Patch, EventKind::Deactivate],
        attributes: vec!["active".to_owned()],
        members_added: Vec::new(),
        members_removed: Vec::new(),
        level,
        data,
        hidden_group_attributes: Some(Arc::from(vec!["secret".to_owned()])),
    }
}

#[test]
fn a_recorded_event_carries_the_store_s_cursor_version_and_external_id() {
    let data = object(json!({ "id": "u-1", "userName": "ann", "meta": {} }));
    let draft = draft(PayloadLevel::Full, Some(data));
    let stored = object(json!({ "externalId": "e-1" }));
    let event =
        draft.record("acme", EventCursor::from_sequence(7), &stored, Some(&Version::new("9")));
    assert_eq!(event.tenant, "acme");
    assert_eq!(event.cursor.sequence(), Some(7));
    assert_eq!(event.external_id.as_deref(), Some("e-1"));
    assert_eq!(event.version.as_deref(), Some("9"));
    assert_eq!(event.data.as_ref().map(|d| d["meta"]["version"].clone()), Some(json!("W/\"9\"")));
    assert_eq!(event.txn, "t-1");
    assert!(!event.id.is_empty());
    let again = draft.record("acme", EventCursor::from_sequence(8), &stored, None);
    assert_ne!(again.id, event.id, "each recorded event gets its own id");
}

#[test]
fn the_set_has_the_rfc_9967_claims() {
    let data = object(json!({ "id": "u-1", "userName": "ann", "active": false, "meta": {} }));
    let stored = object(json!({ "externalId": "e-1" }));
    let event = draft(PayloadLevel::Full, Some(data)).record(
        "acme",
        EventCursor::from_sequence(1),
        &stored,
        Some(&Version::new("4")),
    );
    let set = event.to_set(&SetOptions::new("https://scim.example.com").with_audience("app"));
    assert_eq!(set["iss"], "https://scim.example.com");
    assert_eq!(set["aud"], json!(["app"]));
    assert_eq!(set["jti"], json!(event.id));
    assert_eq!(set["txn"], "t-1");
    assert_eq!(set["iat"], 1_796_292_000);
    assert_eq!(set["toe"], 1_796_292_000);
    assert_eq!(
        set["sub_id"],
        json!({ "format": "scim", "uri": "/Users/u-1", "externalId": "e-1" })
    );
    let patch = &set["events"]["urn:ietf:params:scim:event:prov:patch:full"];
    assert!(patch.get("attributes").is_none(), "exactly one of data and attributes");
    assert_eq!(patch["data"]["userName"], "ann");
    assert_eq!(patch["version"], "W/\"4\"");
    assert_eq!(set["events"]["urn:ietf:params:scim:event:prov:deactivate"], json!({}));
    assert_eq!(set["events"].as_object().map(|e| e.len()), Some(2));
    let notice =
        draft(PayloadLevel::Notice, None).record("acme", EventCursor::default(), &stored, None);
    let set = notice.to_set(&SetOptions::new("https://scim.example.com"));
    let patch = &set["events"]["urn:ietf:params:scim:event:prov:patch:notice"];
    assert_eq!(patch, &json!({ "attributes": ["active"] }));
    assert!(set.get("aud").is_none());
}

#[test]
fn cascade_drafts_share_the_change_and_drop_hidden_group_attributes() {
    let mut draft = draft(PayloadLevel::Full, None);
    draft.kinds = vec![EventKind::Delete];
    let group = object(json!({ "id": "g", "displayName": "Ops", "secret": "x" }));
    let cascade = draft.member_removed("g", &group);
    assert_eq!(cascade.kinds, [EventKind::Patch]);
    assert_eq!(cascade.attributes, ["members"]);
    assert_eq!(cascade.members_removed, ["u-1"]);
    assert_eq!(cascade.txn, draft.txn);
    assert_eq!(cascade.request_id, draft.request_id);
    let data = cascade.data.unwrap_or_default();
    assert_eq!(data.get("displayName"), Some(&json!("Ops")));
    assert!(!data.contains_key("secret"));
}

#[test]
fn cursors_from_sequences_sort_byte_wise_as_numbers() {
    let mut cursors: Vec<EventCursor> =
        [10, 9, 100, 1, u64::MAX].into_iter().map(EventCursor::from_sequence).collect();
    cursors.sort();
    let numbers: Vec<u64> = cursors.iter().filter_map(EventCursor::sequence).collect();
    assert_eq!(numbers, [1, 9, 10, 100, u64::MAX]);
    assert_eq!(EventCursor::new("12").sequence(), None);
    assert_eq!(EventCursor::new("0000000000000000001x").sequence(), None);
}

#[test]
fn a_patch_is_described_from_the_keys_it_touched_alone() {
    let after = object(json!({
        "userName": "ann", "active": false, "title": "Dr",
        "members": [{ "value": "x" }],
        ENTERPRISE: { "department": "Ops", "costCenter": "7" }
    }));
    let touched = vec![
        ("active".to_owned(), Some(json!(true))),
        ("nickName".to_owned(), None),
        (ENTERPRISE.to_owned(), Some(json!({ "department": "Sales", "costCenter": "7" }))),
    ];
    let change = describe_change(Change::Patch, Before::Touched(&touched), Some(&after));
    assert_eq!(change.kinds, [EventKind::Patch, EventKind::Deactivate]);
    // `title` and `members` were not touched, so they did not change; `nickName` stayed absent.
    let department = format!("{ENTERPRISE}:department");
    assert_eq!(change.attributes, ["active", department.as_str()]);
    assert!(change.members_added.is_empty());
    let untouched_active = vec![("title".to_owned(), Some(json!("Mr")))];
    let change = describe_change(Change::Patch, Before::Touched(&untouched_active), Some(&after));
    assert_eq!(change.kinds, [EventKind::Patch], "active was not touched: no deactivation");
}

#[test]
fn a_membership_patch_names_the_members_it_moved() {
    let after =
        object(json!({ "displayName": "Ops", "members": [{ "value": "b" }, { "value": "c" }] }));
    let touched = vec![("members".to_owned(), Some(json!([{ "value": "a" }, { "value": "b" }])))];
    let change = describe_change(Change::Patch, Before::Touched(&touched), Some(&after));
    assert_eq!(change.kinds, [EventKind::Patch]);
    assert_eq!(change.attributes, ["members"]);
    assert_eq!(change.members_added, ["c"]);
    assert_eq!(change.members_removed, ["a"]);
    let emptied = object(json!({ "displayName": "Ops" }));
    let change = describe_change(Change::Patch, Before::Touched(&touched), Some(&emptied));
    assert_eq!(change.members_removed, ["a", "b"]);
}
