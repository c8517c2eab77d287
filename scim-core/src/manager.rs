//! The operations of a SCIM service provider, independent of HTTP: create, read, replace,
//! patch, delete and list resources of any registered type, over any store.

mod cursor_pages;
mod memberships;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::clock::{Clock, SystemClock};
use crate::config::ServiceConfig;
use crate::error::{Error, Result};
use crate::event::{Before, Change, EventDraft, Origin, PayloadLevel, describe_change};
use crate::ids::{IdGenerator, UuidIds};
use crate::message::{PatchRequest, SearchRequest, SortOrder};
use crate::normalize::{JsonObject, normalize_resource};
use crate::patch::apply_patch_limited;
use crate::projection::Projection;
use crate::registry::{Registry, ResourceTypeSchema};
use crate::schema::{Mutability, Returned};
use crate::sort::SortKey;
use crate::store::{
    DynResourceStore, GROUP_RESOURCE_TYPE, KeyAttribute, Page, Query, QueryPage, Scope, StoreKeys,
    StoredResource, Version, WriteOptions,
};
use crate::validate::{merge_replace, validate_resource};

/// How often a write that lost a race to another writer is retried (re-reading the resource)
/// before the conflict is reported.
const MAX_WRITE_ATTEMPTS: usize = 32;

/// How many locks this process's writes to existing resources are spread over.
const WRITE_LOCK_STRIPES: usize = 1024;

/// Locks that serialise this process's PUTs and PATCHes of one resource, so that concurrent
/// writers of a resource (Entra ID adding members to a large group from several connections)
/// each read it once and compute their change once, instead of losing the store's
/// compare-and-swap to each other and computing it again. Writers in other processes still
/// meet at the compare-and-swap.
struct WriteLocks {
    stripes: Box<[tokio::sync::Mutex<()>]>,
}

impl WriteLocks {
    fn new() -> Self {
        Self { stripes: (0..WRITE_LOCK_STRIPES).map(|_| tokio::sync::Mutex::new(())).collect() }
    }

    /// The lock of the resource `id` in `scope`.
    fn of(&self, scope: Scope<'_>, id: &str) -> &tokio::sync::Mutex<()> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        (scope.tenant, scope.resource_type, id).hash(&mut hasher);
        let stripe = usize::try_from(hasher.finish() % WRITE_LOCK_STRIPES as u64).unwrap_or(0);
        &self.stripes[stripe]
    }
}

/// The operations of a SCIM service provider over a store, for every resource type of a
/// registry: what the HTTP service calls, and what an application can call directly.
///
/// It normalises and validates input, assigns ids and `meta`, applies PATCH atomically with
/// optimistic concurrency (no update is lost to a concurrent writer), and turns queries into
/// exact pages.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use std::sync::Arc;
/// use scimkit_core::{PatchRequest, ResourceManager, SearchRequest};
/// use scimkit_store_memory::InMemoryStore;
/// use serde_json::json;
///
/// let manager = ResourceManager::builder(Arc::new(InMemoryStore::new())).build()?;
/// let ann = manager.create("acme", "User", json!({ "userName": "ann" })).await?;
/// let patch: PatchRequest = serde_json::from_value(json!({
///     "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
///     "Operations": [{ "op": "Replace", "path": "active", "value": "False" }]
/// }))?;
/// let ann = manager.patch("acme", "User", ann.id(), &patch, None).await?;
/// assert_eq!(ann.resource["active"], false);
///
/// let search = SearchRequest::new().with_filter(r#"userName eq "ANN""#);
/// let found = manager.list("acme", "User", &search).await?;
/// assert_eq!(found.total_results, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub struct ResourceManager {
    registry: Arc<Registry>,
    store: Arc<DynResourceStore>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
    config: ServiceConfig,
    /// Store keys by resource type name (ASCII lower case).
    keys: HashMap<String, StoreKeys>,
    /// The default view (no `attributes`, no `excludedAttributes`) by resource type name (ASCII
    /// lower case): what nearly every request asks for, built once.
    default_views: HashMap<String, Projection>,
    /// The top-level Group attributes a GET never returns, kept out of cascade events.
    hidden_group_attributes: Arc<[String]>,
    /// Serialise this process's PUTs and PATCHes per resource.
    write_locks: WriteLocks,
}

impl fmt::Debug for ResourceManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceManager")
            .field("store", &self.store)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Builds a [`ResourceManager`].
