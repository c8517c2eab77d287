//! The example server's SCIM service over real TCP: every endpoint and status of RFC 7644 that
//! the service implements, with bodies checked, not just statuses.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and their helpers: a failed expectation is a failed test"
)]

mod support;

use std::collections::HashSet;

use scimkit_core::http::Tenancy;
use scimkit_core::{Limits, ServiceConfig};
use serde_json::{Value, json};
use support::*;
use tokio::io::AsyncWriteExt;

fn user(user_name: &str) -> Value {
    json!({
        "schemas": [USER_URN, ENTERPRISE_URN],
        "externalId": format!("ext-{user_name}"),
        "userName": user_name,
        "active": true,
        "name": { "givenName": "Ann", "familyName": "Example" },
        "emails": [{ "type": "work", "value": format!("{user_name}@example.com"), "primary": true }],
        "password": "t1meMa$heen",
        "meta": { "resourceType": "User" },
        ENTERPRISE_URN: { "department": "Tour Operations" },
    })
}

async fn create_user(client: &Client, user_name: &str) -> Value {
    client.post(&format!("{BASE}/Users"), &user(user_name)).await.expect(201)
}

fn id(resource: &Value) -> &str {
    resource["id"].as_str().unwrap()
}

fn keys(resource: &Value) -> HashSet<&str> {
    resource.as_object().unwrap().keys().map(String::as_str).collect()
}

fn patch(ops: Value) -> Value {
    json!({ "schemas": [PATCH_URN], "Operations": ops })
}

#[tokio::test]
async fn create_returns_201_with_location_etag_and_meta() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let client = server.client(TOKEN);
    let reply = client.post(&format!("{BASE}/Users"), &user("bjensen")).await;
    let created = reply.expect(201);
    let id = id(&created);
    let location = format!("http://{}{BASE}/Users/{id}", server.addr);
    assert_eq!(reply.header("location"), Some(location.as_str()));
    assert_eq!(created["meta"]["location"], location);
    assert_eq!(created["meta"]["resourceType"], "User");
    let etag = reply.header("etag").unwrap();
    assert!(etag.starts_with("W/\""), "{etag}");
    assert_eq!(created["meta"]["version"], etag);
    assert!(created["meta"]["created"].is_string() && created["meta"]["lastModified"].is_string());
    assert_eq!(created["userName"], "bjensen");
    assert_eq!(created["externalId"], "ext-bjensen");
    assert_eq!(created["emails"][0]["value"], "bjensen@example.com");
    assert_eq!(created[ENTERPRISE_URN]["department"], "Tour Operations");
    let schemas: HashSet<&str> =
        created["schemas"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert_eq!(schemas, HashSet::from([USER_URN, ENTERPRISE_URN]));
    assert!(created.get("password").is_none(), "password is never returned: {created}");

    // GET by id: the same resource, the same ETag.
    let reply = client.get(&format!("{BASE}/Users/{id}")).await;
    assert_eq!(reply.expect(200), created);
    assert_eq!(reply.header("etag"), Some(etag));

    // A duplicate userName (case-insensitively) is a 409 uniqueness error.
    let reply = client.post(&format!("{BASE}/Users"), &user("BJensen")).await;
    reply.expect_error(409, Some("uniqueness"));
    server.stop().await;
}

#[tokio::test]
async fn get_unknown_is_404_with_a_scim_error() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let client = server.client(TOKEN);
    let body = client.get(&format!("{BASE}/Users/no-such-id")).await.expect_error(404, None);
    assert!(body["detail"].as_str().unwrap().contains("no-such-id"), "{body}");
    client.get(&format!("{BASE}/Nope")).await.expect_error(404, None);
    client.get("/elsewhere/Users").await.expect_error(404, None);
    server.stop().await;
}

