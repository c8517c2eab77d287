//! `PostgresStore::import` stores what `create` would: the same rows in the key and membership
//! tables, the member names filters look up, and the same answers from every read and later
//! write; a duplicate id or unique value fails the whole import and stores nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use scimkit_core::{
    Error, JsonObject, Page, Query, Registry, ResourceStore, ResourceStoreExt, Scope,
};
use scimkit_store_postgres::PostgresStore;
use serde_json::{Value, json};

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// Users imported in one call.
const USERS: usize = 3000;
/// The first of them, also created one at a time in another tenant, to compare with.
const CREATED: usize = 200;

fn object(v: Value) -> JsonObject {
    v.as_object().unwrap().clone()
}

fn user(i: usize) -> JsonObject {
    object(json!({
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "id": format!("u{i:05}"),
        "externalId": format!("EXT-{i}"),
        "userName": format!("User{i}"),
        "name": { "givenName": if i % 2 == 0 { "Ann" } else { "Bo" }, "familyName": "Lee" },
        "emails": [{ "value": format!("user{i}@example.com"), "type": "work", "primary": true }],
        "active": i % 3 != 0,
        ENTERPRISE: { "employeeNumber": i.to_string(), "department": "Tours" },
        "meta": {
            "resourceType": "User",
            "created": "2024-01-01T00:00:00Z",
            "lastModified": "2024-01-01T00:00:00Z",
            "location": format!("https://example.com/v2/Users/u{i:05}"),
        },
    }))
}

fn group(id: &str, name: &str, members: &[usize]) -> JsonObject {
    let members: Vec<Value> =
        members.iter().map(|i| json!({ "value": format!("u{i:05}"), "type": "User" })).collect();
    object(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": id,
        "displayName": name,
        "members": members,
        "meta": { "resourceType": "Group", "lastModified": "2024-01-01T00:00:00Z" },
    }))
}

fn groups() -> Vec<JsonObject> {
    vec![group("g1", "Guides", &[1, 2, 3, 2]), group("g2", "Drivers", &[2, 150])]
}

/// The ids (in order) and total of a User query with `filter`.
async fn ids(store: &PostgresStore, scope: Scope<'_>, filter: &str) -> (Vec<String>, usize) {
    let registry = Registry::standard();
    let schema = registry.resource_type_schema("User").unwrap();
    let parsed = scimkit_filter::Filter::parse(filter).unwrap();
    let prepared = parsed.prepare(&schema).unwrap();
    let query = Query::new(Page::new(1, 100)).with_filter(&parsed, &prepared);
    let page = store.query(scope, &query).await.unwrap().complete(&query);
    (page.resources.iter().map(|r| r.id().to_owned()).collect(), page.total_results)
}

/// The rows of `sql` (whose parameters are a tenant and an id list), as text.
async fn rows(db: &common::TestDb, sql: &str, tenant: &str, ids: &[String]) -> Vec<Vec<String>> {
    let client = db.pool().get().await.unwrap();
    let rows = client.query(sql, &[&tenant, &ids]).await.unwrap();
    rows.iter().map(|row| (0..row.len()).map(|i| row.get::<_, String>(i)).collect()).collect()
}

/// How many rows each table holds for `tenant`.
async fn counts(db: &common::TestDb, tenant: &str) -> Vec<i64> {
    let client = db.pool().get().await.unwrap();
    let mut out = Vec::new();
    for table in ["scim_resources", "scim_unique_keys", "scim_index_keys", "scim_members"] {
        let sql = format!("SELECT count(*) FROM {table} WHERE tenant = $1");
        out.push(client.query_one(&sql, &[&tenant]).await.unwrap().get(0));
    }
    out
}

