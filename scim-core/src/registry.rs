//! The schema registry: schemas by URN, resource types (RFC 7643 §6) and attribute resolution.
//!
//! A [`Registry`] knows which schemas a service offers and which resource types it serves, each
//! with a core schema and extensions. [`Registry::resource_type_schema`] binds one resource type
//! to its schemas as a [`ResourceTypeSchema`], which resolves attribute paths to their
//! definitions and answers the filter evaluator's [`FilterSchema`] questions.
//!
//! ```
//! use scimkit_core::{Registry, urn};
//!
//! let registry = Registry::standard();
//! let users = registry.resource_type_schema("User").unwrap();
//! let department = users.resolve(None, "department", None).unwrap();
//! assert_eq!(department.schema, urn::SCHEMA_ENTERPRISE_USER);
//! assert!(department.is_extension());
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use scimkit_filter::{AttrInfo, AttrPath, FilterSchema};

use crate::schema::{Attribute, Schema, builtin, meta, urn};

/// A schema extension of a resource type (RFC 7643 §6 `schemaExtensions`).
///
/// ```
/// use scimkit_core::{SchemaExtension, urn};
///
/// let ext = SchemaExtension::optional(urn::SCHEMA_ENTERPRISE_USER);
/// assert_eq!(
///     serde_json::to_value(&ext).unwrap(),
///     serde_json::json!({ "schema": urn::SCHEMA_ENTERPRISE_USER, "required": false })
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SchemaExtension {
    /// The extension schema's URN.
    pub schema: String,
    /// Whether every resource of the type must carry the extension.
    #[serde(default)]
    pub required: bool,
}

impl SchemaExtension {
    /// An extension with the schema URN `schema`, required or not.
    pub fn new(schema: impl Into<String>, required: bool) -> Self {
        Self { schema: schema.into(), required }
    }

    /// An extension resources may carry.
    pub fn optional(schema: impl Into<String>) -> Self {
        Self::new(schema, false)
    }

    /// An extension every resource must carry.
    pub fn required(schema: impl Into<String>) -> Self {
        Self::new(schema, true)
    }
}

/// A resource type: a name, an endpoint, a core schema and its extensions (RFC 7643 §6).
///
/// Serialises to the §6 form; [`ResourceType::to_json`] adds the `schemas` and `meta` members of
/// the `/ResourceTypes` endpoint. On input, a missing `id` defaults to the `name`.
///
/// ```
/// use scimkit_core::{ResourceType, SchemaExtension, urn};
/// use serde_json::json;
///
/// let users = ResourceType::new("User", "/Users", urn::SCHEMA_USER)
///     .description("User Account")
///     .extension(SchemaExtension::optional(urn::SCHEMA_ENTERPRISE_USER));
/// assert_eq!(
///     users.to_json(Some("https://example.com/v2")),
///     json!({
///         "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
///         "id": "User",
///         "name": "User",
///         "endpoint": "/Users",
///         "description": "User Account",
///         "schema": "urn:ietf:params:scim:schemas:core:2.0:User",
///         "schemaExtensions": [{
///             "schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
///             "required": false
///         }],
///         "meta": {
///             "resourceType": "ResourceType",
///             "location": "https://example.com/v2/ResourceTypes/User"
///         }
///     })
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "ResourceTypeRepr")]
#[non_exhaustive]
pub struct ResourceType {
    /// The server-unique id, usually the same as the name.
    pub id: String,
    /// The resource type's name (`User`). Compared case-insensitively.
    pub name: String,
    /// The endpoint relative to the base URL (`/Users`). Compared case-insensitively.
    pub endpoint: String,
    /// A human-readable description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The URN of the core schema.
    pub schema: String,
    /// The schema extensions, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schema_extensions: Vec<SchemaExtension>,
}

/// The wire form of a resource type, whose `id` is optional.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceTypeRepr {
    id: Option<String>,
    name: String,
    endpoint: String,
    description: Option<String>,
    schema: String,
    #[serde(default)]
    schema_extensions: Vec<SchemaExtension>,
}