#[tokio::test]
async fn list_with_filters_and_paging() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let client = server.client(TOKEN);
    for n in 1..=5 {
        create_user(&client, &format!("user{n}")).await;
    }

    // `+` and `%20` both encode spaces; userName matches case-insensitively.
    for query in [
        "filter=userName+eq+%22user3%22",
        "filter=userName%20eq%20%22USER3%22",
        "filter=userName%20Eq%20%22user3%22&startIndex=1&count=100",
    ] {
        let list = client.get(&format!("{BASE}/Users?{query}")).await.expect(200);
        assert_eq!(list["schemas"][0], LIST_URN);
        assert_eq!(list["totalResults"], 1, "{query}: {list}");
        assert_eq!(list["itemsPerPage"], 1);
        assert_eq!(list["startIndex"], 1);
        assert_eq!(list["Resources"][0]["userName"], "user3");
    }
    // Entra ID's test connection: a filter that matches nothing is 200 with an empty list.
    let list = client
        .get(&format!("{BASE}/Users?filter=userName+eq+%22ad8b5d6c-1d3e-4f6a-9f00-000000000000%22"))
        .await
        .expect(200);
    assert_eq!(list["totalResults"], 0);
    assert_eq!(list["Resources"], json!([]));
    let list = client
        .get(&format!("{BASE}/Groups?excludedAttributes=members&filter=displayName+eq+%22x%22"))
        .await
        .expect(200);
    assert_eq!(list["totalResults"], 0);
    // Value paths and logic.
    let list = client
        .get(&format!(
            "{BASE}/Users?filter=emails%5Btype+eq+%22work%22+and+value+co+%22user2%40%22%5D+or+userName+sw+%22user5%22"
        ))
        .await
        .expect(200);
    let names: HashSet<&str> = list["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["userName"].as_str().unwrap())
        .collect();
    assert_eq!(names, HashSet::from(["user2", "user5"]));

    // Paging: integer counts, stable order, every user once.
    let mut seen = Vec::new();
    for start in [1, 3, 5] {
        let page =
            client.get(&format!("{BASE}/Users?startIndex={start}&count=2")).await.expect(200);
        assert_eq!(page["totalResults"], 5);
        assert_eq!(page["startIndex"], start);
        let expected = if start == 5 { 1 } else { 2 };
        assert_eq!(page["itemsPerPage"], expected);
        for r in page["Resources"].as_array().unwrap() {
            seen.push(r["userName"].as_str().unwrap().to_owned());
        }
    }
    let distinct: HashSet<&String> = seen.iter().collect();
    assert_eq!((seen.len(), distinct.len()), (5, 5), "{seen:?}");
    let count_only = client.get(&format!("{BASE}/Users?count=0")).await.expect(200);
    assert_eq!(
        (count_only["totalResults"].as_u64(), count_only["Resources"].clone()),
        (Some(5), json!([]))
    );
    let beyond = client.get(&format!("{BASE}/Users?startIndex=99")).await.expect(200);
    assert_eq!(
        (beyond["totalResults"].as_u64(), beyond["itemsPerPage"].as_u64()),
        (Some(5), Some(0))
    );

    // Sorting.
    let sorted = client
        .get(&format!("{BASE}/Users?sortBy=userName&sortOrder=descending&count=2"))
        .await
        .expect(200);
    assert_eq!(sorted["Resources"][0]["userName"], "user5");
    assert_eq!(sorted["Resources"][1]["userName"], "user4");

    // Bad filters and parameters are 400s.
    client
        .get(&format!("{BASE}/Users?filter=userName+eq"))
        .await
        .expect_error(400, Some("invalidFilter"));
    client.get(&format!("{BASE}/Users?count=ten")).await.expect_error(400, Some("invalidValue"));
    client
        .get(&format!("{BASE}/Users?filter=password+eq+%22x%22"))
        .await
        .expect_error(400, Some("invalidFilter"));
    server.stop().await;
}

#[tokio::test]
async fn attributes_and_excluded_attributes() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let client = server.client(TOKEN);
    let created = create_user(&client, "ann").await;
    let id = id(&created);

    let only = client.get(&format!("{BASE}/Users/{id}?attributes=userName")).await.expect(200);
    let k = keys(&only);
    assert!(k.contains("userName") && k.contains("id") && k.contains("schemas"), "{only}");
    assert!(!k.contains("emails") && !k.contains("name") && !k.contains(ENTERPRISE_URN), "{only}");

    let sub =
        client.get(&format!("{BASE}/Users/{id}?attributes=name.givenName,emails.value")).await;
    let sub = sub.expect(200);
    assert_eq!(sub["name"], json!({ "givenName": "Ann" }));
    assert_eq!(sub["emails"], json!([{ "value": "ann@example.com" }]));

    let without =
        client.get(&format!("{BASE}/Users/{id}?excludedAttributes=emails,name")).await.expect(200);
    let k = keys(&without);
    assert!(!k.contains("emails") && !k.contains("name"), "{without}");
    assert!(k.contains("userName") && k.contains("id") && k.contains(ENTERPRISE_URN), "{without}");

    let list = client
        .get(&format!("{BASE}/Users?filter=userName+eq+%22ann%22&attributes=externalId"))
        .await
        .expect(200);
    let k = keys(&list["Resources"][0]);
    assert!(k.contains("externalId") && k.contains("id") && !k.contains("userName"), "{list}");

    let extension = client
        .get(&format!("{BASE}/Users/{id}?attributes={ENTERPRISE_URN}:department"))
        .await
        .expect(200);
    assert_eq!(extension[ENTERPRISE_URN], json!({ "department": "Tour Operations" }));
    server.stop().await;
}

