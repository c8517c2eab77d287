//! The storage trait every backend implements, and the types it speaks.
//!
//! A store keeps resources in their canonical JSON form (see [`crate::normalize_resource`]),
//! partitioned by tenant and resource type. It knows nothing of SCIM schemas beyond what the
//! library hands it in a [`Scope`]: which attributes are unique, and which are worth indexing.
//! Everything that follows from the schemas (validation, PATCH, projection) happens in the
//! library, before and after the store is called.

mod keys;
mod membership;
mod query;
mod version;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

pub use keys::{KeyAttribute, StoreKeys};
pub use membership::{
    MAX_GROUP_NESTING, filter_tests_groups, group_equality, group_member_ids, is_groups_path,
    memberships_value, remove_group_member, unknown_member,
};
pub use query::{FilterExecution, Keyset, Page, Query, QueryPage, sort_and_page};
pub use version::Version;

use crate::clock::{Clock, SystemClock};
use crate::error::Result;
use crate::event::{Event, EventCursor, EventDraft, Prune};
use crate::normalize::JsonObject;

/// The name of the resource type whose `members` hold group membership.
pub const GROUP_RESOURCE_TYPE: &str = "Group";

/// The resource types a group member may be (RFC 7643 §4.2: `members.type` is `User` or
/// `Group`): a group write may add only members that exist as one of these in the tenant.
pub const MEMBER_RESOURCE_TYPES: [&str; 2] = ["User", GROUP_RESOURCE_TYPE];

/// Where an operation applies: one tenant's resources of one type, with what the store must
/// know about that type.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Scope<'a> {
    /// The tenant. Resources of different tenants never see each other.
    pub tenant: &'a str,
    /// The resource type's name (`User`, `Group`).
    pub resource_type: &'a str,
    /// The attributes of this type that are unique or indexed.
    pub keys: &'a StoreKeys,
}

impl<'a> Scope<'a> {
    /// A scope for `resource_type` in `tenant`.
    pub fn new(tenant: &'a str, resource_type: &'a str, keys: &'a StoreKeys) -> Self {
        Self { tenant, resource_type, keys }
    }
}

/// A resource as stored, with its current version.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct StoredResource {
    /// The resource in canonical form, including `id` and `meta` (but not `meta.version`,
    /// which is [`StoredResource::version`]).
    pub resource: JsonObject,
    /// The version the store assigned at the last write.
    pub version: Version,
}

impl StoredResource {
    /// A stored resource.
    pub fn new(resource: JsonObject, version: Version) -> Self {
        Self { resource, version }
    }

    /// The resource's `id` (empty if it has none, which a store never returns).
    pub fn id(&self) -> &str {
        self.resource.get("id").and_then(serde_json::Value::as_str).unwrap_or_default()
    }
}

/// One group a member belongs to, as a user's `groups` attribute shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Membership {
    /// The group's id.
    pub group_id: String,
    /// The group's `displayName`, if it has one.
    pub display: Option<String>,
    /// Whether the membership is through another group (`type: "indirect"`) rather than the
    /// group listing the member itself.
    pub indirect: bool,
}

impl Membership {
    /// Direct membership in the group `group_id`.
    pub fn new(group_id: impl Into<String>, display: Option<String>) -> Self {
        Self { group_id: group_id.into(), display, indirect: false }
    }

    /// The same membership, through another group.
    #[must_use]
    pub fn nested(mut self) -> Self {
        self.indirect = true;
        self
    }

    /// `groups.type` of this membership: `direct` or `indirect`.
    pub fn kind(&self) -> &'static str {
        if self.indirect { "indirect" } else { "direct" }
    }
}

/// What a store executes itself; the library completes the rest in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// Whether the store enforces optimistic concurrency with versions (`If-Match`).
    pub versions: bool,
    /// Whether the store can sort query results itself.
    pub sort: bool,
    /// Whether the store pages by keyset ([`Query::keyset`]): given one, it returns the page
    /// after (or before) the position, or its candidates for the library to page. A store that
    /// does not is asked for every match, and the library pages them.
    pub keyset: bool,
}

impl Capabilities {
    /// Capabilities with versions and sorting as given, and no keyset paging.
    pub fn new(versions: bool, sort: bool) -> Self {
        Self { versions, sort, keyset: false }
    }

    /// These capabilities, with keyset paging.
    #[must_use]
    pub fn with_keyset(mut self) -> Self {
        self.keyset = true;
        self
    }
}

