//! A PostgreSQL store for scim-rs.
//!
//! [`PostgresStore`] implements [`ResourceStore`] over PostgreSQL with `tokio-postgres` and a
//! `deadpool-postgres` pool. Several replicas of a service can share one database:
//!
//! - **Uniqueness** is enforced by the database. The values of unique attributes (folded with
//!   [`scimkit_filter::fold_case`] in Rust unless case-exact, so that uniqueness and filters agree,
//!   Unicode included) are written to a key table in the same transaction as the resource; of
//!   two racing creates of `Alice` and `alice`, the primary key lets one commit and the other
//!   fails with [`Error::Uniqueness`].
//! - **Versions** come from a sequence and are compared and swapped in the `UPDATE` itself.
//! - **Membership** lives in its own table, maintained with every Group write, so
//!   [`ResourceStore::groups_of`] is one query, and deleting a resource removes it from every
//!   group in the same transaction.
//! - **Queries** are translated to SQL. Having no schema, the store cannot know whether an
//!   attribute is case-exact, a `dateTime` or a number, so each condition is translated twice:
//!   a superset that holds for every match under any reading, and a strict form that holds
//!   only for matches under every reading. Equality and ordering on key attributes (whose
//!   case-exactness the [`StoreKeys`](scimkit_core::StoreKeys) give) are exact through the key
//!   tables. With the resource type's schema, which the library passes in every [`Query`],
//!   comparisons of string, boolean and dateTime attributes are translated for their type
//!   alone, and are exact (see the `filter` module's notes). When the two forms agree on the
//!   scope's data, the store filters, sorts (by `id`, a key attribute, or any case-exact
//!   string, boolean or dateTime attribute, with `id` breaking ties) and pages in SQL;
//!   otherwise it returns the candidates and the library completes the query
//!   ([`QueryPage::complete`]). A case-insensitive string, which SQL lower-cases exactly only
//!   for ASCII, is sorted by the library's comparator over the candidates' ids and values
//!   alone; only the page's rows are then read. Every value from a filter, attribute names
//!   included, is a bound parameter.
//!
//! A query is one statement in the usual case (the page, its total and the exactness probe
//! together), prepared once per filter shape and connection. The store turns PostgreSQL's JIT
//! compilation off on the connections it queries with (`SET jit = off`, once per connection):
//! for the large but cheap conditions a filter becomes, compiling costs more than it saves.
//!
//! **Events** go to an outbox table in each write's own transaction. The write's last
//! statement locks its tenant's row in `scim_event_feeds`, numbers the events, inserts them and
//! notifies the channel `scim_events`; it travels to the server with the `COMMIT`, so it costs
//! no round trip, and the lock is held only until the commit. Events are therefore numbered in
//! commit order per tenant: a reader after cursor `n` can never later find an event numbered
//! `n` or less. Writers of one tenant serialise only across that last statement and commit.
//! A store made with [`PostgresStore::connect`] LISTENs on a connection of its own and wakes
//! waiters within milliseconds of a commit; PostgreSQL orders the commits of notifying
//! transactions through one queue, which is the price of that wake-up. Checkpoints live in
//! `scim_event_checkpoints`, in the same database.
//!
//! The schema is created and upgraded by embedded migrations when a store is built, under an
//! advisory lock, so replicas may start together.
//!
//! ```no_run
//! use scimkit_core::{Page, Query, Registry, ResourceStore, Scope, StoreKeys};
//! use scimkit_store_postgres::PostgresStore;
//!
//! # async fn run() -> scimkit_core::Result<()> {
//! let store = PostgresStore::connect("postgres://postgres@127.0.0.1:5432/scim").await?;
//! let registry = Registry::standard();
//! let keys = StoreKeys::for_type(&registry.resource_type_schema("User").unwrap());
//! let page = store.query(Scope::new("tenant-a", "User", &keys), &Query::new(Page::new(1, 10))).await?;
//! println!("{} users", page.total_results);
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod events;
mod filter;
mod import;
mod keys;
mod migrate;
mod plan;
mod spellings;
mod tx;

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod};
use scimkit_core::event::{Event, EventCursor, Prune};
use scimkit_core::{
    Capabilities, Error, FilterExecution, GROUP_RESOURCE_TYPE, JsonObject, Membership, Query,
    QueryPage, ResourceStore, Result, Scope, StoredResource, Version, WriteOptions,
};
use serde_json::Value;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{Json, ToSql};
use tokio_postgres::{NoTls, Row};

