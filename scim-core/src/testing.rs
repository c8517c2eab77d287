//! The shared conformance suite every [`ResourceStore`](crate::ResourceStore) must pass.
//!
//! Each function is an async test over any store: it creates its own tenants (with a random
//! suffix), so the functions can run against one store in any order, in parallel, and next to
//! other data. They panic on a failed expectation, like `assert!`. A backend's tests call
//! [`run_all`] (or each function) on the store itself, and again through `Arc<dyn
//! ResourceStore>` and `Box<dyn ResourceStore>`.
//!
//! This is a test API, not a stable one: new checks are added as the contract is sharpened.
//!
//! ```
//! # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
//! use std::sync::Arc;
//! use scimkit_core::{DynResourceStore, testing};
//! use scimkit_store_memory::InMemoryStore;
//!
//! // Your store here; the in-memory one passes.
//! let store: Arc<DynResourceStore> = Arc::new(InMemoryStore::new());
//! testing::run_all(store).await;
//! # });
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod cursors_http;
mod custom_http;
mod events;
mod events_http;
mod http_input;
mod members_http;
mod memberships_http;
mod tokens;

pub use cursors_http::cursor_walks_over_http;
pub use custom_http::custom_types_over_http;
pub use events::{
    event_feeds_consumers_and_pruning, event_order_across_replicas,
    event_order_under_concurrent_writers, events_of_every_write,
};
pub use events_http::events_over_http;
pub use http_input::{long_key_values_over_http, nul_characters_over_http};
pub use members_http::{deletes_racing_member_adds, members_must_exist};
pub use memberships_http::memberships_over_http;
pub use tokens::token_lifecycle;

use std::sync::Arc;

use serde_json::{Value, json};

use crate::error::Error;
use crate::message::SortOrder;
use crate::normalize::JsonObject;
use crate::registry::Registry;
use crate::sort::SortKey;
use crate::store::{
    DynResourceStore, KeyAttribute, Page, Query, ResourceStoreExt, Scope, StoreKeys, Version,
};

/// Runs every check of the suite on `store`.
pub async fn run_all(store: Arc<DynResourceStore>) {
    crud(&*store).await;
    versions_and_preconditions(&*store).await;
    uniqueness(&*store).await;
    racing_creates(store.clone()).await;
    filter_operators(&*store).await;
    indexed_lookups(&*store).await;
    sort_and_paging(&*store).await;
    tenant_isolation(&*store).await;
    group_membership(&*store).await;
    patches_through_the_manager(store.clone()).await;
    events_of_every_write(store.clone()).await;
    event_order_under_concurrent_writers(store.clone()).await;
    event_feeds_consumers_and_pruning(store.clone()).await;
    events_over_http(store.clone()).await;
    nul_characters_over_http(store.clone()).await;
    long_key_values_over_http(store.clone()).await;
    members_must_exist(store.clone()).await;
    deletes_racing_member_adds(store.clone()).await;
    memberships_over_http(store.clone()).await;
    cursor_walks_over_http(store.clone()).await;
    custom_types_over_http(store).await;
}

/// The schemas and keys the suite writes with.
struct Fixture {
    registry: Registry,
    users: StoreKeys,
    groups: StoreKeys,
}

impl Fixture {
    fn new() -> Self {
        let registry = Registry::standard();
        let users = StoreKeys::for_type(&registry.resource_type_schema("User").unwrap());
        let groups = StoreKeys::for_type(&registry.resource_type_schema("Group").unwrap())
            .with_unique(KeyAttribute::top_level("displayName", false));
        Self { registry, users, groups }
    }

    fn users<'a>(&'a self, tenant: &'a str) -> Scope<'a> {
        Scope::new(tenant, "User", &self.users)
    }

    fn groups<'a>(&'a self, tenant: &'a str) -> Scope<'a> {
        Scope::new(tenant, "Group", &self.groups)
    }

