//! Filters through PostgreSQL give the in-memory store's answers on the same data, hostile
//! strings included: quotes, backslashes, LIKE metacharacters and SQL match literally.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Random;
use scimkit_core::{
    FilterExecution, Page, Query, Registry, ResourceStore, ResourceStoreExt, Scope, SortKey,
    SortOrder,
};
use scimkit_store_memory::InMemoryStore;
use serde_json::{Value, json};

fn users() -> Vec<Value> {
    let hostile = [
        r"O'Brien",
        r#"say "hi""#,
        r"back\slash",
        "100% real",
        "under_score",
        "'; DROP TABLE scim_resources; --",
        "SELECT * FROM x",
        "%",
        "_",
        r"\",
        "Zoë",
        "\u{212A}elvin",
        "İstanbul",
        "straße",
    ];
    let mut out: Vec<Value> = hostile
        .iter()
        .enumerate()
        .map(|(n, s)| {
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                "id": format!("h{n:02}"), "userName": format!("user-{s}"), "title": s,
                "displayName": if n % 2 == 0 { s.to_uppercase() } else { s.to_string() },
                "externalId": s,
                "emails": [
                    { "value": format!("{n}@example.com"), "type": if n % 3 == 0 { "work" } else { "home" } },
                    { "value": format!("{n}-{s}@other.org"), "type": s, "primary": n % 4 == 0 },
                ],
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "department": s, "employeeNumber": format!("{}", n * 7) },
                "meta": { "lastModified": format!("2020-01-{:02}T00:00:00Z", n + 1) },
                "active": n % 2 == 0,
            })
        })
        .collect();
    out.extend(scim_benches_like_users());
    out
}

/// A few ordinary users, some with attributes absent.
fn scim_benches_like_users() -> Vec<Value> {
    vec![
        json!({ "id": "p1", "userName": "bjensen", "title": "Tour Guide", "userType": "Employee",
                "name": { "givenName": "Barbara", "familyName": "Jensen" },
                "emails": [{ "value": "bjensen@example.com", "type": "work", "primary": true },
                           { "value": "babs@jensen.org", "type": "home" }],
                "meta": { "lastModified": "2011-05-13T04:42:34Z" }, "active": true }),
        json!({ "id": "p2", "userName": "jsmith", "userType": "contractor", "title": "tour guide",
                "meta": { "lastModified": "2011-05-13T06:42:34+02:00" }, "active": "true" }),
        json!({ "id": "p3", "userName": "Nobody" }),
    ]
}

