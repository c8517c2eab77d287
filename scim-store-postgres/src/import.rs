//! Bulk loads: [`PostgresStore::import`] with binary `COPY`.

use std::pin::pin;

use scimkit_core::{GROUP_RESOURCE_TYPE, JsonObject, Result, Scope};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{Json, ToSql, Type};

use crate::filter::{key_name, key_table};
use crate::keys::behind_key_lock;
use crate::tx::Tx;
use crate::{PostgresStore, backend, member_ids, resource_id, unique_or_backend};

impl PostgresStore {
    /// Stores many new resources of `scope` at once, in one transaction, with PostgreSQL's
    /// binary `COPY`; returns how many were stored.
    ///
    /// This is for first loads and migrations from another system, where creating resources
    /// one at a time would take too long. The resources must already be in the form the
    /// library stores, as for [`ResourceStore::create_opts`](scimkit_core::ResourceStore::create_opts): each with a non-empty string `id`,
    /// its `meta`, and its values as they should be returned. They are stored exactly as
    /// `create` would store each: a version each (later writes get greater ones), the keys of
    /// the scope's unique and indexed attributes, a Group's memberships, and the member names
    /// that filters look up.
    ///
    /// An import records no events: it is a load of existing data, not a change clients made.
    ///
    /// It is all or nothing: an `id` or a unique value used twice in `resources`, or already
    /// stored, fails the whole import with [`Error::Uniqueness`](scimkit_core::Error::Uniqueness) and stores none of them.
    /// Large loads are best split into batches of some ten thousand resources, each its own
    /// call: a batch is held in memory, and the transaction holds its locks until it ends.
    /// After a large load, run `ANALYZE` on the store's tables (`scim_resources`,
    /// `scim_unique_keys`, `scim_index_keys`) rather than wait for autovacuum: until the
    /// planner knows how much they grew, it may choose plans that scan a whole tenant per row.
    ///
    /// ```no_run
    /// use scimkit_core::{JsonObject, Registry, Scope, StoreKeys};
    /// use scimkit_store_postgres::PostgresStore;
    /// use serde_json::json;
    ///
    /// # async fn run() -> scimkit_core::Result<()> {
    /// let store = PostgresStore::connect("postgres://postgres@127.0.0.1:5432/scim").await?;
    /// let registry = Registry::standard();
    /// let keys = StoreKeys::for_type(&registry.resource_type_schema("User").unwrap());
    /// let users: Vec<JsonObject> = (0..10_000)
    ///     .map(|i| {
    ///         let user = json!({
    ///             "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    ///             "id": format!("u{i}"),
    ///             "userName": format!("user{i}"),
    ///             "meta": { "resourceType": "User" },
    ///         });
    ///         user.as_object().cloned().unwrap_or_default()
    ///     })
    ///     .collect();
    /// let stored = store.import(Scope::new("tenant-a", "User", &keys), &users).await?;
    /// assert_eq!(stored, 10_000);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidValue`](scimkit_core::Error::InvalidValue) if a resource has no string `id` (before anything is written),
    /// [`Error::Uniqueness`](scimkit_core::Error::Uniqueness) as above, [`Error::Backend`](scimkit_core::Error::Backend) if the database fails.
    pub async fn import(&self, scope: Scope<'_>, resources: &[JsonObject]) -> Result<usize> {
        let ids = resources.iter().map(resource_id).collect::<Result<Vec<&str>>>()?;
        if resources.is_empty() {
            return Ok(0);
        }
        let ids = &ids;
        crate::retrying(|| async move { self.import_once(scope, resources, ids).await }).await
    }

    /// [`PostgresStore::import`], once.
    async fn import_once(
        &self,
        scope: Scope<'_>,
        resources: &[JsonObject],
        ids: &[&str],
    ) -> Result<usize> {
        let keys = self.ensure_keys(scope).await?;
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await.map_err(backend)?;
        let count = i64::try_from(resources.len()).map_err(backend)?;
        let numbers = tx
            .prepare_cached(
                "SELECT array_agg(nextval('scim_versions')) FROM generate_series(1, $1::bigint)",
            )
            .await
            .map_err(backend)?;
        let versions = async { tx.query_one(&numbers, &[&count]).await.map_err(backend) };
        let versions: Vec<i64> = behind_key_lock(self, &tx, scope, &keys, versions).await?.get(0);
        // The keys the database defines, whichever replica defined them.
        let scope = Scope::new(scope.tenant, scope.resource_type, &keys.write);
        let data: Vec<Json<&JsonObject>> = resources.iter().map(Json).collect();
        let tenant: &(dyn ToSql + Sync) = &scope.tenant;
        let resource_type: &(dyn ToSql + Sync) = &scope.resource_type;
        let rows: Vec<[&(dyn ToSql + Sync); 5]> = ids
            .iter()
            .zip(&versions)
            .zip(&data)
            .map(|((id, version), data)| [tenant, resource_type, id, version, data])
            .collect();
        copy_rows(
            &tx,
            "scim_resources (tenant, resource_type, id, version, data)",
            &[Type::TEXT, Type::TEXT, Type::TEXT, Type::INT8, Type::JSONB],
            &rows,
        )
        .await
        .map_err(|e| unique_or_backend(e, "id"))?;

        for key in &scope.keys.indexed {
            let values: Vec<(&str, std::borrow::Cow<'_, str>)> = ids
                .iter()
                .zip(resources)
                .filter_map(|(id, resource)| Some((*id, key.key(resource)?)))
                .collect();
            if values.is_empty() {
                continue;
            }
            let attribute = key_name(key);
            let rows: Vec<[&(dyn ToSql + Sync); 5]> = values
                .iter()
                .map(|(id, value)| [tenant, resource_type, &attribute, value, id])
                .collect();
            let unique = scope.keys.unique.contains(key);
            copy_rows(
                &tx,
                &format!("{} (tenant, resource_type, attribute, key, id)", key_table(unique)),
                &[Type::TEXT; 5],
                &rows,
            )
            .await
            .map_err(|e| if unique { unique_or_backend(e, &key.name) } else { backend(e) })?;
        }

        if scope.resource_type == GROUP_RESOURCE_TYPE {
            let members: Vec<Vec<String>> = resources.iter().map(member_ids).collect();
            let mut rows: Vec<[&(dyn ToSql + Sync); 3]> = Vec::new();
            for (id, members) in ids.iter().zip(&members) {
                rows.extend(members.iter().map(|m| [tenant, id, m]));
            }
            copy_rows(&tx, "scim_members (tenant, group_id, member_id)", &[Type::TEXT; 3], &rows)
                .await
                .map_err(backend)?;
        }

        let spellings = self.record_spellings(&tx, scope.resource_type, resources).await?;
        tx.commit().await.map_err(backend)?;
        self.spellings_committed(spellings);
        Ok(resources.len())
    }
}

/// Writes `rows` to `target` (`table (columns)`, of `types`) with one binary `COPY`.
///
/// The rows come as a slice rather than an iterator: an iterator built by closures, held
/// across the awaits, would keep the caller's future from being `Send` (rust-lang/rust#64552).
async fn copy_rows<const N: usize>(
    tx: &Tx<'_>,
    target: &str,
    types: &[Type; N],
    rows: &[[&(dyn ToSql + Sync); N]],
) -> std::result::Result<u64, tokio_postgres::Error> {
    let sink = tx.copy_in(&format!("COPY {target} FROM STDIN (FORMAT binary)")).await?;
    let mut writer = pin!(BinaryCopyInWriter::new(sink, types));
    for row in rows {
        writer.as_mut().write(row).await?;
    }
    writer.finish().await
}
