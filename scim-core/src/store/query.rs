//! Queries: filter, sort and page, executed by the store as far as it can and completed by the
//! library.

use std::fmt;

use std::cmp::Ordering;

use scimkit_filter::{Filter, FilterSchema, PreparedFilter};

use super::StoredResource;
use crate::normalize::JsonObject;
use crate::sort::SortKey;

/// Which slice of the results to return (RFC 7644 §3.4.2.4). Room is left for cursor paging
/// in a later version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Page {
    /// The 1-based index of the first result.
    pub start_index: usize,
    /// The most results to return (0 asks only for the total).
    pub count: usize,
}

impl Page {
    /// Results `start_index` (1-based; 0 is read as 1) to `start_index + count - 1`.
    pub fn new(start_index: usize, count: usize) -> Self {
        Self { start_index: start_index.max(1), count }
    }

    /// The 0-based range of this page within `total` results.
    pub fn range(&self, total: usize) -> std::ops::Range<usize> {
        let start = (self.start_index - 1).min(total);
        start..start.saturating_add(self.count).min(total)
    }
}

/// Where a keyset page starts (RFC 9865 cursor paging): the page is the results strictly
/// after `position` in the query's order, or with `backward` the results strictly before it
/// (still returned in the query's order: the last `count` of them). `position` is what
/// [`Keyset::position_of`] keeps of a resource: its `id` and the value it sorts by, so that
/// a store compares with the query's own order ([`SortKey::compare_then_id`], or `id`s).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Keyset {
    /// The resource the page starts after (or before).
    pub position: JsonObject,
    /// Whether the page is the one before the position.
    pub backward: bool,
}

impl Keyset {
    /// A page after (`backward` false) or before `position`.
    pub fn new(position: JsonObject, backward: bool) -> Self {
        Self { position, backward }
    }

    /// The first page: from the start, before any position (a position without an `id`).
    pub fn start() -> Self {
        Self { position: JsonObject::new(), backward: false }
    }

    /// Whether this is [`Keyset::start`]: the first page.
    pub fn is_start(&self) -> bool {
        !self.position.contains_key("id")
    }

    /// What a keyset keeps of `resource` to start a page after it in the order of `sort`: its
    /// `id`, and the attribute it sorts by.
    pub fn position_of(resource: &JsonObject, sort: Option<&SortKey>) -> JsonObject {
        let mut position = JsonObject::new();
        if let Some(id) = resource.get("id") {
            position.insert("id".to_owned(), id.clone());
        }
        let Some(sort) = sort else { return position };
        match sort.extension() {
            Some(urn) => {
                let value = resource
                    .get(urn)
                    .and_then(serde_json::Value::as_object)
                    .and_then(|ext| ext.get(sort.attribute()));
                if let Some(value) = value {
                    let mut ext = JsonObject::new();
                    ext.insert(sort.attribute().to_owned(), value.clone());
                    position.insert(urn.to_owned(), serde_json::Value::Object(ext));
                }
            }
            None => {
                if let Some(value) = resource.get(sort.attribute()) {
                    position.insert(sort.attribute().to_owned(), value.clone());
                }
            }
        }
        position
    }

    /// Whether `resource` belongs on this keyset's side of the position, in the order of
    /// `sort` (by `id` without one).
    pub fn admits(&self, resource: &JsonObject, sort: Option<&SortKey>) -> bool {
        if self.is_start() {
            return true;
        }
        let ordering = order(sort, resource, &self.position);
        if self.backward { ordering == Ordering::Less } else { ordering == Ordering::Greater }
    }
}

/// The order of query results: `sort` then `id`, or `id` alone.
fn order(sort: Option<&SortKey>, a: &JsonObject, b: &JsonObject) -> Ordering {
    match sort {
        Some(sort) => sort.compare_then_id(a, b),
        None => {
            let (a, b) = (a.get("id"), b.get("id"));
            a.and_then(serde_json::Value::as_str).cmp(&b.and_then(serde_json::Value::as_str))
        }
    }
}

