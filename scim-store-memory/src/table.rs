//! One tenant's data: a table per resource type, and the membership index.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use scimkit_core::{
    Error, FilterExecution, GROUP_RESOURCE_TYPE, JsonObject, MAX_GROUP_NESTING,
    MEMBER_RESOURCE_TYPES, Membership, Query, QueryPage, Result, Scope, StoreKeys, StoredResource,
    Version, WriteOptions, group_member_ids, remove_group_member, sort_and_page, unknown_member,
};
use serde_json::Value;

use crate::feed::Feed;
use scimkit_filter::fold_case;

use crate::index::{Index, MembersOf, Narrowing, candidates};
use crate::not_found;

/// One stored resource. Rows are shared (`Arc`) so that a reader can take the rows it needs
/// under the tenant's lock and do its work on them (matching a filter, sorting, copying them
/// out) after the lock is released; a write that changes a row a reader still holds copies it.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    resource: JsonObject,
    version: Version,
}

impl Row {
    pub(crate) fn to_stored(&self) -> StoredResource {
        StoredResource::new(self.resource.clone(), self.version.clone())
    }
}

/// The resources of one type in one tenant, with their indexes.
#[derive(Debug, Default)]
struct Table {
    rows: BTreeMap<Box<str>, Arc<Row>>,
    /// The keys the indexes were built for.
    keys: StoreKeys,
    indexes: Vec<Index>,
}

impl Table {
    /// Rebuilds the indexes if the scope's keys differ from the ones they were built for.
    fn ensure_keys(&mut self, keys: &StoreKeys) {
        if self.keys == *keys && self.indexes.len() == keys.indexed.len() {
            return;
        }
        self.keys = keys.clone();
        self.indexes = keys
            .indexed
            .iter()
            .map(|key| Index::new(key.clone(), keys.unique.contains(key)))
            .collect();
        for (id, row) in &self.rows {
            for index in &mut self.indexes {
                index.insert(id, &row.resource);
            }
        }
    }

    /// Fails with `uniqueness` if another resource holds a unique value of `resource`.
    fn check_unique(&self, resource: &JsonObject, except: Option<&str>) -> Result<()> {
        for index in self.indexes.iter().filter(|i| i.unique) {
            if index.conflict(resource, except).is_some() {
                return Err(Error::Uniqueness {
                    detail: format!("{} is already in use", index.key.name),
                });
            }
        }
        Ok(())
    }

    fn index(&mut self, id: &str, resource: &JsonObject) {
        for index in &mut self.indexes {
            index.insert(id, resource);
        }
    }

    fn unindex(&mut self, id: &str, resource: &JsonObject) {
        for index in &mut self.indexes {
            index.remove(id, resource);
        }
    }
}

/// Everything stored for one tenant.
#[derive(Debug)]
pub(crate) struct Tenant {
    tables: HashMap<Box<str>, Table>,
    /// Member id to the ids of the groups that list it in `members`.
    groups_by_member: HashMap<Box<str>, BTreeSet<Box<str>>>,
    /// The tenant's events.
    pub(crate) feed: Feed,
    /// The most events the feed keeps.
    pub(crate) retention: usize,
}

