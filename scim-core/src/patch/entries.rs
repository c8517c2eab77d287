//! The entries of multi-valued attributes: which entry is which, `primary`, and the value
//! filters that select entries.

use std::collections::HashMap;

use serde_json::Value;

use scimkit_filter::{
    AttrExpr, AttrInfo, AttrTest, CompareOp, Filter, FilterSchema, PreparedFilter,
};

use crate::compat::Compatibility;
use crate::error::{Error, Result};
use crate::normalize::{JsonObject, normalize_value};
use crate::schema::Attribute;

/// Whether `a` and `b` are the same entry of the multi-valued attribute `attr`: entries with a
/// `value` sub-attribute are the same when their values are equal (honouring `caseExact`),
/// others when their JSON is equal.
pub(super) fn same_entry(attr: &Attribute, a: &Value, b: &Value) -> bool {
    if attr.is_complex() {
        if let (Some(x), Some(y)) = (a.get("value"), b.get("value")) {
            let case_exact = attr.sub_attribute("value").is_some_and(|s| s.case_exact);
            return json_eq(x, y, case_exact);
        }
        return a == b;
    }
    json_eq(a, b, attr.case_exact)
}

/// A key such that entries [`same_entry`] calls the same have equal keys (the converse need not
/// hold), for finding an entry among many by hashing.
pub(super) fn entry_identity(attr: &Attribute, entry: &Value) -> String {
    let (value, case_exact) = match (attr.is_complex(), entry.get("value")) {
        (true, Some(value)) => (value, attr.sub_attribute("value").is_some_and(|s| s.case_exact)),
        (true, None) => return format!("j:{entry}"),
        (false, _) => (entry, attr.case_exact),
    };
    match value {
        Value::String(s) if !case_exact => format!("s:{}", s.to_lowercase()),
        other => format!("j:{other}"),
    }
}

/// Where the entries of one multi-valued attribute are, by [`entry_identity`], as of one
/// change of a PATCH: kept from one `add` of entries to the next while nothing else changes the
/// resource, so that a run of adds to a large attribute hashes its entries once.
#[derive(Debug)]
pub(super) struct EntryIndex<'s> {
    /// The extension the attribute lives under, if any, and the attribute.
    pub(super) ext: Option<&'s str>,
    pub(super) attr: &'s Attribute,
    /// The change of the PATCH after which the index is true.
    pub(super) change: usize,
    /// The first entry with each identity.
    pub(super) positions: HashMap<String, usize>,
}

impl<'s> EntryIndex<'s> {
    /// `kept` if it indexes `attr` under `ext` and nothing changed since (`change` is the
    /// number of the change about to be made), else a new index of `entries`.
    pub(super) fn reuse_or_build(
        kept: Option<EntryIndex<'s>>,
        ext: Option<&'s str>,
        attr: &'s Attribute,
        change: usize,
        entries: &[Value],
    ) -> EntryIndex<'s> {
        if let Some(kept) = kept {
            if kept.ext == ext && std::ptr::eq(kept.attr, attr) && kept.change + 1 == change {
                return EntryIndex { change, ..kept };
            }
        }
        let mut positions = HashMap::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            positions.entry(entry_identity(attr, entry)).or_insert(i);
        }
        EntryIndex { ext, attr, change, positions }
    }
}

/// A run of `remove` operations that each select entries of one multi-valued complex attribute
/// by `value eq "…"` (what clients send to remove group members one by one): the entries are
/// indexed by value once, each removal only marks its entries, and the survivors are kept in
/// one pass when the run ends ([`PendingRemovals::flush`]), so that a run of removals costs
/// the attribute plus the removals instead of their product.
#[derive(Debug)]
pub(super) struct PendingRemovals<'s> {
    /// The extension the attribute lives under, if any, and the attribute.
    pub(super) ext: Option<&'s str>,
    pub(super) attr: &'s Attribute,
    case_exact: bool,
    /// The positions of the entries with each `value` (folded unless case-exact).
    positions: HashMap<String, Vec<usize>>,
    /// Which entries the run removed.
    removed: Vec<bool>,
}

impl<'s> PendingRemovals<'s> {
    /// The value a filter selects entries of `attr` by, when it is exactly `value eq "…"` on
    /// a string `value` sub-attribute: then the run of removals can handle it.
    pub(super) fn selected_value<'f>(attr: &Attribute, filter: &'f Filter) -> Option<&'f str> {
        let Filter::Attr(AttrExpr { path, test: AttrTest::Compare(CompareOp::Eq, value), .. }) =
            filter
        else {
            return None;
        };
        let sub = attr.sub_attribute("value")?;
        let plain = path.schema.is_none() && path.sub_attr.is_none();
        let string = sub.attr_type == crate::schema::AttributeType::String && !sub.multi_valued;
        if !(plain && string && path.name.eq_ignore_case("value")) {
            return None;
        }
        match value {
            scimkit_filter::CompValue::String(value) => Some(value),
            _ => None,
        }
    }

    /// A run over `entries` of `attr` under `ext`.
    pub(super) fn new(ext: Option<&'s str>, attr: &'s Attribute, entries: &[Value]) -> Self {
        let case_exact = attr.sub_attribute("value").is_some_and(|s| s.case_exact);
        let mut positions: HashMap<String, Vec<usize>> = HashMap::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            if let Some(value) = entry.get("value").and_then(Value::as_str) {
                positions.entry(key(value, case_exact).into_owned()).or_default().push(i);
            }
        }
        Self { ext, attr, case_exact, positions, removed: vec![false; entries.len()] }
    }

    /// Whether this run is over `attr` under `ext`.
    pub(super) fn is_over(&self, ext: Option<&str>, attr: &Attribute) -> bool {
        self.ext == ext && std::ptr::eq(self.attr, attr)
    }

    /// Marks the entries whose `value` equals `value` as removed; whether there was one left.
    pub(super) fn remove(&mut self, value: &str) -> bool {
        let Some(at) = self.positions.remove(key(value, self.case_exact).as_ref()) else {
            return false;
        };
        for i in at {
            if let Some(flag) = self.removed.get_mut(i) {
                *flag = true;
            }
        }
        true
    }

    /// Drops the marked entries from `entries` (the attribute's entries, unchanged since
    /// [`PendingRemovals::new`]).
    pub(super) fn flush(self, entries: &mut Vec<Value>) {
        let mut removed = self.removed.into_iter();
        entries.retain(|_| !removed.next().unwrap_or(false));
    }
}

