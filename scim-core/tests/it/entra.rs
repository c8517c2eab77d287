//! Microsoft Entra ID's provisioning flows, request by request as Entra sends them, with the
//! stored state asserted after each step.

use serde_json::json;

use crate::harness::{BASE, Client, patch_op};

const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The body Entra sends to create a user with the mapping of a typical SaaS app.
fn entra_user(upn: &str) -> serde_json::Value {
    json!({
        "schemas": [CORE, ENTERPRISE],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7b2e3c5c1a11",
        "userName": upn,
        "active": true,
        "displayName": "Ann Lee",
        "emails": [{ "primary": true, "type": "work", "value": upn }],
        "meta": { "resourceType": "User" },
        "name": { "formatted": "Ann Lee", "familyName": "Lee", "givenName": "Ann" },
        "roles": [],
        "title": null,
        ENTERPRISE: { "department": "Engineering" }
    })
}

#[tokio::test]
async fn test_connection_with_a_random_guid_is_an_empty_list() {
    let client = Client::new();
    let reply = client
        .get("/Users?filter=userName+eq+%22c2f5a7a3-59c3-4d0b-8d58-0e0e6e6e6e6e%22")
        .await
        .expect(200);
    assert_eq!(
        reply.body,
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 0, "itemsPerPage": 0, "startIndex": 1, "Resources": []
        })
    );
    let reply = client
        .get("/Groups?excludedAttributes=members&filter=displayName+eq+%2250d1e6b4-0000-4a5b-9d7e-123456789abc%22")
        .await
        .expect(200);
    assert_eq!(reply.body["totalResults"], 0);
}

