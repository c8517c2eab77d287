//! The abstract syntax of SCIM filters, attribute paths and PATCH paths.
//!
//! Every type here prints its canonical form with [`Display`](fmt::Display), and that form parses
//! back to an equal value. Attribute names and schema URIs keep the spelling they were written
//! with, but compare (and hash) case-insensitively, as RFC 7643 §2.1 requires.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};

/// Defines a string newtype that keeps its spelling but compares ASCII-case-insensitively.
macro_rules! case_insensitive_name {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Eq)]
        pub struct $name(Box<str>);

        impl $name {
            /// The name as it was written.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Whether this name equals `other`, ignoring ASCII case.
            pub fn eq_ignore_case(&self, other: &str) -> bool {
                self.0.eq_ignore_ascii_case(other)
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.0.eq_ignore_ascii_case(&other.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0.eq_ignore_ascii_case(other)
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0.eq_ignore_ascii_case(other)
            }
        }

        impl Hash for $name {
            fn hash<H: Hasher>(&self, state: &mut H) {
                for b in self.0.bytes() {
                    state.write_u8(b.to_ascii_lowercase());
                }
                state.write_u8(0xff);
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&*self.0, f)
            }
        }
    };
}

case_insensitive_name!(
    /// An attribute name (`userName`, `givenName`, `$ref`).
    ///
    /// Names compare case-insensitively (`USERNAME == userName`) and keep their spelling for
    /// display. Build one by parsing: [`AttrName::new`] checks the RFC 7643 `ATTRNAME` grammar.
    ///
    /// ```
    /// use scimkit_filter::AttrName;
    ///
    /// let name = AttrName::new("userName").unwrap();
    /// assert_eq!(name, AttrName::new("USERNAME").unwrap());
    /// assert_eq!(name.to_string(), "userName");
    /// assert!(AttrName::new("9lives").is_none());
    /// ```
    AttrName
);

case_insensitive_name!(
    /// A schema URI that prefixes an attribute path
    /// (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`).
    ///
    /// Compares case-insensitively and keeps its spelling for display.
    SchemaUri
);

impl AttrName {
    /// Makes a name from `name` if it follows the RFC 7643 §2.1 `ATTRNAME` grammar (a letter,
    /// then letters, digits, `-` or `_`), or is `$` followed by such a name (`$ref`).
    pub fn new(name: &str) -> Option<Self> {
        is_attr_name(name).then(|| Self(name.into()))
    }

    pub(crate) fn new_unchecked(name: &str) -> Self {
        Self(name.into())
    }
}

impl SchemaUri {
    /// Makes a schema URI from `uri` if it is usable as an attribute-path prefix: non-empty,
    /// made of URI characters, containing a `:` and not ending with one.
    pub fn new(uri: &str) -> Option<Self> {
        is_schema_uri(uri).then(|| Self(uri.into()))
    }

    pub(crate) fn new_unchecked(uri: &str) -> Self {
        Self(uri.into())
    }
}

impl Borrow<str> for AttrName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// Whether `name` follows the `ATTRNAME` grammar (with an optional leading `$`).
pub(crate) fn is_attr_name(name: &str) -> bool {
    let rest = name.strip_prefix('$').unwrap_or(name);
    let mut bytes = rest.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `b` may appear in a schema URI prefix.
pub(crate) fn is_uri_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b':' | b'.' | b'-' | b'_' | b'+' | b'%' | b'/' | b'~')
}

pub(crate) fn is_schema_uri(uri: &str) -> bool {
    !uri.is_empty()
        && uri.contains(':')
        && !uri.ends_with(':')
        && uri.bytes().all(is_uri_byte)
        && uri.as_bytes()[0].is_ascii_alphabetic()
}

/// An attribute path: `[schemaUri ":"] name ["." subAttr]` (RFC 7644 §3.4.2.2 `attrPath`).
///
/// ```
/// use scimkit_filter::AttrPath;
///
/// let path: AttrPath = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"
///     .parse()
///     .unwrap();
/// assert_eq!(path.name.as_str(), "manager");
/// assert_eq!(path.sub_attr.as_ref().unwrap().as_str(), "value");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AttrPath {
    /// The schema URI prefix, if the path names one.
    pub schema: Option<SchemaUri>,
    /// The attribute name.
    pub name: AttrName,
    /// The sub-attribute name, if the path names one.
    pub sub_attr: Option<AttrName>,
}

impl AttrPath {
    /// A path to a top-level attribute with no schema prefix and no sub-attribute.
    pub fn new(name: AttrName) -> Self {
        Self { schema: None, name, sub_attr: None }
    }

    /// This path with `schema` as its URI prefix.
    #[must_use]
    pub fn with_schema(mut self, schema: SchemaUri) -> Self {
        self.schema = Some(schema);
        self
    }

