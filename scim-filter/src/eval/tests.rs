//! Semantics tests of the evaluator, on hand-built filters.

use serde_json::{Value, json};

use super::*;
use crate::ast::{AttrName, AttrPath, AttrTest, CompValue, CompareOp, SchemaUri, ValuePath};
use crate::schema::{AttrInfo, AttrType};

const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

use CompareOp::{Co, Eq, Ew, Ge, Gt, Le, Lt, Ne, Sw};

/// `[schemaUri:]name[.sub]`
fn path(s: &str) -> AttrPath {
    let (schema, rest) = match s.rfind(':') {
        Some(i) => (Some(SchemaUri::new(&s[..i]).unwrap()), &s[i + 1..]),
        None => (None, s),
    };
    let (name, sub) = match rest.split_once('.') {
        Some((name, sub)) => (name, Some(sub)),
        None => (rest, None),
    };
    let mut path = AttrPath::new(AttrName::new(name).unwrap());
    if let Some(schema) = schema {
        path = path.with_schema(schema);
    }
    if let Some(sub) = sub {
        path = path.with_sub_attr(AttrName::new(sub).unwrap());
    }
    path
}

fn comp_value(v: Value) -> CompValue {
    match v {
        Value::Null => CompValue::Null,
        Value::Bool(b) => CompValue::Bool(b),
        Value::Number(n) => CompValue::Number(n),
        Value::String(s) => CompValue::String(s),
        other => panic!("not a comparison value: {other}"),
    }
}

fn cmp(p: &str, op: CompareOp, v: Value) -> Filter {
    Filter::compare(path(p), op, comp_value(v))
}

fn pr(p: &str) -> Filter {
    Filter::present(path(p))
}

fn vp(p: &str, inner: Filter) -> Filter {
    Filter::ValuePath(ValuePath::new(path(p), inner))
}

fn vpa(p: &str, inner: Filter, sub: &str, op: CompareOp, v: Value) -> Filter {
    Filter::ValuePathAttr {
        path: ValuePath::new(path(p), inner),
        sub_attr: AttrName::new(sub).unwrap(),
        test: AttrTest::Compare(op, comp_value(v)),
    }
}

/// A small User schema.
struct UserSchema;

impl FilterSchema for UserSchema {
    fn attribute(&self, schema: Option<&str>, name: &str, sub: Option<&str>) -> Option<AttrInfo> {
        let is = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        let string = |case_exact| AttrInfo::new(AttrType::String, false, case_exact);
        if schema.is_some_and(|s| is(s, ENTERPRISE)) {
            return (is(name, "employeeNumber") && sub.is_none()).then(|| string(true));
        }
        match (name.to_ascii_lowercase().as_str(), sub.map(str::to_ascii_lowercase).as_deref()) {
            ("username", None) => Some(string(false)),
            ("id" | "externalid", None) => Some(string(true)),
            ("active", None) => Some(AttrInfo::new(AttrType::Boolean, false, false)),
            ("age", None) => Some(AttrInfo::new(AttrType::Integer, false, false)),
            ("score", None) => Some(AttrInfo::new(AttrType::Decimal, false, false)),
            ("birthday", None) => Some(AttrInfo::new(AttrType::DateTime, false, false)),
            ("nickname", None) => Some(string(false)),
            ("photo", None) => Some(AttrInfo::new(AttrType::Binary, false, true)),
            ("meta", Some("lastmodified")) => Some(AttrInfo::new(AttrType::DateTime, false, false)),
            ("emails", None) => Some(AttrInfo::new(AttrType::Complex, true, false)),
            ("emails", Some("primary")) => Some(AttrInfo::new(AttrType::Boolean, false, false)),
            ("emails", Some("value" | "type")) => Some(string(false)),
            ("ims", None) => Some(AttrInfo::new(AttrType::Complex, true, false)),
            ("ims", Some("value")) => Some(string(true)),
            _ => None,
        }
    }
}

fn with_schema(filter: &Filter, resource: &Value) -> bool {
    filter.matches_with(resource, &UserSchema).unwrap()
}

fn bjensen() -> Value {
    json!({
        "schemas": [CORE, ENTERPRISE],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "BJensen-Ext",
        "userName": "bjensen@example.com",
        "name": { "familyName": "Jensen", "givenName": "Barbara", "middleName": null },
        "title": "Tour Guide",
        "active": true,
        "age": 42,
        "score": 7.5,
        "emails": [
            { "value": "bjensen@example.com", "type": "work", "primary": true },
            { "value": "babs@jensen.org", "type": "home" }
        ],
        "phoneNumbers": [{ "value": "555-555-8377", "type": "work" }],
        "meta": { "lastModified": "2011-05-13T04:42:34Z", "version": "W/\"a330bc54f0671c9\"" },
        ENTERPRISE: { "employeeNumber": "701984", "department": "Tour Operations" }
    })
}

