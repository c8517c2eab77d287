//! The suite's checks of derived memberships: a user's `groups` lists its direct and nested
//! groups, and filters on `groups` (RFC 7643 §4.1.2) find users by membership, with totals,
//! sorting and paging right, on every store.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{encode_query, group_body, service_for, tenant, user_body, user_names};
use crate::config::Limits;
use crate::store::DynResourceStore;

const USERS: &str = "/Users";

fn patch(operation: Value) -> String {
    json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [operation] })
        .to_string()
}

/// Memberships of a tenant with nesting (eng in platform in company) and a cycle (ring-a and
/// ring-b in each other): `GET /Users/{id}` lists each group once, `direct` where the group
/// lists the user and `indirect` through other groups, and the walk ends on the cycle. Every
/// filter form clients send on `groups` (`eq`, `.value`, `[value eq]`, `.display`, `type`,
/// `pr`, the URN-prefixed path, combined with other terms, and in `.search`) finds users by
/// direct and nested membership, ignoring the case of the group id, with the total, sort and
/// page right; membership changes and deletions show at once. Groups are found by member
/// (`members eq`, `members[value eq]`), the check clients make before adding one.
pub async fn memberships_over_http(store: Arc<DynResourceStore>) {
    let send = service_for(store, tenant("memberships"), Limits::default());
    let mut ids = std::collections::HashMap::new();
    for name in ["ann", "bob", "cid", "dan", "eve"] {
        let (status, created) = send("POST", USERS.to_owned(), Some(user_body(name))).await;
        assert_eq!(status, 201, "{created}");
        ids.insert(name, created["id"].as_str().unwrap().to_owned());
    }
    let add_group = async |name: &str, members: &[&str]| {
        let (status, created) =
            send("POST", "/Groups".to_owned(), Some(group_body(name, members))).await;
        assert_eq!(status, 201, "{created}");
        created["id"].as_str().unwrap().to_owned()
    };
    let eng = add_group("Engineering", &[&ids["ann"], &ids["bob"]]).await;
    let platform = add_group("Platform", &[&eng, &ids["cid"]]).await;
    let company = add_group("Company", &[&platform]).await;
    let ring_a = add_group("Ring A", &[&ids["dan"]]).await;
    let ring_b = add_group("Ring B", &[&ring_a]).await;
    let (status, closed) = send(
        "PATCH",
        format!("/Groups/{ring_a}"),
        Some(patch(json!({ "op": "add", "path": "members", "value": [{ "value": ring_b }] }))),
    )
    .await;
    assert_eq!(status, 200, "{closed}");

    // A user's groups, direct and nested, each once.
    let groups_of = async |name: &str| {
        let (status, found) = send("GET", format!("/Users/{}", ids[name]), None).await;
        assert_eq!(status, 200, "{found}");
        let mut groups: Vec<(String, String, String)> = found["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|g| {
                assert!(
                    g["$ref"].as_str().is_some_and(|r| r.ends_with(g["value"].as_str().unwrap())),
                    "{g}"
                );
                let text = |key: &str| g[key].as_str().unwrap_or_default().to_owned();
                (text("value"), text("display"), text("type"))
            })
            .collect();
        groups.sort();
        groups
    };
    let entry =
        |id: &str, display: &str, kind: &str| (id.to_owned(), display.to_owned(), kind.to_owned());
    let sorted = |mut v: Vec<(String, String, String)>| {
        v.sort();
        v
    };
    assert_eq!(
        groups_of("ann").await,
        sorted(vec![
            entry(&eng, "Engineering", "direct"),
            entry(&platform, "Platform", "indirect"),
            entry(&company, "Company", "indirect"),
        ])
    );
    assert_eq!(
        groups_of("cid").await,
        sorted(vec![
            entry(&platform, "Platform", "direct"),
            entry(&company, "Company", "indirect")
        ])
    );
    assert_eq!(
        groups_of("dan").await,
        sorted(vec![entry(&ring_a, "Ring A", "direct"), entry(&ring_b, "Ring B", "indirect")]),
        "a cycle ends the walk"
    );
    assert!(groups_of("eve").await.is_empty());

    // Filters on groups, each with its expected users.
    let list = async |query: String| {
        let (status, list) = send("GET", format!("{USERS}?{query}"), None).await;
        assert_eq!(status, 200, "{query}: {list}");
        list
    };
    let found = async |filter: String| {
        let list = list(format!("filter={}&sortBy=userName", encode_query(&filter))).await;
        let names = user_names(&list);
        assert_eq!(list["totalResults"], names.len(), "{filter}: {list}");
        names
    };
    let user_urn = "urn:ietf:params:scim:schemas:core:2.0:User";
    for (filter, expected) in [
        (format!("groups eq \"{eng}\""), &["ann", "bob"][..]),
        (format!("groups eq \"{}\"", eng.to_uppercase()), &["ann", "bob"]),
        (format!("groups.value eq \"{platform}\""), &["ann", "bob", "cid"]),
        (format!("groups[value eq \"{company}\"]"), &["ann", "bob", "cid"]),
        (format!("{user_urn}:groups.value eq \"{eng}\""), &["ann", "bob"]),
        (format!("groups[value eq \"{platform}\" and type eq \"direct\"]"), &["cid"]),
        (format!("groups[value eq \"{platform}\" and type eq \"indirect\"]"), &["ann", "bob"]),
        ("groups.display eq \"engineering\"".to_owned(), &["ann", "bob"]),
        ("groups.display sw \"Ring\"".to_owned(), &["dan"]),
        ("groups.type eq \"indirect\"".to_owned(), &["ann", "bob", "cid", "dan"]),
        ("groups pr".to_owned(), &["ann", "bob", "cid", "dan"]),
        ("not (groups pr)".to_owned(), &["eve"]),
        (format!("groups eq \"{eng}\" and userName eq \"bob\""), &["bob"]),
        (format!("groups eq \"{eng}\" or userName eq \"eve\""), &["ann", "bob", "eve"]),
        (format!("not (groups eq \"{company}\") and userName ne \"eve\""), &["dan"]),
        (format!("groups eq \"{ring_b}\""), &["dan"]),
        ("groups eq \"no-such-group\"".to_owned(), &[]),
    ] {
        assert_eq!(found(filter.clone()).await, expected, "{filter}");
    }

    // Sorting and paging over a membership filter: descending by userName, the second of 3.
    let filter = encode_query(&format!("groups eq \"{platform}\""));
    let page =
        list(format!("filter={filter}&sortBy=userName&sortOrder=descending&startIndex=2&count=1"))
            .await;
    assert_eq!(
        (page["totalResults"].clone(), user_names(&page)),
        (json!(3), vec!["bob".to_owned()])
    );
    let counted = list(format!("filter={filter}&count=0")).await;
    assert_eq!(counted["totalResults"], 3, "{counted}");
    let projected = list(format!("filter={filter}&attributes=userName")).await;
    assert!(projected["Resources"][0].get("groups").is_none(), "{projected}");
    let search = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": format!("groups eq \"{eng}\""),
        "sortBy": "userName",
    });
    let (status, searched) =
        send("POST", "/Users/.search".to_owned(), Some(search.to_string())).await;
    assert_eq!((status, user_names(&searched)), (200, vec!["ann".to_owned(), "bob".to_owned()]));

    // Groups by member, as clients check a membership.
    for filter in [
        format!("members eq \"{}\"", ids["ann"]),
        format!("members[value eq \"{}\"]", ids["ann"]),
        format!("members.value eq \"{}\"", ids["ann"]),
    ] {
        let (status, groups) =
            send("GET", format!("/Groups?filter={}", encode_query(&filter)), None).await;
        assert_eq!(status, 200, "{groups}");
        assert_eq!(groups["totalResults"], 1, "{filter}: {groups}");
        assert_eq!(groups["Resources"][0]["id"], eng.as_str(), "{filter}");
    }
    let by_id = format!("/Groups?filter={}", encode_query(&format!("id eq \"{platform}\"")));
    let (_, groups) = send("GET", by_id, None).await;
    assert_eq!(groups["Resources"][0]["displayName"], "Platform", "{groups}");

    // Changes show at once: bob leaves eng, then eng is deleted.
    let remove_bob =
        json!({ "op": "remove", "path": format!("members[value eq \"{}\"]", ids["bob"]) });
    let (status, _) = send("PATCH", format!("/Groups/{eng}"), Some(patch(remove_bob))).await;
    assert_eq!(status, 200);
    assert_eq!(found(format!("groups eq \"{company}\"")).await, ["ann", "cid"]);
    assert!(groups_of("bob").await.is_empty());
    let (status, _) = send("DELETE", format!("/Groups/{eng}"), None).await;
    assert_eq!(status, 204);
    assert_eq!(found(format!("groups eq \"{company}\"")).await, ["cid"]);
    assert_eq!(found(format!("groups eq \"{eng}\"")).await, Vec::<String>::new());
    assert!(groups_of("ann").await.is_empty());
}
