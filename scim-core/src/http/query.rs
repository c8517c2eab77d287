//! The query string of list requests (RFC 7644 §3.4.2): `filter`, `sortBy`, `sortOrder`,
//! `startIndex`, `count`, `attributes`, `excludedAttributes`.

use crate::error::{Error, Result};
use crate::message::de::split_list;
use crate::message::{SearchRequest, SortOrder};

/// Parses a query string into the search it asks for. Parameter names match
/// case-insensitively; `+` and `%20` both decode to a space; unknown parameters are ignored.
pub(crate) fn parse_query(query: Option<&str>) -> Result<SearchRequest> {
    let mut search = SearchRequest::new();
    for pair in query.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode(name)?;
        let value = decode(value)?;
        if value.contains('\0') {
            // No SCIM value holds a NUL, and PostgreSQL cannot compare text with one.
            let detail = format!("{name} holds a NUL character (%00)");
            return Err(match name.eq_ignore_ascii_case("filter") {
                true => Error::InvalidFilter { detail },
                false => Error::invalid_value(detail),
            });
        }
        match name.to_ascii_lowercase().as_str() {
            "filter" => search.filter = Some(value),
            "sortby" => search.sort_by = Some(value),
            "sortorder" => search.sort_order = Some(parse_sort_order(&value)?),
            "startindex" => search.start_index = Some(parse_integer("startIndex", &value)?),
            "count" => search.count = Some(parse_integer("count", &value)?),
            // `?cursor` and `?cursor=` both ask for the first page (RFC 9865 §2).
            "cursor" => search.cursor = Some(value),
            "attributes" => search.attributes = split_list(&value),
            "excludedattributes" => search.excluded_attributes = split_list(&value),
            _ => {}
        }
    }
    Ok(search)
}

/// Whether the query string carries the parameter `name` (matched case-insensitively, as
/// [`parse_query`] does) with a value that is not empty.
pub(crate) fn has_parameter(query: Option<&str>, name: &str) -> bool {
    query.unwrap_or_default().split('&').any(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        !value.is_empty() && decode(key).is_ok_and(|key| key.eq_ignore_ascii_case(name))
    })
}

fn parse_sort_order(value: &str) -> Result<SortOrder> {
    match value.trim().to_ascii_lowercase().as_str() {
        "ascending" => Ok(SortOrder::Ascending),
        "descending" => Ok(SortOrder::Descending),
        _ => Err(Error::invalid_value("sortOrder must be ascending or descending")),
    }
}

fn parse_integer(name: &str, value: &str) -> Result<i64> {
    let value = value.trim();
    // Out-of-range numbers saturate: a huge startIndex is past the end, a huge count is capped.
    // One optional sign, then at least one digit: `-`, `--5` and `+-1` are not integers.
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_value(format!("{name} must be an integer")));
    }
    Ok(value.parse::<i64>().unwrap_or(if value.starts_with('-') { i64::MIN } else { i64::MAX }))
}

/// Decodes one `application/x-www-form-urlencoded` component: `+` is a space, `%XX` a byte.
pub(crate) fn decode(component: &str) -> Result<String> {
    let bytes = component.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => {
                        return Err(Error::invalid_syntax("malformed percent-encoding in the URL"));
                    }
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| Error::invalid_syntax("the URL is not valid UTF-8"))
}

/// Decodes a path segment: `%XX` escapes, `+` kept as is.
pub(crate) fn decode_segment(segment: &str) -> Result<String> {
    if !segment.contains('%') {
        return Ok(segment.to_owned());
    }
    decode(&segment.replace('+', "%2B"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entra_and_okta_query_strings() {
        let entra = parse_query(Some(
            "filter=userName+eq+%22ad8b5d6c-1d3e-4f6a-9f00-000000000000%22&excludedAttributes=members",
        ))
        .unwrap();
        assert_eq!(
            entra.filter.as_deref(),
            Some(r#"userName eq "ad8b5d6c-1d3e-4f6a-9f00-000000000000""#)
        );
        assert_eq!(entra.excluded_attributes, ["members"]);
        let okta =
            parse_query(Some("filter=userName%20eq%20%22x%40y%22&startIndex=1&count=100")).unwrap();
        assert_eq!(okta.filter.as_deref(), Some(r#"userName eq "x@y""#));
        assert_eq!((okta.start_index, okta.count), (Some(1), Some(100)));
        let mixed = parse_query(Some(
            "SortBy=userName&sortorder=Descending&attributes=userName,%20emails.value",
        ))
        .unwrap();
        assert_eq!(mixed.sort_by.as_deref(), Some("userName"));
        assert_eq!(mixed.sort_order, Some(SortOrder::Descending));
        assert_eq!(mixed.attributes, ["userName", "emails.value"]);
    }

    #[test]
    fn bad_query_strings() {
        assert!(matches!(parse_query(Some("count=ten")), Err(Error::InvalidValue { .. })));
        // Not integers, though made of signs and digits (RFC 7644 §3.4.2.4 wants integers).
        for bad in
            ["count=-", "count=+", "startIndex=--5", "startIndex=%2B-1", "count=1-", "count="]
        {
            assert!(matches!(parse_query(Some(bad)), Err(Error::InvalidValue { .. })), "{bad}");
        }
        assert_eq!(parse_query(Some("count=-3")).unwrap().count, Some(-3));
        let nul = parse_query(Some("filter=userName%20eq%20%22a%00%22"));
        assert!(matches!(nul, Err(Error::InvalidFilter { .. })), "{nul:?}");
        assert!(matches!(parse_query(Some("sortBy=a%00")), Err(Error::InvalidValue { .. })));
        assert_eq!(parse_query(Some("startIndex=%2B7")).unwrap().start_index, Some(7));
        assert!(matches!(parse_query(Some("sortOrder=up")), Err(Error::InvalidValue { .. })));
        assert!(matches!(parse_query(Some("filter=%zz")), Err(Error::InvalidSyntax { .. })));
        assert!(matches!(parse_query(Some("filter=%ff")), Err(Error::InvalidSyntax { .. })));
        assert_eq!(parse_query(Some("count=99999999999999999999")).unwrap().count, Some(i64::MAX));
    }

    #[test]
    fn segments() {
        assert_eq!(decode_segment("a%2Fb").unwrap(), "a/b");
        assert_eq!(decode_segment("a+b").unwrap(), "a+b");
        assert_eq!(decode_segment("a%2Bb").unwrap(), "a+b");
    }
}
