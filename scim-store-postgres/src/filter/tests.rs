//! The translation table: filter → SQL and parameters.

use scimkit_core::{KeyAttribute, Registry, StoreKeys};
use scimkit_filter::Filter;

use super::{escape_like, translate};

fn keys() -> StoreKeys {
    StoreKeys::default()
        .with_unique(KeyAttribute::top_level("userName", false))
        .with_indexed(KeyAttribute::top_level("externalId", true))
}

/// The spellings of the canonical names the tests use.
fn spellings() -> super::Spellings {
    let names = [
        "userName",
        "externalId",
        "title",
        "emails",
        "type",
        "value",
        "active",
        "x",
        "department",
        "schemas",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    ];
    names.iter().map(|n| (n.to_ascii_lowercase(), vec![(*n).to_owned()])).collect()
}

fn tr(filter: &str) -> super::Translation {
    translate(&Filter::parse(filter).unwrap(), &keys(), &spellings(), None, false)
}

/// The translation with the standard User schema, as the library queries.
fn typed(filter: &str) -> super::Translation {
    let registry = Registry::standard();
    let schema = registry.resource_type_schema("User").unwrap();
    translate(&Filter::parse(filter).unwrap(), &keys(), &spellings(), Some(&schema), false)
}

#[test]
fn like_metacharacters_are_escaped() {
    assert_eq!(escape_like(r"50%_off\now"), r"50\%\_off\\now");
}

