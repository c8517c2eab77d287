//! The [`Authenticator`] over a [`TokenStore`]: a snapshot in memory, refreshed.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::SystemTime;

use super::{TokenDigest, TokenStore};
use crate::clock::{Clock, SystemClock};
use crate::error::Result;
use crate::http::{AuthError, Authenticator, Principal, bearer_token};

/// Bearer tokens from a [`TokenStore`], as an [`Authenticator`].
///
/// Requests are checked against a snapshot of the store held in memory, so authenticating
/// costs a hash lookup and never a store round trip. [`refresh`](Self::refresh) writes each
/// token's last use to the store and reloads the snapshot: call it every few seconds, and a
/// token issued, rotated or revoked through any replica takes effect here within that
/// interval. A token's expiry (the end of a rotation's overlap) is checked on every request
/// against the clock, so it needs no refresh. Clones share the snapshot.
#[derive(Clone)]
pub struct StoredTokens {
    shared: Arc<Shared>,
}

struct Shared {
    store: Arc<dyn TokenStore>,
    clock: Arc<dyn Clock>,
    snapshot: RwLock<HashMap<TokenDigest, Entry>>,
    /// Last uses not yet written to the store: token id to when.
    uses: Mutex<HashMap<String, SystemTime>>,
}

#[derive(Clone)]
struct Entry {
    id: String,
    principal: Principal,
    expires: Option<SystemTime>,
}

impl fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tokens = self.shared.snapshot.read().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("StoredTokens")
            .field("store", &self.shared.store)
            .field("tokens", &tokens)
            .finish()
    }
}

impl StoredTokens {
    /// Tokens from `store`, on the system clock. The snapshot starts empty: call
    /// [`refresh`](Self::refresh) before serving.
    pub fn new(store: Arc<dyn TokenStore>) -> Self {
        Self::with_clock(store, Arc::new(SystemClock))
    }

    /// The same, on `clock`.
    pub fn with_clock(store: Arc<dyn TokenStore>, clock: Arc<dyn Clock>) -> Self {
        Self {
            shared: Arc::new(Shared {
                store,
                clock,
                snapshot: RwLock::new(HashMap::new()),
                uses: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Writes the last uses seen since the previous refresh to the store, then reloads every
    /// token from it.
    ///
    /// # Errors
    ///
    /// The store's errors; the snapshot is then left as it was, and the uses are kept for the
    /// next refresh.
    pub async fn refresh(&self) -> Result<()> {
        let shared = &self.shared;
        let uses: Vec<(String, SystemTime)> =
            std::mem::take(&mut *shared.uses.lock().unwrap_or_else(PoisonError::into_inner))
                .into_iter()
                .collect();
        if !uses.is_empty() {
            if let Err(error) = shared.store.record_use(&uses).await {
                let mut pending = shared.uses.lock().unwrap_or_else(PoisonError::into_inner);
                for (id, at) in uses {
                    let slot = pending.entry(id).or_insert(at);
                    *slot = (*slot).max(at);
                }
                return Err(error);
            }
        }
        let records = shared.store.list(None).await?;
        let snapshot = records
            .into_iter()
            .map(|r| {
                let principal = Principal::new(r.tenant, r.principal);
                (r.digest, Entry { id: r.id, principal, expires: r.expires })
            })
            .collect();
        *shared.snapshot.write().unwrap_or_else(PoisonError::into_inner) = snapshot;
        Ok(())
    }
}

impl Authenticator for StoredTokens {
    fn authenticate(&self, parts: &http::request::Parts) -> Result<Principal, AuthError> {
        let token = bearer_token(parts)?;
        let digest = TokenDigest::of(token.as_bytes());
        let now = self.shared.clock.now();
        let entry = {
            let snapshot = self.shared.snapshot.read().unwrap_or_else(PoisonError::into_inner);
            snapshot.get(&digest).cloned()
        };
        match entry {
            Some(entry) if entry.expires.is_none_or(|expires| now < expires) => {
                self.shared
                    .uses
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(entry.id, now);
                Ok(entry.principal)
            }
            _ => Err(AuthError::new("the bearer token is not valid")),
        }
    }

    fn knows_tenant(&self, tenant: &str) -> bool {
        let now = self.shared.clock.now();
        let snapshot = self.shared.snapshot.read().unwrap_or_else(PoisonError::into_inner);
        snapshot
            .values()
            .any(|e| e.principal.tenant == tenant && e.expires.is_none_or(|expires| now < expires))
    }
}