use crate::events::commit_with_events;
use crate::keys::{clear_index, write_index};
use crate::plan::{plan, prepare_text};
use crate::tx::Tx;

pub use deadpool_postgres;
pub use tokio_postgres;

/// The name the store gives itself in [`Error::Backend`].
const STORE: &str = "postgres";

/// A [`ResourceStore`] over PostgreSQL.
///
/// Cloning is cheap and shares the pool.
#[derive(Clone)]
pub struct PostgresStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    /// Wakes the waiters on event feeds.
    listener: events::Listener,
    /// The key attributes known to be backfilled in the key tables: (resource type, attribute,
    /// case-exact, unique).
    keys_ready: Mutex<HashSet<(String, String, bool, bool)>>,
    /// The resource types whose key attributes this process no longer has were dropped from
    /// the key tables.
    keys_pruned: Mutex<HashSet<String>>,
    /// The connections JIT compilation was turned off on.
    jit_off: Mutex<HashSet<deadpool_postgres::ObjectId>>,
    /// The member-name spellings known to be recorded: (resource type, spelling).
    spellings: Mutex<HashSet<(String, String)>>,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore").field("pool", &self.inner.pool.status()).finish()
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (a `postgres://` URL or a key-value connection
    /// string) with a pool of up to 16 connections, and applies the schema migrations. Unless
    /// the URL sets `connect_timeout`, a connection attempt gives up after 10 seconds, so that
    /// an unreachable database fails requests instead of holding them.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] if the URL is invalid, the database cannot be reached, or a migration
    /// fails.
    pub async fn connect(url: &str) -> Result<Self> {
        let mut config: tokio_postgres::Config = url.parse().map_err(backend)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig { recycling_method: RecyclingMethod::Fast },
        );
        let pool = Pool::builder(manager).max_size(16).build().map_err(backend)?;
        Self::open(pool, Some(config)).await
    }

    /// A store over an existing pool; applies the schema migrations.
    ///
    /// Such a store has no connection of its own to LISTEN on, so a consumer waiting for
    /// events looks for them every 50 ms instead of being woken by the commit (stores from
    /// [`PostgresStore::connect`] are woken).
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] if no connection can be had or a migration fails.
    pub async fn from_pool(pool: Pool) -> Result<Self> {
        Self::open(pool, None).await
    }

    async fn open(pool: Pool, listen: Option<tokio_postgres::Config>) -> Result<Self> {
        let mut client = pool.get().await.map_err(backend)?;
        migrate::run(&mut client).await.map_err(backend)?;
        drop(client);
        Ok(Self {
            inner: Arc::new(Inner {
                pool,
                listener: events::Listener::new(listen),
                keys_ready: Mutex::new(HashSet::new()),
                keys_pruned: Mutex::new(HashSet::new()),
                jit_off: Mutex::new(HashSet::new()),
                spellings: Mutex::new(HashSet::new()),
            }),
        })
    }

    /// The connection pool.
    pub fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.inner.pool.get().await.map_err(backend)
    }

    /// A connection for a query, with JIT compilation off: the conditions a filter becomes are
    /// large but cheap per row, and compiling them costs more than it saves. The setting is
    /// made once per connection.
    async fn query_client(&self) -> Result<deadpool_postgres::Object> {
        let client = self.client().await?;
        let id = deadpool_postgres::Object::id(&client);
        let fresh = {
            let mut set = self.inner.jit_off.lock().unwrap_or_else(PoisonError::into_inner);
            // Connections come and go over a long life: forget them now and then (setting
            // it again is harmless).
            if set.len() >= 4096 {
                set.clear();
            }
            set.insert(id)
        };
        if fresh {
            client.batch_execute("SET jit = off").await.map_err(backend)?;
        }
        Ok(client)
    }
}