/// Sorts and pages `items` (each a resource through `resource`) as `query` asks: the range of
/// its page, or with a keyset the `count` items after (or the last `count` before) the
/// position; only as much is sorted as the page needs. `items` must hold every match, in `id`
/// order when `sorted`; returns the page and the number of matches.
pub fn sort_and_page<T>(
    mut items: Vec<T>,
    query: &Query<'_>,
    sorted: bool,
    resource: impl Fn(&T) -> &JsonObject,
) -> (Vec<T>, usize) {
    let total = items.len();
    let sort = query.sort;
    let order = |a: &T, b: &T| self::order(sort, resource(a), resource(b));
    let range = match query.keyset {
        Some(keyset) => {
            items.retain(|item| keyset.admits(resource(item), sort));
            let len = items.len();
            let count = query.page.count.min(len);
            match keyset.backward {
                true => len - count..len,
                false => 0..count,
            }
        }
        None => query.page.range(total),
    };
    let len = items.len();
    if !sorted {
        // Only the items up to the end of the page (or from its start, backwards) need to be
        // in order.
        if range.end < len && range.end > 0 {
            items.select_nth_unstable_by(range.end - 1, order);
            items.truncate(range.end);
        }
        if range.start > 0 && range.start < items.len() {
            items.select_nth_unstable_by(range.start, order);
            let page = items.split_off(range.start);
            items = page;
            items.sort_by(order);
            return (items, total);
        }
        items.sort_by(order);
    }
    items.truncate(range.end);
    items.drain(..range.start.min(items.len()));
    (items, total)
}

/// A query over one scope.
///
/// `filter` is the parsed filter (for stores that translate it, such as a SQL store) and
/// `matcher` the same filter prepared with the resource type's schema (for stores that evaluate
/// in memory); both are `None` when the request has no filter. `schema` tells a translating
/// store the type, multiplicity and case-exactness of the attributes the filter names (the
/// library always sets it; a store must still be correct without it). `sort` is the requested
/// order; with no sort, results are ordered by `id`.
///
/// `memberships` says that the type's `groups` attribute is derived from group membership
/// (the User type's, RFC 7643 §4.1.2): filter terms on `groups` (see
/// [`filter_tests_groups`](crate::filter_tests_groups)) test the resource's memberships, direct
/// and nested up to [`MAX_GROUP_NESTING`](crate::MAX_GROUP_NESTING) levels, each with the
/// `value`, `display` and `type` of [`memberships_value`](crate::memberships_value), never
/// data stored under that name. A store that cannot evaluate such terms returns its
/// candidates as a [`FilterExecution::Superset`], and the library evaluates them with the
/// memberships in place.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct Query<'a> {
    /// The filter, as parsed.
    pub filter: Option<&'a Filter>,
    /// The filter prepared with the resource type's schema hook.
    pub matcher: Option<&'a PreparedFilter>,
    /// The resource type's schema, as the filter evaluator sees it.
    pub schema: Option<&'a (dyn FilterSchema + Sync)>,
    /// The requested order.
    pub sort: Option<&'a SortKey>,
    /// The requested page.
    pub page: Page,
    /// Whether `groups` is derived from membership (see [`Query`]).
    pub memberships: bool,
    /// Where a keyset page starts, for a store whose [`Capabilities::keyset`] says it pages
    /// by keyset (see [`Keyset`]); `page.start_index` is then 1.
    ///
    /// [`Capabilities::keyset`]: super::Capabilities::keyset
    pub keyset: Option<&'a Keyset>,
}

impl<'a> Query<'a> {
    /// A query for `page` with no filter and no sort.
    pub fn new(page: Page) -> Self {
        Self {
            filter: None,
            matcher: None,
            schema: None,
            sort: None,
            page,
            memberships: false,
            keyset: None,
        }
    }

