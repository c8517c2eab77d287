//! Keyset pages on PostgreSQL: by id, the page after (or before) a position is one range of
//! the primary key, run in SQL; in another order the store hands the library its candidates,
//! and the completed page is the same as the in-memory store's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use scimkit_core::{
    Keyset, Page, Query, Registry, ResourceStore, ResourceStoreExt, Scope, SortKey, SortOrder,
};
use scimkit_store_memory::InMemoryStore;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyset_pages_match_the_in_memory_store() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let pg = db.store().await;
    let memory = InMemoryStore::new();
    let keys = common::keys().0;
    let scope = Scope::new("keyset", "User", &keys);
    for n in 0..50 {
        let user = json!({ "id": format!("u{n:02}"), "userName": format!("name{}", (n * 7) % 50) });
        let user = user.as_object().unwrap().clone();
        pg.create(scope, user.clone()).await.unwrap();
        memory.create(scope, user).await.unwrap();
    }
    let registry = Registry::standard();
    let schema = registry.resource_type_schema("User").unwrap();
    let by_name = SortKey::new(&schema, "userName", SortOrder::Descending).unwrap();
    for sort in [None, Some(&by_name)] {
        for backward in [false, true] {
            let mut position = serde_json::Map::new();
            position.insert("id".to_owned(), json!("u25"));
            position.insert("userName".to_owned(), json!("name25"));
            let keyset = Keyset::new(position, backward);
            let mut query = Query::new(Page::new(1, 10)).with_schema(&schema).with_keyset(&keyset);
            if let Some(sort) = sort {
                query = query.with_sort(sort);
            }
            let raw = pg.query(scope, &query).await.unwrap();
            assert_eq!(raw.paged, sort.is_none(), "by id the page is SQL's");
            let got = raw.complete(&query);
            let expected = memory.query(scope, &query).await.unwrap().complete(&query);
            let ids = |page: &scimkit_core::QueryPage| {
                page.resources.iter().map(|r| r.id().to_owned()).collect::<Vec<_>>()
            };
            assert_eq!(ids(&got), ids(&expected), "sort {:?}, backward {backward}", sort.is_some());
            assert_eq!((got.total_results, ids(&got).len()), (50, 10));
            if sort.is_none() {
                let first = if backward { "u15" } else { "u26" };
                assert_eq!(ids(&got)[0], first);
            }
        }
    }
    db.drop_schema().await;
}