    /// Runs a filter (and sort) through the store, completes the result as the library does,
    /// and returns the ids of the page and the total.
    async fn query(
        &self,
        store: &DynResourceStore,
        scope: Scope<'_>,
        filter: Option<&str>,
        sort: Option<(&str, SortOrder)>,
        page: Page,
    ) -> (Vec<String>, usize) {
        let schema = self.registry.resource_type_schema(scope.resource_type).unwrap();
        let parsed = filter.map(|f| scimkit_filter::Filter::parse(f).unwrap());
        let prepared = parsed.as_ref().map(|f| f.prepare(&schema).unwrap());
        let sort_key = sort.map(|(by, order)| SortKey::new(&schema, by, order).unwrap());
        let mut query = Query::new(page).with_schema(&schema);
        if let (Some(f), Some(p)) = (&parsed, &prepared) {
            query = query.with_filter(f, p);
        }
        if let Some(key) = &sort_key {
            query = query.with_sort(key);
        }
        let result = store.query(scope, &query).await.unwrap().complete(&query);
        let ids = result.resources.iter().map(|r| r.id().to_owned()).collect();
        (ids, result.total_results)
    }
}

/// The `n`th case variant of the ASCII `word`: bit `i` of `n` upper-cases letter `i`, so `0`
/// to `2^len - 1` give every variant once. For tests that race creates of one name.
///
/// ```
/// assert_eq!(scimkit_core::testing::case_variant("racer", 0b101), "RaCer");
/// ```
pub fn case_variant(word: &str, n: usize) -> String {
    word.chars()
        .enumerate()
        .map(|(i, c)| if (n >> i) & 1 == 1 { c.to_ascii_uppercase() } else { c })
        .collect()
}

/// A tenant name no other run uses.
/// The status and JSON body a request gets, when it completes.
pub(crate) type Answer = std::pin::Pin<Box<dyn Future<Output = (u16, Value)> + Send>>;

/// A service over `store` for `tenant`, with `limits`, and a function that sends it one
/// request and returns the status and the JSON body.
pub(crate) fn service_for(
    store: Arc<DynResourceStore>,
    tenant: String,
    limits: crate::config::Limits,
) -> impl Fn(&str, String, Option<String>) -> Answer {
    let config = crate::config::ServiceConfig::default().with_limits(limits);
    let manager = crate::manager::ResourceManager::builder(store).config(config).build().unwrap();
    sender(manager, tenant)
}

/// A service over `manager` for `tenant`, and a function that sends it one request (under
/// `/scim/v2`, with the tenant's token) and returns the status and the JSON body.
pub(crate) fn sender(
    manager: crate::manager::ResourceManager,
    tenant: String,
) -> impl Fn(&str, String, Option<String>) -> Answer {
    let tokens = crate::http::BearerTokens::new()
        .with_token("input-token", crate::http::Principal::new(tenant, "client"));
    let service = crate::http::ScimService::builder(manager, tokens).base_path("/scim/v2").build();
    move |method: &str, path: String, body: Option<String>| {
        let request = http::Request::builder()
            .method(method)
            .uri(format!("/scim/v2{path}"))
            .header("Authorization", "Bearer input-token")
            .header("Content-Type", "application/scim+json")
            .body(body.unwrap_or_default().into_bytes())
            .unwrap();
        let service = service.clone();
        Box::pin(async move {
            let response = service.handle(request).await;
            let body: Value = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
            (response.status().as_u16(), body)
        })
    }
}

/// A User body for a create with `name` as its `userName`.
fn user_body(name: &str) -> String {
    json!({ "schemas": [crate::schema::urn::SCHEMA_USER], "userName": name }).to_string()
}

/// A Group body for a create: `name` and the ids of its `members`.
fn group_body(name: &str, members: &[&str]) -> String {
    let members: Vec<Value> = members.iter().map(|m| json!({ "value": m })).collect();
    json!({ "schemas": [crate::schema::urn::SCHEMA_GROUP], "displayName": name, "members": members })
        .to_string()
}

