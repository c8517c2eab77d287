//! The shared conformance suite on PostgreSQL: directly, through `Arc<dyn>` and `Box<dyn>`.
//!
//! Needs `SCIM_TEST_POSTGRES_URL`; without it, each test says it is skipped and passes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use scimkit_core::{DynResourceStore, ResourceStore, testing};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_store_passes_the_suite() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    testing::run_all(Arc::new(db.store().await)).await;
    db.drop_schema().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn arc_dyn_store_passes_the_suite() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let store: Arc<DynResourceStore> = Arc::new(db.store().await);
    testing::run_all(Arc::new(store)).await;
    db.drop_schema().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn box_dyn_store_passes_the_suite() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let store: Box<DynResourceStore> = Box::new(db.store().await);
    testing::run_all(Arc::new(store)).await;
    db.drop_schema().await;
}

#[tokio::test]
async fn migrations_are_idempotent_and_clones_share_data() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let (a, b) = tokio::join!(db.store(), db.store());
    let again = db.store().await;
    testing::crud(&a).await;
    let clone = a.clone();
    assert_eq!(clone.capabilities(), b.capabilities());
    testing::crud(&again).await;
    db.drop_schema().await;
}

/// Two replicas over one database share the tenants' tokens.
#[tokio::test]
async fn postgres_tokens_pass_the_token_suite_across_replicas() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let (a, b) = (db.store().await, db.store().await);
    testing::token_lifecycle(Arc::new(a.tokens()), Arc::new(b.tokens())).await;
    db.drop_schema().await;
}
