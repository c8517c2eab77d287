//! The key tables: unique and indexed attribute values, kept with each write and rebuilt
//! when a configuration names a new key; and what this process knows of the key
//! definitions other replicas may change.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use scimkit_core::{
    Error, GROUP_RESOURCE_TYPE, JsonObject, KeyAttribute, MEMBER_RESOURCE_TYPES, Result, Scope,
    StoreKeys, unknown_member,
};
use tokio_postgres::types::Json;

use crate::filter::{key_name, key_table};
use crate::pool::unavailable_error;
use crate::tx::Tx;
use crate::{PostgresStore, backend, member_ids, unique_or_backend};

/// How long a query trusts what it knows of a type's key definitions before it reads their
/// generation again. Writes check it every time, under the lock that changes take.
const QUERY_RECHECK: Duration = Duration::from_secs(1);

/// The advisory lock of a resource type's key definitions: taken exclusively to change them,
/// shared by every write, which must not interleave with a rebuild of the keys.
const KEY_LOCK: &str = "hashtext('scim_key_defs:' || $1)";

/// A resource type's key definitions as the database has them, as of `generation`.
#[derive(Debug)]
pub(crate) struct TypeKeys {
    /// The generation these were read at.
    pub(crate) generation: i64,
    /// The configuration they were derived for.
    config: StoreKeys,
    /// Every key the database defines for the type, whichever replica defined it: what
    /// writes maintain, so that each replica's keys stay whole.
    pub(crate) write: StoreKeys,
    /// The configuration's keys that the database defines alike (same folding, same
    /// uniqueness): what queries may look up in the key tables.
    pub(crate) query: StoreKeys,
    /// When the generation was last read.
    checked: Mutex<Instant>,
}

/// The error of a write that found the key definitions changed since it read them: nothing
/// was written, and it runs again with the new definitions.
#[derive(Debug, thiserror::Error)]
#[error("the key definitions of the resource type changed")]
pub(crate) struct KeysChanged;

impl PostgresStore {
    /// What the database defines of the scope's keys, for a write: when this process first
    /// sees a key attribute of the configuration, it checks the database's record of key
    /// attributes and, if this one is new or was folded differently, rebuilds its keys
    /// ([`PostgresStore::reconcile_keys`]); after that it follows the database, where another
    /// replica may have changed them since.
    pub(crate) async fn ensure_keys(&self, scope: Scope<'_>) -> Result<Arc<TypeKeys>> {
        self.reconcile_keys(scope).await?;
        let cached = self.cached_keys(scope);
        if let Some(keys) = cached {
            return Ok(keys);
        }
        self.load_keys(scope).await
    }

    /// As [`PostgresStore::ensure_keys`], for a query: reads the generation again when the
    /// cached definitions are older than [`QUERY_RECHECK`], and reloads them if it moved.
    pub(crate) async fn ensure_query_keys(&self, scope: Scope<'_>) -> Result<Arc<TypeKeys>> {
        let keys = self.ensure_keys(scope).await?;
        let checked = *keys.checked.lock().unwrap_or_else(PoisonError::into_inner);
        if checked.elapsed() < QUERY_RECHECK {
            return Ok(keys);
        }
        let client = self.client().await?;
        let stmt = client.prepare_cached(GENERATION).await.map_err(backend)?;
        let generation: i64 =
            client.query_one(&stmt, &[&scope.resource_type]).await.map_err(backend)?.get(0);
        drop(client);
        if generation == keys.generation {
            *keys.checked.lock().unwrap_or_else(PoisonError::into_inner) = Instant::now();
            return Ok(keys);
        }
        self.load_keys(scope).await
    }

    /// Forgets what this process knows of the type's key definitions.
    pub(crate) fn forget_keys(&self, resource_type: &str) {
        self.inner.type_keys.lock().unwrap_or_else(PoisonError::into_inner).remove(resource_type);
    }

    fn cached_keys(&self, scope: Scope<'_>) -> Option<Arc<TypeKeys>> {
        let cache = self.inner.type_keys.lock().unwrap_or_else(PoisonError::into_inner);
        cache.get(scope.resource_type).filter(|k| k.config == *scope.keys).cloned()
    }

    fn cache_keys(&self, scope: Scope<'_>, keys: Arc<TypeKeys>) {
        let mut cache = self.inner.type_keys.lock().unwrap_or_else(PoisonError::into_inner);
        cache.insert(scope.resource_type.to_owned(), keys);
    }

