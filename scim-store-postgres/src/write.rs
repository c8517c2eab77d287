//! Writes: create, replace and delete, each in one transaction with its keys, memberships
//! and events. Each runs once here; the trait methods run them again after a transient
//! failure that changed nothing.

use scimkit_core::event::EventCursor;
use scimkit_core::{Error, GROUP_RESOURCE_TYPE, JsonObject, Result, Scope, Version, WriteOptions};
use serde_json::Value;
use tokio_postgres::types::{Json, ToSql};

use crate::events::commit_with_events;
use crate::keys::{TypeKeys, behind_key_lock, clear_index, lock_new_members, write_index};
use crate::pool::OutcomeUnknown;
use crate::tx::Tx;
use crate::{
    PostgresStore, backend, event_of, expected_version, missing_or_stale, unique_or_backend,
};

/// A resource row just written, as [`PostgresStore::index_and_commit`] finishes it.
struct Written<'a, 's> {
    scope: Scope<'s>,
    keys: &'a TypeKeys,
    id: &'a str,
    resource: &'a JsonObject,
    options: &'a WriteOptions<'a>,
    /// The version the row was given.
    version: i64,
    /// Whether it replaced an existing row (whose keys go first).
    replaced: bool,
}

impl PostgresStore {
    /// Creates `resource` (whose id is `id`) once; returns its version.
    pub(crate) async fn create_once(
        &self,
        scope: Scope<'_>,
        keys: &TypeKeys,
        id: &str,
        resource: &JsonObject,
        options: &WriteOptions<'_>,
    ) -> Result<Version> {
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await.map_err(backend)?;
        let stmt = tx
            .prepare_cached(
                "INSERT INTO scim_resources (tenant, resource_type, id, version, data) \
                 VALUES ($1, $2, $3, nextval('scim_versions'), $4) RETURNING version",
            )
            .await
            .map_err(backend)?;
        let data = Json(resource);
        let params: [&(dyn ToSql + Sync); 4] = [&scope.tenant, &scope.resource_type, &id, &data];
        let inserted =
            async { tx.query_one(&stmt, &params).await.map_err(|e| unique_or_backend(e, "id")) };
        let version: i64 = behind_key_lock(self, &tx, scope, keys, inserted).await?.get(0);
        let written = Written { scope, keys, id, resource, options, version, replaced: false };
        self.index_and_commit(tx, written).await
    }

    /// Replaces the resource `id` with `resource` once, if its version is `if_match`;
    /// returns the new version.
    pub(crate) async fn replace_once(
        &self,
        scope: Scope<'_>,
        keys: &TypeKeys,
        id: &str,
        resource: &JsonObject,
        if_match: Option<&Version>,
        options: &WriteOptions<'_>,
    ) -> Result<Version> {
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
        let data = Json(resource);
        let params: [&(dyn ToSql + Sync); 5] =
            [&scope.tenant, &scope.resource_type, &id, &data, &expected];
        let updated = async { tx.query_opt(&stmt, &params).await.map_err(backend) };
        let row = behind_key_lock(self, &tx, scope, keys, updated).await?;
        let Some(row) = row else { return Err(missing_or_stale(&tx, scope, id).await) };
        let version: i64 = row.get(0);
        let written = Written { scope, keys, id, resource, options, version, replaced: true };
        self.index_and_commit(tx, written).await
    }

    /// The rest of a create or a replace once the row is written: the members it adds locked,
    /// its keys (every key the database defines, whichever replica defined it) and
    /// memberships, its member names, its event, and the commit.
    async fn index_and_commit(&self, tx: Tx<'_>, written: Written<'_, '_>) -> Result<Version> {
        let Written { scope, keys, id, resource, options, version, replaced } = written;
        let keyed = Scope::new(scope.tenant, scope.resource_type, &keys.write);
        lock_new_members(&tx, keyed, id, resource).await?;
        if replaced {
            clear_index(&tx, scope, id).await?;
        }
        write_index(&tx, keyed, id, resource).await?;
        let spellings = self.record_spellings(&tx, scope.resource_type, [resource]).await?;
        let version = Version::new(version.to_string());
        let events = event_of(scope, options, resource, Some(&version));
        let committed = commit_with_events(tx, scope.tenant, &events).await;
        self.settle(committed, scope, id, Some(&version)).await?;
        self.spellings_committed(spellings);
        Ok(version)
    }

    /// Deletes the resource `id` once, if its version is `if_match`, removing it from every
    /// group that lists it.
    pub(crate) async fn delete_once(
        &self,
        scope: Scope<'_>,
        keys: &TypeKeys,
        id: &str,
        if_match: Option<&Version>,
        options: &WriteOptions<'_>,
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
        let params: [&(dyn ToSql + Sync); 4] =
            [&scope.tenant, &scope.resource_type, &id, &expected];
        // Behind the lock too: a rebuild of the keys must not bring back the deleted one's.
        let deleted = async { tx.query_opt(&stmt, &params).await.map_err(backend) };
        let deleted = behind_key_lock(self, &tx, scope, keys, deleted).await?;
        let Some(deleted) = deleted else {
            return Err(missing_or_stale(&tx, scope, id).await);
        };
        let mut gone = JsonObject::new();
        if let Some(Json(external_id)) = deleted.get::<_, Option<Json<Value>>>(0) {
            gone.insert("externalId".to_owned(), external_id);
        }
        let mut events = event_of(scope, options, &gone, None);
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
        let committed = commit_with_events(tx, scope.tenant, &events).await;
        self.settle(committed, scope, id, None).await?;
        self.spellings_committed(spellings);
        Ok(())
    }

    /// The outcome of a write's commit. When the connection failed during the `COMMIT`, the
    /// write may have been made: it was if the resource `id` now has the version the write
    /// gave it (or, for a delete, `version` `None`, is gone). Then the write succeeded; else
    /// the commit's error stands (503: the client may send the request again).
    async fn settle(
        &self,
        committed: Result<()>,
        scope: Scope<'_>,
        id: &str,
        version: Option<&Version>,
    ) -> Result<()> {
        let Err(error) = committed else { return Ok(()) };
        let unknown =
            matches!(&error, Error::Unavailable { source, .. } if source.is::<OutcomeUnknown>());
        if !unknown {
            return Err(error);
        }
        match self.get_once(scope, id).await {
            Ok(now) if now.as_ref().map(|r| &r.version) == version => Ok(()),
            _ => Err(error),
        }
    }
}
