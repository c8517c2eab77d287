//! Any input: the PATCH path parser returns a path or an error, never panics; a parsed path
//! prints a canonical form that parses back to the same path.

#![no_main]

use libfuzzer_sys::fuzz_target;
use scimkit_filter::PatchPath;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let Ok(path) = PatchPath::parse(input) else { return };
    let canonical = path.to_string();
    let reparsed = PatchPath::parse(&canonical).expect("the canonical form parses");
    assert_eq!(reparsed, path, "round trip of {canonical}");
});