    /// This query with the resource type's schema, for stores that translate the filter.
    #[must_use]
    pub fn with_schema(mut self, schema: &'a (dyn FilterSchema + Sync)) -> Self {
        self.schema = Some(schema);
        self
    }

    /// This query with a filter, as parsed and as prepared (see [`Query`]).
    #[must_use]
    pub fn with_filter(mut self, filter: &'a Filter, matcher: &'a PreparedFilter) -> Self {
        self.filter = Some(filter);
        self.matcher = Some(matcher);
        self
    }

    /// This query over a type whose `groups` is derived from membership (see [`Query`]).
    #[must_use]
    pub fn with_memberships(mut self) -> Self {
        self.memberships = true;
        self
    }

    /// This query for the keyset page of `keyset`.
    #[must_use]
    pub fn with_keyset(mut self, keyset: &'a Keyset) -> Self {
        self.keyset = Some(keyset);
        self
    }

    /// Whether the filter tests memberships (`groups` of a type that derives it), which only
    /// a store that knows them can evaluate.
    pub fn tests_memberships(&self) -> bool {
        self.memberships && self.filter.is_some_and(crate::filter_tests_groups)
    }

    /// This query with an order.
    #[must_use]
    pub fn with_sort(mut self, sort: &'a SortKey) -> Self {
        self.sort = Some(sort);
        self
    }
}

impl fmt::Debug for Query<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Query")
            .field("filter", &self.filter)
            .field("matcher", &self.matcher)
            .field("schema", &self.schema.map(|_| "FilterSchema"))
            .field("sort", &self.sort)
            .field("page", &self.page)
            .field("memberships", &self.memberships)
            .field("keyset", &self.keyset)
            .finish()
    }
}

/// How far a store applied the filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FilterExecution {
    /// The results are exactly the resources that match.
    Exact,
    /// The results include every match and possibly more; the library evaluates the filter on
    /// them. A store that cannot translate a filter at all returns every resource of the scope.
    Superset,
}

/// What a store returns for a query, and what it did.
///
/// Either the store did everything (`paged`: the filter exactly, the sort if one was asked for,
/// and the page; `total_results` is the number of all matches), or it returns every candidate
/// unpaged and the library filters (if `filter` is [`FilterExecution::Superset`]), sorts (if not
/// `sorted`) and pages. [`QueryPage::complete`] does the library's part.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct QueryPage {
    /// The resources: the page, or all candidates when not `paged`.
    pub resources: Vec<StoredResource>,
    /// The number of all matches (meaningful when `paged`).
    pub total_results: usize,
    /// How far the filter was applied.
    pub filter: FilterExecution,
    /// Whether `resources` are in the requested order (by `id` when no sort was asked for).
    pub sorted: bool,
    /// Whether the store applied the page.
    pub paged: bool,
}

impl QueryPage {
    /// A page the store computed entirely.
    pub fn done(resources: Vec<StoredResource>, total_results: usize) -> Self {
        Self { resources, total_results, filter: FilterExecution::Exact, sorted: true, paged: true }
    }

    /// Every candidate, unfiltered, unsorted and unpaged: the library does the rest.
    pub fn candidates(
        resources: Vec<StoredResource>,
        filter: FilterExecution,
        sorted: bool,
    ) -> Self {
        let total_results = resources.len();
        Self { resources, total_results, filter, sorted, paged: false }
    }

    /// Completes what the store left undone: evaluates the filter, sorts (by `id` when no sort
    /// was asked for) and pages, so that the result and its total are exact.
    #[must_use]
    pub fn complete(mut self, query: &Query<'_>) -> Self {
        if self.paged {
            return self;
        }
        if self.filter == FilterExecution::Superset {
            if let Some(matcher) = query.matcher {
                self.resources.retain(|r| matcher.matches_object(&r.resource));
            }
        }
        let (page, total) =
            sort_and_page(std::mem::take(&mut self.resources), query, self.sorted, |r| &r.resource);
        self.resources = page;
        Self::done(self.resources, total)
    }
}
