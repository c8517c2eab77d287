//! What a successful PATCH answers: the configured 200 or 204, per resource type, and 200
//! whenever the request asks for attributes.

use scimkit_core::ServiceConfig;
use serde_json::json;

use crate::harness::{Client, patch_op};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// RFC 7644 §3.5.2: "If the "attributes" or "excludedAttributes" query parameter is
/// specified ... the server SHALL return a 200 OK with the resource"; Microsoft's provisioning
/// guidance recommends 204 for Group PATCH, so the choice is per resource type.
#[tokio::test]
async fn patch_answers_200_with_attributes_even_where_204_is_configured() {
    let config = ServiceConfig::default()
        .with_patch_returns_resource(false)
        .with_patch_returns_resource_for("User", true)
        .with_patch_returns_resource_for("Group", false);
    let client = Client::with_config(config);
    let user =
        client.post("/Users", json!({ "schemas": [USER], "userName": "ann" })).await.expect(201);
    let uid = user.body["id"].as_str().unwrap().to_owned();
    let group = client
        .post("/Groups", json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Ops" }))
        .await
        .expect(201);
    let gid = group.body["id"].as_str().unwrap().to_owned();
    let add = |value: &str| {
        patch_op(json!([{ "op": "add", "path": "members", "value": [{ "value": value }] }]))
    };

    let reply = client.patch(&format!("/Groups/{gid}"), add(&uid)).await.expect(204);
    assert!(reply.header("etag").is_some(), "a 204 still carries the new ETag");
    assert!(reply.body.is_null());
    let title = patch_op(json!([{ "op": "replace", "path": "title", "value": "Dr" }]));
    let reply = client.patch(&format!("/Users/{uid}"), title).await.expect(200);
    assert_eq!(reply.body["title"], "Dr", "the per-type setting for User");

    client
        .patch(&format!("/Groups/{gid}"), patch_op(json!([{ "op": "remove", "path": "members" }])))
        .await
        .expect(204);
    let reply =
        client.patch(&format!("/Groups/{gid}?attributes=displayName"), add(&uid)).await.expect(200);
    assert_eq!(reply.body["displayName"], "Ops");
    assert!(reply.body.get("members").is_none(), "projected as asked");
    let reply = client
        .patch(
            &format!("/Groups/{gid}?excludedAttributes=members"),
            patch_op(json!([{ "op": "replace", "path": "displayName", "value": "Ops 2" }])),
        )
        .await
        .expect(200);
    assert_eq!(reply.body["displayName"], "Ops 2");
    assert!(reply.body.get("members").is_none());
}
