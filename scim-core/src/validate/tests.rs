use serde_json::{Value, json};

use super::*;
use crate::compat::Compatibility;
use crate::normalize::normalize_resource;
use crate::registry::Registry;

fn check(resource_type: &str, body: Value) -> Result<()> {
    let registry = Registry::standard();
    let schema = registry.resource_type_schema(resource_type).unwrap();
    let resource = normalize_resource(&schema, body, &Compatibility::default())?;
    validate_resource(&schema, &resource)
}

#[test]
fn required_attributes() {
    assert!(check("User", json!({ "userName": "ann" })).is_ok());
    let err = check("User", json!({ "displayName": "Ann" })).unwrap_err();
    assert_eq!(err.to_string(), "invalid value: userName is required");
    let err = check("Group", json!({ "members": [] })).unwrap_err();
    assert!(err.to_string().contains("displayName is required"));
}

#[test]
fn at_most_one_primary() {
    let two = json!({ "userName": "a", "emails": [
        { "value": "a@x", "primary": true }, { "value": "b@x", "primary": "True" }
    ]});
    let err = check("User", two).unwrap_err();
    assert!(matches!(err, Error::InvalidValue { .. }), "{err}");
    let one = json!({ "userName": "a", "emails": [
        { "value": "a@x", "primary": true }, { "value": "b@x", "primary": false }
    ]});
    assert!(check("User", one).is_ok());
}

#[test]
fn required_extension() {
    let mut registry = Registry::standard();
    let ext = crate::schema::urn::SCHEMA_ENTERPRISE_USER;
    let mut rt = registry.resource_type("User").unwrap().clone();
    rt.schema_extensions[0].required = true;
    rt.name = "Employee".into();
    rt.id = "Employee".into();
    rt.endpoint = "/Employees".into();
    registry.add_resource_type(rt).unwrap();
    let schema = registry.resource_type_schema("Employee").unwrap();
    let c = Compatibility::default();
    let without = normalize_resource(&schema, json!({ "userName": "a" }), &c).unwrap();
    assert!(validate_resource(&schema, &without).is_err());
    let with =
        normalize_resource(&schema, json!({ "userName": "a", ext: { "department": "x" } }), &c)
            .unwrap();
    assert!(validate_resource(&schema, &with).is_ok());
}

#[test]
fn replace_keeps_read_only_and_write_only_values() {
    let registry = Registry::standard();
    let users = registry.resource_type_schema("User").unwrap();
    let existing = json!({
        "schemas": [crate::schema::urn::SCHEMA_USER],
        "id": "1", "userName": "ann", "password": "pw", "title": "old",
        "meta": { "resourceType": "User" }, "groups": [{ "value": "g" }]
    });
    let body = normalize_resource(
        &users,
        json!({ "id": "2", "userName": "ann", "groups": [], "meta": {} }),
        &Compatibility::default(),
    )
    .unwrap();
    let merged = merge_replace(&users, existing.as_object().unwrap(), body).unwrap();
    assert_eq!(
        Value::Object(merged),
        json!({
            "schemas": [crate::schema::urn::SCHEMA_USER],
            "id": "1", "userName": "ann", "password": "pw",
            "meta": { "resourceType": "User" }, "groups": [{ "value": "g" }]
        })
    );
}

#[test]
fn replace_cannot_change_immutable_values() {
    let mut registry = Registry::standard();
    let device = crate::schema::Schema::new(
        "urn:example:Device",
        "Device",
        vec![
            crate::schema::Attribute::string("serial").immutable(),
            crate::schema::Attribute::string("label"),
        ],
    );
    registry.add_schema(device).unwrap();
    registry
        .add_resource_type(crate::registry::ResourceType::new(
            "Device",
            "/Devices",
            "urn:example:Device",
        ))
        .unwrap();
    let devices = registry.resource_type_schema("Device").unwrap();
    let c = Compatibility::default();
    let existing = json!({ "id": "1", "serial": "S1", "label": "a" });
    let existing = existing.as_object().unwrap();
    let same = normalize_resource(&devices, json!({ "serial": "S1", "label": "b" }), &c).unwrap();
    assert!(merge_replace(&devices, existing, same).is_ok());
    let kept = normalize_resource(&devices, json!({ "label": "b" }), &c).unwrap();
    assert_eq!(merge_replace(&devices, existing, kept).unwrap()["serial"], "S1");
    let changed = normalize_resource(&devices, json!({ "serial": "S2" }), &c).unwrap();
    let err = merge_replace(&devices, existing, changed).unwrap_err();
    assert!(matches!(err, Error::Mutability { .. }));
}
