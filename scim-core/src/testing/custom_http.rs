//! The suite's check that a resource type and an extension registered at run time are served
//! end to end: routes, discovery, validation, uniqueness, filters, PATCH and the store.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{sender, tenant};
use crate::manager::ResourceManager;
use crate::registry::{Registry, ResourceType, SchemaExtension};
use crate::schema::{Attribute, Schema};
use crate::store::DynResourceStore;

const DEVICE: &str = "urn:example:params:scim:schemas:core:2.0:Device";
const BADGE: &str = "urn:example:params:scim:schemas:extension:badge:2.0:User";

/// A `Device` type at `/Devices` and a badge extension of User, registered at run time.
fn registry() -> Registry {
    let mut registry = Registry::standard();
    let device = Schema::new(
        DEVICE,
        "Device",
        vec![
            Attribute::string("serialNumber").required().case_exact().unique_server(),
            Attribute::string("model"),
            Attribute::boolean("enrolled"),
        ],
    );
    registry.add_schema(device).unwrap();
    registry.add_resource_type(ResourceType::new("Device", "/Devices", DEVICE)).unwrap();
    let badge = Schema::new(
        BADGE,
        "Badge",
        vec![
            Attribute::string("badgeNumber").case_exact().unique_server(),
            Attribute::integer("floor"),
        ],
    );
    registry.add_schema(badge).unwrap();
    registry.add_extension("User", SchemaExtension::optional(BADGE)).unwrap();
    registry
}

/// Over HTTP: discovery lists the new type and schemas; `/Devices` creates (with validation and
/// uniqueness of `serialNumber`), reads, filters, patches and deletes devices; users carry the
/// extension, filtered and patched by its URN.
pub async fn custom_types_over_http(store: Arc<DynResourceStore>) {
    let manager = ResourceManager::builder(store).registry(registry()).build().unwrap();
    let raw = sender(manager, tenant("custom"));
    let send = |method: &str, path: &str, body: Option<Value>| {
        raw(method, path.to_owned(), body.map(|b| b.to_string()))
    };

    let (status, types) = send("GET", "/ResourceTypes", None).await;
    assert_eq!(status, 200);
    let device_type = types["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Device")
        .cloned()
        .unwrap_or_else(|| panic!("no Device in {types}"));
    assert_eq!(device_type["endpoint"], "/Devices");
    assert_eq!(device_type["schema"], DEVICE);
    let (status, schema) = send("GET", &format!("/Schemas/{DEVICE}"), None).await;
    assert_eq!(status, 200, "{schema}");
    let (status, _) = send("GET", &format!("/Schemas/{BADGE}"), None).await;
    assert_eq!(status, 200);

    let device = |serial: &str, model: &str| json!({ "schemas": [DEVICE], "serialNumber": serial, "model": model, "enrolled": true });
    let (status, created) = send("POST", "/Devices", Some(device("SN-1", "Laptop 14"))).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["meta"]["resourceType"], "Device");
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(created["meta"]["location"].as_str().unwrap().ends_with(&format!("/Devices/{id}")));
    let (status, _) = send("POST", "/Devices", Some(device("SN-2", "Phone"))).await;
    assert_eq!(status, 201);
    let (status, dup) = send("POST", "/Devices", Some(device("SN-1", "Other"))).await;
    assert_eq!(status, 409, "{dup}");
    let (status, bad) =
        send("POST", "/Devices", Some(json!({ "schemas": [DEVICE], "model": "x" }))).await;
    assert_eq!(status, 400, "serialNumber is required: {bad}");
    let (status, bad) = send(
        "POST",
        "/Devices",
        Some(json!({ "schemas": [DEVICE], "serialNumber": "SN-3", "enrolled": "maybe" })),
    )
    .await;
    assert_eq!(status, 400, "enrolled is a boolean: {bad}");

    for (filter, expected) in [
        ("serialNumber%20eq%20%22SN-1%22", 1),
        ("serialNumber%20eq%20%22sn-1%22", 0),
        ("model%20co%20%22laptop%22", 1),
        ("enrolled%20eq%20true", 2),
    ] {
        let (status, found) = send("GET", &format!("/Devices?filter={filter}"), None).await;
        assert_eq!(status, 200, "{filter}: {found}");
        assert_eq!(found["totalResults"], expected, "{filter}: {found}");
    }
    let patch = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "replace", "path": "model", "value": "Laptop 16" }],
    });
    let (status, patched) = send("PATCH", &format!("/Devices/{id}"), Some(patch)).await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["model"], "Laptop 16");
    let (_, laptops) = send("GET", "/Devices?filter=model%20eq%20%22Laptop%2016%22", None).await;
    assert_eq!(laptops["totalResults"], 1);

    // The extension on users.
    let user = |name: &str, badge: &str| {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", BADGE],
            "userName": name,
            BADGE: { "badgeNumber": badge, "floor": 3 },
        })
    };
    let (status, ann) = send("POST", "/Users", Some(user("ann", "B-7"))).await;
    assert_eq!(status, 201, "{ann}");
    assert_eq!(ann[BADGE]["badgeNumber"], "B-7");
    let (status, dup) = send("POST", "/Users", Some(user("bob", "B-7"))).await;
    assert_eq!(status, 409, "badgeNumber is unique: {dup}");
    let filter = format!("{BADGE}:badgeNumber eq \"B-7\"").replace(' ', "%20").replace('"', "%22");
    let (_, found) = send("GET", &format!("/Users?filter={filter}"), None).await;
    assert_eq!(found["totalResults"], 1, "{found}");
    let patch = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "replace", "path": format!("{BADGE}:floor"), "value": 5 }],
    });
    let ann_id = ann["id"].as_str().unwrap();
    let (status, patched) = send("PATCH", &format!("/Users/{ann_id}"), Some(patch)).await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched[BADGE]["floor"], 5);

    let (status, _) = send("DELETE", &format!("/Devices/{id}"), None).await;
    assert_eq!(status, 204);
    let (status, _) = send("GET", &format!("/Devices/{id}"), None).await;
    assert_eq!(status, 404);
}
