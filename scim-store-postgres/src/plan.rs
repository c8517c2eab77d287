//! Planning a query: the statement a filter, sort and page become, and the sorts the
//! library's comparator finishes.

use deadpool_postgres::GenericClient;
use scimkit_core::{Query, QueryPage, Result, Scope, SortOrder, StoredResource};
use tokio_postgres::types::{ToSql, Type};

use crate::filter::{self, BASE_PARAMS, key_name, key_table};
use crate::{PostgresStore, backend, stored};

impl PostgresStore {
    /// A query sorted by a case-insensitive string, which SQL orders exactly only for ASCII
    /// values: one statement reads the id and the sorted value `text` of every candidate of
    /// `from` (and whether the filter is exact on them: `unfiltered` holds for none), the
    /// library's comparator orders them, and only the page's rows are read. `None` if the
    /// filter is not exact on the data, and the library must have every candidate.
    pub(crate) async fn sort_in_rust(
        &self,
        client: &deadpool_postgres::Object,
        scope: Scope<'_>,
        query: &Query<'_>,
        sort: &scimkit_core::SortKey,
        params: &[&(dyn ToSql + Sync)],
        (from, text, unfiltered): (&str, &str, &str),
    ) -> Result<Option<QueryPage>> {
        let sql =
            format!("SELECT r.id, {text}, coalesce(bool_or({unfiltered}) OVER (), false) {from}");
        let sql = prepare_text(client, &sql, params.len()).await?;
        let rows = client.query(&sql, params).await.map_err(backend)?;
        if rows.first().is_some_and(|row| row.get::<_, bool>(2)) {
            return Ok(None);
        }
        let mut keys: Vec<(&str, Option<&str>)> =
            rows.iter().map(|row| (row.get(0), row.get(1))).collect();
        let total = keys.len();
        let range = query.page.range(total);
        let order = |a: &(&str, Option<&str>), b: &(&str, Option<&str>)| {
            sort.compare_strings_then_id(*a, *b)
        };
        if range.end < total && range.end > 0 {
            keys.select_nth_unstable_by(range.end - 1, order);
        }
        keys.truncate(range.end);
        keys.sort_by(order);
        let ids: Vec<&str> = keys[range.start..].iter().map(|(id, _)| *id).collect();
        let stmt = client
            .prepare_cached(
                "SELECT id, version, data FROM scim_resources WHERE tenant = $1 \
                 AND resource_type = $2 AND id = ANY($3)",
            )
            .await
            .map_err(backend)?;
        let rows = client
            .query(&stmt, &[&scope.tenant, &scope.resource_type, &ids])
            .await
            .map_err(backend)?;
        let mut by_id: std::collections::HashMap<String, StoredResource> =
            rows.iter().map(|row| (row.get(0), stored(row))).collect();
        let page = ids.iter().filter_map(|id| by_id.remove(*id)).collect();
        Ok(Some(QueryPage::done(page, total)))
    }
}

/// The most statements a connection keeps prepared. A query's SQL depends only on the shape
/// of its filter and sort (every value is a parameter), so the usual queries are prepared once
/// per connection; the bound keeps clients that send ever new shapes from growing the cache.
pub(crate) const MAX_CACHED_STATEMENTS: usize = 256;

/// Prepares (or takes from the connection's cache) a statement whose `count` parameters are
/// all text (some may go unused).
pub(crate) async fn prepare_text(
    client: &deadpool_postgres::Object,
    sql: &str,
    count: usize,
) -> Result<tokio_postgres::Statement> {
    let types = vec![Type::TEXT; count];
    if client.statement_cache.size() >= MAX_CACHED_STATEMENTS {
        client.statement_cache.clear();
    }
    client.prepare_typed_cached(sql, &types).await.map_err(backend)
}

/// How a query runs: its conditions and parameters, and the SQL order if the store can sort.
pub(crate) struct Plan {
    pub(crate) superset: String,
    pub(crate) strict: String,
    pub(crate) params: Vec<String>,
    /// Known exact without a probe.
    pub(crate) exact: bool,
    /// A join for the sort key, if any.
    pub(crate) join: String,
    /// The SQL order for the requested sort, if the store can sort by it.
    pub(crate) order: Option<Order>,
    /// The string value sorted by, when SQL cannot order it exactly and the library's
    /// comparator does (see [`PostgresStore::sort_in_rust`]).
    pub(crate) sort_in_rust: Option<String>,
    /// Whether the conditions depend on the spellings of member names.
    pub(crate) uses_names: bool,
}

/// An order in SQL: by a sort key (then `id`), or by `id` alone.
pub(crate) struct Order {
    /// The sort key's SQL, if any.
    pub(crate) key: Option<String>,
    /// `ASC NULLS LAST` or `DESC NULLS FIRST`: missing values last in ascending order.
    pub(crate) direction: &'static str,
}

impl Order {
    /// The ORDER BY list with `key` and `id` standing for the sort key and the id.
    pub(crate) fn sql(&self, key: &str, id: &str) -> String {
        match &self.key {
            Some(_) => format!("{key} {}, {id}", self.direction),
            None => id.to_owned(),
        }
    }

    /// The ORDER BY list over the query's own row `r`.
    pub(crate) fn sql_of_plan(&self) -> String {
        self.sql(self.key.as_deref().unwrap_or_default(), "r.id")
    }
}