    /// Reads the type's key definitions and their generation.
    async fn load_keys(&self, scope: Scope<'_>) -> Result<Arc<TypeKeys>> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(GENERATION).await.map_err(backend)?;
        let defs = client
            .prepare_cached(
                "SELECT attribute, case_exact, is_unique FROM scim_key_defs \
                 WHERE resource_type = $1 ORDER BY attribute",
            )
            .await
            .map_err(backend)?;
        // One snapshot for both: a repeatable-read, read-only transaction would cost two more
        // round trips; reading the generation first and again after is as good.
        let before: i64 =
            client.query_one(&stmt, &[&scope.resource_type]).await.map_err(backend)?.get(0);
        let rows = client.query(&defs, &[&scope.resource_type]).await.map_err(backend)?;
        let after: i64 =
            client.query_one(&stmt, &[&scope.resource_type]).await.map_err(backend)?.get(0);
        if before != after {
            return Err(unavailable_error(Box::new(KeysChanged)));
        }
        let mut write = StoreKeys::default();
        let mut query = StoreKeys::default();
        for row in &rows {
            let (attribute, case_exact, unique): (String, bool, bool) =
                (row.get(0), row.get(1), row.get(2));
            let key = match attribute.rsplit_once(':') {
                Some((urn, name)) => KeyAttribute::in_extension(urn, name, case_exact),
                None => KeyAttribute::top_level(attribute.as_str(), case_exact),
            };
            write = if unique {
                write.with_unique(key.clone())
            } else {
                write.with_indexed(key.clone())
            };
            let wanted =
                scope.keys.indexed.contains(&key) && scope.keys.unique.contains(&key) == unique;
            if wanted {
                query = if unique { query.with_unique(key) } else { query.with_indexed(key) };
            }
        }
        let keys = Arc::new(TypeKeys {
            generation: after,
            config: scope.keys.clone(),
            write,
            query,
            checked: Mutex::new(Instant::now()),
        });
        self.cache_keys(scope, keys.clone());
        Ok(keys)
    }

    /// Makes sure the key tables hold the scope's key attributes for every stored resource:
    /// the first time a process sees a key attribute, it checks the database's record of key
    /// attributes and, if this one is new or was folded differently, rebuilds its keys.
    ///
    /// The first time a process sees a resource type, it also drops the keys of attributes
    /// the type's keys no longer name: writes stop maintaining them, so they would be stale if
    /// the attribute became a key again; dropped, they are rebuilt then. Every change raises
    /// the type's generation, so that other replicas follow it. (Replicas are expected to
    /// agree on the keys, except while a new configuration rolls out: then the replica that
    /// started last sets the definitions, and the others follow them.)
    async fn reconcile_keys(&self, scope: Scope<'_>) -> Result<()> {
        let wanted: Vec<(String, String, bool, bool)> = scope
            .keys
            .indexed
            .iter()
            .map(|k| {
                let unique = scope.keys.unique.contains(k);
                (scope.resource_type.to_owned(), key_name(k), k.case_exact, unique)
            })
            .collect();
        let missing: Vec<_> = {
            let ready = self.inner.keys_ready.lock().unwrap_or_else(PoisonError::into_inner);
            wanted.into_iter().filter(|w| !ready.contains(w)).collect()
        };
        let pruned = self
            .inner
            .keys_pruned
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(scope.resource_type);
        if missing.is_empty() && pruned {
            return Ok(());
        }
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await.map_err(backend)?;
        tx.execute(&format!("SELECT pg_advisory_xact_lock({KEY_LOCK})"), &[&scope.resource_type])
            .await
            .map_err(backend)?;
        let mut changed = false;
        if !pruned {
            let names: Vec<String> = scope.keys.indexed.iter().map(key_name).collect();
            let dropped = tx
                .query(
                    "DELETE FROM scim_key_defs WHERE resource_type = $1 \
                     AND NOT attribute = ANY($2) RETURNING attribute",
                    &[&scope.resource_type, &names],
                )
                .await
                .map_err(backend)?;
            for row in dropped {
                changed = true;
                let attribute: String = row.get(0);
                for table in [key_table(true), key_table(false)] {
                    tx.execute(
                        &format!("DELETE FROM {table} WHERE resource_type = $1 AND attribute = $2"),
                        &[&scope.resource_type, &attribute],
                    )
                    .await
                    .map_err(backend)?;
                }
            }
        }
        for (resource_type, attribute, case_exact, unique) in &missing {
            let def = tx
                .query_opt(
                    "SELECT case_exact, is_unique FROM scim_key_defs \
                     WHERE resource_type = $1 AND attribute = $2",
                    &[resource_type, attribute],
                )
                .await
                .map_err(backend)?;
            if def.is_some_and(|d| {
                d.get::<_, bool>(0) == *case_exact && d.get::<_, bool>(1) == *unique
            }) {
                continue;
            }
            let key =
                scope.keys.indexed.iter().find(|k| key_name(k) == *attribute).cloned().ok_or_else(
                    || Error::Internal { detail: "key attribute vanished".to_owned() },
                )?;
            backfill(&tx, resource_type, &key, *unique).await.map_err(backend)?;
            tx.execute(
                "INSERT INTO scim_key_defs (resource_type, attribute, case_exact, is_unique) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (resource_type, attribute) \
                 DO UPDATE SET case_exact = EXCLUDED.case_exact, is_unique = EXCLUDED.is_unique",
                &[resource_type, attribute, case_exact, unique],
            )
            .await
            .map_err(backend)?;
            changed = true;
        }
        if changed {
            tx.execute(
                "INSERT INTO scim_key_generations (resource_type, generation) VALUES ($1, 1) \
                 ON CONFLICT (resource_type) \
                 DO UPDATE SET generation = scim_key_generations.generation + 1",
                &[&scope.resource_type],
            )
            .await
            .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)?;
        if changed {
            self.forget_keys(scope.resource_type);
        }
        let mut ready = self.inner.keys_ready.lock().unwrap_or_else(PoisonError::into_inner);
        ready.extend(missing);
        drop(ready);
        self.inner
            .keys_pruned
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(scope.resource_type.to_owned());
        Ok(())
    }
}

