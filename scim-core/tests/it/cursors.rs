//! RFC 9865 cursor paging over HTTP, from the RFC's own examples: the first page asked with an
//! empty `cursor`, `nextCursor` and `previousCursor`, `count`, the `pagination` attributes of
//! `/ServiceProviderConfig`, and `expiredCursor` past the cursor timeout.

use std::sync::Arc;
use std::time::Duration;

use scimkit_core::{Limits, ManualClock, Registry, ServiceConfig};
use serde_json::json;

use crate::harness::Client;

async fn seeded(config: ServiceConfig, clock: Arc<ManualClock>) -> Client {
    let client = Client::with_clock(config, Registry::standard(), clock);
    for n in 0..25 {
        let name = if n % 2 == 0 { format!("J{n:02}") } else { format!("K{n:02}") };
        let user =
            json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name });
        client.post("/Users", user).await.expect(201);
    }
    client
}

/// RFC 9865 §2: `GET /Users?filter=userName%20sw%20%22J%22&cursor&count=10`, then the next page with
/// the `nextCursor`; the last page has no `nextCursor`, the first no `previousCursor`.
#[tokio::test]
async fn the_rfc_example_walk() {
    let clock = Arc::new(ManualClock::at_unix_seconds(1_700_000_000));
    let client = seeded(ServiceConfig::default(), clock).await;
    let first =
        client.get("/Users?filter=userName%20sw%20%22J%22&cursor&count=10").await.expect(200);
    assert_eq!(first.body["totalResults"], 13);
    assert_eq!(first.body["itemsPerPage"], 10);
    assert!(first.body.get("previousCursor").is_none());
    let next = first.body["nextCursor"].as_str().unwrap().to_owned();
    assert!(next.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)), "URL-safe");
    let second = client
        .get(&format!("/Users?filter=userName%20sw%20%22J%22&cursor={next}&count=10"))
        .await
        .expect(200);
    assert_eq!(second.body["itemsPerPage"], 3);
    assert_eq!(second.body["totalResults"], 13);
    assert!(second.body.get("nextCursor").is_none(), "the last page");
    let previous = second.body["previousCursor"].as_str().unwrap();
    let back = client
        .get(&format!("/Users?filter=userName%20sw%20%22J%22&cursor={previous}&count=10"))
        .await
        .expect(200);
    assert_eq!(back.body["Resources"], first.body["Resources"]);
    assert!(back.body.get("previousCursor").is_none(), "back on the first page");
    // `cursor=` asks for the first page too; without a cursor the list is index-paged.
    let again =
        client.get("/Users?filter=userName%20sw%20%22J%22&cursor=&count=10").await.expect(200);
    assert_eq!(again.body["Resources"], first.body["Resources"]);
    let indexed = client.get("/Users?filter=userName%20sw%20%22J%22&count=10").await.expect(200);
    assert!(indexed.body.get("nextCursor").is_none());
    // count=0 asks only for the total.
    let counted = client.get("/Users?cursor&count=0").await.expect(200);
    assert_eq!(counted.body["totalResults"], 25);
    assert!(counted.body.get("nextCursor").is_none());
}

/// RFC 9865 §4: `pagination` in `/ServiceProviderConfig`; a count above
/// `maxPageSize` returns at most `maxPageSize`; a cursor older than `cursorTimeout` is
/// `expiredCursor`.
#[tokio::test]
async fn configuration_limits_and_expiry() {
    let clock = Arc::new(ManualClock::at_unix_seconds(1_700_000_000));
    let mut limits = Limits::default();
    limits.max_results = 8;
    let config = ServiceConfig::default()
        .with_limits(limits)
        .with_cursor_timeout(Duration::from_secs(600))
        .with_cursor_key(b"a key every replica shares");
    let client = seeded(config, clock.clone()).await;
    let spc = client.get("/ServiceProviderConfig").await.expect(200);
    assert_eq!(
        spc.body["pagination"],
        json!({
            "cursor": true, "index": true, "defaultPaginationMethod": "index",
            "defaultPageSize": 8, "maxPageSize": 8, "cursorTimeout": 600
        })
    );

    let page = client.get("/Users?cursor&count=1000").await.expect(200);
    assert_eq!(page.body["itemsPerPage"], 8, "capped at maxPageSize");
    let next = page.body["nextCursor"].as_str().unwrap().to_owned();
    clock.advance(Duration::from_secs(599));
    client.get(&format!("/Users?cursor={next}&count=1000")).await.expect(200);
    clock.advance(Duration::from_secs(2));
    let expired = client.get(&format!("/Users?cursor={next}&count=1000")).await.expect(400);
    assert_eq!(expired.body["scimType"], "expiredCursor");
}

/// RFC 9865 §3: cursors on `POST /.search` at the root, across resource types: the walk gives
/// every user and group once, whether a page ends inside a type or at its last result.
#[tokio::test]
async fn root_search_walks_every_type() {
    let clock = Arc::new(ManualClock::at_unix_seconds(1_700_000_000));
    let client = Client::with_clock(ServiceConfig::default(), Registry::standard(), clock);
    for n in 0..7 {
        let user = json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("u{n}") });
        client.post("/Users", user).await.expect(201);
    }
    for n in 0..5 {
        let group = json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": format!("g{n}") });
        client.post("/Groups", group).await.expect(201);
    }
    for count in [4, 7, 12, 5] {
        let mut seen = Vec::new();
        let mut cursor = json!("");
        let mut pages = 0;
        loop {
            let search = json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                "cursor": cursor, "count": count,
            });
            let page = client.post("/.search", search).await.expect(200);
            assert_eq!(page.body["totalResults"], 12);
            let resources = page.body["Resources"].as_array().unwrap();
            assert!(resources.len() <= count);
            seen.extend(resources.iter().map(|r| r["id"].as_str().unwrap().to_owned()));
            pages += 1;
            assert!(pages < 10);
            match page.body.get("nextCursor") {
                Some(next) => cursor = next.clone(),
                None => break,
            }
        }
        let unique: std::collections::BTreeSet<&String> = seen.iter().collect();
        assert_eq!((seen.len(), unique.len()), (12, 12), "count {count}: {seen:?}");
        assert_eq!(pages, 12usize.div_ceil(count), "count {count}");
    }
    let mixed = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "cursor": "", "startIndex": 1,
    });
    let refused = client.post("/.search", mixed).await.expect(400);
    assert_eq!(refused.body["scimType"], "invalidValue");
}
