//! Why a filter cannot be evaluated under a schema.

use crate::ast::CompareOp;
use crate::schema::AttrType;

/// A filter that cannot be evaluated under a schema: it uses an operator the RFC forbids for the
/// attribute's type. Servers answer it with `400 Bad Request`, `scimType` `invalidFilter`.
///
/// # Examples
///
/// ```
/// use scimkit_filter::{AttrInfo, AttrType, CompareOp, EvalError, Filter, FilterSchema};
///
/// struct Schema;
///
/// impl FilterSchema for Schema {
///     fn attribute(&self, _: Option<&str>, name: &str, _: Option<&str>) -> Option<AttrInfo> {
///         name.eq_ignore_ascii_case("active").then(|| AttrInfo::new(AttrType::Boolean, false, false))
///     }
/// }
///
/// let err = Filter::parse("active gt true")?.prepare(&Schema).unwrap_err();
/// assert!(matches!(err, EvalError::OperatorNotAllowed { op: CompareOp::Gt, .. }));
/// assert_eq!(err.to_string(), "operator gt is not allowed on boolean attribute active");
/// # Ok::<(), scimkit_filter::ParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// The operator is not allowed on the attribute's type: `gt`, `ge`, `lt` and `le` on
    /// `boolean` and `binary` attributes, `co`, `sw` and `ew` on `boolean` attributes
    /// (RFC 7644 §3.4.2.2).
    #[error("operator {op} is not allowed on {} attribute {path}", type_name(*attr_type))]
    OperatorNotAllowed {
        /// The attribute path as written (`active`, `emails.primary` inside a value path).
        path: String,
        /// The operator.
        op: CompareOp,
        /// The attribute's type, as the schema hook tells it.
        attr_type: AttrType,
    },
}

/// The RFC 7643 name of a type.
fn type_name(attr_type: AttrType) -> &'static str {
    match attr_type {
        AttrType::String => "string",
        AttrType::Boolean => "boolean",
        AttrType::Decimal => "decimal",
        AttrType::Integer => "integer",
        AttrType::DateTime => "dateTime",
        AttrType::Binary => "binary",
        AttrType::Reference => "reference",
        AttrType::Complex => "complex",
    }
}
