//! Ordering resources by `sortBy` and `sortOrder` (RFC 7644 §3.4.2.3).

use std::cmp::Ordering;

use serde_json::{Number, Value};

use scimkit_filter::DateTime;

use crate::error::{Error, Result};
use crate::message::SortOrder;
use crate::normalize::JsonObject;
use crate::registry::{ResolvedPath, ResourceTypeSchema};
use crate::schema::{AttributeType, Returned};

/// The comparator for a request's `sortBy` and `sortOrder` (RFC 7644 §3.4.2.3).
///
/// Values compare by the attribute's type:
/// - `string`, `reference` and `binary`: by Unicode code point, case-insensitively (by Unicode
///   lowercase) unless the attribute is `caseExact`;
/// - `integer` and `decimal`: numerically;
/// - `boolean`: `false` before `true`;
/// - `dateTime`: chronologically (offsets are taken into account, see [`DateTime`]).
///
/// A multi-valued attribute sorts by its value marked `primary: true`, or else its first value.
/// A complex attribute must be sorted by a sub-attribute (`name.givenName`); a complex attribute
/// with a `value` sub-attribute may be named alone and sorts by it (`emails` means
/// `emails.value`, `manager` means `manager.value`).
///
/// Resources without a value (or with a value of the wrong JSON type) sort last in ascending
/// order and first in descending order, as the RFC says. Resources with equal values compare
/// equal in [`compare`](SortKey::compare); a store must break such ties the same way on every
/// request for paging to be stable: [`compare_then_id`](SortKey::compare_then_id) breaks them
/// by `id`.
///
/// Like [`crate::Projection`], the comparator expects the canonical form of stored resources:
/// members in the schema's spelling and extension attributes under their URN.
///
/// # Examples
///
/// ```
/// use scimkit_core::{Registry, SortKey, SortOrder};
/// use serde_json::json;
///
/// let registry = Registry::standard();
/// let users = registry.resource_type_schema("User").unwrap();
/// let key = SortKey::new(&users, "name.familyName", SortOrder::Ascending)?;
///
/// let mut found = vec![
///     json!({ "id": "3", "userName": "c" }),
///     json!({ "id": "2", "userName": "b", "name": { "familyName": "smith" } }),
///     json!({ "id": "1", "userName": "a", "name": { "familyName": "Jensen" } }),
/// ];
/// found.sort_by(|a, b| key.compare_then_id(a.as_object().unwrap(), b.as_object().unwrap()));
/// let order: Vec<_> = found.iter().map(|u| u["id"].as_str().unwrap()).collect();
/// assert_eq!(order, ["1", "2", "3"]);
/// # Ok::<(), scimkit_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SortKey {
    /// The extension URN the attribute lives under, for an extension attribute.
    extension: Option<Box<str>>,
    /// The top-level member.
    name: Box<str>,
    multi_valued: bool,
    /// The sub-attribute, if any, and whether it is multi-valued.
    sub: Option<(Box<str>, bool)>,
    kind: Kind,
    order: SortOrder,
}

/// How values of the sorted attribute compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    String { case_exact: bool },
    Number,
    Boolean,
    DateTime,
}