impl From<ResourceTypeRepr> for ResourceType {
    fn from(r: ResourceTypeRepr) -> Self {
        Self {
            id: r.id.unwrap_or_else(|| r.name.clone()),
            name: r.name,
            endpoint: r.endpoint,
            description: r.description,
            schema: r.schema,
            schema_extensions: r.schema_extensions,
        }
    }
}

impl ResourceType {
    /// A resource type named `name` (also its id), served at `endpoint`, with the core schema
    /// `schema` and no extensions.
    pub fn new(
        name: impl Into<String>,
        endpoint: impl Into<String>,
        schema: impl Into<String>,
    ) -> Self {
        let name = name.into();
        Self {
            id: name.clone(),
            name,
            endpoint: endpoint.into(),
            description: None,
            schema: schema.into(),
            schema_extensions: Vec::new(),
        }
    }

    /// With `description` as its description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// With `extension` appended to its extensions.
    #[must_use]
    pub fn extension(mut self, extension: SchemaExtension) -> Self {
        self.schema_extensions.push(extension);
        self
    }

    /// Whether the resource type is named `name`, ignoring ASCII case.
    pub fn is_named(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// Whether the resource type is served at `endpoint`, ignoring ASCII case and a leading `/`
    /// (`Users`, `/users`).
    pub fn has_endpoint(&self, endpoint: &str) -> bool {
        self.endpoint.trim_start_matches('/').eq_ignore_ascii_case(endpoint.trim_start_matches('/'))
    }

    /// The representation served by the `/ResourceTypes` endpoint (RFC 7644 §4): this resource
    /// type with `schemas` and a `meta` whose `resourceType` is `ResourceType`. With
    /// `location_base` (the service's base URL), `meta.location` is `{base}/ResourceTypes/{id}`.
    pub fn to_json(&self, location_base: Option<&str>) -> Value {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut value {
            map.insert("schemas".to_owned(), json!([urn::SCHEMA_RESOURCE_TYPE]));
            map.insert(
                "meta".to_owned(),
                meta("ResourceType", location_base, "ResourceTypes", &self.id),
            );
        }
        value
    }
}

/// Why a schema, resource type or extension could not be added to a [`Registry`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// A schema with this URN is already registered.
    #[error("a schema with the URN {urn:?} is already registered")]
    DuplicateSchema {
        /// The URN.
        urn: String,
    },
    /// No schema with this URN is registered.
    #[error("no schema with the URN {urn:?} is registered")]
    UnknownSchema {
        /// The URN.
        urn: String,
    },
    /// A resource type with this name is already registered.
    #[error("a resource type named {name:?} is already registered")]
    DuplicateResourceType {
        /// The name.
        name: String,
    },
    /// A resource type is already served at this endpoint.
    #[error("a resource type is already served at {endpoint:?}")]
    DuplicateEndpoint {
        /// The endpoint.
        endpoint: String,
    },
    /// No resource type with this name is registered.
    #[error("no resource type named {name:?} is registered")]
    UnknownResourceType {
        /// The name.
        name: String,
    },
    /// The schema is already the core schema or an extension of the resource type.
    #[error("the resource type {resource_type:?} already has the schema {urn:?}")]
    DuplicateExtension {
        /// The resource type's name.
        resource_type: String,
        /// The schema URN.
        urn: String,
    },
}

/// The schemas and resource types a service offers.
///
/// [`Registry::standard`] has the RFC's User (with the Enterprise User extension, not required)
/// and Group; [`Registry::new`] (and [`Default`]) is empty. Add custom schemas, resource types and
/// extensions at run time; a resource type may only name registered schemas. Schema URNs,
/// resource type names and endpoints are looked up case-insensitively.
///
/// ```
/// use scimkit_core::{Attribute, Registry, ResourceType, Schema, SchemaExtension};
///
/// let mut registry = Registry::standard();
/// registry.add_schema(Schema::new(
///     "urn:example:params:scim:schemas:extension:acme:2.0:User",
///     "AcmeUser",
///     vec![Attribute::string("badge").case_exact()],
/// ))?;
/// registry.add_extension(
///     "User",
///     SchemaExtension::optional("urn:example:params:scim:schemas:extension:acme:2.0:User"),
/// )?;
/// let users = registry.resource_type_schema("user").unwrap();
/// assert!(users.resolve(None, "badge", None).unwrap().attribute.case_exact);
/// # Ok::<(), scimkit_core::RegistryError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Registry {
    schemas: Vec<Schema>,
    resource_types: Vec<ResourceType>,
    common: Vec<Attribute>,
}

