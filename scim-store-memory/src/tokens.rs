//! Tenants' tokens in memory.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use async_trait::async_trait;
use scimkit_core::tokens::{TokenRecord, TokenStore, in_list};
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
        if !in_list::is_new(&records, record) {
            return Err(Error::Uniqueness { detail: "the token is already stored".to_owned() });
        }
        records.push(record.clone());
        Ok(())
    }

    async fn list(&self, tenant: Option<&str>) -> Result<Vec<TokenRecord>> {
        let mut out: Vec<TokenRecord> =
            self.lock().iter().filter(|r| tenant.is_none_or(|t| r.tenant == t)).cloned().collect();
        in_list::sort(&mut out);
        Ok(out)
    }

    async fn expire(&self, tenant: &str, at: SystemTime, keep: Option<&str>) -> Result<u64> {
        Ok(in_list::expire(&mut self.lock(), tenant, at, keep))
    }

    async fn record_use(&self, uses: &[(String, SystemTime)]) -> Result<()> {
        in_list::record_use(&mut self.lock(), uses);
        Ok(())
    }

    async fn remove_expired(&self, before: SystemTime) -> Result<u64> {
        Ok(in_list::remove_expired(&mut self.lock(), before))
    }
}
