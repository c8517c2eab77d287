//! The attributes a store keys on: unique ones, and ones worth an index.

use std::borrow::Cow;

use serde_json::Value;

use crate::normalize::JsonObject;
use crate::registry::ResourceTypeSchema;
use crate::schema::{AttributeType, Uniqueness};

/// A single-valued string attribute a store keys on (`userName`, `externalId`, or an extension
/// attribute).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct KeyAttribute {
    /// The extension URN the attribute lives under, or `None` for a top-level attribute.
    pub schema: Option<String>,
    /// The attribute's name in the schema's spelling.
    pub name: String,
    /// Whether values compare case-sensitively; otherwise they compare by
    /// [`scimkit_filter::fold_case`].
    pub case_exact: bool,
}

impl KeyAttribute {
    /// A top-level attribute.
    pub fn top_level(name: impl Into<String>, case_exact: bool) -> Self {
        Self { schema: None, name: name.into(), case_exact }
    }

    /// An attribute of the extension `schema`.
    pub fn in_extension(
        schema: impl Into<String>,
        name: impl Into<String>,
        case_exact: bool,
    ) -> Self {
        Self { schema: Some(schema.into()), name: name.into(), case_exact }
    }

    /// The attribute's value in `resource`, if it has a string value.
    pub fn value<'r>(&self, resource: &'r JsonObject) -> Option<&'r str> {
        let holder = match &self.schema {
            None => resource,
            Some(urn) => resource.get(urn)?.as_object()?,
        };
        holder.get(&self.name).and_then(Value::as_str)
    }

    /// The attribute's value in `resource` as an index key: folded unless case-exact.
    pub fn key<'r>(&self, resource: &'r JsonObject) -> Option<Cow<'r, str>> {
        self.value(resource).map(|v| self.key_of(v))
    }

    /// `value` as an index key: folded unless case-exact.
    pub fn key_of<'v>(&self, value: &'v str) -> Cow<'v, str> {
        if self.case_exact { Cow::Borrowed(value) } else { scimkit_filter::fold_case(value) }
    }

    /// Whether the filter path `path` names this attribute.
    pub fn is_path(&self, path: &scimkit_filter::AttrPath) -> bool {
        if path.sub_attr.is_some() || !path.name.eq_ignore_case(&self.name) {
            return false;
        }
        // A URN-qualified path to a top-level attribute is not matched: the key does not know
        // the core schema's URN, and a store must never miss a match through its index.
        match (&self.schema, &path.schema) {
            (_, None) => true,
            (Some(ext), Some(uri)) => uri.eq_ignore_case(ext),
            (None, Some(_)) => false,
        }
    }
}

/// The keys of one resource type: unique attributes, and the attributes a store should index
/// for equality lookups (the unique ones, `externalId`, and any added).
///
/// ```
/// use scimkit_core::{Registry, StoreKeys};
///
/// let registry = Registry::standard();
/// let keys = StoreKeys::for_type(&registry.resource_type_schema("User").unwrap());
/// assert_eq!(keys.unique[0].name, "userName");
/// assert!(keys.indexed.iter().any(|k| k.name == "externalId"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct StoreKeys {
    /// Attributes whose values must be unique within a tenant and resource type.
    pub unique: Vec<KeyAttribute>,
    /// Attributes to index for equality lookups (a superset of `unique`).
    pub indexed: Vec<KeyAttribute>,
}

impl StoreKeys {
    /// The keys the schemas declare: every single-valued string attribute with `uniqueness`
    /// `server` or `global` (except `id`, which is the key itself) is unique and indexed, and
    /// `externalId` is indexed.
    pub fn for_type(schema: &ResourceTypeSchema<'_>) -> Self {
        let mut keys = Self::default();
        let top = schema.common_attributes().iter().chain(&schema.core().attributes);
        let top = top.map(|a| (None, a));
        let ext =
            schema.extensions().flat_map(|e| e.attributes.iter().map(move |a| (Some(&e.id), a)));
        for (urn, attr) in top.chain(ext) {
            let simple = !attr.multi_valued
                && matches!(attr.attr_type, AttributeType::String | AttributeType::Reference);
            if !simple || attr.name == "id" {
                continue;
            }
            let key = KeyAttribute {
                schema: urn.cloned(),
                name: attr.name.clone(),
                case_exact: attr.case_exact,
            };
            if matches!(attr.uniqueness, Uniqueness::Server | Uniqueness::Global) {
                keys.unique.push(key.clone());
                keys.indexed.push(key);
            } else if attr.name == "externalId" && urn.is_none() {
                keys.indexed.push(key);
            }
        }
        keys
    }

    /// These keys with `key` also unique (and indexed); Group `displayName` this way is unique,
    /// as Microsoft Entra ID expects.
    #[must_use]
    pub fn with_unique(mut self, key: KeyAttribute) -> Self {
        if !self.unique.contains(&key) {
            self.unique.push(key.clone());
        }
        self.with_indexed(key)
    }

    /// These keys with `key` also indexed.
    #[must_use]
    pub fn with_indexed(mut self, key: KeyAttribute) -> Self {
        if !self.indexed.contains(&key) {
            self.indexed.push(key);
        }
        self
    }
}