const FILTERS: &[&str] = &[
    r#"title eq "O'Brien""#,
    r#"title eq "say \"hi\"""#,
    r#"title eq "back\\slash""#,
    r#"title co "\\""#,
    r#"title co "%""#,
    r#"title co "_""#,
    r#"title sw "100%""#,
    r#"title ew "_score""#,
    r#"title eq "'; DROP TABLE scim_resources; --""#,
    r#"title co "DROP TABLE""#,
    r#"title co "select""#,
    r#"userName co "'""#,
    r#"userName sw "USER-%""#,
    r#"userName ew "\\""#,
    r#"userName eq "user-o'brien""#,
    r#"userName gt "user-s""#,
    r#"userName le "user-_""#,
    r#"externalId eq "%""#,
    r#"externalId co "_""#,
    r#"externalId eq "zoë""#,
    r#"displayName eq "zoë""#,
    r#"displayName co "ZO""#,
    r#"displayName eq "kelvin""#,
    r#"displayName sw "i̇""#,
    r#"displayName eq "STRASSE""#,
    r#"title ne "%""#,
    r#"userType ne "Employee""#,
    r#"userType eq "CONTRACTOR""#,
    r#"title eq "tour guide""#,
    r#"title gt "T""#,
    r#"title lt "b""#,
    "title pr",
    "name pr",
    "name.familyName pr",
    r#"name.familyName eq "JENSEN""#,
    r#"emails[type eq "work" and value co "@example.com"]"#,
    r#"emails[type eq "work"].value sw "0@""#,
    r#"emails co "jensen.org""#,
    r#"emails.value ew ".ORG""#,
    r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department co "%""#,
    r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "21""#,
    r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber gt "50""#,
    r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "user-o""#,
    r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified eq "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified ge "2020-01-10T00:00:00Z""#,
    "active eq true",
    "active eq false",
    "active ne true",
    "title eq null",
    "title ne null",
    "nosuch eq 5",
    r#"USERNAME eq "BJENSEN""#,
    r#"not (title co "%") and userName sw "user""#,
    r#"title eq "ZOË""#,
    r#"title gt "tour""#,
    r#"title le "Zoë""#,
    r#"displayName co "i̇""#,
    r#"displayName ew "ELVIN""#,
    r#"displayName lt "Z""#,
    r#"displayName sw "İ""#,
    r#"emails[value ew ".org"]"#,
    r#"emails[type ne "work"]"#,
    "not (active eq true)",
    r#"active eq "TRUE""#,
    r#"active eq "nonsense""#,
    r#"emails[type eq "kelvin"]"#,
    r#"emails[type co "i"]"#,
    r#"emails[type sw "i"]"#,
    r#"emails[type co "is"]"#,
    r#"emails[type eq "STRASSE" or type eq "straße"]"#,
    r#"emails[type eq "ZOË"]"#,
    r#"emails[value co "'"]"#,
    r#"emails[value co "\"hi"]"#,
    r#"emails[value co "\\"]"#,
    r#"emails[value co "%" or value co "_"]"#,
    r#"emails[value co "DROP TABLE" and type sw "'"]"#,
    r#"emails[value ew "]@other.org" or value eq "0@EXAMPLE.COM"]"#,
    r#"emails[primary eq true]"#,
    r#"emails[primary eq true and type ne "work"]"#,
    r#"emails[type eq "work"].value co "@""#,
    r#"emails[type eq ""]"#,
    r#"emails[value co ""]"#,
    r#"meta.lastModified lt "2011-05-13T06:42:34+02:00""#,
    r#"meta.lastModified le "2011-05-13T06:42:34+02:00""#,
    r#"meta.lastModified eq "2011-05-13t04:42:34z""#,
    r#"meta.lastModified ne "2011-05-13T04:42:34.000Z""#,
    r#"meta.lastModified co "2011-05""#,
    r#"meta.lastModified gt "2020-01""#,
    r#"title co "_" or title co "%" or title eq "\\""#,
    r#"not (emails[type eq "work"])"#,
];

/// The sorts every filter runs with: none, by a key attribute, and by string, multi-valued,
/// sub-attribute, boolean and dateTime attributes in both orders.
const SORTS: &[Option<(&str, SortOrder)>] = &[
    None,
    Some(("userName", SortOrder::Ascending)),
    Some(("title", SortOrder::Ascending)),
    Some(("displayName", SortOrder::Descending)),
    Some(("emails", SortOrder::Ascending)),
    Some(("name.familyName", SortOrder::Descending)),
    Some(("active", SortOrder::Ascending)),
    Some(("meta.lastModified", SortOrder::Descending)),
];

