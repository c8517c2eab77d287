//! The protocol service through `ScimService::handle`, on the in-memory store.

#![allow(clippy::unwrap_used, reason = "test helpers: a failure is a failed test")]

use std::sync::Arc;

use http::{Method, Request, Response, StatusCode, header};
use scimkit_core::ResourceManager;
use scimkit_core::http::{BearerTokens, Principal, SCIM_MEDIA_TYPE, ScimService};

fn service() -> ScimService {
    let store = Arc::new(scimkit_store_memory::InMemoryStore::new());
    let manager = ResourceManager::builder(store).build().unwrap();
    let tokens = BearerTokens::new().with_token("t", Principal::new("acme", "test"));
    ScimService::builder(manager, tokens).base_path("/scim/v2").build()
}

fn run(service: &ScimService, method: Method, uri: &str) -> Response<Vec<u8>> {
    send(service, method, uri, "")
}

fn send(service: &ScimService, method: Method, uri: &str, body: &str) -> Response<Vec<u8>> {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, "Bearer t")
        .header(header::CONTENT_TYPE, SCIM_MEDIA_TYPE)
        .body(body.as_bytes().to_vec())
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(service.handle(request))
}

#[test]
fn head_is_allowed_wherever_get_is() {
    let service = service();
    for uri in ["/scim/v2/Users", "/scim/v2/Groups?filter=displayName+pr", "/scim/v2/Schemas"] {
        let response = run(&service, Method::HEAD, uri);
        assert_eq!(response.status(), StatusCode::OK, "HEAD {uri}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], SCIM_MEDIA_TYPE);
    }
    let response = run(&service, Method::PUT, "/scim/v2/Users");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()[header::ALLOW], "GET, POST");
}

