//! Integration tests for scim-core.

mod golden;
