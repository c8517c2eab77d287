//! Evaluation of filters against JSON resources.
//!
//! A resource is a [`serde_json::Value`] object: core attributes at the top level, extension
//! attributes under their schema URI
//! (`{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tour"}}`).
//! [`Filter::matches`] evaluates without a schema; [`Filter::matches_with`] asks a
//! [`FilterSchema`] about attribute types and `caseExact`; [`Filter::prepare`] does all the
//! per-filter work once and returns a [`PreparedFilter`] whose [`matches`](PreparedFilter::matches)
//! allocates nothing.
//!
//! # Semantics
//!
//! These follow RFC 7644 §3.4.2.2. Where the RFC is silent, the choices of this library are
//! marked *(choice)*.
//!
//! - **Names.** Attribute names and schema URIs match case-insensitively.
//! - **Schema URI prefixes.** For `urn:…:User:name`, if the resource has a top-level key equal to
//!   the URI whose value is an object, the attribute is looked up inside it (an extension);
//!   otherwise, if the URI is listed in the resource's `schemas`, at the top level (the core
//!   schema); otherwise the attribute is absent.
//! - **Candidate values.** A path yields a set of values: the attribute's value, with an array
//!   expanded into its elements. `name.givenName` looks inside the complex attribute; on a
//!   multi-valued complex attribute (an array of objects) it collects the sub-attribute of every
//!   entry. A path into an unknown attribute yields no values; it is not an error.
//! - **Any value.** A comparison matches if any candidate value matches.
//! - **Complex values.** A comparison that reaches complex values (`emails co "@example.com"`)
//!   compares their `value` sub-attribute; a complex value without one matches nothing.
//! - **`pr`.** Present means some candidate value is not null, not `""`, not `[]` and not `{}`.
//! - **Absence.** A missing attribute (no candidate value, or only nulls) matches no comparison
//!   except `ne`: `userType ne "Employee"` matches a user without a `userType`. On present values
//!   `ne` matches if some value is not equal *(choice: values of another JSON type count as not
//!   equal)*.
//! - **`null`.** `eq null` matches iff the attribute is absent, `ne null` iff it is not *(choice:
//!   here an empty string or a complex value without `value` is not absent)*; every other
//!   operator with `null` matches nothing.
//! - **Strings.** Case-sensitive if the schema says `caseExact`, case-insensitive otherwise
//!   (also without a schema or for an unknown attribute). Case-insensitive comparison compares
//!   the `char::to_lowercase` streams of both sides, so the Kelvin sign `K` equals `k`
//!   *(choice: simple lower-casing, not full Unicode case folding: `ß` does not equal `ss`)*.
//!   `gt`, `ge`, `lt`, `le` order lexically by code point, of the lower-cased forms when
//!   case-insensitive.
//! - **dateTime.** Every operator but `co`, `sw` and `ew` compares chronologically, with time
//!   zone offsets normalised (`2011-05-13T04:42:34Z` equals `2011-05-13T06:42:34+02:00`) and
//!   fractional seconds honoured (to the nanosecond). This applies when the schema says
//!   `dateTime`, and without a schema when both the filter's string and the attribute's string
//!   are `xsd:dateTime` timestamps (`YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)`, time zone
//!   required) *(choice)*. A value that does not parse is compared as a string.
//! - **Numbers.** Integers and decimals compare numerically (`5 eq 5.0`), exactly between
//!   integers. A string never equals a number, except that when the schema says `integer` or
//!   `decimal`, numeric strings (in the resource or the filter) compare as numbers *(choice)*.
//!   `co`, `sw` and `ew` with a number match nothing *(choice)*.
//! - **Booleans.** `eq` and `ne` only. When the schema says `boolean`, the strings `"true"` and
//!   `"false"` (any case), in the resource or in the filter, compare as booleans *(choice)*.
//!   Without a schema, other operators with a boolean match nothing.
//! - **Forbidden operators.** When the schema says `boolean`, `gt`, `ge`, `lt`, `le`, `co`, `sw`
//!   and `ew` are an [`EvalError`]; when it says `binary`, `gt`, `ge`, `lt` and `le` are. The
//!   error comes from [`Filter::prepare`] and [`Filter::matches_with`], before any resource is
//!   looked at.
//! - **Value paths.** `emails[type eq "work" and value co "@example.com"]` matches when one and
//!   the same entry passes the whole inner filter. Paths inside are relative to the entry (a
//!   schema URI on them is ignored *(choice)*), and the schema is asked about them as
//!   `(schema, "emails", Some("type"))`. A single-valued complex attribute is a one-entry list; a
//!   primitive entry (a string in a multi-valued string attribute) stands for its own `value`
//!   *(choice)*. `emails[type eq "work"].value eq "x"` matches when one entry passes the inner
//!   filter and that entry's `value` passes the test.
//! - **Logic.** `and`, `or` and `not` are the usual boolean operators over the above: `not
//!   (userType eq "Intern")` matches a user without a `userType`.

mod datetime;
mod error;
mod node;
mod number;
mod operand;
mod path;
mod prepare;
mod text;

#[cfg(test)]
mod tests;

use serde_json::Value;

use crate::ast::Filter;
use crate::schema::{FilterSchema, NoSchema};

pub use error::EvalError;