fn version(v: &scimkit_core::Version) -> i64 {
    v.as_str().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_stores_what_create_would() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let store = db.store().await;
    let (user_keys, group_keys) = common::keys();
    let imported = Scope::new("imported", "User", &user_keys);
    let created = Scope::new("created", "User", &user_keys);
    let imported_groups = Scope::new("imported", "Group", &group_keys);
    let created_groups = Scope::new("created", "Group", &group_keys);

    let mut users: Vec<JsonObject> = (0..USERS).map(user).collect();
    // A member name that only imported users have.
    for u in &mut users[CREATED..] {
        u.insert("nickName".to_owned(), json!("Imp"));
    }
    assert_eq!(store.import(imported, &users).await.unwrap(), USERS);
    assert_eq!(store.import(imported_groups, &groups()).await.unwrap(), 2);
    // As after any large load, the planner needs to learn how the tables grew before
    // autovacuum would tell it (else it may loop over every user for each userName lookup).
    let client = db.pool().get().await.unwrap();
    client
        .batch_execute("ANALYZE scim_resources, scim_unique_keys, scim_index_keys")
        .await
        .unwrap();
    drop(client);
    for u in &users[..CREATED] {
        store.create(created, u.clone()).await.unwrap();
    }
    for g in groups() {
        store.create(created_groups, g).await.unwrap();
    }

    // The same key and membership rows as create wrote, for the same resources.
    let mut both: Vec<String> =
        users[..CREATED].iter().map(|u| u["id"].as_str().unwrap().to_owned()).collect();
    both.extend(["g1".to_owned(), "g2".to_owned()]);
    for sql in [
        "SELECT resource_type, attribute, key, id FROM scim_unique_keys \
         WHERE tenant = $1 AND id = ANY($2) ORDER BY 1, 2, 3, 4",
        "SELECT resource_type, attribute, key, id FROM scim_index_keys \
         WHERE tenant = $1 AND id = ANY($2) ORDER BY 1, 2, 3, 4",
        "SELECT group_id, member_id FROM scim_members \
         WHERE tenant = $1 AND group_id = ANY($2) ORDER BY 1, 2",
    ] {
        let want = rows(&db, sql, "created", &both).await;
        assert!(!want.is_empty(), "{sql}");
        assert_eq!(rows(&db, sql, "imported", &both).await, want, "{sql}");
    }
    assert_eq!(
        counts(&db, "imported").await,
        [USERS as i64 + 2, USERS as i64 + 2, USERS as i64, 5]
    );

    // Reads give what they give after create.
    for i in [0, 42, CREATED - 1] {
        let id = format!("u{i:05}");
        let got = store.get(imported, &id).await.unwrap().unwrap();
        assert_eq!(got.resource, store.get(created, &id).await.unwrap().unwrap().resource);
        assert_eq!(got.resource, users[i]);
        for filter in [
            format!(r#"userName eq "user{i}""#),
            format!(r#"USERNAME eq "USER{i}""#),
            format!(r#"externalId eq "EXT-{i}""#),
        ] {
            assert_eq!(ids(&store, imported, &filter).await, (vec![id.clone()], 1), "{filter}");
            assert_eq!(ids(&store, created, &filter).await, (vec![id.clone()], 1), "{filter}");
        }
    }
    assert_eq!(ids(&store, imported, r#"externalId eq "ext-42""#).await.1, 0);
    assert_eq!(ids(&store, imported, r#"userName eq "USER2999""#).await.0, ["u02999"]);
    let members = ["u00001", "u00002", "u00003", "u00150", "u00004"];
    let memberships = store.groups_of("imported", &members).await.unwrap();
    assert_eq!(memberships, store.groups_of("created", &members).await.unwrap());
    assert_eq!(memberships["u00002"].len(), 2);
    assert!(!memberships.contains_key("u00004"));

    // The names imported data uses are recorded: another replica (which knows none yet)
    // finds them in any case.
    let replica = db.store().await;
    let (found, total) = ids(&replica, imported, r#"NICKNAME eq "imp""#).await;
    assert_eq!((found.first().map(String::as_str), total), (Some("u00200"), USERS - CREATED));

    // Later writes: unique values and ids are taken, versions go on after the imported ones.
    let mut clash = user(7);
    clash.insert("id".to_owned(), json!("other"));
    clash.insert("userName".to_owned(), json!("USER42"));
    let err = store.create(imported, clash).await.unwrap_err();
    assert!(matches!(err, Error::Uniqueness { .. }), "{err:?}");
    assert_eq!(err.status(), 409);
    let err = store.create(imported, user(42)).await.unwrap_err();
    assert!(matches!(err, Error::Uniqueness { .. }), "{err:?}");

    let all = store.query(imported, &Query::new(Page::new(1, USERS + 10))).await.unwrap();
    assert_eq!(all.total_results, USERS);
    let newest = all.resources.iter().map(|r| version(&r.version)).max().unwrap();
    let mut versions: Vec<i64> = all.resources.iter().map(|r| version(&r.version)).collect();
    versions.sort_unstable();
    versions.dedup();
    assert_eq!(versions.len(), USERS, "imported versions are distinct");
    let old = store.get(imported, "u00042").await.unwrap().unwrap().version;
    let mut renamed = user(42);
    renamed.insert("userName".to_owned(), json!("Renamed42"));
    let replaced = store.replace(imported, "u00042", renamed, Some(&old)).await.unwrap();
    assert!(version(&replaced.version) > newest);
    assert_eq!(ids(&store, imported, r#"userName eq "user42""#).await.1, 0);
    assert_eq!(ids(&store, imported, r#"userName eq "renamed42""#).await.0, ["u00042"]);
    let mut reuse = user(42);
    reuse.insert("id".to_owned(), json!("reuse"));
    store.create(imported, reuse).await.unwrap();

    // Deleting an imported member takes it out of the imported groups.
    store.delete(imported, "u00002", None).await.unwrap();
    assert!(store.groups_of("imported", &["u00002"]).await.unwrap().is_empty());
    let g1 = store.get(imported_groups, "g1").await.unwrap().unwrap();
    assert_eq!(
        g1.resource["members"],
        json!([{ "value": "u00001", "type": "User" }, { "value": "u00003", "type": "User" }])
    );
    db.drop_schema().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_of_a_duplicate_fails_whole() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let store = db.store().await;
    let (user_keys, group_keys) = common::keys();
    let scope = Scope::new("dup", "User", &user_keys);
    let batch = || -> Vec<JsonObject> {
        (0..100)
            .map(|i| {
                let mut u = user(i);
                u.insert("nickName".to_owned(), json!("Batch"));
                u
            })
            .collect()
    };
    let uniqueness = |result: scimkit_core::Result<usize>| match result {
        Err(Error::Uniqueness { detail }) => detail,
        other => panic!("expected a uniqueness error, got {other:?}"),
    };

    // Inside the batch: a userName in another case, an id twice.
    let mut names = batch();
    names.push(object(json!({ "id": "x", "userName": "USER5" })));
    assert_eq!(uniqueness(store.import(scope, &names).await), "userName is already in use");
    let mut same_id = batch();
    same_id.push(user(5));
    assert_eq!(uniqueness(store.import(scope, &same_id).await), "id is already in use");
    assert_eq!(counts(&db, "dup").await, [0, 0, 0, 0]);

    // Against stored data.
    store.create(scope, object(json!({ "id": "t1", "userName": "Taken" }))).await.unwrap();
    let mut taken = batch();
    taken.push(object(json!({ "id": "t2", "userName": "TAKEN" })));
    assert_eq!(uniqueness(store.import(scope, &taken).await), "userName is already in use");
    let mut taken_id = batch();
    taken_id.push(object(json!({ "id": "t1", "userName": "free" })));
    assert_eq!(uniqueness(store.import(scope, &taken_id).await), "id is already in use");
    let group_scope = Scope::new("dup", "Group", &group_keys);
    let mut two = groups();
    two[1].insert("displayName".to_owned(), json!("GUIDES"));
    assert_eq!(uniqueness(store.import(group_scope, &two).await), "displayName is already in use");
    assert_eq!(counts(&db, "dup").await, [1, 1, 0, 0]);

    // No id: nothing is written.
    let mut no_id = batch();
    no_id.push(object(json!({ "userName": "anonymous" })));
    let err = store.import(scope, &no_id).await.unwrap_err();
    assert!(matches!(err, Error::InvalidValue { .. }), "{err:?}");
    assert_eq!(store.import(scope, &[]).await.unwrap(), 0);
    assert_eq!(counts(&db, "dup").await, [1, 1, 0, 0]);

    // The failures left nothing behind, not even names marked as recorded: the batch imports
    // (on a spawned task: the future is Send), and its names are found.
    let (store, keys, users) = (store.clone(), Arc::new(user_keys.clone()), batch());
    let imported = tokio::spawn(async move {
        store.import(Scope::new("dup", "User", &keys), &users).await.map(|n| (n, store))
    });
    let (n, store) = imported.await.unwrap().unwrap();
    assert_eq!(n, 100);
    assert_eq!(counts(&db, "dup").await, [101, 101, 100, 0]);
    assert_eq!(ids(&store, scope, r#"nickName eq "batch""#).await.1, 100);
    db.drop_schema().await;
}
