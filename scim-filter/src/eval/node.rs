//! The prepared filter tree and its evaluation against one resource.

use serde_json::Value;

use super::operand::{Op, Operand};
use super::path::{Ctx, Path};

/// A prepared filter node.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    /// A test of an attribute path.
    Test {
        path: Path,
        test: Test,
    },
    /// Some entry of `attr` passes `filter`.
    ValuePath {
        attr: Path,
        filter: Box<Node>,
    },
    /// Some entry of `attr` passes `filter`, and its sub-attribute `sub` passes `test`.
    ValuePathAttr {
        attr: Path,
        filter: Box<Node>,
        sub: Path,
        test: Test,
    },
    /// Every operand matches.
    And(Box<[Node]>),
    /// Some operand matches.
    Or(Box<[Node]>),
    Not(Box<Node>),
}

/// A prepared attribute test.
#[derive(Clone, Debug)]
pub(crate) enum Test {
    /// `pr`: some value is not null, `""`, `[]` or `{}`.
    Present,
    /// `eq null`: no value other than null.
    Absent,
    /// `ne null`: some value other than null.
    NotAbsent,
    /// A test that matches nothing (`gt null`, `co 5`, `gt true` without a schema).
    Never,
    /// `op value` for every operator but `ne`: some value passes.
    Compare(Op, Operand),
    /// `ne value`: no value at all, or some value that is not equal.
    NotEqual(Operand),
}

impl Node {
    /// Whether the resource (or value-path entry) `ctx` passes this node.
    pub(crate) fn matches(&self, ctx: Ctx<'_>) -> bool {
        match self {
            Node::Test { path, test } => test.matches(path, ctx),
            Node::ValuePath { attr, filter } => {
                attr.any(ctx, |entry| filter.matches(Ctx::Value(entry)))
            }
            Node::ValuePathAttr { attr, filter, sub, test } => attr.any(ctx, |entry| {
                filter.matches(Ctx::Value(entry)) && test.matches(sub, Ctx::Value(entry))
            }),
            Node::And(operands) => operands.iter().all(|node| node.matches(ctx)),
            Node::Or(operands) => operands.iter().any(|node| node.matches(ctx)),
            Node::Not(inner) => !inner.matches(ctx),
        }
    }
}

impl Test {
    #[inline(always)]
    fn matches(&self, path: &Path, ctx: Ctx<'_>) -> bool {
        match self {
            Test::Present => path.any(ctx, is_present),
            Test::Absent => !path.any(ctx, |v| !v.is_null()),
            Test::NotAbsent => path.any(ctx, |v| !v.is_null()),
            Test::Never => false,
            Test::Compare(op, operand) => path.any_compared(
                ctx,
                #[inline(always)]
                |v| !v.is_null() && operand.test(*op, v),
            ),
            Test::NotEqual(operand) => {
                let mut present = false;
                let unequal = path.any_compared(ctx, |v| {
                    if v.is_null() {
                        return false;
                    }
                    present = true;
                    !operand.test(Op::Eq, v)
                });
                unequal || !present
            }
        }
    }
}

/// Whether a value counts as present for `pr`.
fn is_present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Bool(_) | Value::Number(_) => true,
    }
}
