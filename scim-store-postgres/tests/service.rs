//! The protocol service on PostgreSQL, as two replicas over one database: racing creates of
//! case variants, concurrent PATCHes with and without `If-Match`, hostile input that must leave
//! the data unchanged, and tenant isolation.

#![allow(clippy::unwrap_used, reason = "test helpers: a failure is a failed test")]

mod common;

use std::sync::Arc;

use scimkit_core::ResourceManager;
use scimkit_core::http::{BearerTokens, Principal, ScimService};
use serde_json::{Value, json};

/// Two service instances (each with its own pool) over the same schema.
async fn replicas(db: &common::TestDb) -> (ScimService, ScimService) {
    let service = |store: scimkit_store_postgres::PostgresStore| {
        let manager = ResourceManager::builder(Arc::new(store)).build().unwrap();
        let tokens = BearerTokens::new()
            .with_token("t1", Principal::new("tenant-1", "one"))
            .with_token("t2", Principal::new("tenant-2", "two"));
        ScimService::builder(manager, tokens).build()
    };
    (service(db.store().await), service(db.store().await))
}

async fn call(
    service: &ScimService,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
    if_match: Option<&str>,
) -> (u16, Option<String>, Value) {
    let mut request = http::Request::builder()
        .method(method)
        .uri(path)
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/scim+json");
    if let Some(tag) = if_match {
        request = request.header("If-Match", tag);
    }
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let response = service.handle(request.body(bytes).unwrap()).await;
    let etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let status = response.status().as_u16();
    let body = if response.body().is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(response.body()).unwrap()
    };
    (status, etag, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_behave_as_one() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let (a, b) = replicas(&db).await;
    let (a, b) = (Arc::new(a), Arc::new(b));

    // 32 racing creates of case variants, spread over both replicas: one success.
    let mut tasks = Vec::new();
    for n in 0..32usize {
        let service = if n % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let name = scimkit_core::testing::case_variant("racer", n);
            call(&service, "t1", "POST", "/Users", Some(json!({ "userName": name })), None).await.0
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|&&s| s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|&s| s == 201 || s == 409), "{statuses:?}");

    // Concurrent PATCHes through both replicas: pinned ones retry on 412, none is lost.
    let (_, _, user) =
        call(&a, "t1", "POST", "/Users", Some(json!({ "userName": "target" })), None).await;
    let path = Arc::new(format!("/Users/{}", user["id"].as_str().unwrap()));
    let mut tasks = Vec::new();
    for n in 0..12usize {
        let (service, path) = (if n % 2 == 0 { a.clone() } else { b.clone() }, path.clone());
        tasks.push(tokio::spawn(async move {
            let body = json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{ "op": "add", "path": "roles", "value": [{ "value": format!("r{n}") }] }] });
            if n % 3 == 0 {
                call(&service, "t1", "PATCH", &path, Some(body), None).await.0
            } else {
                loop {
                    let (_, etag, _) = call(&service, "t1", "GET", &path, None, None).await;
                    let (status, _, _) = call(&service, "t1", "PATCH", &path, Some(body.clone()), etag.as_deref()).await;
                    if status != 412 {
                        break status;
                    }
                }
            }
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    let (_, _, user) = call(&b, "t1", "GET", &path, None, None).await;
    assert_eq!(user["roles"].as_array().map(Vec::len), Some(12), "{user}");

    // Hostile input leaves the data as it was.
    let (_, before_etag, before) = call(&a, "t1", "GET", &path, None, None).await;
    for (method, body) in [
        ("PATCH", Some(json!({ "Operations": [{ "op": "replace", "path": "id", "value": "x" }] }))),
        (
            "PATCH",
            Some(
                json!({ "Operations": [{ "op": "add", "path": "title", "value": "t" }, { "op": "remove" }] }),
            ),
        ),
        ("PUT", Some(json!({ "displayName": "no userName" }))),
    ] {
        let (status, _, _) = call(&b, "t1", method, &path, body, None).await;
        assert_eq!(status, 400);
    }
    let (status, _, _) = call(
        &a,
        "t1",
        "GET",
        "/Users?filter=userName+eq+%22x%27%3B+DROP+TABLE+scim_resources%3B--%22",
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (_, after_etag, after) = call(&a, "t1", "GET", &path, None, None).await;
    assert_eq!((after_etag, after), (before_etag, before));

    // Tenant isolation: tenant 2 sees none of tenant 1's users, on either replica.
    let (status, _, _) = call(&b, "t2", "GET", &path, None, None).await;
    assert_eq!(status, 404);
    let (_, _, list) =
        call(&a, "t2", "GET", "/Users?filter=userName+eq+%22target%22", None, None).await;
    assert_eq!(list["totalResults"], 0);
    let (status, _, _) =
        call(&a, "t2", "POST", "/Users", Some(json!({ "userName": "target" })), None).await;
    assert_eq!(status, 201, "the same userName in another tenant is fine");
    db.drop_schema().await;
}
