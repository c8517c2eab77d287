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
mod pool;
mod read;
mod spellings;
mod tokens;
mod tx;
mod write;

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Pool};
use scimkit_core::event::{Event, EventCursor, Prune};
use scimkit_core::{
    Capabilities, Error, JsonObject, Membership, Query, QueryPage, ResourceStore, Result, Scope,
    StoredResource, Version, WriteOptions,
};
use serde_json::Value;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::Json;

use crate::tx::Tx;

pub use crate::pool::ConnectOptions;
pub use crate::tokens::PostgresTokens;
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
    /// The key definitions of each resource type as the database has them.
    type_keys: Mutex<std::collections::HashMap<String, Arc<keys::TypeKeys>>>,
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
    /// string) with the default [`ConnectOptions`] (a pool of up to 16 connections, every wait
    /// bounded), and applies the schema migrations.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] if the URL is invalid or a migration fails; [`Error::Unavailable`]
    /// if the database cannot be reached.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, &ConnectOptions::default()).await
    }

    /// Connects to the database at `url` with `options`, and applies the schema migrations.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use scimkit_store_postgres::{ConnectOptions, PostgresStore};
    ///
    /// # async fn run() -> scimkit_core::Result<()> {
    /// let options = ConnectOptions::default()
    ///     .with_max_connections(32)
    ///     .with_wait_timeout(Duration::from_secs(2));
    /// let store = PostgresStore::connect_with("postgres://app@db.example.com/scim", &options).await?;
    /// # let _ = store;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`PostgresStore::connect`].
    pub async fn connect_with(url: &str, options: &ConnectOptions) -> Result<Self> {
        let config = options.config(url)?;
        let pool = options.pool(config.clone())?;
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
                type_keys: Mutex::default(),
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

/// Wraps a driver or pool error (see [`pool::classify`]); its text stays out of client
/// responses.
fn backend<E: std::error::Error + Send + Sync + 'static>(e: E) -> Error {
    pool::classify(Box::new(e))
}

/// How many times a write or read is run again after a deadlock, a serialisation failure or a
/// connection that broke before its commit, before the store answers
/// [`Error::Unavailable`].
const MAX_ATTEMPTS: u32 = 5;

/// Runs `op` until it succeeds, fails for a reason other than a transient one (see
/// [`pool::retryable`]), or has run [`MAX_ATTEMPTS`] times; waits a little longer before each
/// new attempt (2, 4, 8, 16 ms). A transient error that outlasts the attempts becomes
/// [`Error::Unavailable`], never a 500.
async fn retrying<T, F, Fut>(mut op: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut attempt = 1;
    loop {
        match op().await {
            Err(e) if attempt < MAX_ATTEMPTS && pool::retryable(&e) => {
                tokio::time::sleep(std::time::Duration::from_millis(1 << attempt)).await;
                attempt += 1;
            }
            done => return done,
        }
    }
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
        Capabilities::new(true, true).with_keyset()
    }

    async fn create_opts(
        &self,
        scope: Scope<'_>,
        resource: JsonObject,
        options: WriteOptions<'_>,
    ) -> Result<StoredResource> {
        let id = resource_id(&resource)?;
        let (resource_ref, options) = (&resource, &options);
        let version = retrying(|| async move {
            let keys = self.ensure_keys(scope).await?;
            self.create_once(scope, &keys, id, resource_ref, options).await
        })
        .await?;
        Ok(StoredResource::new(resource, version))
    }

    async fn get(&self, scope: Scope<'_>, id: &str) -> Result<Option<StoredResource>> {
        retrying(|| self.get_once(scope, id)).await
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
        let (resource_ref, options) = (&resource, &options);
        let version = retrying(|| async move {
            let keys = self.ensure_keys(scope).await?;
            self.replace_once(scope, &keys, id, resource_ref, if_match, options).await
        })
        .await?;
        Ok(StoredResource::new(resource, version))
    }

    async fn delete_opts(
        &self,
        scope: Scope<'_>,
        id: &str,
        if_match: Option<&Version>,
        options: WriteOptions<'_>,
    ) -> Result<()> {
        let options = &options;
        retrying(|| async move {
            let keys = self.ensure_keys(scope).await?;
            self.delete_once(scope, &keys, id, if_match, options).await
        })
        .await
    }

    async fn query(&self, scope: Scope<'_>, query: &Query<'_>) -> Result<QueryPage> {
        retrying(|| async move {
            let keys = self.ensure_query_keys(scope).await?;
            // Key tables are looked up only for the keys the database defines as configured.
            let scope = Scope::new(scope.tenant, scope.resource_type, &keys.query);
            self.query_once(scope, query).await
        })
        .await
    }

    async fn groups_of(
        &self,
        tenant: &str,
        member_ids: &[&str],
    ) -> Result<BTreeMap<String, Vec<Membership>>> {
        retrying(|| self.groups_of_once(tenant, member_ids)).await
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