/// The `userName` of each resource of a ListResponse.
fn user_names(list: &Value) -> Vec<String> {
    list["Resources"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|r| r["userName"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// `text` with every character a query string cannot carry as it is percent-encoded.
fn encode_query(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte));
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn tenant(name: &str) -> String {
    format!("{name}-{}", uuid::Uuid::new_v4())
}

/// A JSON object literal as a resource.
fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(object) => object,
        other => panic!("not an object: {other}"),
    }
}

fn user(id: &str, user_name: &str) -> JsonObject {
    object(json!({
        "schemas": [crate::schema::urn::SCHEMA_USER],
        "id": id,
        "userName": user_name,
        "meta": { "resourceType": "User", "created": "2026-01-01T00:00:00.000Z", "lastModified": "2026-01-01T00:00:00.000Z" }
    }))
}

fn group(id: &str, name: &str, members: &[&str]) -> JsonObject {
    let members: Vec<Value> =
        members.iter().map(|m| json!({ "value": m, "type": "User" })).collect();
    let mut group = object(json!({
        "schemas": [crate::schema::urn::SCHEMA_GROUP],
        "id": id,
        "displayName": name,
        "meta": { "resourceType": "Group", "created": "2026-01-01T00:00:00.000Z", "lastModified": "2026-01-01T00:00:00.000Z" }
    }));
    if !members.is_empty() {
        group.insert("members".to_owned(), Value::Array(members));
    }
    group
}

/// Create, get, replace and delete, and the `NotFound` cases.
pub async fn crud(store: &DynResourceStore) {
    let f = Fixture::new();
    let t = tenant("crud");
    let scope = f.users(&t);
    assert!(store.get(scope, "u1").await.unwrap().is_none(), "get before create");

    let created = store.create(scope, user("u1", "bjensen")).await.unwrap();
    assert_eq!(created.id(), "u1");
    assert_eq!(created.resource, user("u1", "bjensen"), "create returns the resource as given");

    let got = store.get(scope, "u1").await.unwrap().expect("created resource is found");
    assert_eq!(got, created, "get returns what create returned");

    let mut changed = user("u1", "bjensen");
    changed.insert("title".to_owned(), json!("Tour Guide"));
    let replaced = store.replace(scope, "u1", changed.clone(), None).await.unwrap();
    assert_eq!(replaced.resource, changed);
    assert_eq!(store.get(scope, "u1").await.unwrap().unwrap().resource, changed);

    let missing = store.replace(scope, "nope", user("nope", "x"), None).await;
    assert!(matches!(missing, Err(Error::NotFound { .. })), "replace of an absent id: {missing:?}");

    store.delete(scope, "u1", None).await.unwrap();
    assert!(store.get(scope, "u1").await.unwrap().is_none(), "get after delete");
    let again = store.delete(scope, "u1", None).await;
    assert!(matches!(again, Err(Error::NotFound { .. })), "delete twice: {again:?}");

    // The id is free again, and so is the userName.
    store.create(scope, user("u1", "bjensen")).await.unwrap();
}

/// New versions on every write; `If-Match` semantics on replace and delete.
pub async fn versions_and_preconditions(store: &DynResourceStore) {
    let f = Fixture::new();
    let t = tenant("versions");
    let scope = f.users(&t);
    let v1 = store.create(scope, user("u1", "ann")).await.unwrap().version;
    let v2 = store.replace(scope, "u1", user("u1", "ann2"), Some(&v1)).await.unwrap().version;
    assert_ne!(v1, v2, "a replace assigns a new version");
    let v3 = store.replace(scope, "u1", user("u1", "ann2"), None).await.unwrap().version;
    assert!(v3 != v2 && v3 != v1, "versions never repeat");
    assert_eq!(store.get(scope, "u1").await.unwrap().unwrap().version, v3);

    let stale = store.replace(scope, "u1", user("u1", "ann3"), Some(&v1)).await;
    assert!(matches!(stale, Err(Error::PreconditionFailed { .. })), "stale replace: {stale:?}");
    assert_eq!(store.get(scope, "u1").await.unwrap().unwrap().resource, user("u1", "ann2"));

    let bogus = Version::new("no-such-version");
    let stale = store.delete(scope, "u1", Some(&bogus)).await;
    assert!(matches!(stale, Err(Error::PreconditionFailed { .. })), "stale delete: {stale:?}");
    assert!(store.get(scope, "u1").await.unwrap().is_some(), "a failed delete keeps the resource");
    store.delete(scope, "u1", Some(&v3)).await.unwrap();
}

