//! The embedded in-memory store for scim-rs.
//!
//! [`InMemoryStore`] implements [`ResourceStore`] over maps in memory: resources by tenant,
//! resource type and id, with hash indexes on the unique attributes (case-folded where the
//! schema says `caseExact: false`) and on `externalId`, so equality lookups such as
//! `userName eq "x"` cost the same at a million users as at a thousand. Each tenant has its own
//! lock: readers run in parallel, and a writer blocks only its own tenant.
//!
//! Each tenant's event feed lives under the same lock as its resources, so an event is
//! recorded in the same step as its change, and in commit order; waiters on a feed are woken
//! directly by the writer. The feed keeps the latest [`DEFAULT_EVENT_RETENTION`] events of each
//! tenant (see [`InMemoryStore::with_event_retention`]): like the resources, it lives only as
//! long as the process. Waiting for events (`ResourceStore::wait_for_events`) needs a Tokio
//! runtime with its timers enabled.
//!
//! It passes the whole shared conformance suite (`scimkit_core::testing`).
//!
//! ```
//! use scimkit_core::{Page, Query, Registry, ResourceStore, ResourceStoreExt, Scope, StoreKeys};
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

mod feed;
mod index;
mod table;
mod tokens;

pub use tokens::InMemoryTokens;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use async_trait::async_trait;
use scimkit_core::event::{Event, EventCursor, Prune};
use scimkit_core::{
    Capabilities, Error, JsonObject, Membership, Query, QueryPage, ResourceStore, Result, Scope,
    StoredResource, Version, WriteOptions,
};
use tokio::sync::Notify;

use table::Tenant;

/// How many events each tenant's feed keeps by default: the oldest are pruned past it.
pub const DEFAULT_EVENT_RETENTION: usize = 100_000;

/// A concurrent in-memory [`ResourceStore`].
///
/// Cloning is cheap and shares the data: every clone sees the same resources. Its `Debug`
/// output counts tenants, never shows their data (which can hold personal data and, under a
/// policy that keeps them, passwords).
#[derive(Clone)]
pub struct InMemoryStore {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for InMemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenants = read(&self.inner.tenants).len();
        f.debug_struct("InMemoryStore")
            .field("tenants", &tenants)
            .field("event_retention", &self.inner.retention)
            .finish_non_exhaustive()
    }
}

struct Inner {
    tenants: RwLock<HashMap<String, Arc<Slot>>>,
    versions: AtomicU64,
    retention: usize,
}

/// One tenant: its data behind its lock, and the waiters on its feed beside it.
#[derive(Debug)]
struct Slot {
    data: RwLock<Tenant>,
    events: Notify,
    /// How many waiters there are: a write wakes the feed only when someone waits.
    waiting: AtomicUsize,
}

/// Counts a waiter on a slot for as long as it lives.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Default for InMemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl InMemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::with_event_retention(DEFAULT_EVENT_RETENTION)
    }

    /// An empty store whose tenants' feeds keep the latest `events` events each (at least one;
    /// up to a sixteenth more accumulate before the oldest are pruned together). A consumer
    /// behind what was pruned gets [`Error::EventsPruned`].
    pub fn with_event_retention(events: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                tenants: RwLock::new(HashMap::new()),
                versions: AtomicU64::new(0),
                retention: events.max(1),
            }),
        }
    }

    /// The number of resources stored, over all tenants and types.
    pub fn len(&self) -> usize {
        let tenants = read(&self.inner.tenants);
        tenants.values().map(|t| read(&t.data).len()).sum()
    }

    /// Whether the store holds no resource.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The tenant's data, if it has any.
    fn tenant(&self, tenant: &str) -> Option<Arc<Slot>> {
        read(&self.inner.tenants).get(tenant).cloned()
    }

    /// The tenant's data, created if needed.
    fn tenant_or_new(&self, tenant: &str) -> Arc<Slot> {
        if let Some(found) = self.tenant(tenant) {
            return found;
        }
        let mut tenants = write(&self.inner.tenants);
        let slot = tenants.entry(tenant.to_owned()).or_insert_with(|| {
            Arc::new(Slot {
                data: RwLock::new(Tenant::new(self.inner.retention)),
                events: Notify::new(),
                waiting: AtomicUsize::new(0),
            })
        });
        slot.clone()
    }

    fn next_version(&self) -> Version {
        Version::new((self.inner.versions.fetch_add(1, Ordering::Relaxed) + 1).to_string())
    }

    /// Runs a write on the tenant's data and wakes the feed's waiters if it recorded events.
    fn write_tenant<T>(
        &self,
        slot: &Slot,
        records_event: bool,
        write: impl FnOnce(&mut Tenant) -> Result<T>,
    ) -> Result<T> {
        let result = write(&mut self::write(&slot.data));
        // A waiter counts itself before it looks at the feed (under the lock this write
        // released), so a write it did not see still finds it counted here.
        if result.is_ok() && records_event && slot.waiting.load(Ordering::SeqCst) > 0 {
            slot.events.notify_waiters();
        }
        result
    }
}