// ---- strings ----

#[test]
fn string_eq_ne_case_insensitive_by_default() {
    let user = bjensen();
    assert!(cmp("userName", Eq, json!("BJENSEN@example.com")).matches(&user));
    assert!(!cmp("userName", Eq, json!("bjensen")).matches(&user));
    assert!(cmp("userName", Ne, json!("bjensen")).matches(&user));
    assert!(!cmp("userName", Ne, json!("BJensen@Example.com")).matches(&user));
    assert!(cmp("title", Eq, json!("tour guide")).matches(&user));
}

#[test]
fn string_substring_operators() {
    let user = bjensen();
    assert!(cmp("userName", Co, json!("JENSEN@")).matches(&user));
    assert!(!cmp("userName", Co, json!("jsmith")).matches(&user));
    assert!(cmp("userName", Sw, json!("BJ")).matches(&user));
    assert!(!cmp("userName", Sw, json!("jensen")).matches(&user));
    assert!(cmp("userName", Ew, json!("EXAMPLE.COM")).matches(&user));
    assert!(!cmp("userName", Ew, json!("example.org")).matches(&user));
    assert!(cmp("name.familyName", Co, json!("ens")).matches(&user));
    assert!(cmp("title", Co, json!("")).matches(&user));
}

#[test]
fn string_ordering_is_lexical_on_folded_form() {
    let user = json!({ "userName": "Bob" });
    assert!(cmp("userName", Gt, json!("alice")).matches(&user));
    assert!(cmp("userName", Gt, json!("ALICE")).matches(&user));
    assert!(!cmp("userName", Gt, json!("bob")).matches(&user));
    assert!(cmp("userName", Ge, json!("BOB")).matches(&user));
    assert!(cmp("userName", Lt, json!("carol")).matches(&user));
    assert!(!cmp("userName", Lt, json!("BOB")).matches(&user));
    assert!(cmp("userName", Le, json!("bob")).matches(&user));
    assert!(!cmp("userName", Le, json!("Alice")).matches(&user));
}

#[test]
fn string_case_exact_from_schema() {
    let user = bjensen();
    let exact = cmp("externalId", Eq, json!("bjensen-ext"));
    assert!(exact.matches(&user), "no schema: case-insensitive");
    assert!(!with_schema(&exact, &user), "schema: caseExact");
    assert!(with_schema(&cmp("externalId", Eq, json!("BJensen-Ext")), &user));
    assert!(with_schema(&cmp("externalId", Ne, json!("bjensen-ext")), &user));
    assert!(!with_schema(&cmp("externalId", Sw, json!("bj")), &user));
    assert!(with_schema(&cmp("externalId", Sw, json!("BJ")), &user));
    assert!(!with_schema(&cmp("externalId", Ew, json!("EXT")), &user));
    assert!(!with_schema(&cmp("externalId", Co, json!("jensen")), &user));
    assert!(with_schema(&cmp("externalId", Co, json!("Jensen")), &user));
    // Case-exact ordering: 'B' (0x42) < 'a' (0x61).
    assert!(with_schema(&cmp("externalId", Lt, json!("a")), &user));
    assert!(!cmp("externalId", Lt, json!("a")).matches(&user));
    // A case-insensitive attribute under the schema.
    assert!(with_schema(&cmp("userName", Eq, json!("BJENSEN@EXAMPLE.COM")), &user));
}

#[test]
fn strings_never_equal_other_types() {
    let user = json!({ "nickName": "5", "age": 5, "active": true });
    assert!(!cmp("nickName", Eq, json!(5)).matches(&user));
    assert!(!cmp("age", Eq, json!("5")).matches(&user));
    assert!(!cmp("active", Eq, json!("true")).matches(&user));
    assert!(cmp("age", Ne, json!("5")).matches(&user));
    assert!(!cmp("age", Gt, json!("1")).matches(&user));
}

// ---- numbers ----

#[test]
fn numbers_compare_across_integer_and_decimal() {
    let user = json!({ "age": 5, "score": 5.0, "big": 18446744073709551615u64 });
    assert!(cmp("age", Eq, json!(5.0)).matches(&user));
    assert!(cmp("score", Eq, json!(5)).matches(&user));
    assert!(!cmp("age", Ne, json!(5.0)).matches(&user));
    assert!(cmp("age", Ne, json!(6)).matches(&user));
    assert!(cmp("age", Gt, json!(4.5)).matches(&user));
    assert!(!cmp("age", Gt, json!(5)).matches(&user));
    assert!(cmp("age", Ge, json!(5)).matches(&user));
    assert!(cmp("score", Lt, json!(6)).matches(&user));
    assert!(cmp("score", Le, json!(5)).matches(&user));
    assert!(!cmp("score", Le, json!(4)).matches(&user));
    assert!(cmp("big", Gt, json!(-1)).matches(&user));
    assert!(cmp("big", Eq, json!(18446744073709551615u64)).matches(&user));
    assert!(!cmp("big", Eq, json!(18446744073709551614u64)).matches(&user));
}

