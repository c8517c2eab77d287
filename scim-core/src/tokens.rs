//! Tenants and their credentials as data: bearer tokens issued, rotated and revoked at run
//! time, kept in a [`TokenStore`] only as digests.
//!
//! [`Tenants`] onboards a customer (a tenant and the token its identity provider sends as
//! Entra ID's "Secret Token" or Okta's API token), rotates the token with an overlap during
//! which both work, and revokes it. [`StoredTokens`] is the [`Authenticator`](crate::http::Authenticator) over the same
//! store: it answers from a snapshot in memory (no store round trip per request), which
//! [`StoredTokens::refresh`] reloads and into which it writes each token's last use. A change
//! made through another replica is seen once this replica refreshes: run `refresh` every few
//! seconds (the example server does every 5 s), and revocation takes effect everywhere within
//! that interval, at once on the replica that made it.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use scimkit_core::http::Authenticator;
//! use scimkit_core::tokens::{StoredTokens, Tenants};
//! use scimkit_store_memory::InMemoryTokens;
//!
//! # async fn run() -> scimkit_core::Result<()> {
//! let store = Arc::new(InMemoryTokens::new());
//! let tenants = Tenants::new(store.clone());
//! let issued = tenants.add("acme", "Entra ID for Acme").await?;
//! println!("Secret Token for Acme (shown once): {}", issued.secret());
//!
//! let tokens = StoredTokens::new(store);
//! tokens.refresh().await?;
//! let request = http::Request::get("/scim/v2/Users")
//!     .header("Authorization", format!("Bearer {}", issued.secret()))
//!     .body(())
//!     .unwrap();
//! assert_eq!(tokens.authenticate(&request.into_parts().0).unwrap().tenant, "acme");
//!
//! // A new token; the old one keeps working for an hour, so the customer can switch.
//! let next = tenants.rotate("acme", Duration::from_secs(3600)).await?;
//! # let _ = next;
//! # Ok(())
//! # }
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(run()).unwrap();
//! ```

mod authenticator;
mod record;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

pub use authenticator::StoredTokens;
pub use record::{IssuedToken, TokenDigest, TokenRecord};

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};

/// Where tokens are kept: every replica of a service reads the same store.
///
/// # Contract
///
/// - Records are kept as given; `digest` and `id` are each unique (an `insert` of a taken one
///   fails with [`Error::Uniqueness`]).
/// - `expire` sets `expires` to `at` on every token of the tenant that has no `expires` or a
///   later one, except `keep`, atomically, and returns how many it changed.
/// - `record_use` raises `last_used` (never lowers it) of the tokens named, ignoring unknown
///   ids.
/// - `remove_expired` deletes tokens whose `expires` is at or before `before`.
#[async_trait]
pub trait TokenStore: fmt::Debug + Send + Sync + 'static {
    /// Adds a token.
    async fn insert(&self, record: &TokenRecord) -> Result<()>;

    /// Every token, or those of `tenant`, ordered by tenant and creation.
    async fn list(&self, tenant: Option<&str>) -> Result<Vec<TokenRecord>>;

    /// Makes the tenant's tokens (but `keep`) expire at `at`, if they would not before.
    async fn expire(&self, tenant: &str, at: SystemTime, keep: Option<&str>) -> Result<u64>;

    /// Records when tokens were last used: `(id, when)`.
    async fn record_use(&self, uses: &[(String, SystemTime)]) -> Result<()>;

    /// Deletes the tokens that expired at or before `before`; returns how many.
    async fn remove_expired(&self, before: SystemTime) -> Result<u64>;
}

/// What a [`TokenStore`] that keeps its records in a list does with them, for stores in memory
/// or in a file: the contract's `expire`, `record_use` and `remove_expired` on `records`, and
/// its order for `list`.
pub mod in_list {
    use std::time::SystemTime;

    use super::TokenRecord;

    /// Makes the tokens of `tenant` (but `keep`) expire at `at` if they would not before;
    /// returns how many changed.
    pub fn expire(
        records: &mut [TokenRecord],
        tenant: &str,
        at: SystemTime,
        keep: Option<&str>,
    ) -> u64 {
        let mut changed = 0;
        for record in records.iter_mut() {
            let later = record.expires.is_none_or(|e| e > at);
            if record.tenant == tenant && Some(record.id.as_str()) != keep && later {
                record.expires = Some(at);
                changed += 1;
            }
        }
        changed
    }

    /// Raises the `last_used` of the tokens named in `uses`.
    pub fn record_use(records: &mut [TokenRecord], uses: &[(String, SystemTime)]) {
        for (id, at) in uses {
            if let Some(record) = records.iter_mut().find(|r| &r.id == id) {
                record.last_used = record.last_used.max(Some(*at));
            }
        }
    }

    /// Deletes the tokens that expired at or before `before`; returns how many.
    pub fn remove_expired(records: &mut Vec<TokenRecord>, before: SystemTime) -> u64 {
        let len = records.len();
        records.retain(|r| r.expires.is_none_or(|e| e > before));
        u64::try_from(len - records.len()).unwrap_or(u64::MAX)
    }