/// Runs `filter` (sorted and paged) and completes it as the library does; `with_schema` gives
/// the store the resource type's schema, as the library does, or leaves it to guess.
async fn run(
    store: &dyn ResourceStore,
    scope: Scope<'_>,
    filter: &str,
    sort: Option<(&str, SortOrder)>,
    page: Page,
    with_schema: bool,
) -> (Vec<String>, usize, FilterExecution) {
    let registry = Registry::standard();
    let schema = registry.resource_type_schema("User").unwrap();
    let parsed = scimkit_filter::Filter::parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
    let prepared = parsed.prepare(&schema).unwrap();
    let sort = sort.map(|(by, order)| SortKey::new(&schema, by, order).unwrap());
    let mut query = Query::new(page).with_filter(&parsed, &prepared);
    if with_schema {
        query = query.with_schema(&schema);
    }
    if let Some(sort) = &sort {
        query = query.with_sort(sort);
    }
    let raw = store.query(scope, &query).await.unwrap();
    let execution = raw.filter;
    let done = raw.complete(&query);
    (done.resources.iter().map(|r| r.id().to_owned()).collect(), done.total_results, execution)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_match_the_in_memory_store() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let pg = db.store().await;
    let memory = InMemoryStore::new();
    let keys = common::keys().0;
    let scope = Scope::new("filters", "User", &keys);
    for u in users() {
        let u = u.as_object().unwrap().clone();
        pg.create(scope, u.clone()).await.unwrap();
        memory.create(scope, u).await.unwrap();
    }
    let mut exact = [0, 0];
    for filter in FILTERS {
        for sort in SORTS {
            for page in [Page::new(1, 100), Page::new(2, 3)] {
                let expected = run(&memory, scope, filter, *sort, page, true).await;
                for with_schema in [false, true] {
                    let got = run(&pg, scope, filter, *sort, page, with_schema).await;
                    assert_eq!(
                        (&got.0, got.1),
                        (&expected.0, expected.1),
                        "filter {filter}, sort {sort:?}, page {page:?}, schema {with_schema}"
                    );
                    exact[usize::from(with_schema)] += usize::from(got.2 == FilterExecution::Exact);
                }
            }
        }
    }
    // The tables are still there, and most filters ran exactly in SQL, more with the schema.
    assert_eq!(run(&pg, scope, "title pr", None, Page::new(1, 100), true).await.1, 16);
    let runs = FILTERS.len() * SORTS.len() * 2;
    println!("exact runs of {runs}: {exact:?} without and with the schema");
    assert!(exact[0] > runs / 4, "only {} of {runs} exact runs without the schema", exact[0]);
    assert!(exact[1] > exact[0], "{exact:?} exact runs without and with the schema");
    db.drop_schema().await;
}

/// `scim_instant` reads timestamps exactly as `scimkit_filter::DateTime::parse` does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_instants_agree_with_the_filter_crate() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let pool = db.pool();
    scimkit_store_postgres::PostgresStore::from_pool(pool.clone()).await.unwrap();
    let client = pool.get().await.unwrap();
    let cases = [
        "1970-01-01T00:00:00Z",
        "1969-12-31T23:59:59.999999999Z",
        "0000-01-01T00:00:00Z",
        "0000-02-29T12:00:00-23:59",
        "9999-12-31T23:59:59+00:01",
        "2011-05-13T04:42:34",
        "2011-05-13t04:42:34.5z",
        "2011-05-13T06:42:34+02:00",
        "2011-05-12T23:12:34-05:30",
        "2011-05-13T04:42:34.123456789123Z",
        "2000-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2011-04-31T04:42:34Z",
        "2011-13-13T04:42:34Z",
        "2011-05-13T24:00:00Z",
        "2011-05-13T04:42:60Z",
        "2011-05-13T04:42:34.Z",
        "2011-05-13T04:42:34+0200",
        "2011-05-13T04:42:34+24:00",
        "2011-05-13T04:42:34Zjunk",
        "2011-05-13 04:42:34Z",
        "2011-05-13",
        "٢٠١١-05-13T04:42:34Z",
        "",
    ];
    for case in cases {
        let sql: Option<String> =
            client.query_one("SELECT scim_instant($1)::text", &[&case]).await.unwrap().get(0);
        let rust = scimkit_filter::DateTime::parse(case).map(|at| {
            (i128::from(at.unix_seconds()) * 1_000_000_000 + i128::from(at.subsec_nanos()))
                .to_string()
        });
        assert_eq!(sql, rust, "{case:?}");
    }
    db.drop_schema().await;
}

