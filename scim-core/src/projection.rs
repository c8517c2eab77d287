//! Which attributes a response carries: `attributes`, `excludedAttributes` and `returned`
//! (RFC 7644 §3.4.2.5 and §3.9, RFC 7643 §7).
//!
//! A [`Projection`] is built once per request from the two query lists and the resource type's
//! schemas, and then applied to every resource of the response. Building resolves each listed
//! path; applying only walks the stored JSON and copies what survives.

use std::sync::Arc;

use serde_json::Value;

use scimkit_filter::AttrPath;

use crate::error::{Error, Result};
use crate::normalize::JsonObject;
use crate::registry::{ResolvedPath, ResourceTypeSchema};
use crate::schema::{Attribute, Returned, Schema};

/// The attributes a response returns for resources of one resource type (RFC 7644 §3.4.2.5,
/// §3.9; RFC 7643 §7 `returned`).
///
/// Rules, in order of precedence:
/// - an attribute or sub-attribute with `returned: never` (`password`) is never output, even
///   when listed;
/// - `returned: always` attributes (`id`) and the `schemas` member are always output; listing
///   one in `excludedAttributes` has no effect;
/// - `returned: request` attributes are output only when their own path is listed in
///   `attributes` (naming their parent or their extension is not enough);
/// - with `attributes`, only the listed attributes (and the `always` ones) are output; a
///   sub-attribute path (`name.givenName`, `emails.value`) keeps only that sub-attribute of the
///   complex value, in every entry of a multi-valued one; a bare extension URN lists all of the
///   extension's attributes;
/// - with `excludedAttributes`, every `returned: default` attribute is output except the listed
///   ones; `meta` is a default attribute and may be excluded;
/// - with neither, every `default` and `always` attribute is output.
///
/// Paths match case-insensitively, with or without their schema URN
/// (`urn:ietf:params:scim:schemas:core:2.0:User:userName`). A path this resource type does not
/// define is ignored, as if it was not listed: clients send lists meant for several resource
/// types. RFC 7644 makes the two lists mutually exclusive; when a request has both, this type
/// follows `attributes` and ignores `excludedAttributes`.
///
/// [`apply`](Projection::apply) expects the canonical form of [`crate::normalize_resource`]
/// (plus `id`, `meta` and other read-only values the service adds): members in the schema's
/// spelling, extension attributes under their URN. Members the schemas do not define are not
/// output. `schemas` is output as stored, even if the projection leaves out an extension's
/// attributes. No `null`, empty array or empty object is output; an extension object or complex
/// value from which everything was projected away is left out.
///
/// # Examples
///
/// ```
/// use scimkit_core::{Projection, Registry};
/// use serde_json::json;
///
/// let registry = Registry::standard();
/// let users = registry.resource_type_schema("User").unwrap();
/// let stored = json!({
///     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
///     "id": "2819c223",
///     "userName": "bjensen",
///     "name": { "givenName": "Barbara", "familyName": "Jensen" },
///     "emails": [{ "value": "bjensen@example.com", "type": "work", "primary": true }],
///     "password": "t1meMa$heen",
///     "meta": { "resourceType": "User", "created": "2010-01-23T04:56:22Z" }
/// });
/// let stored = stored.as_object().unwrap();
///
/// let only = Projection::new(&users, &["NAME.givenName".into(), "emails.value".into()], &[])?;
/// assert_eq!(
///     serde_json::Value::Object(only.apply(stored)),
///     json!({
///         "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
///         "id": "2819c223",
///         "name": { "givenName": "Barbara" },
///         "emails": [{ "value": "bjensen@example.com" }]
///     })
/// );
///
/// let view = Projection::default_view(&users).apply(stored);
/// assert!(view.contains_key("meta") && !view.contains_key("password"));
///
/// let excluded = Projection::new(&users, &[], &["emails".into(), "meta".into()])?;
/// let out = excluded.apply(stored);
/// assert!(out.contains_key("name") && !out.contains_key("emails") && !out.contains_key("meta"));
/// # Ok::<(), scimkit_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Projection {
    /// Shared, so that a cached projection (such as the default view) clones cheaply.
    root: Arc<Fields>,
    /// Whether most of a resource is output (no `attributes` list), so that cloning it and then
    /// removing what is not output is the faster way.
    clone_first: bool,
}

/// What happens to one member of a JSON object.
#[derive(Clone, Debug, PartialEq)]
enum Rule {
    /// Not output.
    Drop,
    /// Output as stored (minus any `null`s).
    Keep,
    /// A complex value (or an extension object): output the members the fields keep, in each
    /// entry of an array.
    Fields(Fields),
}