#[test]
fn numbers_with_substring_operators_match_nothing() {
    let user = json!({ "age": 55 });
    assert!(!cmp("age", Co, json!(5)).matches(&user));
    assert!(!cmp("age", Sw, json!(5)).matches(&user));
    assert!(!cmp("age", Ew, json!(5)).matches(&user));
}

#[test]
fn numeric_strings_compare_as_numbers_under_a_numeric_schema() {
    let user = json!({ "age": "42", "score": " 7.50 " });
    assert!(!cmp("age", Eq, json!(42)).matches(&user));
    assert!(with_schema(&cmp("age", Eq, json!(42)), &user));
    assert!(with_schema(&cmp("age", Gt, json!(41.5)), &user));
    assert!(with_schema(&cmp("score", Eq, json!(7.5)), &user));
    // A numeric filter string on a numeric attribute.
    assert!(with_schema(&cmp("age", Eq, json!("42.0")), &json!({ "age": 42 })));
    assert!(with_schema(&cmp("age", Lt, json!("100")), &json!({ "age": 42 })));
}

// ---- booleans ----

#[test]
fn booleans_eq_ne() {
    let user = bjensen();
    assert!(cmp("active", Eq, json!(true)).matches(&user));
    assert!(!cmp("active", Eq, json!(false)).matches(&user));
    assert!(cmp("active", Ne, json!(false)).matches(&user));
    assert!(!cmp("active", Ne, json!(true)).matches(&user));
    assert!(with_schema(&cmp("active", Eq, json!(true)), &user));
}

#[test]
fn boolean_strings_compare_as_booleans_under_a_boolean_schema() {
    let upper = json!({ "active": "True" });
    let lower = json!({ "active": "FALSE" });
    assert!(
        !cmp("active", Eq, json!(true)).matches(&upper),
        "no schema: a string is not a boolean"
    );
    assert!(with_schema(&cmp("active", Eq, json!(true)), &upper));
    assert!(!with_schema(&cmp("active", Eq, json!(false)), &upper));
    assert!(with_schema(&cmp("active", Eq, json!(false)), &lower));
    assert!(with_schema(&cmp("active", Ne, json!(true)), &lower));
    assert!(!with_schema(&cmp("active", Eq, json!(true)), &json!({ "active": "yes" })));
    // A boolean spelled as a string in the filter.
    assert!(with_schema(&cmp("active", Eq, json!("TRUE")), &json!({ "active": true })));
}

#[test]
fn boolean_ordering_without_schema_matches_nothing() {
    let user = bjensen();
    for op in [Gt, Ge, Lt, Le, Co, Sw, Ew] {
        assert!(!cmp("active", op, json!(true)).matches(&user), "{op}");
        assert!(!cmp("active", op, json!(false)).matches(&user), "{op}");
    }
}

// ---- dateTime ----

#[test]
fn datetime_with_schema_is_chronological() {
    let user = bjensen();
    let last = "meta.lastModified";
    assert!(with_schema(&cmp(last, Eq, json!("2011-05-13T06:42:34+02:00")), &user));
    assert!(with_schema(&cmp(last, Eq, json!("2011-05-13T04:42:34.000Z")), &user));
    assert!(!with_schema(&cmp(last, Ne, json!("2011-05-13T00:42:34-04:00")), &user));
    assert!(with_schema(&cmp(last, Ne, json!("2011-05-13T04:42:34.001Z")), &user));
    assert!(with_schema(&cmp(last, Gt, json!("2011-05-13T05:42:34+02:00")), &user));
    assert!(!with_schema(&cmp(last, Gt, json!("2011-05-13T04:42:34Z")), &user));
    assert!(with_schema(&cmp(last, Ge, json!("2011-05-13T04:42:34Z")), &user));
    assert!(with_schema(&cmp(last, Lt, json!("2011-05-13T04:42:34.5Z")), &user));
    assert!(with_schema(&cmp(last, Le, json!("2011-05-12T23:42:34-05:00")), &user));
    // Lexically "2011-05-13T06..." > "2011-05-13T04...", chronologically equal.
    assert!(!with_schema(&cmp(last, Lt, json!("2011-05-13T06:42:34+02:00")), &user));
    // Substring operators compare the text.
    assert!(with_schema(&cmp(last, Sw, json!("2011-05")), &user));
    assert!(with_schema(&cmp(last, Co, json!("t04:42")), &user));
    assert!(with_schema(&cmp(last, Ew, json!("34Z")), &user));
}