    /// This path with `sub_attr` as its sub-attribute.
    #[must_use]
    pub fn with_sub_attr(mut self, sub_attr: AttrName) -> Self {
        self.sub_attr = Some(sub_attr);
        self
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(schema) = &self.schema {
            write!(f, "{schema}:")?;
        }
        f.write_str(self.name.as_str())?;
        if let Some(sub) = &self.sub_attr {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// A comparison operator (RFC 7644 §3.4.2.2, Table 3), `pr` excepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CompareOp {
    /// `eq`: equal.
    Eq,
    /// `ne`: not equal.
    Ne,
    /// `co`: contains (a substring).
    Co,
    /// `sw`: starts with.
    Sw,
    /// `ew`: ends with.
    Ew,
    /// `gt`: greater than.
    Gt,
    /// `lt`: less than.
    Lt,
    /// `ge`: greater than or equal.
    Ge,
    /// `le`: less than or equal.
    Le,
}

impl CompareOp {
    /// Every operator, in the order of the RFC's table.
    pub const ALL: [CompareOp; 9] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Lt,
        CompareOp::Ge,
        CompareOp::Le,
    ];

    /// The operator's keyword in lower case (`"eq"`).
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Lt => "lt",
            CompareOp::Ge => "ge",
            CompareOp::Le => "le",
        }
    }

    /// Whether this is one of the ordering operators `gt`, `lt`, `ge`, `le`.
    pub fn is_ordering(self) -> bool {
        matches!(self, CompareOp::Gt | CompareOp::Lt | CompareOp::Ge | CompareOp::Le)
    }

    /// Whether this is one of the substring operators `co`, `sw`, `ew`.
    pub fn is_substring(self) -> bool {
        matches!(self, CompareOp::Co | CompareOp::Sw | CompareOp::Ew)
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A comparison value (`compValue`): a JSON literal.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum CompValue {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A JSON number.
    Number(serde_json::Number),
    /// A JSON string, unescaped.
    String(String),
}

impl Eq for CompValue {}

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Null => f.write_str("null"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Number(n) => write!(f, "{n}"),
            CompValue::String(s) => write_json_string(f, s),
        }
    }
}

impl From<CompValue> for serde_json::Value {
    fn from(value: CompValue) -> Self {
        match value {
            CompValue::Null => serde_json::Value::Null,
            CompValue::Bool(b) => serde_json::Value::Bool(b),
            CompValue::Number(n) => serde_json::Value::Number(n),
            CompValue::String(s) => serde_json::Value::String(s),
        }
    }
}

/// Writes `s` as a JSON string literal.
fn write_json_string(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{08}' => Some("\\b"),
            '\u{0c}' => Some("\\f"),
            c if (c as u32) < 0x20 => None,
            _ => continue,
        };
        f.write_str(&s[start..i])?;
        match escape {
            Some(e) => f.write_str(e)?,
            None => write!(f, "\\u{:04x}", c as u32)?,
        }
        start = i + c.len_utf8();
    }
    f.write_str(&s[start..])?;
    f.write_str("\"")
}

/// What an attribute expression tests: presence, or a comparison with a value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttrTest {
    /// `pr`: the attribute has a non-empty value.
    Present,
    /// `op value`.
    Compare(CompareOp, CompValue),
}

impl fmt::Display for AttrTest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttrTest::Present => f.write_str("pr"),
            AttrTest::Compare(op, value) => write!(f, "{op} {value}"),
        }
    }
}

/// An attribute expression: `attrPath pr` or `attrPath compareOp compValue`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttrExpr {
    /// The attribute the expression tests.
    pub path: AttrPath,
    /// The test.
    pub test: AttrTest,
}

impl AttrExpr {
    /// An expression testing `path` with `test`.
    pub fn new(path: AttrPath, test: AttrTest) -> Self {
        Self { path, test }
    }
}

impl fmt::Display for AttrExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.path, self.test)
    }
}

/// A value path: `attrPath "[" valFilter "]"`, a filter over the entries of a multi-valued
/// (or complex) attribute, all of whose conditions hold for one and the same entry.
///
/// The attribute path has no sub-attribute; the paths inside the filter are relative to an
/// entry (`type`, `value`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValuePath {
    /// The multi-valued attribute whose entries are filtered (`emails`).
    pub attr: AttrPath,
    /// The filter each entry is tested with.
    pub filter: Box<Filter>,
}

impl ValuePath {
    /// A value path over `attr` with `filter`.
    pub fn new(attr: AttrPath, filter: Filter) -> Self {
        Self { attr, filter: Box::new(filter) }
    }
}

impl fmt::Display for ValuePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.attr, self.filter)
    }
}