#[tokio::test]
async fn search_per_type_and_at_the_root() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let client = server.client(TOKEN);
    for name in ["alice", "bob", "carol"] {
        create_user(&client, name).await;
    }
    client
        .post(
            &format!("{BASE}/Groups"),
            &json!({ "schemas": [GROUP_URN], "displayName": "Admins" }),
        )
        .await
        .expect(201);

    let search = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "userName sw \"a\" or userName eq \"carol\"",
        "attributes": ["userName"],
        "sortBy": "userName",
        "startIndex": 1,
        "count": 10,
    });
    let list = client.post(&format!("{BASE}/Users/.search"), &search).await.expect(200);
    assert_eq!(list["totalResults"], 2);
    assert_eq!(list["Resources"][0]["userName"], "alice");
    assert_eq!(list["Resources"][1]["userName"], "carol");
    assert!(list["Resources"][0].get("emails").is_none());

    // At the root: over every resource type, one list.
    let all = json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"] });
    let list = client.post(&format!("{BASE}/.search"), &all).await.expect(200);
    assert_eq!(list["totalResults"], 4, "{list}");
    let types: Vec<&str> = list["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["meta"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["User", "User", "User", "Group"]);
    let paged = json!({ "startIndex": 3, "count": 2 });
    let list = client.post(&format!("{BASE}/.search"), &paged).await.expect(200);
    assert_eq!((list["totalResults"].as_u64(), list["itemsPerPage"].as_u64()), (Some(4), Some(2)));
    assert_eq!(list["Resources"][1]["displayName"], "Admins");
    let filtered = json!({ "filter": "displayName eq \"admins\"" });
    let list = client.post(&format!("{BASE}/.search"), &filtered).await.expect(200);
    assert_eq!(list["totalResults"], 1, "{list}");

    // GET is not a search.
    let reply = client.get(&format!("{BASE}/.search")).await;
    reply.expect_error(405, None);
    assert_eq!(reply.header("allow"), Some("POST"));
    server.stop().await;
}

#[tokio::test]
async fn put_replaces_ignoring_read_only_values() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let client = server.client(TOKEN);
    let created = create_user(&client, "okta.user").await;
    let id = id(&created).to_owned();
    let old_etag = created["meta"]["version"].as_str().unwrap().to_owned();

    // Okta's update: the whole resource back, with id, meta and groups.
    let mut body = created.clone();
    body["displayName"] = json!("Okta User");
    body["active"] = json!(false);
    body["password"] = json!("n3w-Secret");
    body["groups"] = json!([{ "value": "made-up" }]);
    body["meta"]["created"] = json!("2000-01-01T00:00:00Z");
    body["id"] = json!(id);
    let reply = client.put(&format!("{BASE}/Users/{id}"), &body).await;
    let replaced = reply.expect(200);
    assert_eq!(replaced["id"], id.as_str());
    assert_eq!(replaced["displayName"], "Okta User");
    assert_eq!(replaced["active"], false);
    assert_eq!(replaced["meta"]["created"], created["meta"]["created"]);
    assert!(replaced.get("groups").is_none(), "groups is read-only: {replaced}");
    assert!(replaced.get("password").is_none(), "password never echoed: {replaced}");
    assert_ne!(replaced["meta"]["version"], old_etag.as_str());
    assert_eq!(reply.header("etag"), replaced["meta"]["version"].as_str());

    // A stale If-Match is 412, and the resource stays as it was.
    let mut again = replaced.clone();
    again["displayName"] = json!("Lost Update");
    let stale = [("If-Match", old_etag.as_str())];
    client
        .send_json("PUT", &format!("{BASE}/Users/{id}"), &again, &stale)
        .await
        .expect_error(412, None);
    let current = client.get(&format!("{BASE}/Users/{id}")).await.expect(200);
    assert_eq!(current["displayName"], "Okta User");
    // The current one works.
    let etag = current["meta"]["version"].as_str().unwrap();
    let fresh = [("If-Match", etag)];
    let done = client.send_json("PUT", &format!("{BASE}/Users/{id}"), &again, &fresh).await;
    assert_eq!(done.expect(200)["displayName"], "Lost Update");

    // PUT of an unknown id is 404.
    client.put(&format!("{BASE}/Users/nobody"), &user("nobody")).await.expect_error(404, None);
    server.stop().await;
}

