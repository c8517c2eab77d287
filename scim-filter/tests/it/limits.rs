//! Limits on length, nesting depth and terms, enforced while parsing.

use scimkit_filter::{Filter, Limits, PatchPath};

#[test]
fn a_hundred_thousand_open_parentheses_fail_without_overflow() {
    let input = "(".repeat(100_000);
    assert!(Filter::parse(&input).is_err());
    let limits = Limits::default().with_max_length(1 << 20);
    let err = Filter::parse_with(&input, &limits).unwrap_err();
    assert_eq!(err.position(), 64);
    assert!(err.message().contains("nested too deeply"), "{err}");
}

#[test]
fn deep_not_and_value_paths_are_bounded() {
    let input = "not (".repeat(10_000);
    assert!(Filter::parse(&input).unwrap_err().message().contains("nested too deeply"));
    let input = format!("{}a pr{}", "(".repeat(64), ")".repeat(64));
    assert!(Filter::parse(&input).is_ok());
    let input = format!("{}a pr{}", "(".repeat(65), ")".repeat(65));
    assert!(Filter::parse(&input).is_err());
}

#[test]
fn terms_are_counted() {
    let input = vec!["a pr"; 1024].join(" or ");
    assert!(Filter::parse(&input).is_ok());
    let input = vec!["a pr"; 1025].join(" or ");
    let err = Filter::parse(&input).unwrap_err();
    assert!(err.message().contains("too many"), "{err}");
    let limits = Limits::default().with_max_terms(2);
    assert!(Filter::parse_with(r#"emails[type eq "w" and value pr]"#, &limits).is_ok());
    assert!(Filter::parse_with(r#"emails[type eq "w" and value pr] or a pr"#, &limits).is_err());
}

#[test]
fn long_input_is_rejected_before_parsing() {
    let input = format!("a eq \"{}\"", "x".repeat(1 << 20));
    let err = Filter::parse(&input).unwrap_err();
    assert!(err.message().contains("longer than"), "{err}");
    let limits = Limits::default().with_max_length(2 << 20);
    assert!(Filter::parse_with(&input, &limits).is_ok());
    assert!(PatchPath::parse(&"a".repeat(100_000)).is_err());
}

#[test]
fn long_chains_do_not_recurse() {
    let limits = Limits::default().with_max_terms(200_000).with_max_length(10 << 20);
    let input = vec!["a pr"; 100_000].join(" and ");
    let filter = Filter::parse_with(&input, &limits).unwrap();
    // Dropping and printing a left-deep tree of 100,000 nodes must not overflow either.
    assert!(filter.to_string().len() > 100_000);
}

/// The worst case of a naive substring search: a megabyte of `a` and a needle of 8 KiB of `a`
/// ending in `b` is 8 billion comparisons compared position by position; each search here is
/// linear, so the test finishes in milliseconds even unoptimised.
#[test]
fn substring_search_on_a_megabyte_value_is_linear() {
    let value = "a".repeat(1 << 20);
    let user = serde_json::json!({ "displayName": value, "title": value.to_uppercase() });
    let needle = format!("{}b", "a".repeat(8 * 1024 - 1));
    for attribute in ["displayName", "title"] {
        for op in ["co", "sw", "ew", "eq"] {
            let filter = Filter::parse_with(
                &format!(r#"{attribute} {op} "{needle}""#),
                &Limits::default().with_max_length(1 << 16),
            )
            .unwrap();
            assert!(!filter.matches(&user), "{attribute} {op}");
        }
        let hit = "A".repeat(8 * 1024);
        let filter = Filter::parse_with(
            &format!(r#"{attribute} co "{hit}""#),
            &Limits::default().with_max_length(1 << 16),
        )
        .unwrap();
        assert!(filter.matches(&user), "{attribute} co");
    }
    // Non-ASCII values take the folded-stream path.
    let value = format!("{}ü", "ä".repeat(1 << 19));
    let user = serde_json::json!({ "displayName": value });
    let needle = format!("{}Ü", "Ä".repeat(4 * 1024));
    let filter = Filter::parse_with(
        &format!(r#"displayName co "{needle}""#),
        &Limits::default().with_max_length(1 << 16),
    )
    .unwrap();
    assert!(filter.matches(&user));
    let needle = format!("{}b", "Ä".repeat(4 * 1024));
    let filter = Filter::parse_with(
        &format!(r#"displayName co "{needle}""#),
        &Limits::default().with_max_length(1 << 16),
    )
    .unwrap();
    assert!(!filter.matches(&user));
}
