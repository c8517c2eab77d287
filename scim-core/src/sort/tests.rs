use serde_json::{Value, json};

use super::*;
use crate::registry::{Registry, SchemaExtension};
use crate::schema::{Attribute, Schema};

const ACME: &str = "urn:example:params:scim:schemas:extension:acme:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The standard registry, with a User extension that has numeric and case-exact attributes.
fn registry() -> Registry {
    let mut registry = Registry::standard();
    registry
        .add_schema(Schema::new(
            ACME,
            "AcmeUser",
            vec![
                Attribute::integer("level"),
                Attribute::decimal("score"),
                Attribute::string("code").case_exact(),
                Attribute::complex("badge", vec![Attribute::string("kind")]),
                Attribute::string("tags").multi_valued(),
            ],
        ))
        .unwrap();
    registry.add_extension("User", SchemaExtension::optional(ACME)).unwrap();
    registry
}

/// Sorts `resources` by `sort_by` in `order` (with the `id` tiebreak) and returns their ids.
fn sorted(sort_by: &str, order: SortOrder, resources: &[Value]) -> Vec<String> {
    let registry = registry();
    let schema = registry.resource_type_schema("User").unwrap();
    let key = SortKey::new(&schema, sort_by, order).unwrap();
    let mut objects: Vec<&JsonObject> = resources.iter().map(|r| r.as_object().unwrap()).collect();
    objects.sort_by(|a, b| key.compare_then_id(a, b));
    objects.iter().map(|o| o["id"].as_str().unwrap().to_owned()).collect()
}

fn asc(sort_by: &str, resources: &[Value]) -> Vec<String> {
    sorted(sort_by, SortOrder::Ascending, resources)
}

fn desc(sort_by: &str, resources: &[Value]) -> Vec<String> {
    sorted(sort_by, SortOrder::Descending, resources)
}

fn new_key(sort_by: &str) -> Result<SortKey> {
    let registry = registry();
    let schema = registry.resource_type_schema("User").unwrap();
    SortKey::new(&schema, sort_by, SortOrder::Ascending)
}

#[test]
fn strings_ignore_case_unless_case_exact() {
    let users = [
        json!({ "id": "1", "userName": "bob", ACME: { "code": "bob" } }),
        json!({ "id": "2", "userName": "Carol", ACME: { "code": "Carol" } }),
        json!({ "id": "3", "userName": "dave", ACME: { "code": "dave" } }),
        json!({ "id": "4", "userName": "ÉLODIE", ACME: { "code": "ÉLODIE" } }),
        json!({ "id": "5", "userName": "émile", ACME: { "code": "émile" } }),
    ];
    // userName is caseExact false: by Unicode lowercase.
    assert_eq!(asc("userName", &users), ["1", "2", "3", "4", "5"]);
    assert_eq!(desc("USERNAME", &users), ["5", "4", "3", "2", "1"]);
    // code is caseExact: by code point, upper case first.
    assert_eq!(asc("code", &users), ["2", "1", "3", "4", "5"]);
    assert_eq!(asc(&format!("{ACME}:code"), &users), ["2", "1", "3", "4", "5"]);
    // id is caseExact too.
    let ids = [json!({ "id": "b" }), json!({ "id": "B" }), json!({ "id": "a" })];
    assert_eq!(asc("id", &ids), ["B", "a", "b"]);
}

#[test]
fn numbers_sort_numerically() {
    let users = [
        json!({ "id": "1", ACME: { "level": 10, "score": 2.5 } }),
        json!({ "id": "2", ACME: { "level": 9, "score": -1 } }),
        json!({ "id": "3", ACME: { "level": -3, "score": 10.25 } }),
        json!({ "id": "4", ACME: { "level": 100, "score": 2 } }),
    ];
    assert_eq!(asc("level", &users), ["3", "2", "1", "4"]);
    assert_eq!(desc("level", &users), ["4", "1", "2", "3"]);
    assert_eq!(asc("score", &users), ["2", "4", "1", "3"]);
    assert_eq!(
        compare_numbers(&Number::from(u64::MAX), &Number::from(-1i64)),
        std::cmp::Ordering::Greater
    );
}

#[test]
fn booleans_false_before_true() {
    let users = [
        json!({ "id": "1", "active": true }),
        json!({ "id": "2", "active": false }),
        json!({ "id": "3", "active": true }),
    ];
    assert_eq!(asc("active", &users), ["2", "1", "3"]);
    assert_eq!(desc("active", &users), ["1", "3", "2"]);
}

#[test]
fn date_times_sort_chronologically() {
    let users = [
        json!({ "id": "1", "meta": { "lastModified": "2011-05-13T04:42:34Z" } }),
        // Earlier than 1 as an instant, though later as text.
        json!({ "id": "2", "meta": { "lastModified": "2011-05-13T05:42:34+02:00" } }),
        json!({ "id": "3", "meta": { "lastModified": "2011-05-13T04:42:34.5Z" } }),
        json!({ "id": "4", "meta": { "lastModified": "2010-01-01T00:00:00Z" } }),
    ];
    assert_eq!(asc("meta.lastModified", &users), ["4", "2", "1", "3"]);
    assert_eq!(desc("meta.lastModified", &users), ["3", "1", "2", "4"]);
}

