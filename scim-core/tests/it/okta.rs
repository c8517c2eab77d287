//! Okta's provisioning flows: paged import, case-insensitive match, create with a password,
//! PUT updates carrying read-only fields, deactivation by PATCH and PUT, and group push.

use serde_json::{Value, json};

use crate::harness::{Client, patch_op};

const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

fn okta_user(login: &str) -> Value {
    json!({
        "schemas": [CORE],
        "userName": login,
        "name": { "givenName": "Test", "familyName": "User" },
        "emails": [{ "primary": true, "value": login, "type": "work" }],
        "displayName": "Test User",
        "locale": "en-US",
        "externalId": format!("00u{}", login.len()),
        "groups": [],
        "password": "1mz050nq",
        "active": true
    })
}

#[tokio::test]
async fn paged_import_with_integer_counts_and_stable_order() {
    let client = Client::new();
    let probe = client.get("/Users?startIndex=1&count=2").await.expect(200);
    assert_eq!(probe.body["totalResults"], 0);
    for n in 0..5 {
        client.post("/Users", okta_user(&format!("user{n}@example.com"))).await.expect(201);
    }
    let mut seen = Vec::new();
    for start in [1, 3, 5] {
        let page = client.get(&format!("/Users?startIndex={start}&count=2")).await.expect(200);
        assert_eq!(page.body["totalResults"], json!(5), "an integer, not a string");
        assert_eq!(page.body["startIndex"], json!(start));
        let resources = page.body["Resources"].as_array().unwrap();
        assert_eq!(page.body["itemsPerPage"], json!(resources.len()));
        seen.extend(resources.iter().map(|r| r["id"].as_str().unwrap().to_owned()));
    }
    let all = client.get("/Users?count=100").await.expect(200);
    let ids: Vec<String> = all.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen, ids, "pages concatenate to the full, stably ordered list");
    assert_eq!(ids.len(), 5);
}

#[tokio::test]
async fn user_lifecycle() {
    let client = Client::new();
    // Okta matches case-insensitively, with %20 and %40 encodings.
    let created = client.post("/Users", okta_user("isaac.brock@example.com")).await.expect(201);
    let found = client
        .get("/Users?filter=userName%20eq%20%22ISAAC.BROCK%40EXAMPLE.COM%22&startIndex=1&count=100")
        .await
        .expect(200);
    assert_eq!(found.body["totalResults"], 1);

    // The password is never returned: not on create, get, list, search or PATCH; under the
    // default policy it is not even stored.
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/Users/{id}");
    assert!(created.body.get("password").is_none());
    assert!(created.body.get("groups").is_none(), "an empty groups list is not output");
    for reply in [
        client.get(&path).await,
        client.get(&format!("{path}?attributes=password")).await,
        client.get("/Users?attributes=password,userName").await,
        client.post("/Users/.search", json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "attributes": ["password"] })).await,
        client.patch(&path, patch_op(json!([{ "op": "replace", "path": "password", "value": "n3w" }]))).await,
    ] {
        assert!(!reply.body.to_string().contains("1mz050nq"), "{}", reply.body);
        assert!(!reply.body.to_string().contains("n3w"), "{}", reply.body);
        assert!(!reply.body.to_string().contains("password"), "{}", reply.body);
    }
    let stored = client.service.manager().get("tenant-1", "User", &id).await.unwrap();
    assert!(stored.resource.get("password").is_none(), "the default policy keeps no password");
    let filtered = client.get("/Users?filter=password+eq+%22n3w%22").await.expect(400);
    assert_eq!(filtered.body["scimType"], "invalidFilter", "no probing of passwords by filter");

    // A duplicate is refused with uniqueness.
    let dup = client.post("/Users", okta_user("Isaac.Brock@example.com")).await.expect(409);
    assert_eq!(dup.body["scimType"], "uniqueness");
    assert_eq!(dup.body["status"], "409");

    // Update: GET, change, PUT the whole resource back, read-only fields included.
    let mut user = client.stored(&path).await;
    user["name"]["givenName"] = json!("Isaac");
    user["meta"]["created"] = json!("1999-01-01T00:00:00Z");
    user["groups"] = json!([{ "value": "not-a-group" }]);
    user["id"] = json!("another-id");
    let put = client.put(&path, user.clone()).await.expect(200);
    assert_eq!(put.body["id"], id, "the id cannot change");
    assert_eq!(put.body["name"]["givenName"], "Isaac");
    assert_eq!(put.body["meta"]["created"], created.body["meta"]["created"]);
    assert!(put.body.get("groups").is_none(), "groups are derived, never written");
    let stored = client.service.manager().get("tenant-1", "User", &id).await.unwrap();
    assert!(stored.resource.get("password").is_none(), "nothing kept, nothing brought back");

    // Deactivation by PATCH (path-less replace), then by PUT.
    let patched = client
        .patch(&path, patch_op(json!([{ "op": "replace", "value": { "active": false } }])))
        .await
        .expect(200);
    assert_eq!(patched.body["active"], false);
    let mut user = client.stored(&path).await;
    user["active"] = json!(true);
    assert_eq!(client.put(&path, user.clone()).await.expect(200).body["active"], true);
    user["active"] = json!(false);
    assert_eq!(client.put(&path, user).await.expect(200).body["active"], false);
    assert_eq!(client.stored(&path).await["active"], false);
}