#[test]
fn datetime_without_schema_when_both_sides_parse() {
    let user = json!({ "meta": { "lastModified": "2011-05-13T04:42:34.25Z" }, "note": "2011-05-13 maybe" });
    assert!(cmp("meta.lastModified", Eq, json!("2011-05-13T06:42:34.250+02:00")).matches(&user));
    assert!(cmp("meta.lastModified", Gt, json!("2011-05-13T04:42:34.2Z")).matches(&user));
    assert!(cmp("meta.lastModified", Lt, json!("2011-05-13T04:42:34.3Z")).matches(&user));
    // The attribute does not parse: string comparison.
    assert!(!cmp("note", Eq, json!("2011-05-13T00:00:00Z")).matches(&user));
    assert!(cmp("note", Lt, json!("2011-05-13T00:00:00Z")).matches(&user));
    // The filter value does not parse: string comparison.
    assert!(!cmp("meta.lastModified", Eq, json!("2011-05-13")).matches(&user));
    assert!(cmp("meta.lastModified", Gt, json!("2011-05-13")).matches(&user));
}

#[test]
fn datetime_schema_falls_back_to_strings_for_unparsable_values() {
    let user = json!({ "birthday": "sometime in May" });
    assert!(!with_schema(&cmp("birthday", Eq, json!("2011-05-13T04:42:34Z")), &user));
    assert!(with_schema(&cmp("birthday", Gt, json!("2011-05-13T04:42:34Z")), &user));
    assert!(with_schema(&cmp("birthday", Eq, json!("SOMETIME in may")), &user));
}

#[test]
fn datetime_string_schema_compares_text() {
    // The hook says string: no date parsing.
    let user = json!({ "nickName": "2011-05-13T04:42:34Z" });
    assert!(cmp("nickName", Eq, json!("2011-05-13T06:42:34+02:00")).matches(&user));
    assert!(!with_schema(&cmp("nickName", Eq, json!("2011-05-13T06:42:34+02:00")), &user));
}

// ---- null, absence, pr ----

#[test]
fn null_comparisons() {
    let user = json!({ "title": "Boss", "nickName": null, "name": { "middleName": null } });
    assert!(cmp("userType", Eq, json!(null)).matches(&user));
    assert!(cmp("nickName", Eq, json!(null)).matches(&user));
    assert!(cmp("name.middleName", Eq, json!(null)).matches(&user));
    assert!(!cmp("title", Eq, json!(null)).matches(&user));
    assert!(cmp("title", Ne, json!(null)).matches(&user));
    assert!(!cmp("nickName", Ne, json!(null)).matches(&user));
    assert!(!cmp("userType", Ne, json!(null)).matches(&user));
    for op in [Co, Sw, Ew, Gt, Ge, Lt, Le] {
        assert!(!cmp("title", op, json!(null)).matches(&user), "{op}");
        assert!(!cmp("userType", op, json!(null)).matches(&user), "{op}");
    }
}

#[test]
fn missing_attribute_matches_only_ne() {
    let user = json!({ "userName": "bjensen", "userType": null });
    assert!(cmp("userType", Ne, json!("Employee")).matches(&user));
    assert!(cmp("title", Ne, json!("Employee")).matches(&user));
    assert!(cmp("name.givenName", Ne, json!("Ann")).matches(&user));
    assert!(cmp("age", Ne, json!(3)).matches(&user));
    for op in [Eq, Co, Sw, Ew, Gt, Ge, Lt, Le] {
        assert!(!cmp("title", op, json!("Employee")).matches(&user), "{op}");
        assert!(!cmp("userType", op, json!("Employee")).matches(&user), "{op}");
    }
    assert!(cmp("title", Eq, json!("Intern")).negate().matches(&user));
    assert!(!cmp("userType", Ne, json!("Employee")).matches(&json!({ "userType": "employee" })));
}

#[test]
fn present() {
    let user = json!({
        "title": "Boss", "nickName": "", "userType": null, "emails": [], "name": {},
        "phoneNumbers": [{ "value": "1" }], "ims": [null, ""], "active": false, "age": 0,
        "photos": [{}]
    });
    for attr in ["title", "phoneNumbers", "phoneNumbers.value", "active", "age"] {
        assert!(pr(attr).matches(&user), "{attr} pr");
    }
    for attr in
        ["nickName", "userType", "emails", "name", "ims", "photos", "missing", "name.givenName"]
    {
        assert!(!pr(attr).matches(&user), "{attr} pr");
    }
    assert!(pr("title").and(pr("missing").negate()).matches(&user));
}

