//! Hostile and malformed input against the protocol service: each case gets the exact status
//! and `scimType`, and the stored data is unchanged afterwards.

use scimkit_core::{Limits, ServiceConfig};
use serde_json::{Value, json};

use crate::harness::{Client, TOKEN};

/// One request and what must come back.
struct Case {
    name: &'static str,
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    status: u16,
    scim_type: Option<&'static str>,
}

fn case(name: &'static str, method: &'static str, path: impl Into<String>, status: u16) -> Case {
    Case {
        name,
        method,
        path: path.into(),
        headers: Vec::new(),
        body: Vec::new(),
        status,
        scim_type: None,
    }
}

impl Case {
    fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self.headers.push(("Content-Type", "application/scim+json".to_owned()));
        self
    }

    fn raw_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name, value.into()));
        self
    }

    fn scim_type(mut self, scim_type: &'static str) -> Self {
        self.scim_type = Some(scim_type);
        self
    }
}

/// Sends a case as is (with the token unless the case sets `Authorization`).
async fn send(client: &Client, case: &Case) -> (u16, http::HeaderMap, Value) {
    let mut request = http::Request::builder().method(case.method).uri(case.path.as_str());
    if !case.headers.iter().any(|(n, _)| *n == "Authorization") {
        request = request.header("Authorization", format!("Bearer {TOKEN}"));
    }
    for (name, value) in &case.headers {
        request = request.header(*name, value.as_bytes());
    }
    let response = client.service.handle(request.body(case.body.clone()).unwrap()).await;
    let body = if response.body().is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(response.body()).expect("every response body is JSON")
    };
    (response.status().as_u16(), response.headers().clone(), body)
}

