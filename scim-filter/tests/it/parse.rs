//! Every filter and PATCH path example of RFC 7644 §3.4.2.2 and §3.5.2, the forms real clients
//! send, and the canonical form each one prints.

use scimkit_filter::{AttrPath, AttrTest, CompValue, CompareOp, Filter, PatchPath};

/// Parses `input`, checks its canonical form, and checks that the canonical form parses back to
/// the same AST.
fn check(input: &str, canonical: &str) -> Filter {
    let filter = Filter::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
    assert_eq!(filter.to_string(), canonical, "canonical form of {input:?}");
    assert_eq!(Filter::parse(canonical).unwrap(), filter, "round trip of {input:?}");
    filter
}

/// One `#[test]` per case: `name: "input" => "canonical form"`.
macro_rules! test_parse {
    ($($name:ident: $input:expr => $canonical:expr;)*) => {
        $(
            #[test]
            fn $name() {
                check($input, $canonical);
            }
        )*
    };
}

/// Cases whose canonical form is the input itself.
macro_rules! test_canonical {
    ($($name:ident: $input:expr;)*) => {
        $(
            #[test]
            fn $name() {
                check($input, $input);
            }
        )*
    };
}

test_canonical! {
    rfc_user_name_eq: r#"userName eq "bjensen""#;
    rfc_family_name_co: r#"name.familyName co "O'Malley""#;
    rfc_user_name_sw: r#"userName sw "J""#;
    rfc_urn_user_name_sw: r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#;
    rfc_title_pr: "title pr";
    rfc_last_modified_gt: r#"meta.lastModified gt "2011-05-13T04:42:34Z""#;
    rfc_last_modified_ge: r#"meta.lastModified ge "2011-05-13T04:42:34Z""#;
    rfc_last_modified_lt: r#"meta.lastModified lt "2011-05-13T04:42:34Z""#;
    rfc_last_modified_le: r#"meta.lastModified le "2011-05-13T04:42:34Z""#;
    rfc_and: r#"title pr and userType eq "Employee""#;
    rfc_or: r#"title pr or userType eq "Intern""#;
    rfc_schemas_eq: r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#;
    rfc_grouped_or: r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#;
    rfc_not: r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#;
    rfc_value_path: r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#;
    rfc_two_value_paths: r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#;
    enterprise_manager_value: r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d""#;
    enterprise_department: r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales""#;
    custom_urn_digits_dots_hyphens: r#"urn:example:params:scim:schemas:extension:acme-corp.v2:2.0:Device:serial-number eq "x""#;
    ref_as_name: r#"members[$ref eq "https://example.com/v2/Users/1"]"#;
    value_path_then_sub_attr: r#"emails[type eq "work"].value eq "ann@example.com""#;
    value_path_then_sub_attr_pr: r#"addresses[type eq "work"].streetAddress pr"#;
    every_operator: r#"a eq 1 and b ne 2 and c co "x" and d sw "y" and e ew "z" and f gt 1.5 and g lt -2 and h ge 0 and i le 3e-7"#;
    literals: "a eq true or b eq false or c eq null";
    not_in_value_path: r#"emails[not (type eq "work")]"#;
    right_nested_and: r#"a pr and (b pr and c pr)"#;
    right_nested_or: r#"a pr or (b pr or c pr)"#;
    unicode_value: r#"displayName eq "Zoë 😀""#;
}

test_parse! {
    keywords_in_any_case: r#"userName Eq "bjensen" AND title PR oR Not(userType EQ "x")"#
        => r#"userName eq "bjensen" and title pr or not (userType eq "x")"#;
    not_without_space: r#"not(title pr)"# => "not (title pr)";
    not_with_spaces: r#"not   ( title pr )"# => "not (title pr)";
    runs_of_spaces: "  userName   eq    \"x\"   and  title pr  " => r#"userName eq "x" and title pr"#;
    tabs_and_newlines: "userName\teq \"x\"\nand title pr" => r#"userName eq "x" and title pr"#;
    redundant_parentheses: "((title pr))" => "title pr";
    left_nested_and: "(a pr and b pr) and c pr" => "(a pr and b pr) and c pr";
    or_under_or: "a pr or (b pr or c pr) or d pr" => "a pr or (b pr or c pr) or d pr";
    and_binds_tighter: "a pr or b pr and c pr" => "a pr or b pr and c pr";
    grouped_or_under_and: "(a pr or b pr) and c pr" => "(a pr or b pr) and c pr";
    escapes_canonicalised: r#"a eq "\u0041\/\t""# => r#"a eq "A/\t""#;
    number_exponent: "a eq 1E3" => "a eq 1000.0";
    negative_zero: "a eq -0" => "a eq -0.0";
    and_before_paren: r#"a eq "x" and(b pr)"# => r#"a eq "x" and b pr"#;
    operator_before_string_without_space: r#"a eq"x""# => r#"a eq "x""#;
    value_path_spaces: r#"emails[ type eq "work" ]"# => r#"emails[type eq "work"]"#;
    upper_case_literals: "a eq TRUE" => "a eq true";
}