// ---- multi-valued attributes ----

#[test]
fn any_value_of_multi_valued_attributes() {
    let user = bjensen();
    assert!(cmp("emails.value", Eq, json!("babs@jensen.org")).matches(&user));
    assert!(cmp("emails.type", Eq, json!("home")).matches(&user));
    assert!(cmp("emails.value", Ew, json!(".org")).matches(&user));
    assert!(!cmp("emails.value", Eq, json!("nobody@example.com")).matches(&user));
    // `ne` on a multi-valued attribute: some value is not equal.
    assert!(cmp("emails.type", Ne, json!("work")).matches(&user));
    let one = json!({ "emails": [{ "type": "work" }, { "type": "WORK" }] });
    assert!(!cmp("emails.type", Ne, json!("work")).matches(&one));
    // A multi-valued primitive attribute.
    let group = json!({ "schemas": [CORE, ENTERPRISE] });
    assert!(cmp("schemas", Eq, json!(ENTERPRISE.to_ascii_uppercase())).matches(&group));
    assert!(cmp("schemas", Ew, json!("enterprise:2.0:User")).matches(&group));
}

#[test]
fn complex_values_compare_their_value_sub_attribute() {
    let user = bjensen();
    assert!(cmp("emails", Co, json!("@jensen.org")).matches(&user));
    assert!(cmp("emails", Eq, json!("BJENSEN@example.com")).matches(&user));
    assert!(!cmp("emails", Co, json!("work")).matches(&user), "type is not compared");
    assert!(cmp("emails", Ne, json!("bjensen@example.com")).matches(&user));
    // Entries without a value match nothing.
    let no_values = json!({ "emails": [{ "type": "work" }] });
    assert!(!cmp("emails", Co, json!("work")).matches(&no_values));
    assert!(cmp("emails", Ne, json!("work")).matches(&no_values));
    assert!(cmp("emails", Ne, json!(null)).matches(&no_values));
    // A single-valued complex attribute.
    let manager = json!({ "manager": { "value": "26118915-6090-4610-87e4-49d8ca9f808d" } });
    assert!(cmp("manager", Sw, json!("26118915")).matches(&manager));
}

#[test]
fn complex_attribute_comparison_uses_value_sub_attribute_schema() {
    // The schema says ims is complex and ims.value is caseExact.
    let user = json!({ "ims": [{ "value": "SomeIM" }] });
    assert!(cmp("ims", Eq, json!("someim")).matches(&user));
    assert!(!with_schema(&cmp("ims", Eq, json!("someim")), &user));
    assert!(with_schema(&cmp("ims", Eq, json!("SomeIM")), &user));
}

// ---- value paths ----

#[test]
fn value_path_conditions_bind_to_the_same_entry() {
    let filter =
        vp("emails", cmp("type", Eq, json!("work")).and(cmp("value", Co, json!("@example.com"))));
    let crossed = json!({ "emails": [
        { "type": "work", "value": "bjensen@other.com" },
        { "type": "home", "value": "babs@example.com" }
    ] });
    assert!(!filter.matches(&crossed));
    let both = json!({ "emails": [
        { "type": "home", "value": "babs@other.com" },
        { "type": "Work", "value": "bjensen@EXAMPLE.com" }
    ] });
    assert!(filter.matches(&both));
    assert!(filter.matches(&bjensen()));
    // `or` and `not` inside.
    let either = vp("emails", cmp("type", Eq, json!("other")).or(cmp("primary", Eq, json!(true))));
    assert!(either.matches(&bjensen()));
    let not_work = vp("emails", cmp("type", Eq, json!("work")).negate());
    assert!(not_work.matches(&bjensen()));
    assert!(!not_work.matches(&json!({ "emails": [{ "type": "work" }] })));
    assert!(!not_work.matches(&json!({ "emails": [] })));
    assert!(!filter.matches(&json!({ "userName": "x" })));
}

#[test]
fn value_path_entries_lacking_attributes() {
    // Absence inside an entry follows the usual rules: `ne` matches a missing type.
    let user = json!({ "emails": [{ "value": "a@example.com" }] });
    assert!(vp("emails", cmp("type", Ne, json!("work"))).matches(&user));
    assert!(!vp("emails", pr("type")).matches(&user));
    assert!(vp("emails", cmp("type", Eq, json!(null))).matches(&user));
}

