//! Translating a SCIM filter into SQL over the `data` column.
//!
//! The store knows no schema, so it cannot tell whether `title` is case-exact, a `dateTime` or a
//! number. Every condition is therefore translated twice: a *superset* condition that holds for
//! every resource the filter matches under any schema (case-insensitive and case-exact, string,
//! dateTime and numeric readings), and a *strict* condition that holds only for resources the
//! filter matches under every schema. `strict ⊆ matches ⊆ superset`, and `not` swaps the two.
//! Where the two are the same SQL, the translation is exact. Otherwise the store asks the
//! database whether any resource of the scope satisfies one and not the other; if none does,
//! the superset is exact on this data, and the store can sort and page in SQL.
//!
//! When the query carries the resource type's schema ([`Query::schema`](scimkit_core::Query)),
//! a comparison of a string-like, boolean or dateTime attribute the schema knows is translated
//! for that type alone, with no other readings and no look inside complex values; dateTimes
//! compare as instants to the nanosecond through `scim_instant`, which reads timestamps exactly
//! as [`DateTime::parse`] does.
//! Case-insensitive string tests use `scim_lower`, which lower-cases exactly as
//! [`scimkit_filter::fold_case`] does for every string whose non-ASCII characters are only the
//! Kelvin sign and the dotted capital I (the two non-ASCII characters whose lower case holds
//! ASCII), and keeps every other character as it is, so that against an ASCII needle `eq`,
//! `co`, `sw` and `ew` are exact; orderings are exact on ASCII values. This trusts that stored
//! values of schema attributes have the schema's shape, which the library's validation of every
//! write ensures.
//!
//! Equality and ordering on key attributes (`userName`, `externalId`: their case-exactness is
//! known from the [`StoreKeys`](scimkit_core::StoreKeys)) go through the key tables, whose keys
//! are folded in Rust with [`scimkit_filter::fold_case`]: those conditions are exact.
//!
//! Every value from the filter, attribute names included, is a bound parameter; only SQL
//! written here is ever part of the statement text.

use std::collections::{BTreeSet, HashMap};

use scimkit_core::{KeyAttribute, StoreKeys};
use scimkit_filter::{
    AttrInfo, AttrName, AttrPath, AttrTest, AttrType, CompValue, CompareOp, DateTime, Filter,
    FilterSchema,
};
use serde_json::Value;

/// The number of parameters every query binds before the filter's: `$1` tenant and `$2`
/// resource type.
pub(crate) const BASE_PARAMS: usize = 2;

/// A filter translated to SQL conditions over the row alias `r`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Translation {
    /// Holds for every match (and perhaps more).
    pub(crate) superset: String,
    /// Holds only for matches.
    pub(crate) strict: String,
    /// The parameters `$3`, `$4`, … the conditions refer to.
    pub(crate) params: Vec<String>,
    /// Whether the conditions look up member names (and so depend on their spellings).
    pub(crate) uses_names: bool,
}

impl Translation {
    /// Whether the superset is known to be exact without looking at the data.
    pub(crate) fn is_exact(&self) -> bool {
        self.superset == self.strict
    }
}

/// One condition in its two forms.
#[derive(Debug, Clone)]
struct Cond {
    superset: String,
    strict: String,
}

impl Cond {
    fn exact(sql: String) -> Self {
        Self { strict: sql.clone(), superset: sql }
    }
}

/// Which table holds a key attribute's values.
pub(crate) fn key_table(unique: bool) -> &'static str {
    if unique { "scim_unique_keys" } else { "scim_index_keys" }
}

/// The name a key attribute has in the key tables: `name`, or `urn:name` for an extension.
pub(crate) fn key_name(key: &KeyAttribute) -> String {
    match &key.schema {
        Some(urn) => format!("{urn}:{}", key.name),
        None => key.name.clone(),
    }
}

/// Where paths are resolved: the resource, or an entry (SQL alias) of a value path's
/// attribute.
#[derive(Clone, Copy)]
enum Ctx<'a> {
    Root,
    Entry { alias: &'a str, attr: &'a AttrPath },
}

/// The spellings of member names in a resource type's data: lower-case name to the spellings
/// used (see [`spellings_of`]).
pub(crate) type Spellings = HashMap<String, Vec<String>>;

/// Every member name in `value`, at any depth.
pub(crate) fn spellings_of(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                if !out.contains(key) {
                    out.insert(key.clone());
                }
                spellings_of(member, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| spellings_of(item, out)),
        _ => {}
    }
}

/// The lower-case forms of every name `filter` may look up (`value` included), for fetching
/// their spellings.
pub(crate) fn names_in(filter: &Filter, out: &mut BTreeSet<String>) {
    let mut path = |p: &AttrPath| {
        if let Some(urn) = &p.schema {
            out.insert(urn.as_str().to_ascii_lowercase());
            out.insert("schemas".to_owned());
        }
        out.insert(p.name.as_str().to_ascii_lowercase());
        if let Some(sub) = &p.sub_attr {
            out.insert(sub.as_str().to_ascii_lowercase());
        }
    };
    match filter {
        Filter::Attr(expr) => path(&expr.path),
        Filter::ValuePath(vp) => {
            path(&vp.attr);
            names_in(&vp.filter, out);
        }
        Filter::ValuePathAttr { path: vp, sub_attr, .. } => {
            path(&vp.attr);
            out.insert(sub_attr.as_str().to_ascii_lowercase());
            names_in(&vp.filter, out);
        }
        Filter::And(operands) | Filter::Or(operands) => {
            operands.iter().for_each(|f| names_in(f, out));
        }
        Filter::Not(inner) => names_in(inner, out),
        _ => {}
    }
    out.insert("value".to_owned());
}

