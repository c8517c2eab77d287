//! Tenants' tokens in memory.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use async_trait::async_trait;
use scimkit_core::tokens::{TokenRecord, TokenStore};
use scimkit_core::{Error, Result};

/// A [`TokenStore`] in memory, for one process (tests, an embedded service whose tokens come
/// from its own configuration). Clones share the tokens. `Debug` shows how many there are.
#[derive(Clone, Default)]
pub struct InMemoryTokens {
    records: Arc<Mutex<Vec<TokenRecord>>>,
}

impl std::fmt::Debug for InMemoryTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryTokens").field("tokens", &self.lock().len()).finish()
    }
}

impl InMemoryTokens {
    /// No tokens.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<TokenRecord>> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl TokenStore for InMemoryTokens {
    async fn insert(&self, record: &TokenRecord) -> Result<()> {
        let mut records = self.lock();
        if records.iter().any(|r| r.id == record.id || r.digest == record.digest) {
            return Err(Error::Uniqueness { detail: "the token is already stored".to_owned() });
        }
        records.push(record.clone());
        Ok(())
    }

    async fn list(&self, tenant: Option<&str>) -> Result<Vec<TokenRecord>> {
        let mut out: Vec<TokenRecord> =
            self.lock().iter().filter(|r| tenant.is_none_or(|t| r.tenant == t)).cloned().collect();
        out.sort_by(|a, b| (&a.tenant, a.created, &a.id).cmp(&(&b.tenant, b.created, &b.id)));
        Ok(out)
    }

    async fn expire(&self, tenant: &str, at: SystemTime, keep: Option<&str>) -> Result<u64> {
        let mut changed = 0;
        for record in self.lock().iter_mut() {
            let later = record.expires.is_none_or(|e| e > at);
            if record.tenant == tenant && Some(record.id.as_str()) != keep && later {
                record.expires = Some(at);
                changed += 1;
            }
        }
        Ok(changed)
    }

    async fn record_use(&self, uses: &[(String, SystemTime)]) -> Result<()> {
        let mut records = self.lock();
        for (id, at) in uses {
            if let Some(record) = records.iter_mut().find(|r| &r.id == id) {
                record.last_used = record.last_used.max(Some(*at));
            }
        }
        Ok(())
    }

    async fn remove_expired(&self, before: SystemTime) -> Result<u64> {
        let mut records = self.lock();
        let len = records.len();
        records.retain(|r| r.expires.is_none_or(|e| e > before));
        Ok(u64::try_from(len - records.len()).unwrap_or(u64::MAX))
    }
}
