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
//! The semantics are described in `semantics.md` beside this file, which is part of the crate
//! documentation.

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
pub use operand::parse_bool;
pub use text::fold_case;

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
/// use scimkit_filter::{Filter, NoSchema};
/// use serde_json::json;
///
/// let prepared = Filter::parse(r#"userName eq "bjensen""#)?.prepare(&NoSchema)?;
///
/// let users = [json!({ "userName": "BJensen" }), json!({ "userName": "jsmith" })];
/// let hits: Vec<_> = users.iter().filter(|u| prepared.matches(u)).collect();
/// assert_eq!(hits, [&users[0]]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
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
    /// use scimkit_filter::{Filter, NoSchema};
    /// use serde_json::json;
    ///
    /// let prepared = Filter::parse("title pr")?.prepare(&NoSchema)?;
    /// assert!(prepared.matches(&json!({ "title": "Tour Guide" })));
    /// assert!(!prepared.matches(&json!({ "title": "" })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn matches(&self, resource: &Value) -> bool {
        self.root.matches(path::Ctx::Value(resource))
    }

    /// Whether the resource whose JSON object is `resource` matches the filter: the same as
    /// [`PreparedFilter::matches`], for callers that hold the object rather than a `Value`.
    ///
    /// ```
    /// use scimkit_filter::{Filter, NoSchema};
    /// use serde_json::json;
    ///
    /// let prepared = Filter::parse("title pr")?.prepare(&NoSchema)?;
    /// let user = json!({ "title": "Tour Guide" });
    /// assert!(prepared.matches_object(user.as_object().unwrap()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn matches_object(&self, resource: &serde_json::Map<String, Value>) -> bool {
        self.root.matches(path::Ctx::Object(resource))
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
    /// use scimkit_filter::Filter;
    /// use serde_json::json;
    ///
    /// let filter = Filter::parse(r#"userType ne "Employee""#)?;
    /// assert!(filter.matches(&json!({ "userType": "Contractor" })));
    /// assert!(!filter.matches(&json!({ "userType": "employee" })));
    /// // A missing attribute matches `ne`.
    /// assert!(filter.matches(&json!({ "userName": "bjensen" })));
    /// # Ok::<(), scimkit_filter::ParseError>(())
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
    /// use scimkit_filter::{AttrInfo, AttrType, Filter, FilterSchema};
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
    /// let filter = Filter::parse(r#"id eq "2819C223""#)?;
    /// let user = json!({ "id": "2819c223" });
    /// assert!(filter.matches(&user));
    /// assert!(!filter.matches_with(&user, &Schema)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
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
    /// use scimkit_filter::{Filter, NoSchema};
    /// use serde_json::json;
    ///
    /// let filter = Filter::parse(r#"emails[type eq "work" and value co "@example.com"]"#)?;
    /// let prepared = filter.prepare(&NoSchema)?;
    ///
    /// let user = json!({ "emails": [
    ///     { "type": "work", "value": "bjensen@other.com" },
    ///     { "type": "home", "value": "babs@example.com" }
    /// ] });
    /// // Both conditions must hold for the same entry.
    /// assert!(!prepared.matches(&user));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prepare<S: FilterSchema + ?Sized>(
        &self,
        schema: &S,
    ) -> Result<PreparedFilter, EvalError> {
        Ok(PreparedFilter { root: prepare::compile(self, schema)? })
    }
}
