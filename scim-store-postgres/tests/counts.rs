//! Totals of unfiltered lists come from counts that triggers keep (migration 7): exact after
//! concurrent creates and deletes, imports and a TRUNCATE, per tenant and resource type.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use scimkit_core::{Page, Query, ResourceStore, ResourceStoreExt, Scope};
use serde_json::json;

async fn total(store: &dyn ResourceStore, scope: Scope<'_>) -> usize {
    let query = Query::new(Page::new(1, 0));
    store.query(scope, &query).await.unwrap().complete(&query).total_results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfiltered_totals_stay_exact() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let store = Arc::new(db.store().await);
    let keys = Arc::new(common::keys().0);
    let mut tasks = Vec::new();
    for task in 0..8 {
        let (store, keys) = (store.clone(), keys.clone());
        tasks.push(tokio::spawn(async move {
            let scope = Scope::new("counted", "User", &keys);
            for n in 0..25 {
                let id = format!("t{task}-u{n}");
                let user = json!({ "id": id, "userName": id });
                store.create(scope, user.as_object().unwrap().clone()).await.unwrap();
                if n % 5 == 0 {
                    store.delete(scope, &id, None).await.unwrap();
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let scope = Scope::new("counted", "User", &keys);
    assert_eq!(total(&*store, scope).await, 8 * 20);
    assert_eq!(total(&*store, Scope::new("counted-other", "User", &keys)).await, 0);
    let imported: Vec<_> = (0..300)
        .map(|n| json!({ "id": format!("i{n}"), "userName": format!("imported{n}") }))
        .map(|u| u.as_object().unwrap().clone())
        .collect();
    store.import(scope, &imported).await.unwrap();
    assert_eq!(total(&*store, scope).await, 160 + 300);
    // The index page's total, the keyset page's and a filtered count agree.
    let page = Query::new(Page::new(401, 100));
    let listed = store.query(scope, &page).await.unwrap().complete(&page);
    assert_eq!((listed.total_results, listed.resources.len()), (460, 60));
    let client = db.pool().get().await.unwrap();
    let counted: i64 = client
        .query_one("SELECT count(*) FROM scim_resources WHERE tenant = 'counted'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(counted, 460);
    client.batch_execute("TRUNCATE scim_resources CASCADE").await.unwrap();
    assert_eq!(total(&*store, scope).await, 0);
    db.drop_schema().await;
}
