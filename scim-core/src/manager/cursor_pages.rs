//! RFC 9865 cursor paging: a page after (or before) where the cursor's page ended, by keyset,
//! and the cursors of the pages around it.

use std::time::UNIX_EPOCH;

use super::{ListResult, ResourceManager};
use crate::cursor::{CursorState, binding};
use crate::error::{Error, Result};
use crate::message::{SearchRequest, SortOrder};
use crate::registry::ResourceTypeSchema;
use crate::store::{Keyset, Page, Query, Scope, StoredResource, sort_and_page};

/// A cursor-paged request, checked: its page size, what its cursors bind, and where it starts.
pub(crate) struct CursorRequest {
    pub(crate) count: usize,
    binding: String,
    keyset: Option<Keyset>,
}

/// The resource type name a root search's cursors carry (no type is named so).
const ROOT: &str = "/";

/// Where a root `/.search` page starts: the index of a resource type in the registry, and the
/// position within it (none: from its first result).
pub(crate) struct RootCursor {
    pub(crate) count: usize,
    pub(crate) type_index: usize,
    position: Option<crate::normalize::JsonObject>,
    binding: String,
}

impl RootCursor {
    /// The request for the type's page: `count` results from the position (the page size a
    /// root page has left).
    pub(crate) fn type_request(&self, type_index: usize, count: usize) -> CursorRequest {
        let keyset = match type_index == self.type_index {
            true => self.position.clone().map(|p| Keyset::new(p, false)),
            false => None,
        };
        CursorRequest { count, binding: self.binding.clone(), keyset }
    }
}

impl ResourceManager {
    /// Reads the cursor of `request` (`cursor`: empty for the first page) for `tenant`'s
    /// resources of `schema`'s type.
    ///
    /// # Errors
    ///
    /// `invalidValue` when the request also gives a `startIndex`; `invalidCursor` for a cursor
    /// this service did not give for this tenant, resource type, filter and sort;
    /// `expiredCursor` past the cursor timeout; `invalidCount` for another count than the
    /// query began with.
    pub(super) fn cursor_of(
        &self,
        tenant: &str,
        schema: &ResourceTypeSchema<'_>,
        request: &SearchRequest,
        cursor: &str,
    ) -> Result<CursorRequest> {
        let (count, binding, state) =
            self.read_cursor(tenant, &schema.resource_type().name, request, cursor)?;
        let keyset = state.map(|state| Keyset::new(state.position, state.backward));
        Ok(CursorRequest { count, binding, keyset })
    }

    /// Reads the cursor of a root `/.search` (`cursor`: empty for the first page).
    ///
    /// # Errors
    ///
    /// As [`cursor_of`](Self::cursor_of).
    pub(crate) fn root_cursor_of(
        &self,
        tenant: &str,
        request: &SearchRequest,
        cursor: &str,
    ) -> Result<RootCursor> {
        let (count, binding, state) = self.read_cursor(tenant, ROOT, request, cursor)?;
        let Some(state) = state else {
            return Ok(RootCursor { count, type_index: 0, position: None, binding });
        };
        let type_index = state
            .position
            .get("type")
            .and_then(serde_json::Value::as_u64)
            .and_then(|i| usize::try_from(i).ok())
            .ok_or_else(not_ours)?;
        let position = state.position.get("at").and_then(serde_json::Value::as_object).cloned();
        Ok(RootCursor { count, type_index, position, binding })
    }

    /// The page size of a cursor-paged `request` for `resource_type`, what its cursors bind,
    /// and its cursor's state (none for the first page), checked against the tenant, the type,
    /// the query and the count.
    fn read_cursor(
        &self,
        tenant: &str,
        resource_type: &str,
        request: &SearchRequest,
        cursor: &str,
    ) -> Result<(usize, String, Option<CursorState>)> {
        if request.start_index.is_some() {
            return Err(Error::invalid_value(
                "startIndex and cursor ask for two kinds of paging: send one of them",
            ));
        }
        let count = self.page_of(request).count;
        let descending = request.sort_order == Some(SortOrder::Descending);
        let binding = binding(request.filter.as_deref(), request.sort_by.as_deref(), descending);
        if cursor.trim().is_empty() {
            return Ok((count, binding, None));
        }
        let state = CursorState::decode(cursor, &self.config.cursors, self.unix_seconds())?;
        if state.tenant != tenant
            || state.resource_type != resource_type
            || state.binding != binding
        {
            return Err(not_ours());
        }
        if state.count != count {
            return Err(Error::InvalidCount {
                detail: format!(
                    "a cursor page keeps the count its query began with ({})",
                    state.count
                ),
            });
        }
        Ok((count, binding, Some(state)))
    }

