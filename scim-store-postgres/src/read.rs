//! Reads: a resource by id, a query, the groups of members. Each runs once here; the trait
//! methods run them again after a transient failure.

use std::collections::BTreeMap;

use deadpool_postgres::GenericClient;
use scimkit_core::{
    Error, FilterExecution, GROUP_RESOURCE_TYPE, Membership, Query, QueryPage, Result, Scope,
    StoredResource,
};
use tokio_postgres::types::ToSql;

use crate::plan::{plan, prepare_text};
use crate::{PostgresStore, backend, filter, stored};

impl PostgresStore {
    /// [`ResourceStore::get`](scimkit_core::ResourceStore::get), once.
    pub(crate) async fn get_once(
        &self,
        scope: Scope<'_>,
        id: &str,
    ) -> Result<Option<StoredResource>> {
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

    /// [`ResourceStore::query`](scimkit_core::ResourceStore::query), once, with the keys
    /// already ensured.
    pub(crate) async fn query_once(
        &self,
        scope: Scope<'_>,
        query: &Query<'_>,
    ) -> Result<QueryPage> {
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
        if let Some(keyset) = query.keyset {
            return self.keyset_page(&client, scope, query, keyset, &plan, &from, params).await;
        }
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
        if query.filter.is_none() {
            // Unfiltered: the page by itself, and the total from the counts.
            let mut page = Vec::new();
            if query.page.count > 0 {
                let (key, outer) = match &order.key {
                    Some(key) => (format!(", {key} AS sort_key"), order.sql("p.sort_key", "p.id")),
                    None => (String::new(), "p.id".to_owned()),
                };
                let sql = format!(
                    "WITH page AS (SELECT r.id{key} {from} ORDER BY {} LIMIT {} OFFSET {start}) \
                     SELECT d.version, d.data FROM page AS p \
                     JOIN scim_resources AS d ON d.tenant = $1 AND d.resource_type = $2 \
                     AND d.id = p.id ORDER BY {outer}",
                    order.sql_of_plan(),
                    query.page.count
                );
                let sql = prepare_text(&client, &sql, params.len()).await?;
                page = client.query(&sql, params).await.map_err(backend)?;
            }
            let total = counted(&client, scope).await?;
            return Ok(QueryPage::done(page.iter().map(stored).collect(), total));
        }
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

    /// The keyset page of `query` (see [`scimkit_core::Keyset`]), in SQL when the order is by
    /// id (a range of the primary key) or by a key attribute (a range of its key table's
    /// folded keys, then ids); in another order, the candidates, which the library pages.
    #[allow(clippy::too_many_arguments)]
    async fn keyset_page(
        &self,
        client: &deadpool_postgres::Object,
        scope: Scope<'_>,
        query: &Query<'_>,
        keyset: &scimkit_core::Keyset,
        plan: &crate::plan::Plan,
        from: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<QueryPage> {
        let candidates = async |exact: bool| -> Result<QueryPage> {
            let sql = format!("SELECT r.version, r.data {from} ORDER BY r.id");
            let sql = prepare_text(client, &sql, params.len()).await?;
            let rows = client.query(&sql, params).await.map_err(backend)?;
            let execution = if exact { FilterExecution::Exact } else { FilterExecution::Superset };
            let resources = rows.iter().map(stored).collect();
            Ok(QueryPage::candidates(resources, execution, query.sort.is_none()))
        };
        let id = keyset.position.get("id").and_then(serde_json::Value::as_str).unwrap_or_default();
        let start = keyset.is_start();
        let key_attribute =
            query.sort.and_then(|sort| crate::plan::sort_key_attribute(scope, sort));
        let key: Option<String> =
            key_attribute.and_then(|k| k.key(&keyset.position)).map(|k| k.into_owned());
        let mut keyed: Vec<&(dyn ToSql + Sync)> = params.to_vec();
        keyed.push(&id);
        let id_param = format!("${}::text", keyed.len());
        let n = query.page.count;
        let rows: Vec<tokio_postgres::Row> = match (query.sort, key_attribute) {
            (Some(_), None) => return candidates(plan.exact).await,
            (None, _) => {
                let (condition, order) = match (start, keyset.backward) {
                    (true, _) => ("TRUE".to_owned(), "ASC"),
                    (false, false) => (format!("r.id > {id_param}"), "ASC"),
                    (false, true) => (format!("r.id < {id_param}"), "DESC"),
                };
                let sql = format!(
                    "SELECT r.version, r.data {from} AND {condition} ORDER BY r.id {order} LIMIT {n}"
                );
                let sql = prepare_text(client, &sql, keyed.len()).await?;
                client.query(&sql, &keyed).await.map_err(backend)?
            }
            (Some(sort), Some(_)) => {
                // The page travels up the keys going forward in ascending order or backward in
                // descending order. Resources without the attribute (no key) sort last in
                // ascending order and first in descending order: at the far end of an upward
                // travel, at the near end of a downward one. Each segment is read in order
                // from an index: the keys from the key table's, those without from the ids'.
                let descending = sort.order() == scimkit_core::SortOrder::Descending;
                let up = descending == keyset.backward;
                let after_id = if keyset.backward { "<" } else { ">" };
                let (keys, ids) =
                    (if up { "ASC" } else { "DESC" }, if keyset.backward { "DESC" } else { "ASC" });
                let k = key.as_ref().map(|key| {
                    keyed.push(key);
                    format!("${}::text", keyed.len())
                });
                let key_condition = |beyond: &str| match &k {
                    Some(k) => {
                        // The first term bounds the key index's scan; the second breaks ties.
                        format!(
                            "(sk.key {beyond}= {k} AND (sk.key {beyond} {k} OR r.id {after_id} {id_param}))"
                        )
                    }
                    None => "TRUE".to_owned(),
                };
                let after = format!("r.id {after_id} {id_param}");
                let all = "TRUE".to_owned();
                // (keyed segment?, condition), in the order the page travels.
                let segments: Vec<(bool, String)> = match (start, key.is_some(), up) {
                    (true, _, true) => vec![(true, all.clone()), (false, all)],
                    (true, _, false) => vec![(false, all.clone()), (true, all)],
                    (false, true, true) => vec![(true, key_condition(">")), (false, all)],
                    (false, true, false) => vec![(true, key_condition("<"))],
                    (false, false, true) => vec![(false, after)],
                    (false, false, false) => vec![(false, after), (true, all)],
                };
                let inner = from.replacen("LEFT JOIN", "JOIN", 1);
                let mut rows = Vec::new();
                for (keyed_segment, condition) in segments {
                    let left = n.saturating_sub(rows.len());
                    if left == 0 {
                        break;
                    }
                    let sql = match keyed_segment {
                        true => format!(
                            "SELECT r.version, r.data {inner} AND {condition} \
                             ORDER BY sk.key {keys}, r.id {ids} LIMIT {left}"
                        ),
                        false => format!(
                            "SELECT r.version, r.data {from} AND sk.key IS NULL AND {condition} \
                             ORDER BY r.id {ids} LIMIT {left}"
                        ),
                    };
                    let sql = prepare_text(client, &sql, keyed.len()).await?;
                    rows.extend(client.query(&sql, &keyed).await.map_err(backend)?);
                }
                rows
            }
        };
        // The total: every match, counted without the sort's join (which filters nothing), or
        // from the counts for an unfiltered query.
        let unjoined = from.replacen(&plan.join, "", 1);
        let (total, unfiltered): (i64, bool) = if query.filter.is_none() {
            (i64::try_from(counted(client, scope).await?).unwrap_or(i64::MAX), false)
        } else if plan.exact {
            let counted = format!("SELECT count(*) {unjoined}");
            let counted = prepare_text(client, &counted, params.len()).await?;
            (client.query_one(&counted, params).await.map_err(backend)?.get(0), false)
        } else {
            let unfiltered = plan.unfiltered();
            let counted =
                format!("SELECT count(*), coalesce(bool_or({unfiltered}), false) {unjoined}");
            let counted = prepare_text(client, &counted, params.len()).await?;
            let row = client.query_one(&counted, params).await.map_err(backend)?;
            (row.get(0), row.get(1))
        };
        if unfiltered {
            return candidates(false).await;
        }
        let mut page: Vec<_> = rows.iter().map(stored).collect();
        if keyset.backward {
            page.reverse();
        }
        Ok(QueryPage::done(page, usize::try_from(total).unwrap_or_default()))
    }

    /// [`ResourceStore::groups_of`](scimkit_core::ResourceStore::groups_of), once.
    pub(crate) async fn groups_of_once(
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
}

/// How many resources `scope` holds, from the counts the triggers keep (migration 7): the
/// total of an unfiltered query without counting its rows.
async fn counted(client: &deadpool_postgres::Object, scope: Scope<'_>) -> Result<usize> {
    let stmt = client
        .prepare_cached(
            "SELECT coalesce(sum(n), 0)::bigint FROM scim_counts \
             WHERE tenant = $1 AND resource_type = $2",
        )
        .await
        .map_err(backend)?;
    let row =
        client.query_one(&stmt, &[&scope.tenant, &scope.resource_type]).await.map_err(backend)?;
    Ok(usize::try_from(row.get::<_, i64>(0)).unwrap_or_default())
}