/// The generation of a resource type's key definitions (0 before the first change).
const GENERATION: &str = "SELECT coalesce((SELECT generation FROM scim_key_generations \
                          WHERE resource_type = $1), 0::bigint)";

/// Runs `first`, a write's first statement, in `tx` behind the shared lock of the type's key
/// definitions, all sent at once: the lock, then the generation (read after the lock is
/// held), then the statement. If the generation is no longer the one `keys` were read at,
/// the write must not go on with them: [`KeysChanged`], after forgetting them.
pub(crate) async fn behind_key_lock<T>(
    store: &PostgresStore,
    tx: &Tx<'_>,
    scope: Scope<'_>,
    keys: &TypeKeys,
    first: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    let lock = tx
        .prepare_cached(&format!("SELECT pg_advisory_xact_lock_shared({KEY_LOCK})"))
        .await
        .map_err(backend)?;
    let generation = tx.prepare_cached(GENERATION).await.map_err(backend)?;
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&scope.resource_type];
    let (locked, read, first) =
        tokio::join!(tx.execute(&lock, &params), tx.query_one(&generation, &params), first);
    locked.map_err(backend)?;
    let now: i64 = read.map_err(backend)?.get(0);
    if now != keys.generation {
        store.forget_keys(scope.resource_type);
        return Err(unavailable_error(Box::new(KeysChanged)));
    }
    first
}

/// Rebuilds the keys of one key attribute for every resource of `resource_type`. Values that
/// already collide are kept once (the first by id); uniqueness holds for every later write.
async fn backfill(
    tx: &Tx<'_>,
    resource_type: &str,
    key: &KeyAttribute,
    unique: bool,
) -> std::result::Result<(), tokio_postgres::Error> {
    let attribute = key_name(key);
    for table in [key_table(true), key_table(false)] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE resource_type = $1 AND attribute = $2"),
            &[&resource_type, &attribute],
        )
        .await?;
    }
    let rows = tx
        .query(
            "SELECT tenant, id, data FROM scim_resources WHERE resource_type = $1 ORDER BY id",
            &[&resource_type],
        )
        .await?;
    let (mut tenants, mut ids, mut keys) = (Vec::new(), Vec::new(), Vec::new());
    for row in &rows {
        let Json(data): Json<JsonObject> = row.get(2);
        if let Some(k) = key.key(&data) {
            tenants.push(row.get::<_, String>(0));
            ids.push(row.get::<_, String>(1));
            keys.push(k.into_owned());
        }
    }
    let table = key_table(unique);
    tx.execute(
        &format!(
            "INSERT INTO {table} (tenant, resource_type, attribute, key, id) \
             SELECT t, $1, $2, k, i FROM unnest($3::text[], $4::text[], $5::text[]) AS u(t, k, i) \
             ON CONFLICT DO NOTHING"
        ),
        &[&resource_type, &attribute, &tenants, &keys, &ids],
    )
    .await?;
    Ok(())
}