    /// Orders `records` as `list` returns them: by tenant, then creation.
    pub fn sort(records: &mut [TokenRecord]) {
        records.sort_by(|a, b| (&a.tenant, a.created, &a.id).cmp(&(&b.tenant, b.created, &b.id)));
    }

    /// Whether `record` may be added beside `records`: its id and digest are new.
    pub fn is_new(records: &[TokenRecord], record: &TokenRecord) -> bool {
        !records.iter().any(|r| r.id == record.id || r.digest == record.digest)
    }
}

/// Onboarding, rotation and revocation of tenants' tokens over a [`TokenStore`].
#[derive(Debug, Clone)]
pub struct Tenants {
    store: Arc<dyn TokenStore>,
    clock: Arc<dyn Clock>,
}

/// One tenant and its tokens, as [`Tenants::list`] shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TenantTokens {
    /// The tenant.
    pub tenant: String,
    /// Its tokens, oldest first, live and expired (until they are removed).
    pub tokens: Vec<TokenRecord>,
}

impl TenantTokens {
    /// Whether some token of the tenant is valid at `now`.
    pub fn is_active(&self, now: SystemTime) -> bool {
        self.tokens.iter().any(|t| t.is_valid_at(now))
    }

    /// When a token of the tenant was last used, if one was.
    pub fn last_used(&self) -> Option<SystemTime> {
        self.tokens.iter().filter_map(|t| t.last_used).max()
    }
}

impl Tenants {
    /// Tenants over `store`, on the system clock.
    pub fn new(store: Arc<dyn TokenStore>) -> Self {
        Self { store, clock: Arc::new(SystemClock) }
    }

    /// The same, on `clock`.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Onboards `tenant`: issues its first token, for the principal `name` (what the service
    /// logs and records in events as who made a change, such as "Entra ID for Acme").
    ///
    /// # Errors
    ///
    /// [`Error::Uniqueness`] if the tenant already has a valid token (rotate it instead);
    /// [`Error::InvalidValue`](Error::invalid_value) for an empty tenant; the store's errors.
    pub async fn add(&self, tenant: &str, name: &str) -> Result<IssuedToken> {
        if tenant.trim().is_empty() || tenant.contains(['/', '\0']) {
            return Err(Error::invalid_value("a tenant needs a name without '/'"));
        }
        let now = self.clock.now();
        let existing = self.store.list(Some(tenant)).await?;
        if existing.iter().any(|t| t.is_valid_at(now)) {
            return Err(Error::Uniqueness {
                detail: format!("the tenant {tenant:?} already has a token; rotate it"),
            });
        }
        self.issue(tenant, name, now).await
    }

    /// Issues a new token for `tenant` (for the principal of its latest token) and makes the
    /// others expire after `overlap`, so that the identity provider can be switched to the new
    /// token meanwhile. An `overlap` of zero revokes the old tokens at once.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if the tenant has no valid token; the store's errors.
    pub async fn rotate(&self, tenant: &str, overlap: Duration) -> Result<IssuedToken> {
        let now = self.clock.now();
        let existing = self.store.list(Some(tenant)).await?;
        let Some(latest) = existing.iter().filter(|t| t.is_valid_at(now)).max_by_key(|t| t.created)
        else {
            return Err(unknown_tenant(tenant));
        };
        let name = latest.principal.clone();
        let issued = self.issue(tenant, &name, now).await?;
        self.store.expire(tenant, now + overlap, Some(&issued.id)).await?;
        Ok(issued)
    }

    /// Revokes every token of `tenant` now; returns how many were valid.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if the tenant has no valid token; the store's errors.
    pub async fn revoke(&self, tenant: &str) -> Result<u64> {
        let now = self.clock.now();
        let valid =
            self.store.list(Some(tenant)).await?.iter().filter(|t| t.is_valid_at(now)).count();
        if valid == 0 {
            return Err(unknown_tenant(tenant));
        }
        self.store.expire(tenant, now, None).await?;
        Ok(u64::try_from(valid).unwrap_or(u64::MAX))
    }

    /// Every tenant with its tokens, by tenant name.
    ///
    /// # Errors
    ///
    /// The store's errors.
    pub async fn list(&self) -> Result<Vec<TenantTokens>> {
        let mut out: Vec<TenantTokens> = Vec::new();
        for record in self.store.list(None).await? {
            match out.last_mut() {
                Some(last) if last.tenant == record.tenant => last.tokens.push(record),
                _ => out.push(TenantTokens { tenant: record.tenant.clone(), tokens: vec![record] }),
            }
        }
        Ok(out)
    }

    async fn issue(&self, tenant: &str, name: &str, now: SystemTime) -> Result<IssuedToken> {
        let issued = IssuedToken::generate(tenant);
        let record = TokenRecord::new(&issued, name, now);
        self.store.insert(&record).await?;
        Ok(issued)
    }
}

fn unknown_tenant(tenant: &str) -> Error {
    Error::NotFound { resource_type: "tenant".to_owned(), id: tenant.chars().take(128).collect() }
}