/// Unique attributes compare case-insensitively (by `fold_case`), within a tenant and type.
pub async fn uniqueness(store: &DynResourceStore) {
    let f = Fixture::new();
    let t = tenant("unique");
    let scope = f.users(&t);
    store.create(scope, user("u1", "Alice")).await.unwrap();
    for variant in ["alice", "ALICE", "aLiCe"] {
        let dup = store.create(scope, user("u2", variant)).await;
        assert!(matches!(dup, Err(Error::Uniqueness { .. })), "{variant}: {dup:?}");
    }
    // Unicode: the Kelvin sign folds to `k`, so these collide; `straße` and `STRASSE` do not
    // fold to the same string and may both exist, exactly as a filter would tell them apart.
    store.create(scope, user("k1", "\u{212A}elvin")).await.unwrap();
    let dup = store.create(scope, user("k2", "kelvin")).await;
    assert!(matches!(dup, Err(Error::Uniqueness { .. })), "Kelvin sign: {dup:?}");
    store.create(scope, user("s1", "straße")).await.unwrap();
    store.create(scope, user("s2", "STRASSE")).await.unwrap();
    store.create(scope, user("i1", "İstanbul")).await.unwrap();
    let dup = store.create(scope, user("i2", "i̇stanbul")).await;
    assert!(matches!(dup, Err(Error::Uniqueness { .. })), "dotted capital I: {dup:?}");

    // A replace may keep its own value, but not take another's.
    store.replace(scope, "u1", user("u1", "ALICE"), None).await.unwrap();
    store.create(scope, user("u3", "bob")).await.unwrap();
    let taken = store.replace(scope, "u3", user("u3", "Alice"), None).await;
    assert!(matches!(taken, Err(Error::Uniqueness { .. })), "replace into a taken name: {taken:?}");
    assert_eq!(store.get(scope, "u3").await.unwrap().unwrap().resource["userName"], "bob");

    // Not unique: externalId (it is indexed, not unique).
    let mut a = user("e1", "e1");
    a.insert("externalId".to_owned(), json!("same"));
    let mut b = user("e2", "e2");
    b.insert("externalId".to_owned(), json!("same"));
    store.create(scope, a).await.unwrap();
    store.create(scope, b).await.unwrap();

    // Group displayName is unique when the keys say so; the same name in another tenant is fine.
    let groups = f.groups(&t);
    store.create(groups, group("g1", "Sales", &[])).await.unwrap();
    let dup = store.create(groups, group("g2", "sales", &[])).await;
    assert!(matches!(dup, Err(Error::Uniqueness { .. })), "group name: {dup:?}");
    let other = tenant("unique-other");
    store.create(f.groups(&other), group("g2", "sales", &[])).await.unwrap();
    store.create(f.users(&other), user("u1", "alice")).await.unwrap();
}

