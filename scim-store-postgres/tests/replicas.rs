//! Two stores with their own pools over one database behave as two replicas of a service.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use scimkit_core::{Error, Registry, ResourceStore, ResourceStoreExt, Scope, StoreKeys};
use serde_json::{Value, json};

fn object(v: Value) -> scimkit_core::JsonObject {
    v.as_object().unwrap().clone()
}

/// The Group keys with `displayName` unique (as Entra expects) and without.
fn group_keys() -> (StoreKeys, StoreKeys) {
    let registry = Registry::standard();
    let plain = StoreKeys::for_type(&registry.resource_type_schema("Group").unwrap());
    (common::keys().1, plain)
}

fn group(id: &str, name: &str) -> scimkit_core::JsonObject {
    object(json!({ "id": id, "displayName": name }))
}

fn user(id: &str, name: &str) -> scimkit_core::JsonObject {
    object(json!({ "id": id, "userName": name, "meta": { "resourceType": "User" } }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_racing_creates_of_case_variants_give_one_success() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let (a, b) = (Arc::new(db.store().await), Arc::new(db.store().await));
    let (users, _) = common::keys();
    let users = Arc::new(users);
    for round in 0..10 {
        let mut tasks = Vec::new();
        for (n, name) in
            ["Racer", "racer", "RACER", "rAcEr", "\u{212A}elvin", "kelvin"].iter().enumerate()
        {
            let store = if n % 2 == 0 { a.clone() } else { b.clone() };
            let users = users.clone();
            let name = format!("{name}{round}");
            tasks.push(tokio::spawn(async move {
                let scope = Scope::new("race", "User", &users);
                store.create(scope, user(&format!("u{round}-{n}"), &name)).await
            }));
        }
        let mut ok = 0;
        let mut kelvin_ok = 0;
        for (n, task) in tasks.into_iter().enumerate() {
            match task.await.unwrap() {
                Ok(_) if n < 4 => ok += 1,
                Ok(_) => kelvin_ok += 1,
                Err(Error::Uniqueness { .. }) => {}
                Err(other) => panic!("unexpected error: {other}"),
            }
        }
        assert_eq!((ok, kelvin_ok), (1, 1), "round {round}");
    }
    db.drop_schema().await;
}

#[tokio::test]
async fn etag_preconditions_hold_across_replicas() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let (a, b) = (db.store().await, db.store().await);
    let (users, _) = common::keys();
    let scope = Scope::new("etag", "User", &users);
    let v1 = a.create(scope, user("u1", "ann")).await.unwrap().version;
    assert_eq!(b.get(scope, "u1").await.unwrap().unwrap().version, v1);
    let v2 = b.replace(scope, "u1", user("u1", "ann2"), Some(&v1)).await.unwrap().version;
    let stale = a.replace(scope, "u1", user("u1", "ann3"), Some(&v1)).await;
    assert!(matches!(stale, Err(Error::PreconditionFailed { .. })), "{stale:?}");
    let stale = a.delete(scope, "u1", Some(&v1)).await;
    assert!(matches!(stale, Err(Error::PreconditionFailed { .. })), "{stale:?}");
    let missing = a.delete(scope, "nope", Some(&v1)).await;
    assert!(matches!(missing, Err(Error::NotFound { .. })), "{missing:?}");
    a.delete(scope, "u1", Some(&v2)).await.unwrap();
    assert!(b.get(scope, "u1").await.unwrap().is_none());
    db.drop_schema().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_group_member_updates_are_compare_and_swap() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let (a, b) = (Arc::new(db.store().await), Arc::new(db.store().await));
    let (users, groups) = common::keys();
    let (users, groups) = (Arc::new(users), Arc::new(groups));
    let t = "groups";
    for n in 0..20 {
        a.create(Scope::new(t, "User", &users), user(&format!("u{n:02}"), &format!("user{n}")))
            .await
            .unwrap();
    }
    let group = |members: &[String]| {
        let members: Vec<Value> = members.iter().map(|m| json!({ "value": m })).collect();
        object(json!({ "id": "g1", "displayName": "Sales", "members": members,
                       "meta": { "resourceType": "Group", "lastModified": "2020-01-01T00:00:00Z" } }))
    };
    a.create(Scope::new(t, "Group", &groups), group(&[])).await.unwrap();

    // Every task adds its member with read-modify-write and If-Match, retrying on 412, as the
    // PATCH path of the service does: no update is lost.
    let mut tasks = Vec::new();
    for n in 0..20 {
        let store = if n % 2 == 0 { a.clone() } else { b.clone() };
        let groups = groups.clone();
        tasks.push(tokio::spawn(async move {
            let scope = Scope::new(t, "Group", &groups);
            loop {
                let current = store.get(scope, "g1").await.unwrap().unwrap();
                let mut members: Vec<String> = current.resource["members"]
                    .as_array()
                    .map(|m| m.iter().map(|m| m["value"].as_str().unwrap().to_owned()).collect())
                    .unwrap_or_default();
                members.push(format!("u{n:02}"));
                match store.replace(scope, "g1", group(&members), Some(&current.version)).await {
                    Ok(_) => return,
                    Err(Error::PreconditionFailed { .. }) => continue,
                    Err(other) => panic!("{other}"),
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let g = a.get(Scope::new(t, "Group", &groups), "g1").await.unwrap().unwrap();
    assert_eq!(g.resource["members"].as_array().unwrap().len(), 20);
    let ids: Vec<String> = (0..20).map(|n| format!("u{n:02}")).collect();
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let member_of = b.groups_of(t, &id_refs).await.unwrap();
    assert_eq!(member_of.len(), 20);

    // Deleting members on both replicas at once removes each from the group, with new versions.
    let mut tasks = Vec::new();
    for n in 0..10 {
        let store = if n % 2 == 0 { a.clone() } else { b.clone() };
        let users = users.clone();
        tasks.push(tokio::spawn(async move {
            store.delete(Scope::new(t, "User", &users), &format!("u{n:02}"), None).await.unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let after = a.get(Scope::new(t, "Group", &groups), "g1").await.unwrap().unwrap();
    assert_eq!(after.resource["members"].as_array().unwrap().len(), 10);
    assert_ne!(after.version, g.version);
    assert_ne!(after.resource["meta"]["lastModified"], "2020-01-01T00:00:00Z");
    let member_of = b.groups_of(t, &id_refs).await.unwrap();
    assert_eq!(member_of.len(), 10);
    db.drop_schema().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_dropped_from_the_configuration_and_added_again_is_rebuilt() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let (unique_names, plain) = group_keys();
    let by_name =
        |name: &str| scimkit_filter::Filter::parse(&format!(r#"displayName eq "{name}""#)).unwrap();

    // Group displayName unique, then a deployment without that key renames the group and
    // creates a second "Admins", then the key is configured again.
    let first = db.store().await;
    first.create(Scope::new("t", "Group", &unique_names), group("g1", "Admins")).await.unwrap();
    let second = db.store().await;
    let scope = Scope::new("t", "Group", &plain);
    second.replace(scope, "g1", group("g1", "Sales"), None).await.unwrap();
    second.create(scope, group("g2", "Admins")).await.unwrap();

    let third = db.store().await;
    let scope = Scope::new("t", "Group", &unique_names);
    let registry = Registry::standard();
    let schema = registry.resource_type_schema("Group").unwrap();
    for (name, expected) in [("sales", vec!["g1"]), ("admins", vec!["g2"])] {
        let filter = by_name(name);
        let prepared = filter.prepare(&schema).unwrap();
        let query = scimkit_core::Query::new(scimkit_core::Page::new(1, 10))
            .with_filter(&filter, &prepared)
            .with_schema(&schema);
        let page = third.query(scope, &query).await.unwrap().complete(&query);
        let ids: Vec<&str> = page.resources.iter().map(|r| r.id()).collect();
        // The rebuilt keys hold the current names, not the ones the first deployment wrote.
        assert_eq!(ids, expected, "{name}");
    }
    let taken = third.create(scope, group("g4", "SALES")).await;
    assert!(matches!(taken, Err(Error::Uniqueness { .. })), "{taken:?}");
    db.drop_schema().await;
}

/// Groups by `displayName`, through the store's query (and the library's completion).
async fn groups_named(store: &dyn ResourceStore, scope: Scope<'_>, name: &str) -> Vec<String> {
    let registry = Registry::standard();
    let schema = registry.resource_type_schema("Group").unwrap();
    let filter = scimkit_filter::Filter::parse(&format!(r#"displayName eq "{name}""#)).unwrap();
    let prepared = filter.prepare(&schema).unwrap();
    let query = scimkit_core::Query::new(scimkit_core::Page::new(1, 10))
        .with_filter(&filter, &prepared)
        .with_schema(&schema);
    let page = store.query(scope, &query).await.unwrap().complete(&query);
    page.resources.iter().map(|r| r.id().to_owned()).collect()
}

/// A replica started with a configuration where a Group's `displayName` is not a key keeps
/// running while a newer replica makes it unique: the older one's next writes honour the new
/// key (a taken name is refused, a new one is indexed for the newer replica's lookups).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_replica_follows_a_key_a_newer_one_added() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let (unique_names, plain) = group_keys();
    let older = db.store().await;
    let old_scope = Scope::new("t", "Group", &plain);
    older.create(old_scope, group("g1", "Admins")).await.unwrap();

    let newer = db.store().await;
    let new_scope = Scope::new("t", "Group", &unique_names);
    newer.create(new_scope, group("g2", "Sales")).await.unwrap();

    let taken = older.create(old_scope, group("g3", "ADMINS")).await;
    assert!(matches!(taken, Err(Error::Uniqueness { .. })), "{taken:?}");
    older.create(old_scope, group("g4", "Support")).await.unwrap();
    older.replace(old_scope, "g1", group("g1", "Owners"), None).await.unwrap();
    assert_eq!(groups_named(&newer, new_scope, "support").await, ["g4"]);
    assert_eq!(groups_named(&newer, new_scope, "owners").await, ["g1"]);
    assert!(groups_named(&newer, new_scope, "admins").await.is_empty());
    let taken = newer.create(new_scope, group("g5", "support")).await;
    assert!(matches!(taken, Err(Error::Uniqueness { .. })), "{taken:?}");
    db.drop_schema().await;
}

/// A replica that looks groups up by a unique `displayName` keeps running while a newer
/// replica drops that key: its lookups stay right, at once after a write of its own and
/// within a second otherwise, and the name is no longer held unique.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_replica_follows_a_key_a_newer_one_dropped() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let (unique_names, plain) = group_keys();
    let older = db.store().await;
    let old_scope = Scope::new("t", "Group", &unique_names);
    older.create(old_scope, group("g1", "Admins")).await.unwrap();
    assert_eq!(groups_named(&older, old_scope, "admins").await, ["g1"]);

    let newer = db.store().await;
    let new_scope = Scope::new("t", "Group", &plain);
    newer.create(new_scope, group("g2", "Sales")).await.unwrap();
    newer.create(new_scope, group("g3", "admins")).await.unwrap();

    // Past the bound on what a query trusts without looking.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(groups_named(&older, old_scope, "sales").await, ["g2"]);
    assert_eq!(groups_named(&older, old_scope, "admins").await, ["g1", "g3"]);
    // A write of its own looks at once.
    older.create(old_scope, group("g4", "ADMINS")).await.unwrap();
    assert_eq!(groups_named(&older, old_scope, "admins").await, ["g1", "g3", "g4"]);
    db.drop_schema().await;
}
