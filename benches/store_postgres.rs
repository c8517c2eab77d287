//! The PostgreSQL store next to the in-memory store: get by id, `userName eq`, a complex filter
//! with sorting and paging, a page sorted by a non-ASCII attribute, cursor (keyset) pages at the
//! start and near the end beside index pages there, and create, over 100,000 generated users
//! (and 1,000,000 with `SCIM_BENCH_LARGE=1`).
//!
//! The PostgreSQL half needs `SCIM_TEST_POSTGRES_URL` (a database it may create schemas in);
//! without it, only the in-memory store is measured; `SCIM_BENCH_MEMORY=0` measures PostgreSQL
//! alone. The generated users are kept in a schema
//! `scim_bench_<n>` between runs, so only the first run pays for loading them (with
//! `PostgresStore::import`, 20,000 users a call, then `ANALYZE`).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use scimkit_benches::generate_users;
use scimkit_core::{
    JsonObject, Keyset, Page, Query, Registry, ResourceStore, ResourceStoreExt, Scope, SortKey,
    SortOrder, StoreKeys,
};
use scimkit_filter::Filter;
use scimkit_store_memory::InMemoryStore;
use scimkit_store_postgres::PostgresStore;
use scimkit_store_postgres::deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use scimkit_store_postgres::tokio_postgres::{self, NoTls};
use tokio::runtime::Runtime;

const TENANT: &str = "bench";
/// Users per `PostgresStore::import` call when loading the PostgreSQL schema.
const IMPORT_BATCH: usize = 20_000;
const COMPLEX: &str = r#"emails[type eq "work" and value co "@example.com"] and active eq true and not (userType eq "Intern")"#;

fn sizes() -> Vec<usize> {
    if std::env::var("SCIM_BENCH_LARGE").is_ok_and(|v| v == "1") {
        vec![100_000, 1_000_000]
    } else {
        vec![100_000]
    }
}

fn objects(n: usize) -> Vec<JsonObject> {
    generate_users(n).into_iter().map(|u| u.as_object().unwrap().clone()).collect()
}

/// Creates every user, `tasks` at a time (the in-memory store's load).
async fn load(
    store: Arc<dyn ResourceStore>,
    keys: Arc<StoreKeys>,
    users: Vec<JsonObject>,
    tasks: usize,
) {
    let users = Arc::new(users);
    let next = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for _ in 0..tasks {
        let (store, keys, users, next) = (store.clone(), keys.clone(), users.clone(), next.clone());
        handles.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(user) = users.get(i) else { return };
                store.create(Scope::new(TENANT, "User", &keys), user.clone()).await.unwrap();
            }
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
}

/// A store over the schema `scim_bench_<n>`, loaded with `n` users if it is not yet.
async fn postgres(url: &str, n: usize, keys: Arc<StoreKeys>) -> PostgresStore {
    let schema = format!("scim_bench_{n}");
    let (client, conn) =
        tokio_postgres::connect(url, NoTls).await.expect("SCIM_TEST_POSTGRES_URL is unreachable");
    tokio::spawn(conn);
    client.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}")).await.unwrap();
    let mut config: tokio_postgres::Config = url.parse().unwrap();
    config.options(format!("-c search_path={schema}"));
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig { recycling_method: RecyclingMethod::Fast },
    );
    let pool = Pool::builder(manager).max_size(16).build().unwrap();
    let store = PostgresStore::from_pool(pool).await.unwrap();
    let loaded: i64 = client
        .query_one(
            &format!("SELECT count(*) FROM {schema}.scim_resources WHERE id NOT LIKE 'new-%'"),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    if loaded as usize != n {
        eprintln!("loading {n} users into PostgreSQL schema {schema} (once)");
        client
            .batch_execute(&format!(
                "TRUNCATE {schema}.scim_resources, {schema}.scim_unique_keys, {schema}.scim_index_keys"
            ))
            .await
            .unwrap();
        let users = objects(n);
        let started = Instant::now();
        let scope = Scope::new(TENANT, "User", &keys);
        for batch in users.chunks(IMPORT_BATCH) {
            store.import(scope, batch).await.unwrap();
        }
        let imported = started.elapsed().as_secs_f64();
        client
            .batch_execute(&format!(
                "ANALYZE {schema}.scim_resources, {schema}.scim_unique_keys, {schema}.scim_index_keys"
            ))
            .await
            .unwrap();
        eprintln!(
            "imported {n} users in {imported:.1} s ({:.0} users/s), analyzed in {:.1} s",
            n as f64 / imported,
            started.elapsed().as_secs_f64() - imported
        );
    }
    store
}

