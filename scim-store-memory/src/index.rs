//! Hash indexes on key attributes, and choosing one to answer a filter.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use scimkit_core::{JsonObject, KeyAttribute};
use scimkit_filter::{AttrExpr, AttrTest, CompValue, CompareOp, Filter};

/// The ids of the resources holding each value of one key attribute.
#[derive(Debug)]
pub(crate) struct Index {
    pub(crate) key: KeyAttribute,
    pub(crate) unique: bool,
    /// Index key (folded unless case-exact) to the ids holding it.
    entries: HashMap<Box<str>, Ids>,
}

/// The ids holding one key: usually one (always, in a unique index), so that case costs no set.
#[derive(Debug)]
enum Ids {
    One(Box<str>),
    Many(BTreeSet<Box<str>>),
}

impl Ids {
    fn iter(&self) -> impl Iterator<Item = &str> {
        let (one, many) = match self {
            Ids::One(id) => (Some(&**id), None),
            Ids::Many(ids) => (None, Some(ids.iter().map(|id| &**id))),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }
}

impl Index {
    pub(crate) fn new(key: KeyAttribute, unique: bool) -> Self {
        Self { key, unique, entries: HashMap::new() }
    }

    /// The ids holding the index key `key`, in id order.
    pub(crate) fn ids(&self, key: &str) -> impl Iterator<Item = &str> {
        self.entries.get(key).into_iter().flat_map(Ids::iter)
    }

    /// The id other than `except` that holds the same key as `resource`, if any.
    pub(crate) fn conflict(&self, resource: &JsonObject, except: Option<&str>) -> Option<&str> {
        let key = self.key.key(resource)?;
        self.ids(&key).find(|id| Some(*id) != except)
    }

    pub(crate) fn insert(&mut self, id: &str, resource: &JsonObject) {
        let Some(key) = self.key.key(resource) else { return };
        match self.entries.get_mut(&*key) {
            None => {
                self.entries.insert(key.into_owned().into_boxed_str(), Ids::One(id.into()));
            }
            Some(Ids::One(existing)) if &**existing == id => {}
            Some(entry @ Ids::One(_)) => {
                let Ids::One(existing) = std::mem::replace(entry, Ids::Many(BTreeSet::new()))
                else {
                    return;
                };
                if let Ids::Many(ids) = entry {
                    ids.insert(existing);
                    ids.insert(id.into());
                }
            }
            Some(Ids::Many(ids)) => {
                ids.insert(id.into());
            }
        }
    }

    pub(crate) fn remove(&mut self, id: &str, resource: &JsonObject) {
        let Some(key) = self.key.key(resource) else { return };
        let emptied = match self.entries.get_mut(&*key) {
            Some(Ids::One(existing)) => &**existing == id,
            Some(Ids::Many(ids)) => {
                ids.remove(id);
                ids.is_empty()
            }
            None => false,
        };
        if emptied {
            self.entries.remove(&*key);
        }
    }
}

/// How a filter can be narrowed: the key indexes, the rows (keyed by id), and, for a type whose
/// `groups` is derived from membership, the ids of the members (direct or nested) of the
/// groups whose id is given (ignoring case, as `groups.value` is not case-exact).
pub(crate) struct Narrowing<'a, R> {
    pub(crate) indexes: &'a [Index],
    pub(crate) rows: &'a BTreeMap<Box<str>, R>,
    pub(crate) members: Option<&'a MembersOf<'a>>,
}

/// The ids of the members (direct or nested) of the groups whose id is given.
pub(crate) type MembersOf<'a> = dyn Fn(&str) -> BTreeSet<String> + 'a;

/// The ids an index says may match `filter`, or `None` if no index can narrow it down.
///
/// `id eq "x"` gives `x` if a resource has that id (ids are case-exact, and the rows are keyed
/// by them); `attr eq "x"` on an indexed attribute gives the ids holding `x`; `groups eq "g"`
/// (or `groups.value eq "g"`, `groups[value eq "g"]`) the members of `g`; an `and` gives
/// the smallest candidate set of its operands; an `or` the union of its operands' sets, if each
/// has one. The caller still evaluates the filter on every candidate, so candidates may be a
/// superset. The ids come sorted.
pub(crate) fn candidates<'a, R>(with: &Narrowing<'a, R>, filter: &Filter) -> Option<Vec<&'a str>> {
    if let (Some(members), Some(group)) = (with.members, scimkit_core::group_equality(filter)) {
        return Some(
            members(group)
                .iter()
                .filter_map(|id| with.rows.get_key_value(id.as_str()).map(|(id, _)| &**id))
                .collect(),
        );
    }
    match filter {
        Filter::Attr(AttrExpr {
            path,
            test: AttrTest::Compare(CompareOp::Eq, CompValue::String(value)),
            ..
        }) => {
            let plain = path.schema.is_none() && path.sub_attr.is_none();
            if plain && path.name.eq_ignore_case("id") {
                return Some(
                    with.rows
                        .get_key_value(value.as_str())
                        .map(|(id, _)| &**id)
                        .into_iter()
                        .collect(),
                );
            }
            let index = with.indexes.iter().find(|i| i.key.is_path(path))?;
            let key: Cow<'_, str> = index.key.key_of(value);
            Some(index.ids(&key).collect())
        }
        Filter::And(operands) => {
            operands.iter().filter_map(|f| candidates(with, f)).min_by_key(Vec::len)
        }
        Filter::Or(operands) => {
            let mut all = Vec::new();
            for operand in operands {
                all.extend(candidates(with, operand)?);
            }
            all.sort_unstable();
            all.dedup();
            Some(all)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(filter: &str) -> Filter {
        Filter::parse(filter).unwrap()
    }

    #[test]
    fn an_id_equality_is_answered_from_the_rows_keys() {
        let rows: BTreeMap<Box<str>, ()> =
            ["a1", "b2", "c3"].into_iter().map(|id| (id.into(), ())).collect();
        let with = Narrowing { indexes: &[], rows: &rows, members: None };
        let ids = |filter: &str| candidates(&with, &parse(filter));
        assert_eq!(ids(r#"id eq "b2""#), Some(vec!["b2"]));
        assert_eq!(ids(r#"ID eq "b2""#), Some(vec!["b2"]), "attribute names in any case");
        assert_eq!(ids(r#"id eq "B2""#), Some(vec![]), "ids are case-exact");
        assert_eq!(ids(r#"id eq "zz""#), Some(vec![]));
        assert_eq!(ids(r#"id eq "c3" or id eq "a1""#), Some(vec!["a1", "c3"]));
        assert_eq!(ids(r#"id eq "a1" and title pr"#), Some(vec!["a1"]));
        assert_eq!(ids(r#"id co "a""#), None, "only equality narrows");
        assert_eq!(ids(r#"urn:ietf:params:scim:schemas:core:2.0:User:id eq "a1""#), None);
    }
}