#[test]
fn value_path_on_single_valued_complex_and_primitive_entries() {
    let user = json!({ "name": { "givenName": "Barbara", "familyName": "Jensen" }, "tags": ["red", "Blue"] });
    assert!(
        vp("name", cmp("givenName", Sw, json!("bar")).and(cmp("familyName", Eq, json!("jensen"))))
            .matches(&user)
    );
    assert!(!vp("name", cmp("givenName", Eq, json!("Jensen"))).matches(&user));
    assert!(vp("tags", cmp("value", Eq, json!("blue"))).matches(&user));
    assert!(!vp("tags", cmp("value", Eq, json!("green"))).matches(&user));
    assert!(!vp("tags", cmp("type", Eq, json!("blue"))).matches(&user));
}

#[test]
fn value_path_asks_the_schema_with_the_outer_attribute() {
    let user =
        json!({ "ims": [{ "type": "aim", "value": "SomeIM" }], "emails": [{ "primary": "True" }] });
    // ims.value is caseExact in the schema.
    let filter = vp("ims", cmp("value", Eq, json!("someim")));
    assert!(filter.matches(&user));
    assert!(!with_schema(&filter, &user));
    // emails.primary is boolean in the schema.
    let primary = vp("emails", cmp("primary", Eq, json!(true)));
    assert!(!primary.matches(&user));
    assert!(with_schema(&primary, &user));
}

#[test]
fn value_path_attr() {
    let user = bjensen();
    let work_value = |v: &str| vpa("emails", cmp("type", Eq, json!("work")), "value", Eq, json!(v));
    assert!(work_value("BJensen@example.com").matches(&user));
    assert!(!work_value("babs@jensen.org").matches(&user), "the home entry's value");
    let home_sw = vpa("emails", cmp("type", Eq, json!("home")), "value", Sw, json!("babs"));
    assert!(home_sw.matches(&user));
    let primary = vpa("emails", cmp("type", Eq, json!("home")), "primary", Ne, json!(true));
    assert!(primary.matches(&user), "missing primary on the home entry matches ne");
    let present = Filter::ValuePathAttr {
        path: ValuePath::new(path("emails"), cmp("type", Eq, json!("home"))),
        sub_attr: AttrName::new("primary").unwrap(),
        test: AttrTest::Present,
    };
    assert!(!present.matches(&user));
    // Schema typing of the sub-attribute: emails.primary is boolean.
    let primary_str = vpa("emails", cmp("type", Eq, json!("work")), "primary", Eq, json!("true"));
    assert!(!primary_str.matches(&user));
    assert!(with_schema(&primary_str, &user));
}

// ---- schema URIs, keys ----

#[test]
fn urn_prefixed_core_and_extension_paths() {
    let user = bjensen();
    let core_name = format!("{CORE}:userName");
    assert!(cmp(&core_name, Eq, json!("bjensen@example.com")).matches(&user));
    assert!(cmp(&format!("{CORE}:name.givenName"), Eq, json!("barbara")).matches(&user));
    let dept = format!("{ENTERPRISE}:department");
    assert!(cmp(&dept, Eq, json!("tour operations")).matches(&user));
    assert!(cmp(&dept.to_ascii_uppercase(), Eq, json!("tour operations")).matches(&user));
    assert!(
        !cmp("department", Eq, json!("tour operations")).matches(&user),
        "not a core attribute"
    );
    assert!(
        !cmp(&format!("{ENTERPRISE}:userName"), Eq, json!("bjensen@example.com")).matches(&user)
    );
    assert!(cmp(&format!("{ENTERPRISE}:title"), Ne, json!("x")).matches(&user));
    // A core schema not listed in `schemas`: absent.
    let unlisted = json!({ "userName": "bjensen" });
    assert!(!cmp(&core_name, Eq, json!("bjensen")).matches(&unlisted));
    // The extension object found case-insensitively, and without being in `schemas`.
    let lower = json!({ ENTERPRISE.to_ascii_lowercase(): { "department": "R&D" } });
    assert!(cmp(&dept, Eq, json!("r&d")).matches(&lower));
    // The schema hook gets the URI.
    let number = format!("{ENTERPRISE}:employeeNumber");
    assert!(with_schema(&cmp(&number, Eq, json!("701984")), &user));
    assert!(!with_schema(&cmp(&number, Eq, json!("701984 ")), &user));
    // A value path under a URI.
    assert!(vp(&format!("{CORE}:emails"), cmp("type", Eq, json!("home"))).matches(&user));
}