#[test]
fn key_equality_uses_the_key_table_with_the_folded_value() {
    let t = tr(r#"USERNAME eq "BJensen""#);
    assert!(t.is_exact());
    assert_eq!(
        t.superset,
        "EXISTS (SELECT 1 FROM scim_unique_keys AS k WHERE k.tenant = $1 AND k.resource_type = $2 \
         AND k.attribute = $3::text AND k.id = r.id AND k.key = $4::text COLLATE \"C\")"
    );
    assert_eq!(t.params, ["userName", "bjensen"]);
}

#[test]
fn case_exact_keys_keep_the_value() {
    let t = tr(r#"externalId ne "X1""#);
    assert!(t.is_exact());
    assert!(t.superset.starts_with("(NOT EXISTS (SELECT 1 FROM scim_index_keys"), "{}", t.superset);
    assert_eq!(t.params, ["externalId", "X1"]);
}

#[test]
fn key_substring_patterns_are_escaped() {
    let t = tr(r#"userName sw "A%_\\""#);
    assert!(t.superset.contains("k.key LIKE $4::text"), "{}", t.superset);
    assert_eq!(t.params, ["userName", r"a\%\_\\%"]);
}

#[test]
fn presence_and_null_are_exact() {
    let t = tr("title pr");
    assert!(t.is_exact());
    let title = "(r.data -> $3::text)";
    assert_eq!(
        t.superset,
        format!(
            "(CASE WHEN jsonb_typeof({title}) = 'array' THEN EXISTS (SELECT 1 FROM \
             jsonb_array_elements({title}) AS x1(v) WHERE coalesce(scim_present(x1.v), false)) \
             ELSE coalesce(scim_present({title}), false) END)"
        )
    );
    assert_eq!(t.params, ["title"]);
    assert!(tr("title eq null").is_exact());
    assert!(tr("title ne null").is_exact());
    assert_eq!(tr("title gt null").superset, "FALSE");
}

#[test]
fn strings_of_unknown_attributes_give_a_superset_and_a_strict_form() {
    let t = tr(r#"title eq "Tour Guide""#);
    assert!(!t.is_exact());
    // Each value of `title` (or the `value` of a complex one) folded to ASCII, against the
    // folded needle; strictly, only the exact string.
    assert!(t.superset.contains("scim_fold_ascii((x1.v #>> '{}')) = $4::text"), "{}", t.superset);
    assert!(t.superset.contains("r.data -> $6::text"), "{}", t.superset);
    assert!(!t.superset.contains("$3::text"), "{}", t.superset);
    assert!(t.strict.contains("x3.v = to_jsonb($3::text)"), "{}", t.strict);
    assert_eq!(t.params, ["Tour Guide", "tour guide", "value", "title", "value", "title"]);
}

#[test]
fn not_swaps_the_forms() {
    let inner = tr(r#"title eq "x""#);
    let t = tr(r#"not (title eq "x")"#);
    assert_eq!(t.superset, format!("(NOT {})", inner.strict));
    assert_eq!(t.strict, format!("(NOT {})", inner.superset));
}

#[test]
fn value_paths_bind_conditions_to_one_entry() {
    let t = tr(r#"emails[type eq "work" and value co "@example.com"]"#);
    assert!(
        t.superset.starts_with(
            "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN (r.data -> $3::text) IS NULL \
             THEN '[]'::jsonb"
        ),
        "{}",
        t.superset
    );
    assert_eq!(t.params[0], "emails");
    // Both conditions look into the same entry `e1`.
    assert!(t.superset.contains(" AS e1(v) WHERE ((CASE WHEN jsonb_typeof((e1.v -> $"));
    assert!(t.superset.contains("AND (CASE WHEN jsonb_typeof((CASE WHEN jsonb_typeof(e1.v)"));

    // A name the data has never used is absent, whatever its case.
    let t = tr(r#"nosuch[type eq "work"]"#);
    assert!(t.superset.contains("CASE WHEN NULL::jsonb IS NULL"), "{}", t.superset);
}

#[test]
fn extension_paths_pass_the_urn() {
    let t = tr(r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x""#);
    let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    assert_eq!(t.params[..8], ["x", "x", "value", urn, "schemas", urn, "department", "value"]);
    assert!(t.superset.contains("jsonb_typeof((r.data -> $6::text)) = 'object'"), "{}", t.superset);
    assert!(t.superset.contains("= lower($8::text COLLATE \"C\")"), "{}", t.superset);
}

#[test]
fn hostile_values_are_parameters_never_sql() {
    for value in [r#"'; DROP TABLE scim_resources; --"#, r"\'", "$1", "{c}", "%", "_"] {
        let filter = Filter::compare(
            "title".parse().unwrap(),
            scimkit_filter::CompareOp::Co,
            scimkit_filter::CompValue::String(value.to_owned()),
        );
        let t = translate(&filter, &keys(), &spellings(), None, false);
        assert!(!t.superset.contains("DROP") && !t.strict.contains("DROP"));
        assert!(!t.superset.contains(value) || value.len() < 3, "{value} in {}", t.superset);
    }
}

#[test]
fn numbers_and_booleans() {
    let t = tr("active eq true");
    assert!(!t.is_exact());
    assert!(t.strict.contains("c1.v = $") || t.strict.contains("= $"), "{}", t.strict);
    assert_eq!(tr(r#"x co 5"#).superset, "FALSE");
    assert_eq!(tr("active gt true").superset, "FALSE");
    let t = tr("x gt 5");
    assert!(t.strict.contains("::numeric > $"), "{}", t.strict);
}

/// The characters other than ASCII whose lower case contains ASCII: `scim_fold_ascii` maps
/// exactly these.
#[test]
fn only_kelvin_and_dotted_i_fold_into_ascii() {
    let found: Vec<char> = (0x80..=0x10FFFF)
        .filter_map(char::from_u32)
        .filter(|c| c.to_lowercase().any(|l| l.is_ascii()))
        .collect();
    assert_eq!(found, ['\u{130}', '\u{212A}']);
}

#[test]
fn schema_strings_are_one_exact_condition() {
    let t = typed(r#"title eq "Tour Guide""#);
    assert!(t.is_exact(), "{}", t.superset);
    // One reading: the lower-cased string; no `value` of complex values, no other types.
    assert_eq!(t.params[..2], ["tour guide", "Tour Guide"]);
    // `title` is single-valued: no look for an array.
    assert_eq!(
        t.superset,
        "coalesce((jsonb_typeof((r.data -> $5::text)) = 'string' \
         AND scim_lower(((r.data -> $5::text) #>> '{}')) = $3::text), false)"
    );
    assert!(!t.superset.contains("number") && !t.superset.contains("boolean"), "{}", t.superset);

    let t = typed(r#"emails.value co "@Example.com""#);
    assert!(t.is_exact(), "{}", t.superset);
    assert!(t.superset.contains("scim_lower("), "{}", t.superset);
    assert!(t.params.contains(&"%@example.com%".to_owned()), "{:?}", t.params);

    // A case-exact attribute orders exactly, by code point.
    let t = typed(r#"id ge "B""#);
    assert!(t.is_exact(), "{}", t.superset);
    assert!(t.superset.contains("COLLATE \"C\" >= $3::text COLLATE \"C\""), "{}", t.superset);
}

#[test]
fn schema_strings_that_stay_approximate() {
    // A non-ASCII needle, and orderings of case-insensitive strings, depend on the data.
    assert!(!typed(r#"title eq "ZOË""#).is_exact());
    assert!(!typed(r#"title gt "T""#).is_exact());
    // Attributes the schema does not know keep every reading.
    assert_eq!(
        typed(r#"nosuch eq "x""#).superset.contains("number"),
        tr(r#"nosuch eq "x""#).superset.contains("number")
    );
}

#[test]
fn schema_date_times_compare_as_instants() {
    // Chronologically, to the nanosecond; a stored value that is not a timestamp as a string.
    let t = typed(r#"meta.lastModified ge "2011-05-13T06:42:34.5+02:00""#);
    assert!(t.superset.contains("coalesce(scim_instant("), "{}", t.superset);
    assert!(t.params.contains(&"1305261754500000000".to_owned()), "{:?}", t.params);
    assert!(typed(r#"meta.lastModified eq "2011-05-13T04:42:34Z""#).is_exact());
    // Not a timestamp, or a substring operator: a string comparison.
    assert!(!typed(r#"meta.lastModified gt "2011""#).superset.contains("scim_instant"));
    assert!(!typed(r#"meta.lastModified sw "2011-05-13T04:42:34Z""#).superset.contains("instant"));
}

#[test]
fn schema_booleans_are_exact() {
    let t = typed("active eq true");
    assert!(t.is_exact(), "{}", t.superset);
    let as_string = "lower(((r.data -> $4::text) #>> '{}') COLLATE \"C\") = $3::text";
    assert!(t.superset.contains(as_string), "{}", t.superset);
    assert!(typed("not (active ne false)").is_exact());
}

/// Prints the translation of `SCIM_PRINT_FILTER` (a development aid).
#[test]
#[ignore = "a development aid"]
fn print_translation() {
    let filter = std::env::var("SCIM_PRINT_FILTER").unwrap_or_else(|_| "title pr".to_owned());
    let t = if std::env::var("SCIM_PRINT_UNTYPED").is_ok() { tr(&filter) } else { typed(&filter) };
    println!("SUPERSET\n{}\nSTRICT\n{}\nPARAMS\n{:?}", t.superset, t.strict, t.params);
}

#[test]
fn value_paths_with_the_schema_are_one_jsonpath_test() {
    let t = typed(r#"emails[type eq "Work" and value co "@example.com"]"#);
    assert!(t.is_exact());
    assert_eq!(t.superset, "coalesce(r.data @? $3::text::jsonpath, false)");
    assert_eq!(
        t.params[0],
        r#"lax $."emails"[*] ? ((@."type" like_regex "^[wW][oO][rR][kK\u{212A}]$" && @."value" like_regex "\\\u{40}[eE][xX][aA][mM][pP][lL][eE]\\\u{2E}[cC][oO][mM]"))"#
    );
    // The test after the brackets binds to the same entry.
    let t = typed(r#"emails[type eq "work"].value ew ".org""#);
    assert!(t.params[0].contains(r#"$" && @."value" like_regex "\\\u{2E}[oO][rR][gG]$""#));
    // What jsonpath cannot say exactly stays SQL: `not`, `ne`, orderings, non-ASCII needles.
    for filter in [
        r#"emails[not (type eq "work")]"#,
        r#"emails[type ne "work"]"#,
        r#"emails[value gt "a"]"#,
        r#"emails[type eq "zoë"]"#,
        r#"emails[type pr]"#,
    ] {
        assert!(!typed(filter).superset.contains("jsonpath"), "{filter}");
    }
}

#[test]
fn jsonpath_literals_hold_values_only_as_escapes() {
    let t = typed(r#"emails[value co "\") || true || (\"" or type eq "a\\b"]"#);
    let path = &t.params[0];
    assert!(!path.contains("||  true") && !path.contains("|| true"), "{path}");
    // Only the three keys and the two regular expressions are quoted.
    assert_eq!(path.matches('"').count(), 10, "{path}");
    assert!(path.contains(r#"[aA]\\\u{5C}[bB]"#), "{path}");
}

#[test]
fn regular_expressions_of_needles() {
    use super::string_regex;
    use scimkit_filter::CompareOp::{Co, Eq, Ew, Gt, Sw};
    assert_eq!(string_regex(Eq, "Kai", false).unwrap(), r"^[kK\u{212A}][aA][iI]$");
    // The dotted capital I lower-cases to `i` and a combining dot: it can end a prefix or a
    // substring, never a whole value or a suffix.
    assert_eq!(string_regex(Co, "ai", false).unwrap(), r"[aA][iI\u{130}]");
    assert_eq!(string_regex(Sw, "i", false).unwrap(), r"^[iI\u{130}]");
    assert_eq!(string_regex(Ew, "i", false).unwrap(), r"[iI]$");
    assert_eq!(string_regex(Eq, "A.b ë", true).unwrap(), r"^A\\\u{2E}b\\\u{20}\u{EB}$");
    assert_eq!(string_regex(Co, "", false).unwrap(), "");
    assert_eq!(string_regex(Eq, "Zoë", false), None);
    assert_eq!(string_regex(Gt, "a", false), None);
}