#[derive(Debug)]
pub struct ResourceManagerBuilder {
    registry: Option<Registry>,
    store: Arc<DynResourceStore>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
    config: ServiceConfig,
}

impl ResourceManagerBuilder {
    /// The resource types and schemas to serve (default: [`Registry::standard`]).
    #[must_use]
    pub fn registry(mut self, registry: Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// The clock for `meta` timestamps (default: the system clock).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The id generator (default: random UUIDs).
    #[must_use]
    pub fn ids(mut self, ids: Arc<dyn IdGenerator>) -> Self {
        self.ids = ids;
        self
    }

    /// The configuration (default: [`ServiceConfig::default`]).
    #[must_use]
    pub fn config(mut self, config: ServiceConfig) -> Self {
        self.config = config;
        self
    }

    /// Builds the manager.
    ///
    /// # Errors
    ///
    /// [`Error::Internal`] if a resource type of the registry names a schema it lacks.
    pub fn build(self) -> Result<ResourceManager> {
        let registry = self.registry.unwrap_or_else(Registry::standard);
        let mut keys = HashMap::new();
        let mut default_views = HashMap::new();
        let mut hidden_group_attributes = Vec::new();
        for resource_type in registry.resource_types() {
            let Some(schema) = registry.resource_type_schema(&resource_type.name) else {
                return Err(Error::Internal {
                    detail: format!("resource type {} has no schema", resource_type.name),
                });
            };
            let mut type_keys = StoreKeys::for_type(&schema);
            if self.config.unique_group_display_name
                && resource_type.name.eq_ignore_ascii_case(GROUP_RESOURCE_TYPE)
            {
                type_keys = type_keys.with_unique(KeyAttribute::top_level("displayName", false));
            }
            if resource_type.name.eq_ignore_ascii_case(GROUP_RESOURCE_TYPE) {
                hidden_group_attributes = schema
                    .core()
                    .attributes
                    .iter()
                    .filter(|a| a.returned == Returned::Never)
                    .map(|a| a.name.clone())
                    .collect();
            }
            keys.insert(resource_type.name.to_ascii_lowercase(), type_keys);
            default_views
                .insert(resource_type.name.to_ascii_lowercase(), Projection::default_view(&schema));
        }
        Ok(ResourceManager {
            registry: Arc::new(registry),
            store: self.store,
            clock: self.clock,
            ids: self.ids,
            config: self.config,
            keys,
            default_views,
            hidden_group_attributes: hidden_group_attributes.into(),
            write_locks: WriteLocks::new(),
        })
    }
}

/// One page of a list or search.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ListResult {
    /// The resources of the page.
    pub resources: Vec<StoredResource>,
    /// The number of all matches.
    pub total_results: usize,
    /// The 1-based index of the first resource of the page.
    pub start_index: usize,
    /// RFC 9865: the cursor of the next page, for a cursor-paged list that has one.
    pub next_cursor: Option<String>,
    /// RFC 9865: the cursor of the previous page, for a cursor-paged list past its first page.
    pub previous_cursor: Option<String>,
}

impl ResourceManager {
    /// A builder over `store`.
    pub fn builder(store: Arc<DynResourceStore>) -> ResourceManagerBuilder {
        ResourceManagerBuilder {
            registry: None,
            store,
            clock: Arc::new(SystemClock),
            ids: Arc::new(UuidIds),
            config: ServiceConfig::default(),
        }
    }

    /// The registry of resource types and schemas served.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The configuration.
    pub fn config(&self) -> &ServiceConfig {
        &self.config
    }

    /// The store.
    pub fn store(&self) -> &Arc<DynResourceStore> {
        &self.store
    }

    /// The schema view and store keys of a resource type.
    fn resource_type(&self, name: &str) -> Result<(ResourceTypeSchema<'_>, &StoreKeys)> {
        let schema = self.registry.resource_type_schema(name);
        let keys = self.keys.get(&name.to_ascii_lowercase());
        match (schema, keys) {
            (Some(schema), Some(keys)) => Ok((schema, keys)),
            _ => Err(Error::NotFound {
                resource_type: "ResourceType".to_owned(),
                id: name.to_owned(),
            }),
        }
    }