/// A SCIM filter (RFC 7644 §3.4.2.2).
///
/// ```
/// use scimkit_filter::Filter;
///
/// let filter = Filter::parse(r#"userName Eq "bjensen" AND not(title pr)"#).unwrap();
/// assert_eq!(filter.to_string(), r#"userName eq "bjensen" and not (title pr)"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Filter {
    /// An attribute expression: `userName eq "bjensen"`, `title pr`.
    Attr(AttrExpr),
    /// A value path: `emails[type eq "work" and value co "@example.com"]`.
    ValuePath(ValuePath),
    /// A value path followed by a sub-attribute expression, as real clients send it:
    /// `emails[type eq "work"].value eq "ann@example.com"`. It matches when one entry passes the
    /// value path's filter and its sub-attribute passes the test.
    ValuePathAttr {
        /// The value path (`emails[type eq "work"]`).
        path: ValuePath,
        /// The sub-attribute of the matching entry (`value`).
        sub_attr: AttrName,
        /// The test applied to that sub-attribute.
        test: AttrTest,
    },
    /// `a and b and …`: every operand matches. Has at least two operands; a chain written
    /// without parentheses is one `And`, so its depth does not grow with its length.
    And(Vec<Filter>),
    /// `a or b or …`: some operand matches. Has at least two operands, like [`Filter::And`].
    Or(Vec<Filter>),
    /// `not (filter)`.
    Not(Box<Filter>),
}

impl Filter {
    /// `path pr`.
    pub fn present(path: AttrPath) -> Self {
        Filter::Attr(AttrExpr::new(path, AttrTest::Present))
    }

    /// `path op value`.
    pub fn compare(path: AttrPath, op: CompareOp, value: CompValue) -> Self {
        Filter::Attr(AttrExpr::new(path, AttrTest::Compare(op, value)))
    }

    /// `self and other`; appends to `self` if it is already an `and` chain.
    #[must_use]
    pub fn and(self, other: Filter) -> Self {
        match self {
            Filter::And(mut operands) => {
                operands.push(other);
                Filter::And(operands)
            }
            first => Filter::And(vec![first, other]),
        }
    }

    /// `self or other`; appends to `self` if it is already an `or` chain.
    #[must_use]
    pub fn or(self, other: Filter) -> Self {
        match self {
            Filter::Or(mut operands) => {
                operands.push(other);
                Filter::Or(operands)
            }
            first => Filter::Or(vec![first, other]),
        }
    }

    /// `not (self)`.
    #[must_use]
    pub fn negate(self) -> Self {
        Filter::Not(Box::new(self))
    }
}

/// Writes the operands of a chain joined by ` and ` or ` or `, with parentheses around an
/// operand that is itself a chain the parser would not rebuild without them.
fn fmt_chain(
    f: &mut fmt::Formatter<'_>,
    operands: &[Filter],
    joiner: &str,
    needs_parens: impl Fn(&Filter) -> bool,
) -> fmt::Result {
    for (n, operand) in operands.iter().enumerate() {
        if n > 0 {
            f.write_str(joiner)?;
        }
        if needs_parens(operand) {
            write!(f, "({operand})")?;
        } else {
            write!(f, "{operand}")?;
        }
    }
    Ok(())
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Attr(expr) => write!(f, "{expr}"),
            Filter::ValuePath(path) => write!(f, "{path}"),
            Filter::ValuePathAttr { path, sub_attr, test } => write!(f, "{path}.{sub_attr} {test}"),
            Filter::And(operands) => {
                fmt_chain(f, operands, " and ", |o| matches!(o, Filter::And(_) | Filter::Or(_)))
            }
            Filter::Or(operands) => fmt_chain(f, operands, " or ", |o| matches!(o, Filter::Or(_))),
            Filter::Not(inner) => write!(f, "not ({inner})"),
        }
    }
}

/// A PATCH operation path (RFC 7644 §3.5.2): `attrPath`, `valuePath` or `valuePath.subAttr`.
///
/// ```
/// use scimkit_filter::PatchPath;
///
/// let path = PatchPath::parse(r#"emails[type eq "work"].value"#).unwrap();
/// assert!(matches!(path, PatchPath::ValuePath { sub_attr: Some(_), .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PatchPath {
    /// An attribute or sub-attribute: `name.givenName`, `urn:…:User:department`.
    Attr(AttrPath),
    /// Entries of a multi-valued attribute selected by a filter, optionally narrowed to one
    /// sub-attribute: `members[value eq "2819c223"]`, `emails[type eq "work"].value`.
    ValuePath {
        /// The value path.
        path: ValuePath,
        /// The sub-attribute of the selected entries, if any.
        sub_attr: Option<AttrName>,
    },
}

impl PatchPath {
    /// The attribute the path starts from (without any sub-attribute).
    pub fn attr(&self) -> &AttrPath {
        match self {
            PatchPath::Attr(path) => path,
            PatchPath::ValuePath { path, .. } => &path.attr,
        }
    }
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatchPath::Attr(path) => write!(f, "{path}"),
            PatchPath::ValuePath { path, sub_attr: None } => write!(f, "{path}"),
            PatchPath::ValuePath { path, sub_attr: Some(sub) } => write!(f, "{path}.{sub}"),
        }
    }
}