/// Statements are prepared once per filter shape and connection, a client that sends ever new
/// shapes cannot grow a connection's cache past its bound, and JIT compilation is off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prepared_statements_are_bounded() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let pg = db.store().await;
    let keys = common::keys().0;
    let scope = Scope::new("shapes", "User", &keys);
    pg.create(scope, users()[0].as_object().unwrap().clone()).await.unwrap();
    for (a, b) in (1..=20).flat_map(|a| (1..=15).map(move |b| (a, b))) {
        let any = vec![r#"title eq "O'Brien""#; a].join(" or ");
        let all = vec!["title pr"; b].join(" and ");
        let filter = format!("({any}) and ({all})");
        let (ids, total, _) = run(&pg, scope, &filter, None, Page::new(1, 10), true).await;
        assert_eq!((ids.len(), total), (1, 1), "{filter}");
    }
    let client = pg.pool().get().await.unwrap();
    let cached = client.statement_cache.size();
    assert!((1..=256).contains(&cached), "{cached} statements cached");
    // The store queries with JIT compilation off.
    let jit: String = client.query_one("SHOW jit", &[]).await.unwrap().get(0);
    assert_eq!(jit, "off");
    db.drop_schema().await;
}

/// Value-path filters on random strings of awkward characters (quotes, backslashes, regular
/// expression and LIKE metacharacters, the Kelvin sign, the dotted capital I, other letters
/// that change case) give the in-memory store's answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn value_paths_on_random_strings_match_the_in_memory_store() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let pg = db.store().await;
    let memory = InMemoryStore::new();
    let keys = common::keys().0;
    let scope = Scope::new("random", "User", &keys);
    const ALPHABET: &[char] = &[
        'a', 'B', 'k', 'K', 'i', 'I', '\u{212A}', '\u{130}', 'ß', 'ë', 'Ë', '"', '\'', '\\', '%',
        '_', '.', '*', '[', ']', '(', ')', '^', '$', '|', '?', '{', '}', '-', ' ', '\n', '@',
    ];
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut values = Vec::new();
    for n in 0..60 {
        let value: String = (0..1 + next(8)).map(|_| ALPHABET[next(ALPHABET.len())]).collect();
        let user = json!({
            "id": format!("r{n:02}"), "userName": format!("random{n}"),
            "emails": [{ "value": value, "type": if n % 2 == 0 { "work" } else { "Work" } }],
        });
        pg.create(scope, user.as_object().unwrap().clone()).await.unwrap();
        memory.create(scope, user.as_object().unwrap().clone()).await.unwrap();
        values.push(value);
    }
    let mut found = 0;
    for _ in 0..150 {
        let value = &values[next(values.len())];
        let chars: Vec<char> = value.chars().collect();
        let (from, to) = (next(chars.len()), next(chars.len() + 1));
        let mut needle: String = chars[from.min(to)..from.max(to)].iter().collect();
        if next(2) == 0 {
            needle = needle.to_uppercase();
        }
        let op = ["eq", "co", "sw", "ew"][next(4)];
        let quoted = serde_json::to_string(&needle).unwrap();
        let filter = format!(r#"emails[type eq "work" and value {op} {quoted}]"#);
        let expected = run(&memory, scope, &filter, None, Page::new(1, 100), true).await;
        let got = run(&pg, scope, &filter, None, Page::new(1, 100), true).await;
        assert_eq!((&got.0, got.1), (&expected.0, expected.1), "{filter}");
        found += usize::from(got.1 > 0);
    }
    // The needles come from the values: many filters find something.
    assert!(found > 50, "only {found} of 150 filters found a user");
    db.drop_schema().await;
}

const WORDS: &[&str] = &[
    "ann", "Ann", "ANN", "an", "nn", "bob", "Bo", "", "straße", "STRASSE", "\u{212A}", "k", "a\"b",
    "50%",
];
const INSTANTS: &[&str] = &[
    "2026-01-01T00:00:00Z",
    "2026-01-02T00:00:00.000Z",
    "2026-01-02T01:00:00+01:00",
    "2026-03-01T12:30:00Z",
];
const STRING_PATHS: &[&str] = &[
    "userName",
    "displayName",
    "title",
    "name.familyName",
    "emails.value",
    "emails.type",
    "nickName",
];

