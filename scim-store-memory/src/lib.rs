//! The embedded in-memory store for scim-rs.
//!
//! [`InMemoryStore`] implements [`ResourceStore`] over maps in memory: resources by tenant,
//! resource type and id, with hash indexes on the unique attributes (case-folded where the
//! schema says `caseExact: false`) and on `externalId`, so equality lookups such as
//! `userName eq "x"` cost the same at a million users as at a thousand. Each tenant has its own
//! lock: readers run in parallel, and a writer blocks only its own tenant.
//!
//! It passes the whole shared conformance suite (`scimkit_core::testing`).
//!
//! ```
//! use scimkit_core::{Page, Query, Registry, ResourceStore, Scope, StoreKeys};
//! use scimkit_store_memory::InMemoryStore;
//! use serde_json::json;
//!
//! # tokio_test();
//! # fn tokio_test() {
//! # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
//! # rt.block_on(async {
//! let registry = Registry::standard();
//! let keys = StoreKeys::for_type(&registry.resource_type_schema("User").unwrap());
//! let store = InMemoryStore::new();
//! let scope = Scope::new("tenant-a", "User", &keys);
//! let user = json!({ "id": "1", "userName": "bjensen" }).as_object().unwrap().clone();
//! store.create(scope, user).await?;
//! let page = store.query(scope, &Query::new(Page::new(1, 10))).await?;
//! assert_eq!(page.total_results, 1);
//! # Ok::<(), scimkit_core::Error>(())
//! # }).unwrap();
//! # }
//! ```

#![forbid(unsafe_code)]

mod index;
mod table;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use async_trait::async_trait;
use scimkit_core::{
    Capabilities, Clock, Error, JsonObject, Membership, Query, QueryPage, ResourceStore, Result,
    Scope, StoredResource, SystemClock, Version,
};

use table::Tenant;

/// A concurrent in-memory [`ResourceStore`].
///
/// Cloning is cheap and shares the data: every clone sees the same resources.
#[derive(Clone, Debug)]
pub struct InMemoryStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    tenants: RwLock<HashMap<String, Arc<RwLock<Tenant>>>>,
    clock: Arc<dyn Clock>,
    versions: AtomicU64,
}

impl Default for InMemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl InMemoryStore {
    /// An empty store on the system clock.
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    /// An empty store that stamps the groups it changes on a member's deletion with `clock`'s
    /// time.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Arc::new(Inner {
                tenants: RwLock::new(HashMap::new()),
                clock,
                versions: AtomicU64::new(0),
            }),
        }
    }

    /// The number of resources stored, over all tenants and types.
    pub fn len(&self) -> usize {
        let tenants = read(&self.inner.tenants);
        tenants.values().map(|t| read(t).len()).sum()
    }

    /// Whether the store holds no resource.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The tenant's data, if it has any.
    fn tenant(&self, tenant: &str) -> Option<Arc<RwLock<Tenant>>> {
        read(&self.inner.tenants).get(tenant).cloned()
    }

    /// The tenant's data, created if needed.
    fn tenant_or_new(&self, tenant: &str) -> Arc<RwLock<Tenant>> {
        if let Some(found) = self.tenant(tenant) {
            return found;
        }
        let mut tenants = write(&self.inner.tenants);
        tenants.entry(tenant.to_owned()).or_default().clone()
    }

    fn next_version(&self) -> Version {
        Version::new((self.inner.versions.fetch_add(1, Ordering::Relaxed) + 1).to_string())
    }
}

#[async_trait]
impl ResourceStore for InMemoryStore {
    fn capabilities(&self) -> Capabilities {
        Capabilities::new(true, true)
    }

    async fn create(&self, scope: Scope<'_>, resource: JsonObject) -> Result<StoredResource> {
        let tenant = self.tenant_or_new(scope.tenant);
        let mut tenant = write(&tenant);
        let version = self.next_version();
        tenant.create(scope, resource, version)
    }

    async fn get(&self, scope: Scope<'_>, id: &str) -> Result<Option<StoredResource>> {
        let Some(tenant) = self.tenant(scope.tenant) else { return Ok(None) };
        let tenant = read(&tenant);
        Ok(tenant.get(scope.resource_type, id))
    }

    async fn replace(
        &self,
        scope: Scope<'_>,
        id: &str,
        resource: JsonObject,
        if_match: Option<&Version>,
    ) -> Result<StoredResource> {
        let Some(tenant) = self.tenant(scope.tenant) else {
            return Err(not_found(scope, id));
        };
        let mut tenant = write(&tenant);
        let version = self.next_version();
        tenant.replace(scope, id, resource, if_match, version)
    }

    async fn delete(&self, scope: Scope<'_>, id: &str, if_match: Option<&Version>) -> Result<()> {
        let Some(tenant) = self.tenant(scope.tenant) else {
            return Err(not_found(scope, id));
        };
        let mut tenant = write(&tenant);
        let now = self.inner.clock.timestamp();
        tenant.delete(scope, id, if_match, &now, || self.next_version())
    }

    async fn query(&self, scope: Scope<'_>, query: &Query<'_>) -> Result<QueryPage> {
        let Some(tenant) = self.tenant(scope.tenant) else {
            return Ok(QueryPage::done(Vec::new(), 0));
        };
        let tenant = read(&tenant);
        Ok(tenant.query(scope, query))
    }

    async fn groups_of(
        &self,
        tenant: &str,
        member_ids: &[&str],
    ) -> Result<BTreeMap<String, Vec<Membership>>> {
        let Some(tenant) = self.tenant(tenant) else { return Ok(BTreeMap::new()) };
        let tenant = read(&tenant);
        Ok(tenant.groups_of(member_ids))
    }
}

/// The error for an id that is not stored.
pub(crate) fn not_found(scope: Scope<'_>, id: &str) -> Error {
    Error::NotFound { resource_type: scope.resource_type.to_owned(), id: id.to_owned() }
}

/// A read lock; a panic while another thread held the lock cannot leave the maps half-written
/// (every write path validates before it mutates), so poisoning is ignored.
fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

/// A write lock; see [`read`] on poisoning.
fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}
