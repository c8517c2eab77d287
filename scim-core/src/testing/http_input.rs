//! The suite's check of input some stores cannot hold, sent through the protocol service:
//! every store must answer it alike, with a 4xx, never a 500.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{service_for, tenant};
use crate::config::Limits;
use crate::store::DynResourceStore;

/// NUL characters (`\u0000` in JSON, `%00` in a URL) in a body, a PATCH value, a filter, a
/// `.search` body and an id: PostgreSQL refuses NUL in text and jsonb, so without a check
/// before the store these are 500s there and 2xx elsewhere. Every store answers 400 (404 for
/// an id), and the stored data is unchanged.
pub async fn nul_characters_over_http(store: Arc<DynResourceStore>) {
    let send = service_for(store, tenant("nul"), Limits::default());
    let user = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann"}"#;
    let (status, created) = send("POST", "/Users".to_owned(), Some(user.to_owned())).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let bad_user =
        r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"b\u0000b"}"#;
    let bad_patch = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations":[{"op":"replace","path":"title","value":"x\u0000"}]}"#;
    let bad_search = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter":"userName eq \"a\u0000\""}"#;
    let cases = [
        ("POST", "/Users".to_owned(), Some(bad_user.to_owned()), 400),
        ("PATCH", format!("/Users/{id}"), Some(bad_patch.to_owned()), 400),
        ("PUT", format!("/Users/{id}"), Some(bad_user.replace("b\\u0000b", "ann\\u0000")), 400),
        ("POST", "/Users/.search".to_owned(), Some(bad_search.to_owned()), 400),
        ("GET", "/Users?filter=userName%20eq%20%22a%00%22".to_owned(), None, 400),
        ("GET", "/Users?filter=title%20co%20%22%00%22".to_owned(), None, 400),
        ("GET", "/Users/a%00b".to_owned(), None, 404),
        ("DELETE", "/Users/a%00b".to_owned(), None, 404),
    ];
    for (method, path, body, expected) in cases {
        let (status, reply) = send(method, path.clone(), body).await;
        assert_eq!(status, expected, "{method} {path}: {reply}");
        assert_eq!(reply["schemas"], json!(["urn:ietf:params:scim:api:messages:2.0:Error"]));
    }
    let (status, stored) = send("GET", format!("/Users/{id}"), None).await;
    assert_eq!(status, 200);
    assert!(stored.get("title").is_none(), "nothing was written: {stored}");
    let (_, list) = send("GET", "/Users".to_owned(), None).await;
    assert_eq!(list["totalResults"], 1);
}

/// Values of unique and indexed attributes and Group member values of every length: up to
/// [`Limits::max_key_bytes`] they are kept (201), past it refused (400 `invalidValue`) on every
/// store alike, and nothing is written. With the limit lifted, a store answers each length
/// with a 201 or a 400 (PostgreSQL cannot index a value past about 2.7 KB), never a 500.
pub async fn long_key_values_over_http(store: Arc<DynResourceStore>) {
    let limit = Limits::default().max_key_bytes;
    let send = service_for(store.clone(), tenant("long"), Limits::default());
    let user = |name: &str, external_id: &str| {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": name,
            "externalId": external_id,
        })
        .to_string()
    };
    let at_limit = "u".repeat(limit);
    let (status, created) = send("POST", "/Users".to_owned(), Some(user(&at_limit, "e"))).await;
    assert_eq!(status, 201, "a userName of {limit} bytes: {created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let long = "x".repeat(limit + 1);
    let huge = "y".repeat(3000);
    let patch = |path: &str, value: Value| {
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{ "op": "replace", "path": path, "value": value }],
        })
        .to_string()
    };
    let group = |name: &str, member: &str| {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": name,
            "members": [{ "value": member }],
        })
        .to_string()
    };
    let cases = [
        ("POST", "/Users".to_owned(), user(&long, "e2")),
        ("POST", "/Users".to_owned(), user("short", &huge)),
        ("PUT", format!("/Users/{id}"), user(&huge, "e")),
        ("PATCH", format!("/Users/{id}"), patch("userName", json!(long))),
        ("PATCH", format!("/Users/{id}"), patch("externalId", json!(huge))),
        ("POST", "/Groups".to_owned(), group(&huge, &id)),
        ("POST", "/Groups".to_owned(), group("staff", &huge)),
    ];
    for (method, path, body) in cases {
        let (status, reply) = send(method, path.clone(), Some(body)).await;
        assert_eq!(status, 400, "{method} {path}: {reply}");
        assert_eq!(reply["scimType"], "invalidValue", "{method} {path}: {reply}");
    }
    let (status, kept) = send("GET", format!("/Users/{id}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(kept["userName"], json!(at_limit));
    assert_eq!(kept["externalId"], "e");
    let (_, users) = send("GET", "/Users".to_owned(), None).await;
    assert_eq!(users["totalResults"], 1);
    let (_, groups) = send("GET", "/Groups".to_owned(), None).await;
    assert_eq!(groups["totalResults"], 0);

    // No limit in the library: the store's own answer, which must not be a 500.
    let lifted = Limits::default().with_max_key_bytes(usize::MAX);
    let send = service_for(store, tenant("long-lifted"), lifted);
    for length in [2_000, 3_000, 10_000, 100_000] {
        let name = incompressible(length);
        let (status, reply) = send("POST", "/Users".to_owned(), Some(user(&name, "e"))).await;
        assert!(matches!(status, 201 | 400), "a userName of {length} bytes: {status} {reply}");
        let (status, reply) = send("POST", "/Groups".to_owned(), Some(group("g", &name))).await;
        assert!(matches!(status, 201 | 400), "a member of {length} bytes: {status} {reply}");
        if status == 201 {
            let gid = reply["id"].as_str().unwrap();
            let (deleted, _) = send("DELETE", format!("/Groups/{gid}"), None).await;
            assert_eq!(deleted, 204);
        }
    }
}

/// `length` pseudo-random ASCII letters: a value a database cannot compress to fit an index
/// entry.
fn incompressible(length: usize) -> String {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15 ^ length as u64;
    (0..length)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect()
}
