//! Preparing a filter: asking the schema hook about every path and parsing comparison values.

use crate::ast::{AttrPath, AttrTest, CompValue, CompareOp, Filter, ValuePath};
use crate::schema::{AttrInfo, AttrType, FilterSchema};

use super::EvalError;
use super::node::{Node, Test};
use super::number::Num;
use super::operand::{Op, Operand, parse_bool};
use super::path::Path;
use super::text::Needle;
use crate::datetime::DateTime;

/// Where the paths of a filter are resolved from.
#[derive(Clone, Copy)]
enum Scope<'a> {
    /// The resource.
    Root,
    /// An entry of the value path over `attr` (written `display`).
    Entry { attr: &'a AttrPath, display: &'a str },
    /// An entry of a value path nested in another: the schema hook is not asked.
    Nested,
}

/// Prepares `filter` for evaluation under `schema`.
pub(crate) fn compile<S: FilterSchema + ?Sized>(
    filter: &Filter,
    schema: &S,
) -> Result<Node, EvalError> {
    Compiler { schema }.node(filter, Scope::Root)
}

struct Compiler<'s, S: ?Sized> {
    schema: &'s S,
}

impl<S: FilterSchema + ?Sized> Compiler<'_, S> {
    fn node(&self, filter: &Filter, scope: Scope<'_>) -> Result<Node, EvalError> {
        Ok(match filter {
            Filter::Attr(expr) => {
                let path = self.path(&expr.path, scope);
                let info = self.info(&expr.path, scope);
                let test = test(&expr.test, info, || display(&expr.path, scope))?;
                Node::Test { path, test }
            }
            Filter::ValuePath(value_path) => {
                let (attr, filter) = self.value_path(value_path, scope)?;
                Node::ValuePath { attr, filter }
            }
            Filter::ValuePathAttr { path: value_path, sub_attr, test: attr_test } => {
                let (attr, filter) = self.value_path(value_path, scope)?;
                let info = match scope {
                    Scope::Root if value_path.attr.sub_attr.is_none() => self.schema.attribute(
                        value_path.attr.schema.as_ref().map(|s| s.as_str()),
                        value_path.attr.name.as_str(),
                        Some(sub_attr.as_str()),
                    ),
                    _ => None,
                };
                let test = test(attr_test, info, || {
                    format!("{}.{sub_attr}", display(&value_path.attr, scope))
                })?;
                Node::ValuePathAttr {
                    attr,
                    filter,
                    sub: Path::entry(sub_attr.as_str(), None),
                    test,
                }
            }
            Filter::And(operands) => Node::And(self.nodes(operands, scope)?),
            Filter::Or(operands) => Node::Or(self.nodes(operands, scope)?),
            Filter::Not(inner) => Node::Not(Box::new(self.node(inner, scope)?)),
        })
    }

    fn nodes(&self, filters: &[Filter], scope: Scope<'_>) -> Result<Box<[Node]>, EvalError> {
        filters.iter().map(|filter| self.node(filter, scope)).collect()
    }

    /// The entries' path and the prepared filter of a value path.
    fn value_path(
        &self,
        value_path: &ValuePath,
        scope: Scope<'_>,
    ) -> Result<(Path, Box<Node>), EvalError> {
        let attr = self.path(&value_path.attr, scope);
        let display = display(&value_path.attr, scope);
        let inner = match scope {
            Scope::Root if value_path.attr.sub_attr.is_none() => {
                Scope::Entry { attr: &value_path.attr, display: &display }
            }
            _ => Scope::Nested,
        };
        let filter = self.node(&value_path.filter, inner)?;
        Ok((attr, Box::new(filter)))
    }

    fn path(&self, path: &AttrPath, scope: Scope<'_>) -> Path {
        let sub = path.sub_attr.as_ref().map(|s| s.as_str());
        match scope {
            Scope::Root => {
                Path::root(path.schema.as_ref().map(|s| s.as_str()), path.name.as_str(), sub)
            }
            Scope::Entry { .. } | Scope::Nested => Path::entry(path.name.as_str(), sub),
        }
    }

    /// What the schema hook says about the values a comparison on `path` sees.
    fn info(&self, path: &AttrPath, scope: Scope<'_>) -> Option<AttrInfo> {
        match scope {
            Scope::Root => {
                let uri = path.schema.as_ref().map(|s| s.as_str());
                let sub = path.sub_attr.as_ref().map(|s| s.as_str());
                let info = self.schema.attribute(uri, path.name.as_str(), sub)?;
                // A comparison on a complex attribute compares its `value` sub-attribute.
                if info.attr_type == AttrType::Complex && sub.is_none() {
                    self.schema.attribute(uri, path.name.as_str(), Some("value"))
                } else {
                    Some(info)
                }
            }
            Scope::Entry { attr, .. } if path.sub_attr.is_none() => self.schema.attribute(
                attr.schema.as_ref().map(|s| s.as_str()),
                attr.name.as_str(),
                Some(path.name.as_str()),
            ),
            Scope::Entry { .. } | Scope::Nested => None,
        }
    }
}