#[tokio::test]
async fn user_cycle_with_the_saas_attribute_mapping() {
    let client = Client::new();
    let upn = "ann.lee@contoso.com";

    // Match by userName: nothing yet, so Entra creates.
    let reply =
        client.get("/Users?filter=userName+eq+%22ann.lee%40contoso.com%22").await.expect(200);
    assert_eq!(reply.body["totalResults"], 0);
    let created = client.post("/Users", entra_user(upn)).await.expect(201);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let location = format!("{BASE}/Users/{id}");
    assert_eq!(created.header("location"), Some(location.as_str()));
    assert_eq!(created.body["meta"]["location"], location);
    assert_eq!(created.header("etag"), created.body["meta"]["version"].as_str());
    assert_eq!(
        created.body,
        json!({
            "schemas": [CORE, ENTERPRISE],
            "id": id,
            "externalId": "0a21f0f2-8d2a-4f8e-bf98-7b2e3c5c1a11",
            "userName": upn,
            "active": true,
            "displayName": "Ann Lee",
            "emails": [{ "primary": true, "type": "work", "value": upn }],
            "name": { "formatted": "Ann Lee", "familyName": "Lee", "givenName": "Ann" },
            ENTERPRISE: { "department": "Engineering" },
            "meta": {
                "resourceType": "User",
                "created": "2023-11-14T22:13:20.000Z",
                "lastModified": "2023-11-14T22:13:20.000Z",
                "location": location,
                "version": created.body["meta"]["version"],
            }
        })
    );

    // The next cycle matches, case-insensitively, and by externalId too.
    let reply =
        client.get("/Users?filter=userName+eq+%22ANN.LEE%40CONTOSO.COM%22").await.expect(200);
    assert_eq!(reply.body["totalResults"], 1);
    assert_eq!(reply.body["Resources"][0]["id"], id);
    let reply = client
        .get("/Users?filter=externalId%20eq%20%220a21f0f2-8d2a-4f8e-bf98-7b2e3c5c1a11%22")
        .await
        .expect(200);
    assert_eq!(reply.body["totalResults"], 1);
    let path = format!("/Users/{id}");

    // Attribute sync, with Entra's capitalised ops and string booleans.
    let reply = client
        .patch(
            &path,
            patch_op(json!([
                { "op": "Replace", "path": "emails[type eq \"work\"].value", "value": "ann@contoso.com" },
                { "op": "Replace", "path": "name.familyName", "value": "Lee-Smith" },
                { "op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Sales" },
                { "op": "Replace", "path": "externalId", "value": "ext-2" },
                { "op": "Replace", "path": "active", "value": "False" }
            ])),
        )
        .await
        .expect(200);
    let user = client.stored(&path).await;
    assert_eq!(reply.body, user, "PATCH answers with the resource");
    assert_eq!(
        user["emails"],
        json!([{ "primary": true, "type": "work", "value": "ann@contoso.com" }])
    );
    assert_eq!(user["name"]["familyName"], "Lee-Smith");
    assert_eq!(user[ENTERPRISE]["department"], "Sales");
    assert_eq!(user["externalId"], "ext-2");
    assert_eq!(user["active"], false, "\"False\" is stored as a boolean");

    // Path-less replace whose keys are paths.
    client
        .patch(
            &path,
            patch_op(json!([{ "op": "Replace", "value": {
                "name.givenName": "Annie",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Marketing",
                "active": "True"
            }}])),
        )
        .await
        .expect(200);
    let user = client.stored(&path).await;
    assert_eq!(user["name"]["givenName"], "Annie");
    assert_eq!(user[ENTERPRISE]["department"], "Marketing");
    assert_eq!(user["active"], true);
    assert!(user.get("name.givenName").is_none(), "a path key is never stored literally");

    // Filtered sub-attribute paths create the entry when absent; several adds fill one entry.
    client
        .patch(
            &path,
            patch_op(json!([
                { "op": "Add", "path": "addresses[type eq \"work\"].streetAddress", "value": "1 Main St" },
                { "op": "Add", "path": "addresses[type eq \"work\"].locality", "value": "Redmond" },
                { "op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 555 0100" }
            ])),
        )
        .await
        .expect(200);
    let user = client.stored(&path).await;
    assert_eq!(
        user["addresses"],
        json!([{ "type": "work", "streetAddress": "1 Main St", "locality": "Redmond" }])
    );
    assert_eq!(user["phoneNumbers"], json!([{ "type": "mobile", "value": "+1 555 0100" }]));

    // The manager, in both shapes Entra sends.
    let manager = client.post("/Users", entra_user("boss@contoso.com")).await.expect(201);
    let boss = manager.body["id"].as_str().unwrap();
    for value in [json!({ "value": boss }), json!(boss)] {
        client
            .patch(
                &path,
                patch_op(json!([{ "op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": value }])),
            )
            .await
            .expect(200);
        assert_eq!(client.stored(&path).await[ENTERPRISE]["manager"], json!({ "value": boss }));
    }
    client
        .patch(
            &path,
            patch_op(json!([{ "op": "Remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager" }])),
        )
        .await
        .expect(200);
    assert!(client.stored(&path).await[ENTERPRISE].get("manager").is_none());

    // A multi-op request is atomic: the failing last op leaves everything unchanged.
    let before = client.get(&path).await.expect(200);
    let failed = client
        .patch(
            &path,
            patch_op(json!([
                { "op": "Replace", "path": "displayName", "value": "Changed" },
                { "op": "Replace", "path": "emails[type eq \"work\"", "value": "x" }
            ])),
        )
        .await
        .expect(400);
    assert_eq!(failed.body["scimType"], "invalidPath");
    assert_eq!(failed.body["status"], "400");
    let after = client.get(&path).await.expect(200);
    assert_eq!(after.body, before.body);
    assert_eq!(after.header("etag"), before.header("etag"));

    // A PATCH that changes nothing keeps the version.
    let same = client
        .patch(&path, patch_op(json!([{ "op": "Replace", "path": "active", "value": true }])))
        .await
        .expect(200);
    assert_eq!(same.header("etag"), before.header("etag"));

    // Soft deprovisioning: the user is still there and still found.
    client
        .patch(&path, patch_op(json!([{ "op": "Replace", "path": "active", "value": "False" }])))
        .await
        .expect(200);
    assert_eq!(client.stored(&path).await["active"], false);
    let found =
        client.get("/Users?filter=userName+eq+%22ann.lee%40contoso.com%22").await.expect(200);
    assert_eq!(found.body["totalResults"], 1);

    // Hard deprovisioning.
    let deleted = client.delete(&path).await.expect(204);
    assert!(deleted.body.is_null());
    let gone = client.get(&path).await.expect(404);
    assert_eq!(gone.body["status"], "404");
    assert_eq!(gone.body["schemas"], json!(["urn:ietf:params:scim:api:messages:2.0:Error"]));
}