/// 64 concurrent creates of case variants of one userName: exactly one succeeds.
pub async fn racing_creates(store: Arc<DynResourceStore>) {
    let f = Arc::new(Fixture::new());
    let t = Arc::new(tenant("race"));
    let mut tasks = Vec::new();
    for n in 0..64 {
        let (store, f, t) = (store.clone(), f.clone(), t.clone());
        tasks.push(tokio::spawn(async move {
            store.create(f.users(&t), user(&format!("u{n}"), &case_variant("racer", n))).await
        }));
    }
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => ok += 1,
            Err(Error::Uniqueness { .. }) => {}
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    assert_eq!(ok, 1, "exactly one racing create succeeds");
    let (found, total) = f.query(&*store, f.users(&t), None, None, Page::new(1, 100)).await;
    assert_eq!((found.len(), total), (1, 1));
}

/// The users every filter check runs against.
async fn seed_filter_users(store: &DynResourceStore, scope: Scope<'_>) {
    let users = [
        json!({ "id": "a", "userName": "bjensen", "externalId": "X1", "title": "Tour Guide", "userType": "Employee",
                "active": true, "name": { "givenName": "Barbara", "familyName": "Jensen" },
                "emails": [{ "value": "bjensen@example.com", "type": "work", "primary": true },
                           { "value": "babs@jensen.org", "type": "home" }],
                "meta": { "lastModified": "2011-05-13T04:42:34Z" },
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "department": "Tour", "employeeNumber": "701984" } }),
        json!({ "id": "b", "userName": "jsmith", "externalId": "x1", "userType": "Contractor", "active": false,
                "name": { "givenName": "John", "familyName": "Smith" },
                "emails": [{ "value": "john@other.com", "type": "work" }, { "value": "js@example.com", "type": "home" }],
                "meta": { "lastModified": "2012-01-01T00:00:00+02:00" } }),
        json!({ "id": "c", "userName": "Zoë", "active": true, "title": "",
                "meta": { "lastModified": "2010-01-01T00:00:00Z" } }),
    ];
    for u in users {
        let mut u = object(u);
        u.insert("schemas".to_owned(), json!([crate::schema::urn::SCHEMA_USER]));
        store.create(scope, u).await.unwrap();
    }
}

