//! Any input: the filter parser returns a filter or an error, never panics; a parsed filter
//! prints a canonical form that parses back to the same AST, and evaluates without panicking.

#![no_main]

use libfuzzer_sys::fuzz_target;
use scimkit_filter::Filter;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let Ok(filter) = Filter::parse(input) else { return };
    let canonical = filter.to_string();
    let reparsed = Filter::parse(&canonical).expect("the canonical form parses");
    assert_eq!(reparsed, filter, "round trip of {canonical}");
    let user = serde_json::json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "bjensen", "active": true, "title": "Tour Guide",
        "name": { "givenName": "Barbara", "familyName": "Jensen" },
        "emails": [
            { "type": "work", "value": "bjensen@example.com", "primary": true },
            { "type": "home", "value": "babs@jensen.org" }
        ],
        "meta": { "lastModified": "2011-05-13T04:42:34Z" },
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "department": "Tour" }
    });
    let _ = filter.matches(&user);
});
