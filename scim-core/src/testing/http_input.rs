//! The suite's check of input some stores cannot hold, sent through the protocol service:
//! every store must answer it alike, with a 4xx, never a 500.

use std::sync::Arc;

use serde_json::{Value, json};

use super::tenant;
use crate::http::{BearerTokens, Principal, ScimService};
use crate::manager::ResourceManager;
use crate::store::DynResourceStore;

/// NUL characters (`\u0000` in JSON, `%00` in a URL) in a body, a PATCH value, a filter, a
/// `.search` body and an id: PostgreSQL refuses NUL in text and jsonb, so without a check
/// before the store these are 500s there and 2xx elsewhere. Every store answers 400 (404 for
/// an id), and the stored data is unchanged.
pub async fn nul_characters_over_http(store: Arc<DynResourceStore>) {
    let t = tenant("nul");
    let manager = ResourceManager::builder(store).build().unwrap();
    let tokens = BearerTokens::new().with_token("nul-token", Principal::new(&t, "client"));
    let service = ScimService::builder(manager, tokens).base_path("/scim/v2").build();
    let send = |method: &str, path: String, body: Option<String>| {
        let request = http::Request::builder()
            .method(method)
            .uri(format!("/scim/v2{path}"))
            .header("Authorization", "Bearer nul-token")
            .header("Content-Type", "application/scim+json")
            .body(body.unwrap_or_default().into_bytes())
            .unwrap();
        let service = service.clone();
        async move {
            let response = service.handle(request).await;
            let body: Value = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
            (response.status().as_u16(), body)
        }
    };
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