#[test]
fn multi_valued_sorts_by_primary_else_first() {
    let users = [
        // The primary email is b…, though a… comes first.
        json!({ "id": "1", "emails": [
            { "value": "a@example.com" }, { "value": "b@example.com", "primary": true }
        ] }),
        json!({ "id": "2", "emails": [{ "value": "c@example.com" }, { "value": "0@example.com" }] }),
        json!({ "id": "3", "emails": [
            { "value": "Z@example.com", "primary": false }, { "value": "1@example.com" }
        ] }),
    ];
    // `emails` alone means `emails.value`.
    assert_eq!(asc("emails", &users), ["1", "2", "3"]);
    assert_eq!(asc("emails.value", &users), ["1", "2", "3"]);
    assert_eq!(desc("emails.value", &users), ["3", "2", "1"]);
    let tagged = [
        json!({ "id": "1", ACME: { "tags": ["b", "a"] } }),
        json!({ "id": "2", ACME: { "tags": ["a", "z"] } }),
    ];
    assert_eq!(asc("tags", &tagged), ["2", "1"]);
}

#[test]
fn missing_values_last_ascending_first_descending() {
    let users = [
        json!({ "id": "1", "title": "b" }),
        json!({ "id": "2" }),
        json!({ "id": "3", "title": "a" }),
        json!({ "id": "4", "title": 7 }), // the wrong type counts as missing
        json!({ "id": "0" }),
    ];
    assert_eq!(asc("title", &users), ["3", "1", "0", "2", "4"]);
    assert_eq!(desc("title", &users), ["0", "2", "4", "1", "3"]);
    let dates = [
        json!({ "id": "1", "meta": { "lastModified": "not a date" } }),
        json!({ "id": "2", "meta": { "lastModified": "2011-05-13T04:42:34Z" } }),
    ];
    assert_eq!(asc("meta.lastModified", &dates), ["2", "1"]);
}

#[test]
fn extension_attributes_and_complex_value() {
    let users = [
        json!({ "id": "1", ENTERPRISE: { "department": "sales", "manager": { "value": "m2" } } }),
        json!({ "id": "2", ENTERPRISE: { "department": "Finance", "manager": { "value": "m1" } } }),
        json!({ "id": "3" }),
    ];
    assert_eq!(asc("department", &users), ["2", "1", "3"]);
    assert_eq!(asc(&format!("{ENTERPRISE}:department"), &users), ["2", "1", "3"]);
    assert_eq!(asc(&format!("{ENTERPRISE}:manager"), &users), ["2", "1", "3"]);
    assert_eq!(asc("manager.value", &users), ["2", "1", "3"]);
    let named = [
        json!({ "id": "1", "name": { "givenName": "Zoë" } }),
        json!({ "id": "2", "name": { "givenName": "ann" } }),
    ];
    assert_eq!(asc("name.givenName", &named), ["2", "1"]);
}

#[test]
fn ties_break_on_id_in_both_orders() {
    let users = [
        json!({ "id": "c", "title": "Engineer" }),
        json!({ "id": "a", "title": "ENGINEER" }),
        json!({ "id": "b", "title": "engineer" }),
        json!({ "id": "d", "title": "Accountant" }),
    ];
    assert_eq!(asc("title", &users), ["d", "a", "b", "c"]);
    assert_eq!(desc("title", &users), ["a", "b", "c", "d"]);
    let key = new_key("title").unwrap();
    let (a, b) = (users[0].as_object().unwrap(), users[1].as_object().unwrap());
    assert_eq!(key.compare(a, b), Ordering::Equal);
    assert_eq!(key.compare_then_id(a, b), Ordering::Greater);
    assert_eq!(key.order(), SortOrder::Ascending);
}

#[test]
fn bad_sort_attributes_are_invalid_values() {
    for bad in [
        "nonsense",
        "name.nonsense",
        "urn:example:unknown:title",
        ENTERPRISE,
        "name",  // complex without a `value` sub-attribute
        "badge", // likewise, in an extension
        "password",
        "emails[type eq \"work\"]",
        "",
    ] {
        let err = new_key(bad).unwrap_err();
        assert!(matches!(err, Error::InvalidValue { .. }), "{bad}: {err}");
    }
}

#[test]
fn string_values_compare_as_their_resources_do() {
    let registry = Registry::standard();
    let users = registry.resource_type_schema("User").unwrap();
    let values = [
        None,
        Some("Zoë"),
        Some("zoe"),
        Some("ZOË"),
        Some("\u{212A}elvin"),
        Some("kelvin"),
        Some("İ"),
        Some("i"),
        Some(""),
        Some("b"),
    ];
    for by in ["title", "id", "name.familyName", "emails"] {
        for order in [SortOrder::Ascending, SortOrder::Descending] {
            let key = SortKey::new(&users, by, order).unwrap();
            let stub = |id: usize, value: Option<&str>| {
                let mut resource = json!({ "id": id.to_string() });
                if let Some(value) = value {
                    let (name, sub) = by.split_once('.').unwrap_or((by, "value"));
                    resource[name] = match by {
                        "title" | "id" => json!(value),
                        "emails" => json!([{ "value": value }]),
                        _ => json!({ sub: value }),
                    };
                }
                resource.as_object().unwrap().clone()
            };
            for (i, a) in values.iter().enumerate() {
                for (j, b) in values.iter().enumerate() {
                    let (ia, ib) = (i.to_string(), j.to_string());
                    let (a_value, b_value) =
                        if by == "id" { (Some(ia.as_str()), Some(ib.as_str())) } else { (*a, *b) };
                    assert_eq!(
                        key.compare_strings_then_id((&ia, a_value), (&ib, b_value)),
                        key.compare_then_id(&stub(i, a_value), &stub(j, b_value)),
                        "{by} {order:?} {a_value:?} {b_value:?}"
                    );
                }
            }
        }
    }
}
