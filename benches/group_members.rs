//! Large groups through the protocol service on the in-memory store: adding and removing one
//! member by PATCH (Entra's forms, answered with `excludedAttributes=members`), and reading the
//! group and the group list with `excludedAttributes=members` (Entra's group reads), for groups
//! of 10 and 10,000 members, and (with `SCIM_BENCH_LARGE=1`) 1,000,000. Each figure should
//! stay flat as the group grows.

#![allow(clippy::unwrap_used, reason = "a bench's setup failing is a bug to see at once")]

use std::cell::Cell;
use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use scimkit_benches::{generate_users, ready, service_request};
use scimkit_core::http::{BearerTokens, Principal, ScimService};
use scimkit_core::{Registry, ResourceManager, ResourceStoreExt, Scope, StoreKeys};
use scimkit_store_memory::InMemoryStore;
use serde_json::{Value, json};

fn sizes() -> Vec<usize> {
    let mut sizes = vec![10, 10_000];
    if std::env::var_os("SCIM_BENCH_LARGE").is_some() {
        sizes.push(1_000_000);
    }
    sizes
}

/// A store with `n + 1` users and one group listing the first `n`; the group's id and the
/// id of the user left out.
fn load(n: usize) -> (InMemoryStore, String, String) {
    let registry = Registry::standard();
    let user_keys = StoreKeys::for_type(&registry.resource_type_schema("User").unwrap());
    let group_keys = StoreKeys::for_type(&registry.resource_type_schema("Group").unwrap());
    let store = InMemoryStore::new();
    let users = Scope::new("default", "User", &user_keys);
    let mut ids = Vec::with_capacity(n + 1);
    for user in generate_users(n + 1) {
        let Value::Object(mut user) = user else { continue };
        if let Some(Value::Object(meta)) = user.get_mut("meta") {
            meta.remove("version");
            meta.remove("location");
        }
        ids.push(ready(store.create(users, user)).unwrap().id().to_owned());
    }
    let outsider = ids.pop().unwrap();
    let members: Vec<Value> = ids.iter().map(|id| json!({ "value": id, "type": "User" })).collect();
    let Value::Object(group) = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "large-group",
        "displayName": format!("{n} members"),
        "members": members,
        "meta": { "resourceType": "Group", "created": "2026-01-01T00:00:00Z",
                  "lastModified": "2026-01-01T00:00:00Z" },
    }) else {
        unreachable!("a JSON object literal")
    };
    let groups = Scope::new("default", "Group", &group_keys);
    let group = ready(store.create(groups, group)).unwrap().id().to_owned();
    (store, group, outsider)
}

fn group_members(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    for n in sizes() {
        let (store, group_id, outsider) = load(n);
        let manager = ResourceManager::builder(Arc::new(store)).build().unwrap();
        let tokens = BearerTokens::new().with_token("bench-token", Principal::new("default", "b"));
        let service = ScimService::builder(manager, tokens).base_path("/scim/v2").build();
        let handle = |method: &str, uri: &str, body: Vec<u8>| {
            runtime.block_on(service.handle(service_request(method, uri, body)))
        };

        let mut group = c.benchmark_group(format!("group_members/{n}"));
        if n >= 1_000_000 {
            group.sample_size(10);
        }
        let uri = format!("/scim/v2/Groups/{group_id}?excludedAttributes=members");
        let add = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{ "op": "Add", "path": "members", "value": [{ "value": outsider }] }],
        })
        .to_string()
        .into_bytes();
        let remove = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{ "op": "Remove", "path": format!("members[value eq \"{outsider}\"]") }],
        })
        .to_string()
        .into_bytes();
        // One change per iteration: the member goes in, then out, then in again.
        let listed = Cell::new(false);
        group.bench_function("patch_add_or_remove_one", |b| {
            b.iter(|| {
                let body = if listed.replace(!listed.get()) { &remove } else { &add };
                let response = handle("PATCH", &uri, body.clone());
                assert_eq!(response.status(), 200);
                black_box(response)
            })
        });
        group.bench_function("get_excluding_members", |b| {
            b.iter(|| {
                let response = handle("GET", &uri, Vec::new());
                assert_eq!(response.status(), 200);
                black_box(response)
            })
        });
        let list = "/scim/v2/Groups?excludedAttributes=members";
        group.bench_function("list_excluding_members", |b| {
            b.iter(|| {
                let response = handle("GET", list, Vec::new());
                assert_eq!(response.status(), 200);
                black_box(response)
            })
        });
        group.finish();
        // The walk left the group as it found it, or with the outsider in; either way it
        // still lists every member it was built with.
        let full = handle("GET", &format!("/scim/v2/Groups/{group_id}"), Vec::new());
        let body: Value = serde_json::from_slice(full.body()).unwrap();
        let listed = body["members"].as_array().map_or(0, Vec::len);
        assert!(listed == n || listed == n + 1, "{listed} members listed of {n}");
    }
}

criterion_group!(benches, group_members);
criterion_main!(benches);
