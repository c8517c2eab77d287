//! The suite's checks that a group lists only members that exist: a write adding an unknown
//! member is refused, and a delete racing a member add never leaves the deleted member listed.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{group_body, service_for, tenant, user_body};
use crate::config::Limits;
use crate::store::DynResourceStore;

fn add_member(id: &str) -> String {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "add", "path": "members", "value": [{ "value": id }] }],
    })
    .to_string()
}

fn member_values(group: &Value) -> Vec<String> {
    group["members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["value"].as_str().map(str::to_owned))
        .collect()
}

/// A group write (POST, PUT, PATCH) that adds a member no User or Group of the tenant has the
/// id of gets 400 `invalidValue` and changes nothing; members of another tenant do not count;
/// members already listed stay valid.
pub async fn members_must_exist(store: Arc<DynResourceStore>) {
    let send = service_for(store.clone(), tenant("members"), Limits::default());
    let (status, ann) = send("POST", "/Users".to_owned(), Some(user_body("ann"))).await;
    assert_eq!(status, 201, "{ann}");
    let ann = ann["id"].as_str().unwrap().to_owned();
    let (status, staff) =
        send("POST", "/Groups".to_owned(), Some(group_body("staff", &[&ann]))).await;
    assert_eq!(status, 201, "{staff}");
    let staff = staff["id"].as_str().unwrap().to_owned();
    let (status, nested) =
        send("POST", "/Groups".to_owned(), Some(group_body("nested", &[&staff, &ann]))).await;
    assert_eq!(status, 201, "a group may hold a group: {nested}");

    let other = service_for(store, tenant("members-other"), Limits::default());
    let (_, stranger) = other("POST", "/Users".to_owned(), Some(user_body("bob"))).await;
    let stranger = stranger["id"].as_str().unwrap().to_owned();
    let path = format!("/Groups/{staff}");
    let refused = [
        ("POST", "/Groups".to_owned(), group_body("ghosts", &["no-such-id"])),
        ("POST", "/Groups".to_owned(), group_body("strangers", &[&stranger])),
        ("PUT", path.clone(), group_body("staff", &[&ann, "no-such-id"])),
        ("PATCH", path.clone(), add_member("no-such-id")),
        ("PATCH", path.clone(), add_member(&stranger)),
    ];
    for (method, target, body) in refused {
        let (status, reply) = send(method, target.clone(), Some(body)).await;
        assert_eq!(status, 400, "{method} {target}: {reply}");
        assert_eq!(reply["scimType"], "invalidValue", "{method} {target}: {reply}");
    }
    let (_, kept) = send("GET", path.clone(), None).await;
    assert_eq!(member_values(&kept), std::slice::from_ref(&ann));
    let (_, groups) = send("GET", "/Groups".to_owned(), None).await;
    assert_eq!(groups["totalResults"], 2);
    // Clients check a membership with a filter on `members` (RFC 7644 §3.4.2.2: a filter on a
    // complex attribute compares its `value`): each form finds the groups that list ann.
    for filter in [
        format!("members eq \"{ann}\""),
        format!("members.value eq \"{ann}\""),
        format!("members[value eq \"{ann}\"]"),
        format!("members[value eq \"{ann}\"] and displayName eq \"nested\""),
    ] {
        let query = format!("/Groups?filter={}", filter.replace(' ', "%20").replace('"', "%22"));
        let (status, found) = send("GET", query, None).await;
        assert_eq!(status, 200, "{filter}: {found}");
        let mut ids: Vec<&str> = found["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_str().unwrap())
            .collect();
        ids.sort_unstable();
        let expected = if filter.contains("nested") { 1 } else { 2 };
        assert_eq!(ids.len(), expected, "{filter}: {found}");
        assert_eq!(found["totalResults"], expected, "{filter}");
    }
    let (_, none) =
        send("GET", "/Groups?filter=members%20eq%20%22no-such-id%22".to_owned(), None).await;
    assert_eq!(none["totalResults"], 0);
    // Re-listing a member and adding a real one still work.
    let (status, _) = send("PUT", path.clone(), Some(group_body("staff", &[&ann]))).await;
    assert_eq!(status, 200);
    let (status, reply) = send("PATCH", path, Some(add_member(&staff))).await;
    assert!(matches!(status, 200 | 204), "a group may list itself: {reply}");
}

/// A user deleted while a PATCH adds it to a group, again and again: whichever commits first,
/// the group never lists the deleted user afterwards. The PATCH succeeds (then the delete
/// removes the membership) or is refused as naming an unknown member.
pub async fn deletes_racing_member_adds(store: Arc<DynResourceStore>) {
    let send = Arc::new(service_for(store, tenant("member-race"), Limits::default()));
    let (status, created) =
        send("POST", "/Groups".to_owned(), Some(group_body("racing", &[]))).await;
    assert_eq!(status, 201, "{created}");
    let path = format!("/Groups/{}", created["id"].as_str().unwrap());
    for round in 0..25 {
        let (status, user) =
            send("POST", "/Users".to_owned(), Some(user_body(&format!("r{round}")))).await;
        assert_eq!(status, 201, "{user}");
        let id = user["id"].as_str().unwrap().to_owned();
        let adding = {
            let (send, path, body) = (send.clone(), path.clone(), add_member(&id));
            tokio::spawn(async move { send("PATCH", path, Some(body)).await })
        };
        let deleting = {
            let (send, target) = (send.clone(), format!("/Users/{id}"));
            tokio::spawn(async move { send("DELETE", target, None).await })
        };
        let (added, reply) = adding.await.unwrap();
        assert!(matches!(added, 200 | 204 | 400), "round {round}: {added} {reply}");
        let (deleted, reply) = deleting.await.unwrap();
        assert_eq!(deleted, 204, "round {round}: {reply}");
        let (_, now) = send("GET", path.clone(), None).await;
        assert!(
            !member_values(&now).contains(&id),
            "round {round}: the group lists the deleted member {id}: {now}"
        );
    }
}
