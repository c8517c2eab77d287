//! Integration tests for scim-core.

mod golden;
mod http;