    /// Now, in seconds since the Unix epoch, by the manager's clock.
    fn unix_seconds(&self) -> u64 {
        self.clock.now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
    }

    /// The cursor of the root page that starts at the type `type_index`, after `after` (a
    /// resource of that type, sorted by `sort`) or from its first result.
    pub(crate) fn root_cursor(
        &self,
        tenant: &str,
        root: &RootCursor,
        type_index: usize,
        after: Option<(&StoredResource, Option<&crate::sort::SortKey>)>,
    ) -> String {
        let mut position = crate::normalize::JsonObject::new();
        position.insert("type".to_owned(), serde_json::Value::from(type_index));
        if let Some((resource, sort)) = after {
            let at = Keyset::position_of(&resource.resource, sort);
            position.insert("at".to_owned(), serde_json::Value::Object(at));
        }
        CursorState {
            tenant: tenant.to_owned(),
            resource_type: ROOT.to_owned(),
            binding: root.binding.clone(),
            count: root.count,
            position,
            backward: false,
            issued: self.unix_seconds(),
        }
        .encode(&self.config.cursors)
    }

    /// The page of a cursor-paged query: `query` asks for one more result than the page holds,
    /// to tell whether another page follows (or, backwards, precedes).
    pub(super) async fn cursor_page(
        &self,
        scope: Scope<'_>,
        mut query: Query<'_>,
        cursor: CursorRequest,
    ) -> Result<ListResult> {
        let CursorRequest { count, binding, keyset } = cursor;
        let wanted = count.saturating_add(1);
        let native = self.store.capabilities().keyset;
        // A store that pages by keyset gets the first page as one too (from the start).
        let start = Keyset::start();
        if native {
            query = query.with_keyset(keyset.as_ref().unwrap_or(&start));
        }
        if !native && keyset.is_some() {
            // Every match, to page here.
            query.page = Page::new(1, usize::MAX);
        } else {
            query.page = Page::new(1, wanted);
        }
        let page = self.query_page(scope, &query).await?;
        let total = page.total_results;
        let mut resources = page.resources;
        if let (Some(keyset), false) = (&keyset, native) {
            let query = Query { keyset: Some(keyset), page: Page::new(1, wanted), ..query };
            resources = sort_and_page(resources, &query, true, |r| &r.resource).0;
        }
        let backward = keyset.as_ref().is_some_and(|k| k.backward);
        let more = resources.len() > count;
        if more {
            match backward {
                true => drop(resources.remove(0)),
                false => resources.truncate(count),
            }
        }
        let cursor_at = |resource: &StoredResource, backward: bool| {
            CursorState {
                tenant: scope.tenant.to_owned(),
                resource_type: scope.resource_type.to_owned(),
                binding: binding.clone(),
                count,
                position: Keyset::position_of(&resource.resource, query.sort),
                backward,
                issued: self.unix_seconds(),
            }
            .encode(&self.config.cursors)
        };
        let (first, last) = (resources.first(), resources.last());
        // Forward, a next page follows if more was found; backward, the page the cursor came
        // from follows. A previous page precedes a page reached by a cursor going forward, and
        // going backward, if more was found.
        let next = match backward {
            true => last.map(|r| cursor_at(r, false)),
            false => last.filter(|_| more).map(|r| cursor_at(r, false)),
        };
        let previous = match backward {
            true => first.filter(|_| more).map(|r| cursor_at(r, true)),
            false => first.filter(|_| keyset.is_some()).map(|r| cursor_at(r, true)),
        };
        Ok(ListResult {
            resources,
            total_results: total,
            start_index: 1,
            next_cursor: if count == 0 { None } else { next },
            previous_cursor: if count == 0 { None } else { previous },
        })
    }
}

/// The answer to a cursor this service did not give for this query (or that was altered).
fn not_ours() -> Error {
    Error::InvalidCursor {
        detail: "the cursor is not one this service gave for this query; start again with an \
                 empty cursor"
            .to_owned(),
    }
}