#[tokio::test]
async fn group_cycle() {
    let client = Client::new();
    let u1 =
        client.post("/Users", entra_user("u1@contoso.com")).await.expect(201).body["id"].clone();
    let u2 =
        client.post("/Users", entra_user("u2@contoso.com")).await.expect(201).body["id"].clone();

    let created = client
        .post(
            "/Groups",
            json!({
                "schemas": [
                    "urn:ietf:params:scim:schemas:core:2.0:Group",
                    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
                ],
                "displayName": "Sales",
                "externalId": "8c5b7e1e-0000-4f6f-a2b2-111111111111",
                "members": []
            }),
        )
        .await
        .expect(201);
    let gid = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/Groups/{gid}");
    assert_eq!(created.body["schemas"], json!(["urn:ietf:params:scim:schemas:core:2.0:Group"]));
    assert!(created.body.get("members").is_none());

    // Add members with `$ref: null`; re-adding is a no-op that keeps the version.
    let added = client
        .patch(&path, patch_op(json!([{ "op": "Add", "path": "members", "value": [{ "value": u1, "$ref": null }] }])))
        .await
        .expect(200);
    assert_eq!(added.body["members"], json!([{ "value": u1 }]));
    let again = client
        .patch(&path, patch_op(json!([{ "op": "Add", "path": "members", "value": [{ "value": u1, "$ref": null }] }])))
        .await
        .expect(200);
    assert_eq!(again.header("etag"), added.header("etag"));
    client
        .patch(
            &path,
            patch_op(json!([{ "op": "Add", "path": "members", "value": [{ "value": u2 }] }])),
        )
        .await
        .expect(200);
    assert_eq!(client.stored(&path).await["members"], json!([{ "value": u1 }, { "value": u2 }]));

    // Membership shows on the user.
    let user = client.stored(&format!("/Users/{}", u1.as_str().unwrap())).await;
    assert_eq!(
        user["groups"],
        json!([{ "value": gid, "display": "Sales", "type": "direct", "$ref": format!("{BASE}/Groups/{gid}") }])
    );

    // Both removal forms, and removing a non-member succeeds.
    client
        .patch(
            &path,
            patch_op(json!([{ "op": "Remove", "path": "members", "value": [{ "value": u1 }] }])),
        )
        .await
        .expect(200);
    assert_eq!(client.stored(&path).await["members"], json!([{ "value": u2 }]));
    client
        .patch(&path, patch_op(json!([{ "op": "remove", "path": format!("members[value eq \"{}\"]", u2.as_str().unwrap()) }])))
        .await
        .expect(200);
    assert!(client.stored(&path).await.get("members").is_none());
    client
        .patch(
            &path,
            patch_op(json!([{ "op": "Remove", "path": "members", "value": [{ "value": u1 }] }])),
        )
        .await
        .expect(200);

    // Rename, then a duplicate name is refused.
    client
        .patch(
            &path,
            patch_op(json!([{ "op": "Replace", "path": "displayName", "value": "Sales EMEA" }])),
        )
        .await
        .expect(200);
    assert_eq!(client.stored(&path).await["displayName"], "Sales EMEA");
    let dup = client
        .post("/Groups", json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "sales emea" }))
        .await
        .expect(409);
    assert_eq!(dup.body["scimType"], "uniqueness");

    // excludedAttributes=members, as Entra lists groups.
    client
        .patch(
            &path,
            patch_op(json!([{ "op": "Add", "path": "members", "value": [{ "value": u1 }] }])),
        )
        .await
        .expect(200);
    let listed = client
        .get("/Groups?excludedAttributes=members&filter=displayName+eq+%22Sales+EMEA%22")
        .await
        .expect(200);
    assert_eq!(listed.body["totalResults"], 1);
    assert!(listed.body["Resources"][0].get("members").is_none());
    assert_eq!(listed.body["Resources"][0]["displayName"], "Sales EMEA");

    // Delete the group: the user has no groups any more.
    client.delete(&path).await.expect(204);
    client.get(&path).await.expect(404);
    let user = client.stored(&format!("/Users/{}", u1.as_str().unwrap())).await;
    assert!(user.get("groups").is_none());
}