#[tokio::test]
async fn patch_with_entra_and_okta_forms() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let client = server.client(TOKEN);
    let created = create_user(&client, "entra.user").await;
    let id = id(&created).to_owned();
    let path = format!("{BASE}/Users/{id}");

    let ops = patch(json!([
        { "op": "Replace", "path": "active", "value": "False" },
        { "op": "Add", "path": "emails[type eq \"work\"].value", "value": "new@example.com" },
        { "op": "replace", "value": {
            "name.givenName": "Anna",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Sales"
        } },
    ]));
    let reply = client.patch(&path, &ops).await;
    let patched = reply.expect(200);
    assert_eq!(patched["active"], false);
    assert_eq!(patched["emails"][0]["value"], "new@example.com");
    assert_eq!(patched["name"]["givenName"], "Anna");
    assert_eq!(patched[ENTERPRISE_URN]["department"], "Sales");
    assert!(patched.get("password").is_none());
    assert_eq!(reply.header("etag"), patched["meta"]["version"].as_str());
    assert_ne!(patched["meta"]["version"], created["meta"]["version"]);

    // If-Match: stale is 412 (nothing applied), current works.
    let stale_etag = created["meta"]["version"].as_str().unwrap();
    let deactivate = patch(json!([{ "op": "replace", "value": { "active": true } }]));
    client
        .send_json("PATCH", &path, &deactivate, &[("If-Match", stale_etag)])
        .await
        .expect_error(412, None);
    assert_eq!(client.get(&path).await.expect(200)["active"], false);
    let etag = patched["meta"]["version"].as_str().unwrap();
    let reply = client.send_json("PATCH", &path, &deactivate, &[("If-Match", etag)]).await;
    assert_eq!(reply.expect(200)["active"], true);

    // Errors: a remove without a path, an unknown id, a read-only attribute.
    let no_path = patch(json!([{ "op": "remove" }]));
    client.patch(&path, &no_path).await.expect_error(400, Some("noTarget"));
    let read_only = patch(json!([{ "op": "replace", "path": "id", "value": "x" }]));
    client.patch(&path, &read_only).await.expect_error(400, Some("mutability"));
    client.patch(&format!("{BASE}/Users/nobody"), &deactivate).await.expect_error(404, None);
    // The failed ones changed nothing.
    let after = client.get(&path).await.expect(200);
    assert_eq!(after["id"], id.as_str());
    assert_eq!(after["userName"], "entra.user");
    server.stop().await;
}

#[tokio::test]
async fn patch_answers_204_when_configured() {
    let config = ServiceConfig::default().with_patch_returns_resource(false);
    let server = TestServer::start(service(config)).await;
    let client = server.client(TOKEN);
    let group = client
        .post(&format!("{BASE}/Groups"), &json!({ "schemas": [GROUP_URN], "displayName": "Ops" }))
        .await
        .expect(201);
    let member = create_user(&client, "member").await;
    let path = format!("{BASE}/Groups/{}", id(&group));
    let add = patch(json!([
        { "op": "Add", "path": "members", "value": [{ "value": id(&member), "$ref": null }] }
    ]));
    let reply = client.patch(&path, &add).await;
    assert_eq!(reply.expect(204), Value::Null);
    assert!(reply.body.is_empty());
    let etag = reply.header("etag").unwrap().to_owned();
    let current = client.get(&path).await.expect(200);
    assert_eq!(current["members"][0]["value"], id(&member));
    assert_eq!(current["meta"]["version"], etag.as_str());
    // The user's groups are derived from the membership.
    let user = client.get(&format!("{BASE}/Users/{}", id(&member))).await.expect(200);
    assert_eq!(user["groups"][0]["value"], id(&group));
    assert_eq!(user["groups"][0]["display"], "Ops");
    server.stop().await;
}