/// Storage for SCIM resources: create, get, replace, delete and query, scoped by tenant and
/// resource type.
///
/// # Contract
///
/// - **Canonical form.** Resources arrive normalised, with `id` set by the library (and never
///   the string `bulkId`). Return them as given; do not rename or drop attributes.
/// - **Versions.** Every successful `create` and `replace` assigns a new [`Version`], different
///   from every earlier version of that resource. A `replace` or `delete` with an expected
///   version succeeds only if the stored version equals it, checked and written atomically
///   (compare-and-swap, never check-then-write); otherwise it fails with
///   [`Error::PreconditionFailed`](crate::Error::PreconditionFailed). The library calls
///   `replace_opts` only for real changes, so a no-op PATCH keeps the version.
/// - **Uniqueness.** For each [`KeyAttribute`] in `scope.keys.unique`, no two resources of the
///   scope may hold equal values (compared with [`scimkit_filter::fold_case`] unless the key is
///   case-exact), enforced atomically with the write: of two racing creates of `Alice` and
///   `alice`, one succeeds and one fails with [`Error::Uniqueness`](crate::Error::Uniqueness).
/// - **Not found.** `replace` and `delete` of an absent id fail with
///   [`Error::NotFound`](crate::Error::NotFound); `get` returns `None`.
/// - **Membership.** Resources of type [`GROUP_RESOURCE_TYPE`] hold members in `members[].value`.
///   [`ResourceStore::groups_of`] answers the reverse question, and deleting any resource
///   removes it from the `members` of every group of the same tenant (bumping those groups'
///   versions) in the same atomic step.
/// - **Queries.** See [`Query`] and [`QueryPage`]: a store filters, sorts and pages what it can
///   and says what it did; results come in a stable order (by `id` when no sort is asked for).
/// - **Isolation.** Nothing crosses tenants: ids, uniqueness, queries and membership are all per
///   tenant.
/// - **Events.** Every successful write records the event of its [`WriteOptions`] (when it
///   has one, completed with [`EventDraft::record`]) and, for a deletion, one
///   [`EventDraft::member_removed`] event per group it changed, in the same atomic step as the
///   change: a change is never stored without its events, nor an event without its change. A
///   failed write records none. Each tenant's feed is in commit order, and a reader that reads
///   after the last cursor it saw never misses an event, even when writers commit
///   concurrently (a place in the feed is given at commit, never before it). Feeds, like
///   everything else, are per tenant.
/// - **Clone.** Implementations that are `Clone` share their data between clones.
#[async_trait]
pub trait ResourceStore: fmt::Debug + Send + Sync + 'static {
    /// What the store executes itself.
    fn capabilities(&self) -> Capabilities;

    /// Stores a new resource, and the event of `options` in the same atomic step.
    async fn create_opts(
        &self,
        scope: Scope<'_>,
        resource: JsonObject,
        options: WriteOptions<'_>,
    ) -> Result<StoredResource>;

    /// The resource with `id`, if there is one.
    async fn get(&self, scope: Scope<'_>, id: &str) -> Result<Option<StoredResource>>;

    /// Replaces the resource with `id`, if its version is `if_match` (when given), and records
    /// the event of `options` in the same atomic step.
    async fn replace_opts(
        &self,
        scope: Scope<'_>,
        id: &str,
        resource: JsonObject,
        if_match: Option<&Version>,
        options: WriteOptions<'_>,
    ) -> Result<StoredResource>;

    /// Deletes the resource with `id`, if its version is `if_match` (when given), removes it
    /// from every group (stamping those groups with `options.time`), and records the event of
    /// `options` and one [`EventDraft::member_removed`] event per group, all in the same
    /// atomic step.
    async fn delete_opts(
        &self,
        scope: Scope<'_>,
        id: &str,
        if_match: Option<&Version>,
        options: WriteOptions<'_>,
    ) -> Result<()>;

    /// Runs a query; see [`Query`] for what the store must and may do.
    async fn query(&self, scope: Scope<'_>, query: &Query<'_>) -> Result<QueryPage>;

    /// The groups each of `member_ids` belongs to directly, in `tenant`. Ids without groups may
    /// be left out of the map.
    async fn groups_of(
        &self,
        tenant: &str,
        member_ids: &[&str],
    ) -> Result<BTreeMap<String, Vec<Membership>>>;

    /// Up to `limit` events of `tenant`'s feed after `after` (from the start when `None`), in
    /// feed order.
    ///
    /// Fails with [`Error::EventsPruned`](crate::Error::EventsPruned) if events after `after`
    /// were pruned (reading from the start is never an error: it starts at the oldest event
    /// kept).
    async fn read_events(
        &self,
        tenant: &str,
        after: Option<&EventCursor>,
        limit: usize,
    ) -> Result<Vec<Event>>;

    /// Waits until `tenant`'s feed has an event after `after`, or `timeout` passed: `true` if
    /// there may be one (a waiter wakes within 100 ms of the commit), `false` on time-out.
    async fn wait_for_events(
        &self,
        tenant: &str,
        after: Option<&EventCursor>,
        timeout: Duration,
    ) -> Result<bool>;

    /// Removes events from `tenant`'s feed; returns how many. Readers after a pruned cursor
    /// then get [`Error::EventsPruned`](crate::Error::EventsPruned).
    async fn prune_events(&self, tenant: &str, prune: &Prune) -> Result<u64>;

    /// The checkpoint of the consumer `consumer` of `tenant`'s feed, if it saved one.
    async fn checkpoint(&self, tenant: &str, consumer: &str) -> Result<Option<EventCursor>>;

    /// Saves the checkpoint of the consumer `consumer` of `tenant`'s feed.
    async fn save_checkpoint(
        &self,
        tenant: &str,
        consumer: &str,
        cursor: &EventCursor,
    ) -> Result<()>;
}