/// The rules for the members of one JSON object, sorted by name for binary search.
#[derive(Clone, Debug, PartialEq)]
struct Fields {
    entries: Box<[(Box<str>, Rule)]>,
}

impl Fields {
    fn new(mut entries: Vec<(Box<str>, Rule)>) -> Self {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Self { entries: entries.into_boxed_slice() }
    }

    /// A cursor for looking up the members of one object in order.
    fn cursor(&self) -> Cursor<'_> {
        Cursor { entries: &self.entries, next: 0 }
    }

    /// The rule for a container whose members follow these rules: `Drop` if nothing can be
    /// output, `Keep` if everything is kept as stored.
    fn into_rule(self) -> Rule {
        if self.entries.iter().all(|(_, r)| *r == Rule::Drop) {
            Rule::Drop
        } else if self.entries.iter().all(|(_, r)| *r == Rule::Keep) {
            Rule::Keep
        } else {
            Rule::Fields(self)
        }
    }
}

/// Looks up the rules for the members of one object. Stored objects are maps sorted by key, so
/// a cursor that only moves forward finds each member in about one comparison.
struct Cursor<'f> {
    entries: &'f [(Box<str>, Rule)],
    next: usize,
}

impl<'f> Cursor<'f> {
    /// The rule for the member `key`: by exact name (the canonical form), else ignoring ASCII
    /// case (which also covers keys that do not come in sorted order). Members not in the schema
    /// are dropped.
    fn get(&mut self, key: &str) -> &'f Rule {
        let entries = self.entries;
        while self.next < entries.len() && entries[self.next].0.as_ref() < key {
            self.next += 1;
        }
        match entries.get(self.next) {
            Some((name, rule)) if name.as_ref() == key => {
                self.next += 1;
                rule
            }
            _ => entries
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(key))
                .map_or(&Rule::Drop, |(_, rule)| rule),
        }
    }
}

/// The paths a request lists, resolved to their definitions (compared by address: every
/// attribute and sub-attribute definition of a registry is a distinct value).
#[derive(Default)]
struct Listed<'a> {
    attributes: Vec<&'a Attribute>,
    extensions: Vec<&'a Schema>,
}

impl<'a> Listed<'a> {
    fn resolve(schema: &ResourceTypeSchema<'a>, paths: &[String]) -> Result<Self> {
        let mut listed = Listed::default();
        for path in paths {
            let path = path.trim();
            if path.is_empty() {
                continue;
            }
            match schema.resolve_str(path) {
                Some(ResolvedPath::Attribute(a)) => listed.attributes.push(a.target()),
                Some(ResolvedPath::Extension(ext)) => listed.extensions.push(ext),
                // Not resolved: ignore a well-formed path, reject anything else.
                None => {
                    if AttrPath::parse(path).is_err() {
                        return Err(Error::invalid_value(format!(
                            "{path:?} in attributes or excludedAttributes is not an attribute path"
                        )));
                    }
                }
            }
        }
        Ok(listed)
    }

    fn has(&self, attr: &Attribute) -> bool {
        self.attributes.iter().any(|a| std::ptr::eq(*a, attr))
    }

    fn has_extension(&self, ext: &Schema) -> bool {
        self.extensions.iter().any(|e| std::ptr::eq(*e, ext))
    }

    /// Whether `attr` or one of its sub-attributes is listed.
    fn has_within(&self, attr: &Attribute) -> bool {
        self.has(attr) || attr.sub_attributes.iter().any(|s| self.has_within(s))
    }
}

/// How the lists select attributes.
#[derive(Clone, Copy)]
enum Mode<'l, 'a> {
    /// `attributes`: only these (and `always` ones).
    Only(&'l Listed<'a>),
    /// `excludedAttributes` (possibly empty: the default view): all default ones but these.
    Except(&'l Listed<'a>),
}

impl Projection {
    /// The projection a request's `attributes` and `excludedAttributes` lists ask for, for
    /// resources of `schema`'s type. Empty lists mean "not given"; when both are given,
    /// `attributes` wins. Unknown attribute paths are ignored; surrounding whitespace is
    /// trimmed.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidValue`] for an entry that is not an attribute path at all (such as a
    /// filter, `emails[type eq "work"]`).
    pub fn new(
        schema: &ResourceTypeSchema<'_>,
        attributes: &[String],
        excluded: &[String],
    ) -> Result<Projection> {
        let only = attributes.iter().any(|a| !a.trim().is_empty());
        if only {
            let listed = Listed::resolve(schema, attributes)?;
            Ok(Self::build(schema, Mode::Only(&listed)))
        } else {
            let listed = Listed::resolve(schema, excluded)?;
            Ok(Self::build(schema, Mode::Except(&listed)))
        }
    }