/// Translates `filter` for the scope's `keys`, with the member-name `spellings` of its data and,
/// if known, the resource type's `schema`. With `memberships`, `groups` is the resource's
/// memberships (see [`Query`](scimkit_core::Query)): `scim_memberships` gives them as the
/// library shows them to filters, and a group equality asks `scim_members_within` instead.
pub(crate) fn translate(
    filter: &Filter,
    keys: &StoreKeys,
    spellings: &Spellings,
    schema: Option<&dyn FilterSchema>,
    memberships: bool,
) -> Translation {
    let memberships = memberships && scimkit_core::filter_tests_groups(filter);
    // The members a membership object has, beside the spellings of the stored data.
    let mut with_memberships;
    let spellings = if memberships {
        with_memberships = spellings.clone();
        for name in ["value", "display", "type"] {
            let known = with_memberships.entry(name.to_owned()).or_default();
            if !known.iter().any(|s| s == name) {
                known.push(name.to_owned());
            }
        }
        &with_memberships
    } else {
        spellings
    };
    let mut t = Translator {
        keys,
        spellings,
        schema,
        memberships,
        params: Vec::new(),
        aliases: 0,
        uses_names: false,
    };
    let cond = t.filter(filter, Ctx::Root);
    Translation {
        superset: cond.superset,
        strict: cond.strict,
        params: t.params,
        uses_names: t.uses_names,
    }
}

struct Translator<'k> {
    keys: &'k StoreKeys,
    spellings: &'k Spellings,
    schema: Option<&'k dyn FilterSchema>,
    /// Whether `groups` stands for the resource's memberships.
    memberships: bool,
    params: Vec<String>,
    aliases: usize,
    uses_names: bool,
}

/// The SQL comparison operator for an ordering or equality operator.
fn sql_op(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
        _ => "=",
    }
}

/// `s` with the LIKE metacharacters `%`, `_` and `\` escaped.
pub(crate) fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The LIKE pattern for a substring operator.
fn like_pattern(op: CompareOp, s: &str) -> String {
    let s = escape_like(s);
    match op {
        CompareOp::Sw => format!("{s}%"),
        CompareOp::Ew => format!("%{s}"),
        _ => format!("%{s}%"),
    }
}

/// A candidate that is a JSON string, and its text.
const IS_STR: &str = "jsonb_typeof({c}) = 'string'";
const TEXT: &str = "({c} #>> '{}')";
/// A superset of the strings [`DateTime::parse`] accepts.
const DATE_LIKE: &str = "'^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt]'";
/// A superset of the strings the evaluator reads as numbers (anything with a digit, `inf` or
/// `nan`).
const NUM_LIKE: &str = "'[0-9]|inf|nan'";