#[tokio::test]
async fn deleting_a_user_removes_it_from_its_groups() {
    let client = Client::new();
    let u1 =
        client.post("/Users", entra_user("u1@contoso.com")).await.expect(201).body["id"].clone();
    let group = client
        .post(
            "/Groups",
            json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "G", "members": [{ "value": u1 }] }),
        )
        .await
        .expect(201);
    let path = format!("/Groups/{}", group.body["id"].as_str().unwrap());
    client.delete(&format!("/Users/{}", u1.as_str().unwrap())).await.expect(204);
    let after = client.get(&path).await.expect(200);
    assert!(after.body.get("members").is_none());
    assert_ne!(after.header("etag"), group.header("etag"), "the group's version changed");
}

/// Entra ID removes a user's manager with a value filter on the single-valued `manager`, bare
/// or URN-prefixed (reported against another SCIM library: thomaspoignant/scim-patch#453,
/// `{ op: 'remove', 'path': 'manager[value eq "manager-id"]'}` from Azure AD), or as a remove
/// listing the manager's value (the form Entra uses for `members`, ssoready/ssoready#182). All
/// three must clear the manager when it matches, and leave another manager alone.
#[tokio::test]
async fn manager_removal_in_every_form_entra_sends() {
    let client = Client::new();
    let created = client.post("/Users", entra_user("ann@example.com")).await.expect(201);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/Users/{id}");
    let set_manager = |manager: &str| {
        patch_op(json!([{
            "op": "Add",
            "path": format!("{ENTERPRISE}:manager"),
            "value": { "value": manager }
        }]))
    };
    let manager_of = |body: &serde_json::Value| body[ENTERPRISE]["manager"].clone();
    let removals = [
        json!([{ "op": "Remove", "path": "manager[value eq \"boss-1\"]" }]),
        json!([{ "op": "Remove", "path": format!("{ENTERPRISE}:manager[value eq \"boss-1\"]") }]),
        json!([{ "op": "Remove", "path": format!("{ENTERPRISE}:manager"), "value": [{ "value": "boss-1" }] }]),
    ];
    for removal in removals {
        client.patch(&path, set_manager("boss-1")).await.expect(200);
        assert_eq!(manager_of(&client.stored(&path).await)["value"], "boss-1");
        // A filter naming another manager removes nothing (and is not an error).
        let other = serde_json::to_string(&removal).unwrap().replace("boss-1", "boss-2");
        let other: serde_json::Value = serde_json::from_str(&other).unwrap();
        client.patch(&path, patch_op(other)).await.expect(200);
        assert_eq!(manager_of(&client.stored(&path).await)["value"], "boss-1", "{removal}");
        client.patch(&path, patch_op(removal.clone())).await.expect(200);
        let stored = client.stored(&path).await;
        assert!(manager_of(&stored).is_null(), "{removal} left {stored}");
        assert_eq!(
            stored[ENTERPRISE]["department"], "Engineering",
            "the rest of the extension stays"
        );
    }
}

