//! Invalid input: each case with the byte offset of the error and what was expected.

use scimkit_filter::{Filter, PatchPath};

/// Checks that `input` fails at `position` with a message containing `expected`; returns what
/// differs.
fn check_error(input: &str, position: usize, expected: &str) -> Option<String> {
    let Err(err) = Filter::parse(input) else {
        return Some(format!("{input:?} parsed"));
    };
    let fits = err.position() == position
        && err.message().contains(expected)
        && err.to_string().ends_with(&format!("at byte {position}"));
    (!fits).then(|| format!("{input:?}: got {err:?}, want {position} {expected:?}"))
}

#[test]
fn invalid_filters_report_offset_and_expectation() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 0, "expected a filter"),
        ("   ", 3, "expected a filter"),
        (r#"userName eq "bjensen"#, 12, "unterminated string"),
        ("userName eq", 11, "a value"),
        (r#"a eq "x"and(b pr)"#, 8, "after the value"),
        ("userName eq ", 12, "a value"),
        ("userName", 8, "operator"),
        ("userName bogus \"x\"", 9, "operator"),
        ("userName equals \"x\"", 9, "operator"),
        ("userName eq bjensen", 12, "a value"),
        ("userName eq 01", 13, "after the value"),
        ("userName eq 1.", 14, "a digit"),
        ("userName eq 1e999", 12, "number out of range"),
        (r#"userName eq "a\qb""#, 14, "invalid escape"),
        (r#"userName eq "\ud800""#, 13, "lone surrogate"),
        (r#"userName eq "\u12x4""#, 13, "four hex digits"),
        ("userName eq \"a\u{1}b\"", 14, "control character"),
        ("(title pr", 9, "')'"),
        ("title pr)", 8, "unbalanced ')'"),
        (r#"emails[type eq "work""#, 21, "']'"),
        (r#"emails[type eq "work"]]"#, 22, "unbalanced ']'"),
        ("title pr and", 12, "expected an expression after 'and'"),
        ("title pr OR", 11, "expected an expression after 'or'"),
        ("title pr and ", 13, "expected an expression after 'and'"),
        ("title pr and )", 13, "attribute path"),
        ("title pr or or", 14, "operator"),
        ("not title pr", 0, "'(' after 'not'"),
        ("9lives pr", 0, "attribute name"),
        ("name..givenName pr", 5, "sub-attribute"),
        ("name.given.name pr", 5, "sub-attribute"),
        ("urn:ietf:params:scim:schemas:core:2.0:User: pr", 43, "attribute name"),
        (r#"emails.value[type eq "work"]"#, 12, "without a sub-attribute"),
        (r#"emails[addresses[type eq "x"]]"#, 16, "no value path inside a value path"),
        (r#"emails[type eq "work"].value"#, 28, "operator"),
        (r#"emails[type eq "work"]. value eq "x""#, 23, "sub-attribute"),
        ("title pr extra", 9, "expected 'and', 'or'"),
        ("title pr\u{0}", 8, "expected 'and', 'or'"),
        ("title pr  \u{0}", 10, "expected 'and', 'or'"),
        ("[type eq \"x\"]", 0, "attribute path"),
        ("title prx", 6, "operator"),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|&(input, position, expected)| check_error(input, position, expected))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn invalid_patch_paths() {
    for (input, position) in [
        ("", 0),
        ("members[", 8),
        (r#"members[value eq "1"]."#, 22),
        (r#"members[value eq "1"] x"#, 22),
        ("members eq", 8),
        ("a.b.c", 2),
    ] {
        let err = PatchPath::parse(input).expect_err(input);
        assert_eq!(err.position(), position, "{input:?}: {err}");
    }
}