#[tokio::test]
async fn delete_is_204_then_404() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let client = server.client(TOKEN);
    let created = create_user(&client, "gone").await;
    let path = format!("{BASE}/Users/{}", id(&created));

    let patched = client
        .patch(&path, &patch(json!([{ "op": "replace", "path": "title", "value": "x" }])))
        .await
        .expect(200);
    let stale = created["meta"]["version"].as_str().unwrap();
    client.send("DELETE", &path, &[("If-Match", stale)], None).await.expect_error(412, None);
    client.get(&path).await.expect(200);

    let current = patched["meta"]["version"].as_str().unwrap();
    let reply = client.send("DELETE", &path, &[("If-Match", current)], None).await;
    assert_eq!(reply.status, 204);
    assert!(reply.body.is_empty());
    client.get(&path).await.expect_error(404, None);
    client.delete(&path).await.expect_error(404, None);
    let list = client.get(&format!("{BASE}/Users?filter=userName+eq+%22gone%22")).await;
    assert_eq!(list.expect(200)["totalResults"], 0);
    server.stop().await;
}

#[tokio::test]
async fn if_none_match_is_304() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let client = server.client(TOKEN);
    let created = create_user(&client, "cached").await;
    let path = format!("{BASE}/Users/{}", id(&created));
    let etag = created["meta"]["version"].as_str().unwrap();
    let reply = client.send("GET", &path, &[("If-None-Match", etag)], None).await;
    assert_eq!(reply.status, 304);
    assert!(reply.body.is_empty());
    assert_eq!(reply.header("etag"), Some(etag));
    let reply = client.send("GET", &path, &[("If-None-Match", "W/\"other\"")], None).await;
    assert_eq!(reply.expect(200)["userName"], "cached");
    let reply = client.send("GET", &path, &[("If-None-Match", "*")], None).await;
    assert_eq!(reply.status, 304);
    server.stop().await;
}

#[tokio::test]
async fn wrong_methods_media_types_and_sizes() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let client = server.client(TOKEN);
    let created = create_user(&client, "someone").await;
    let one = format!("{BASE}/Users/{}", id(&created));

    for (method, path, allow) in [
        ("PUT", format!("{BASE}/Users"), "GET, POST"),
        ("DELETE", format!("{BASE}/Users"), "GET, POST"),
        ("POST", one.clone(), "GET, PUT, PATCH, DELETE"),
        ("DELETE", format!("{BASE}/ServiceProviderConfig"), "GET"),
        ("GET", format!("{BASE}/Bulk"), "POST"),
    ] {
        let reply = client.send_json(method, &path, &json!({}), &[]).await;
        reply.expect_error(405, None);
        assert_eq!(reply.header("allow"), Some(allow), "{method} {path}");
    }

    // HEAD is allowed wherever GET is, and has no body.
    for path in [format!("{BASE}/Users"), one.clone(), format!("{BASE}/ResourceTypes")] {
        let reply = client.send("HEAD", &path, &[], None).await;
        assert_eq!(reply.status, 200, "HEAD {path}");
        assert!(reply.body.is_empty());
    }

    // 415 for a body that is not JSON; application/json is as good as application/scim+json.
    let text = user("texty").to_string();
    let reply = client
        .send(
            "POST",
            &format!("{BASE}/Users"),
            &[("Content-Type", "text/plain")],
            Some(text.as_bytes()),
        )
        .await;
    reply.expect_error(415, None);
    let json_type = [("Content-Type", "application/json; charset=utf-8")];
    let reply =
        client.send("POST", &format!("{BASE}/Users"), &json_type, Some(text.as_bytes())).await;
    assert_eq!(reply.expect(201)["userName"], "texty");
    assert_eq!(reply.header("content-type"), Some("application/scim+json"));

    // Malformed JSON is 400 invalidSyntax.
    let reply =
        client.send("POST", &format!("{BASE}/Users"), &json_type, Some(b"{\"userName\": ")).await;
    reply.expect_error(400, Some("invalidSyntax"));
    let reply = client.post(&format!("{BASE}/Users"), &json!({ "schemas": [USER_URN] })).await;
    reply.expect_error(400, None);

    // 413 beyond Limits::max_body_bytes (1 MiB by default), whether announced or not.
    let limit = Limits::default().max_body_bytes;
    let huge = json!({ "schemas": [USER_URN], "userName": "big", "title": "x".repeat(limit) });
    let reply = client.post(&format!("{BASE}/Users"), &huge).await;
    let body = reply.expect_error(413, None);
    assert!(body["detail"].as_str().unwrap().contains(&limit.to_string()), "{body}");
    let list = client.get(&format!("{BASE}/Users?filter=userName+eq+%22big%22")).await;
    assert_eq!(list.expect(200)["totalResults"], 0);
    server.stop().await;
}