/// Every operator and logical form, evaluated through the store and completed by the library.
pub async fn filter_operators(store: &DynResourceStore) {
    let f = Fixture::new();
    let t = tenant("filters");
    let scope = f.users(&t);
    seed_filter_users(store, scope).await;
    let cases: &[(&str, &[&str])] = &[
        (r#"userName eq "BJENSEN""#, &["a"]),
        (r#"userName ne "bjensen""#, &["b", "c"]),
        (r#"userName co "SMI""#, &["b"]),
        (r#"userName sw "j""#, &["b"]),
        (r#"userName ew "SEN""#, &["a"]),
        (r#"userName gt "c""#, &["b", "c"]),
        (r#"userName ge "jsmith""#, &["b", "c"]),
        (r#"userName lt "c""#, &["a"]),
        (r#"userName le "bjensen""#, &["a"]),
        ("title pr", &["a"]),
        (r#"externalId eq "X1""#, &["a"]),
        (r#"externalId eq "x1""#, &["b"]),
        (r#"userType ne "Employee""#, &["b", "c"]),
        ("active eq true", &["a", "c"]),
        ("active eq false", &["b"]),
        (r#"meta.lastModified gt "2011-05-13T04:42:34Z""#, &["b"]),
        (r#"meta.lastModified ge "2011-05-13T06:42:34+02:00""#, &["a", "b"]),
        (r#"meta.lastModified lt "2011-05-13T04:42:34Z""#, &["c"]),
        (r#"meta.lastModified le "2011-05-13T04:42:34Z""#, &["a", "c"]),
        (r#"emails co "example.com""#, &["a", "b"]),
        (r#"emails[type eq "work" and value co "@example.com"]"#, &["a"]),
        (r#"emails[type eq "work"].value ew "other.com""#, &["b"]),
        (r#"name.familyName eq "smith""#, &["b"]),
        (
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "tour""#,
            &["a"],
        ),
        (r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "jsmith""#, &["b"]),
        (r#"userName eq "bjensen" or userName eq "jsmith""#, &["a", "b"]),
        (r#"userName eq "bjensen" and title pr"#, &["a"]),
        (r#"not (active eq true)"#, &["b"]),
        (r#"(userName eq "zoë" or title pr) and not (userName sw "b")"#, &["c"]),
        (r#"userName eq "nobody""#, &[]),
    ];
    for (filter, expected) in cases {
        let (found, total) = f.query(store, scope, Some(filter), None, Page::new(1, 100)).await;
        assert_eq!(found, *expected, "filter {filter}");
        assert_eq!(total, expected.len(), "total for {filter}");
    }
}

/// Equality lookups on indexed attributes give the same answers as a scan would, including
/// after replaces and deletes that move values around.
pub async fn indexed_lookups(store: &DynResourceStore) {
    let f = Fixture::new();
    let t = tenant("indexed");
    let scope = f.users(&t);
    for n in 0..50 {
        let mut u = user(&format!("u{n:02}"), &format!("User{n}"));
        u.insert("externalId".to_owned(), json!(format!("ext-{}", n % 5)));
        store.create(scope, u).await.unwrap();
    }
    let (found, _) =
        f.query(store, scope, Some(r#"userName eq "user7""#), None, Page::new(1, 10)).await;
    assert_eq!(found, ["u07"]);
    let (found, total) =
        f.query(store, scope, Some(r#"externalId eq "ext-3""#), None, Page::new(1, 100)).await;
    assert_eq!(total, 10);
    assert_eq!(found.first().map(String::as_str), Some("u03"));
    let (_, total) =
        f.query(store, scope, Some(r#"externalId eq "EXT-3""#), None, Page::new(1, 100)).await;
    assert_eq!(total, 0, "externalId is case-exact");

    store.replace(scope, "u07", user("u07", "renamed"), None).await.unwrap();
    let (found, _) =
        f.query(store, scope, Some(r#"userName eq "user7""#), None, Page::new(1, 10)).await;
    assert!(found.is_empty(), "the old value no longer finds the resource");
    let (found, _) =
        f.query(store, scope, Some(r#"userName eq "RENAMED""#), None, Page::new(1, 10)).await;
    assert_eq!(found, ["u07"]);
    store.delete(scope, "u07", None).await.unwrap();
    let (found, _) =
        f.query(store, scope, Some(r#"userName eq "renamed""#), None, Page::new(1, 10)).await;
    assert!(found.is_empty(), "a deleted resource is not found");
    store.create(scope, user("u99", "user7")).await.unwrap();
    let (found, _) = f
        .query(
            store,
            scope,
            Some(r#"userName eq "user7" or userName eq "user8""#),
            None,
            Page::new(1, 10),
        )
        .await;
    assert_eq!(found, ["u08", "u99"]);
}

/// Sorting by each order, stable paging with exact totals, and the edge pages.
pub async fn sort_and_paging(store: &DynResourceStore) {
    let f = Fixture::new();
    let t = tenant("paging");
    let scope = f.users(&t);
    // Ids in one order, userNames in another, and some ties on title.
    for n in 0..25 {
        let mut u = user(&format!("id{n:02}"), &format!("name{:02}", (n * 7) % 25));
        u.insert("title".to_owned(), json!(if n % 3 == 0 { "A" } else { "b" }));
        store.create(scope, u).await.unwrap();
    }
    let all = Page::new(1, 100);
    let (by_id, total) = f.query(store, scope, None, None, all).await;
    assert_eq!(total, 25);
    let mut sorted = by_id.clone();
    sorted.sort();
    assert_eq!(by_id, sorted, "without sortBy, results come in id order");

    let (by_name, _) =
        f.query(store, scope, None, Some(("userName", SortOrder::Ascending)), all).await;
    assert_eq!(by_name[0], "id00");
    assert_eq!(by_name[1], "id18", "name01 belongs to id18");
    let (desc, _) =
        f.query(store, scope, None, Some(("userName", SortOrder::Descending)), all).await;
    assert_eq!(desc.iter().rev().collect::<Vec<_>>(), by_name.iter().collect::<Vec<_>>());

    // Pages of 10 over a sort with ties concatenate to the full order, with exact totals.
    let sort = Some(("title", SortOrder::Ascending));
    let (full, _) = f.query(store, scope, None, sort, all).await;
    let mut paged = Vec::new();
    for start in [1, 11, 21] {
        let (page, total) = f.query(store, scope, None, sort, Page::new(start, 10)).await;
        assert_eq!(total, 25, "total on the page at {start}");
        paged.extend(page);
    }
    assert_eq!(paged, full, "pages are stable and complete");
    assert!(full[..9].iter().all(|id| id[2..].parse::<u32>().unwrap() % 3 == 0), "title A first");

    let (page, total) = f.query(store, scope, None, None, Page::new(26, 10)).await;
    assert!(page.is_empty());
    assert_eq!(total, 25);
    let (page, total) = f.query(store, scope, None, None, Page::new(1, 0)).await;
    assert!(page.is_empty(), "count=0 returns only the total");
    assert_eq!(total, 25);
    let (page, total) = f
        .query(
            store,
            scope,
            Some(r#"title eq "a""#),
            Some(("userName", SortOrder::Ascending)),
            Page::new(2, 3),
        )
        .await;
    assert_eq!(total, 9);
    assert_eq!(page.len(), 3);
}

/// Nothing crosses tenants: ids, queries, uniqueness and deletes.
pub async fn tenant_isolation(store: &DynResourceStore) {
    let f = Fixture::new();
    let (t1, t2) = (tenant("iso-a"), tenant("iso-b"));
    store.create(f.users(&t1), user("shared-id", "ann")).await.unwrap();
    assert!(store.get(f.users(&t2), "shared-id").await.unwrap().is_none());
    let (found, total) = f.query(store, f.users(&t2), None, None, Page::new(1, 10)).await;
    assert!(found.is_empty() && total == 0, "another tenant's query sees nothing");
    let (found, _) =
        f.query(store, f.users(&t2), Some(r#"userName eq "ann""#), None, Page::new(1, 10)).await;
    assert!(found.is_empty(), "filters never cross tenants");
    let missing = store.delete(f.users(&t2), "shared-id", None).await;
    assert!(matches!(missing, Err(Error::NotFound { .. })));
    let missing = store.replace(f.users(&t2), "shared-id", user("shared-id", "x"), None).await;
    assert!(matches!(missing, Err(Error::NotFound { .. })));
    store.create(f.users(&t2), user("shared-id", "ann")).await.unwrap();
    store.delete(f.users(&t2), "shared-id", None).await.unwrap();
    assert!(store.get(f.users(&t1), "shared-id").await.unwrap().is_some());
    // Resource types are separate too.
    assert!(store.get(f.groups(&t1), "shared-id").await.unwrap().is_none());
}

/// `groups_of` answers membership; deleting a member removes it from its groups.
pub async fn group_membership(store: &DynResourceStore) {
    let f = Fixture::new();
    let t = tenant("groups");
    for (id, name) in [("u1", "ann"), ("u2", "bob"), ("u3", "cy")] {
        store.create(f.users(&t), user(id, name)).await.unwrap();
    }
    let g1 = store.create(f.groups(&t), group("g1", "Sales", &["u1", "u2"])).await.unwrap();
    store.create(f.groups(&t), group("g2", "Ops", &["u1"])).await.unwrap();

    let groups = store.groups_of(&t, &["u1", "u2", "u3"]).await.unwrap();
    let names = |id: &str| -> Vec<(String, Option<String>)> {
        groups.get(id).map_or_else(Vec::new, |m| {
            m.iter().map(|m| (m.group_id.clone(), m.display.clone())).collect()
        })
    };
    assert_eq!(
        names("u1"),
        [("g1".to_owned(), Some("Sales".to_owned())), ("g2".to_owned(), Some("Ops".to_owned()))]
    );
    assert_eq!(names("u2"), [("g1".to_owned(), Some("Sales".to_owned()))]);
    assert!(names("u3").is_empty());
    assert!(store.groups_of(&tenant("groups-other"), &["u1"]).await.unwrap().is_empty());

    // Membership follows replaces of the group.
    store.replace(f.groups(&t), "g2", group("g2", "Ops", &["u3"]), None).await.unwrap();
    let groups = store.groups_of(&t, &["u1", "u3"]).await.unwrap();
    assert_eq!(groups["u1"].len(), 1);
    assert_eq!(groups["u3"][0].group_id, "g2");

    // Deleting a member removes it from every group and gives those groups a new version.
    store.delete(f.users(&t), "u1", None).await.unwrap();
    let g1_after = store.get(f.groups(&t), "g1").await.unwrap().unwrap();
    assert_eq!(g1_after.resource["members"], json!([{ "value": "u2", "type": "User" }]));
    assert_ne!(g1_after.version, g1.version, "the group changed, so its version did");
    assert!(store.groups_of(&t, &["u1"]).await.unwrap().get("u1").is_none_or(Vec::is_empty));

    // Deleting the last member leaves no empty members array; deleting a group ends membership.
    store.delete(f.users(&t), "u2", None).await.unwrap();
    let g1_after = store.get(f.groups(&t), "g1").await.unwrap().unwrap();
    assert!(!g1_after.resource.contains_key("members"), "no empty members array is left");
    store.delete(f.groups(&t), "g2", None).await.unwrap();
    assert!(store.groups_of(&t, &["u3"]).await.unwrap().get("u3").is_none_or(Vec::is_empty));
}

/// Through a [`ResourceManager`](crate::ResourceManager) on the store: a PATCH that changes
/// nothing keeps the version, a real one changes it, and concurrent PATCHes lose no update.
pub async fn patches_through_the_manager(store: Arc<DynResourceStore>) {
    let manager = crate::manager::ResourceManager::builder(store).build().unwrap();
    let t = tenant("manager");
    let created =
        manager.create(&t, "User", json!({ "userName": "ann", "active": true })).await.unwrap();
    let patch = |ops: Value| -> crate::message::PatchRequest {
        serde_json::from_value(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": ops
        }))
        .unwrap()
    };
    let same = patch(json!([{ "op": "Replace", "path": "active", "value": "True" }]));
    let kept = manager.patch(&t, "User", created.id(), &same, None).await.unwrap();
    assert_eq!(kept.version, created.version, "a no-op PATCH keeps the version");
    let change = patch(json!([{ "op": "Replace", "path": "active", "value": "False" }]));
    let changed =
        manager.patch(&t, "User", created.id(), &change, Some(&created.version)).await.unwrap();
    assert_ne!(changed.version, created.version, "a real change gets a new version");
    assert_eq!(changed.resource["active"], false);
    let stale = manager.patch(&t, "User", created.id(), &same, Some(&created.version)).await;
    assert!(matches!(stale, Err(Error::PreconditionFailed { .. })), "stale If-Match: {stale:?}");

    let manager = Arc::new(manager);
    let id = created.id().to_owned();
    let mut tasks = Vec::new();
    for n in 0..16 {
        let (manager, t, id) = (manager.clone(), t.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let add = serde_json::from_value::<crate::message::PatchRequest>(json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{ "op": "add", "path": "roles", "value": [{ "value": format!("r{n}") }] }]
            }))
            .unwrap();
            manager.patch(&t, "User", &id, &add, None).await.unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let user = manager.get(&t, "User", &id).await.unwrap();
    assert_eq!(user.resource["roles"].as_array().map(Vec::len), Some(16), "no PATCH was lost");
}
