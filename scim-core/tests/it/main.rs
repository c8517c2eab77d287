//! Integration tests for scimkit-core: golden RFC fixtures, and the real provisioning flows of
//! Microsoft Entra ID and Okta played through the protocol service, asserting the stored state
//! after every step.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod adversarial;
mod bulk;
mod concurrency;
mod cursors;
mod entra;
mod golden;
mod harness;
mod http;
mod isolation;
mod okta;
mod responses;