impl Tenant {
    pub(crate) fn new(retention: usize) -> Self {
        Self {
            tables: HashMap::new(),
            groups_by_member: HashMap::new(),
            feed: Feed::default(),
            retention,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.tables.values().map(|t| t.rows.len()).sum()
    }

    fn table(&mut self, scope: Scope<'_>) -> &mut Table {
        let table = self.tables.entry(scope.resource_type.into()).or_default();
        table.ensure_keys(scope.keys);
        table
    }

    pub(crate) fn create(
        &mut self,
        scope: Scope<'_>,
        resource: JsonObject,
        version: Version,
        options: WriteOptions<'_>,
    ) -> Result<StoredResource> {
        let id = resource_id(&resource)?;
        let table = self.table(scope);
        if table.rows.contains_key(id.as_str()) {
            return Err(Error::Uniqueness { detail: "id is already in use".to_owned() });
        }
        table.check_unique(&resource, None)?;
        if scope.resource_type == GROUP_RESOURCE_TYPE {
            self.check_new_members(&resource, None)?;
        }
        let table = self.table(scope);
        table.index(&id, &resource);
        let row = Arc::new(Row { resource, version: version.clone() });
        let stored = row.to_stored();
        if scope.resource_type == GROUP_RESOURCE_TYPE {
            self.link_members(&id, &row.resource);
        }
        if let Some(event) = options.event {
            self.feed.record(event, &row.resource, Some(&version), self.retention);
        }
        self.table(scope).rows.insert(id.into_boxed_str(), row);
        Ok(stored)
    }

    /// The row of the resource with `id`: a reader copies it out after releasing the lock.
    pub(crate) fn get(&self, resource_type: &str, id: &str) -> Option<Arc<Row>> {
        self.tables.get(resource_type)?.rows.get(id).cloned()
    }

    pub(crate) fn replace(
        &mut self,
        scope: Scope<'_>,
        id: &str,
        resource: JsonObject,
        if_match: Option<&Version>,
        version: Version,
        options: WriteOptions<'_>,
    ) -> Result<StoredResource> {
        if resource_id(&resource)? != id {
            return Err(Error::invalid_value("a replacement must keep the resource's id"));
        }
        let table = self.table(scope);
        let Some(row) = table.rows.get(id) else { return Err(not_found(scope, id)) };
        check_version(row, if_match)?;
        table.check_unique(&resource, Some(id))?;
        if scope.resource_type == GROUP_RESOURCE_TYPE {
            let old = Arc::clone(row);
            self.check_new_members(&resource, Some(&old.resource))?;
        }
        let table = self.table(scope);
        let old = table.rows.remove(id).map(unshare).map(|row| row.resource).unwrap_or_default();
        table.unindex(id, &old);
        table.index(id, &resource);
        let row = Arc::new(Row { resource, version: version.clone() });
        let stored = row.to_stored();
        if scope.resource_type == GROUP_RESOURCE_TYPE {
            self.relink_members(id, &old, &row.resource);
        }
        if let Some(event) = options.event {
            self.feed.record(event, &row.resource, Some(&version), self.retention);
        }
        self.table(scope).rows.insert(id.into(), row);
        Ok(stored)
    }

    pub(crate) fn delete(
        &mut self,
        scope: Scope<'_>,
        id: &str,
        if_match: Option<&Version>,
        options: WriteOptions<'_>,
        mut next_version: impl FnMut() -> Version,
    ) -> Result<()> {
        let table = self.table(scope);
        let Some(row) = table.rows.get(id) else { return Err(not_found(scope, id)) };
        check_version(row, if_match)?;
        let Some(row) = table.rows.remove(id) else { return Err(not_found(scope, id)) };
        table.unindex(id, &row.resource);
        if scope.resource_type == GROUP_RESOURCE_TYPE {
            self.unlink_members(id, &row.resource);
        }
        // The cascades below share the deletion's draft: keep it until they are recorded.
        if let Some(event) = &options.event {
            self.feed.record(event.clone(), &row.resource, None, self.retention);
        }
        // Remove the deleted resource from every group that lists it.
        let groups = self.groups_by_member.remove(id).unwrap_or_default();
        let Some(table) = self.tables.get_mut(GROUP_RESOURCE_TYPE) else { return Ok(()) };
        for group_id in groups {
            let Some(group) = table.rows.get_mut(&group_id) else { continue };
            let group = Arc::make_mut(group);
            remove_group_member(&mut group.resource, id, options.time);
            group.version = next_version();
            if let Some(event) = &options.event {
                let cascade = event.member_removed(&group_id, &group.resource);
                let version = Some(&group.version);
                self.feed.record(cascade, &group.resource, version, self.retention);
            }
        }
        Ok(())
    }

    /// The rows of `scope` that `query`'s filter may match: those its indexes narrow it to,
    /// or every row. Taking them is one reference count each; the matching is [`select`]'s,
    /// outside the lock.
    pub(crate) fn candidates(&self, scope: Scope<'_>, query: &Query<'_>) -> Vec<Arc<Row>> {
        let Some(table) = self.tables.get(scope.resource_type) else { return Vec::new() };
        // Indexes built for other keys than the scope's cannot be trusted to narrow the search.
        let indexes: &[Index] = if table.keys == *scope.keys { &table.indexes } else { &[] };
        let members = |group: &str| self.members_within(group);
        let members: Option<&MembersOf<'_>> = query.tests_memberships().then_some(&members);
        let with = Narrowing { indexes, rows: &table.rows, members };
        match query.filter.and_then(|f| candidates(&with, f)) {
            Some(ids) => ids.iter().filter_map(|id| table.rows.get(*id)).cloned().collect(),
            None => table.rows.values().cloned().collect(),
        }
    }

    /// The keyset page of an unfiltered query by id, straight from the rows' order: the `count`
    /// rows after (or before) the position, whatever the table's size. `None` when the query
    /// is not one.
    pub(crate) fn id_range(&self, scope: Scope<'_>, query: &Query<'_>) -> Option<QueryPage> {
        use std::ops::Bound::{Excluded, Unbounded};
        let keyset = query.keyset?;
        if query.filter.is_some() || query.sort.is_some() {
            return None;
        }
        let Some(table) = self.tables.get(scope.resource_type) else {
            return Some(QueryPage::done(Vec::new(), 0));
        };
        let count = query.page.count;
        let rows: Vec<StoredResource> = match keyset.position.get("id").and_then(Value::as_str) {
            None => table.rows.values().take(count).map(|row| row.to_stored()).collect(),
            Some(id) if keyset.backward => {
                let mut rows: Vec<StoredResource> = table
                    .rows
                    .range::<str, _>((Unbounded, Excluded(id)))
                    .rev()
                    .take(count)
                    .map(|(_, row)| row.to_stored())
                    .collect();
                rows.reverse();
                rows
            }
            Some(id) => table
                .rows
                .range::<str, _>((Excluded(id), Unbounded))
                .take(count)
                .map(|(_, row)| row.to_stored())
                .collect(),
        };
        Some(QueryPage::done(rows, table.rows.len()))
    }

    pub(crate) fn groups_of(&self, member_ids: &[&str]) -> BTreeMap<String, Vec<Membership>> {
        let groups = self.tables.get(GROUP_RESOURCE_TYPE);
        let mut out = BTreeMap::new();
        for &member in member_ids {
            let Some(group_ids) = self.groups_by_member.get(member) else { continue };
            let memberships = group_ids
                .iter()
                .map(|gid| {
                    let display = groups
                        .and_then(|t| t.rows.get(gid))
                        .and_then(|row| row.resource.get("displayName"))
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    Membership::new(gid.to_string(), display)
                })
                .collect();
            out.insert(member.to_owned(), memberships);
        }
        out
    }

    /// The members of the groups whose id is `group` ignoring case (`groups.value` is not
    /// case-exact), direct or nested up to [`MAX_GROUP_NESTING`] levels below it: every
    /// resource whose `groups` may hold `group`, each group's members walked once.
    fn members_within(&self, group: &str) -> BTreeSet<String> {
        let Some(groups) = self.tables.get(GROUP_RESOURCE_TYPE) else { return BTreeSet::new() };
        let folded = fold_case(group);
        let mut level: Vec<&str> =
            groups.rows.keys().filter(|id| fold_case(id) == folded).map(|id| &**id).collect();
        let mut walked: HashSet<&str> = level.iter().copied().collect();
        let mut members = BTreeSet::new();
        for _ in 0..MAX_GROUP_NESTING {
            let mut next = Vec::new();
            for row in level.iter().filter_map(|id| groups.rows.get(*id)) {
                for member in group_member_ids(&row.resource) {
                    members.insert(member.to_owned());
                    if groups.rows.contains_key(member) && walked.insert(member) {
                        next.push(member);
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            level = next;
        }
        members
    }

    /// Refuses a group write that adds a member no resource of the tenant has the id of:
    /// such a member would be listed for ever (and one deleted while the write was made would
    /// outlive its deletion).
    fn check_new_members(&self, group: &JsonObject, old: Option<&JsonObject>) -> Result<()> {
        let before: HashSet<&str> = old.map(|o| group_member_ids(o).collect()).unwrap_or_default();
        for member in group_member_ids(group) {
            let exists = |t: &str| self.tables.get(t).is_some_and(|t| t.rows.contains_key(member));
            if !before.contains(member) && !MEMBER_RESOURCE_TYPES.into_iter().any(exists) {
                return Err(unknown_member(member));
            }
        }
        Ok(())
    }

    fn link_members(&mut self, group_id: &str, group: &JsonObject) {
        for member in group_member_ids(group) {
            self.link_member(group_id, member);
        }
    }

    fn unlink_members(&mut self, group_id: &str, group: &JsonObject) {
        for member in group_member_ids(group) {
            self.unlink_member(group_id, member);
        }
    }

    /// Moves the membership index of a replaced group from `old`'s members to `new`'s,
    /// touching only the members that came or went.
    fn relink_members(&mut self, group_id: &str, old: &JsonObject, new: &JsonObject) {
        let before: HashSet<&str> = group_member_ids(old).collect();
        let after: HashSet<&str> = group_member_ids(new).collect();
        for &gone in before.difference(&after) {
            self.unlink_member(group_id, gone);
        }
        for &came in after.difference(&before) {
            self.link_member(group_id, came);
        }
    }

    fn link_member(&mut self, group_id: &str, member: &str) {
        self.groups_by_member.entry(member.into()).or_default().insert(group_id.into());
    }

    fn unlink_member(&mut self, group_id: &str, member: &str) {
        if let Some(groups) = self.groups_by_member.get_mut(member) {
            groups.remove(group_id);
            if groups.is_empty() {
                self.groups_by_member.remove(member);
            }
        }
    }
}

fn resource_id(resource: &JsonObject) -> Result<String> {
    match resource.get("id") {
        Some(Value::String(id)) if !id.is_empty() => Ok(id.clone()),
        _ => Err(Error::invalid_value("a stored resource needs a string id")),
    }
}

/// The page of `query` among `candidates` (in id order, as [`Tenant::candidates`] gives them).
/// A filter on memberships is left to the library, which evaluates it on the candidates with
/// their memberships in place.
pub(crate) fn select(candidates: &[Arc<Row>], query: &Query<'_>) -> QueryPage {
    if query.tests_memberships() {
        let rows = candidates.iter().map(|row| row.to_stored()).collect();
        return QueryPage::candidates(rows, FilterExecution::Superset, query.sort.is_none());
    }
    let matches = |row: &&Arc<Row>| query.matcher.is_none_or(|m| m.matches_object(&row.resource));
    let found: Vec<&Arc<Row>> = candidates.iter().filter(matches).collect();
    // Rows come in id order (the map's and the indexes').
    let (page, total) = sort_and_page(found, query, query.sort.is_none(), |row| &row.resource);
    QueryPage::done(page.into_iter().map(|row| row.to_stored()).collect(), total)
}

/// A row taken out of its table, copied only if a reader still holds it.
fn unshare(row: Arc<Row>) -> Row {
    Arc::try_unwrap(row).unwrap_or_else(|shared| (*shared).clone())
}

fn check_version(row: &Row, if_match: Option<&Version>) -> Result<()> {
    match if_match {
        Some(expected) if *expected != row.version => Err(Error::PreconditionFailed {
            detail: "the resource has changed since the version given in If-Match".to_owned(),
        }),
        _ => Ok(()),
    }
}