#[test]
fn root_search_sorts_by_an_attribute_only_some_types_have() {
    let service = service();
    for name in ["carol", "alice", "bob"] {
        let body = format!(r#"{{"userName":"{name}"}}"#);
        assert_eq!(send(&service, Method::POST, "/scim/v2/Users", &body).status(), 201);
    }
    let group = r#"{"displayName":"Admins"}"#;
    assert_eq!(send(&service, Method::POST, "/scim/v2/Groups", group).status(), 201);

    // Users sort by userName; the group, which has none, still comes back.
    let response = send(&service, Method::POST, "/scim/v2/.search", r#"{"sortBy":"userName"}"#);
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["totalResults"], 4);
    let names: Vec<&str> = body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["userName"].as_str().or(r["displayName"].as_str()).unwrap())
        .collect();
    assert_eq!(names, ["alice", "bob", "carol", "Admins"]);

    // An attribute no type has is still an error.
    let response = send(&service, Method::POST, "/scim/v2/.search", r#"{"sortBy":"nonsense"}"#);
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

/// An authorisation hook that lets a principal read and write but never delete.
#[derive(Debug)]
struct NoDeletes;

impl scimkit_core::http::Authorizer for NoDeletes {
    fn authorize(
        &self,
        _principal: &scimkit_core::http::Principal,
        operation: &scimkit_core::http::Operation<'_>,
    ) -> bool {
        operation.kind != scimkit_core::http::OperationKind::Delete
    }
}

#[tokio::test]
async fn the_authorisation_hook_sees_each_operation() {
    let manager = ResourceManager::builder(Arc::new(scimkit_store_memory::InMemoryStore::new()))
        .build()
        .unwrap();
    let tokens = BearerTokens::new().with_token("t", Principal::new("acme", "client"));
    let service = ScimService::builder(manager, tokens).authorizer(NoDeletes).build();
    let send = |method: &str, path: &str, body: &str| {
        http::Request::builder()
            .method(method)
            .uri(path)
            .header("Authorization", "Bearer t")
            .header("Content-Type", "application/scim+json")
            .body(body.as_bytes().to_vec())
            .unwrap()
    };
    let created = service.handle(send("POST", "/Users", r#"{"userName":"ann"}"#)).await;
    assert_eq!(created.status(), 201);
    let id = serde_json::from_slice::<serde_json::Value>(created.body()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let denied = service.handle(send("DELETE", &format!("/Users/{id}"), "")).await;
    assert_eq!(denied.status(), 403);
    let body: serde_json::Value = serde_json::from_slice(denied.body()).unwrap();
    assert_eq!(body["status"], "403");
    assert_eq!(service.handle(send("GET", &format!("/Users/{id}"), "")).await.status(), 200);

    // Inside a bulk request each operation is authorised on its own.
    let bulk = format!(
        r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
            {{"method":"DELETE","path":"/Users/{id}"}},
            {{"method":"POST","path":"/Users","bulkId":"b","data":{{"userName":"bob"}}}}]}}"#
    );
    let reply = service.handle(send("POST", "/Bulk", &bulk)).await;
    assert_eq!(reply.status(), 200);
    let body: serde_json::Value = serde_json::from_slice(reply.body()).unwrap();
    assert_eq!(body["Operations"][0]["status"], "403");
    assert_eq!(body["Operations"][1]["status"], "201");
    assert_eq!(service.handle(send("GET", &format!("/Users/{id}"), "")).await.status(), 200);
}

#[tokio::test]
async fn if_match_with_several_entity_tags() {
    let client = crate::harness::Client::new();
    let created =
        client.post("/Users", serde_json::json!({ "userName": "tags" })).await.expect(201);
    let path = format!("/Users/{}", created.body["id"].as_str().unwrap());
    let current = created.header("etag").unwrap().to_owned();
    let body = serde_json::json!({ "userName": "tags", "title": "x" });
    let stale = client
        .send_with("PUT", &path, Some(body.clone()), &[("If-Match", r#"W/"1000", W/"1001""#)])
        .await;
    assert_eq!(stale.status, 412);
    let both = format!(r#"W/"1000", {current}"#);
    let ok = client.send_with("PUT", &path, Some(body), &[("If-Match", both.as_str())]).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let any = client.send_with("DELETE", &path, None, &[("If-Match", "*")]).await;
    assert_eq!(any.status, 204);
}

#[test]
fn a_tenant_past_its_rate_limit_gets_429_with_retry_after_and_others_do_not() {
    use scimkit_core::http::RateLimit;

    let store = Arc::new(scimkit_store_memory::InMemoryStore::new());
    let manager = ResourceManager::builder(store).build().unwrap();
    let tokens = BearerTokens::new()
        .with_token("t", Principal::new("acme", "test"))
        .with_token("u", Principal::new("globex", "test"));
    // Two requests at once, then one an hour: the third is refused for about an hour.
    let service = ScimService::builder(manager, tokens)
        .base_path("/scim/v2")
        .rate_limit(RateLimit::per_second(1.0 / 3600.0).with_burst(2))
        .build();
    for _ in 0..2 {
        assert_eq!(run(&service, Method::GET, "/scim/v2/Users").status(), StatusCode::OK);
    }
    let refused = run(&service, Method::GET, "/scim/v2/Users");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((3000..=3600).contains(&wait), "{wait}");
    let body: serde_json::Value = serde_json::from_slice(refused.body()).unwrap();
    assert_eq!(body["status"], "429");
    assert_eq!(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
    // A write is refused too, and changes nothing.
    let user = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x"}"#;
    let refused = send(&service, Method::POST, "/scim/v2/Users", user);
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    // Discovery is not counted, and another tenant has an allowance of its own.
    let config = run(&service, Method::GET, "/scim/v2/ServiceProviderConfig");
    assert_eq!(config.status(), StatusCode::OK);
    let other = Request::builder()
        .uri("/scim/v2/Users")
        .header(header::AUTHORIZATION, "Bearer u")
        .body(Vec::new())
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let other = runtime.block_on(service.handle(other));
    assert_eq!(other.status(), StatusCode::OK);
    let list: serde_json::Value = serde_json::from_slice(other.body()).unwrap();
    assert_eq!(list["totalResults"], 0, "the refused create wrote nothing");
}

#[test]
fn without_a_rate_limit_no_request_is_refused() {
    let service = service();
    for _ in 0..200 {
        assert_eq!(run(&service, Method::GET, "/scim/v2/Users").status(), StatusCode::OK);
    }
}

/// `/Me` for a principal mapped to a User (RFC 7644 §3.11): GET, PUT, PATCH and DELETE act on
/// that user, with the user's own `Location`; a POST to `/Me` names no collection to create in
/// (405 with `Allow`); a principal without a subject gets 501.
#[test]
fn me_acts_on_the_principals_user() {
    let store = Arc::new(scimkit_store_memory::InMemoryStore::new());
    let manager = ResourceManager::builder(store).build().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let ann = runtime
        .block_on(manager.create("acme", "User", serde_json::json!({ "userName": "ann" })))
        .unwrap();
    let ann_id = ann.id().to_owned();
    let tokens = BearerTokens::new()
        .with_token("t", Principal::new("acme", "ann's app").with_subject(&ann_id))
        .with_token("u", Principal::new("acme", "Entra ID"));
    let service = ScimService::builder(manager, tokens).base_path("/scim/v2").build();
    let body = |response: &Response<Vec<u8>>| -> serde_json::Value {
        serde_json::from_slice(response.body()).unwrap()
    };

    let got = run(&service, Method::GET, "/scim/v2/Me");
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(body(&got)["id"], ann_id.as_str());
    assert!(
        body(&got)["meta"]["location"].as_str().unwrap().ends_with(&format!("/Users/{ann_id}"))
    );

    let put = send(
        &service,
        Method::PUT,
        "/scim/v2/Me",
        r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann","title":"Guide"}"#,
    );
    assert_eq!(put.status(), StatusCode::OK);
    assert_eq!(body(&put)["title"], "Guide");
    let patch = send(
        &service,
        Method::PATCH,
        "/scim/v2/Me",
        r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"nickName","value":"Annie"}]}"#,
    );
    assert_eq!(patch.status(), StatusCode::OK);
    let direct = run(&service, Method::GET, &format!("/scim/v2/Users/{ann_id}"));
    assert_eq!(body(&direct)["nickName"], "Annie");
    assert_eq!(body(&direct)["title"], "Guide");

    let posted = send(&service, Method::POST, "/scim/v2/Me", r#"{"userName":"someone"}"#);
    assert_eq!(posted.status(), StatusCode::METHOD_NOT_ALLOWED, "{:?}", body(&posted));
    assert!(posted.headers().contains_key(header::ALLOW));

    let no_subject = Request::builder()
        .uri("/scim/v2/Me")
        .header(header::AUTHORIZATION, "Bearer u")
        .body(Vec::new())
        .unwrap();
    let no_subject = runtime.block_on(service.handle(no_subject));
    assert_eq!(no_subject.status(), StatusCode::NOT_IMPLEMENTED);

    assert_eq!(run(&service, Method::DELETE, "/scim/v2/Me").status(), StatusCode::NO_CONTENT);
    let gone = run(&service, Method::GET, &format!("/scim/v2/Users/{ann_id}"));
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert_eq!(run(&service, Method::GET, "/scim/v2/Me").status(), StatusCode::NOT_FOUND);
}
