//! The in-memory store at 1,000, 100,000 and (with `SCIM_BENCH_LARGE=1`) 1,000,000 users: get by
//! id, `userName eq` (indexed), an unindexed equality (a full scan, for comparison), create, and
//! a complex filter with sorting and paging. Prints the resident memory per stored user.

#![allow(clippy::unwrap_used, reason = "a bench's setup failing is a bug to see at once")]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use scimkit_benches::{generate_users, ready, resident_bytes};
use scimkit_core::{
    Page, Query, Registry, ResourceStore, ResourceStoreExt, Scope, SortKey, SortOrder, StoreKeys,
};
use scimkit_filter::{Filter, PreparedFilter};
use scimkit_store_memory::InMemoryStore;
use serde_json::Value;

fn sizes() -> Vec<usize> {
    let mut sizes = vec![1_000, 100_000];
    if std::env::var_os("SCIM_BENCH_LARGE").is_some() {
        sizes.push(1_000_000);
    }
    sizes
}

/// A store holding `n` generated users, and its resident size in bytes.
fn load(n: usize, keys: &StoreKeys) -> (InMemoryStore, Option<u64>) {
    let before = resident_bytes();
    let users = generate_users(n);
    let store = InMemoryStore::new();
    let scope = Scope::new("bench", "User", keys);
    for user in users {
        let Value::Object(mut user) = user else { continue };
        if let Some(Value::Object(meta)) = user.get_mut("meta") {
            meta.remove("version");
            meta.remove("location");
        }
        ready(store.create(scope, user)).unwrap();
    }
    let grown = resident_bytes().zip(before).map(|(after, before)| after.saturating_sub(before));
    (store, grown)
}

fn prepared(registry: &Registry, text: &str) -> (Filter, PreparedFilter) {
    let schema = registry.resource_type_schema("User").unwrap();
    let filter = Filter::parse(text).unwrap();
    let prepared = filter.prepare(&schema).unwrap();
    (filter, prepared)
}

fn bench(c: &mut Criterion) {
    let registry = Registry::standard();
    let keys = StoreKeys::for_type(&registry.resource_type_schema("User").unwrap());
    // Memory first, in a process that has allocated little yet, so the allocator has no freed
    // memory to hand back: the growth of the resident set is the store's.
    for n in sizes() {
        let (store, grown) = load(n, &keys);
        if let Some(bytes) = grown {
            eprintln!(
                "memory: {n} users grew the resident set by {bytes} bytes ({} bytes per user)",
                bytes / n as u64
            );
        }
        drop(store);
    }
    for n in sizes() {
        let (store, _) = load(n, &keys);
        let scope = Scope::new("bench", "User", &keys);
        let mut group = c.benchmark_group(format!("store_memory/{n}"));
        if n >= 1_000_000 {
            group.sample_size(10);
        }
        let middle = ready(store.query(scope, &Query::new(Page::new(n / 2, 1)))).unwrap();
        let id = middle.resources[0].id().to_owned();
        group.bench_function("get_by_id", |b| {
            b.iter(|| ready(store.get(scope, black_box(&id))).unwrap());
        });

        let user_name = format!("USER{}", n / 2);
        let (filter, matcher) = prepared(&registry, &format!("userName eq \"{user_name}\""));
        let query = Query::new(Page::new(1, 100)).with_filter(&filter, &matcher);
        assert_eq!(ready(store.query(scope, &query)).unwrap().total_results, 1);
        group.bench_function("filter_user_name_eq_indexed", |b| {
            b.iter(|| ready(store.query(scope, black_box(&query))).unwrap());
        });

        // The same kind of lookup on an attribute without an index: a full scan.
        let (filter, matcher) = prepared(&registry, &format!("nickName eq \"{user_name}\""));
        let scan = Query::new(Page::new(1, 100)).with_filter(&filter, &matcher);
        if n <= 100_000 || std::env::var_os("SCIM_BENCH_LARGE").is_some() {
            group.bench_function("filter_unindexed_eq_full_scan", |b| {
                b.iter(|| ready(store.query(scope, black_box(&scan))).unwrap());
            });
        }

        let (filter, matcher) = prepared(
            &registry,
            r#"emails[type eq "work" and value co "@example.com"] and (title pr and not (userType eq "Intern"))"#,
        );
        let sort = SortKey::new(
            &registry.resource_type_schema("User").unwrap(),
            "name.familyName",
            SortOrder::Ascending,
        )
        .unwrap();
        let complex = Query::new(Page::new(51, 25)).with_filter(&filter, &matcher).with_sort(&sort);
        group.bench_function("complex_filter_sorted_page", |b| {
            b.iter(|| ready(store.query(scope, black_box(&complex))).unwrap());
        });

        let mut next = 0usize;
        group.bench_function("create", |b| {
            b.iter_batched(
                || {
                    next += 1;
                    let mut user = generate_users(1).remove(0);
                    user["id"] = Value::String(format!("new-{next}"));
                    user["userName"] = Value::String(format!("new-user-{next}"));
                    user["externalId"] = Value::String(format!("new-ext-{next}"));
                    user.as_object().cloned().unwrap_or_default()
                },
                |user| ready(store.create(scope, user)).unwrap(),
                BatchSize::SmallInput,
            );
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
