//! Filters on `groups` run in SQL on PostgreSQL and give the library's answers: random group
//! graphs (nesting and cycles included), random filters on memberships, the same on the
//! in-memory store, where the library evaluates them with memberships in place.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::Random;
use scimkit_core::{
    DynResourceStore, FilterExecution, Page, Query, Registry, ResourceManager, Scope,
    SearchRequest, SequentialIds, StoreKeys,
};
use scimkit_store_memory::InMemoryStore;
use serde_json::{Value, json};

const TENANT: &str = "memberships";
const USERS: usize = 30;
const GROUPS: usize = 10;

fn manager(store: Arc<DynResourceStore>) -> ResourceManager {
    ResourceManager::builder(store).ids(Arc::new(SequentialIds::new("id"))).build().unwrap()
}

/// A filter term on memberships, or on a user's own attributes, combined at random.
fn random_filter(random: &mut Random, groups: &[String], depth: usize) -> String {
    let group = random.pick(groups).clone();
    match random.below(if depth == 0 { 7 } else { 10 }) {
        0 => format!("groups eq \"{group}\""),
        1 => format!("groups.value eq \"{}\"", group.to_uppercase()),
        2 => {
            let kind = random.pick(&["direct", "indirect"]);
            format!("groups[value eq \"{group}\" and type eq \"{kind}\"]")
        }
        3 => {
            let op = random.pick(&["eq", "co", "sw", "ne"]);
            let text = random.pick(&["team 1", "Team", "TEAM 3", "eam"]);
            format!("groups.display {op} \"{text}\"")
        }
        4 => format!("groups.type eq \"{}\"", random.pick(&["direct", "indirect"])),
        5 => "groups pr".to_owned(),
        6 => format!("userName sw \"user{}\"", random.below(4)),
        7 | 8 => {
            let join = random.pick(&["and", "or"]);
            let a = random_filter(random, groups, depth - 1);
            let b = random_filter(random, groups, depth - 1);
            format!("({a}) {join} ({b})")
        }
        _ => format!("not ({})", random_filter(random, groups, depth - 1)),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn membership_filters_run_in_sql_and_match_the_in_memory_store() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let pg: Arc<DynResourceStore> = Arc::new(db.store().await);
    let memory: Arc<DynResourceStore> = Arc::new(InMemoryStore::new());
    let managers = [manager(pg.clone()), manager(memory)];

    // The same users and groups, with the same ids, in both stores.
    let mut random = Random(0x2545_f491_4f6c_dd1d);
    let mut users = Vec::new();
    for n in 0..USERS {
        let body = json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("user{n:02}") });
        let ids: Vec<String> = create_in_both(&managers, "User", body).await;
        users.push(ids[0].clone());
    }
    let mut groups: Vec<String> = Vec::new();
    for n in 0..GROUPS {
        // Members: some users, and some groups created before (nesting).
        let mut members: Vec<Value> = Vec::new();
        for user in &users {
            if random.below(5) == 0 {
                members.push(json!({ "value": user }));
            }
        }
        for group in &groups {
            if random.below(4) == 0 {
                members.push(json!({ "value": group }));
            }
        }
        let body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": format!("Team {n}"),
            "members": members,
        });
        let ids = create_in_both(&managers, "Group", body).await;
        groups.push(ids[0].clone());
    }
    // Close cycles: the first groups also hold later ones.
    for (holder, held) in [(0, GROUPS - 1), (1, GROUPS / 2), (2, 3)] {
        let patch: scimkit_core::PatchRequest = serde_json::from_value(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{ "op": "add", "path": "members", "value": [{ "value": groups[held] }] }],
        }))
        .unwrap();
        for manager in &managers {
            manager.patch(TENANT, "Group", &groups[holder], &patch, None).await.unwrap();
        }
    }

    // Every user's rendered groups agree.
    let registry = Registry::standard();
    let view = managers[0].projection("User", &[], &[]).unwrap();
    for user in &users {
        let mut rendered = Vec::new();
        for manager in &managers {
            let stored = manager.get(TENANT, "User", user).await.unwrap();
            let out = manager.render(TENANT, "User", vec![stored], &view, "https://x").await;
            rendered.push(out.unwrap()[0]["groups"].clone());
        }
        assert_eq!(rendered[0], rendered[1], "groups of {user}");
    }

    let schema = registry.resource_type_schema("User").unwrap();
    let keys = StoreKeys::for_type(&schema);
    let mut selective = 0;
    for round in 0..200 {
        let filter = random_filter(&mut random, &groups, 3);
        let sort = random.pick(&[None, Some("userName")]).map(str::to_owned);
        let (start, count) = *random.pick(&[(1, 100), (2, 5)]);
        let request: SearchRequest = serde_json::from_value(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": filter, "sortBy": sort, "startIndex": start, "count": count,
        }))
        .unwrap();
        let mut answers = Vec::new();
        for manager in &managers {
            let found = manager.list(TENANT, "User", &request).await.unwrap();
            let ids: Vec<String> = found.resources.iter().map(|r| r.id().to_owned()).collect();
            answers.push((ids, found.total_results));
        }
        assert_eq!(answers[0], answers[1], "round {round}: {filter}, sort {sort:?}");
        selective += usize::from(answers[1].1 > 0 && answers[1].1 < USERS);

        // PostgreSQL answered in SQL: the filter was never left to the library.
        let parsed = scimkit_filter::Filter::parse(&filter).unwrap();
        let prepared = parsed.prepare(&schema).unwrap();
        let query = Query::new(Page::new(1, 100))
            .with_schema(&schema)
            .with_filter(&parsed, &prepared)
            .with_memberships();
        let page = pg.query(Scope::new(TENANT, "User", &keys), &query).await.unwrap();
        assert!(
            page.paged || page.filter == FilterExecution::Exact,
            "round {round}: {filter} was not run in SQL"
        );
    }
    assert!(selective > 80, "only {selective} of 200 filters selected some but not all users");
    db.drop_schema().await;
}

/// Creates `body` as a `resource_type` through each manager; the ids, which must agree.
async fn create_in_both(
    managers: &[ResourceManager],
    resource_type: &str,
    body: Value,
) -> Vec<String> {
    let mut ids = Vec::new();
    for manager in managers {
        ids.push(
            manager.create(TENANT, resource_type, body.clone()).await.unwrap().id().to_owned(),
        );
    }
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
    ids
}