impl Registry {
    /// A registry with no schemas and no resource types (the common attributes `id`,
    /// `externalId` and `meta` are always known).
    pub fn new() -> Self {
        Self {
            schemas: Vec::new(),
            resource_types: Vec::new(),
            common: builtin::common_attributes(),
        }
    }

    /// The RFC 7643 registry: the User, Group and Enterprise User schemas; the resource types
    /// `User` at `/Users` (with the Enterprise User extension, not required) and `Group` at
    /// `/Groups`.
    ///
    /// ```
    /// let registry = scimkit_core::Registry::standard();
    /// assert_eq!(registry.resource_type_by_endpoint("/users").unwrap().name, "User");
    /// assert_eq!(registry.schemas().len(), 3);
    /// ```
    pub fn standard() -> Self {
        Self {
            schemas: vec![builtin::user(), builtin::group(), builtin::enterprise_user()],
            resource_types: vec![
                ResourceType::new("User", "/Users", urn::SCHEMA_USER)
                    .description("User Account")
                    .extension(SchemaExtension::optional(urn::SCHEMA_ENTERPRISE_USER)),
                ResourceType::new("Group", "/Groups", urn::SCHEMA_GROUP).description("Group"),
            ],
            common: builtin::common_attributes(),
        }
    }

    /// Registers `schema`. Fails if a schema with the same URN is registered.
    pub fn add_schema(&mut self, schema: Schema) -> Result<(), RegistryError> {
        if self.schema(&schema.id).is_some() {
            return Err(RegistryError::DuplicateSchema { urn: schema.id });
        }
        self.schemas.push(schema);
        Ok(())
    }

    /// Registers `resource_type`. Fails if its core schema or an extension is not registered,
    /// if an extension repeats a schema, or if its name or endpoint is taken.
    pub fn add_resource_type(&mut self, resource_type: ResourceType) -> Result<(), RegistryError> {
        if self.resource_type(&resource_type.name).is_some() {
            return Err(RegistryError::DuplicateResourceType { name: resource_type.name });
        }
        if self.resource_type_by_endpoint(&resource_type.endpoint).is_some() {
            return Err(RegistryError::DuplicateEndpoint { endpoint: resource_type.endpoint });
        }
        self.require_schema(&resource_type.schema)?;
        for (i, ext) in resource_type.schema_extensions.iter().enumerate() {
            self.require_schema(&ext.schema)?;
            let earlier = &resource_type.schema_extensions[..i];
            if ext.schema.eq_ignore_ascii_case(&resource_type.schema)
                || earlier.iter().any(|e| e.schema.eq_ignore_ascii_case(&ext.schema))
            {
                return Err(RegistryError::DuplicateExtension {
                    resource_type: resource_type.name.clone(),
                    urn: ext.schema.clone(),
                });
            }
        }
        self.resource_types.push(resource_type);
        Ok(())
    }

    /// Appends `extension` to the resource type named `resource_type`. Fails if the resource
    /// type or the schema is unknown, or if the type already has the schema.
    pub fn add_extension(
        &mut self,
        resource_type: &str,
        extension: SchemaExtension,
    ) -> Result<(), RegistryError> {
        self.require_schema(&extension.schema)?;
        let Some(rt) = self.resource_types.iter_mut().find(|rt| rt.is_named(resource_type)) else {
            return Err(RegistryError::UnknownResourceType { name: resource_type.to_owned() });
        };
        if rt.schema.eq_ignore_ascii_case(&extension.schema)
            || rt.schema_extensions.iter().any(|e| e.schema.eq_ignore_ascii_case(&extension.schema))
        {
            return Err(RegistryError::DuplicateExtension {
                resource_type: rt.name.clone(),
                urn: extension.schema,
            });
        }
        rt.schema_extensions.push(extension);
        Ok(())
    }