/// Writes the keys and memberships of `resource` (after the old ones were removed).
pub(crate) async fn write_index(
    tx: &Tx<'_>,
    scope: Scope<'_>,
    id: &str,
    resource: &JsonObject,
) -> Result<()> {
    for key in &scope.keys.indexed {
        let Some(value) = key.key(resource) else { continue };
        let unique = scope.keys.unique.contains(key);
        let sql = if unique {
            "INSERT INTO scim_unique_keys (tenant, resource_type, attribute, key, id) \
             VALUES ($1, $2, $3, $4, $5)"
        } else {
            "INSERT INTO scim_index_keys (tenant, resource_type, attribute, key, id) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"
        };
        let stmt = tx.prepare_cached(sql).await.map_err(backend)?;
        let attribute = key_name(key);
        let value: &str = &value;
        tx.execute(&stmt, &[&scope.tenant, &scope.resource_type, &attribute, &value, &id])
            .await
            .map_err(|e| unique_or_backend(e, &key.name))?;
    }
    if scope.resource_type == GROUP_RESOURCE_TYPE {
        let members = member_ids(resource);
        if !members.is_empty() {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO scim_members (tenant, group_id, member_id) \
                     SELECT $1, $2, m FROM unnest($3::text[]) AS m ON CONFLICT DO NOTHING",
                )
                .await
                .map_err(backend)?;
            tx.execute(&stmt, &[&scope.tenant, &id, &members]).await.map_err(backend)?;
        }
    }
    Ok(())
}

/// For a write of the group `id` as `group`: locks the resources it newly lists as members
/// (`FOR KEY SHARE`, so that none can be deleted until the write commits) and refuses the write
/// if one of them does not exist ([`unknown_member`]). A delete that got there first has
/// committed by then, and its member is missing; a delete that comes after waits for this
/// write, then finds the new membership and removes it. Either way no group lists a deleted
/// member. Runs before the group's old memberships are cleared.
pub(crate) async fn lock_new_members(
    tx: &Tx<'_>,
    scope: Scope<'_>,
    id: &str,
    group: &JsonObject,
) -> Result<()> {
    if scope.resource_type != GROUP_RESOURCE_TYPE {
        return Ok(());
    }
    let members = member_ids(group);
    if members.is_empty() {
        return Ok(());
    }
    let stmt = tx
        .prepare_cached(
            "WITH new AS (SELECT m FROM unnest($3::text[]) AS m WHERE NOT EXISTS \
             (SELECT 1 FROM scim_members WHERE tenant = $1 AND group_id = $2 AND member_id = m)), \
             found AS (SELECT r.id FROM scim_resources AS r WHERE r.tenant = $1 \
             AND r.resource_type = ANY($4) AND r.id IN (SELECT m FROM new) FOR KEY SHARE) \
             SELECT m FROM new WHERE m NOT IN (SELECT id FROM found) ORDER BY m LIMIT 1",
        )
        .await
        .map_err(backend)?;
    let types: &[&str] = &MEMBER_RESOURCE_TYPES;
    let missing =
        tx.query_opt(&stmt, &[&scope.tenant, &id, &members, &types]).await.map_err(backend)?;
    match missing {
        Some(row) => Err(unknown_member(row.get(0))),
        None => Ok(()),
    }
}

/// Removes the keys and memberships of the resource `id`.
pub(crate) async fn clear_index(tx: &Tx<'_>, scope: Scope<'_>, id: &str) -> Result<()> {
    for sql in [
        "DELETE FROM scim_unique_keys WHERE tenant = $1 AND resource_type = $2 AND id = $3",
        "DELETE FROM scim_index_keys WHERE tenant = $1 AND resource_type = $2 AND id = $3",
    ] {
        let stmt = tx.prepare_cached(sql).await.map_err(backend)?;
        tx.execute(&stmt, &[&scope.tenant, &scope.resource_type, &id]).await.map_err(backend)?;
    }
    if scope.resource_type == GROUP_RESOURCE_TYPE {
        let stmt = tx
            .prepare_cached("DELETE FROM scim_members WHERE tenant = $1 AND group_id = $2")
            .await
            .map_err(backend)?;
        tx.execute(&stmt, &[&scope.tenant, &id]).await.map_err(backend)?;
    }
    Ok(())
}