/// The key of a string `value`: folded as the filter evaluator compares, unless case-exact.
fn key(value: &str, case_exact: bool) -> std::borrow::Cow<'_, str> {
    if case_exact { std::borrow::Cow::Borrowed(value) } else { scimkit_filter::fold_case(value) }
}

/// JSON equality, with strings compared case-insensitively unless `case_exact`.
fn json_eq(a: &Value, b: &Value, case_exact: bool) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) if !case_exact => {
            if x.is_ascii() && y.is_ascii() {
                x.eq_ignore_ascii_case(y)
            } else {
                x.to_lowercase() == y.to_lowercase()
            }
        }
        _ => a == b,
    }
}

/// After an operation set entries `touched`: if one of them is now `primary: true`, removes
/// `primary: true` from every entry not touched (RFC 7643 §2.4).
pub(super) fn clear_other_primaries(entries: &mut [Value], touched: &[usize]) {
    let is_primary = |v: &Value| v.get("primary") == Some(&Value::Bool(true));
    if !touched.iter().any(|&i| entries.get(i).is_some_and(is_primary)) {
        return;
    }
    let mut was_touched = vec![false; entries.len()];
    for &i in touched {
        if let Some(flag) = was_touched.get_mut(i) {
            *flag = true;
        }
    }
    for (i, entry) in entries.iter_mut().enumerate() {
        if !was_touched[i] && is_primary(entry) {
            if let Value::Object(fields) = entry {
                fields.remove("primary");
            }
        }
    }
}

/// Answers the filter evaluator's questions about the names inside a value filter from the
/// sub-attributes of the multi-valued attribute (`type`, `value` of `emails`).
struct EntrySchema<'a>(&'a Attribute);

impl FilterSchema for EntrySchema<'_> {
    fn attribute(
        &self,
        schema: Option<&str>,
        name: &str,
        sub_attr: Option<&str>,
    ) -> Option<AttrInfo> {
        if schema.is_some() {
            return None;
        }
        let sub = self.0.sub_attribute(name)?;
        match sub_attr {
            None => Some(sub.filter_info()),
            Some(inner) => sub.sub_attribute(inner).map(Attribute::filter_info),
        }
    }
}

/// A value filter over the entries of one multi-valued complex attribute.
#[derive(Debug)]
pub(super) struct EntryFilter<'p> {
    filter: &'p Filter,
    prepared: Box<PreparedFilter>,
}

impl<'p> EntryFilter<'p> {
    /// Prepares `filter` over the entries of `attr`; an operator the sub-attribute's type
    /// forbids is `invalidPath`.
    pub(super) fn new(attr: &Attribute, filter: &'p Filter) -> Result<Self> {
        let prepared = filter
            .prepare(&EntrySchema(attr))
            .map_err(|e| Error::invalid_path(format!("{}[{filter}]: {e}", attr.name)))?;
        Ok(Self { filter, prepared: Box::new(prepared) })
    }

    /// The filter as parsed.
    pub(super) fn filter(&self) -> &'p Filter {
        self.filter
    }

    /// The indices of the entries the filter matches.
    pub(super) fn matching(&self, entries: &[Value]) -> Vec<usize> {
        entries
            .iter()
            .enumerate()
            .filter(|(_, entry)| self.prepared.matches(entry))
            .map(|(i, _)| i)
            .collect()
    }

    /// The entry a filter that matches nothing describes: its `eq` terms joined by `and`
    /// (`type eq "work"` gives `{"type": "work"}`), with values normalised for their
    /// sub-attribute. `None` when the filter has other terms, so no entry can be built from it.
    pub(super) fn seed(
        &self,
        attr: &Attribute,
        compat: &Compatibility,
    ) -> Result<Option<JsonObject>> {
        let terms = match self.filter {
            Filter::And(terms) => terms.as_slice(),
            single => std::slice::from_ref(single),
        };
        let mut seed = JsonObject::new();
        for term in terms {
            let Filter::Attr(AttrExpr {
                path, test: AttrTest::Compare(CompareOp::Eq, value), ..
            }) = term
            else {
                return Ok(None);
            };
            if path.schema.is_some() || path.sub_attr.is_some() {
                return Ok(None);
            }
            let Some(sub) = attr.sub_attribute(path.name.as_str()) else { return Ok(None) };
            let what = format!("{}.{}", attr.name, sub.name);
            let Some(value) = normalize_value(sub, Value::from(value.clone()), compat, &what)?
            else {
                return Ok(None);
            };
            match seed.get(&sub.name) {
                Some(existing) if *existing != value => return Ok(None),
                _ => {
                    seed.insert(sub.name.clone(), value);
                }
            }
        }
        Ok(Some(seed))
    }
}
