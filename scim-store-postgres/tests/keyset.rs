//! Keyset pages on PostgreSQL: by id, the page after (or before) a position is one range of
//! the primary key, and by a key attribute one range of its key table, run in SQL; in another
//! order the store hands the library its candidates. Every completed page is the same as the
//! in-memory store's.

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
        let mut user = json!({ "id": format!("u{n:02}"), "userName": format!("{}ame{:02}", if n % 2 == 0 { "N" } else { "n" }, (n * 7) % 50) });
        if n % 3 > 0 {
            user["title"] = json!(format!("t{}", n % 4));
            // externalId (an indexed key) is missing on a third of the users.
            user["externalId"] = json!(format!("E{}", n % 7));
        }
        let user = user.as_object().unwrap().clone();
        pg.create(scope, user.clone()).await.unwrap();
        memory.create(scope, user).await.unwrap();
    }
    let registry = Registry::standard();
    let schema = registry.resource_type_schema("User").unwrap();
    let name_down = SortKey::new(&schema, "userName", SortOrder::Descending).unwrap();
    let name_up = SortKey::new(&schema, "userName", SortOrder::Ascending).unwrap();
    let title = SortKey::new(&schema, "title", SortOrder::Ascending).unwrap();
    let sorts =
        [(None, true), (Some(&name_down), true), (Some(&name_up), true), (Some(&title), false)];
    let positions = [
        json!({ "id": "u25", "userName": "NAME25" }),
        json!({ "id": "u07", "userName": "name24", "title": "t3" }),
        json!({ "id": "u40" }),
        json!({ "id": "u12", "externalId": "e3" }),
        json!({ "id": "u30", "userName": "name30" }),
        json!({}),
    ];
    for (sort, in_sql) in sorts {
        for (backward, position) in
            [false, true].into_iter().flat_map(|b| positions.iter().map(move |p| (b, p)))
        {
            let keyset = match position.as_object().unwrap() {
                start if start.is_empty() && backward => continue,
                start if start.is_empty() => Keyset::start(),
                position => Keyset::new(position.clone(), backward),
            };
            let mut query = Query::new(Page::new(1, 10)).with_schema(&schema).with_keyset(&keyset);
            if let Some(sort) = sort {
                query = query.with_sort(sort);
            }
            let raw = pg.query(scope, &query).await.unwrap();
            assert_eq!(raw.paged, in_sql, "sort {:?}", sort.map(|s| s.attribute()));
            let got = raw.complete(&query);
            let expected = memory.query(scope, &query).await.unwrap().complete(&query);
            let ids = |page: &scimkit_core::QueryPage| {
                page.resources.iter().map(|r| r.id().to_owned()).collect::<Vec<_>>()
            };
            let what =
                format!("sort {:?}, {position}, backward {backward}", sort.map(|s| s.attribute()));
            assert_eq!(ids(&got), ids(&expected), "{what}");
            assert_eq!(got.total_results, 50, "{what}");
            if sort.is_none() && position["id"] == "u25" {
                let first = if backward { "u15" } else { "u26" };
                assert_eq!(ids(&got)[0], first);
            }
        }
    }
    db.drop_schema().await;
}