fn bench_store(
    c: &mut Criterion,
    rt: &Runtime,
    name: &str,
    n: usize,
    store: Arc<dyn ResourceStore>,
    keys: &StoreKeys,
) {
    let registry = Registry::standard();
    let schema = registry.resource_type_schema("User").unwrap();
    let scope = Scope::new(TENANT, "User", keys);
    let users = generate_users(n.min(60_000));
    let target = &users[n.min(60_000) / 2];
    let id = target["id"].as_str().unwrap().to_owned();
    let user_name = target["userName"].as_str().unwrap().to_uppercase();

    let mut group = c.benchmark_group(format!("store_{n}"));
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));

    group.bench_function(BenchmarkId::new("get_by_id", name), |b| {
        b.iter(|| rt.block_on(async { black_box(store.get(scope, &id).await.unwrap()) }))
    });

    let eq = Filter::parse(&format!(r#"userName eq "{user_name}""#)).unwrap();
    let eq_prepared = eq.prepare(&schema).unwrap();
    group.bench_function(BenchmarkId::new("user_name_eq", name), |b| {
        b.iter(|| {
            rt.block_on(async {
                let query = Query::new(Page::new(1, 100))
                    .with_schema(&schema)
                    .with_filter(&eq, &eq_prepared);
                let page = store.query(scope, &query).await.unwrap().complete(&query);
                assert_eq!(page.total_results, 1);
                black_box(page)
            })
        })
    });

    let complex = Filter::parse(COMPLEX).unwrap();
    let complex_prepared = complex.prepare(&schema).unwrap();
    let sort = SortKey::new(&schema, "userName", SortOrder::Ascending).unwrap();
    group.bench_function(BenchmarkId::new("complex_filter_sorted_page", name), |b| {
        b.iter(|| {
            rt.block_on(async {
                let query = Query::new(Page::new(101, 100))
                    .with_schema(&schema)
                    .with_filter(&complex, &complex_prepared)
                    .with_sort(&sort);
                let page = store.query(scope, &query).await.unwrap().complete(&query);
                assert_eq!(page.resources.len(), 100);
                black_box(page)
            })
        })
    });

    // Family names include "Müller": SQL cannot order them as the library does, so the store
    // orders the matches by the sorted attribute alone in Rust.
    let active = Filter::parse("active eq true").unwrap();
    let active_prepared = active.prepare(&schema).unwrap();
    let by_family = SortKey::new(&schema, "name.familyName", SortOrder::Descending).unwrap();
    group.bench_function(BenchmarkId::new("non_ascii_sorted_page", name), |b| {
        b.iter(|| {
            rt.block_on(async {
                let query = Query::new(Page::new(101, 100))
                    .with_schema(&schema)
                    .with_filter(&active, &active_prepared)
                    .with_sort(&by_family);
                let page = store.query(scope, &query).await.unwrap().complete(&query);
                assert_eq!(page.resources.len(), 100);
                black_box(page)
            })
        })
    });

    // RFC 9865 cursor pages: by keyset, the first page and one near the end cost the same;
    // index paging beside them pays for its offset.
    let deep_at = |sort: Option<&SortKey>| {
        rt.block_on(async {
            let mut query = Query::new(Page::new(n - 200, 1)).with_schema(&schema);
            if let Some(sort) = sort {
                query = query.with_sort(sort);
            }
            let page = store.query(scope, &query).await.unwrap().complete(&query);
            Keyset::new(Keyset::position_of(&page.resources[0].resource, sort), false)
        })
    };
    let start = Keyset::start();
    let by_id = deep_at(None);
    let by_name = deep_at(Some(&sort));
    let pages: [(&str, Option<&Keyset>, Option<&SortKey>, usize); 6] = [
        ("cursor_first_page", Some(&start), None, 1),
        ("cursor_deep_page", Some(&by_id), None, 1),
        ("index_deep_page", None, None, n - 199),
        ("cursor_first_page_by_user_name", Some(&start), Some(&sort), 1),
        ("cursor_deep_page_by_user_name", Some(&by_name), Some(&sort), 1),
        ("index_deep_page_by_user_name", None, Some(&sort), n - 199),
    ];
    for (label, keyset, sort, start) in pages {
        group.bench_function(BenchmarkId::new(label, name), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let mut query = Query::new(Page::new(start, 101)).with_schema(&schema);
                    if let Some(keyset) = keyset {
                        query = query.with_keyset(keyset);
                    }
                    if let Some(sort) = sort {
                        query = query.with_sort(sort);
                    }
                    let page = store.query(scope, &query).await.unwrap().complete(&query);
                    assert_eq!(page.resources.len(), 101, "{label}");
                    black_box(page)
                })
            })
        });
    }

    let template = users[0].as_object().unwrap().clone();
    let counter = AtomicUsize::new(0);
    let run = std::process::id();
    group.bench_function(BenchmarkId::new("create", name), |b| {
        b.iter(|| {
            let i = counter.fetch_add(1, Ordering::Relaxed);
            let mut user = template.clone();
            user.insert("id".into(), format!("new-{run}-{i}").into());
            user.insert("userName".into(), format!("new-{run}-{i}").into());
            user.insert("externalId".into(), format!("NEW-{run}-{i}").into());
            rt.block_on(async { black_box(store.create(scope, user).await.unwrap()) })
        })
    });
    group.finish();
}

fn stores(c: &mut Criterion) {
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let registry = Registry::standard();
    let keys = Arc::new(StoreKeys::for_type(&registry.resource_type_schema("User").unwrap()));
    let url = std::env::var("SCIM_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty());
    if url.is_none() {
        eprintln!("postgres benches skipped: SCIM_TEST_POSTGRES_URL is not set");
    }
    for n in sizes() {
        // `SCIM_BENCH_MEMORY=0` measures PostgreSQL alone (the in-memory store at 1,000,000
        // users takes gigabytes, and giving them back disturbs what is measured next).
        if std::env::var("SCIM_BENCH_MEMORY").map_or(true, |v| v != "0") {
            let memory = InMemoryStore::new();
            rt.block_on(load(Arc::new(memory.clone()), keys.clone(), objects(n), 2));
            bench_store(c, &rt, "memory", n, Arc::new(memory), &keys);
        }
        if let Some(url) = &url {
            let store = rt.block_on(postgres(url, n, keys.clone()));
            bench_store(c, &rt, "postgres", n, Arc::new(store), &keys);
        }
    }
}

criterion_group!(benches, stores);
criterion_main!(benches);
