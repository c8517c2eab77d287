//! The suite's check of events made through the protocol service: every operation kind as
//! real clients send it, Bulk included.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{Value, json};

use super::tenant;
use crate::event::{Event, EventKind};
use crate::http::{BearerTokens, Principal, ScimService};
use crate::manager::ResourceManager;
use crate::store::DynResourceStore;

struct Http {
    service: ScimService,
}

impl Http {
    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value, Option<String>) {
        let request = http::Request::builder()
            .method(method)
            .uri(format!("/scim/v2{path}"))
            .header("Authorization", "Bearer events-token")
            .header("Content-Type", "application/scim+json");
        let bytes = body.map(|b| serde_json::to_vec(&b).unwrap()).unwrap_or_default();
        let response = self.service.handle(request.body(bytes).unwrap()).await;
        let etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
        (response.status().as_u16(), body, etag)
    }
}

fn patch(ops: Value) -> Value {
    json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops })
}

async fn feed(store: &DynResourceStore, tenant: &str, after: usize) -> Vec<Event> {
    let all = store.read_events(tenant, None, 10_000).await.unwrap();
    all.into_iter().skip(after).collect()
}

/// Through [`ScimService`]: POST, Entra's PATCH with `"False"`, Okta's path-less replace, a
/// PUT, a no-op and a failing PATCH, DELETE and a Bulk request each make exactly the events
/// they should, with the versions of their `ETag`s, the principal's name, and one request id
/// per HTTP request (shared by every operation of a Bulk request).
pub async fn events_over_http(store: Arc<DynResourceStore>) {
    let t = tenant("http-events");
    let manager = ResourceManager::builder(store.clone()).build().unwrap();
    let tokens = BearerTokens::new().with_token("events-token", Principal::new(&t, "Entra ID"));
    let http =
        Http { service: ScimService::builder(manager, tokens).base_path("/scim/v2").build() };
    use EventKind::{Activate, Create, Deactivate, Delete, Patch, Put};

    let user = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "ann@example.com", "externalId": "e-ann", "active": true,
        "password": "Pa55-word!"
    });
    let (status, created, etag) = http.send("POST", "/Users", Some(user)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let events = feed(&*store, &t, 0).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kinds, [Create]);
    assert_eq!(events[0].version.as_ref().map(|v| format!("W/\"{v}\"")), etag);
    assert_eq!(events[0].principal.as_deref(), Some("Entra ID"));
    // The default policy drops the password: nothing kept, nothing named in the event.
    assert!(!events[0].attributes.contains(&"password".to_owned()), "{:?}", events[0].attributes);

    // Entra deactivates with a string boolean; Okta with a path-less replace; a PUT activates.
    let entra = patch(json!([{ "op": "Replace", "path": "active", "value": "False" }]));
    let (status, _, off_etag) = http.send("PATCH", &format!("/Users/{id}"), Some(entra)).await;
    assert_eq!(status, 200);
    let okta_on = patch(json!([{ "op": "replace", "value": { "active": true } }]));
    assert_eq!(http.send("PATCH", &format!("/Users/{id}"), Some(okta_on)).await.0, 200);
    let okta_off = patch(json!([{ "op": "replace", "value": { "active": false } }]));
    assert_eq!(http.send("PATCH", &format!("/Users/{id}"), Some(okta_off)).await.0, 200);
    let put = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": id,
        "userName": "ann@example.com", "externalId": "e-ann", "active": true, "title": "Dr"
    });
    assert_eq!(http.send("PUT", &format!("/Users/{id}"), Some(put)).await.0, 200);
    // A no-op and a failure: no events.
    let same = patch(json!([{ "op": "Replace", "path": "title", "value": "Dr" }]));
    assert_eq!(http.send("PATCH", &format!("/Users/{id}"), Some(same)).await.0, 200);
    let bad = patch(json!([{ "op": "Replace", "path": "name[", "value": "x" }]));
    assert_eq!(http.send("PATCH", &format!("/Users/{id}"), Some(bad)).await.0, 400);
    let dup = json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ANN@example.com" });
    assert_eq!(http.send("POST", "/Users", Some(dup)).await.0, 409);

    let events = feed(&*store, &t, 1).await;
    let kinds: Vec<&[EventKind]> = events.iter().map(|e| e.kinds.as_slice()).collect();
    assert_eq!(
        kinds,
        [&[Patch, Deactivate][..], &[Patch, Activate], &[Patch, Deactivate], &[Put, Activate]]
    );
    assert_eq!(events[0].version.as_ref().map(|v| format!("W/\"{v}\"")), off_etag);
    let requests: HashSet<Option<&str>> = events.iter().map(|e| e.request_id.as_deref()).collect();
    assert_eq!(requests.len(), 4, "each HTTP request has its own request id");
    assert!(!requests.contains(&None));

    // A Bulk request: its operations' events share one request id; a failing one makes none.
    let bulk = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        "Operations": [
            { "method": "POST", "path": "/Users", "bulkId": "bob",
              "data": { "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bob" } },
            { "method": "POST", "path": "/Groups", "bulkId": "ops",
              "data": { "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Ops",
                        "members": [{ "value": "bulkId:bob" }, { "value": id }] } },
            { "method": "PATCH", "path": format!("/Users/{id}"),
              "data": patch(json!([{ "op": "add", "path": "nickName", "value": "A" }])) },
            { "method": "PATCH", "path": "/Users/missing",
              "data": patch(json!([{ "op": "add", "path": "nickName", "value": "A" }])) },
            { "method": "DELETE", "path": format!("/Users/{id}") }
        ]
    });
    let (status, body, _) = http.send("POST", "/Bulk", Some(bulk)).await;
    assert_eq!(status, 200, "{body}");
    let statuses: Vec<&str> = body["Operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|op| op["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(statuses, ["201", "201", "200", "404", "204"]);
    let group_id = body["Operations"][1]["location"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .unwrap()
        .to_owned();
    let events = feed(&*store, &t, 5).await;
    let kinds: Vec<&[EventKind]> = events.iter().map(|e| e.kinds.as_slice()).collect();
    assert_eq!(kinds, [&[Create][..], &[Create], &[Patch], &[Delete], &[Patch]], "{events:#?}");
    let requests: HashSet<Option<&str>> = events.iter().map(|e| e.request_id.as_deref()).collect();
    assert_eq!(requests.len(), 1, "a Bulk request is one request");
    assert_eq!(events[1].members_added.len(), 2);
    assert_eq!(events[3].resource_id, id);
    assert_eq!(events[4].resource_id, group_id, "the deletion's cascade into the group");
    assert_eq!(events[4].members_removed, [id.as_str()]);
    assert_eq!(events[4].txn, events[3].txn);

    // The group's remaining member is removed through a DELETE of the group itself.
    assert_eq!(http.send("DELETE", &format!("/Groups/{group_id}"), None).await.0, 204);
    let last = feed(&*store, &t, 10).await;
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].kinds, [Delete]);
    assert_eq!(last[0].resource_type, "Group");
    assert_eq!(last[0].version, None);

    let text = serde_json::to_string(&feed(&*store, &t, 0).await).unwrap();
    assert!(!text.contains("Pa55-word!"), "a password reached the feed");
}
