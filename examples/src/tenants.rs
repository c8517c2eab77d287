//! The `tenant` subcommands, and the example server's authenticator over the token store.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use scimkit_core::http::{AuthError, Authenticator, BearerTokens, Principal};
use scimkit_core::tokens::{StoredTokens, Tenants, TokenStore};
use scimkit_core::{Clock, SystemClock, format_timestamp};

use crate::{FileTokens, StoreChoice, TenantAction};

/// The token store the example server keeps tenants in: PostgreSQL's `scim_tokens` table for
/// a PostgreSQL store, else the tokens file.
///
/// # Errors
///
/// The PostgreSQL store's error when the database cannot be reached or migrated.
pub async fn open_tokens(
    store: &StoreChoice,
    tokens_file: &std::path::Path,
) -> scimkit_core::Result<Arc<dyn TokenStore>> {
    Ok(match store {
        StoreChoice::Postgres(url) => {
            Arc::new(scimkit_store_postgres::PostgresStore::connect(url).await?.tokens())
        }
        _ => Arc::new(FileTokens::new(tokens_file)),
    })
}

/// Runs a `tenant` subcommand on `tokens`, writing what it did to `out`.
///
/// # Errors
///
/// The token store's errors: [`Error::Uniqueness`](scimkit_core::Error::Uniqueness) when adding a tenant that has a token,
/// [`Error::NotFound`](scimkit_core::Error::NotFound) when rotating or revoking one that has none; and `out`'s.
pub async fn run_tenant_command(
    tokens: Arc<dyn TokenStore>,
    action: &TenantAction,
    out: &mut impl Write,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let tenants = Tenants::new(tokens);
    match action {
        TenantAction::Add { name, principal } => {
            let issued = tenants.add(name, principal).await?;
            writeln!(out, "Tenant {name} added (token {}).", issued.id)?;
            writeln!(out, "Secret token, shown once: {}", issued.secret())?;
        }
        TenantAction::Rotate { name, overlap } => {
            let issued = tenants.rotate(name, *overlap).await?;
            writeln!(out, "Tenant {name}: new token {}.", issued.id)?;
            writeln!(out, "Secret token, shown once: {}", issued.secret())?;
            let until = format_timestamp(SystemClock.now() + *overlap);
            writeln!(out, "The previous tokens stay valid until {until}.")?;
        }
        TenantAction::Revoke { name } => {
            let revoked = tenants.revoke(name).await?;
            let tokens = if revoked == 1 { "token" } else { "tokens" };
            writeln!(out, "Tenant {name}: {revoked} {tokens} revoked.")?;
        }
        TenantAction::List => {
            let now = SystemClock.now();
            writeln!(out, "{:<24} {:<8} {:>6}  LAST USED", "TENANT", "STATUS", "TOKENS")?;
            for tenant in tenants.list().await? {
                let status = if tenant.is_active(now) { "active" } else { "revoked" };
                let valid = tenant.tokens.iter().filter(|t| t.is_valid_at(now)).count();
                let last = tenant.last_used().map_or_else(|| "never".to_owned(), format_timestamp);
                writeln!(out, "{:<24} {status:<8} {valid:>6}  {last}", tenant.tenant)?;
            }
        }
    }
    Ok(())
}

/// The example server's credentials: the `--token` of the `default` tenant, and the tenants'
/// tokens from the token store.
#[derive(Clone, Debug)]
pub struct ServerTokens {
    fixed: BearerTokens,
    stored: StoredTokens,
}

impl ServerTokens {
    /// `fixed` tokens and those of `stored`.
    pub fn new(fixed: BearerTokens, stored: StoredTokens) -> Self {
        Self { fixed, stored }
    }

    /// The tokens from the store, to refresh.
    pub fn stored(&self) -> &StoredTokens {
        &self.stored
    }

    /// Refreshes the stored tokens every `every`, logging a failed refresh (the server keeps
    /// its last snapshot meanwhile). Runs until the task is dropped.
    pub async fn refresh_every(self, every: Duration) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(error) = self.stored.refresh().await {
                tracing::warn!(%error, "cannot reload the tenants' tokens");
            }
        }
    }
}

impl Authenticator for ServerTokens {
    fn authenticate(&self, parts: &http::request::Parts) -> Result<Principal, AuthError> {
        self.fixed.authenticate(parts).or_else(|_| self.stored.authenticate(parts))
    }

    fn knows_tenant(&self, tenant: &str) -> bool {
        self.fixed.knows_tenant(tenant) || self.stored.knows_tenant(tenant)
    }
}
