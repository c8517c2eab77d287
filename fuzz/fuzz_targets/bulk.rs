//! Bulk requests built from the input: creates, replaces, patches and deletes of users and
//! groups that refer to each other by `bulkId` (forward, backward, circular, unknown), with and
//! without `version`, and `failOnErrors`. No panic, no 5xx for the request or any operation,
//! at most one result per operation, and afterwards every group lists only members that exist.
//!
//! The input is read four bytes per operation: method, target, `bulkId`, data. An input whose
//! first byte is `{` is sent as the raw body instead.

#![no_main]

#[path = "support.rs"]
mod support;

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use scimkit_core::ResourceManager;
use scimkit_core::http::{BearerTokens, Principal, ScimService};
use scimkit_store_memory::InMemoryStore;
use serde_json::{Value, json};

use support::ready;

fn send(service: &ScimService, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let request = http::Request::builder()
        .method(method)
        .uri(format!("/scim/v2{path}"))
        .header("Authorization", "Bearer t")
        .header("Content-Type", "application/scim+json")
        .body(body.map(|b| b.to_string().into_bytes()).unwrap_or_default())
        .expect("request");
    let response = ready(service.handle(request));
    let status = response.status().as_u16();
    let body = if response.body().is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(response.body()).expect("a JSON body")
    };
    (status, body)
}

/// One operation from four bytes.
fn operation(bytes: &[u8], existing: &str) -> Value {
    let [method, target, bulk_id, data] = [bytes[0], bytes[1], bytes[2], bytes[3]];
    let method = ["POST", "PUT", "PATCH", "DELETE"][usize::from(method % 4)];
    let reference = |n: u8| format!("bulkId:b{}", n % 8);
    let is_group = target & 1 == 1;
    let endpoint = if is_group { "/Groups" } else { "/Users" };
    let path = match (method, target >> 1 & 3) {
        ("POST", _) => endpoint.to_owned(),
        (_, 0) => format!("{endpoint}/{}", reference(target >> 3)),
        (_, 1) => format!("{endpoint}/{existing}"),
        (_, 2) => format!("{endpoint}/no-such-id"),
        _ => format!("{endpoint}/bulkId:"),
    };
    let member = match data >> 6 {
        0 => reference(data),
        1 => existing.to_owned(),
        2 => "no-such-id".to_owned(),
        _ => reference(bulk_id),
    };
    let value = match (method, is_group) {
        ("PATCH", _) => json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [if data & 1 == 0 {
                json!({ "op": "add", "path": "members", "value": [{ "value": member }] })
            } else {
                json!({ "op": "replace", "path": "displayName", "value": format!("n{}", data % 5) })
            }],
        }),
        (_, true) => json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": format!("g{}", data % 5),
            "members": [{ "value": member }],
        }),
        (_, false) => json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": format!("u{}", data % 7),
        }),
    };
    let mut op = json!({ "method": method, "path": path });
    if method == "POST" || bulk_id & 0x80 != 0 {
        op["bulkId"] = json!(format!("b{}", bulk_id % 8));
    }
    if method != "DELETE" {
        op["data"] = value;
    }
    match bulk_id >> 4 & 7 {
        1 => op["version"] = json!("W/\"1\""),
        2 => op["version"] = json!("999"),
        _ => {}
    }
    op
}

fuzz_target!(|data: &[u8]| {
    let manager =
        ResourceManager::builder(Arc::new(InMemoryStore::new())).build().expect("manager");
    let tokens = BearerTokens::new().with_token("t", Principal::new("fuzz", "fuzz"));
    let service = ScimService::builder(manager, tokens).base_path("/scim/v2").build();
    let (status, user) = send(&service, "POST", "/Users", Some(&json!({ "userName": "seed" })));
    assert_eq!(status, 201);
    let existing = user["id"].as_str().expect("an id").to_owned();

    let (body, operations) = if data.first() == Some(&b'{') {
        let Ok(body) = serde_json::from_slice::<Value>(data) else { return };
        let count = body["Operations"].as_array().map_or(0, Vec::len);
        (body, count)
    } else {
        let Some((&flags, rest)) = data.split_first() else { return };
        let ops: Vec<Value> = rest.chunks_exact(4).map(|c| operation(c, &existing)).collect();
        let mut body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
            "Operations": ops,
        });
        if flags & 1 == 1 {
            body["failOnErrors"] = json!(1 + flags / 2 % 4);
        }
        let count = rest.len() / 4;
        (body, count)
    };
    let (status, reply) = send(&service, "POST", "/Bulk", Some(&body));
    assert!(status < 500, "Bulk answered {status}: {reply}");
    if let Some(results) = reply["Operations"].as_array() {
        assert!(
            results.len() <= operations,
            "{} results for {operations} operations",
            results.len()
        );
        for result in results {
            let code: u16 =
                result["status"].as_str().and_then(|s| s.parse().ok()).expect("a status");
            assert!(code < 500, "an operation answered {code}: {result}");
        }
    }

    // Every group lists only members that exist.
    let (_, groups) = send(&service, "GET", "/Groups?count=1000", None);
    for group in groups["Resources"].as_array().into_iter().flatten() {
        for member in group["members"].as_array().into_iter().flatten() {
            let id = member["value"].as_str().expect("a member id");
            let found = ["/Users", "/Groups"]
                .iter()
                .any(|endpoint| send(&service, "GET", &format!("{endpoint}/{id}"), None).0 == 200);
            assert!(found, "a group lists {id}, which does not exist: {group}");
        }
    }
});