    fn require_schema(&self, urn: &str) -> Result<(), RegistryError> {
        match self.schema(urn) {
            Some(_) => Ok(()),
            None => Err(RegistryError::UnknownSchema { urn: urn.to_owned() }),
        }
    }

    /// The schema with the URN `urn`, matched case-insensitively.
    pub fn schema(&self, urn: &str) -> Option<&Schema> {
        self.schemas.iter().find(|s| s.has_id(urn))
    }

    /// Every registered schema, in registration order (the `/Schemas` listing).
    pub fn schemas(&self) -> &[Schema] {
        &self.schemas
    }

    /// The resource type named `name`, matched case-insensitively.
    pub fn resource_type(&self, name: &str) -> Option<&ResourceType> {
        self.resource_types.iter().find(|rt| rt.is_named(name))
    }

    /// The resource type served at `endpoint` (`/Users` or `Users`), matched case-insensitively.
    pub fn resource_type_by_endpoint(&self, endpoint: &str) -> Option<&ResourceType> {
        self.resource_types.iter().find(|rt| rt.has_endpoint(endpoint))
    }

    /// Every registered resource type, in registration order (the `/ResourceTypes` listing).
    pub fn resource_types(&self) -> &[ResourceType] {
        &self.resource_types
    }

    /// The common attributes of every resource (RFC 7643 §3.1): `id`, `externalId`, `meta`.
    pub fn common_attributes(&self) -> &[Attribute] {
        &self.common
    }

    /// The resource type named `name` bound to its schemas, for attribute resolution and as
    /// the filter evaluator's schema hook.
    pub fn resource_type_schema(&self, name: &str) -> Option<ResourceTypeSchema<'_>> {
        let resource_type = self.resource_type(name)?;
        let core = self.schema(&resource_type.schema)?;
        Some(ResourceTypeSchema { registry: self, resource_type, core })
    }
}

impl Default for Registry {
    /// The same as [`Registry::new`]: empty.
    fn default() -> Self {
        Self::new()
    }
}

/// Where a resolved attribute is defined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AttributeOrigin {
    /// A common attribute of every resource (`id`, `externalId`, `meta`; RFC 7643 §3.1).
    Common,
    /// The resource type's core schema.
    Core,
    /// One of the resource type's schema extensions.
    Extension,
}

/// An attribute path resolved to its definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResolvedAttribute<'a> {
    /// The URN of the schema that defines the attribute (the core schema's for common
    /// attributes), in the registry's spelling.
    pub schema: &'a str,
    /// Whether the attribute is common, core or from an extension.
    pub origin: AttributeOrigin,
    /// The top-level attribute.
    pub attribute: &'a Attribute,
    /// The sub-attribute, if the path names one.
    pub sub_attribute: Option<&'a Attribute>,
}

impl<'a> ResolvedAttribute<'a> {
    /// Whether the attribute comes from a schema extension (and so lives under the extension's
    /// URN in resource JSON).
    pub fn is_extension(&self) -> bool {
        self.origin == AttributeOrigin::Extension
    }

    /// The attribute the path ends at: the sub-attribute if there is one, else the attribute.
    pub fn target(&self) -> &'a Attribute {
        self.sub_attribute.unwrap_or(self.attribute)
    }
}