impl Translator<'_> {
    /// Binds `value` and returns its placeholder, cast to text.
    fn param(&mut self, value: impl Into<String>) -> String {
        self.params.push(value.into());
        format!("${}::text", self.params.len() + BASE_PARAMS)
    }

    /// The member `name` of the jsonb expression `obj`, matched ASCII-case-insensitively with
    /// an exact hit first, as the evaluator does: `obj -> spelling` for each spelling of the
    /// name that the resource type's data has ever used. SQL NULL if there is none.
    fn get(&mut self, obj: &str, name: &str) -> String {
        self.uses_names = true;
        let lower = name.to_ascii_lowercase();
        let mut spellings: Vec<String> = self.spellings.get(&lower).cloned().unwrap_or_default();
        // The spelling as written first (an exact hit wins), the others in a fixed order.
        spellings.sort_by_key(|s| (s != name, s.clone()));
        let members: Vec<String> =
            spellings.into_iter().map(|s| format!("{obj} -> {}", self.param(s))).collect();
        match members.len() {
            0 => "NULL::jsonb".to_owned(),
            1 => format!("({})", members[0]),
            _ => format!("coalesce({})", members.join(", ")),
        }
    }

    fn alias(&mut self, prefix: &str) -> String {
        self.aliases += 1;
        format!("{prefix}{}", self.aliases)
    }

    fn filter(&mut self, filter: &Filter, ctx: Ctx<'_>) -> Cond {
        if let (true, Ctx::Root, Some(group)) =
            (self.memberships, ctx, scimkit_core::group_equality(filter))
        {
            // Exact for an ASCII id, as `scim_lower` is (see the module's notes).
            if group.is_ascii() {
                let group = self.param(group);
                return Cond::exact(format!(
                    "r.id IN (SELECT w FROM scim_resources AS g CROSS JOIN LATERAL                      scim_members_within($1, g.id) AS w WHERE g.tenant = $1 AND                      g.resource_type = 'Group' AND scim_lower(g.id) = scim_lower({group}))"
                ));
            }
        }
        match filter {
            Filter::Attr(expr) => self.test(&expr.path, &expr.test, ctx),
            Filter::ValuePath(vp) => {
                if let Some(sql) = self.value_path_jsonpath(&vp.attr, &vp.filter, None, ctx) {
                    return Cond::exact(sql);
                }
                let (source, alias) = self.entries(&vp.attr, ctx);
                let inner = self.filter(&vp.filter, Ctx::Entry { alias: &alias, attr: &vp.attr });
                exists_entry(&source, &inner)
            }
            Filter::ValuePathAttr { path: vp, sub_attr, test } => {
                let last = Some((sub_attr, test));
                if let Some(sql) = self.value_path_jsonpath(&vp.attr, &vp.filter, last, ctx) {
                    return Cond::exact(sql);
                }
                let (source, alias) = self.entries(&vp.attr, ctx);
                let entry = Ctx::Entry { alias: &alias, attr: &vp.attr };
                let inner = self.filter(&vp.filter, entry);
                let sub = AttrPath::new(sub_attr.clone());
                let check = self.test(&sub, test, entry);
                let both = Cond {
                    superset: format!("({} AND {})", inner.superset, check.superset),
                    strict: format!("({} AND {})", inner.strict, check.strict),
                };
                exists_entry(&source, &both)
            }
            Filter::And(operands) => self.chain(operands, ctx, " AND "),
            Filter::Or(operands) => self.chain(operands, ctx, " OR "),
            Filter::Not(inner) => {
                let inner = self.filter(inner, ctx);
                Cond {
                    superset: format!("(NOT {})", inner.strict),
                    strict: format!("(NOT {})", inner.superset),
                }
            }
            // A form this version does not know: every resource is a candidate, none is sure.
            _ => Cond { superset: "TRUE".to_owned(), strict: "FALSE".to_owned() },
        }
    }

    fn chain(&mut self, operands: &[Filter], ctx: Ctx<'_>, joiner: &str) -> Cond {
        let conds: Vec<Cond> = operands.iter().map(|f| self.filter(f, ctx)).collect();
        let join = |pick: fn(&Cond) -> &str| {
            format!("({})", conds.iter().map(pick).collect::<Vec<_>>().join(joiner))
        };
        Cond { superset: join(|c| &c.superset), strict: join(|c| &c.strict) }
    }

    /// The attribute `path` names (before any sub-attribute) in `ctx`, as a jsonb expression
    /// that is SQL NULL when the attribute is absent.
    fn attr_expr(&mut self, path: &AttrPath, ctx: Ctx<'_>) -> String {
        match ctx {
            Ctx::Root if self.memberships && scimkit_core::is_groups_path(path) => {
                "scim_memberships($1, r.id)".to_owned()
            }
            Ctx::Root => {
                let container = match &path.schema {
                    None => "r.data".to_owned(),
                    // The extension object under the URN; failing that, the resource itself if
                    // the URN is one of its `schemas` (the core schema's URN).
                    Some(urn) => {
                        let ext = self.get("r.data", urn.as_str());
                        let schemas = self.get("r.data", "schemas");
                        let urn = self.param(urn.as_str());
                        format!(
                            "(CASE WHEN jsonb_typeof({ext}) = 'object' THEN {ext} \
                             WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN \
                             jsonb_typeof({schemas}) = 'array' THEN {schemas} ELSE '[]'::jsonb END) \
                             AS s(v) WHERE jsonb_typeof(s.v) = 'string' AND \
                             lower((s.v #>> '{{}}') COLLATE \"C\") = lower({urn} COLLATE \"C\")) \
                             THEN r.data END)"
                        )
                    }
                };
                self.get(&container, path.name.as_str())
            }
            // Inside a value path, paths are relative to the entry and a schema URI is ignored;
            // a primitive entry stands for its own `value`.
            Ctx::Entry { alias, .. } => {
                let entry = format!("{alias}.v");
                let member = self.get(&entry, path.name.as_str());
                if path.sub_attr.is_none() && path.name.eq_ignore_case("value") {
                    format!(
                        "(CASE WHEN jsonb_typeof({entry}) = 'object' THEN {member} ELSE {entry} END)"
                    )
                } else {
                    member
                }
            }
        }
    }

    /// Whether `pred` (over `{c}`) holds for `expr`, or for one of its elements if it is an
    /// array. False when `expr` is SQL NULL.
    fn any(&mut self, expr: &str, pred: &str) -> String {
        let x = self.alias("x");
        let element = format!("{x}.v");
        format!(
            "(CASE WHEN jsonb_typeof({expr}) = 'array' THEN EXISTS (SELECT 1 FROM \
             jsonb_array_elements({expr}) AS {x}(v) WHERE coalesce({}, false)) \
             ELSE coalesce({}, false) END)",
            pred.replace("{c}", &element),
            pred.replace("{c}", expr)
        )
    }

    /// Whether `pred` holds for some candidate value of `path`: the attribute's value with
    /// arrays expanded, or the sub-attribute of it or of each of its entries, again expanded.
    fn values(&mut self, path: &AttrPath, ctx: Ctx<'_>, pred: &str) -> String {
        let attr = self.attr_expr(path, ctx);
        match &path.sub_attr {
            None => self.any(&attr, pred),
            Some(sub) => {
                let member = self.get("{c}", sub.as_str());
                let inner = self.any(&member, pred);
                self.any(&attr, &inner)
            }
        }
    }

    /// Like [`values`](Self::values), with complex values replaced by their `value`
    /// sub-attribute (expanded), and complex values without one skipped: what a comparison sees.
    fn compared(&mut self, path: &AttrPath, ctx: Ctx<'_>, pred: &str) -> String {
        let member = self.get("{c}", "value");
        let of_complex = self.any(&member, pred);
        let pred = format!(
            "(CASE WHEN jsonb_typeof({{c}}) = 'object' THEN {of_complex} \
             ELSE coalesce({pred}, false) END)"
        );
        self.values(path, ctx, &pred)
    }

    /// The entries of a value path's attribute as a FROM item, and the alias each entry has.
    fn entries(&mut self, attr: &AttrPath, ctx: Ctx<'_>) -> (String, String) {
        let mut attr = attr.clone();
        let sub = attr.sub_attr.take();
        let mut expr = self.attr_expr(&attr, ctx);
        if let Some(sub) = sub {
            // Not produced by the parser; kept for completeness: the sub-attribute of each entry.
            let x = self.alias("x");
            let member = self.get(&format!("{x}.v"), sub.as_str());
            expr = format!(
                "(SELECT jsonb_agg({member}) FROM jsonb_array_elements({}) AS {x}(v))",
                expand_array(&expr)
            );
        }
        let entry = self.alias("e");
        (format!("jsonb_array_elements({}) AS {entry}(v)", expand_array(&expr)), entry)
    }

    /// The key attribute `path` names, if it is one and is tested at the root.
    fn key_for(&self, path: &AttrPath, ctx: Ctx<'_>) -> Option<(&KeyAttribute, bool)> {
        if !matches!(ctx, Ctx::Root) {
            return None;
        }
        let key = self.keys.indexed.iter().find(|k| k.is_path(path))?;
        Some((key, self.keys.unique.contains(key)))
    }

    fn test(&mut self, path: &AttrPath, test: &AttrTest, ctx: Ctx<'_>) -> Cond {
        let (op, value) = match test {
            AttrTest::Present => return Cond::exact(self.values(path, ctx, "scim_present({c})")),
            AttrTest::Compare(op, value) => (*op, value),
            _ => return Cond { superset: "TRUE".to_owned(), strict: "FALSE".to_owned() },
        };
        if let (CompValue::String(s), Some((key, unique))) = (value, self.key_for(path, ctx)) {
            let (key, unique) = (key.clone(), unique);
            return self.key_test(&key, unique, op, s);
        }
        if let Some(info) = self.info(path, ctx) {
            match (info.attr_type, value) {
                (
                    AttrType::String | AttrType::Reference | AttrType::Binary,
                    CompValue::String(s),
                ) => {
                    return self.typed_string_test(path, ctx, op, s, info.case_exact);
                }
                (AttrType::Boolean, CompValue::Bool(b)) => {
                    return self.typed_bool_test(path, ctx, op, *b);
                }
                (AttrType::Boolean, CompValue::String(s)) => {
                    return match scimkit_filter::parse_bool(s) {
                        Some(b) => self.typed_bool_test(path, ctx, op, b),
                        None => self.typed_string_test(path, ctx, op, s, info.case_exact),
                    };
                }
                (AttrType::DateTime, CompValue::String(s)) => {
                    return self.typed_datetime_test(path, ctx, op, s, info.case_exact);
                }
                _ => {}
            }
        }
        match value {
            CompValue::Null => {
                let present = self.values(path, ctx, "{c} <> 'null'::jsonb");
                Cond::exact(match op {
                    CompareOp::Eq => format!("(NOT {present})"),
                    CompareOp::Ne => present,
                    _ => "FALSE".to_owned(),
                })
            }
            CompValue::Bool(b) => {
                if op.is_ordering() || op.is_substring() {
                    return Cond::exact("FALSE".to_owned());
                }
                let b = self.param(b.to_string());
                let strict = format!("{{c}} = {b}::jsonb");
                let superset = format!(
                    "({{c}} = {b}::jsonb OR ({IS_STR} AND lower({TEXT} COLLATE \"C\") = {b}))"
                );
                self.compare(path, ctx, op, &superset, &strict)
            }
            CompValue::Number(n) => {
                if op.is_substring() {
                    return Cond::exact("FALSE".to_owned());
                }
                let strings = format!("({IS_STR} AND {TEXT} ~* {NUM_LIKE})");
                let int = n.as_i64().map(|i| i.to_string()).or(n.as_u64().map(|u| u.to_string()));
                let (superset, strict) = match int {
                    Some(int) => {
                        let n = self.param(int);
                        let sql_op = sql_op(if op == CompareOp::Ne { CompareOp::Eq } else { op });
                        let is_int = format!("{TEXT} ~ '^-?[0-9]+$'");
                        let cmp = format!("{TEXT}::numeric {sql_op} {n}::numeric");
                        (
                            format!(
                                "((jsonb_typeof({{c}}) = 'number' AND (NOT {is_int} OR {cmp})) \
                                 OR {strings})"
                            ),
                            format!("(jsonb_typeof({{c}}) = 'number' AND {is_int} AND {cmp})"),
                        )
                    }
                    // Decimals compare as floating point in the evaluator: no exact SQL.
                    None => {
                        (format!("(jsonb_typeof({{c}}) = 'number' OR {strings})"), "FALSE".into())
                    }
                };
                self.compare(path, ctx, op, &superset, &strict)
            }
            CompValue::String(s) => self.string_test(path, ctx, op, s),
            _ => Cond { superset: "TRUE".to_owned(), strict: "FALSE".to_owned() },
        }
    }

    /// A string comparison on a path of unknown case-exactness and type.
    fn string_test(&mut self, path: &AttrPath, ctx: Ctx<'_>, op: CompareOp, s: &str) -> Cond {
        let folded = scimkit_filter::fold_case(s).into_owned();
        let folded_ascii = folded.is_ascii();
        let date = DateTime::parse(s).is_some();
        let numeric = s.trim().parse::<f64>().is_ok();
        let boolean = s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false");
        let (superset, strict) = if op.is_substring() {
            let raw = self.param(like_pattern(op, s));
            let ci = if folded_ascii {
                let pattern = self.param(like_pattern(op, &folded));
                format!("scim_fold_ascii({TEXT}) LIKE {pattern}")
            } else {
                format!("({TEXT} COLLATE \"C\" LIKE {raw} OR NOT scim_is_ascii({TEXT}))")
            };
            (
                format!("({IS_STR} AND {ci})"),
                format!("({IS_STR} AND {TEXT} COLLATE \"C\" LIKE {raw})"),
            )
        } else if matches!(op, CompareOp::Eq | CompareOp::Ne) {
            let raw = self.param(s);
            let ci = if folded_ascii {
                let folded = self.param(folded);
                format!("scim_fold_ascii({TEXT}) = {folded}")
            } else {
                format!("({TEXT} = {raw} OR NOT scim_is_ascii({TEXT}))")
            };
            let mut string = ci;
            if date {
                string.push_str(&format!(" OR {TEXT} ~ {DATE_LIKE}"));
            }
            if numeric {
                string.push_str(&format!(" OR {TEXT} ~* {NUM_LIKE}"));
            }
            let mut superset = format!("({IS_STR} AND ({string}))");
            if numeric {
                superset.push_str(" OR jsonb_typeof({c}) = 'number'");
            }
            if boolean {
                superset.push_str(" OR jsonb_typeof({c}) = 'boolean'");
            }
            (format!("({superset})"), format!("{{c}} = to_jsonb({raw})"))
        } else {
            let sql_op = sql_op(op);
            let raw = self.param(s);
            let folded = self.param(folded);
            let both = format!(
                "scim_fold_ascii({TEXT}) {sql_op} {folded} COLLATE \"C\" \
                 AND {TEXT} COLLATE \"C\" {sql_op} {raw}"
            );
            let either = format!(
                "scim_fold_ascii({TEXT}) {sql_op} {folded} COLLATE \"C\" \
                 OR {TEXT} COLLATE \"C\" {sql_op} {raw}"
            );
            let mut string = format!("NOT scim_is_ascii({TEXT}) OR {either}");
            let mut strict = format!("{IS_STR} AND scim_is_ascii({TEXT}) AND {both}");
            if date {
                string.push_str(&format!(" OR {TEXT} ~ {DATE_LIKE}"));
                strict.push_str(&format!(" AND {TEXT} !~ {DATE_LIKE}"));
            }
            let mut superset = format!("({IS_STR} AND ({string}))");
            if numeric {
                superset = format!("({superset} OR jsonb_typeof({{c}}) = 'number')");
                // Read as numbers, non-numeric strings match nothing; read as strings, numbers
                // match nothing: no value matches under every reading.
                strict = "FALSE".to_owned();
            }
            (superset, format!("({strict})"))
        };
        self.compare(path, ctx, op, &superset, &strict)
    }

    /// A comparison of each compared value `{c}` of `path` by the per-value predicates.
    fn compare(
        &mut self,
        path: &AttrPath,
        ctx: Ctx<'_>,
        op: CompareOp,
        superset: &str,
        strict: &str,
    ) -> Cond {
        self.compare_values(path, ctx, op, superset, strict, Self::compared)
    }

    /// Like [`compare`](Self::compare), for an attribute the schema says is not complex: its
    /// values are compared as they are.
    fn compare_typed(
        &mut self,
        path: &AttrPath,
        ctx: Ctx<'_>,
        op: CompareOp,
        superset: &str,
        strict: &str,
    ) -> Cond {
        self.compare_values(path, ctx, op, superset, strict, Self::typed_values)
    }

    /// Like [`values`](Self::values), for a path the schema knows: arrays are expanded only
    /// where the schema says the attribute is multi-valued, and an entry's `value` is its
    /// member (entries of a complex attribute are objects).
    fn typed_values(&mut self, path: &AttrPath, ctx: Ctx<'_>, pred: &str) -> String {
        let Some((outer_multi, multi)) = self.multiplicity(path, ctx) else {
            return self.values(path, ctx, pred);
        };
        let attr = match ctx {
            Ctx::Root => self.attr_expr(path, ctx),
            Ctx::Entry { alias, .. } => self.get(&format!("{alias}.v"), path.name.as_str()),
        };
        match &path.sub_attr {
            None => self.each(&attr, pred, multi),
            Some(sub) => {
                let member = self.get("{c}", sub.as_str());
                let inner = self.each(&member, pred, multi);
                self.each(&attr, &inner, outer_multi)
            }
        }
    }

    /// Whether `pred` holds for `expr`, or, if `multi_valued`, for one of its elements.
    fn each(&mut self, expr: &str, pred: &str, multi_valued: bool) -> String {
        if multi_valued {
            self.any(expr, pred)
        } else {
            format!("coalesce({}, false)", pred.replace("{c}", expr))
        }
    }

    /// Whether the attribute `path` reaches in `ctx` and the attribute it is a sub-attribute
    /// of (for `name.givenName`; else the first is unused) are multi-valued, if the schema
    /// knows them.
    fn multiplicity(&self, path: &AttrPath, ctx: Ctx<'_>) -> Option<(bool, bool)> {
        let schema = self.schema?;
        let target = self.info(path, ctx)?.multi_valued;
        match (ctx, &path.sub_attr) {
            (Ctx::Root, Some(_)) => {
                let urn = path.schema.as_ref().map(|urn| urn.as_str());
                let outer = schema.attribute(urn, path.name.as_str(), None)?;
                Some((outer.multi_valued, target))
            }
            (Ctx::Root, None) | (Ctx::Entry { .. }, None) => Some((false, target)),
            (Ctx::Entry { .. }, Some(_)) => None,
        }
    }

    fn compare_values(
        &mut self,
        path: &AttrPath,
        ctx: Ctx<'_>,
        op: CompareOp,
        superset: &str,
        strict: &str,
        over: fn(&mut Self, &AttrPath, Ctx<'_>, &str) -> String,
    ) -> Cond {
        if op != CompareOp::Ne && superset == strict {
            return Cond::exact(over(self, path, ctx, superset));
        }
        if op != CompareOp::Ne {
            let superset = over(self, path, ctx, superset);
            return Cond { superset, strict: over(self, path, ctx, strict) };
        }
        // `ne`: no value at all, or some value that is not equal.
        let absent = format!("(NOT {})", over(self, path, ctx, "{c} <> 'null'::jsonb"));
        let mut unequal = |eq: &str| {
            let pred = format!("({{c}} <> 'null'::jsonb AND NOT coalesce({eq}, false))");
            format!("({absent} OR {})", over(self, path, ctx, &pred))
        };
        if superset == strict {
            return Cond::exact(unequal(strict));
        }
        Cond { superset: unequal(strict), strict: unequal(superset) }
    }

    /// What the schema says of the values `path` reaches in `ctx`, if it knows the attribute
    /// and it is not complex.
    fn info(&self, path: &AttrPath, ctx: Ctx<'_>) -> Option<AttrInfo> {
        let schema = self.schema?;
        let info = match ctx {
            Ctx::Root => schema.attribute(
                path.schema.as_ref().map(|urn| urn.as_str()),
                path.name.as_str(),
                path.sub_attr.as_ref().map(|sub| sub.as_str()),
            )?,
            // Inside a value path the schema is asked about the outer attribute with the inner
            // name as its sub-attribute, as the evaluator does.
            Ctx::Entry { attr, .. } if path.sub_attr.is_none() => schema.attribute(
                attr.schema.as_ref().map(|urn| urn.as_str()),
                attr.name.as_str(),
                Some(path.name.as_str()),
            )?,
            Ctx::Entry { .. } => return None,
        };
        (info.attr_type != AttrType::Complex).then_some(info)
    }

    /// A string comparison on a string-like attribute the schema knows.
    fn typed_string_test(
        &mut self,
        path: &AttrPath,
        ctx: Ctx<'_>,
        op: CompareOp,
        s: &str,
        case_exact: bool,
    ) -> Cond {
        let (superset, strict) = self.string_predicates(op, s, case_exact);
        self.compare_typed(path, ctx, op, &superset, &strict)
    }

    /// The superset and strict predicates over `{c}` of a comparison with the string `s` on a
    /// string-like attribute.
    fn string_predicates(&mut self, op: CompareOp, s: &str, case_exact: bool) -> (String, String) {
        let sql_op = sql_op(if op == CompareOp::Ne { CompareOp::Eq } else { op });
        if case_exact {
            let cond = if op.is_substring() {
                let pattern = self.param(like_pattern(op, s));
                format!("({IS_STR} AND {TEXT} COLLATE \"C\" LIKE {pattern})")
            } else {
                let raw = self.param(s);
                format!("({IS_STR} AND {TEXT} COLLATE \"C\" {sql_op} {raw} COLLATE \"C\")")
            };
            return (cond.clone(), cond);
        }
        let folded = scimkit_filter::fold_case(s).into_owned();
        if op.is_ordering() {
            // Exact on ASCII values; a non-ASCII value is only a candidate.
            let folded = self.param(folded);
            let cmp = format!("scim_lower({TEXT}) {sql_op} {folded} COLLATE \"C\"");
            let superset = format!("({IS_STR} AND (NOT scim_is_ascii({TEXT}) OR {cmp}))");
            let strict = format!("({IS_STR} AND scim_is_ascii({TEXT}) AND {cmp})");
            return (superset, strict);
        }
        let folded_ascii = folded.is_ascii();
        let (lowered, as_written) = if op.is_substring() {
            let needle = self.param(like_pattern(op, &folded));
            let raw = self.param(like_pattern(op, s));
            (
                format!("scim_lower({TEXT}) LIKE {needle}"),
                format!("{TEXT} COLLATE \"C\" LIKE {raw}"),
            )
        } else {
            let needle = self.param(folded);
            let raw = self.param(s);
            (format!("scim_lower({TEXT}) = {needle}"), format!("{TEXT} = {raw}"))
        };
        let lowered = format!("({IS_STR} AND {lowered})");
        if folded_ascii {
            return (lowered.clone(), lowered);
        }
        // A non-ASCII needle: `scim_lower` leaves the value's other non-ASCII characters as
        // they are, so any non-ASCII value may match; a value that holds the needle as written
        // surely does.
        let superset = format!("({lowered} OR ({IS_STR} AND NOT scim_is_ascii({TEXT})))");
        let strict = format!("({IS_STR} AND {as_written})");
        (superset, strict)
    }

    /// A string comparison on a dateTime attribute the schema knows: chronological (to the
    /// nanosecond, by `scim_instant`) when the needle and the value are timestamps, as strings
    /// otherwise, as the evaluator does.
    fn typed_datetime_test(
        &mut self,
        path: &AttrPath,
        ctx: Ctx<'_>,
        op: CompareOp,
        s: &str,
        case_exact: bool,
    ) -> Cond {
        let at = DateTime::parse(s).filter(|_| !op.is_substring());
        let Some(at) = at else { return self.typed_string_test(path, ctx, op, s, case_exact) };
        let nanos = i128::from(at.unix_seconds()) * 1_000_000_000 + i128::from(at.subsec_nanos());
        let sql_op = sql_op(if op == CompareOp::Ne { CompareOp::Eq } else { op });
        let nanos = self.param(nanos.to_string());
        let chronological = format!("scim_instant({TEXT}) {sql_op} {nanos}::numeric");
        let (superset, strict) = self.string_predicates(op, s, case_exact);
        let either =
            |as_string: &str| format!("({IS_STR} AND coalesce({chronological}, {as_string}))");
        let (superset, strict) = (either(&superset), either(&strict));
        self.compare_typed(path, ctx, op, &superset, &strict)
    }

    /// A boolean comparison on a boolean attribute the schema knows: the strings `"true"` and
    /// `"false"` (any case) count as booleans.
    fn typed_bool_test(&mut self, path: &AttrPath, ctx: Ctx<'_>, op: CompareOp, b: bool) -> Cond {
        if !matches!(op, CompareOp::Eq | CompareOp::Ne) {
            return Cond::exact("FALSE".to_owned());
        }
        let b = self.param(b.to_string());
        let cond =
            format!("({{c}} = {b}::jsonb OR ({IS_STR} AND lower({TEXT} COLLATE \"C\") = {b}))");
        self.compare_typed(path, ctx, op, &cond, &cond)
    }

    /// A value path over a complex attribute of the core schema as one SQL/JSON path test,
    /// when every test inside can be written exactly in it (see [`Self::jsonpath_test`]):
    /// `r.data @? 'lax $."emails"[*] ? (@."type" like_regex "^[wW][oO][rR][kK\u212A]$")'`.
    /// The database then walks the entries itself, much faster than expanding them in SQL.
    /// `last` is the test after the brackets (`emails[type eq "work"].value eq "x"`), which the
    /// same entry must pass.
    fn value_path_jsonpath(
        &mut self,
        attr: &AttrPath,
        inner: &Filter,
        last: Option<(&AttrName, &AttrTest)>,
        ctx: Ctx<'_>,
    ) -> Option<String> {
        let schema = self.schema?;
        if !matches!(ctx, Ctx::Root) || attr.schema.is_some() || attr.sub_attr.is_some() {
            return None;
        }
        if self.memberships && scimkit_core::is_groups_path(attr) {
            // Memberships are not in the data the path would walk.
            return None;
        }
        let info = schema.attribute(None, attr.name.as_str(), None)?;
        if info.attr_type != AttrType::Complex {
            return None;
        }
        let mut pred = self.jsonpath_filter(inner, attr)?;
        if let Some((sub, test)) = last {
            let sub = AttrPath::new(sub.clone());
            pred = format!("{pred} && {}", self.jsonpath_test(&sub, test, attr)?);
        }
        let key = jsonpath_key(&self.single_spelling(attr.name.as_str())?);
        let path = self.param(format!("lax $.{key}[*] ? ({pred})"));
        Some(format!("coalesce(r.data @? {path}::jsonpath, false)"))
    }

    /// `filter`, inside a value path over `outer`, as a SQL/JSON path predicate: `and` and
    /// `or` of [`jsonpath_test`](Self::jsonpath_test)s (no `not`, whose three-valued logic
    /// differs from the evaluator's on type errors).
    fn jsonpath_filter(&mut self, filter: &Filter, outer: &AttrPath) -> Option<String> {
        let (operands, joiner) = match filter {
            Filter::Attr(expr) => return self.jsonpath_test(&expr.path, &expr.test, outer),
            Filter::And(operands) => (operands, " && "),
            Filter::Or(operands) => (operands, " || "),
            _ => return None,
        };
        let parts: Option<Vec<String>> =
            operands.iter().map(|f| self.jsonpath_filter(f, outer)).collect();
        Some(format!("({})", parts?.join(joiner)))
    }

    /// One test on a member of an entry of `outer` as a SQL/JSON path predicate, if it can be
    /// written exactly: `eq`, `co`, `sw` and `ew` of a string-like sub-attribute (a regular
    /// expression of character classes, see [`string_regex`]), and `eq` of a boolean one.
    fn jsonpath_test(
        &mut self,
        path: &AttrPath,
        test: &AttrTest,
        outer: &AttrPath,
    ) -> Option<String> {
        if path.sub_attr.is_some() {
            return None;
        }
        let info = self.info(path, Ctx::Entry { alias: "", attr: outer })?;
        let AttrTest::Compare(op, value) = test else { return None };
        let member = format!("@.{}", jsonpath_key(&self.single_spelling(path.name.as_str())?));
        match (info.attr_type, value) {
            (AttrType::String | AttrType::Reference | AttrType::Binary, CompValue::String(s)) => {
                let regex = string_regex(*op, s, info.case_exact)?;
                Some(format!("{member} like_regex \"{regex}\""))
            }
            (AttrType::Boolean, CompValue::Bool(b)) if *op == CompareOp::Eq => {
                let spelled = string_regex(CompareOp::Eq, &b.to_string(), false)?;
                Some(format!("({member} == {b} || {member} like_regex \"{spelled}\")"))
            }
            _ => None,
        }
    }

    /// The one spelling the data uses for a member name, if it uses exactly one.
    fn single_spelling(&mut self, name: &str) -> Option<String> {
        self.uses_names = true;
        match self.spellings.get(&name.to_ascii_lowercase())?.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        }
    }

    /// A string comparison on a key attribute, through its key table: exact.
    fn key_test(&mut self, key: &KeyAttribute, unique: bool, op: CompareOp, s: &str) -> Cond {
        let table = key_table(unique);
        let needle = key.key_of(s).into_owned();
        let attribute = self.param(key_name(key));
        let condition = if op.is_substring() {
            let pattern = self.param(like_pattern(op, &needle));
            format!("k.key LIKE {pattern}")
        } else {
            let needle = self.param(needle);
            let op = if op == CompareOp::Ne { CompareOp::Eq } else { op };
            format!("k.key {} {needle} COLLATE \"C\"", sql_op(op))
        };
        let exists = format!(
            "EXISTS (SELECT 1 FROM {table} AS k WHERE k.tenant = $1 AND k.resource_type = $2 \
             AND k.attribute = {attribute} AND k.id = r.id AND {condition})"
        );
        // A key attribute is single-valued: `ne` is the negation of `eq`, absence included.
        Cond::exact(if op == CompareOp::Ne { format!("(NOT {exists})") } else { exists })
    }
}

