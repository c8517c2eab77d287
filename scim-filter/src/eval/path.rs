//! Resolving an attribute path in a resource to its candidate values.

use serde_json::{Map, Value};

/// What a path is resolved in: a whole resource (as a JSON value or as its object), or an entry
/// of a value path.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Ctx<'v> {
    /// A JSON value: a resource, or a value-path entry.
    Value(&'v Value),
    /// A resource's JSON object.
    Object(&'v Map<String, Value>),
}

/// A prepared attribute path.
#[derive(Clone, Debug)]
pub(crate) struct Path {
    /// The schema URI prefix (never set on paths inside a value path).
    schema: Option<Box<str>>,
    name: Box<str>,
    sub: Option<Box<str>>,
    /// Whether the path is relative to an entry of a value path. A primitive entry (a string in
    /// a multi-valued string attribute) then stands for its own `value` sub-attribute.
    in_entry: bool,
}

impl Path {
    /// A path from the resource root.
    pub(crate) fn root(schema: Option<&str>, name: &str, sub: Option<&str>) -> Self {
        Self {
            schema: schema.map(Into::into),
            name: name.into(),
            sub: sub.map(Into::into),
            in_entry: false,
        }
    }

    /// A path relative to an entry of a value path.
    pub(crate) fn entry(name: &str, sub: Option<&str>) -> Self {
        Self { schema: None, name: name.into(), sub: sub.map(Into::into), in_entry: true }
    }

    /// Whether `f` holds for some candidate value of the path in `ctx`: the attribute's value,
    /// with arrays expanded, or (with a sub-attribute) the sub-attribute of the attribute or of
    /// each of its entries, again with arrays expanded.
    #[inline(always)]
    pub(crate) fn any<'v>(&self, ctx: Ctx<'v>, mut f: impl FnMut(&'v Value) -> bool) -> bool {
        let Some(attr) = self.attr(ctx) else {
            return false;
        };
        match &self.sub {
            None => any_flat(attr, &mut f),
            Some(sub) => match attr {
                Value::Array(items) => items
                    .iter()
                    .any(|item| sub_value(item, sub).is_some_and(|v| any_flat(v, &mut f))),
                other => sub_value(other, sub).is_some_and(|v| any_flat(v, &mut f)),
            },
        }
    }

    /// Like [`Path::any`], but with complex values replaced by their `value` sub-attribute (and
    /// complex values without one skipped): the candidates a comparison sees.
    #[inline(always)]
    pub(crate) fn any_compared<'v>(
        &self,
        ctx: Ctx<'v>,
        mut f: impl FnMut(&'v Value) -> bool,
    ) -> bool {
        self.any(
            ctx,
            #[inline(always)]
            |v| match v {
                Value::Object(entry) => get_ci(entry, "value").is_some_and(|v| any_flat(v, &mut f)),
                v => f(v),
            },
        )
    }

    /// The attribute's value in `ctx`, before any sub-attribute.
    #[inline(always)]
    fn attr<'v>(&self, ctx: Ctx<'v>) -> Option<&'v Value> {
        let ctx = match ctx {
            Ctx::Object(obj) => return get_ci(self.container(obj)?, &self.name),
            Ctx::Value(value) => value,
        };
        match ctx {
            Value::Object(obj) => get_ci(self.container(obj)?, &self.name),
            primitive
                if self.in_entry
                    && self.sub.is_none()
                    && self.name.eq_ignore_ascii_case("value") =>
            {
                Some(primitive)
            }
            _ => None,
        }
    }

    /// The object the attribute lives in: the resource itself, or an extension's object.
    #[inline(always)]
    fn container<'v>(&self, obj: &'v Map<String, Value>) -> Option<&'v Map<String, Value>> {
        let Some(uri) = &self.schema else {
            return Some(obj);
        };
        if let Some(Value::Object(extension)) = get_ci(obj, uri) {
            return Some(extension);
        }
        let is_core = get_ci(obj, "schemas").and_then(Value::as_array).is_some_and(|schemas| {
            schemas.iter().any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(uri)))
        });
        is_core.then_some(obj)
    }
}

/// `f` over `v`, or over its elements if it is an array.
#[inline(always)]
fn any_flat<'v>(v: &'v Value, f: &mut impl FnMut(&'v Value) -> bool) -> bool {
    match v {
        Value::Array(items) => items.iter().any(f),
        v => f(v),
    }
}

/// The sub-attribute `sub` of a complex value.
#[inline(always)]
fn sub_value<'v>(v: &'v Value, sub: &str) -> Option<&'v Value> {
    get_ci(v.as_object()?, sub)
}

/// The value of `key` in `obj`, matching the key case-insensitively; an exact match wins.
///
/// One pass that compares lengths first: that reads only the map's nodes, not the heap text of
/// every key on the way, as an ordered lookup would.
#[inline(always)]
pub(crate) fn get_ci<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    let mut folded = None;
    for (k, v) in obj {
        if k.len() == key.len() {
            if k == key {
                return Some(v);
            }
            if folded.is_none() && k.eq_ignore_ascii_case(key) {
                folded = Some(v);
            }
        }
    }
    folded
}