    /// Creates a resource from a client's body.
    ///
    /// # Errors
    ///
    /// `invalidSyntax` / `invalidValue` for a body that does not fit the schema, `uniqueness`
    /// for a taken unique value, and the store's errors.
    pub async fn create<'o>(
        &self,
        origin: impl Into<Origin<'o>>,
        resource_type: &str,
        body: Value,
    ) -> Result<StoredResource> {
        let origin = origin.into();
        let (schema, keys) = self.resource_type(resource_type)?;
        let mut resource = normalize_resource(&schema, body, &self.config.compatibility)?;
        validate_resource(&schema, &resource)?;
        let sent = resource.contains_key("password");
        self.config.passwords.apply(&mut resource, None, sent)?;
        self.check_key_lengths(&schema, keys, &resource)?;
        let mut id = self.ids.next_id();
        while id == "bulkId" {
            id = self.ids.next_id();
        }
        let now = self.clock.timestamp();
        resource.insert(
            "meta".to_owned(),
            json!({ "resourceType": schema.resource_type().name, "created": now, "lastModified": now }),
        );
        let event = self.event(
            origin,
            &schema,
            &id,
            &now,
            Change::Create,
            Before::Nothing,
            Some(&resource),
        );
        resource.insert("id".to_owned(), Value::String(id));
        let scope = Scope::new(origin.tenant, &schema.resource_type().name, keys);
        let options = WriteOptions::at(&now).with_event(event);
        self.store.create_opts(scope, resource, options).await
    }

    /// The event of a change, if events are recorded: `before` is what the change may have
    /// touched of the resource before it, `after` the resource after it (`None` after a delete).
    #[allow(clippy::too_many_arguments)]
    fn event(
        &self,
        origin: Origin<'_>,
        schema: &ResourceTypeSchema<'_>,
        id: &str,
        time: &str,
        change: Change,
        before: Before<'_>,
        after: Option<&JsonObject>,
    ) -> Option<EventDraft> {
        let settings = self.config.events;
        if !settings.enabled {
            return None;
        }
        let name = &schema.resource_type().name;
        let description = describe_change(change, before, after);
        let data = match (settings.level, after) {
            (PayloadLevel::Full, Some(after)) => {
                let mut data = match self.default_views.get(&name.to_ascii_lowercase()) {
                    Some(view) => view.apply(after),
                    None => after.clone(),
                };
                data.insert("id".to_owned(), Value::String(id.to_owned()));
                Some(data)
            }
            _ => None,
        };
        Some(EventDraft {
            txn: crate::ids::random_uuid(),
            resource_type: name.clone(),
            resource_id: id.to_owned(),
            time: time.to_owned(),
            principal: origin.principal.map(str::to_owned),
            request_id: origin.request_id.map(str::to_owned),
            kinds: description.kinds,
            attributes: description.attributes,
            members_added: description.members_added,
            members_removed: description.members_removed,
            level: settings.level,
            data,
            // Only a deletion cascades into groups.
            hidden_group_attributes: (change == Change::Delete)
                .then(|| self.hidden_group_attributes.clone()),
        })
    }

    /// The resource with `id`.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if there is none.
    pub async fn get(&self, tenant: &str, resource_type: &str, id: &str) -> Result<StoredResource> {
        let (schema, keys) = self.resource_type(resource_type)?;
        let scope = Scope::new(tenant, &schema.resource_type().name, keys);
        self.store.get(scope, id).await?.ok_or_else(|| not_found(&schema, id))
    }

    /// Replaces the resource with `id` by a client's body (PUT), if its version is `if_match`
    /// (when given). Read-only and write-only values are kept; immutable ones must not change.
    /// A replacement that changes nothing keeps the version.
    ///
    /// # Errors
    ///
    /// As [`ResourceManager::create`], plus [`Error::NotFound`], [`Error::PreconditionFailed`]
    /// and `mutability`.
    pub async fn replace<'o>(
        &self,
        origin: impl Into<Origin<'o>>,
        resource_type: &str,
        id: &str,
        body: Value,
        if_match: Option<&Version>,
    ) -> Result<StoredResource> {
        let origin = origin.into();
        let (schema, keys) = self.resource_type(resource_type)?;
        let scope = Scope::new(origin.tenant, &schema.resource_type().name, keys);
        let body = normalize_resource(&schema, body, &self.config.compatibility)?;
        let sent = body.contains_key("password");
        let write = Write { origin, scope, schema: &schema, change: Change::Put };
        self.write_loop(write, id, if_match, |existing| {
            let mut merged = merge_replace(&schema, &existing, body.clone())?;
            validate_resource(&schema, &merged)?;
            self.config.passwords.apply(&mut merged, Some(&existing), sent)?;
            if without_meta(&merged) == without_meta(&existing) {
                Ok(Changed { resource: existing, changed: false, before: Prior::Whole(None) })
            } else {
                Ok(Changed {
                    resource: merged,
                    changed: true,
                    before: Prior::Whole(Some(existing)),
                })
            }
        })
        .await
    }

    /// Applies a PATCH request to the resource with `id`, if its version is `if_match` (when
    /// given). All operations apply or none; a request that changes nothing keeps the version.
    ///
    /// # Errors
    ///
    /// The PATCH errors (`invalidPath`, `noTarget`, `mutability`, `invalidValue`, …), `tooMany`
    /// past the operation limit, [`Error::NotFound`] and [`Error::PreconditionFailed`].
    pub async fn patch<'o>(
        &self,
        origin: impl Into<Origin<'o>>,
        resource_type: &str,
        id: &str,
        request: &PatchRequest,
        if_match: Option<&Version>,
    ) -> Result<StoredResource> {
        let limit = self.config.limits.max_patch_operations;
        if request.operations.len() > limit {
            return Err(Error::TooMany {
                detail: format!("a PATCH request may carry at most {limit} operations"),
            });
        }
        let origin = origin.into();
        let (schema, keys) = self.resource_type(resource_type)?;
        let scope = Scope::new(origin.tenant, &schema.resource_type().name, keys);
        let compat = self.config.compatibility;
        let filter_limits = self.config.limits.filter_limits();
        let write = Write { origin, scope, schema: &schema, change: Change::Patch };
        self.write_loop(write, id, if_match, |existing| {
            let stored: JsonObject = ["password", "schemas"]
                .into_iter()
                .filter_map(|k| existing.get(k).map(|v| (k.to_owned(), v.clone())))
                .collect();
            let mut outcome =
                apply_patch_limited(&schema, existing, request, &compat, &filter_limits)?;
            let sent = outcome.touched.iter().any(|(key, _)| key == "password");
            let password_changed =
                self.config.passwords.apply(&mut outcome.resource, Some(&stored), sent)?;
            // A password sent may have been kept as stored (or dropped): then the PATCH's own
            // verdict, which saw the value sent, is taken again without it.
            let changed = if sent {
                outcome.resource.get("schemas") != stored.get("schemas")
                    || outcome.touched.iter().any(|(k, before)| {
                        k != "password" && outcome.resource.get(k) != before.as_ref()
                    })
            } else {
                outcome.changed
            } || password_changed;
            let before = Prior::Touched(outcome.touched);
            Ok(Changed { resource: outcome.resource, changed, before })
        })
        .await
    }

    /// Reads the resource, computes its new state with `change` (which takes the stored
    /// resource and tells whether it changed it, and what it was), and writes it if it
    /// changed, with the version read as the expected version. A write that loses a race to another writer is retried from
    /// a fresh read, unless the client pinned a version with `if_match`.
    async fn write_loop(
        &self,
        write: Write<'_, '_>,
        id: &str,
        if_match: Option<&Version>,
        change: impl Fn(JsonObject) -> Result<Changed>,
    ) -> Result<StoredResource> {
        let Write { origin, scope, schema, change: kind } = write;
        let _serialised = self.write_locks.of(scope, id).lock().await;
        for _ in 0..MAX_WRITE_ATTEMPTS {
            let existing = self.store.get(scope, id).await?.ok_or_else(|| not_found(schema, id))?;
            if if_match.is_some_and(|v| *v != existing.version) {
                return Err(precondition_failed());
            }
            let version = existing.version;
            let meta = existing.resource.get("meta").cloned();
            let Changed { resource: mut updated, changed, before } = change(existing.resource)?;
            if !changed {
                return Ok(StoredResource::new(updated, version));
            }
            self.check_key_lengths(schema, scope.keys, &updated)?;
            updated.insert("id".to_owned(), Value::String(id.to_owned()));
            let now = self.clock.timestamp();
            let mut meta = meta.unwrap_or_else(|| json!({}));
            if let Value::Object(meta) = &mut meta {
                meta.insert("lastModified".to_owned(), Value::String(now.clone()));
                meta.remove("version");
                meta.remove("location");
            }
            updated.insert("meta".to_owned(), meta);
            let before = match &before {
                Prior::Whole(Some(old)) => Before::Whole(old),
                Prior::Whole(None) => Before::Whole(&updated),
                Prior::Touched(keys) => Before::Touched(keys),
            };
            let event = self.event(origin, schema, id, &now, kind, before, Some(&updated));
            let options = WriteOptions::at(&now).with_event(event);
            match self.store.replace_opts(scope, id, updated, Some(&version), options).await {
                Err(Error::PreconditionFailed { .. }) if if_match.is_none() => continue,
                Err(Error::PreconditionFailed { .. }) => return Err(precondition_failed()),
                other => return other,
            }
        }
        Err(Error::Conflict {
            detail: "the resource kept changing under concurrent writes; try again".to_owned(),
        })
    }

    /// Deletes the resource with `id`, if its version is `if_match` (when given), and removes
    /// it from every group.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] and [`Error::PreconditionFailed`].
    pub async fn delete<'o>(
        &self,
        origin: impl Into<Origin<'o>>,
        resource_type: &str,
        id: &str,
        if_match: Option<&Version>,
    ) -> Result<()> {
        let origin = origin.into();
        let (schema, keys) = self.resource_type(resource_type)?;
        let scope = Scope::new(origin.tenant, &schema.resource_type().name, keys);
        let now = self.clock.timestamp();
        let event = self.event(origin, &schema, id, &now, Change::Delete, Before::Nothing, None);
        let options = WriteOptions::at(&now).with_event(event);
        self.store.delete_opts(scope, id, if_match, options).await
    }

    /// Lists resources: filter, sort and page as `request` asks (its `attributes` and
    /// `excludedAttributes` are for [`ResourceManager::render`]). `startIndex` below 1 counts
    /// as 1; `count` is capped at `maxResults` and defaults to it; a negative count is 0.
    ///
    /// # Errors
    ///
    /// `invalidFilter` for a filter that does not parse, exceeds the limits or uses an
    /// operator the attribute's type forbids; `invalidValue` for an unknown `sortBy`.
    pub async fn list(
        &self,
        tenant: &str,
        resource_type: &str,
        request: &SearchRequest,
    ) -> Result<ListResult> {
        self.list_resuming(tenant, resource_type, request, None).await
    }

    /// [`list`](Self::list), or with `resume` the cursor page it says (for a root search, which
    /// holds the cursors of its types itself).
    pub(crate) async fn list_resuming(
        &self,
        tenant: &str,
        resource_type: &str,
        request: &SearchRequest,
        resume: Option<cursor_pages::CursorRequest>,
    ) -> Result<ListResult> {
        let (schema, keys) = self.resource_type(resource_type)?;
        let scope = Scope::new(tenant, &schema.resource_type().name, keys);
        let filter = match request.filter.as_deref().map(str::trim) {
            Some(text) if !text.is_empty() => {
                Some(scimkit_filter::Filter::parse_with(text, &self.config.limits.filter_limits())?)
            }
            _ => None,
        };
        if let Some(filter) = &filter {
            reject_unreturnable(&schema, filter, None)?;
        }
        let prepared = match &filter {
            Some(filter) => Some(
                filter
                    .prepare(&schema)
                    .map_err(|e| Error::InvalidFilter { detail: e.to_string() })?,
            ),
            None => None,
        };
        let sort = match request.sort_by.as_deref().map(str::trim) {
            Some(by) if !by.is_empty() => {
                Some(SortKey::new(&schema, by, request.sort_order.unwrap_or(SortOrder::Ascending))?)
            }
            _ => None,
        };
        let mut query = Query::new(self.page_of(request)).with_schema(&schema);
        if let (Some(filter), Some(prepared)) = (&filter, &prepared) {
            query = query.with_filter(filter, prepared);
        }
        if let Some(sort) = &sort {
            query = query.with_sort(sort);
        }
        if derives_groups(&schema) {
            query = query.with_memberships();
        }
        if let Some(cursor) = request.cursor.as_deref() {
            let cursor = self.cursor_of(tenant, &schema, request, cursor)?;
            return self.cursor_page(scope, query, cursor).await;
        }
        if let Some(cursor) = resume {
            return self.cursor_page(scope, query, cursor).await;
        }
        let start_index = query.page.start_index;
        let page = self.query_page(scope, &query).await?;
        Ok(ListResult {
            resources: page.resources,
            total_results: page.total_results,
            start_index,
            next_cursor: None,
            previous_cursor: None,
        })
    }

    /// Runs `query` on the store and completes what the store left to the library.
    async fn query_page(&self, scope: Scope<'_>, query: &Query<'_>) -> Result<QueryPage> {
        let page = self.store.query(scope, query).await?;
        match query.tests_memberships() {
            true => self.complete_with_memberships(scope.tenant, page, query).await,
            false => Ok(page.complete(query)),
        }
    }

    /// The page a request asks for: `startIndex` below 1 counts as 1, `count` is capped at
    /// `maxResults` and defaults to it, and a negative count is 0.
    pub(crate) fn page_of(&self, request: &SearchRequest) -> Page {
        let max = self.config.limits.max_results;
        let start_index = usize::try_from(request.start_index.unwrap_or(1).max(1)).unwrap_or(1);
        let count =
            request.count.map_or(max, |c| usize::try_from(c.max(0)).unwrap_or(usize::MAX).min(max));
        Page::new(start_index, count)
    }

    /// Turns stored resources into what a response carries: `meta.version` and
    /// `meta.location` set (from `base_url`, such as `https://example.com/scim/v2`), a user's
    /// `groups` filled in from group membership, and `projection` applied (which drops
    /// `returned: never` attributes such as `password`).
    ///
    /// # Errors
    ///
    /// The store's errors from looking up membership.
    pub async fn render(
        &self,
        tenant: &str,
        resource_type: &str,
        resources: Vec<StoredResource>,
        projection: &Projection,
        base_url: &str,
    ) -> Result<Vec<Value>> {
        let (schema, _) = self.resource_type(resource_type)?;
        let base = base_url.trim_end_matches('/');
        let endpoint = schema.resource_type().endpoint.trim_start_matches('/');
        let wants_groups = derives_groups(&schema) && projection.outputs("groups");
        let groups = if wants_groups && !resources.is_empty() {
            let ids: Vec<&str> = resources.iter().map(StoredResource::id).collect();
            self.memberships_of(tenant, &ids).await?
        } else {
            Default::default()
        };
        let groups_endpoint = self
            .registry
            .resource_type(GROUP_RESOURCE_TYPE)
            .map_or("Groups", |g| g.endpoint.trim_start_matches('/'));
        let mut out = Vec::with_capacity(resources.len());
        for stored in resources {
            let StoredResource { mut resource, version, .. } = stored;
            let id = resource.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
            if let Some(Value::Object(meta)) = resource.get_mut("meta") {
                meta.insert("version".to_owned(), Value::String(version.to_etag()));
                meta.insert(
                    "location".to_owned(),
                    Value::String(format!("{base}/{endpoint}/{id}")),
                );
            }
            if let Some(memberships) = groups.get(&id).filter(|m| !m.is_empty()) {
                let entries = memberships
                    .iter()
                    .map(|m| {
                        let mut entry = json!({
                            "value": m.group_id,
                            "$ref": format!("{base}/{groups_endpoint}/{}", m.group_id),
                            "type": m.kind(),
                        });
                        if let (Some(display), Value::Object(entry)) = (&m.display, &mut entry) {
                            entry.insert("display".to_owned(), Value::String(display.clone()));
                        }
                        entry
                    })
                    .collect();
                resource.insert("groups".to_owned(), Value::Array(entries));
            }
            out.push(Value::Object(projection.apply_owned(resource)));
        }
        Ok(out)
    }

    /// The projection a request's `attributes` and `excludedAttributes` ask for.
    ///
    /// # Errors
    ///
    /// `invalidValue` for an entry that is not an attribute path.
    pub fn projection(
        &self,
        resource_type: &str,
        attributes: &[String],
        excluded: &[String],
    ) -> Result<Projection> {
        let given = |list: &[String]| list.iter().any(|a| !a.trim().is_empty());
        if !given(attributes) && !given(excluded) {
            if let Some(view) = self.default_views.get(&resource_type.to_ascii_lowercase()) {
                return Ok(view.clone());
            }
        }
        let (schema, _) = self.resource_type(resource_type)?;
        Projection::new(&schema, attributes, excluded)
    }
}

