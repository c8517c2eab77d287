//! The event feed on PostgreSQL: the shared checks on a store woken by LISTEN/NOTIFY and on
//! two replicas, and the commit-order guarantee against a transaction held open.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use scimkit_core::event::EventCursor;
use scimkit_core::{DynResourceStore, ResourceManager, ResourceStore, testing};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_connected_store_passes_the_event_checks() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let store: Arc<DynResourceStore> = Arc::new(db.connected_store().await);
    testing::events_of_every_write(store.clone()).await;
    testing::event_feeds_consumers_and_pruning(store.clone()).await;
    testing::event_order_under_concurrent_writers(store).await;
    db.drop_schema().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_on_two_replicas_make_one_feed_in_commit_order() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let a: Arc<DynResourceStore> = Arc::new(db.connected_store().await);
    let b: Arc<DynResourceStore> = Arc::new(db.connected_store().await);
    testing::event_order_across_replicas(vec![a, b]).await;
    db.drop_schema().await;
}

/// The classic trap of an outbox: a writer that takes its place in the feed before it commits
/// becomes visible after a later writer that committed first, so a reader that moved past the
/// later one skips the earlier one for ever. Here a transaction takes its tenant's next place
/// and stays open: a write through the store must wait for it rather than commit ahead, and a
/// reader sees the two events in commit order, the held one first.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_feed_place_is_taken_at_commit_so_no_reader_skips_an_event() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let store: Arc<DynResourceStore> = Arc::new(db.connected_store().await);
    let manager = Arc::new(ResourceManager::builder(store.clone()).build().unwrap());
    manager.create("held", "User", json!({ "userName": "first" })).await.unwrap();
    let first = store.read_events("held", None, 10).await.unwrap();
    assert_eq!(first.len(), 1);
    let start = first[0].cursor.clone();

    // Another process's write, between its feed statement and its COMMIT.
    let mut holder = db.connection().await;
    let tx = holder.transaction().await.unwrap();
    let body = serde_json::to_value(&first[0]).unwrap();
    tx.execute(
        "WITH feed AS (INSERT INTO scim_event_feeds AS f (tenant, last_seq) VALUES ($1, 1) \
         ON CONFLICT (tenant) DO UPDATE SET last_seq = f.last_seq + 1 RETURNING last_seq) \
         INSERT INTO scim_events (tenant, seq, body) SELECT $1, last_seq, $2 FROM feed",
        &[&"held", &scimkit_store_postgres::tokio_postgres::types::Json(&body)],
    )
    .await
    .unwrap();

    let writer = {
        let manager = manager.clone();
        tokio::spawn(async move {
            manager.create("held", "User", json!({ "userName": "second" })).await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!writer.is_finished(), "a write committed while an earlier feed place was open");
    let during = store.read_events("held", Some(&start), 10).await.unwrap();
    assert!(during.is_empty(), "nothing after the reader's cursor is visible yet: {during:?}");

    tx.commit().await.unwrap();
    writer.await.unwrap().unwrap();
    let after = store.read_events("held", Some(&start), 10).await.unwrap();
    assert_eq!(after.len(), 2);
    assert_eq!(after[0].cursor, EventCursor::from_sequence(2), "the held event comes first");
    assert_eq!(after[1].cursor, EventCursor::from_sequence(3));
    assert_eq!(after[1].data, None);
    db.drop_schema().await;
}