/// How a path is named in errors: as written, prefixed by the value path's attribute inside one.
fn display(path: &AttrPath, scope: Scope<'_>) -> String {
    match scope {
        Scope::Root => path.to_string(),
        Scope::Entry { display, .. } => format!("{display}.{path}"),
        Scope::Nested => format!("[].{path}"),
    }
}

/// Prepares a test of an attribute described by `info`.
fn test(
    test: &AttrTest,
    info: Option<AttrInfo>,
    display: impl FnOnce() -> String,
) -> Result<Test, EvalError> {
    let AttrTest::Compare(op, value) = test else {
        return Ok(Test::Present);
    };
    let op = *op;
    if let Some(info) = info {
        let forbidden = match info.attr_type {
            AttrType::Boolean => op.is_ordering() || op.is_substring(),
            AttrType::Binary => op.is_ordering(),
            _ => false,
        };
        if forbidden {
            return Err(EvalError::OperatorNotAllowed {
                path: display(),
                op,
                attr_type: info.attr_type,
            });
        }
    }
    if *value == CompValue::Null {
        return Ok(match op {
            CompareOp::Eq => Test::Absent,
            CompareOp::Ne => Test::NotAbsent,
            _ => Test::Never,
        });
    }
    let Some(operand) = operand(op, value, info) else {
        return Ok(Test::Never);
    };
    Ok(match op {
        CompareOp::Ne => Test::NotEqual(operand),
        CompareOp::Eq => Test::Compare(Op::Eq, operand),
        CompareOp::Co => Test::Compare(Op::Co, operand),
        CompareOp::Sw => Test::Compare(Op::Sw, operand),
        CompareOp::Ew => Test::Compare(Op::Ew, operand),
        CompareOp::Gt => Test::Compare(Op::Gt, operand),
        CompareOp::Lt => Test::Compare(Op::Lt, operand),
        CompareOp::Ge => Test::Compare(Op::Ge, operand),
        CompareOp::Le => Test::Compare(Op::Le, operand),
    })
}

/// Parses the comparison value for `op` on an attribute described by `info`, or `None` if the
/// comparison can match nothing.
fn operand(op: CompareOp, value: &CompValue, info: Option<AttrInfo>) -> Option<Operand> {
    let attr_type = info.map(|i| i.attr_type);
    let numeric = matches!(attr_type, Some(AttrType::Integer | AttrType::Decimal));
    match value {
        CompValue::Null => None,
        CompValue::Bool(b) => (!op.is_ordering() && !op.is_substring())
            .then_some(Operand::Bool { b: *b, from_strings: attr_type == Some(AttrType::Boolean) }),
        CompValue::Number(n) => (!op.is_substring())
            .then(|| Num::from_json(n))
            .flatten()
            .map(|n| Operand::Num { n, from_strings: numeric }),
        CompValue::String(s) => {
            let case_exact = info.is_some_and(|i| i.case_exact);
            if let Some(b) = (attr_type == Some(AttrType::Boolean)).then(|| parse_bool(s)).flatten()
            {
                return Some(Operand::Bool { b, from_strings: true });
            }
            if op.is_substring() {
                return Some(Operand::Str(Needle::new(s, case_exact)));
            }
            if let Some(n) = numeric.then(|| Num::parse(s)).flatten() {
                return Some(Operand::Num { n, from_strings: true });
            }
            let dates = matches!(attr_type, None | Some(AttrType::DateTime));
            if let Some(at) = dates.then(|| DateTime::parse(s)).flatten() {
                return Some(Operand::DateTime { at, text: Needle::new(s, case_exact) });
            }
            Some(Operand::Str(Needle::new(s, case_exact)))
        }
    }
}
