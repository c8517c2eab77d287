//! The suite's checks of RFC 9865 cursor paging over HTTP, on every store: walks forward and
//! back are complete and never repeat a resource, also while resources are created and deleted
//! during the walk; foreign, edited and mismatched cursors are refused.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::{Value, json};

use super::{Answer, encode_query, service_for, tenant, user_body, user_names};
use crate::config::Limits;
use crate::store::DynResourceStore;

/// Walks `query` forward with pages of `count` from the first page; returns each page's user
/// names and the last page's body.
async fn walk(
    send: &impl Fn(&str, String, Option<String>) -> Answer,
    query: &str,
    count: usize,
) -> (Vec<Vec<String>>, Value) {
    let mut pages = Vec::new();
    let mut cursor = String::new();
    loop {
        let path = format!("/Users?{query}&count={count}&cursor={}", encode_query(&cursor));
        let (status, page) = send("GET", path, None).await;
        assert_eq!(status, 200, "{page}");
        assert!(user_names(&page).len() <= count, "{page}");
        assert_eq!(page.get("previousCursor").is_some(), !pages.is_empty(), "{page}");
        pages.push(user_names(&page));
        assert!(pages.len() < 1000, "the walk does not end");
        match page["nextCursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => return (pages, page),
        }
    }
}

/// Cursor paging over HTTP: complete walks forward (by id and sorted both ways) and back,
/// without repeats; stable under concurrent creates and deletes (every user that exists for
/// the whole walk appears exactly once, none twice); a cursor edited, of another filter, of
/// another tenant, with another count, or beside a startIndex, is refused with the RFC 9865
/// error.
pub async fn cursor_walks_over_http(store: Arc<DynResourceStore>) {
    let send = service_for(store.clone(), tenant("cursors"), Limits::default());
    let mut ids = HashMap::new();
    for n in 0..47 {
        let name = format!("walker{n:02}");
        let (status, created) = send("POST", "/Users".to_owned(), Some(user_body(&name))).await;
        assert_eq!(status, 201, "{created}");
        ids.insert(name, created["id"].as_str().unwrap_or_default().to_owned());
    }
    let everyone: BTreeSet<String> = ids.keys().cloned().collect();

    for query in [
        "attributes=userName",
        "filter=userName%20sw%20%22walker%22",
        "sortBy=userName",
        "sortBy=userName&sortOrder=descending",
    ] {
        let (pages, last) = walk(&send, query, 10).await;
        assert_eq!(pages.len(), 5, "{query}");
        assert_eq!(last["totalResults"], 47, "{last}");
        let all: Vec<String> = pages.concat();
        assert_eq!(all.len(), 47, "{query}: no repeats");
        assert_eq!(all.iter().cloned().collect::<BTreeSet<_>>(), everyone, "{query}");
        if query.contains("descending") {
            assert!(all.windows(2).all(|w| w[0] > w[1]), "{all:?}");
        } else if query.starts_with("sortBy") {
            assert!(all.windows(2).all(|w| w[0] < w[1]), "{all:?}");
        }
        // Back from the last page, page by page, to the first (which has no previousCursor).
        let mut back = vec![user_names(&last)];
        let mut page = last.clone();
        while let Some(previous) = page["previousCursor"].as_str() {
            let path = format!("/Users?{query}&count=10&cursor={}", encode_query(previous));
            let (status, body) = send("GET", path, None).await;
            assert_eq!(status, 200, "{body}");
            assert!(body.get("nextCursor").is_some(), "a page before another has a next one");
            back.push(user_names(&body));
            page = body;
            assert!(back.len() <= pages.len(), "{query}: the walk back overshoots");
        }
        back.reverse();
        assert_eq!(back, pages, "{query}: back gives the same pages");
    }

    // POST .search takes the cursor in the body.
    let search = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "userName sw \"walker\"", "sortBy": "userName", "cursor": "", "count": 20,
    });
    let (status, first) = send("POST", "/Users/.search".to_owned(), Some(search.to_string())).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(user_names(&first).len(), 20);
    let mut next = search.clone();
    next["cursor"] = first["nextCursor"].clone();
    let (status, second) = send("POST", "/Users/.search".to_owned(), Some(next.to_string())).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(user_names(&second)[0], "walker20");

    // Refusals, with the RFC 9865 scimTypes.
    let cursor = first["nextCursor"].as_str().unwrap_or_default().to_owned();
    let get = |query: String| send("GET", format!("/Users?{query}"), None);
    let refused = async |query: String, scim_type: &str| {
        let (status, body) = get(query.clone()).await;
        assert_eq!((status, body["scimType"].as_str()), (400, Some(scim_type)), "{query}: {body}");
        assert!(!body["detail"].as_str().unwrap_or_default().contains(&cursor[..20]));
    };
    let base = "filter=userName%20sw%20%22walker%22&sortBy=userName";
    let mut edited = cursor.clone().into_bytes();
    edited[5] = if edited[5] == b'A' { b'B' } else { b'A' };
    let edited = String::from_utf8(edited).unwrap_or_default();
    refused(format!("{base}&count=20&cursor={}", encode_query(&edited)), "invalidCursor").await;
    refused(format!("{base}&count=20&cursor=not-a-cursor"), "invalidCursor").await;
    refused(format!("sortBy=userName&count=20&cursor={}", encode_query(&cursor)), "invalidCursor")
        .await;
    refused(
        format!("{base}&sortOrder=descending&count=20&cursor={}", encode_query(&cursor)),
        "invalidCursor",
    )
    .await;
    refused(format!("{base}&count=5&cursor={}", encode_query(&cursor)), "invalidCount").await;
    refused(format!("{base}&count=20&startIndex=1&cursor="), "invalidValue").await;
    let stranger = service_for(store.clone(), tenant("cursors-other"), Limits::default());
    let (status, body) =
        stranger("GET", format!("/Users?{base}&count=20&cursor={}", encode_query(&cursor)), None)
            .await;
    assert_eq!((status, body["scimType"].as_str()), (400, Some("invalidCursor")), "{body}");
    let groups = format!("/Groups?{base}&count=20&cursor={}", encode_query(&cursor));
    let (status, _) = send("GET", groups.replace("&sortBy=userName", ""), None).await;
    assert_eq!(status, 400, "a User cursor is not a Group cursor");

    // A walk while others create and delete users: those there throughout appear once each.
    let doomed: Vec<String> =
        (0..12).map(|n| ids[&format!("walker{:02}", n * 4)].clone()).collect();
    let stable: BTreeSet<String> =
        (0..47).filter(|n| n % 4 != 0).map(|n| format!("walker{n:02}")).collect();
    let mut seen: Vec<String> = Vec::new();
    let mut cursor = String::new();
    let mut round = 0;
    loop {
        let path = format!("/Users?sortBy=userName&count=6&cursor={}", encode_query(&cursor));
        let (status, page) = send("GET", path, None).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(user_names(&page));
        // Between pages: one user deleted, one created (before and after the walk's place).
        if let Some(id) = doomed.get(round) {
            let (status, _) = send("DELETE", format!("/Users/{id}"), None).await;
            assert_eq!(status, 204);
        }
        for name in
            [format!("aaa-new{round}"), format!("zzz-new{round}"), format!("walker{round:02}x")]
        {
            let (status, _) = send("POST", "/Users".to_owned(), Some(user_body(&name))).await;
            assert_eq!(status, 201);
        }
        round += 1;
        assert!(round < 100, "the walk does not end");
        match page["nextCursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no user twice: {seen:?}");
    for name in &stable {
        assert!(seen.contains(name), "{name} existed throughout the walk but was not seen");
    }
}