#[test]
fn attribute_names_are_case_insensitive() {
    let user = json!({ "USERNAME": "bjensen", "Name": { "FamilyName": "Jensen" }, "emails": [{ "Type": "work", "VALUE": "x@y" }] });
    assert!(cmp("userName", Eq, json!("bjensen")).matches(&user));
    assert!(cmp("name.familyName", Eq, json!("jensen")).matches(&user));
    assert!(cmp("NAME.FAMILYNAME", Eq, json!("jensen")).matches(&user));
    assert!(
        vp("emails", cmp("type", Eq, json!("work")).and(cmp("value", Eq, json!("x@y"))))
            .matches(&user)
    );
    assert!(cmp("emails", Eq, json!("X@Y")).matches(&user));
    // An exact key wins over one that differs in case.
    let both = json!({ "userName": "exact", "USERNAME": "folded" });
    assert!(cmp("userName", Eq, json!("exact")).matches(&both));
    assert!(!cmp("userName", Eq, json!("folded")).matches(&both));
    assert!(cmp("USERNAME", Eq, json!("folded")).matches(&both));
    assert!(
        cmp("UserName", Eq, json!("exact")).matches(&both)
            || cmp("UserName", Eq, json!("folded")).matches(&both)
    );
}

// ---- Unicode ----

#[test]
fn unicode_case_folding() {
    let user = json!({ "displayName": "\u{212A}elvin", "city": "İstanbul", "street": "Hauptstraße", "title": "ÉCOLE" });
    assert!(cmp("displayName", Eq, json!("kelvin")).matches(&user));
    assert!(cmp("displayName", Sw, json!("KEL")).matches(&user));
    assert!(cmp("title", Eq, json!("école")).matches(&user));
    assert!(cmp("title", Co, json!("col")).matches(&user));
    assert!(!cmp("title", Eq, json!("ecole")).matches(&user));
    assert!(cmp("street", Ew, json!("STRAßE")).matches(&user));
    assert!(!cmp("street", Ew, json!("strasse")).matches(&user));
    // None of these panic, whatever they answer.
    for needle in ["i", "İ", "I", "ß", "SS", "\u{307}", "stanbul", "", "ǅ", "ΣΑΣ"] {
        for op in CompareOp::ALL {
            for attr in ["city", "street", "displayName", "title"] {
                let _ = cmp(attr, op, json!(needle)).matches(&user);
            }
        }
    }
    assert!(cmp("city", Sw, json!("i")).matches(&user));
    assert!(cmp("city", Eq, json!("i\u{307}stanbul")).matches(&user));
    assert!(cmp("city", Ew, json!("STANBUL")).matches(&user));
}

// ---- logic ----

#[test]
fn and_or_not() {
    let user = bjensen();
    let yes = cmp("userName", Sw, json!("bjensen"));
    let no = cmp("title", Eq, json!("Intern"));
    assert!(yes.clone().and(no.clone().negate()).matches(&user));
    assert!(!yes.clone().and(no.clone()).matches(&user));
    assert!(no.clone().or(yes.clone()).matches(&user));
    assert!(!no.clone().or(no.clone()).matches(&user));
    assert!(!yes.negate().matches(&user));
    let complex =
        vp("emails", cmp("type", Eq, json!("work")).and(cmp("value", Co, json!("@example.com"))))
            .or(pr("title").and(cmp("userType", Eq, json!("Intern")).negate()));
    assert!(complex.matches(&user));
    assert!(!complex.matches(&json!({ "emails": [{ "type": "home", "value": "a@example.com" }] })));
}

// ---- prepare errors ----

#[test]
fn forbidden_operators_are_prepare_errors() {
    for op in [Gt, Ge, Lt, Le, Co, Sw, Ew] {
        let err = cmp("active", op, json!(true)).prepare(&UserSchema).unwrap_err();
        assert_eq!(
            err,
            EvalError::OperatorNotAllowed {
                path: "active".into(),
                op,
                attr_type: AttrType::Boolean
            }
        );
    }
    let err = cmp("active", Gt, json!(true)).prepare(&UserSchema).unwrap_err();
    assert_eq!(err.to_string(), "operator gt is not allowed on boolean attribute active");
    // Whatever the comparison value.
    assert!(cmp("active", Lt, json!(null)).prepare(&UserSchema).is_err());
    assert!(cmp("active", Co, json!("t")).prepare(&UserSchema).is_err());
    // Binary: ordering only.
    let err = cmp("photo", Ge, json!("aGVsbG8=")).prepare(&UserSchema).unwrap_err();
    assert_eq!(err.to_string(), "operator ge is not allowed on binary attribute photo");
    assert!(cmp("photo", Eq, json!("aGVsbG8=")).prepare(&UserSchema).is_ok());
    assert!(cmp("photo", Co, json!("aGVs")).prepare(&UserSchema).is_ok());
    // Allowed ones.
    assert!(cmp("active", Eq, json!(true)).prepare(&UserSchema).is_ok());
    assert!(cmp("active", Ne, json!(false)).prepare(&UserSchema).is_ok());
    assert!(pr("active").prepare(&UserSchema).is_ok());
}

