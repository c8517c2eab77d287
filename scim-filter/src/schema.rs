//! The small schema hook the evaluator asks about attribute characteristics.
//!
//! scimkit-filter knows no SCIM schema types. A caller that has schemas (scimkit-core's registry)
//! implements [`FilterSchema`] so that the evaluator compares strings with the attribute's
//! `caseExact`, compares `dateTime` values chronologically and rejects operators the RFC forbids
//! for a type. Without a schema ([`NoSchema`]), strings compare case-insensitively and types come
//! from the JSON values themselves.

/// The SCIM data type of an attribute (RFC 7643 §2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AttrType {
    /// `string`.
    String,
    /// `boolean`.
    Boolean,
    /// `decimal`.
    Decimal,
    /// `integer`.
    Integer,
    /// `dateTime` (an `xsd:dateTime` string).
    DateTime,
    /// `binary` (base64 text).
    Binary,
    /// `reference` (a URI).
    Reference,
    /// `complex` (has sub-attributes).
    Complex,
}

/// What the evaluator needs to know about one attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AttrInfo {
    /// The attribute's data type.
    pub attr_type: AttrType,
    /// Whether the attribute holds an array of values.
    pub multi_valued: bool,
    /// Whether string comparisons are case-sensitive.
    pub case_exact: bool,
}

impl AttrInfo {
    /// Characteristics with the given type, multiplicity and case sensitivity.
    pub fn new(attr_type: AttrType, multi_valued: bool, case_exact: bool) -> Self {
        Self { attr_type, multi_valued, case_exact }
    }
}

/// Tells the evaluator the characteristics of attributes.
///
/// `schema` is the URI prefix of the path as written (if any), `name` the attribute and
/// `sub_attr` the sub-attribute. Inside a value path (`emails[type eq "work"]`) the evaluator asks
/// for the outer attribute with the inner name as the sub-attribute (`emails`, `type`).
/// Answer `None` for an attribute the schema does not know; the evaluator then falls back to the
/// JSON types. Names must be matched case-insensitively.
///
/// ```
/// use scimkit_filter::{AttrInfo, AttrType, Filter, FilterSchema};
///
/// struct CaseExactIds;
///
/// impl FilterSchema for CaseExactIds {
///     fn attribute(&self, _schema: Option<&str>, name: &str, sub: Option<&str>) -> Option<AttrInfo> {
///         (name.eq_ignore_ascii_case("externalId") && sub.is_none())
///             .then(|| AttrInfo::new(AttrType::String, false, true))
///     }
/// }
///
/// let filter = Filter::parse(r#"externalId eq "ABC""#).unwrap();
/// let user = serde_json::json!({ "externalId": "abc" });
/// assert!(filter.matches(&user));
/// assert!(!filter.matches_with(&user, &CaseExactIds).unwrap());
/// ```
pub trait FilterSchema {
    /// The characteristics of an attribute, or `None` if the schema does not know it.
    fn attribute(
        &self,
        schema: Option<&str>,
        name: &str,
        sub_attr: Option<&str>,
    ) -> Option<AttrInfo>;
}

/// No schema: every attribute is unknown, strings compare case-insensitively, types come from the
/// JSON values.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoSchema;

impl FilterSchema for NoSchema {
    fn attribute(&self, _: Option<&str>, _: &str, _: Option<&str>) -> Option<AttrInfo> {
        None
    }
}

impl<S: FilterSchema + ?Sized> FilterSchema for &S {
    fn attribute(
        &self,
        schema: Option<&str>,
        name: &str,
        sub_attr: Option<&str>,
    ) -> Option<AttrInfo> {
        (**self).attribute(schema, name, sub_attr)
    }
}