/// A member name as a quoted SQL/JSON path key: every character but ASCII letters and digits
/// written as a `\u{…}` escape.
fn jsonpath_key(name: &str) -> String {
    let mut out = String::from("\"");
    for c in name.chars() {
        push_jsonpath_char(&mut out, c);
    }
    out.push('"');
    out
}

/// `c` inside a SQL/JSON path string literal: ASCII letters and digits as they are, any other
/// character as a `\u{…}` escape, so that nothing in a value can end the literal.
fn push_jsonpath_char(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() {
        out.push(c);
    } else {
        out.push_str(&format!("\\u{{{:X}}}", u32::from(c)));
    }
}

/// The regular expression (inside a SQL/JSON path string literal) that a string matches
/// exactly when it passes `op` (`eq`, `co`, `sw` or `ew`) with `s`, compared case-exactly or
/// by [`scimkit_filter::fold_case`].
///
/// Case-insensitively, each letter of the folded needle becomes the class of the characters
/// whose lower case it is: `[aA]`, and `[kK\u{212A}]` for `k` (the Kelvin sign). The dotted
/// capital I lower-cases to `i` and a combining dot, so it stands for `i` only where the needle
/// may end inside a value: the last letter of `co` and `sw`. Only the Kelvin sign and the
/// dotted capital I lower-case into ASCII, so for an ASCII needle this is exact; a non-ASCII
/// needle gives `None`. Other ASCII characters are escaped with a backslash (taken literally by
/// the regular expression), non-ASCII ones (case-exact needles) appear as themselves.
fn string_regex(op: CompareOp, s: &str, case_exact: bool) -> Option<String> {
    let (anchor_start, anchor_end) = match op {
        CompareOp::Eq => (true, true),
        CompareOp::Sw => (true, false),
        CompareOp::Ew => (false, true),
        CompareOp::Co => (false, false),
        _ => return None,
    };
    let needle = if case_exact {
        std::borrow::Cow::Borrowed(s)
    } else {
        let folded = scimkit_filter::fold_case(s);
        if !folded.is_ascii() {
            return None;
        }
        folded
    };
    let mut out = String::new();
    if anchor_start {
        out.push('^');
    }
    let count = needle.chars().count();
    for (i, c) in needle.chars().enumerate() {
        if !case_exact && c.is_ascii_lowercase() {
            out.push('[');
            out.push(c);
            out.push(c.to_ascii_uppercase());
            if c == 'k' {
                push_jsonpath_char(&mut out, '\u{212A}');
            }
            if c == 'i' && i + 1 == count && !anchor_end {
                push_jsonpath_char(&mut out, '\u{130}');
            }
            out.push(']');
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c.is_ascii() {
            // A backslash (written `\\` in the literal), then the character: taken literally.
            out.push_str("\\\\");
            push_jsonpath_char(&mut out, c);
        } else {
            push_jsonpath_char(&mut out, c);
        }
    }
    if anchor_end {
        out.push('$');
    }
    Some(out)
}

/// The elements of `expr` if it is an array, `expr` alone otherwise, nothing if it is SQL NULL
/// (an argument for `jsonb_array_elements`).
fn expand_array(expr: &str) -> String {
    format!(
        "CASE WHEN {expr} IS NULL THEN '[]'::jsonb WHEN jsonb_typeof({expr}) = 'array' \
         THEN {expr} ELSE jsonb_build_array({expr}) END"
    )
}

/// Some entry of `source` passes `inner`.
fn exists_entry(source: &str, inner: &Cond) -> Cond {
    Cond {
        superset: format!("EXISTS (SELECT 1 FROM {source} WHERE {})", inner.superset),
        strict: format!("EXISTS (SELECT 1 FROM {source} WHERE {})", inner.strict),
    }
}

#[cfg(test)]
mod tests;
