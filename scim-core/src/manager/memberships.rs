//! A resource's memberships, direct and nested: what its `groups` lists and what a filter on
//! `groups` tests.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::ResourceManager;
use crate::error::Result;
use crate::normalize::JsonObject;
use crate::store::{
    FilterExecution, MAX_GROUP_NESTING, Membership, Query, QueryPage, StoredResource,
    memberships_value,
};

impl ResourceManager {
    /// The memberships of each of `ids` in `tenant`: the groups that list it (direct), then
    /// the groups those are in, and so on up to [`MAX_GROUP_NESTING`] levels (indirect), each
    /// group once, at the level nearest the member. Cycles end where they come back. Costs one
    /// store call per level, each group's parents asked for once.
    pub(crate) async fn memberships_of(
        &self,
        tenant: &str,
        ids: &[&str],
    ) -> Result<BTreeMap<String, Vec<Membership>>> {
        let direct = self.store.groups_of(tenant, ids).await?;
        // The groups each reachable group is directly in, asked for level by level.
        let mut parents: HashMap<String, Vec<Membership>> = HashMap::new();
        let mut frontier: BTreeSet<String> =
            direct.values().flatten().map(|m| m.group_id.clone()).collect();
        for _ in 1..MAX_GROUP_NESTING {
            frontier.retain(|g| !parents.contains_key(g));
            if frontier.is_empty() {
                break;
            }
            let asked: Vec<&str> = frontier.iter().map(String::as_str).collect();
            let mut found = self.store.groups_of(tenant, &asked).await?;
            let mut next = BTreeSet::new();
            for group in std::mem::take(&mut frontier) {
                let above = found.remove(&group).unwrap_or_default();
                next.extend(above.iter().map(|m| m.group_id.clone()));
                parents.insert(group, above);
            }
            frontier = next;
        }
        let mut out = BTreeMap::new();
        for (member, groups) in direct {
            if groups.is_empty() {
                continue;
            }
            let mut seen: HashSet<&str> = groups.iter().map(|m| m.group_id.as_str()).collect();
            let mut level: Vec<&str> = groups.iter().map(|m| m.group_id.as_str()).collect();
            let mut nested = Vec::new();
            for _ in 1..MAX_GROUP_NESTING {
                let mut next = Vec::new();
                for above in level.iter().filter_map(|g| parents.get(*g)).flatten() {
                    if seen.insert(&above.group_id) {
                        nested.push(above.clone().nested());
                        next.push(above.group_id.as_str());
                    }
                }
                if next.is_empty() {
                    break;
                }
                level = next;
            }
            let mut all: Vec<Membership> = groups.iter().cloned().map(direct_only).collect();
            all.extend(nested);
            out.insert(member, all);
        }
        Ok(out)
    }

    /// Completes a page whose filter tests memberships but which the store returned as
    /// candidates: each candidate is given its `groups` for the filter and sort to see, and
    /// loses it again before rendering derives it afresh.
    pub(crate) async fn complete_with_memberships(
        &self,
        tenant: &str,
        mut page: QueryPage,
        query: &Query<'_>,
    ) -> Result<QueryPage> {
        if page.paged || page.filter != FilterExecution::Superset {
            return Ok(page.complete(query));
        }
        let ids: Vec<&str> = page.resources.iter().map(StoredResource::id).collect();
        let mut memberships = self.memberships_of(tenant, &ids).await?;
        for stored in &mut page.resources {
            let groups = memberships.remove(stored.id()).unwrap_or_default();
            stored.resource.insert("groups".to_owned(), memberships_value(&groups));
        }
        let mut page = page.complete(query);
        for stored in &mut page.resources {
            strip_groups(&mut stored.resource);
        }
        Ok(page)
    }
}

/// A membership as the store reported it directly.
fn direct_only(mut membership: Membership) -> Membership {
    membership.indirect = false;
    membership
}

fn strip_groups(resource: &mut JsonObject) {
    resource.remove("groups");
}
