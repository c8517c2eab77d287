//! Concurrent writers and readers through the protocol service: no lost update, no duplicate,
//! no half-applied change seen.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::harness::{Client, patch_op};

fn spawn_all<F, T>(n: usize, f: impl Fn(usize) -> F) -> Vec<tokio::task::JoinHandle<T>>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    (0..n).map(|i| tokio::spawn(f(i))).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_creates_of_case_variants_give_one_success() {
    let client = Arc::new(Client::new());
    let tasks = spawn_all(64, |n| {
        let client = client.clone();
        async move {
            let name: String = "alice"
                .chars()
                .enumerate()
                .map(|(i, c)| if (n >> i) & 1 == 1 { c.to_ascii_uppercase() } else { c })
                .collect();
            client.post("/Users", json!({ "userName": name })).await.status
        }
    });
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|&&s| s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|&&s| s == 409).count(), 63, "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_patches_lose_no_update() {
    let client = Arc::new(Client::new());
    let id = client.post("/Users", json!({ "userName": "target" })).await.expect(201).body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = Arc::new(format!("/Users/{id}"));

    // Clients that pin the version with If-Match and retry on 412.
    let pinned = spawn_all(16, |n| {
        let (client, path) = (client.clone(), path.clone());
        async move {
            loop {
                let current = client.get(&path).await.expect(200);
                let etag = current.header("etag").unwrap().to_owned();
                let body = patch_op(
                    json!([{ "op": "add", "path": "entitlements", "value": [{ "value": format!("e{n}") }] }]),
                );
                let reply = client
                    .send_with("PATCH", &path, Some(body), &[("If-Match", etag.as_str())])
                    .await;
                match reply.status {
                    200 => break,
                    412 => tokio::task::yield_now().await,
                    other => panic!("unexpected {other}: {}", reply.body),
                }
            }
        }
    });
    // Clients that send no If-Match: the service retries internally.
    let unpinned = spawn_all(32, |n| {
        let (client, path) = (client.clone(), path.clone());
        async move {
            let body = patch_op(
                json!([{ "op": "add", "path": "roles", "value": [{ "value": format!("r{n}") }] }]),
            );
            client.patch(&path, body).await.expect(200);
        }
    });
    for task in pinned.into_iter().chain(unpinned) {
        task.await.unwrap();
    }
    let user = client.stored(&path).await;
    assert_eq!(user["entitlements"].as_array().unwrap().len(), 16, "{user}");
    assert_eq!(user["roles"].as_array().unwrap().len(), 32, "{user}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_member_adds_and_removes_leave_the_group_consistent() {
    let client = Arc::new(Client::new());
    let gid = client.post("/Groups", json!({ "displayName": "g" })).await.expect(201).body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    client.seed_users((0..40).map(|n| format!("m{n}"))).await;
    let path = Arc::new(format!("/Groups/{gid}"));
    let tasks = spawn_all(40, |n| {
        let (client, path) = (client.clone(), path.clone());
        async move {
            let member = format!("m{n}");
            client
                .patch(
                    &path,
                    patch_op(
                        json!([{ "op": "Add", "path": "members", "value": [{ "value": member }] }]),
                    ),
                )
                .await
                .expect(200);
            if n % 2 == 0 {
                client
                    .patch(&path, patch_op(json!([{ "op": "Remove", "path": "members", "value": [{ "value": member }] }])))
                    .await
                    .expect(200);
            }
        }
    });
    for task in tasks {
        task.await.unwrap();
    }
    let group = client.stored(&path).await;
    let mut members: Vec<&str> =
        group["members"].as_array().unwrap().iter().map(|m| m["value"].as_str().unwrap()).collect();
    members.sort_unstable();
    let mut expected: Vec<String> =
        (0..40).filter(|n| n % 2 == 1).map(|n| format!("m{n}")).collect();
    expected.sort_unstable();
    assert_eq!(members, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readers_never_see_a_half_applied_patch_or_bulk() {
    let client = Arc::new(Client::new());
    let id = client
        .post("/Users", json!({ "userName": "pair", "title": "v0", "nickName": "v0" }))
        .await
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = Arc::new(format!("/Users/{id}"));
    let writer = {
        let (client, path) = (client.clone(), path.clone());
        tokio::spawn(async move {
            for n in 1..=200 {
                let v = format!("v{n}");
                let body = patch_op(json!([
                    { "op": "replace", "path": "title", "value": v },
                    { "op": "replace", "path": "nickName", "value": v }
                ]));
                client.patch(&path, body).await.expect(200);
            }
        })
    };
    let readers = spawn_all(4, |_| {
        let (client, path) = (client.clone(), path.clone());
        async move {
            for _ in 0..200 {
                let user = client.stored(&path).await;
                assert_eq!(user["title"], user["nickName"], "a reader saw half a PATCH: {user}");
                let found = client.get("/Users?filter=title+eq+nickName").await;
                // Comparing two attributes is not SCIM; the filter is refused, never half-read.
                assert_eq!(found.status, 400);
            }
        }
    });
    writer.await.unwrap();
    for reader in readers {
        reader.await.unwrap();
    }
    // A bulk request's operations are each atomic; a reader sees each created user whole.
    let bulk = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        "Operations": (0..20).map(|n| json!({
            "method": "POST", "bulkId": format!("b{n}"), "path": "/Users",
            "data": { "userName": format!("bulk{n}"), "title": "t", "nickName": "t" }
        })).collect::<Vec<Value>>()
    });
    let reply = client.post("/Bulk", bulk).await.expect(200);
    assert_eq!(reply.body["Operations"].as_array().unwrap().len(), 20);
    let all = client.get("/Users?filter=userName+sw+%22bulk%22&count=100").await.expect(200);
    for user in all.body["Resources"].as_array().unwrap() {
        assert_eq!(user["title"], user["nickName"]);
    }
}

