//! What the scim-rs examples share: serving a [`ScimService`] over HTTP/1.1 with hyper and
//! tokio ([`serve`]), the example server's command line ([`Options`]), the service it runs
//! ([`in_memory_service`]), and the axum application of the `axum_embed` example
//! ([`axum_app`]).
//!
//! The examples themselves live beside this library: `cargo run --release --example server`
//! and `cargo run --example axum_embed`.
//!
//! [`ScimService`]: scimkit_core::http::ScimService

mod admin;
mod cli;
mod client;
mod embed;
mod events;
mod serve;
mod tenants;
mod tokens_file;

pub use admin::{PROMETHEUS_TEXT, install_metrics, metrics_response, serve_metrics};
pub use cli::{Command, Options, StoreChoice, TenantAction, usage};
pub use client::{ClientReply, ScimClient};
pub use embed::axum_app;
pub use events::{audit_line, events_log_consumer, events_log_line, follow, write_events_log};
pub use serve::{ServeOptions, respond, respond_with, serve, serve_with, shutdown_signal};
pub use tenants::{ServerTokens, open_tokens, run_tenant_command};
pub use tokens_file::FileTokens;

use std::sync::Arc;

use scimkit_core::http::{Authenticator, ScimService, Tenancy};
use scimkit_core::{DynResourceStore, ResourceManager, ServiceConfig};
use scimkit_store_memory::InMemoryStore;

/// A SCIM service on a fresh in-memory store, with the standard User, Group and Enterprise
/// User schemas, mounted at `base_path` and authenticating with `tokens`.
///
/// # Errors
///
/// [`scimkit_core::Error::Internal`] if the configuration cannot build a resource manager (it
/// always can with the standard registry).
///
/// # Examples
///
/// ```
/// use scimkit_core::ServiceConfig;
/// use scimkit_core::http::{BearerTokens, Principal, Tenancy};
///
/// let tokens = BearerTokens::new().with_token("s3cret", Principal::new("default", "demo"));
/// let service = scimkit_examples::in_memory_service(
///     tokens,
///     "/scim/v2",
///     Tenancy::ByPrincipal,
///     ServiceConfig::default(),
/// )?;
/// assert_eq!(service.manager().config().limits.max_results, 200);
/// # Ok::<(), scimkit_core::Error>(())
/// ```
pub fn in_memory_service(
    tokens: impl Authenticator,
    base_path: &str,
    tenancy: Tenancy,
    config: ServiceConfig,
) -> scimkit_core::Result<ScimService> {
    service_on(Arc::new(InMemoryStore::new()), tokens, base_path, tenancy, config)
}

/// The service the example server runs, on `store`.
///
/// # Errors
///
/// As [`in_memory_service`].
pub fn service_on(
    store: Arc<DynResourceStore>,
    tokens: impl Authenticator,
    base_path: &str,
    tenancy: Tenancy,
    config: ServiceConfig,
) -> scimkit_core::Result<ScimService> {
    let manager = ResourceManager::builder(store).config(config).build()?;
    Ok(ScimService::builder(manager, tokens).base_path(base_path).tenancy(tenancy).build())
}

/// Opens the store the command line chose: the in-memory store, or PostgreSQL (connecting and
/// applying its migrations).
///
/// # Errors
///
/// The PostgreSQL store's error when the database cannot be reached or migrated.
pub async fn open_store(choice: &StoreChoice) -> scimkit_core::Result<Arc<DynResourceStore>> {
    Ok(match choice {
        StoreChoice::Postgres(url) => {
            Arc::new(scimkit_store_postgres::PostgresStore::connect(url).await?)
        }
        _ => Arc::new(InMemoryStore::new()),
    })
}

/// A fresh random bearer token: two random (v4) UUIDs from the operating system's generator,
/// 244 random bits, as 64 hex digits.
///
/// # Examples
///
/// ```
/// let token = scimkit_examples::random_token();
/// assert_eq!(token.len(), 64);
/// assert_ne!(token, scimkit_examples::random_token());
/// ```
pub fn random_token() -> String {
    format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

/// The README's Rust snippets, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