    /// The projection of a request with neither list: every attribute that is returned by
    /// default or always, none that is returned on request or never.
    ///
    /// ```
    /// use scimkit_core::{Projection, Registry};
    /// use serde_json::json;
    ///
    /// let registry = Registry::standard();
    /// let users = registry.resource_type_schema("User").unwrap();
    /// let stored = json!({ "id": "1", "userName": "ann", "password": "secret" });
    /// let out = Projection::default_view(&users).apply(stored.as_object().unwrap());
    /// assert_eq!(serde_json::Value::Object(out), json!({ "id": "1", "userName": "ann" }));
    /// ```
    pub fn default_view(schema: &ResourceTypeSchema<'_>) -> Projection {
        Self::build(schema, Mode::Except(&Listed::default()))
    }

    fn build(schema: &ResourceTypeSchema<'_>, mode: Mode<'_, '_>) -> Projection {
        let clone_first = matches!(mode, Mode::Except(_));
        let mut entries: Vec<(Box<str>, Rule)> = vec![("schemas".into(), Rule::Keep)];
        let top = schema.common_attributes().iter().chain(&schema.core().attributes);
        for attr in top {
            entries.push((attr.name.as_str().into(), rule(attr, mode, false)));
        }
        for ext in schema.extensions() {
            let inherited = match mode {
                Mode::Only(listed) | Mode::Except(listed) => listed.has_extension(ext),
            };
            let fields = ext
                .attributes
                .iter()
                .map(|attr| (attr.name.as_str().into(), rule(attr, mode, inherited)))
                .collect();
            entries.push((ext.id.as_str().into(), Fields::new(fields).into_rule()));
        }
        Projection { root: Arc::new(Fields::new(entries)), clone_first }
    }

    /// The projection of `resource`, a stored resource in canonical form.
    ///
    /// ```
    /// use scimkit_core::{Projection, Registry};
    /// use serde_json::json;
    ///
    /// let registry = Registry::standard();
    /// let users = registry.resource_type_schema("User").unwrap();
    /// let only = Projection::new(&users, &["userName".into()], &[])?;
    /// let stored = json!({ "id": "1", "userName": "ann", "title": "CEO" });
    /// let out = only.apply(stored.as_object().unwrap());
    /// assert_eq!(serde_json::Value::Object(out), json!({ "id": "1", "userName": "ann" }));
    /// # Ok::<(), scimkit_core::Error>(())
    /// ```
    pub fn apply(&self, resource: &JsonObject) -> JsonObject {
        if self.clone_first {
            let mut out = resource.clone();
            retain_object(&self.root, &mut out);
            out
        } else {
            project_object(&self.root, resource)
        }
    }

    /// The projection of `resource`, taking it by value: with no `attributes` list this works
    /// in place, copying nothing.
    ///
    /// ```
    /// use scimkit_core::{Projection, Registry};
    /// use serde_json::json;
    ///
    /// let registry = Registry::standard();
    /// let users = registry.resource_type_schema("User").unwrap();
    /// let stored = json!({ "id": "1", "userName": "ann", "password": "secret" });
    /// let out = Projection::default_view(&users).apply_owned(stored.as_object().unwrap().clone());
    /// assert_eq!(serde_json::Value::Object(out), json!({ "id": "1", "userName": "ann" }));
    /// ```
    pub fn apply_owned(&self, mut resource: JsonObject) -> JsonObject {
        if self.clone_first {
            retain_object(&self.root, &mut resource);
            resource
        } else {
            project_object(&self.root, &resource)
        }
    }

    /// Whether the top-level member `name` (in the schema's spelling, or an extension URN) can
    /// appear in the output at all.
    ///
    /// ```
    /// use scimkit_core::{Projection, Registry};
    ///
    /// let registry = Registry::standard();
    /// let users = registry.resource_type_schema("User").unwrap();
    /// let view = Projection::new(&users, &[], &["groups".into()])?;
    /// assert!(!view.outputs("groups"));
    /// assert!(view.outputs("meta"));
    /// assert!(!view.outputs("password"));
    /// # Ok::<(), scimkit_core::Error>(())
    /// ```
    pub fn outputs(&self, name: &str) -> bool {
        self.root.entries.iter().any(|(n, rule)| &**n == name && *rule != Rule::Drop)
    }
}