/// A random filter over string, boolean and dateTime attributes, value paths included.
fn random_filter(random: &mut Random, depth: usize) -> String {
    let choice = if depth == 0 { random.below(4) } else { random.below(8) };
    match choice {
        0 | 1 => {
            let path = random.pick(STRING_PATHS);
            let op = random.pick(&["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]);
            let value = serde_json::to_string(random.pick(WORDS)).unwrap();
            format!("{path} {op} {value}")
        }
        2 => match random.below(3) {
            0 => format!("active eq {}", random.pick(&["true", "false"])),
            1 => format!("{} pr", random.pick(STRING_PATHS)),
            _ => {
                let op = random.pick(&["eq", "gt", "ge", "lt", "le", "ne"]);
                format!("meta.lastModified {op} \"{}\"", random.pick(INSTANTS))
            }
        },
        3 => {
            let value = serde_json::to_string(random.pick(WORDS)).unwrap();
            let kind = serde_json::to_string(random.pick(&["work", "Work", "home"])).unwrap();
            let op = random.pick(&["eq", "co", "sw"]);
            format!("emails[type eq {kind} and value {op} {value}]")
        }
        4 | 5 => {
            let join = random.pick(&["and", "or"]);
            let (a, b) = (random_filter(random, depth - 1), random_filter(random, depth - 1));
            format!("({a}) {join} ({b})")
        }
        6 => format!("not ({})", random_filter(random, depth - 1)),
        _ => random_filter(random, depth - 1),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_filters_on_random_users_match_the_in_memory_store() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let pg = db.store().await;
    let memory = InMemoryStore::new();
    let keys = common::keys().0;
    let scope = Scope::new("random-filters", "User", &keys);
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    for n in 0..80 {
        let mut user =
            json!({ "id": format!("u{n:02}"), "userName": format!("{}{n}", random.pick(WORDS)) });
        let fields = user.as_object_mut().unwrap();
        for field in ["displayName", "title", "nickName"] {
            if random.below(3) > 0 {
                fields.insert(field.to_owned(), json!(random.pick(WORDS)));
            }
        }
        if random.below(3) > 0 {
            fields.insert("name".to_owned(), json!({ "familyName": random.pick(WORDS) }));
        }
        if random.below(4) > 0 {
            fields.insert("active".to_owned(), json!(random.below(2) == 0));
        }
        let emails: Vec<Value> = (0..random.below(3))
            .map(|_| json!({ "value": random.pick(WORDS), "type": random.pick(&["work", "Work", "home"]) }))
            .collect();
        if !emails.is_empty() {
            fields.insert("emails".to_owned(), json!(emails));
        }
        fields.insert("meta".to_owned(), json!({ "lastModified": random.pick(INSTANTS) }));
        pg.create(scope, fields.clone()).await.unwrap();
        memory.create(scope, fields.clone()).await.unwrap();
    }
    let mut matched = 0;
    for round in 0..250 {
        let filter = random_filter(&mut random, 3);
        let sort = *random.pick(&[
            None,
            Some(("userName", SortOrder::Ascending)),
            Some(("title", SortOrder::Descending)),
        ]);
        let page = *random.pick(&[Page::new(1, 100), Page::new(2, 7)]);
        let expected = run(&memory, scope, &filter, sort, page, true).await;
        for with_schema in [true, false] {
            let got = run(&pg, scope, &filter, sort, page, with_schema).await;
            assert_eq!(
                (&got.0, got.1),
                (&expected.0, expected.1),
                "round {round}: {filter}, sort {sort:?}, page {page:?}, schema {with_schema}"
            );
        }
        matched += usize::from(expected.1 > 0 && expected.1 < 80);
    }
    // The filters are not all trivially empty or everything.
    assert!(matched > 60, "only {matched} of 250 filters selected some but not all users");
    db.drop_schema().await;
}