/// Wraps a driver or pool error; its text stays out of client responses.
fn backend<E: std::error::Error + Send + Sync + 'static>(e: E) -> Error {
    Error::Backend { store: STORE, source: Box::new(e) }
}

/// Whether `e` is a unique violation.
fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

/// [`Error::Uniqueness`] for `attribute` if `e` is a unique violation, else a backend error.
fn unique_or_backend(e: tokio_postgres::Error, attribute: &str) -> Error {
    if is_unique_violation(&e) {
        Error::Uniqueness { detail: format!("{attribute} is already in use") }
    } else {
        backend(e)
    }
}

fn not_found(scope: Scope<'_>, id: &str) -> Error {
    Error::NotFound { resource_type: scope.resource_type.to_owned(), id: id.to_owned() }
}

fn precondition_failed() -> Error {
    Error::PreconditionFailed {
        detail: "the resource has changed since the version given in If-Match".to_owned(),
    }
}

fn resource_id(resource: &JsonObject) -> Result<&str> {
    match resource.get("id") {
        Some(Value::String(id)) if !id.is_empty() => Ok(id),
        _ => Err(Error::invalid_value("a stored resource needs a string id")),
    }
}

/// The `value` of each entry of a group's `members`, without duplicates.
fn member_ids(group: &JsonObject) -> Vec<String> {
    let mut ids: Vec<String> = scimkit_core::group_member_ids(group).map(str::to_owned).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The event of a write of `resource` (as written; for a delete, its `externalId` as it was),
/// as a list of the events the write records.
fn event_of(
    scope: Scope<'_>,
    options: &WriteOptions<'_>,
    resource: &JsonObject,
    version: Option<&Version>,
) -> Vec<Event> {
    options
        .event
        .as_ref()
        .map(|draft| draft.record(scope.tenant, EventCursor::default(), resource, version))
        .into_iter()
        .collect()
}

fn stored(row: &Row) -> StoredResource {
    let Json(resource): Json<JsonObject> = row.get("data");
    let version: i64 = row.get("version");
    StoredResource::new(resource, Version::new(version.to_string()))
}

/// After a failed compare-and-swap on `id`: `NotFound` if it does not exist, else
/// `PreconditionFailed`.
async fn missing_or_stale(tx: &Tx<'_>, scope: Scope<'_>, id: &str) -> Error {
    let exists = tx
        .query_opt(
            "SELECT 1 FROM scim_resources WHERE tenant = $1 AND resource_type = $2 AND id = $3",
            &[&scope.tenant, &scope.resource_type, &id],
        )
        .await;
    match exists {
        Ok(Some(_)) => precondition_failed(),
        Ok(None) => not_found(scope, id),
        Err(e) => backend(e),
    }
}

/// The version number `if_match` names; `None` if it names none this store could have made.
fn expected_version(if_match: Option<&Version>) -> Option<Option<i64>> {
    if_match.map(|v| v.as_str().parse::<i64>().ok())
}

#[async_trait]
impl ResourceStore for PostgresStore {
    fn capabilities(&self) -> Capabilities {
        Capabilities::new(true, true)
    }

    async fn create_opts(
        &self,
        scope: Scope<'_>,
        resource: JsonObject,
        options: WriteOptions<'_>,
    ) -> Result<StoredResource> {
        let id = resource_id(&resource)?.to_owned();
        self.ensure_keys(scope).await?;
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await.map_err(backend)?;
        let stmt = tx
            .prepare_cached(
                "INSERT INTO scim_resources (tenant, resource_type, id, version, data) \
                 VALUES ($1, $2, $3, nextval('scim_versions'), $4) RETURNING version",
            )
            .await
            .map_err(backend)?;
        let version: i64 = tx
            .query_one(&stmt, &[&scope.tenant, &scope.resource_type, &id, &Json(&resource)])
            .await
            .map_err(|e| unique_or_backend(e, "id"))?
            .get(0);
        write_index(&tx, scope, &id, &resource).await?;
        let spellings = self.record_spellings(&tx, scope.resource_type, [&resource]).await?;
        let version = Version::new(version.to_string());
        let events = event_of(scope, &options, &resource, Some(&version));
        commit_with_events(tx, scope.tenant, &events).await?;
        self.spellings_committed(spellings);
        Ok(StoredResource::new(resource, version))
    }

    async fn get(&self, scope: Scope<'_>, id: &str) -> Result<Option<StoredResource>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT version, data FROM scim_resources \
                 WHERE tenant = $1 AND resource_type = $2 AND id = $3",
            )
            .await
            .map_err(backend)?;
        let row = client
            .query_opt(&stmt, &[&scope.tenant, &scope.resource_type, &id])
            .await
            .map_err(backend)?;
        Ok(row.as_ref().map(stored))
    }

    async fn replace_opts(
        &self,
        scope: Scope<'_>,
        id: &str,
        resource: JsonObject,
        if_match: Option<&Version>,
        options: WriteOptions<'_>,
    ) -> Result<StoredResource> {
        if resource_id(&resource)? != id {
            return Err(Error::invalid_value("a replacement must keep the resource's id"));
        }
        self.ensure_keys(scope).await?;
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await.map_err(backend)?;
        let expected = expected_version(if_match);
        if expected == Some(None) {
            return Err(missing_or_stale(&tx, scope, id).await);
        }
        let stmt = tx
            .prepare_cached(
                "UPDATE scim_resources SET data = $4, version = nextval('scim_versions') \
                 WHERE tenant = $1 AND resource_type = $2 AND id = $3 \
                 AND ($5::bigint IS NULL OR version = $5) RETURNING version",
            )
            .await
            .map_err(backend)?;
        let expected = expected.flatten();
        let row = tx
            .query_opt(
                &stmt,
                &[&scope.tenant, &scope.resource_type, &id, &Json(&resource), &expected],
            )
            .await
            .map_err(backend)?;
        let Some(row) = row else { return Err(missing_or_stale(&tx, scope, id).await) };
        let version: i64 = row.get(0);
        clear_index(&tx, scope, id).await?;
        write_index(&tx, scope, id, &resource).await?;
        let spellings = self.record_spellings(&tx, scope.resource_type, [&resource]).await?;
        let version = Version::new(version.to_string());
        let events = event_of(scope, &options, &resource, Some(&version));
        commit_with_events(tx, scope.tenant, &events).await?;
        self.spellings_committed(spellings);
        Ok(StoredResource::new(resource, version))
    }

    async fn delete_opts(
        &self,
        scope: Scope<'_>,
        id: &str,
        if_match: Option<&Version>,
        options: WriteOptions<'_>,
    ) -> Result<()> {
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await.map_err(backend)?;
        let expected = expected_version(if_match);
        if expected == Some(None) {
            return Err(missing_or_stale(&tx, scope, id).await);
        }
        let expected = expected.flatten();
        let stmt = tx
            .prepare_cached(
                "DELETE FROM scim_resources WHERE tenant = $1 AND resource_type = $2 AND id = $3 \
                 AND ($4::bigint IS NULL OR version = $4) RETURNING data->'externalId'",
            )
            .await
            .map_err(backend)?;
        let deleted = tx
            .query_opt(&stmt, &[&scope.tenant, &scope.resource_type, &id, &expected])
            .await
            .map_err(backend)?;
        let Some(deleted) = deleted else {
            return Err(missing_or_stale(&tx, scope, id).await);
        };
        let mut gone = JsonObject::new();
        if let Some(Json(external_id)) = deleted.get::<_, Option<Json<Value>>>(0) {
            gone.insert("externalId".to_owned(), external_id);
        }
        let mut events = event_of(scope, &options, &gone, None);
        clear_index(&tx, scope, id).await?;

        // Remove the deleted resource from every group that lists it: lock those groups (in id
        // order), rewrite their members, give them new versions, then drop the membership rows.
        let groups = tx
            .query(
                "SELECT g.id, g.data FROM scim_resources AS g WHERE g.tenant = $1 \
                 AND g.resource_type = $2 AND g.id IN \
                 (SELECT group_id FROM scim_members WHERE tenant = $1 AND member_id = $3) \
                 ORDER BY g.id FOR UPDATE",
                &[&scope.tenant, &GROUP_RESOURCE_TYPE, &id],
            )
            .await
            .map_err(backend)?;
        let mut changed = Vec::with_capacity(groups.len());
        for group in &groups {
            let group_id: String = group.get(0);
            let Json(mut data): Json<JsonObject> = group.get(1);
            scimkit_core::remove_group_member(&mut data, id, options.time);
            let version: i64 = tx
                .query_one(
                    "UPDATE scim_resources SET data = $4, version = nextval('scim_versions') \
                     WHERE tenant = $1 AND resource_type = $2 AND id = $3 RETURNING version",
                    &[&scope.tenant, &GROUP_RESOURCE_TYPE, &group_id, &Json(&data)],
                )
                .await
                .map_err(backend)?
                .get(0);
            if let Some(event) = &options.event {
                let cascade = event.member_removed(&group_id, &data);
                let version = Version::new(version.to_string());
                let cursor = EventCursor::default();
                events.push(cascade.record(scope.tenant, cursor, &data, Some(&version)));
            }
            changed.push(data);
        }
        let spellings = self.record_spellings(&tx, GROUP_RESOURCE_TYPE, &changed).await?;
        tx.execute(
            "DELETE FROM scim_members WHERE tenant = $1 AND member_id = $2",
            &[&scope.tenant, &id],
        )
        .await
        .map_err(backend)?;
        commit_with_events(tx, scope.tenant, &events).await?;
        self.spellings_committed(spellings);
        Ok(())
    }

    async fn query(&self, scope: Scope<'_>, query: &Query<'_>) -> Result<QueryPage> {
        self.ensure_keys(scope).await?;
        let client = self.query_client().await?;
        // A filter that names only key attributes needs no member-name spellings.
        let mut plan = plan(scope, query, &filter::Spellings::new());
        if plan.uses_names {
            let filter = query.filter.ok_or_else(|| Error::Internal {
                detail: "names looked up without a filter".to_owned(),
            })?;
            let mut names = std::collections::BTreeSet::new();
            filter::names_in(filter, &mut names);
            let names: Vec<String> = names.into_iter().collect();
            let stmt = client
                .prepare_cached(
                    "SELECT lower_name, spelling FROM scim_spellings \
                     WHERE resource_type = $1 AND lower_name = ANY($2)",
                )
                .await
                .map_err(backend)?;
            let rows =
                client.query(&stmt, &[&scope.resource_type, &names]).await.map_err(backend)?;
            let mut spellings = filter::Spellings::new();
            for row in rows {
                spellings.entry(row.get(0)).or_default().push(row.get(1));
            }
            plan = self::plan(scope, query, &spellings);
        }
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&scope.tenant, &scope.resource_type];
        params.extend(plan.params.iter().map(|p| p as &(dyn ToSql + Sync)));
        let params = &params[..];

        let from = format!(
            "FROM scim_resources AS r {} WHERE r.tenant = $1 AND r.resource_type = $2 AND ({})",
            plan.join, plan.superset
        );
        // Every candidate, by id, for the library to complete the query.
        let candidates = async |exact: bool| -> Result<QueryPage> {
            let sql = format!("SELECT r.version, r.data {from} ORDER BY r.id");
            let sql = prepare_text(&client, &sql, params.len()).await?;
            let rows = client.query(&sql, params).await.map_err(backend)?;
            let execution = if exact { FilterExecution::Exact } else { FilterExecution::Superset };
            let resources = rows.iter().map(stored).collect();
            Ok(QueryPage::candidates(resources, execution, query.sort.is_none()))
        };
        let unfiltered = plan.unfiltered();
        if let (Some(sort), Some(text)) = (query.sort, &plan.sort_in_rust) {
            let sql = (from.as_str(), text.as_str(), unfiltered.as_str());
            if let Some(page) = self.sort_in_rust(&client, scope, query, sort, params, sql).await? {
                return Ok(page);
            }
            return candidates(false).await;
        }
        let Some(order) = &plan.order else {
            // Every candidate goes back anyway: the library checks them if need be.
            return candidates(plan.exact).await;
        };
        // One statement gives the page, the total and, unless the translation is exact by
        // construction, whether SQL's answer is exact on this data: it is if no candidate
        // fails the strict condition. The page is chosen by id first and its rows read after,
        // so the window holds ids only.
        let start = query.page.start_index.saturating_sub(1);
        let mut found = None;
        let mut page = Vec::new();
        if query.page.count > 0 {
            let (key, outer) = match &order.key {
                Some(key) => (format!("{key} AS sort_key, "), order.sql("p.sort_key", "p.id")),
                None => (String::new(), "p.id".to_owned()),
            };
            let sql = format!(
                "WITH page AS (SELECT r.id, {key}count(*) OVER () AS total, \
                 coalesce(bool_or({unfiltered}) OVER (), false) AS unfiltered \
                 {from} ORDER BY {} LIMIT {} OFFSET {start}) \
                 SELECT p.total, p.unfiltered, d.version, d.data FROM page AS p \
                 JOIN scim_resources AS d ON d.tenant = $1 AND d.resource_type = $2 \
                 AND d.id = p.id ORDER BY {outer}",
                order.sql_of_plan(),
                query.page.count
            );
            let sql = prepare_text(&client, &sql, params.len()).await?;
            let rows = client.query(&sql, params).await.map_err(backend)?;
            if let Some(first) = rows.first() {
                found = Some((first.get("total"), first.get("unfiltered")));
            }
            page = rows;
        }
        let (total, unfiltered): (i64, bool) = match found {
            Some(found) => found,
            None => {
                let sql = format!("SELECT count(*), coalesce(bool_or({unfiltered}), false) {from}");
                let sql = prepare_text(&client, &sql, params.len()).await?;
                let row = client.query_one(&sql, params).await.map_err(backend)?;
                (row.get(0), row.get(1))
            }
        };
        let total = usize::try_from(total).unwrap_or_default();
        if unfiltered {
            return candidates(false).await;
        }
        let page = page.iter().map(stored).collect();
        Ok(QueryPage::done(page, total))
    }

    async fn groups_of(
        &self,
        tenant: &str,
        member_ids: &[&str],
    ) -> Result<BTreeMap<String, Vec<Membership>>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT m.member_id, m.group_id, CASE WHEN jsonb_typeof(g.data -> 'displayName') \
                 = 'string' THEN g.data ->> 'displayName' END \
                 FROM scim_members AS m JOIN scim_resources AS g ON g.tenant = m.tenant \
                 AND g.resource_type = $3 AND g.id = m.group_id \
                 WHERE m.tenant = $1 AND m.member_id = ANY($2) ORDER BY m.member_id, m.group_id",
            )
            .await
            .map_err(backend)?;
        let rows = client
            .query(&stmt, &[&tenant, &member_ids, &GROUP_RESOURCE_TYPE])
            .await
            .map_err(backend)?;
        let mut out: BTreeMap<String, Vec<Membership>> = BTreeMap::new();
        for row in rows {
            out.entry(row.get(0))
                .or_default()
                .push(Membership::new(row.get::<_, String>(1), row.get(2)));
        }
        Ok(out)
    }

    async fn read_events(
        &self,
        tenant: &str,
        after: Option<&EventCursor>,
        limit: usize,
    ) -> Result<Vec<Event>> {
        self.read_feed(tenant, after, limit).await
    }

    async fn wait_for_events(
        &self,
        tenant: &str,
        after: Option<&EventCursor>,
        timeout: std::time::Duration,
    ) -> Result<bool> {
        self.wait_feed(tenant, after, timeout).await
    }

    async fn prune_events(&self, tenant: &str, prune: &Prune) -> Result<u64> {
        self.prune_feed(tenant, prune).await
    }

    async fn checkpoint(&self, tenant: &str, consumer: &str) -> Result<Option<EventCursor>> {
        self.load_checkpoint(tenant, consumer).await
    }

    async fn save_checkpoint(
        &self,
        tenant: &str,
        consumer: &str,
        cursor: &EventCursor,
    ) -> Result<()> {
        self.store_checkpoint(tenant, consumer, cursor).await
    }
}

/// The crate README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