/// What a path resolves to: an attribute, or a whole schema extension (a PATCH path such as
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolvedPath<'a> {
    /// An attribute or sub-attribute.
    Attribute(ResolvedAttribute<'a>),
    /// A schema extension of the resource type as a whole.
    Extension(&'a Schema),
}

/// One resource type bound to its schemas: the common attributes, the core schema, then the
/// extensions in order.
///
/// Resolution rules: a path with a schema URN looks only in that schema (the core schema, with
/// the common attributes, or one of this type's extensions); a path without one looks in the
/// common attributes, then the core schema, then the extensions in order. Names and URNs match
/// case-insensitively.
///
/// It implements [`FilterSchema`], so the filter evaluator compares with each attribute's type,
/// multiplicity and `caseExact`:
///
/// ```
/// use scimkit_core::Registry;
/// use scimkit_core::filter::{AttrType, FilterSchema};
///
/// let registry = Registry::standard();
/// let users = registry.resource_type_schema("User").unwrap();
/// let info = users.attribute(None, "meta", Some("lastModified")).unwrap();
/// assert_eq!(info.attr_type, AttrType::DateTime);
/// assert!(users.attribute(None, "id", None).unwrap().case_exact);
/// assert!(users.attribute(None, "emails", Some("value")).is_some());
/// assert!(users.attribute(None, "nonsense", None).is_none());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ResourceTypeSchema<'a> {
    registry: &'a Registry,
    resource_type: &'a ResourceType,
    core: &'a Schema,
}