/// Everything stored, for before/after comparison.
async fn snapshot(client: &Client) -> Value {
    let users = client.get("/Users?count=1000").await.expect(200).body;
    let groups = client.get("/Groups?count=1000").await.expect(200).body;
    json!([users, groups])
}

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[tokio::test]
async fn hostile_requests_get_exact_errors_and_change_nothing() {
    let client = Client::new();
    let bjensen = client.post("/Users", json!({ "userName": "bjensen" })).await.expect(201).body;
    let id = bjensen["id"].as_str().unwrap().to_owned();
    client
        .post("/Groups", json!({ "displayName": "Tour Guides", "members": [{ "value": id }] }))
        .await
        .expect(201);
    let before = snapshot(&client).await;

    // URIs are limited to 64 KiB by the `http` crate; deeper and longer filters arrive in bodies.
    let deep_filter = format!("{}userName pr{}", "(".repeat(20_000), ")".repeat(20_000));
    let deep_body_filter = format!("{}userName pr{}", "(".repeat(100_000), ")".repeat(100_000));
    let big_filter = format!("userName eq \"{}\"", "x".repeat(1_000_000));
    let many_ops: Vec<Value> = (0..100_000)
        .map(|n| json!({ "op": "add", "path": "nickName", "value": format!("n{n}") }))
        .collect();
    let many_members: Vec<Value> =
        (0..100_000).map(|n| json!({ "value": format!("m{n}") })).collect();
    let cases = vec![
        case("deeply nested filter", "GET", format!("/scim/v2/Users?filter={}", deep_filter.replace(' ', "+")), 400)
            .scim_type("invalidFilter"),
        case("nested filter under the length limit", "GET", format!("/scim/v2/Users?filter={}userName+pr{}", "(".repeat(100), ")".repeat(100)), 400)
            .scim_type("invalidFilter"),
        case("long filter in the URL", "GET", format!("/scim/v2/Users?filter=userName+eq+%22{}%22", "x".repeat(60_000)), 400)
            .scim_type("invalidFilter"),
        case("filter nested 100,000 deep in a search body", "POST", "/scim/v2/.search", 400)
            .body(serde_json::to_vec(&json!({ "filter": deep_body_filter })).unwrap())
            .scim_type("invalidFilter"),
        case("1 MB filter in a search body", "POST", "/scim/v2/Users/.search", 400)
            .body(serde_json::to_vec(&json!({ "filter": big_filter })).unwrap())
            .scim_type("invalidFilter"),
        case("2 MB filter in a search body", "POST", "/scim/v2/Users/.search", 413)
            .body(serde_json::to_vec(&json!({ "filter": format!("{big_filter}{big_filter}") })).unwrap()),
        case("huge number in a body", "POST", "/scim/v2/Users", 400)
            .body(r#"{"userName":"n","nickName":1e999}"#)
            .scim_type("invalidSyntax"),
        case("huge number in a filter", "GET", "/scim/v2/Users?filter=userName+gt+1e999", 400).scim_type("invalidFilter"),
        case("huge count is capped", "GET", "/scim/v2/Users?count=99999999999999999999999", 200),
        case("negative startIndex reads as 1", "GET", "/scim/v2/Users?startIndex=-5", 200),
        case("bad UTF-8 body", "POST", "/scim/v2/Users", 400).body(&b"{\"userName\":\"\xff\xfe\"}"[..]).scim_type("invalidSyntax"),
        case("bad UTF-8 in the query", "GET", "/scim/v2/Users?filter=userName+eq+%22%FF%22", 400).scim_type("invalidSyntax"),
        case("raw NUL in a body", "POST", "/scim/v2/Users", 400).body(&b"{\"userName\":\"a\0b\"}"[..]).scim_type("invalidSyntax"),
        case("NUL in a filter", "GET", "/scim/v2/Users?filter=userName+eq+%22a%00b%22", 400).scim_type("invalidFilter"),
        case("duplicate JSON keys", "POST", "/scim/v2/Users", 400)
            .body(r#"{"userName":"dup","active":true,"active":false}"#)
            .scim_type("invalidSyntax"),
        case("JSON nested 100,000 deep", "POST", "/scim/v2/Users", 400).body(nested(100_000)).scim_type("invalidSyntax"),
        case("body over the limit", "POST", "/scim/v2/Users", 413)
            .body(serde_json::to_vec(&json!({ "userName": "big", "nickName": "x".repeat(2 << 20) })).unwrap()),
        case("PATCH with 100,000 operations", "PATCH", format!("/scim/v2/Users/{id}"), 413)
            .body(serde_json::to_vec(&json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": many_ops })).unwrap()),
        case("group with 100,000 members over the body limit", "POST", "/scim/v2/Groups", 413)
            .body(serde_json::to_vec(&json!({ "displayName": "big", "members": many_members })).unwrap()),
        case("empty body", "POST", "/scim/v2/Users", 400).body("").scim_type("invalidSyntax"),
        case("body that is not an object", "POST", "/scim/v2/Users", 400).body("[1,2]").scim_type("invalidSyntax"),
        case("missing required userName", "POST", "/scim/v2/Users", 400).body(r#"{"displayName":"x"}"#).scim_type("invalidValue"),
        case("id with ..", "GET", "/scim/v2/Users/..", 404),
        case("id with an encoded slash", "GET", "/scim/v2/Users/%2F", 404),
        case("encoded dot-dot", "GET", "/scim/v2/Users/%2e%2e", 404),
        case("traversal to another type", "GET", "/scim/v2/Users/../Groups", 404),
        case("very long id", "GET", format!("/scim/v2/Users/{}", "a".repeat(5000)), 404),
        case("very long id on delete", "DELETE", format!("/scim/v2/Users/{}", "a".repeat(5000)), 404),
        case("unknown endpoint", "GET", "/scim/v2/Nope", 404),
        case("outside the base path", "GET", "/other/Users", 404),
        case("text/plain body", "POST", "/scim/v2/Users", 415)
            .raw_body(r#"{"userName":"t"}"#)
            .header("Content-Type", "text/plain"),
        case("form body", "POST", "/scim/v2/Users", 415)
            .raw_body("userName=t")
            .header("Content-Type", "application/x-www-form-urlencoded"),
        case("DELETE on a collection", "DELETE", "/scim/v2/Users", 405),
        case("PATCH on a collection", "PATCH", "/scim/v2/Users", 405).body("{}"),
        case("PUT on ServiceProviderConfig", "PUT", "/scim/v2/ServiceProviderConfig", 405).body("{}"),
        case("GET on Bulk", "GET", "/scim/v2/Bulk", 405),
        case("GET on .search", "GET", "/scim/v2/Users/.search", 405),
        case("POST on a resource", "POST", format!("/scim/v2/Users/{id}"), 405).body("{}"),
        case("missing Authorization", "GET", "/scim/v2/Users", 401).header("Authorization", ""),
        case("wrong token", "GET", "/scim/v2/Users", 401).header("Authorization", "Bearer not-the-token"),
        case("Basic instead of Bearer", "GET", "/scim/v2/Users", 401).header("Authorization", "Basic dXNlcjpwYXNz"),
        case("Bearer without a token", "GET", "/scim/v2/Users", 401).header("Authorization", "Bearer"),
        case("non-ASCII Authorization", "GET", "/scim/v2/Users", 401).header("Authorization", "Bearer tøken"),
        case("token in the wrong case", "GET", "/scim/v2/Users", 401).header("Authorization", format!("Bearer {}", TOKEN.to_uppercase())),
        case("filter on password", "GET", "/scim/v2/Users?filter=password+pr", 400).scim_type("invalidFilter"),
        case("sort by password", "GET", "/scim/v2/Users?sortBy=password", 400).scim_type("invalidValue"),
        case("ordering operator on a boolean", "GET", "/scim/v2/Users?filter=active+gt+true", 400).scim_type("invalidFilter"),
        case("malformed If-Match", "PUT", format!("/scim/v2/Users/{id}"), 400)
            .body(r#"{"userName":"bjensen"}"#)
            .header("If-Match", "not-an-etag")
            .scim_type("invalidSyntax"),
        case("stale If-Match", "DELETE", format!("/scim/v2/Users/{id}"), 412).header("If-Match", "W/\"999999\""),
        case("read-only id in a PATCH path", "PATCH", format!("/scim/v2/Users/{id}"), 400)
            .body(r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"id","value":"x"}]}"#)
            .scim_type("mutability"),
        case("PATCH remove without a path", "PATCH", format!("/scim/v2/Users/{id}"), 400)
            .body(r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove"}]}"#)
            .scim_type("noTarget"),
        case("bulk with an unknown method", "POST", "/scim/v2/Bulk", 400)
            .body(r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"TRACE","path":"/Users"}]}"#)
            .scim_type("invalidSyntax"),
    ];
    let mut failures = Vec::new();
    for case in &cases {
        let (status, headers, body) = send(&client, case).await;
        let scim_type = body.get("scimType").and_then(Value::as_str);
        if status != case.status || (case.scim_type.is_some() && scim_type != case.scim_type) {
            failures.push(format!(
                "{}: got {status} {scim_type:?}, want {} {:?}: {body}",
                case.name, case.status, case.scim_type
            ));
            continue;
        }
        if status >= 400 {
            assert_eq!(
                body["status"],
                status.to_string(),
                "{}: the error body's status is a string",
                case.name
            );
            assert_eq!(
                body["schemas"],
                json!(["urn:ietf:params:scim:api:messages:2.0:Error"]),
                "{}",
                case.name
            );
            let detail = body["detail"].as_str().unwrap_or_default();
            assert!(
                !detail.contains(TOKEN) && !detail.contains("not-the-token"),
                "{}: detail echoes a token",
                case.name
            );
            assert!(detail.len() < 1000, "{}: the detail never echoes large input", case.name);
        }
        if status == 401 {
            assert_eq!(
                headers.get("www-authenticate").unwrap(),
                "Bearer realm=\"SCIM\"",
                "{}",
                case.name
            );
        }
        if status == 405 {
            assert!(headers.get("allow").is_some(), "{}: 405 names the allowed methods", case.name);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(snapshot(&client).await, before, "no hostile request changed the store");
}

#[tokio::test]
async fn huge_requests_within_raised_limits() {
    let limits = Limits::default().with_max_body_bytes(32 << 20);
    let client = Client::with_config(ServiceConfig::default().with_limits(limits));
    client.seed_users((0..100_000).map(|n| format!("m{n}"))).await;
    let members: Vec<Value> = (0..100_000).map(|n| json!({ "value": format!("m{n}") })).collect();
    let group = client
        .post("/Groups", json!({ "displayName": "big", "members": members }))
        .await
        .expect(201);
    assert_eq!(group.body["members"].as_array().unwrap().len(), 100_000);
    let path = format!("/Groups/{}", group.body["id"].as_str().unwrap());
    let removed = client
        .patch(
            &path,
            crate::harness::patch_op(
                json!([{ "op": "remove", "path": "members[value eq \"m99999\"]" }]),
            ),
        )
        .await
        .expect(200);
    assert_eq!(removed.body["members"].as_array().unwrap().len(), 99_999);

    let user = client.post("/Users", json!({ "userName": "ops" })).await.expect(201);
    let ops: Vec<Value> = (0..100_000)
        .map(|n| json!({ "op": "add", "path": "nickName", "value": format!("n{n}") }))
        .collect();
    let too_many = client
        .patch(
            &format!("/Users/{}", user.body["id"].as_str().unwrap()),
            crate::harness::patch_op(json!(ops)),
        )
        .await
        .expect(400);
    assert_eq!(too_many.body["scimType"], "tooMany");
}

#[tokio::test]
async fn unicode_case_folding_in_unique_attributes() {
    let client = Client::new();
    client.post("/Users", json!({ "userName": "\u{212A}elvin" })).await.expect(201);
    let dup = client.post("/Users", json!({ "userName": "kelvin" })).await.expect(409);
    assert_eq!(dup.body["scimType"], "uniqueness");
    // A filter finds what uniqueness protects: the two agree.
    let found = client.get("/Users?filter=userName+eq+%22KELVIN%22").await.expect(200);
    assert_eq!(found.body["totalResults"], 1);

    client.post("/Users", json!({ "userName": "İstanbul" })).await.expect(201);
    client.post("/Users", json!({ "userName": "i̇stanbul" })).await.expect(409);
    // `ß` does not fold to `ss`, for uniqueness as for filters.
    client.post("/Users", json!({ "userName": "straße" })).await.expect(201);
    client.post("/Users", json!({ "userName": "STRASSE" })).await.expect(201);
    let found = client.get("/Users?filter=userName+eq+%22strasse%22").await.expect(200);
    assert_eq!(found.body["totalResults"], 1);
}

/// No error detail echoes more than a bounded prefix of what the client sent, whichever part
/// of the request carries it (RFC 7644 §3.12 leaves `detail` to the provider; a detail that
/// quotes a megabyte back is an amplification and a log hazard).
#[tokio::test]
async fn error_details_quote_a_bounded_prefix_of_the_input() {
    let client = crate::harness::Client::new();
    let long = "x".repeat(5_000);
    let created = client
        .post("/Users", serde_json::json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ann" }))
        .await
        .expect(201);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let strict = crate::harness::patch_op(
        serde_json::json!([{ "op": "replace", "path": format!("{long}[") , "value": 1 }]),
    );
    let replies = [
        client.get(&format!("/Users?sortBy={long}")).await,
        client.get(&format!("/Users?attributes=a[{long}")).await,
        client.get(&format!("/Users?filter={long}%20eq")).await,
        client.patch(&format!("/Users/{id}"), strict).await,
        client.get(&format!("/Users?count={long}a")).await,
    ];
    for reply in replies {
        assert!((400..500).contains(&reply.status), "{}", reply.body);
        let detail = reply.body["detail"].as_str().unwrap_or_default();
        assert!(detail.chars().count() <= 257, "a detail of {} characters", detail.len());
    }
}