impl Plan {
    /// Holds for a candidate row that keeps SQL's filter from being exact: one that the
    /// superset admits and the strict condition does not.
    pub(crate) fn unfiltered(&self) -> String {
        if self.exact { "false".to_owned() } else { format!("NOT ({})", self.strict) }
    }
}

pub(crate) fn plan(scope: Scope<'_>, query: &Query<'_>, spellings: &filter::Spellings) -> Plan {
    let schema = query.schema.map(|s| s as &dyn scimkit_filter::FilterSchema);
    let (superset, strict, mut params, exact, uses_names) = match query.filter {
        Some(filter) => {
            let t = filter::translate(filter, scope.keys, spellings, schema, query.memberships);
            let exact = t.is_exact();
            (t.superset, t.strict, t.params, exact, t.uses_names)
        }
        None => ("TRUE".to_owned(), "TRUE".to_owned(), Vec::new(), true, false),
    };
    let mut sort_in_rust = None;
    let direction = |sort: &scimkit_core::SortKey| match sort.order() {
        SortOrder::Ascending => "ASC NULLS LAST",
        SortOrder::Descending => "DESC NULLS FIRST",
    };
    let (join, order) = match query.sort {
        None => (String::new(), Some(Order { key: None, direction: "ASC" })),
        Some(sort) => match sort_key_attribute(scope, sort) {
            Some(key) => {
                params.push(key_name(key));
                let n = params.len() + BASE_PARAMS;
                let table = key_table(scope.keys.unique.contains(key));
                let join = format!(
                    "LEFT JOIN {table} AS sk ON sk.tenant = r.tenant AND sk.resource_type = \
                         r.resource_type AND sk.attribute = ${n}::text AND sk.id = r.id"
                );
                let order = Order { key: Some("sk.key".to_owned()), direction: direction(sort) };
                (join, Some(order))
            }
            None => match schema.and_then(|schema| sort_value(sort, schema, &mut params)) {
                Some(SortValue::Sql(key)) => {
                    (String::new(), Some(Order { key: Some(key), direction: direction(sort) }))
                }
                Some(SortValue::Text(text)) => {
                    sort_in_rust = Some(text);
                    (String::new(), None)
                }
                None => (String::new(), None),
            },
        },
    };
    Plan { superset, strict, params, exact, join, order, sort_in_rust, uses_names }
}

/// The key attribute whose key table orders `sort` exactly, if there is one: the sorted
/// attribute itself, with the case-exactness the sort compares with.
pub(crate) fn sort_key_attribute<'k>(
    scope: Scope<'k>,
    sort: &scimkit_core::SortKey,
) -> Option<&'k scimkit_core::KeyAttribute> {
    scope.keys.indexed.iter().find(|k| {
        k.schema.as_deref() == sort.extension()
            && k.name == sort.attribute()
            && sort.sub_attribute().is_none()
            && sort.case_exact() == Some(k.case_exact)
    })
}

/// How a sort runs in SQL.
enum SortValue {
    /// SQL orders by this value as the library does: SQL NULL when the resource has none of
    /// the expected type, which sorts last in ascending order and first in descending order.
    Sql(String),
    /// SQL cannot order this string value exactly (a case-insensitive string, lower-cased
    /// exactly only for ASCII); the library's comparator orders it.
    Text(String),
}

/// How SQL sorts by `sort`, for string-like, boolean and dateTime attributes (the library sorts
/// numbers itself); the names it looks up are bound in `params`.
fn sort_value(
    sort: &scimkit_core::SortKey,
    schema: &dyn scimkit_filter::FilterSchema,
    params: &mut Vec<String>,
) -> Option<SortValue> {
    use scimkit_filter::AttrType;
    let attr = schema.attribute(sort.extension(), sort.attribute(), None)?;
    let target = match sort.sub_attribute() {
        Some(sub) => schema.attribute(sort.extension(), sort.attribute(), Some(sub))?,
        None => attr,
    };
    let mut param = |name: &str| {
        params.push(name.to_owned());
        format!("${}::text", params.len() + BASE_PARAMS)
    };
    let mut value = match sort.extension() {
        Some(urn) => format!("(r.data -> {})", param(urn)),
        None => "r.data".to_owned(),
    };
    value = format!("({value} -> {})", param(sort.attribute()));
    if attr.multi_valued {
        value = format!("scim_primary_or_first({value})");
    }
    if let Some(sub) = sort.sub_attribute() {
        value = format!("({value} -> {})", param(sub));
        if target.multi_valued {
            value = format!("scim_primary_or_first({value})");
        }
    }
    let text = format!("(CASE WHEN jsonb_typeof({value}) = 'string' THEN {value} #>> '{{}}' END)");
    match target.attr_type {
        AttrType::String | AttrType::Reference | AttrType::Binary if target.case_exact => {
            Some(SortValue::Sql(format!("{text} COLLATE \"C\"")))
        }
        AttrType::String | AttrType::Reference | AttrType::Binary => Some(SortValue::Text(text)),
        AttrType::DateTime => Some(SortValue::Sql(format!("scim_instant({text})"))),
        AttrType::Boolean => Some(SortValue::Sql(format!(
            "(CASE WHEN jsonb_typeof({value}) = 'boolean' THEN ({value})::boolean END)"
        ))),
        _ => None,
    }
}