#[tokio::test]
async fn oversized_chunked_body_is_413() {
    let config = ServiceConfig::default().with_limits(Limits::default().with_max_body_bytes(1024));
    let server = TestServer::start(service(config)).await;
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST {BASE}/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/scim+json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = "x".repeat(600);
    for _ in 0..2 {
        let _ = stream.write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes()).await;
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut raw = Vec::new();
    let _ = tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut raw).await;
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("larger than 1024 bytes"), "{text}");
    server.stop().await;
}

#[tokio::test]
async fn authentication_is_required() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let anonymous = Client::anonymous(server.addr);
    let users = format!("{BASE}/Users");
    for (headers, what) in [
        (&[][..], "no token"),
        (&[("Authorization", "Bearer wrong-token")][..], "a bad token"),
        (&[("Authorization", "Basic dXNlcjpwYXNz")][..], "another scheme"),
    ] {
        let reply = anonymous.send("GET", &users, headers, None).await;
        let body = reply.expect_error(401, None);
        assert_eq!(reply.header("www-authenticate"), Some("Bearer realm=\"SCIM\""), "{what}");
        assert!(!body.to_string().contains("wrong-token"), "never echo a token: {body}");
    }
    // Writes are refused too, and nothing is created.
    let reply = anonymous.send_json("POST", &users, &user("intruder"), &[]).await;
    reply.expect_error(401, None);
    let list =
        server.client(TOKEN).get(&format!("{users}?filter=userName+eq+%22intruder%22")).await;
    assert_eq!(list.expect(200)["totalResults"], 0);
    server.stop().await;
}

#[tokio::test]
async fn discovery_endpoints() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let client = server.client(TOKEN);
    let base_url = format!("http://{}{BASE}", server.addr);

    let spc = client.get(&format!("{BASE}/ServiceProviderConfig")).await.expect(200);
    assert_eq!(spc["schemas"][0], "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig");
    assert_eq!(spc["patch"]["supported"], true);
    assert_eq!(spc["bulk"]["supported"], true);
    assert_eq!(spc["bulk"]["maxOperations"], 1000);
    assert_eq!(spc["bulk"]["maxPayloadSize"], 1024 * 1024);
    assert_eq!(spc["filter"], json!({ "supported": true, "maxResults": 200 }));
    assert_eq!(spc["etag"]["supported"], true);
    assert_eq!(spc["sort"]["supported"], true);
    assert_eq!(spc["authenticationSchemes"][0]["type"], "oauthbearertoken");
    assert_eq!(spc["meta"]["location"], format!("{base_url}/ServiceProviderConfig"));

    let types = client.get(&format!("{BASE}/ResourceTypes")).await.expect(200);
    assert_eq!(types["schemas"][0], LIST_URN);
    assert_eq!(types["totalResults"], 2);
    let names: Vec<&str> = types["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["User", "Group"]);

    let user_type = client.get(&format!("{BASE}/ResourceTypes/User")).await.expect(200);
    assert_eq!(user_type["endpoint"], "/Users");
    assert_eq!(user_type["schema"], USER_URN);
    assert_eq!(user_type["schemaExtensions"][0]["schema"], ENTERPRISE_URN);
    assert_eq!(user_type["meta"]["location"], format!("{base_url}/ResourceTypes/User"));
    client.get(&format!("{BASE}/ResourceTypes/Printer")).await.expect_error(404, None);

    let schemas = client.get(&format!("{BASE}/Schemas")).await.expect(200);
    let ids: HashSet<&str> = schemas["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(ids.is_superset(&HashSet::from([USER_URN, GROUP_URN, ENTERPRISE_URN])), "{ids:?}");
    assert_eq!(schemas["totalResults"], ids.len());

    let schema = client.get(&format!("{BASE}/Schemas/{USER_URN}")).await.expect(200);
    assert_eq!(schema["id"], USER_URN);
    assert_eq!(schema["name"], "User");
    let user_name =
        schema["attributes"].as_array().unwrap().iter().find(|a| a["name"] == "userName").unwrap();
    assert_eq!(user_name["uniqueness"], "server");
    assert_eq!(user_name["required"], true);
    let password =
        schema["attributes"].as_array().unwrap().iter().find(|a| a["name"] == "password").unwrap();
    assert_eq!(
        (password["returned"].as_str(), password["mutability"].as_str()),
        (Some("never"), Some("writeOnly"))
    );
    client.get(&format!("{BASE}/Schemas/urn:nope")).await.expect_error(404, None);
    server.stop().await;
}

#[tokio::test]
async fn me_is_not_implemented() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let body = server.client(TOKEN).get(&format!("{BASE}/Me")).await.expect_error(501, None);
    assert!(body["detail"].as_str().unwrap().contains("/Me"), "{body}");
    server.stop().await;
}