#[test]
fn prepare_errors_inside_value_paths_name_the_path() {
    let inner = vp("emails", cmp("type", Eq, json!("work")).and(cmp("primary", Gt, json!(false))));
    let err = inner.prepare(&UserSchema).unwrap_err();
    assert_eq!(err.to_string(), "operator gt is not allowed on boolean attribute emails.primary");
    let sub = vpa("emails", cmp("type", Eq, json!("work")), "primary", Sw, json!("t"));
    let err = sub.prepare(&UserSchema).unwrap_err();
    assert_eq!(err.to_string(), "operator sw is not allowed on boolean attribute emails.primary");
    // Deep in logic, and through matches_with.
    let deep = pr("title").or(cmp("active", Le, json!(true)).negate());
    assert!(deep.matches_with(&bjensen(), &UserSchema).is_err());
    assert!(deep.matches(&bjensen()));
    let urn = cmp(&format!("{CORE}:active"), Gt, json!(true)).prepare(&UserSchema).unwrap_err();
    assert_eq!(
        urn.to_string(),
        format!("operator gt is not allowed on boolean attribute {CORE}:active")
    );
}

// ---- the prepared form ----

#[test]
fn prepared_filter_is_send_sync_clone_and_reusable() {
    fn assert_traits<T: Send + Sync + Clone + std::fmt::Debug + 'static>() {}
    assert_traits::<PreparedFilter>();
    assert_traits::<EvalError>();
    let prepared = cmp("userName", Eq, json!("bjensen@example.com")).prepare(&UserSchema).unwrap();
    let copy = prepared.clone();
    let user = bjensen();
    let handle = std::thread::spawn(move || copy.matches(&bjensen()));
    assert!(prepared.matches(&user));
    assert!(handle.join().unwrap());
    assert!(!prepared.matches(&json!({ "userName": "other" })));
    assert!(!prepared.matches(&json!("not an object")));
    assert!(!prepared.matches(&json!(null)));
}

#[test]
fn schema_hook_by_reference_and_dyn() {
    let schema: &dyn FilterSchema = &UserSchema;
    let filter = cmp("externalId", Eq, json!("bjensen-ext"));
    assert!(!filter.matches_with(&bjensen(), schema).unwrap());
    assert!(!filter.matches_with(&bjensen(), &&UserSchema).unwrap());
}

// ---- parsed filters ----

#[test]
fn parsed_filters_against_bjensen() {
    let user = bjensen();
    let cases = [
        (r#"userName Eq "BJENSEN@example.com""#, true),
        (r#"name.familyName co "ENS""#, true),
        (r#"userName sw "J""#, false),
        (r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bj""#, true),
        ("title pr", true),
        ("nickName pr", false),
        (r#"meta.lastModified gt "2011-05-13T04:42:34+01:00""#, true),
        (r#"meta.lastModified ge "2011-05-13T06:42:34+02:00""#, true),
        (r#"meta.lastModified lt "2011-05-13T04:42:34Z""#, false),
        (r#"title pr and userType eq "Employee""#, false),
        (r#"title pr or userType eq "Intern""#, true),
        (
            r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
            false,
        ),
        (
            r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
            false,
        ),
        (r#"userType ne "Employee" and not (emails co "example.org")"#, true),
        (r#"emails[type eq "work" and value co "@example.com"]"#, true),
        (r#"emails[type eq "home" and value co "@example.com"]"#, false),
        (r#"emails[type eq "work"].value eq "bjensen@example.com""#, true),
        (r#"emails[type eq "home"].value eq "bjensen@example.com""#, false),
        (
            r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
            true,
        ),
        (
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "tour operations""#,
            true,
        ),
        ("active eq true and age ge 42 and age lt 42.5 and score eq 7.50", true),
        ("age eq null or nickName ne null", false),
        ("userType eq null", true),
    ];
    for (text, expected) in cases {
        let filter = Filter::parse(text).unwrap();
        assert_eq!(filter.matches(&user), expected, "{text}");
        assert_eq!(filter.matches_with(&user, &UserSchema).unwrap(), expected, "{text} (schema)");
    }
}

#[test]
fn parsed_value_path_rejects_crossed_entries() {
    let filter = Filter::parse(r#"emails[type eq "work" and value co "@example.com"]"#).unwrap();
    let user = json!({ "emails": [
        { "type": "work", "value": "bjensen@other.com" },
        { "type": "home", "value": "babs@example.com" }
    ] });
    assert!(!filter.matches(&user));
    let prepared = filter.prepare(&UserSchema).unwrap();
    assert!(!prepared.matches(&user));
}