impl<'a> ResourceTypeSchema<'a> {
    /// The resource type.
    pub fn resource_type(&self) -> &'a ResourceType {
        self.resource_type
    }

    /// The common attributes of every resource (RFC 7643 §3.1): `id`, `externalId`, `meta`.
    pub fn common_attributes(&self) -> &'a [Attribute] {
        self.registry.common_attributes()
    }

    /// The core schema.
    pub fn core(&self) -> &'a Schema {
        self.core
    }

    /// The extension schemas, in order.
    pub fn extensions(&self) -> impl Iterator<Item = &'a Schema> + 'a {
        let registry = self.registry;
        self.resource_type.schema_extensions.iter().filter_map(move |e| registry.schema(&e.schema))
    }

    /// The core schema, then the extensions in order.
    pub fn schemas(&self) -> impl Iterator<Item = &'a Schema> + 'a {
        std::iter::once(self.core).chain(self.extensions())
    }

    /// The extension of this resource type whose URN is `urn`.
    pub fn extension(&self, urn: &str) -> Option<&'a Schema> {
        self.extensions().find(|s| s.has_id(urn))
    }

    /// Resolves the attribute `name` (and its sub-attribute `sub_attr`), in the schema `schema`
    /// if given. `None` if the attribute is unknown, or `sub_attr` is given and is not a
    /// sub-attribute of it.
    ///
    /// ```
    /// use scimkit_core::{AttributeOrigin, Registry, urn};
    ///
    /// let registry = Registry::standard();
    /// let users = registry.resource_type_schema("User").unwrap();
    /// let manager = users.resolve(Some(urn::SCHEMA_ENTERPRISE_USER), "manager", Some("value")).unwrap();
    /// assert_eq!(manager.origin, AttributeOrigin::Extension);
    /// assert_eq!(manager.target().name, "value");
    /// assert!(users.resolve(Some(urn::SCHEMA_USER), "department", None).is_none());
    /// ```
    pub fn resolve(
        &self,
        schema: Option<&str>,
        name: &str,
        sub_attr: Option<&str>,
    ) -> Option<ResolvedAttribute<'a>> {
        let found = match schema {
            Some(urn) if self.core.has_id(urn) => {
                self.find_common(name).or_else(|| self.find_core(name))
            }
            Some(urn) => {
                self.extension(urn).and_then(|ext| find_in(ext, AttributeOrigin::Extension, name))
            }
            None => self.find_common(name).or_else(|| self.find_core(name)).or_else(|| {
                self.extensions().find_map(|ext| find_in(ext, AttributeOrigin::Extension, name))
            }),
        };
        let (schema, origin, attribute) = found?;
        let sub_attribute = match sub_attr {
            Some(sub) => Some(attribute.sub_attribute(sub)?),
            None => None,
        };
        Some(ResolvedAttribute { schema, origin, attribute, sub_attribute })
    }

    fn find_common(&self, name: &str) -> Option<(&'a str, AttributeOrigin, &'a Attribute)> {
        let attr = self.registry.common.iter().find(|a| a.is_named(name))?;
        Some((self.core.id.as_str(), AttributeOrigin::Common, attr))
    }

    fn find_core(&self, name: &str) -> Option<(&'a str, AttributeOrigin, &'a Attribute)> {
        find_in(self.core, AttributeOrigin::Core, name)
    }

    /// Resolves a parsed attribute path. A path whose URN prefix and name together spell one of
    /// this type's extension URNs (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`
    /// parses as prefix `…:2.0` and name `User`) resolves to [`ResolvedPath::Extension`].
    pub fn resolve_path(&self, path: &AttrPath) -> Option<ResolvedPath<'a>> {
        if let (Some(prefix), None) = (&path.schema, &path.sub_attr) {
            let (prefix, name) = (prefix.as_str(), path.name.as_str());
            if let Some(ext) = self.extensions().find(|e| spells(&e.id, prefix, name)) {
                return Some(ResolvedPath::Extension(ext));
            }
        }
        let schema = path.schema.as_ref().map(|s| s.as_str());
        let sub = path.sub_attr.as_ref().map(|s| s.as_str());
        self.resolve(schema, path.name.as_str(), sub).map(ResolvedPath::Attribute)
    }

    /// Resolves a path written as text: `name`, `name.sub`, `URN:name`, `URN:name.sub`, or an
    /// extension's bare URN. The URN prefix is matched against this type's schemas, so URNs
    /// with dots in them (`…:2.0:User`) need no special care. Useful for the keys of a
    /// path-less PATCH value (`"name.givenName"`).
    ///
    /// ```
    /// use scimkit_core::{Registry, ResolvedPath};
    ///
    /// let registry = Registry::standard();
    /// let users = registry.resource_type_schema("User").unwrap();
    /// let Some(ResolvedPath::Attribute(given)) = users.resolve_str("name.givenName") else {
    ///     panic!()
    /// };
    /// assert_eq!(given.target().name, "givenName");
    /// let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    /// assert!(matches!(users.resolve_str(ext), Some(ResolvedPath::Extension(_))));
    /// assert!(users.resolve_str(&format!("{ext}:manager.displayName")).is_some());
    /// assert!(users.resolve_str("urn:example:unknown:department").is_none());
    /// ```
    pub fn resolve_str(&self, path: &str) -> Option<ResolvedPath<'a>> {
        if let Some(ext) = self.extension(path) {
            return Some(ResolvedPath::Extension(ext));
        }
        for schema in self.schemas() {
            let Some(rest) =
                strip_prefix_ignore_case(path, &schema.id).and_then(|r| r.strip_prefix(':'))
            else {
                continue;
            };
            let (name, sub) = split_sub(rest);
            return self.resolve(Some(&schema.id), name, sub).map(ResolvedPath::Attribute);
        }
        if path.contains(':') {
            return None;
        }
        let (name, sub) = split_sub(path);
        self.resolve(None, name, sub).map(ResolvedPath::Attribute)
    }
}

impl FilterSchema for ResourceTypeSchema<'_> {
    fn attribute(
        &self,
        schema: Option<&str>,
        name: &str,
        sub_attr: Option<&str>,
    ) -> Option<AttrInfo> {
        self.resolve(schema, name, sub_attr).map(|r| r.target().filter_info())
    }
}

fn find_in<'a>(
    schema: &'a Schema,
    origin: AttributeOrigin,
    name: &str,
) -> Option<(&'a str, AttributeOrigin, &'a Attribute)> {
    schema.attribute(name).map(|attr| (schema.id.as_str(), origin, attr))
}

/// Whether `urn` is `prefix:name`, ignoring ASCII case.
fn spells(urn: &str, prefix: &str, name: &str) -> bool {
    strip_prefix_ignore_case(urn, prefix)
        .and_then(|rest| rest.strip_prefix(':'))
        .is_some_and(|rest| rest.eq_ignore_ascii_case(name))
}

fn strip_prefix_ignore_case<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

fn split_sub(path: &str) -> (&str, Option<&str>) {
    match path.split_once('.') {
        Some((name, sub)) => (name, Some(sub)),
        None => (path, None),
    }
}

#[cfg(test)]
mod tests;
