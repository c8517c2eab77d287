//! Comparison values prepared for their attribute, and how one candidate value compares.

use std::cmp::Ordering;

use serde_json::Value;

use super::number::Num;
use super::text::Needle;
use crate::datetime::DateTime;

/// A comparison operator applied to one value. `ne` is absent: it is the negation of `eq` over
/// the whole set of candidate values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Co,
    Sw,
    Ew,
    Gt,
    Lt,
    Ge,
    Le,
}

/// A comparison value, parsed for the way it is compared.
#[derive(Clone, Debug)]
pub(crate) enum Operand {
    /// A string, compared with or without case.
    Str(Needle),
    /// A timestamp, compared chronologically with string values that parse as timestamps (and as a
    /// string with those that don't).
    DateTime { at: DateTime, text: Needle },
    /// A number; with `from_strings`, numeric strings in the resource compare as numbers too.
    Num { n: Num, from_strings: bool },
    /// A boolean; with `from_strings`, the strings `"true"`/`"false"` (any case) compare too.
    Bool { b: bool, from_strings: bool },
}

impl Operand {
    /// Whether the candidate value `v` passes `v op self`.
    #[inline(always)]
    pub(crate) fn test(&self, op: Op, v: &Value) -> bool {
        match self {
            Operand::Str(needle) => v.as_str().is_some_and(|s| string_test(needle, op, s)),
            Operand::DateTime { at, text } => {
                v.as_str().is_some_and(|s| match DateTime::parse(s) {
                    Some(t) => ordering_test(op, t.cmp(at)),
                    None => string_test(text, op, s),
                })
            }
            Operand::Num { n, from_strings } => {
                let value = match v {
                    Value::Number(x) => Num::from_json(x),
                    Value::String(s) if *from_strings => Num::parse(s),
                    _ => None,
                };
                value.and_then(|x| x.compare(*n)).is_some_and(|o| ordering_test(op, o))
            }
            Operand::Bool { b, from_strings } => {
                let value = match v {
                    Value::Bool(x) => Some(*x),
                    Value::String(s) if *from_strings => parse_bool(s),
                    _ => None,
                };
                op == Op::Eq && value == Some(*b)
            }
        }
    }
}

/// The boolean a string spells (`"true"`, `"FALSE"`, any case), if any: how a filter reads a
/// string compared with a `boolean` attribute, in the resource or in the filter. A store that
/// translates filters reads them the same way.
///
/// ```
/// assert_eq!(scimkit_filter::parse_bool("True"), Some(true));
/// assert_eq!(scimkit_filter::parse_bool("FALSE"), Some(false));
/// assert_eq!(scimkit_filter::parse_bool("yes"), None);
/// ```
pub fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

#[inline(always)]
fn string_test(needle: &Needle, op: Op, s: &str) -> bool {
    match op {
        Op::Eq => needle.eq(s),
        Op::Co => needle.contains(s),
        Op::Sw => needle.starts(s),
        Op::Ew => needle.ends(s),
        Op::Gt | Op::Lt | Op::Ge | Op::Le => ordering_test(op, needle.order(s)),
    }
}

/// Whether `value.cmp(operand) == ordering` passes `op`; substring operators never do.
#[inline]
fn ordering_test(op: Op, ordering: Ordering) -> bool {
    match op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Gt => ordering == Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
        Op::Lt => ordering == Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
        Op::Co | Op::Sw | Op::Ew => false,
    }
}
