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

use async_trait::async_trait;

pub use keys::{KeyAttribute, StoreKeys};
pub use membership::{group_member_ids, remove_group_member};
pub use query::{FilterExecution, Page, Query, QueryPage};
pub use version::Version;

use crate::error::Result;
use crate::normalize::JsonObject;

/// The name of the resource type whose `members` hold group membership.
pub const GROUP_RESOURCE_TYPE: &str = "Group";

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
}

impl Membership {
    /// Membership in the group `group_id`.
    pub fn new(group_id: impl Into<String>, display: Option<String>) -> Self {
        Self { group_id: group_id.into(), display }
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
}

impl Capabilities {
    /// Capabilities with versions and sorting as given.
    pub fn new(versions: bool, sort: bool) -> Self {
        Self { versions, sort }
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
///   `replace` only for real changes, so a no-op PATCH keeps the version.
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
/// - **Clone.** Implementations that are `Clone` share their data between clones.
#[async_trait]
pub trait ResourceStore: fmt::Debug + Send + Sync + 'static {
    /// What the store executes itself.
    fn capabilities(&self) -> Capabilities;

    /// Stores a new resource.
    async fn create(&self, scope: Scope<'_>, resource: JsonObject) -> Result<StoredResource>;

    /// The resource with `id`, if there is one.
    async fn get(&self, scope: Scope<'_>, id: &str) -> Result<Option<StoredResource>>;

    /// Replaces the resource with `id`, if its version is `if_match` (when given).
    async fn replace(
        &self,
        scope: Scope<'_>,
        id: &str,
        resource: JsonObject,
        if_match: Option<&Version>,
    ) -> Result<StoredResource>;

    /// Deletes the resource with `id`, if its version is `if_match` (when given), and removes
    /// it from every group.
    async fn delete(&self, scope: Scope<'_>, id: &str, if_match: Option<&Version>) -> Result<()>;

    /// Runs a query; see [`Query`] for what the store must and may do.
    async fn query(&self, scope: Scope<'_>, query: &Query<'_>) -> Result<QueryPage>;

    /// The groups each of `member_ids` belongs to directly, in `tenant`. Ids without groups may
    /// be left out of the map.
    async fn groups_of(
        &self,
        tenant: &str,
        member_ids: &[&str],
    ) -> Result<BTreeMap<String, Vec<Membership>>>;
}

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

            async fn create(&self, scope: Scope<'_>, resource: JsonObject) -> Result<StoredResource> {
                (**self).create(scope, resource).await
            }

            async fn get(&self, scope: Scope<'_>, id: &str) -> Result<Option<StoredResource>> {
                (**self).get(scope, id).await
            }

            async fn replace(
                &self,
                scope: Scope<'_>,
                id: &str,
                resource: JsonObject,
                if_match: Option<&Version>,
            ) -> Result<StoredResource> {
                (**self).replace(scope, id, resource, if_match).await
            }

            async fn delete(&self, scope: Scope<'_>, id: &str, if_match: Option<&Version>) -> Result<()> {
                (**self).delete(scope, id, if_match).await
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
        }
    )*};
}

forward_store!(Arc, Box);