#[tokio::test]
async fn group_push() {
    let client = Client::new();
    let u1 = client.post("/Users", okta_user("a@example.com")).await.expect(201).body["id"].clone();
    let u2 = client.post("/Users", okta_user("b@example.com")).await.expect(201).body["id"].clone();
    let group = client
        .post("/Groups", json!({ "schemas": [GROUP], "displayName": "Engineering", "members": [{ "value": u1, "display": "a@example.com" }] }))
        .await
        .expect(201);
    let gid = group.body["id"].as_str().unwrap().to_owned();
    let path = format!("/Groups/{gid}");
    assert_eq!(group.body["members"], json!([{ "value": u1, "display": "a@example.com" }]));

    // Rename by a path-less replace that carries the read-only id.
    client
        .patch(&path, patch_op(json!([{ "op": "replace", "value": { "id": gid, "displayName": "Engineering Team" } }])))
        .await
        .expect(200);
    assert_eq!(client.stored(&path).await["displayName"], "Engineering Team");

    // Membership: add, remove by filter (twice: Okta retries), replace wholesale. After each,
    // the group-aware queries agree (RFC 7643 §4.1.2: a user's `groups` is derived from the
    // groups' `members`): users by `groups eq`, the group by `members eq`.
    let (a, b) = (u1.as_str().unwrap().to_owned(), u2.as_str().unwrap().to_owned());
    let members_by_query = async |expected: &[&str]| {
        let filter = format!("groups eq \"{gid}\"").replace(' ', "%20").replace('"', "%22");
        let users =
            client.get(&format!("/Users?filter={filter}&sortBy=userName")).await.expect(200);
        let found: Vec<&str> = users.body["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap())
            .collect();
        assert_eq!(found, expected, "users in the group");
        for id in [&a, &b] {
            let filter =
                format!("members[value eq \"{id}\"]").replace(' ', "%20").replace('"', "%22");
            let groups = client.get(&format!("/Groups?filter={filter}")).await.expect(200);
            let listed = usize::from(expected.contains(&id.as_str()));
            assert_eq!(groups.body["totalResults"], listed, "groups of {id}");
            let user = client.get(&format!("/Users/{id}")).await.expect(200);
            let groups = user.body["groups"].as_array().map_or(0, Vec::len);
            assert_eq!(groups, listed, "the groups of {id}: {}", user.body);
        }
    };
    members_by_query(&[&a]).await;
    client
        .patch(&path, patch_op(json!([{ "op": "add", "path": "members", "value": [{ "value": u2, "display": "b@example.com" }] }])))
        .await
        .expect(200);
    assert_eq!(client.stored(&path).await["members"].as_array().unwrap().len(), 2);
    members_by_query(&[&a, &b]).await;
    let remove = patch_op(
        json!([{ "op": "remove", "path": format!("members[value eq \"{}\"]", u1.as_str().unwrap()) }]),
    );
    client.patch(&path, remove.clone()).await.expect(200);
    client.patch(&path, remove).await.expect(200);
    assert_eq!(
        client.stored(&path).await["members"],
        json!([{ "value": u2, "display": "b@example.com" }])
    );
    members_by_query(&[&b]).await;
    client
        .patch(
            &path,
            patch_op(json!([{ "op": "replace", "path": "members", "value": [{ "value": u1 }] }])),
        )
        .await
        .expect(200);
    assert_eq!(client.stored(&path).await["members"], json!([{ "value": u1 }]));
    members_by_query(&[&a]).await;

    // Okta pushes renames with PUT too.
    let put = client
        .put(&path, json!({ "schemas": [GROUP], "id": gid, "displayName": "Eng", "members": [] }))
        .await
        .expect(200);
    assert_eq!(put.body["displayName"], "Eng");
    assert!(put.body.get("members").is_none());
    client.delete(&path).await.expect(204);
}

/// Okta's password sync pushes a new password in the PUT of the whole user (Okta's SCIM 2.0
/// guide: "Update a specific User (PUT)" with `password` when "Sync Password" is on). Under the
/// hashing policy the PUT must change the stored hash, with a new version; a PUT without a
/// password, or with the same one, keeps it and the version.
#[tokio::test]
async fn a_put_with_a_new_password_changes_it() {
    use scimkit_core::{PasswordHashing, PasswordPolicy, ServiceConfig, verify_password};
    let policy = PasswordPolicy::Hash(PasswordHashing::new(64, 1, 1));
    let client = Client::with_config(ServiceConfig::default().with_passwords(policy));
    let user = json!({ "schemas": [CORE], "userName": "pw@example.com", "password": "first-Pa55" });
    let created = client.post("/Users", user).await.expect(201);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/Users/{id}");
    let stored_password = || async {
        let stored = client.service.manager().get("tenant-1", "User", &id).await.unwrap();
        stored.resource["password"].as_str().unwrap().to_owned()
    };
    let first = stored_password().await;
    assert!(first.starts_with("$argon2id$") && verify_password("first-Pa55", &first), "{first}");
    let mut body = client.stored(&path).await;
    body["password"] = json!("second-Pa55");
    let replaced = client.put(&path, body.clone()).await.expect(200);
    assert_ne!(replaced.header("etag"), created.header("etag"), "a changed password is a change");
    assert!(replaced.body.get("password").is_none(), "never returned");
    let second = stored_password().await;
    assert!(verify_password("second-Pa55", &second) && !verify_password("first-Pa55", &second));
    // The same password again is no change.
    let same = client.put(&path, body.clone()).await.expect(200);
    assert_eq!(same.header("etag"), replaced.header("etag"));
    assert_eq!(stored_password().await, second);
    // Okta's ordinary PUT carries no password: the stored one stays, and so does the version.
    body.as_object_mut().unwrap().remove("password");
    let again = client.put(&path, body).await.expect(200);
    assert_eq!(again.header("etag"), replaced.header("etag"));
    assert_eq!(stored_password().await, second);
    // A PATCH of the password is a change; of the same password, none.
    let patched = client
        .patch(
            &path,
            patch_op(json!([{ "op": "replace", "path": "password", "value": "third-Pa55" }])),
        )
        .await
        .expect(200);
    assert_ne!(patched.header("etag"), again.header("etag"));
    assert!(verify_password("third-Pa55", &stored_password().await));
    let unchanged = client
        .patch(
            &path,
            patch_op(json!([{ "op": "replace", "path": "password", "value": "third-Pa55" }])),
        )
        .await
        .expect(200);
    assert_eq!(unchanged.header("etag"), patched.header("etag"));
}

/// The password policies over HTTP: the default drops passwords (and says so in
/// `/ServiceProviderConfig`), the rejecting one refuses them, the plaintext one keeps them.
#[tokio::test]
async fn password_policies() {
    use scimkit_core::{PasswordPolicy, ServiceConfig};
    let user = |name: &str| json!({ "schemas": [CORE], "userName": name, "password": "Pa55-word" });
    async fn stored(client: &Client, id: String) -> scimkit_core::JsonObject {
        client.service.manager().get("tenant-1", "User", &id).await.unwrap().resource
    }

    let default = Client::new();
    let created = default.post("/Users", user("d@example.com")).await.expect(201);
    let kept = stored(&default, created.body["id"].as_str().unwrap().to_owned()).await;
    assert!(kept.get("password").is_none(), "{kept:?}");
    let config = default.get("/ServiceProviderConfig").await.expect(200);
    assert_eq!(config.body["changePassword"]["supported"], false);
    // A PATCH that only sets a password changes nothing.
    let path = format!("/Users/{}", created.body["id"].as_str().unwrap());
    let patched = default
        .patch(&path, patch_op(json!([{ "op": "replace", "path": "password", "value": "x-Pa55" }])))
        .await
        .expect(200);
    assert_eq!(patched.header("etag"), created.header("etag"));

    let rejecting =
        Client::with_config(ServiceConfig::default().with_passwords(PasswordPolicy::Reject));
    let refused = rejecting.post("/Users", user("r@example.com")).await.expect(400);
    assert_eq!(refused.body["scimType"], "invalidValue");
    assert!(!refused.body.to_string().contains("Pa55-word"));
    let listed = rejecting.get("/Users").await.expect(200);
    assert_eq!(listed.body["totalResults"], 0, "nothing was written");
    let without = json!({ "schemas": [CORE], "userName": "r2@example.com" });
    rejecting.post("/Users", without).await.expect(201);

    let plain =
        Client::with_config(ServiceConfig::default().with_passwords(PasswordPolicy::KeepPlaintext));
    let created = plain.post("/Users", user("p@example.com")).await.expect(201);
    let kept = stored(&plain, created.body["id"].as_str().unwrap().to_owned()).await;
    assert_eq!(kept["password"], "Pa55-word");
    let config = plain.get("/ServiceProviderConfig").await.expect(200);
    assert_eq!(config.body["changePassword"]["supported"], true);
}