#[tokio::test]
async fn bulk_with_bulk_id_references() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let client = server.client(TOKEN);
    let bulk = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        "Operations": [
            // The group refers to the user created after it in the list.
            { "method": "POST", "path": "/Groups", "bulkId": "g1",
              "data": { "schemas": [GROUP_URN], "displayName": "Tour Guides",
                        "members": [{ "type": "User", "value": "bulkId:u1" }] } },
            { "method": "POST", "path": "/Users", "bulkId": "u1",
              "data": { "schemas": [USER_URN], "userName": "alice" } },
            { "method": "PATCH", "path": "/Users/bulkId:u1",
              "data": { "schemas": [PATCH_URN],
                        "Operations": [{ "op": "replace", "path": "title", "value": "Guide" }] } },
        ]
    });
    let reply = client.post(&format!("{BASE}/Bulk"), &bulk).await;
    let response = reply.expect(200);
    assert_eq!(response["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:BulkResponse");
    let ops = response["Operations"].as_array().unwrap();
    let statuses: Vec<&str> = ops.iter().map(|o| o["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["201", "201", "200"], "{response}");
    assert_eq!((ops[0]["bulkId"].as_str(), ops[1]["bulkId"].as_str()), (Some("g1"), Some("u1")));
    let user_location = ops[1]["location"].as_str().unwrap();
    let user_id = user_location.rsplit('/').next().unwrap();
    assert_eq!(user_location, format!("http://{}{BASE}/Users/{user_id}", server.addr));
    assert!(ops[1]["version"].as_str().unwrap().starts_with("W/"));
    let group_id = ops[0]["location"].as_str().unwrap().rsplit('/').next().unwrap();

    let group = client.get(&format!("{BASE}/Groups/{group_id}")).await.expect(200);
    assert_eq!(group["members"][0]["value"], user_id, "bulkId:u1 was resolved: {group}");
    let user = client.get(&format!("{BASE}/Users/{user_id}")).await.expect(200);
    assert_eq!(user["title"], "Guide");
    assert_eq!(user["groups"][0]["value"], group_id);

    // failOnErrors: stop after the first error; later operations are not run.
    let failing = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        "failOnErrors": 1,
        "Operations": [
            { "method": "POST", "path": "/Users", "bulkId": "dup", "data": { "userName": "alice" } },
            { "method": "POST", "path": "/Users", "bulkId": "later", "data": { "userName": "never-run" } },
        ]
    });
    let response = client.post(&format!("{BASE}/Bulk"), &failing).await.expect(200);
    let ops = response["Operations"].as_array().unwrap();
    assert_eq!(ops.len(), 1, "{response}");
    assert_eq!(ops[0]["status"], "409");
    assert_eq!(ops[0]["response"]["scimType"], "uniqueness");
    let list = client.get(&format!("{BASE}/Users?filter=userName+eq+%22never-run%22")).await;
    assert_eq!(list.expect(200)["totalResults"], 0);

    // A circular reference is rejected, and creates nothing.
    let circular = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        "Operations": [
            { "method": "POST", "path": "/Groups", "bulkId": "a",
              "data": { "displayName": "A", "members": [{ "type": "Group", "value": "bulkId:b" }] } },
            { "method": "POST", "path": "/Groups", "bulkId": "b",
              "data": { "displayName": "B", "members": [{ "type": "Group", "value": "bulkId:a" }] } },
            { "method": "POST", "path": "/Groups", "bulkId": "c",
              "data": { "displayName": "C", "members": [{ "value": "bulkId:missing" }] } },
        ]
    });
    let response = client.post(&format!("{BASE}/Bulk"), &circular).await.expect(200);
    let ops = response["Operations"].as_array().unwrap();
    let statuses: Vec<&str> = ops.iter().map(|o| o["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["409", "409", "409"], "{response}");
    assert!(ops[0]["response"]["detail"].as_str().unwrap().contains("circular"), "{response}");
    let groups = client.get(&format!("{BASE}/Groups")).await.expect(200);
    assert_eq!(groups["totalResults"], 1, "only Tour Guides: {groups}");

    // More operations than maxOperations is 413.
    let max = Limits::default().max_bulk_operations;
    let many: Vec<Value> =
        (0..=max).map(|n| json!({ "method": "DELETE", "path": format!("/Users/{n}") })).collect();
    let too_many = json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": many });
    let body = client.post(&format!("{BASE}/Bulk"), &too_many).await.expect_error(413, None);
    assert!(body["detail"].as_str().unwrap().contains(&max.to_string()), "{body}");
    server.stop().await;
}

#[tokio::test]
async fn tenants_are_isolated_by_token() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let acme = server.client(TOKEN);
    let globex = server.client(OTHER_TOKEN);
    let ann = create_user(&acme, "ann").await;
    let ann_path = format!("{BASE}/Users/{}", id(&ann));
    // The same userName is free in another tenant.
    let other_ann = create_user(&globex, "ann").await;
    assert_ne!(id(&ann), id(&other_ann));
    create_user(&acme, "acme-only").await;

    globex.get(&ann_path).await.expect_error(404, None);
    globex.put(&ann_path, &user("ann")).await.expect_error(404, None);
    globex
        .patch(&ann_path, &patch(json!([{ "op": "replace", "path": "active", "value": false }])))
        .await
        .expect_error(404, None);
    globex.delete(&ann_path).await.expect_error(404, None);
    assert_eq!(acme.get(&ann_path).await.expect(200)["active"], true);

    let all = globex.get(&format!("{BASE}/Users")).await.expect(200);
    assert_eq!(all["totalResults"], 1);
    assert_eq!(all["Resources"][0]["id"], id(&other_ann));
    for filter in ["userName+eq+%22acme-only%22", "userName+pr", "id+eq+%22{ID}%22"] {
        let filter = filter.replace("{ID}", id(&ann));
        let list = globex.get(&format!("{BASE}/Users?filter={filter}")).await.expect(200);
        let ids: Vec<&str> = list["Resources"].as_array().unwrap().iter().map(id).collect();
        assert!(!ids.contains(&id(&ann)), "{filter}: {list}");
    }
    let search = json!({ "filter": "userName sw \"a\"" });
    let list = globex.post(&format!("{BASE}/.search"), &search).await.expect(200);
    assert_eq!(list["totalResults"], 1, "{list}");
    // Bulk operations are scoped too.
    let bulk =
        json!({ "Operations": [{ "method": "DELETE", "path": format!("/Users/{}", id(&ann)) }] });
    let response = globex.post(&format!("{BASE}/Bulk"), &bulk).await.expect(200);
    assert_eq!(response["Operations"][0]["status"], "404");
    acme.get(&ann_path).await.expect(200);
    server.stop().await;
}

