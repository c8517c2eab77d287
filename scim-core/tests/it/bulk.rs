//! Bulk requests (RFC 7644 §3.7) whose operations break the protocol's rules.

use serde_json::json;

use crate::harness::Client;

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const BULK: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

/// An operation's `version` is an entity tag (RFC 7644 §3.7: "version ... the current
/// resource version", compared as in §3.14). One that is not must fail the operation with
/// 400 and change nothing, never run without a precondition.
#[tokio::test]
async fn an_operation_version_that_is_not_an_entity_tag_fails_and_changes_nothing() {
    let client = Client::new();
    let created =
        client.post("/Users", json!({ "schemas": [USER], "userName": "ann" })).await.expect(201);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let bulk = json!({
        "schemas": [BULK],
        "Operations": [
            { "method": "DELETE", "path": format!("/Users/{id}"), "version": "999" },
            { "method": "PUT", "path": format!("/Users/{id}"), "version": "nonsense",
              "data": { "schemas": [USER], "userName": "ann", "title": "Dr" } }
        ]
    });
    let reply = client.post("/Bulk", bulk).await.expect(200);
    for op in reply.body["Operations"].as_array().unwrap() {
        assert_eq!(op["status"], "400", "{op}");
        assert_eq!(op["response"]["scimType"], "invalidValue", "{op}");
    }
    let stored = client.stored(&format!("/Users/{id}")).await;
    assert!(stored.get("title").is_none(), "nothing changed: {stored}");
    // A real entity tag still works, and `*` asks for no precondition.
    let etag = created.header("etag").unwrap().to_owned();
    let bulk = json!({
        "schemas": [BULK],
        "Operations": [
            { "method": "PATCH", "path": format!("/Users/{id}"), "version": etag,
              "data": { "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{ "op": "add", "path": "title", "value": "Dr" }] } },
            { "method": "DELETE", "path": format!("/Users/{id}"), "version": "*" }
        ]
    });
    let reply = client.post("/Bulk", bulk).await.expect(200);
    let statuses: Vec<&str> = reply.body["Operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|op| op["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["200", "204"]);
}

/// A `bulkId` names one operation's resource (RFC 7644 §3.7: "a transient identifier ...
/// unique within the request"); a request that repeats one is refused whole with 400
/// `invalidValue`, before anything runs.
#[tokio::test]
async fn a_repeated_bulk_id_is_refused_before_anything_runs() {
    let client = Client::new();
    let bulk = json!({
        "schemas": [BULK],
        "Operations": [
            { "method": "POST", "path": "/Users", "bulkId": "a", "data": { "schemas": [USER], "userName": "one" } },
            { "method": "POST", "path": "/Users", "bulkId": "a", "data": { "schemas": [USER], "userName": "two" } }
        ]
    });
    let reply = client.post("/Bulk", bulk).await.expect(400);
    assert_eq!(reply.body["scimType"], "invalidValue");
    let listed = client.get("/Users").await.expect(200);
    assert_eq!(listed.body["totalResults"], 0, "no operation ran");
}

/// A thousand POSTs, each referring to the one after it, so that they must run in reverse: a
/// request at the operation limit whose references chain as badly as they can. Each
/// operation's references are read once and each POST releases only the one waiting for it,
/// so the request runs in one pass (rescanning every pending operation per round was a
/// million scans of the body).
#[tokio::test]
async fn a_chain_of_references_at_the_operation_limit_runs_in_one_pass() {
    const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
    let client = Client::new();
    let padding = "x".repeat(200);
    let operations: Vec<_> = (0..1000)
        .map(|n| {
            let members = if n < 999 {
                json!([{ "value": format!("bulkId:g{}", n + 1) }])
            } else {
                json!([])
            };
            json!({ "method": "POST", "path": "/Groups", "bulkId": format!("g{n}"),
                    "data": { "schemas": [GROUP], "displayName": format!("g{n} {padding}"),
                              "members": members } })
        })
        .collect();
    let reply = client.post("/Bulk", json!({ "schemas": [BULK], "Operations": operations })).await;
    let reply = reply.expect(200);
    let results = reply.body["Operations"].as_array().unwrap();
    assert_eq!(results.len(), 1000);
    let ids: Vec<String> = results
        .iter()
        .map(|op| {
            assert_eq!(op["status"], "201", "{op}");
            op["location"].as_str().unwrap().rsplit('/').next().unwrap().to_owned()
        })
        .collect();
    for n in [0, 500, 998] {
        let group = client.stored(&format!("/Groups/{}", ids[n])).await;
        assert_eq!(group["members"][0]["value"], ids[n + 1].as_str(), "g{n}");
    }
}
