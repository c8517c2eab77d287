//! The key tables: unique and indexed attribute values, kept with each write and rebuilt
//! when a configuration names a new key.

use std::sync::PoisonError;

use scimkit_core::{
    Error, GROUP_RESOURCE_TYPE, JsonObject, KeyAttribute, MEMBER_RESOURCE_TYPES, Result, Scope,
    unknown_member,
};
use tokio_postgres::types::Json;

use crate::filter::{key_name, key_table};
use crate::tx::Tx;
use crate::{PostgresStore, backend, member_ids, unique_or_backend};

impl PostgresStore {
    /// Makes sure the key tables hold the scope's key attributes for every stored resource:
    /// the first time a process sees a key attribute, it checks the database's record of key
    /// attributes and, if this one is new or was folded differently, rebuilds its keys.
    ///
    /// The first time a process sees a resource type, it also drops the keys of attributes
    /// the type's keys no longer name: writes stop maintaining them, so they would be stale if
    /// the attribute became a key again; dropped, they are rebuilt then. (Replicas are expected
    /// to agree on the keys, except briefly while a new configuration rolls out.)
    pub(crate) async fn ensure_keys(&self, scope: Scope<'_>) -> Result<()> {
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
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext('scim_key_defs:' || $1))",
            &[&scope.resource_type],
        )
        .await
        .map_err(backend)?;
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
        }
        tx.commit().await.map_err(backend)?;
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