/// Whether the type's `groups` is derived from group membership: a read-only `groups` of its
/// core schema, as the User type has (RFC 7643 §4.1.2), rather than data a client writes.
fn derives_groups(schema: &ResourceTypeSchema<'_>) -> bool {
    schema.core().attribute("groups").is_some_and(|a| a.mutability == Mutability::ReadOnly)
}

/// Fails if `filter` tests an attribute that is never returned (`password`): matching on it
/// would let a client probe its value. `outer` is the attribute of the value path the filter
/// sits in, if any (its paths then name sub-attributes).
fn reject_unreturnable(
    schema: &ResourceTypeSchema<'_>,
    filter: &scimkit_filter::Filter,
    outer: Option<&scimkit_filter::AttrPath>,
) -> Result<()> {
    use scimkit_filter::{AttrName, AttrPath, Filter};
    // The attribute `name` (with `sub`) under the schema URI `uri`.
    let check = |uri: Option<&scimkit_filter::SchemaUri>,
                 name: &AttrName,
                 sub: Option<&AttrName>| {
        let resolved =
            schema.resolve(uri.map(|u| u.as_str()), name.as_str(), sub.map(AttrName::as_str));
        let never = resolved.is_some_and(|r| {
            r.attribute.returned == crate::schema::Returned::Never
                || r.sub_attribute.is_some_and(|s| s.returned == crate::schema::Returned::Never)
        });
        match never {
            true => Err(Error::InvalidFilter { detail: format!("{name} cannot be filtered on") }),
            false => Ok(()),
        }
    };
    let path = |path: &AttrPath| match outer {
        Some(outer) => check(outer.schema.as_ref(), &outer.name, Some(&path.name)),
        None => check(path.schema.as_ref(), &path.name, path.sub_attr.as_ref()),
    };
    match filter {
        Filter::Attr(expr) => path(&expr.path),
        Filter::ValuePath(vp) => {
            path(&vp.attr)?;
            reject_unreturnable(schema, &vp.filter, Some(&vp.attr))
        }
        Filter::ValuePathAttr { path: vp, sub_attr, .. } => {
            path(&vp.attr)?;
            reject_unreturnable(schema, &vp.filter, Some(&vp.attr))?;
            check(vp.attr.schema.as_ref(), &vp.attr.name, Some(sub_attr))
        }
        Filter::And(operands) | Filter::Or(operands) => {
            operands.iter().try_for_each(|f| reject_unreturnable(schema, f, outer))
        }
        Filter::Not(inner) => reject_unreturnable(schema, inner, outer),
        _ => Ok(()),
    }
}