/// The rule for `attr` (a top-level attribute or a sub-attribute). `inherited` tells whether
/// its parent (or its extension) is listed as a whole.
fn rule(attr: &Attribute, mode: Mode<'_, '_>, inherited: bool) -> Rule {
    match (mode, attr.returned) {
        (_, Returned::Never) => Rule::Drop,
        (Mode::Only(listed), Returned::Request) => {
            if listed.has(attr) {
                within(attr, mode, true)
            } else {
                Rule::Drop
            }
        }
        (Mode::Except(_), Returned::Request) => Rule::Drop,
        (Mode::Only(_), Returned::Always) => within(attr, mode, true),
        // An `always` attribute cannot be excluded.
        (Mode::Except(_), Returned::Always) => within(attr, mode, false),
        (Mode::Only(listed), _) => {
            if inherited || listed.has(attr) {
                within(attr, mode, true)
            } else if listed.has_within(attr) {
                within(attr, mode, false)
            } else {
                Rule::Drop
            }
        }
        (Mode::Except(listed), _) => {
            if inherited || listed.has(attr) {
                Rule::Drop
            } else {
                within(attr, mode, false)
            }
        }
    }
}

/// The rule for an attribute that is output: its sub-attributes' rules, or `Keep` for a simple
/// attribute. With `Except`, `inherited` means the attribute is excluded (only its `always`
/// sub-attributes remain); with `Only`, that it is listed as a whole.
fn within(attr: &Attribute, mode: Mode<'_, '_>, inherited: bool) -> Rule {
    if attr.sub_attributes.is_empty() {
        return Rule::Keep;
    }
    let fields = attr
        .sub_attributes
        .iter()
        .map(|sub| (sub.name.as_str().into(), rule(sub, mode, inherited)))
        .collect();
    Fields::new(fields).into_rule()
}

fn project_object(fields: &Fields, object: &JsonObject) -> JsonObject {
    let mut cursor = fields.cursor();
    // Collecting builds the map in one go, faster than inserting member by member.
    object
        .iter()
        .filter_map(|(key, value)| Some((key.clone(), project_value(cursor.get(key), value)?)))
        .collect()
}

fn project_value(rule: &Rule, value: &Value) -> Option<Value> {
    match rule {
        Rule::Drop => None,
        // Stored values have no nulls; a plain clone is the fast path.
        Rule::Keep if is_clean(value) => Some(value.clone()),
        Rule::Keep => without_nulls(value),
        Rule::Fields(fields) => match value {
            Value::Object(object) => {
                let out = project_object(fields, object);
                (!out.is_empty()).then_some(Value::Object(out))
            }
            Value::Array(items) => {
                let out: Vec<Value> =
                    items.iter().filter_map(|item| project_value(rule, item)).collect();
                (!out.is_empty()).then_some(Value::Array(out))
            }
            // A simple value where a complex one belongs: nothing selected in it.
            _ => None,
        },
    }
}

/// Projects `object` in place.
fn retain_object(fields: &Fields, object: &mut JsonObject) {
    let mut cursor = fields.cursor();
    object.retain(|key, value| retain_value(cursor.get(key), value));
}

/// Projects `value` in place; `false` if nothing of it is output.
fn retain_value(rule: &Rule, value: &mut Value) -> bool {
    match (rule, value) {
        (Rule::Drop, _) => false,
        (Rule::Keep, value) if is_clean(value) => true,
        (Rule::Keep, value) => match without_nulls(value) {
            Some(clean) => {
                *value = clean;
                true
            }
            None => false,
        },
        (Rule::Fields(fields), Value::Object(object)) => {
            retain_object(fields, object);
            !object.is_empty()
        }
        (Rule::Fields(_), Value::Array(items)) => {
            items.retain_mut(|item| retain_value(rule, item));
            !items.is_empty()
        }
        (Rule::Fields(_), _) => false,
    }
}

/// Whether `value` has no `null` and no empty array or object, at any depth.
fn is_clean(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Array(items) => !items.is_empty() && items.iter().all(is_clean),
        Value::Object(object) => !object.is_empty() && object.values().all(is_clean),
        _ => true,
    }
}

/// A copy of `value` without `null`s, and without arrays and objects left empty by that.
fn without_nulls(value: &Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::Array(items) => {
            let out: Vec<Value> = items.iter().filter_map(without_nulls).collect();
            (!out.is_empty()).then_some(Value::Array(out))
        }
        Value::Object(object) => {
            let out: JsonObject = object
                .iter()
                .filter_map(|(key, value)| Some((key.clone(), without_nulls(value)?)))
                .collect();
            (!out.is_empty()).then_some(Value::Object(out))
        }
        simple => Some(simple.clone()),
    }
}

#[cfg(test)]
mod tests;
