//! Property test: the canonical form of any filter or PATCH path parses back to the same AST.

use proptest::prelude::*;
use scimkit_filter::{
    AttrName, AttrPath, AttrTest, CompValue, CompareOp, Filter, PatchPath, SchemaUri, ValuePath,
};

fn attr_name() -> impl Strategy<Value = AttrName> {
    prop_oneof![
        "[a-zA-Z][a-zA-Z0-9_-]{0,10}",
        Just("$ref".to_owned()),
        Just("not".to_owned()),
        Just("and".to_owned()),
        Just("or".to_owned()),
        Just("pr".to_owned()),
    ]
    .prop_map(|s| AttrName::new(&s).unwrap())
}

fn schema_uri() -> impl Strategy<Value = SchemaUri> {
    prop_oneof![
        Just("urn:ietf:params:scim:schemas:core:2.0:User".to_owned()),
        Just("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User".to_owned()),
        "urn(:[a-zA-Z0-9.-]{1,8}){1,5}",
    ]
    .prop_map(|s| SchemaUri::new(&s).unwrap())
}

fn attr_path() -> impl Strategy<Value = AttrPath> {
    (proptest::option::of(schema_uri()), attr_name(), proptest::option::of(attr_name())).prop_map(
        |(schema, name, sub)| {
            let mut path = AttrPath::new(name);
            if let Some(schema) = schema {
                path = path.with_schema(schema);
            }
            if let Some(sub) = sub {
                path = path.with_sub_attr(sub);
            }
            path
        },
    )
}

fn comp_value() -> impl Strategy<Value = CompValue> {
    prop_oneof![
        Just(CompValue::Null),
        any::<bool>().prop_map(CompValue::Bool),
        any::<i64>().prop_map(|n| CompValue::Number(n.into())),
        any::<u64>().prop_map(|n| CompValue::Number(n.into())),
        any::<f64>()
            .prop_filter_map("finite", serde_json::Number::from_f64)
            .prop_map(CompValue::Number),
        any::<String>().prop_map(CompValue::String),
    ]
}

fn attr_test() -> impl Strategy<Value = AttrTest> {
    prop_oneof![
        Just(AttrTest::Present),
        (proptest::sample::select(CompareOp::ALL.to_vec()), comp_value())
            .prop_map(|(op, value)| AttrTest::Compare(op, value)),
    ]
}

fn attr_expr() -> impl Strategy<Value = Filter> {
    (attr_path(), attr_test()).prop_map(|(path, test)| match test {
        AttrTest::Present => Filter::present(path),
        AttrTest::Compare(op, value) => Filter::compare(path, op, value),
        _ => unreachable!(),
    })
}

/// Filters without value paths: what may appear inside `[...]`.
fn inner_filter() -> impl Strategy<Value = Filter> {
    attr_expr().prop_recursive(4, 16, 2, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Filter::And),
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Filter::Or),
            inner.prop_map(Filter::negate),
        ]
    })
}

fn value_path() -> impl Strategy<Value = ValuePath> {
    (attr_path(), inner_filter()).prop_map(|(mut attr, filter)| {
        attr.sub_attr = None;
        ValuePath::new(attr, filter)
    })
}

fn filter() -> impl Strategy<Value = Filter> {
    let leaf = prop_oneof![
        4 => attr_expr(),
        1 => value_path().prop_map(Filter::ValuePath),
        1 => (value_path(), attr_name(), attr_test())
            .prop_map(|(path, sub_attr, test)| Filter::ValuePathAttr { path, sub_attr, test }),
    ];
    leaf.prop_recursive(5, 32, 2, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Filter::And),
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Filter::Or),
            inner.prop_map(Filter::negate),
        ]
    })
}

fn patch_path() -> impl Strategy<Value = PatchPath> {
    prop_oneof![
        attr_path().prop_map(PatchPath::Attr),
        (value_path(), proptest::option::of(attr_name()))
            .prop_map(|(path, sub_attr)| PatchPath::ValuePath { path, sub_attr }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn filter_display_parses_back(filter in filter()) {
        let text = filter.to_string();
        let parsed = Filter::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(parsed, filter);
    }

    #[test]
    fn patch_path_display_parses_back(path in patch_path()) {
        let text = path.to_string();
        let parsed = PatchPath::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(parsed, path);
    }

    #[test]
    fn parser_never_panics(input in "\\PC{0,64}") {
        let _ = Filter::parse(&input);
        let _ = PatchPath::parse(&input);
    }

    #[test]
    fn parser_never_panics_on_filter_like_input(
        input in r#"[a-z() \[\]."\\:$0-9-]{0,48}( (eq|and|or|not|pr) [a-z"\[\]()]{0,8}){0,4}"#
    ) {
        let _ = Filter::parse(&input);
        let _ = PatchPath::parse(&input);
    }
}