#[test]
fn precedence_builds_the_right_tree() {
    let filter = check("a pr or b pr and c pr", "a pr or b pr and c pr");
    let Filter::Or(operands) = filter else { panic!("expected or at the root") };
    assert!(matches!(operands[0], Filter::Attr(_)));
    assert!(matches!(&operands[1], Filter::And(ands) if ands.len() == 2));
    let Filter::And(operands) = Filter::parse("a pr and b pr and c pr and d pr").unwrap() else {
        panic!("expected and at the root")
    };
    assert_eq!(operands.len(), 4, "a chain is one node");
}

#[test]
fn attribute_expression_fields() {
    let Filter::Attr(expr) = Filter::parse(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x""#,
    )
    .unwrap() else {
        panic!("expected an attribute expression")
    };
    assert_eq!(
        expr.path.schema.as_ref().unwrap().as_str(),
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    );
    assert_eq!(expr.path.name, "MANAGER");
    assert_eq!(expr.path.sub_attr.as_ref().unwrap().as_str(), "value");
    assert_eq!(expr.test, AttrTest::Compare(CompareOp::Eq, CompValue::String("x".into())));
}

#[test]
fn names_keep_spelling_and_compare_case_insensitively() {
    let a = Filter::parse(r#"USERNAME eq "x""#).unwrap();
    let b = Filter::parse(r#"userName eq "x""#).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.to_string(), r#"USERNAME eq "x""#);
    assert_eq!(
        AttrPath::parse("URN:IETF:x:User:A.B").unwrap(),
        AttrPath::parse("urn:ietf:x:user:a.b").unwrap()
    );
}

#[test]
fn value_path_then_sub_attr_fields() {
    let Filter::ValuePathAttr { path, sub_attr, test } =
        Filter::parse(r#"emails[type eq "work"].value eq "ann@example.com""#).unwrap()
    else {
        panic!("expected a value path with a sub-attribute")
    };
    assert_eq!(path.attr.name, "emails");
    assert_eq!(sub_attr, "value");
    assert_eq!(test, AttrTest::Compare(CompareOp::Eq, CompValue::String("ann@example.com".into())));
}

/// Parses a PATCH path and checks its canonical form and round trip.
fn check_path(input: &str, canonical: &str) -> PatchPath {
    let path = PatchPath::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
    assert_eq!(path.to_string(), canonical, "canonical form of {input:?}");
    assert_eq!(PatchPath::parse(canonical).unwrap(), path);
    path
}

#[test]
fn rfc_patch_paths() {
    for path in [
        "members",
        "name.familyName",
        r#"addresses[type eq "work"]"#,
        r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#,
        r#"members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName"#,
        r#"emails[type eq "work" and value ew "example.com"]"#,
        r#"addresses[type eq "work"].streetAddress"#,
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        r#"urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value"#,
    ] {
        check_path(path, path);
    }
}

#[test]
fn patch_path_shapes() {
    assert!(matches!(check_path("name.givenName", "name.givenName"), PatchPath::Attr(_)));
    let PatchPath::ValuePath { path, sub_attr } =
        check_path(r#" emails[ Type EQ "work" ].value "#, r#"emails[Type eq "work"].value"#)
    else {
        panic!("expected a value path")
    };
    assert_eq!(path.attr.name, "emails");
    assert_eq!(sub_attr.unwrap(), "value");
    assert!(matches!(
        check_path(r#"members[value eq "1"]"#, r#"members[value eq "1"]"#),
        PatchPath::ValuePath { sub_attr: None, .. }
    ));
}

#[test]
fn filters_serialise_as_strings() {
    let filter: Filter = serde_json::from_str(r#""title pr""#).unwrap();
    assert_eq!(serde_json::to_string(&filter).unwrap(), r#""title pr""#);
    assert!(serde_json::from_str::<Filter>(r#""title""#).is_err());
    let path: PatchPath = serde_json::from_str(r#""name.givenName""#).unwrap();
    assert_eq!(serde_json::to_value(&path).unwrap(), "name.givenName");
}