/// A value to sort by.
enum Key<'r> {
    String(&'r str),
    Number(&'r Number),
    Boolean(bool),
    DateTime(DateTime),
}

impl SortKey {
    /// The comparator for `sort_by` (an attribute path, matched case-insensitively, with or
    /// without its schema URN) in `order`, for resources of `schema`'s type.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidValue`] (400 `invalidValue`) if `sort_by` does not name an attribute of
    /// this resource type, names a schema extension, names a complex attribute without a
    /// sub-attribute (and it has no `value` sub-attribute), or names an attribute that is
    /// `returned: never` (sorting by `password` would leak its values' order). RFC 7644 does not
    /// name an error for an unknown `sortBy`; unlike an unknown attribute in a filter, it cannot
    /// be given a harmless meaning, so it is rejected.
    ///
    /// ```
    /// use scimkit_core::{Error, Registry, SortKey, SortOrder};
    ///
    /// let registry = Registry::standard();
    /// let users = registry.resource_type_schema("User").unwrap();
    /// assert!(SortKey::new(&users, "USERNAME", SortOrder::Descending).is_ok());
    /// assert!(SortKey::new(&users, "emails", SortOrder::Ascending).is_ok());
    /// assert!(matches!(
    ///     SortKey::new(&users, "password", SortOrder::Ascending),
    ///     Err(Error::InvalidValue { .. })
    /// ));
    /// assert!(SortKey::new(&users, "nonsense", SortOrder::Ascending).is_err());
    /// ```
    pub fn new(
        schema: &ResourceTypeSchema<'_>,
        sort_by: &str,
        order: SortOrder,
    ) -> Result<SortKey> {
        let sort_by = sort_by.trim();
        let resolved = match schema.resolve_str(sort_by) {
            Some(ResolvedPath::Attribute(resolved)) => resolved,
            Some(ResolvedPath::Extension(_)) => {
                return Err(Error::invalid_value(format!(
                    "sortBy {sort_by:?} names a schema extension, not an attribute"
                )));
            }
            None => {
                return Err(Error::invalid_value(format!(
                    "sortBy {sort_by:?} is not an attribute of {}",
                    schema.resource_type().name
                )));
            }
        };
        let attr = resolved.attribute;
        let mut sub = resolved.sub_attribute;
        if sub.is_none() && attr.is_complex() {
            sub = attr.sub_attribute("value");
            if sub.is_none() {
                return Err(Error::invalid_value(format!(
                    "sortBy {sort_by:?} names a complex attribute; name one of its \
                     sub-attributes, such as {}.{}",
                    attr.name,
                    attr.sub_attributes.first().map_or("value", |s| s.name.as_str())
                )));
            }
        }
        let target = sub.unwrap_or(attr);
        if attr.returned == Returned::Never || target.returned == Returned::Never {
            return Err(Error::invalid_value(format!(
                "sortBy {sort_by:?} names an attribute that is never returned"
            )));
        }
        let kind = match target.attr_type {
            AttributeType::Boolean => Kind::Boolean,
            AttributeType::Integer | AttributeType::Decimal => Kind::Number,
            AttributeType::DateTime => Kind::DateTime,
            AttributeType::String
            | AttributeType::Reference
            | AttributeType::Binary
            | AttributeType::Complex => Kind::String { case_exact: target.case_exact },
        };
        Ok(SortKey {
            extension: resolved.is_extension().then(|| resolved.schema.into()),
            name: attr.name.as_str().into(),
            multi_valued: attr.multi_valued,
            sub: sub.map(|s| (s.name.as_str().into(), s.multi_valued)),
            kind,
            order,
        })
    }

    /// The sort order.
    pub fn order(&self) -> SortOrder {
        self.order
    }

    /// The URN of the schema extension the sorted attribute belongs to, or `None` for an
    /// attribute of the core schema. With [`attribute`](Self::attribute) and
    /// [`sub_attribute`](Self::sub_attribute), this lets a store translate the sort.
    pub fn extension(&self) -> Option<&str> {
        self.extension.as_deref()
    }

    /// The sorted top-level attribute, in the schema's spelling (`name` for `name.familyName`).
    pub fn attribute(&self) -> &str {
        &self.name
    }

    /// The sorted sub-attribute, in the schema's spelling (`familyName` for `name.familyName`,
    /// `value` for `emails`), if any.
    pub fn sub_attribute(&self) -> Option<&str> {
        self.sub.as_ref().map(|(name, _)| name.as_ref())
    }

    /// For a string-like attribute, whether it compares case-exactly; `None` for numbers,
    /// booleans and dateTimes.
    ///
    /// ```
    /// use scimkit_core::{Registry, SortKey, SortOrder};
    ///
    /// let registry = Registry::standard();
    /// let users = registry.resource_type_schema("User").unwrap();
    /// let key = SortKey::new(&users, "username", SortOrder::Ascending)?;
    /// assert_eq!((key.extension(), key.attribute(), key.sub_attribute()), (None, "userName", None));
    /// assert_eq!(key.case_exact(), Some(false));
    /// let key = SortKey::new(&users, "meta.lastModified", SortOrder::Ascending)?;
    /// assert_eq!(key.sub_attribute(), Some("lastModified"));
    /// assert_eq!(key.case_exact(), None);
    /// # Ok::<(), scimkit_core::Error>(())
    /// ```
    pub fn case_exact(&self) -> Option<bool> {
        match self.kind {
            Kind::String { case_exact } => Some(case_exact),
            Kind::Number | Kind::Boolean | Kind::DateTime => None,
        }
    }

    /// Compares two resources by the sort attribute, in the sort order. Resources with equal
    /// (or both missing) values are [`Ordering::Equal`]; see
    /// [`compare_then_id`](Self::compare_then_id) for a total order.
    ///
    /// ```
    /// use std::cmp::Ordering;
    /// use scimkit_core::{Registry, SortKey, SortOrder};
    /// use serde_json::json;
    ///
    /// let registry = Registry::standard();
    /// let users = registry.resource_type_schema("User").unwrap();
    /// let key = SortKey::new(&users, "meta.lastModified", SortOrder::Descending)?;
    /// let older = json!({ "meta": { "lastModified": "2011-05-13T04:42:34Z" } });
    /// let newer = json!({ "meta": { "lastModified": "2011-05-13T05:42:34+01:00" } });
    /// let (older, newer) = (older.as_object().unwrap(), newer.as_object().unwrap());
    /// assert_eq!(key.compare(older, newer), Ordering::Equal); // the same instant
    /// let newer = json!({ "meta": { "lastModified": "2012-01-01T00:00:00Z" } });
    /// assert_eq!(key.compare(older, newer.as_object().unwrap()), Ordering::Greater);
    /// # Ok::<(), scimkit_core::Error>(())
    /// ```
    pub fn compare(&self, a: &JsonObject, b: &JsonObject) -> Ordering {
        self.compare_values(self.key(a), self.key(b))
    }

    /// Compares two values to sort by (`None`: none), in the sort order.
    fn compare_values(&self, a: Option<Key<'_>>, b: Option<Key<'_>>) -> Ordering {
        let ordering = match (a, b) {
            (Some(a), Some(b)) => self.compare_keys(&a, &b),
            // Missing values sort last in ascending order (and so first in descending order).
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        match self.order {
            SortOrder::Ascending => ordering,
            SortOrder::Descending => ordering.reverse(),
        }
    }

    /// [`compare`](Self::compare), then, for resources that compare equal, their `id`s in
    /// ascending byte order whatever the sort order (a resource without an `id` first). Since
    /// `id`s are unique, this is a total order, and pages of a sorted list do not overlap or
    /// skip resources between requests. Stores should sort with this.
    ///
    /// ```
    /// use std::cmp::Ordering;
    /// use scimkit_core::{Registry, SortKey, SortOrder};
    /// use serde_json::json;
    ///
    /// let registry = Registry::standard();
    /// let users = registry.resource_type_schema("User").unwrap();
    /// let key = SortKey::new(&users, "title", SortOrder::Descending)?;
    /// let a = json!({ "id": "a", "title": "Engineer" });
    /// let b = json!({ "id": "b", "title": "ENGINEER" });
    /// let (a, b) = (a.as_object().unwrap(), b.as_object().unwrap());
    /// assert_eq!(key.compare(a, b), Ordering::Equal);
    /// assert_eq!(key.compare_then_id(a, b), Ordering::Less);
    /// # Ok::<(), scimkit_core::Error>(())
    /// ```
    pub fn compare_then_id(&self, a: &JsonObject, b: &JsonObject) -> Ordering {
        self.compare(a, b).then_with(|| id(a).cmp(&id(b)))
    }

    /// Compares two resources by the string values they sort by (`None`: no value), in the
    /// sort order, ties broken by `id` as in [`compare_then_id`](Self::compare_then_id): for a
    /// store that reads only the ids and sorted values of its candidates. For a key that does
    /// not sort strings, a string is no value.
    ///
    /// ```
    /// use std::cmp::Ordering;
    /// use scimkit_core::{Registry, SortKey, SortOrder};
    ///
    /// let registry = Registry::standard();
    /// let users = registry.resource_type_schema("User").unwrap();
    /// let key = SortKey::new(&users, "name.familyName", SortOrder::Ascending)?;
    /// assert_eq!(key.compare_strings_then_id(("2", Some("Müller")), ("1", Some("mÜller"))), Ordering::Greater);
    /// assert_eq!(key.compare_strings_then_id(("1", None), ("2", Some("Zoë"))), Ordering::Greater);
    /// # Ok::<(), scimkit_core::Error>(())
    /// ```
    pub fn compare_strings_then_id(
        &self,
        a: (&str, Option<&str>),
        b: (&str, Option<&str>),
    ) -> Ordering {
        let strings = matches!(self.kind, Kind::String { .. });
        let (x, y) =
            if strings { (a.1.map(Key::String), b.1.map(Key::String)) } else { (None, None) };
        self.compare_values(x, y).then_with(|| a.0.cmp(b.0))
    }

    /// The value `resource` sorts by, if it has one of the expected type.
    fn key<'r>(&self, resource: &'r JsonObject) -> Option<Key<'r>> {
        let container = match &self.extension {
            Some(urn) => resource.get(urn.as_ref())?.as_object()?,
            None => resource,
        };
        let mut value = container.get(self.name.as_ref())?;
        if self.multi_valued {
            value = primary_or_first(value)?;
        }
        if let Some((sub, multi_valued)) = &self.sub {
            value = value.as_object()?.get(sub.as_ref())?;
            if *multi_valued {
                value = primary_or_first(value)?;
            }
        }
        match (self.kind, value) {
            (Kind::String { .. }, Value::String(s)) => Some(Key::String(s)),
            (Kind::Number, Value::Number(n)) => Some(Key::Number(n)),
            (Kind::Boolean, Value::Bool(b)) => Some(Key::Boolean(*b)),
            (Kind::DateTime, Value::String(s)) => DateTime::parse(s).map(Key::DateTime),
            _ => None,
        }
    }

    fn compare_keys(&self, a: &Key<'_>, b: &Key<'_>) -> Ordering {
        match (a, b) {
            (Key::String(a), Key::String(b)) => match self.kind {
                Kind::String { case_exact: false } => a
                    .chars()
                    .flat_map(char::to_lowercase)
                    .cmp(b.chars().flat_map(char::to_lowercase)),
                _ => a.cmp(b),
            },
            (Key::Number(a), Key::Number(b)) => compare_numbers(a, b),
            (Key::Boolean(a), Key::Boolean(b)) => a.cmp(b),
            (Key::DateTime(a), Key::DateTime(b)) => a.cmp(b),
            // `key` yields one kind of key per comparator.
            _ => Ordering::Equal,
        }
    }
}

/// The value of a multi-valued attribute to sort by: the one with `primary: true`, else the
/// first. A single value where an array belongs is taken as it is.
fn primary_or_first(value: &Value) -> Option<&Value> {
    match value {
        Value::Array(items) => items
            .iter()
            .find(|item| item.get("primary").and_then(Value::as_bool) == Some(true))
            .or_else(|| items.first()),
        single => Some(single),
    }
}

fn compare_numbers(a: &Number, b: &Number) -> Ordering {
    if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
        return a.cmp(&b);
    }
    if let (Some(a), Some(b)) = (a.as_u64(), b.as_u64()) {
        return a.cmp(&b);
    }
    let (a, b) = (a.as_f64().unwrap_or(f64::NAN), b.as_f64().unwrap_or(f64::NAN));
    a.total_cmp(&b)
}

fn id(resource: &JsonObject) -> Option<&str> {
    resource.get("id").and_then(Value::as_str)
}

#[cfg(test)]
mod tests;