/// A filter prepared for repeated evaluation: the schema hook has been asked about every path,
/// names are ready for case-insensitive lookup and comparison values are parsed (folded strings,
/// timestamps, numbers).
///
/// It owns all its data, so it can be cached and shared between threads. Build one with
/// [`Filter::prepare`].
///
/// # Examples
///
/// ```
/// use scim_filter::{AttrName, AttrPath, CompValue, CompareOp, Filter, NoSchema};
/// use serde_json::json;
///
/// let user_name = AttrPath::new(AttrName::new("userName").unwrap());
/// let filter = Filter::compare(user_name, CompareOp::Eq, CompValue::String("bjensen".into()));
/// let prepared = filter.prepare(&NoSchema)?;
///
/// let users = [json!({ "userName": "BJensen" }), json!({ "userName": "jsmith" })];
/// let hits: Vec<_> = users.iter().filter(|u| prepared.matches(u)).collect();
/// assert_eq!(hits, [&users[0]]);
/// # Ok::<(), scim_filter::EvalError>(())
/// ```
#[derive(Clone, Debug)]
pub struct PreparedFilter {
    root: node::Node,
}

impl PreparedFilter {
    /// Whether `resource` matches the filter.
    ///
    /// This does no heap allocation.
    ///
    /// # Examples
    ///
    /// ```
    /// use scim_filter::{AttrName, AttrPath, Filter, NoSchema};
    /// use serde_json::json;
    ///
    /// let title = AttrPath::new(AttrName::new("title").unwrap());
    /// let prepared = Filter::present(title).prepare(&NoSchema)?;
    /// assert!(prepared.matches(&json!({ "title": "Tour Guide" })));
    /// assert!(!prepared.matches(&json!({ "title": "" })));
    /// # Ok::<(), scim_filter::EvalError>(())
    /// ```
    pub fn matches(&self, resource: &Value) -> bool {
        self.root.matches(resource)
    }
}

impl Filter {
    /// Whether `resource` matches this filter, without a schema: strings compare
    /// case-insensitively and types come from the JSON values.
    ///
    /// This prepares the filter on every call; use [`Filter::prepare`] to evaluate it many times.
    ///
    /// # Examples
    ///
    /// ```
    /// use scim_filter::{AttrName, AttrPath, CompValue, CompareOp, Filter};
    /// use serde_json::json;
    ///
    /// let user_type = AttrPath::new(AttrName::new("userType").unwrap());
    /// let filter = Filter::compare(user_type, CompareOp::Ne, CompValue::String("Employee".into()));
    /// assert!(filter.matches(&json!({ "userType": "Contractor" })));
    /// assert!(!filter.matches(&json!({ "userType": "employee" })));
    /// // A missing attribute matches `ne`.
    /// assert!(filter.matches(&json!({ "userName": "bjensen" })));
    /// ```
    pub fn matches(&self, resource: &Value) -> bool {
        // Without a schema no operator is forbidden, so preparing cannot fail.
        self.prepare(&NoSchema).is_ok_and(|prepared| prepared.matches(resource))
    }

    /// Whether `resource` matches this filter, with attribute characteristics from `schema`.
    ///
    /// # Errors
    ///
    /// [`EvalError::OperatorNotAllowed`] if the filter uses an operator the schema's type for the
    /// attribute forbids (`active gt true`).
    ///
    /// # Examples
    ///
    /// ```
    /// use scim_filter::{AttrInfo, AttrName, AttrPath, AttrType, CompValue, CompareOp, Filter, FilterSchema};
    /// use serde_json::json;
    ///
    /// struct Schema;
    ///
    /// impl FilterSchema for Schema {
    ///     fn attribute(&self, _: Option<&str>, name: &str, _: Option<&str>) -> Option<AttrInfo> {
    ///         name.eq_ignore_ascii_case("id").then(|| AttrInfo::new(AttrType::String, false, true))
    ///     }
    /// }
    ///
    /// let id = AttrPath::new(AttrName::new("id").unwrap());
    /// let filter = Filter::compare(id, CompareOp::Eq, CompValue::String("2819C223".into()));
    /// let user = json!({ "id": "2819c223" });
    /// assert!(filter.matches(&user));
    /// assert!(!filter.matches_with(&user, &Schema)?);
    /// # Ok::<(), scim_filter::EvalError>(())
    /// ```
    pub fn matches_with<S: FilterSchema + ?Sized>(
        &self,
        resource: &Value,
        schema: &S,
    ) -> Result<bool, EvalError> {
        Ok(self.prepare(schema)?.matches(resource))
    }

    /// Prepares this filter for repeated evaluation under `schema`: asks the schema about every
    /// attribute path once, and parses comparison values for their attribute's type.
    ///
    /// # Errors
    ///
    /// [`EvalError::OperatorNotAllowed`] if the filter uses an operator the schema's type for the
    /// attribute forbids (`active gt true`).
    ///
    /// # Examples
    ///
    /// ```
    /// use scim_filter::{AttrName, AttrPath, CompValue, CompareOp, Filter, NoSchema, ValuePath};
    /// use serde_json::json;
    ///
    /// let name = |n: &str| AttrPath::new(AttrName::new(n).unwrap());
    /// // emails[type eq "work" and value co "@example.com"]
    /// let inner = Filter::compare(name("type"), CompareOp::Eq, CompValue::String("work".into()))
    ///     .and(Filter::compare(name("value"), CompareOp::Co, CompValue::String("@example.com".into())));
    /// let filter = Filter::ValuePath(ValuePath::new(name("emails"), inner));
    /// let prepared = filter.prepare(&NoSchema)?;
    ///
    /// let user = json!({ "emails": [
    ///     { "type": "work", "value": "bjensen@other.com" },
    ///     { "type": "home", "value": "babs@example.com" }
    /// ] });
    /// // Both conditions must hold for the same entry.
    /// assert!(!prepared.matches(&user));
    /// # Ok::<(), scim_filter::EvalError>(())
    /// ```
    pub fn prepare<S: FilterSchema + ?Sized>(
        &self,
        schema: &S,
    ) -> Result<PreparedFilter, EvalError> {
        Ok(PreparedFilter { root: prepare::compile(self, schema)? })
    }
}