#[tokio::test]
async fn tenants_in_a_path_segment() {
    let service = scimkit_examples::in_memory_service(
        tokens(),
        BASE,
        Tenancy::PathSegment,
        ServiceConfig::default(),
    )
    .unwrap();
    let server = TestServer::start(service).await;
    let acme = server.client(TOKEN);
    let globex = server.client(OTHER_TOKEN);

    let reply = acme.post(&format!("{BASE}/acme/Users"), &user("ann")).await;
    let ann = reply.expect(201);
    let location = format!("http://{}{BASE}/acme/Users/{}", server.addr, id(&ann));
    assert_eq!(reply.header("location"), Some(location.as_str()));
    assert_eq!(ann["meta"]["location"], location);
    acme.get(&format!("{BASE}/acme/Users/{}", id(&ann))).await.expect(200);
    let list = acme.get(&format!("{BASE}/acme/Users?filter=userName+eq+%22ann%22")).await;
    assert_eq!(list.expect(200)["totalResults"], 1);

    // Another tenant's token is not valid on this tenant's path.
    let reply = globex.get(&format!("{BASE}/acme/Users/{}", id(&ann))).await;
    reply.expect_error(401, None);
    assert!(reply.header("www-authenticate").is_some());
    // On its own path, the other tenant sees none of it.
    globex.get(&format!("{BASE}/globex/Users/{}", id(&ann))).await.expect_error(404, None);
    let list = globex.get(&format!("{BASE}/globex/Users?filter=userName+eq+%22ann%22")).await;
    assert_eq!(list.expect(200)["totalResults"], 0);
    // Without a tenant segment there is no endpoint.
    acme.get(&format!("{BASE}/Users")).await.expect_error(404, None);
    let spc = acme.get(&format!("{BASE}/acme/ServiceProviderConfig")).await.expect(200);
    assert_eq!(
        spc["meta"]["location"],
        format!("http://{}{BASE}/acme/ServiceProviderConfig", server.addr)
    );
    server.stop().await;
}
