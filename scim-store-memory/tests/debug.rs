//! The store's `Debug` output never shows the data it holds.

#![allow(clippy::unwrap_used, reason = "test code: a failure is a failed test")]

use scimkit_core::{Registry, ResourceStoreExt, Scope, StoreKeys};
use scimkit_store_memory::InMemoryStore;
use serde_json::json;

#[tokio::test]
async fn debug_output_shows_no_resource_data() {
    let store = InMemoryStore::new();
    let registry = Registry::standard();
    let keys = StoreKeys::for_type(&registry.resource_type_schema("User").unwrap());
    let user = json!({ "id": "u1", "userName": "ann@example.com", "password": "hunter2-secret" });
    store
        .create(Scope::new("acme", "User", &keys), user.as_object().unwrap().clone())
        .await
        .unwrap();
    for shown in [format!("{store:?}"), format!("{store:#?}")] {
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(!shown.contains("ann@example.com"), "{shown}");
        assert!(shown.contains("tenants: 1"), "{shown}");
    }
}