/// One write of an existing resource: where it comes from, what it applies to, what it is.
#[derive(Clone, Copy)]
struct Write<'a, 's> {
    origin: Origin<'a>,
    scope: Scope<'a>,
    schema: &'a ResourceTypeSchema<'s>,
    change: Change,
}

/// What a change made of a resource: its new state, whether that differs, and what the
/// resource was before, as much as the change may have touched.
struct Changed {
    resource: JsonObject,
    changed: bool,
    before: Prior,
}

/// A resource's state before a change.
enum Prior {
    /// The whole resource (`None` when nothing changed).
    Whole(Option<JsonObject>),
    /// The top-level keys a PATCH touched, with their values before it.
    Touched(Vec<(String, Option<Value>)>),
}

/// The resource without `meta`, for comparing content.
fn without_meta(resource: &JsonObject) -> impl PartialEq + '_ {
    resource.iter().filter(|(k, _)| k.as_str() != "meta").collect::<Vec<_>>()
}

impl ResourceManager {
    /// Refuses a resource with a key value or a member value longer than
    /// [`Limits::max_key_bytes`](crate::Limits::max_key_bytes).
    fn check_key_lengths(
        &self,
        schema: &ResourceTypeSchema<'_>,
        keys: &StoreKeys,
        resource: &JsonObject,
    ) -> Result<()> {
        let limit = self.config.limits.max_key_bytes;
        for key in &keys.indexed {
            if key.key(resource).is_some_and(|k| k.len() > limit) {
                return Err(Error::invalid_value(format!(
                    "{} is longer than {limit} bytes",
                    key.name
                )));
            }
        }
        if schema.resource_type().name == crate::GROUP_RESOURCE_TYPE
            && crate::group_member_ids(resource).any(|m| m.len() > limit)
        {
            return Err(Error::invalid_value(format!(
                "a member value is longer than {limit} bytes"
            )));
        }
        Ok(())
    }
}

fn not_found(schema: &ResourceTypeSchema<'_>, id: &str) -> Error {
    Error::NotFound { resource_type: schema.resource_type().name.clone(), id: id.to_owned() }
}

fn precondition_failed() -> Error {
    Error::PreconditionFailed {
        detail: "the resource's version does not match If-Match".to_owned(),
    }
}
