//! Hash indexes on key attributes, and choosing one to answer a filter.

use std::borrow::Cow;
use std::collections::HashMap;

use scim_core::{JsonObject, KeyAttribute};
use scim_filter::{AttrExpr, AttrTest, CompValue, CompareOp, Filter};

/// The ids of the resources holding each value of one key attribute.
#[derive(Debug)]
pub(crate) struct Index {
    pub(crate) key: KeyAttribute,
    pub(crate) unique: bool,
    /// Index key (folded unless case-exact) to ids, sorted. A unique index holds one id a key.
    entries: HashMap<Box<str>, Vec<Box<str>>>,
}

impl Index {
    pub(crate) fn new(key: KeyAttribute, unique: bool) -> Self {
        Self { key, unique, entries: HashMap::new() }
    }

    /// The ids holding the index key `key`.
    pub(crate) fn ids(&self, key: &str) -> &[Box<str>] {
        self.entries.get(key).map_or(&[], Vec::as_slice)
    }

    /// The id other than `except` that holds the same key as `resource`, if any.
    pub(crate) fn conflict(&self, resource: &JsonObject, except: Option<&str>) -> Option<&str> {
        let key = self.key.key(resource)?;
        self.ids(&key).iter().map(AsRef::as_ref).find(|id| Some(*id) != except)
    }

    pub(crate) fn insert(&mut self, id: &str, resource: &JsonObject) {
        if let Some(key) = self.key.key(resource) {
            let ids = self.entries.entry(key.into_owned().into_boxed_str()).or_default();
            if let Err(at) = ids.binary_search_by(|probe| (**probe).cmp(id)) {
                ids.insert(at, id.into());
            }
        }
    }

    pub(crate) fn remove(&mut self, id: &str, resource: &JsonObject) {
        let Some(key) = self.key.key(resource) else { return };
        if let Some(ids) = self.entries.get_mut(&*key) {
            ids.retain(|probe| &**probe != id);
            if ids.is_empty() {
                self.entries.remove(&*key);
            }
        }
    }
}

/// The ids an index says may match `filter`, or `None` if no index can narrow it down.
///
/// `attr eq "x"` on an indexed attribute gives the ids holding `x`; an `and` gives the smallest
/// candidate set of its operands; an `or` the union of its operands' sets, if each has one. The
/// caller still evaluates the filter on every candidate, so candidates may be a superset.
pub(crate) fn candidates<'a>(indexes: &'a [Index], filter: &Filter) -> Option<Vec<&'a str>> {
    match filter {
        Filter::Attr(AttrExpr {
            path,
            test: AttrTest::Compare(CompareOp::Eq, CompValue::String(value)),
            ..
        }) => {
            let index = indexes.iter().find(|i| i.key.is_path(path))?;
            let key: Cow<'_, str> = index.key.key_of(value);
            Some(index.ids(&key).iter().map(AsRef::as_ref).collect())
        }
        Filter::And(operands) => {
            operands.iter().filter_map(|f| candidates(indexes, f)).min_by_key(Vec::len)
        }
        Filter::Or(operands) => {
            let mut all = Vec::new();
            for operand in operands {
                all.extend(candidates(indexes, operand)?);
            }
            all.sort_unstable();
            all.dedup();
            Some(all)
        }
        _ => None,
    }
}
