use serde_json::{Value, json};

use super::*;
use crate::registry::Registry;

fn users(body: Value) -> Result<Value> {
    users_with(body, &Compatibility::default())
}

fn users_with(body: Value, compat: &Compatibility) -> Result<Value> {
    let registry = Registry::standard();
    let schema = registry.resource_type_schema("User").unwrap();
    normalize_resource(&schema, body, compat).map(Value::Object)
}

const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[test]
fn names_take_the_schema_spelling() {
    let out = users(json!({
        "USERNAME": "ann",
        "Name": { "GIVENNAME": "Ann", "familyname": "Lee" },
        "EMAILS": [{ "Value": "ann@example.com", "TYPE": "work", "Primary": true }],
        "urn:ietf:params:scim:schemas:core:2.0:User:title": "CEO"
    }))
    .unwrap();
    assert_eq!(
        out,
        json!({
            "schemas": [CORE],
            "userName": "ann",
            "name": { "givenName": "Ann", "familyName": "Lee" },
            "emails": [{ "value": "ann@example.com", "type": "work", "primary": true }],
            "title": "CEO"
        })
    );
}

#[test]
fn nulls_and_empties_are_absent() {
    let out = users(json!({
        "userName": "ann", "nickName": null, "roles": [], "name": { "givenName": null },
        "emails": [null, { "value": "a@b.c", "display": null }],
        ENTERPRISE: { "department": null }
    }))
    .unwrap();
    assert_eq!(
        out,
        json!({ "schemas": [CORE], "userName": "ann", "emails": [{ "value": "a@b.c" }] })
    );
}

#[test]
fn read_only_values_from_clients_are_ignored() {
    let out = users(json!({
        "id": "mine", "userName": "ann",
        "meta": { "resourceType": "User", "version": "W/\"1\"" },
        "groups": [{ "value": "g1" }]
    }))
    .unwrap();
    assert_eq!(out, json!({ "schemas": [CORE], "userName": "ann" }));
}

#[test]
fn unknown_schema_uris_and_attributes_are_accepted_and_dropped() {
    let out = users(json!({
        "schemas": [CORE, "urn:ietf:params:scim:schemas:extension:microsoft:2.0:User"],
        "userName": "ann", "favouriteColour": "green"
    }))
    .unwrap();
    assert_eq!(out, json!({ "schemas": [CORE], "userName": "ann" }));
    let strict = Compatibility::strict();
    let err = users_with(json!({ "userName": "ann", "favouriteColour": "green" }), &strict);
    assert!(matches!(err, Err(Error::InvalidSyntax { .. })));
}

#[test]
fn extension_attributes_go_under_the_urn() {
    let out = users(json!({
        "userName": "ann",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": {
            "DEPARTMENT": "Sales", "manager": "boss-id", "employeeNumber": 701984
        }
    }))
    .unwrap();
    assert_eq!(
        out,
        json!({
            "schemas": [CORE, ENTERPRISE],
            "userName": "ann",
            ENTERPRISE: { "department": "Sales", "manager": { "value": "boss-id" }, "employeeNumber": "701984" }
        })
    );
    let strict = Compatibility::strict();
    let err = users_with(json!({ "userName": "a", ENTERPRISE: { "manager": "boss" } }), &strict);
    assert!(matches!(err, Err(Error::InvalidValue { .. })));
}

#[test]
fn booleans_accept_strings_as_entra_sends_them() {
    for (sent, stored) in [("True", true), ("False", false), ("true", true), ("FALSE", false)] {
        let out = users(json!({ "userName": "ann", "active": sent })).unwrap();
        assert_eq!(out["active"], stored);
    }
    assert!(users(json!({ "userName": "ann", "active": "yes" })).is_err());
    let strict = Compatibility::strict();
    assert!(users_with(json!({ "userName": "ann", "active": "True" }), &strict).is_err());
}

#[test]
fn types_are_checked() {
    for bad in [
        json!({ "userName": true }),
        json!({ "userName": ["a", "b"] }),
        json!({ "userName": "a", "name": "Ann" }),
        json!({ "userName": "a", "emails": [["x"]] }),
        json!({ "userName": "a", "active": 1 }),
        json!({ "userName": "a", "meta": 5, "x509Certificates": [{ "value": false }] }),
    ] {
        let err = users(bad.clone()).unwrap_err();
        assert!(matches!(err, Error::InvalidValue { .. }), "{bad}: {err}");
    }
    assert!(matches!(users(json!([1])), Err(Error::InvalidSyntax { .. })));
}

#[test]
fn one_value_for_a_multi_valued_attribute_is_a_list_of_one() {
    let out = users(json!({ "userName": "a", "emails": { "value": "a@b.c" } })).unwrap();
    assert_eq!(out["emails"], json!([{ "value": "a@b.c" }]));
}

#[test]
fn duplicate_values_are_dropped() {
    let many: Vec<Value> = (0..40).map(|n| json!({ "value": format!("v{}", n % 20) })).collect();
    let out = users(json!({ "userName": "a", "entitlements": many })).unwrap();
    assert_eq!(out["entitlements"].as_array().unwrap().len(), 20);
    let out =
        users(json!({ "userName": "a", "roles": [{ "value": "r" }, { "value": "r" }] })).unwrap();
    assert_eq!(out["roles"], json!([{ "value": "r" }]));
}

#[test]
fn the_same_attribute_twice_is_an_error() {
    let err = users(json!({ "userName": "a", "USERNAME": "b" })).unwrap_err();
    assert!(matches!(err, Error::InvalidSyntax { .. }));
}

#[test]
fn canonical_only_values_are_enforced_and_respelled() {
    let registry = Registry::standard();
    let groups = registry.resource_type_schema("Group").unwrap();
    let out = normalize_resource(
        &groups,
        json!({ "displayName": "g", "members": [{ "value": "1", "type": "user", "$ref": null }] }),
        &Compatibility::default(),
    )
    .unwrap();
    assert_eq!(out["members"], json!([{ "value": "1", "type": "User" }]));
    let err = normalize_resource(
        &groups,
        json!({ "displayName": "g", "members": [{ "value": "1", "type": "Robot" }] }),
        &Compatibility::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::InvalidValue { .. }));
}

#[test]
fn date_times_are_checked() {
    let attr = Attribute::date_time("hired");
    let ok =
        normalize_value(&attr, json!("2011-05-13T04:42:34Z"), &Compatibility::default(), "hired");
    assert_eq!(ok.unwrap(), Some(json!("2011-05-13T04:42:34Z")));
    let bad = normalize_value(&attr, json!("yesterday"), &Compatibility::default(), "hired");
    assert!(matches!(bad, Err(Error::InvalidValue { .. })));
}

#[test]
fn numbers_are_coerced_to_their_type() {
    let int = Attribute::integer("n");
    let c = Compatibility::default();
    assert_eq!(normalize_value(&int, json!(5.0), &c, "n").unwrap(), Some(json!(5)));
    assert_eq!(normalize_value(&int, json!("42"), &c, "n").unwrap(), Some(json!(42)));
    assert!(normalize_value(&int, json!(5.5), &c, "n").is_err());
    let dec = Attribute::decimal("d");
    assert_eq!(normalize_value(&dec, json!("1.5"), &c, "d").unwrap(), Some(json!(1.5)));
    assert!(normalize_value(&dec, json!("x"), &c, "d").is_err());
}
