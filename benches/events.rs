//! What recording events costs on the write path, and what reading them costs.
//!
//! - `events/memory/{create,patch}/{on,off}`: the manager's create and PATCH on the in-memory
//!   store with events recorded (the default, notice level, with a retention of 1,000 so that
//!   pruning is part of the cost) and with events off. Each sample starts on a new store.
//! - `events/postgres/{create,patch}/{on,off}`: the same on PostgreSQL (needs
//!   `SCIM_TEST_POSTGRES_URL`; a schema of its own, dropped at the end; a tenant per sample).
//! - `events/postgres/read_1000`: reading 1,000 events of a feed after a cursor.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use scimkit_core::event::{EventCursor, EventSettings};
use scimkit_core::{DynResourceStore, PatchRequest, ResourceManager, ServiceConfig};
use scimkit_store_memory::InMemoryStore;
use scimkit_store_postgres::PostgresStore;
use serde_json::json;
use tokio::runtime::Runtime;

fn manager(store: Arc<DynResourceStore>, events: bool) -> ResourceManager {
    let settings = if events { EventSettings::default() } else { EventSettings::disabled() };
    let config = ServiceConfig::default().with_events(settings);
    ResourceManager::builder(store).config(config).build().unwrap()
}

/// An Entra-style PATCH that changes the user each time (the title alternates).
fn patch(n: u64) -> PatchRequest {
    serde_json::from_value(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            { "op": "Replace", "path": "title", "value": format!("title {}", n % 2) },
            { "op": "Replace", "path": "active", "value": if n % 2 == 0 { "True" } else { "False" } },
            { "op": "Replace", "path": "name.givenName", "value": "Babs" },
            { "op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Finance" }
        ]
    }))
    .unwrap()
}

fn user(n: u64) -> serde_json::Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": format!("user{n}@example.com"), "externalId": format!("e{n}"), "active": true,
        "name": { "givenName": "Ann", "familyName": "Example" },
        "emails": [{ "type": "work", "value": format!("user{n}@example.com"), "primary": true }]
    })
}

/// Benches create and PATCH through managers with and without events, each sample in a
/// tenant of its own from `fresh` (a new store, or a new tenant of a shared one), so that no
/// sample runs in a heap or a tenant the samples before it grew.
fn writes(
    c: &mut Criterion,
    rt: &Runtime,
    name: &str,
    fresh: impl Fn() -> (Arc<DynResourceStore>, String),
) {
    let mut group = c.benchmark_group(format!("events/{name}"));
    for events in [false, true] {
        let label = if events { "on" } else { "off" };
        group.bench_function(format!("create/{label}"), |b| {
            b.iter_custom(|iters| {
                let (store, tenant) = fresh();
                let manager = manager(store, events);
                rt.block_on(async {
                    let start = Instant::now();
                    for n in 0..iters {
                        black_box(manager.create(&tenant, "User", user(n)).await.unwrap());
                    }
                    start.elapsed()
                })
            });
        });
        group.bench_function(format!("patch/{label}"), |b| {
            b.iter_custom(|iters| {
                let (store, tenant) = fresh();
                let manager = manager(store, events);
                rt.block_on(async {
                    let target = manager.create(&tenant, "User", user(u64::MAX)).await.unwrap();
                    let id = target.id().to_owned();
                    let start = Instant::now();
                    for n in 0..iters {
                        let request = patch(n);
                        black_box(
                            manager.patch(&tenant, "User", &id, &request, None).await.unwrap(),
                        );
                    }
                    start.elapsed()
                })
            });
        });
    }
    group.finish();
}

fn events(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    // A retention small enough that pruning runs within every sample.
    let memory = || -> (Arc<DynResourceStore>, String) {
        (Arc::new(InMemoryStore::with_event_retention(1_000)), "bench".to_owned())
    };
    writes(c, &rt, "memory", memory);

    let Some(url) = std::env::var("SCIM_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) else {
        return;
    };
    let schema = format!("scim_bench_events_{}", std::process::id());
    let admin = rt.block_on(async {
        let (client, connection) = scimkit_store_postgres::tokio_postgres::connect(
            &url,
            scimkit_store_postgres::tokio_postgres::NoTls,
        )
        .await
        .unwrap();
        tokio::spawn(connection);
        client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.unwrap();
        client
    });
    let sep = if url.contains('?') { '&' } else { '?' };
    let schema_url = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    let store: Arc<DynResourceStore> =
        Arc::new(rt.block_on(PostgresStore::connect(&schema_url)).unwrap());
    let samples = AtomicU64::new(0);
    writes(c, &rt, "postgres", || {
        (store.clone(), format!("bench-{}", samples.fetch_add(1, Ordering::Relaxed)))
    });

    // A feed of 5,000 events, read 1,000 at a time from its middle.
    let feeder = manager(store.clone(), true);
    rt.block_on(async {
        for n in 0..5_000 {
            feeder.create("bench-read", "User", user(n)).await.unwrap();
        }
    });
    let after = EventCursor::from_sequence(2_000);
    c.bench_function("events/postgres/read_1000", |b| {
        b.iter(|| {
            rt.block_on(async {
                let events = store.read_events("bench-read", Some(&after), 1_000).await.unwrap();
                assert_eq!(events.len(), 1_000);
                black_box(events)
            })
        });
    });
    rt.block_on(admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))).unwrap();
}

criterion_group!(benches, events);
criterion_main!(benches);