/// What a write records besides the resource: the time of the write, and its event.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct WriteOptions<'a> {
    /// When the write happens (RFC 3339 UTC): what a store stamps on the resources it changes
    /// itself (`meta.lastModified` of the groups a deletion changes).
    pub time: &'a str,
    /// The event of the change, if events are recorded.
    pub event: Option<EventDraft>,
}

impl<'a> WriteOptions<'a> {
    /// A write at `time`, without an event.
    pub fn at(time: &'a str) -> Self {
        Self { time, event: None }
    }

    /// This write recording `event`.
    #[must_use]
    pub fn with_event(mut self, event: Option<EventDraft>) -> Self {
        self.event = event;
        self
    }
}

/// Writes without an event, stamped with the system clock: what tests, imports and tools call.
/// Do not implement it: every [`ResourceStore`] has it.
#[async_trait]
pub trait ResourceStoreExt: ResourceStore {
    /// [`ResourceStore::create_opts`] without an event.
    async fn create(&self, scope: Scope<'_>, resource: JsonObject) -> Result<StoredResource> {
        let now = SystemClock.timestamp();
        self.create_opts(scope, resource, WriteOptions::at(&now)).await
    }

    /// [`ResourceStore::replace_opts`] without an event.
    async fn replace(
        &self,
        scope: Scope<'_>,
        id: &str,
        resource: JsonObject,
        if_match: Option<&Version>,
    ) -> Result<StoredResource> {
        let now = SystemClock.timestamp();
        self.replace_opts(scope, id, resource, if_match, WriteOptions::at(&now)).await
    }

    /// [`ResourceStore::delete_opts`] without an event.
    async fn delete(&self, scope: Scope<'_>, id: &str, if_match: Option<&Version>) -> Result<()> {
        let now = SystemClock.timestamp();
        self.delete_opts(scope, id, if_match, WriteOptions::at(&now)).await
    }
}

impl<T: ResourceStore + ?Sized> ResourceStoreExt for T {}

/// A store behind a trait object.
pub type DynResourceStore = dyn ResourceStore;

/// Forwards the trait through a smart pointer.
macro_rules! forward_store {
    ($($ptr:ident),*) => {$(
        #[async_trait]
        impl<T: ResourceStore + ?Sized> ResourceStore for $ptr<T> {
            fn capabilities(&self) -> Capabilities {
                (**self).capabilities()
            }

            async fn create_opts(
                &self,
                scope: Scope<'_>,
                resource: JsonObject,
                options: WriteOptions<'_>,
            ) -> Result<StoredResource> {
                (**self).create_opts(scope, resource, options).await
            }

            async fn get(&self, scope: Scope<'_>, id: &str) -> Result<Option<StoredResource>> {
                (**self).get(scope, id).await
            }

            async fn replace_opts(
                &self,
                scope: Scope<'_>,
                id: &str,
                resource: JsonObject,
                if_match: Option<&Version>,
                options: WriteOptions<'_>,
            ) -> Result<StoredResource> {
                (**self).replace_opts(scope, id, resource, if_match, options).await
            }

            async fn delete_opts(
                &self,
                scope: Scope<'_>,
                id: &str,
                if_match: Option<&Version>,
                options: WriteOptions<'_>,
            ) -> Result<()> {
                (**self).delete_opts(scope, id, if_match, options).await
            }

            async fn query(&self, scope: Scope<'_>, query: &Query<'_>) -> Result<QueryPage> {
                (**self).query(scope, query).await
            }

            async fn groups_of(
                &self,
                tenant: &str,
                member_ids: &[&str],
            ) -> Result<BTreeMap<String, Vec<Membership>>> {
                (**self).groups_of(tenant, member_ids).await
            }

            async fn read_events(
                &self,
                tenant: &str,
                after: Option<&EventCursor>,
                limit: usize,
            ) -> Result<Vec<Event>> {
                (**self).read_events(tenant, after, limit).await
            }

            async fn wait_for_events(
                &self,
                tenant: &str,
                after: Option<&EventCursor>,
                timeout: Duration,
            ) -> Result<bool> {
                (**self).wait_for_events(tenant, after, timeout).await
            }

            async fn prune_events(&self, tenant: &str, prune: &Prune) -> Result<u64> {
                (**self).prune_events(tenant, prune).await
            }

            async fn checkpoint(&self, tenant: &str, consumer: &str) -> Result<Option<EventCursor>> {
                (**self).checkpoint(tenant, consumer).await
            }

            async fn save_checkpoint(
                &self,
                tenant: &str,
                consumer: &str,
                cursor: &EventCursor,
            ) -> Result<()> {
                (**self).save_checkpoint(tenant, consumer, cursor).await
            }
        }
    )*};
}

forward_store!(Arc, Box);