/// With the setting off, a value filter on a single-valued attribute is the RFC's
/// `invalidPath`.
#[tokio::test]
async fn strict_compatibility_refuses_a_filter_on_a_single_value() {
    use scimkit_core::{Compatibility, ServiceConfig};
    let strict = Compatibility::default().with_single_value_filter(false);
    let client = Client::with_config(ServiceConfig::default().with_compatibility(strict));
    let created = client.post("/Users", entra_user("bob@example.com")).await.expect(201);
    let path = format!("/Users/{}", created.body["id"].as_str().unwrap());
    let removal = json!([{ "op": "Remove", "path": "manager[value eq \"boss-1\"]" }]);
    let reply = client.patch(&path, patch_op(removal)).await.expect(400);
    assert_eq!(reply.body["scimType"], "invalidPath");
}

/// A multi-valued custom attribute, as an Entra ID attribute mapping with "Multi-Value?"
/// checked provisions it (Microsoft Q&A 1693075, "Why is Entra ID sending 'Add' Operations
/// instead of 'Replace' Operations in PATCH request for multi-value attributes?"): each value
/// wrapped as `{"value": …}`, and every update an `add` of the whole new set, meant as a
/// replace; an `add` of `{}` when nothing changed (reported with Entra's `customappsso` job).
const CUSTOM: &str = "urn:ietf:params:scim:schemas:extension:greenhouse:2.0:User";

fn custom_registry() -> scimkit_core::Registry {
    use scimkit_core::{Attribute, Registry, Schema, SchemaExtension};
    let mut registry = Registry::standard();
    let schema =
        Schema::new(CUSTOM, "Greenhouse", vec![Attribute::string("department_ids").multi_valued()]);
    registry.add_schema(schema).unwrap();
    registry.add_extension("User", SchemaExtension::optional(CUSTOM)).unwrap();
    registry
}

#[tokio::test]
async fn an_add_of_a_multi_valued_custom_attribute_replaces_its_values() {
    let client = Client::with_registry(scimkit_core::ServiceConfig::default(), custom_registry());
    let mut user = entra_user("dee@example.com");
    user["schemas"].as_array_mut().unwrap().push(json!(CUSTOM));
    user[CUSTOM] = json!({ "department_ids": [{ "value": "1" }, { "value": "2" }] });
    let created = client.post("/Users", user).await.expect(201);
    assert_eq!(created.body[CUSTOM]["department_ids"], json!(["1", "2"]));
    let path = format!("/Users/{}", created.body["id"].as_str().unwrap());
    let add = |value: serde_json::Value| {
        patch_op(
            json!([{ "op": "Add", "path": format!("{CUSTOM}:department_ids"), "value": value }]),
        )
    };

    let changed = client.patch(&path, add(json!([{ "value": "3" }]))).await.expect(200);
    assert_eq!(
        changed.body[CUSTOM]["department_ids"],
        json!(["3"]),
        "the new set replaces the old"
    );
    let unchanged = client.patch(&path, add(json!({}))).await.expect(200);
    assert_eq!(unchanged.body[CUSTOM]["department_ids"], json!(["3"]), "{{}} changes nothing");
    assert_eq!(unchanged.header("etag"), changed.header("etag"));

    // Core multi-valued attributes keep the RFC's add, which appends.
    let email = json!([{ "op": "Add", "path": "emails", "value": [{ "value": "d2@example.com", "type": "home" }] }]);
    let appended = client.patch(&path, patch_op(email)).await.expect(200);
    assert_eq!(appended.body["emails"].as_array().unwrap().len(), 2, "{}", appended.body);

    // With the setting off, an add appends, as RFC 7644 §3.5.2.1 says.
    let rfc = scimkit_core::Compatibility::default().with_extension_add_replaces(false);
    let config = scimkit_core::ServiceConfig::default().with_compatibility(rfc);
    let client = Client::with_registry(config, custom_registry());
    let mut user = entra_user("eve@example.com");
    user["schemas"].as_array_mut().unwrap().push(json!(CUSTOM));
    user[CUSTOM] = json!({ "department_ids": ["1"] });
    let created = client.post("/Users", user).await.expect(201);
    let path = format!("/Users/{}", created.body["id"].as_str().unwrap());
    let appended = client.patch(&path, add(json!(["2"]))).await.expect(200);
    assert_eq!(appended.body[CUSTOM]["department_ids"], json!(["1", "2"]));
}
