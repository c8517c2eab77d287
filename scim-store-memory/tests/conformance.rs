//! The shared conformance suite on the in-memory store: directly, through `Arc<dyn>` and
//! through `Box<dyn>`.

use std::sync::Arc;

use scimkit_core::{DynResourceStore, ResourceStore, testing};
use scimkit_store_memory::InMemoryStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn in_memory_store_passes_the_suite() {
    testing::run_all(Arc::new(InMemoryStore::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn arc_dyn_store_passes_the_suite() {
    let store: Arc<DynResourceStore> = Arc::new(InMemoryStore::new());
    testing::run_all(Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn box_dyn_store_passes_the_suite() {
    let store: Box<DynResourceStore> = Box::new(InMemoryStore::new());
    testing::run_all(Arc::new(store)).await;
}

#[tokio::test]
async fn clones_share_data() {
    let store = InMemoryStore::new();
    let clone = store.clone();
    testing::crud(&store).await;
    assert_eq!(clone.len(), store.len());
    assert!(!clone.is_empty());
    assert_eq!(store.capabilities(), clone.capabilities());
}

#[tokio::test]
async fn in_memory_tokens_pass_the_token_suite() {
    let tokens = scimkit_store_memory::InMemoryTokens::new();
    testing::token_lifecycle(Arc::new(tokens.clone()), Arc::new(tokens)).await;
}
