//! Integration tests of scimkit-filter's public API.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod errors;
mod limits;
mod parse;
mod roundtrip;