/// The in-memory store, counting the replacements asked of it.
#[derive(Debug, Default)]
struct CountingStore {
    inner: scimkit_store_memory::InMemoryStore,
    replaces: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl scimkit_core::ResourceStore for CountingStore {
    fn capabilities(&self) -> scimkit_core::Capabilities {
        self.inner.capabilities()
    }

    async fn create_opts(
        &self,
        scope: scimkit_core::Scope<'_>,
        resource: scimkit_core::JsonObject,
        options: scimkit_core::WriteOptions<'_>,
    ) -> scimkit_core::Result<scimkit_core::StoredResource> {
        self.inner.create_opts(scope, resource, options).await
    }

    async fn get(
        &self,
        scope: scimkit_core::Scope<'_>,
        id: &str,
    ) -> scimkit_core::Result<Option<scimkit_core::StoredResource>> {
        // Let other writers run between a read and the write that follows it.
        tokio::task::yield_now().await;
        self.inner.get(scope, id).await
    }

    async fn replace_opts(
        &self,
        scope: scimkit_core::Scope<'_>,
        id: &str,
        resource: scimkit_core::JsonObject,
        if_match: Option<&scimkit_core::Version>,
        options: scimkit_core::WriteOptions<'_>,
    ) -> scimkit_core::Result<scimkit_core::StoredResource> {
        self.replaces.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.inner.replace_opts(scope, id, resource, if_match, options).await
    }

    async fn delete_opts(
        &self,
        scope: scimkit_core::Scope<'_>,
        id: &str,
        if_match: Option<&scimkit_core::Version>,
        options: scimkit_core::WriteOptions<'_>,
    ) -> scimkit_core::Result<()> {
        self.inner.delete_opts(scope, id, if_match, options).await
    }

    async fn query(
        &self,
        scope: scimkit_core::Scope<'_>,
        query: &scimkit_core::Query<'_>,
    ) -> scimkit_core::Result<scimkit_core::QueryPage> {
        self.inner.query(scope, query).await
    }

    async fn groups_of(
        &self,
        tenant: &str,
        member_ids: &[&str],
    ) -> scimkit_core::Result<std::collections::BTreeMap<String, Vec<scimkit_core::Membership>>>
    {
        self.inner.groups_of(tenant, member_ids).await
    }

    async fn read_events(
        &self,
        tenant: &str,
        after: Option<&scimkit_core::event::EventCursor>,
        limit: usize,
    ) -> scimkit_core::Result<Vec<scimkit_core::event::Event>> {
        self.inner.read_events(tenant, after, limit).await
    }

    async fn wait_for_events(
        &self,
        tenant: &str,
        after: Option<&scimkit_core::event::EventCursor>,
        timeout: std::time::Duration,
    ) -> scimkit_core::Result<bool> {
        self.inner.wait_for_events(tenant, after, timeout).await
    }

    async fn prune_events(
        &self,
        tenant: &str,
        prune: &scimkit_core::event::Prune,
    ) -> scimkit_core::Result<u64> {
        self.inner.prune_events(tenant, prune).await
    }

    async fn checkpoint(
        &self,
        tenant: &str,
        consumer: &str,
    ) -> scimkit_core::Result<Option<scimkit_core::event::EventCursor>> {
        self.inner.checkpoint(tenant, consumer).await
    }

    async fn save_checkpoint(
        &self,
        tenant: &str,
        consumer: &str,
        cursor: &scimkit_core::event::EventCursor,
    ) -> scimkit_core::Result<()> {
        self.inner.save_checkpoint(tenant, consumer, cursor).await
    }
}

/// Concurrent PATCHes of one group in one process are computed once each: they wait for each
/// other instead of losing the compare-and-swap and computing their change again (on a large
/// group each computation costs the group).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_patches_of_one_resource_are_each_computed_once() {
    use scimkit_core::{PatchRequest, ResourceManager};

    let store = Arc::new(CountingStore::default());
    let manager = Arc::new(ResourceManager::builder(store.clone()).build().unwrap());
    let mut members = Vec::new();
    for n in 0..48 {
        let user = manager.create("t", "User", json!({ "userName": format!("m{n}") })).await;
        members.push(user.unwrap().id().to_owned());
    }
    let group = manager.create("t", "Group", json!({ "displayName": "big" })).await.unwrap();
    let gid = group.id().to_owned();
    let before = store.replaces.load(std::sync::atomic::Ordering::Relaxed);
    let tasks = spawn_all(members.len(), |n| {
        let (manager, gid, member) = (manager.clone(), gid.clone(), members[n].clone());
        async move {
            let patch: PatchRequest = serde_json::from_value(patch_op(json!([
                { "op": "add", "path": "members", "value": [{ "value": member }] }
            ])))
            .unwrap();
            manager.patch("t", "Group", &gid, &patch, None).await.unwrap();
        }
    });
    for task in tasks {
        task.await.unwrap();
    }
    let replaces = store.replaces.load(std::sync::atomic::Ordering::Relaxed) - before;
    assert_eq!(replaces, members.len(), "every PATCH wrote once, none retried");
    let stored = manager.get("t", "Group", &gid).await.unwrap();
    assert_eq!(stored.resource["members"].as_array().unwrap().len(), members.len());
}