#[async_trait]
impl ResourceStore for InMemoryStore {
    fn capabilities(&self) -> Capabilities {
        Capabilities::new(true, true).with_keyset()
    }

    async fn create_opts(
        &self,
        scope: Scope<'_>,
        resource: JsonObject,
        options: WriteOptions<'_>,
    ) -> Result<StoredResource> {
        let slot = self.tenant_or_new(scope.tenant);
        self.write_tenant(&slot, options.event.is_some(), |tenant| {
            tenant.create(scope, resource, self.next_version(), options)
        })
    }

    async fn get(&self, scope: Scope<'_>, id: &str) -> Result<Option<StoredResource>> {
        let Some(slot) = self.tenant(scope.tenant) else { return Ok(None) };
        let row = read(&slot.data).get(scope.resource_type, id);
        Ok(row.map(|row| row.to_stored()))
    }

    async fn replace_opts(
        &self,
        scope: Scope<'_>,
        id: &str,
        resource: JsonObject,
        if_match: Option<&Version>,
        options: WriteOptions<'_>,
    ) -> Result<StoredResource> {
        let Some(slot) = self.tenant(scope.tenant) else {
            return Err(not_found(scope, id));
        };
        self.write_tenant(&slot, options.event.is_some(), |tenant| {
            tenant.replace(scope, id, resource, if_match, self.next_version(), options)
        })
    }

    async fn delete_opts(
        &self,
        scope: Scope<'_>,
        id: &str,
        if_match: Option<&Version>,
        options: WriteOptions<'_>,
    ) -> Result<()> {
        let Some(slot) = self.tenant(scope.tenant) else {
            return Err(not_found(scope, id));
        };
        self.write_tenant(&slot, options.event.is_some(), |tenant| {
            tenant.delete(scope, id, if_match, options, || self.next_version())
        })
    }

    async fn query(&self, scope: Scope<'_>, query: &Query<'_>) -> Result<QueryPage> {
        let Some(slot) = self.tenant(scope.tenant) else {
            return Ok(QueryPage::done(Vec::new(), 0));
        };
        let candidates = {
            let tenant = read(&slot.data);
            if let Some(page) = tenant.id_range(scope, query) {
                return Ok(page);
            }
            tenant.candidates(scope, query)
        };
        Ok(table::select(&candidates, query))
    }

    async fn groups_of(
        &self,
        tenant: &str,
        member_ids: &[&str],
    ) -> Result<BTreeMap<String, Vec<Membership>>> {
        let Some(slot) = self.tenant(tenant) else { return Ok(BTreeMap::new()) };
        let tenant = read(&slot.data);
        Ok(tenant.groups_of(member_ids))
    }

    async fn read_events(
        &self,
        tenant: &str,
        after: Option<&EventCursor>,
        limit: usize,
    ) -> Result<Vec<Event>> {
        let (tenant_name, slot) = (tenant, self.tenant_or_new(tenant));
        let tenant = read(&slot.data);
        tenant.feed.read(tenant_name, after, limit)
    }

    async fn wait_for_events(
        &self,
        tenant: &str,
        after: Option<&EventCursor>,
        timeout: Duration,
    ) -> Result<bool> {
        let slot = self.tenant_or_new(tenant);
        // Registered before the check, so a write between the check and the wait wakes it.
        let _waiting = Waiting::new(&slot.waiting);
        let notified = slot.events.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if read(&slot.data).feed.has_after(after)? {
            return Ok(true);
        }
        Ok(tokio::time::timeout(timeout, notified).await.is_ok())
    }

    async fn prune_events(&self, tenant: &str, prune: &Prune) -> Result<u64> {
        let slot = self.tenant_or_new(tenant);
        let mut tenant = write(&slot.data);
        tenant.feed.prune(prune)
    }

    async fn checkpoint(&self, tenant: &str, consumer: &str) -> Result<Option<EventCursor>> {
        let slot = self.tenant_or_new(tenant);
        let tenant = read(&slot.data);
        Ok(tenant.feed.checkpoint(consumer))
    }

    async fn save_checkpoint(
        &self,
        tenant: &str,
        consumer: &str,
        cursor: &EventCursor,
    ) -> Result<()> {
        let slot = self.tenant_or_new(tenant);
        let mut tenant = write(&slot.data);
        tenant.feed.save_checkpoint(consumer, cursor)
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

/// The crate README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
