//! The schema model of RFC 7643 §7: schemas, attribute definitions and their characteristics.
//!
//! Everything that follows from attribute characteristics (validation, PATCH, filtering,
//! sorting, projection) reads them from these types, so a custom schema works the same as the
//! built-in ones in [`builtin`].
//!
//! ```
//! use scimkit_core::{Attribute, Schema};
//!
//! let device = Schema::new(
//!     "urn:example:params:scim:schemas:core:2.0:Device",
//!     "Device",
//!     vec![Attribute::string("serialNumber").required().case_exact().unique_server()],
//! )
//! .description("A managed device");
//! assert!(device.attribute("SERIALNUMBER").unwrap().case_exact);
//! ```

mod attribute;
pub mod builtin;
pub mod urn;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use attribute::{Attribute, AttributeType, Mutability, Returned, Uniqueness};

/// A schema definition: a URN and the attributes it defines (RFC 7643 §7).
///
/// Serialises to the §7 form (`id`, `name`, `description`, `attributes`); [`Schema::to_json`]
/// adds the `schemas` and `meta` members of the `/Schemas` endpoint. Deserialisation ignores
/// `schemas` and `meta`, so an endpoint representation reads back.
///
/// ```
/// use scimkit_core::schema::builtin;
/// use scimkit_core::urn;
///
/// let user = builtin::user();
/// assert_eq!(user.id, urn::SCHEMA_USER);
/// let json = user.to_json(Some("https://example.com/scim/v2/"));
/// assert_eq!(json["schemas"][0], urn::SCHEMA_SCHEMA);
/// assert_eq!(
///     json["meta"]["location"],
///     "https://example.com/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"
/// );
/// let back: scimkit_core::Schema = serde_json::from_value(json).unwrap();
/// assert_eq!(back.attribute("userName"), user.attribute("userName"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Schema {
    /// The schema's URN (`urn:ietf:params:scim:schemas:core:2.0:User`). Compared
    /// case-insensitively.
    pub id: String,
    /// The human-readable name (`User`).
    #[serde(default)]
    pub name: String,
    /// A human-readable description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The top-level attributes the schema defines, in order.
    #[serde(default)]
    pub attributes: Vec<Attribute>,
}

impl Schema {
    /// A schema with the URN `id`, the name `name` and the given attributes.
    pub fn new(id: impl Into<String>, name: impl Into<String>, attributes: Vec<Attribute>) -> Self {
        Self { id: id.into(), name: name.into(), description: None, attributes }
    }

    /// With `description` as its description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Whether the schema's URN is `urn`, ignoring ASCII case.
    pub fn has_id(&self, urn: &str) -> bool {
        self.id.eq_ignore_ascii_case(urn)
    }

    /// The top-level attribute named `name`, matched case-insensitively.
    ///
    /// ```
    /// let user = scimkit_core::schema::builtin::user();
    /// assert_eq!(user.attribute("username").unwrap().name, "userName");
    /// assert!(user.attribute("department").is_none());
    /// ```
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.is_named(name))
    }

    /// The representation served by the `/Schemas` endpoint (RFC 7644 §4): this schema with
    /// `schemas: [urn:ietf:params:scim:schemas:core:2.0:Schema]` and a `meta` whose
    /// `resourceType` is `Schema`. With `location_base` (the service's base URL), `meta.location`
    /// is `{base}/Schemas/{id}`.
    pub fn to_json(&self, location_base: Option<&str>) -> Value {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut value {
            map.insert("schemas".to_owned(), json!([urn::SCHEMA_SCHEMA]));
            map.insert("meta".to_owned(), meta("Schema", location_base, "Schemas", &self.id));
        }
        value
    }
}

/// The `meta` of a discovery resource, with a location when the base URL is known.
pub(crate) fn meta(resource_type: &str, base: Option<&str>, endpoint: &str, id: &str) -> Value {
    let mut meta = serde_json::Map::new();
    meta.insert("resourceType".to_owned(), Value::from(resource_type));
    if let Some(base) = base {
        let location = format!("{}/{endpoint}/{id}", base.trim_end_matches('/'));
        meta.insert("location".to_owned(), Value::from(location));
    }
    Value::Object(meta)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// `canonical_only` is the library's own setting, not part of the RFC's wire form.
    fn without_canonical_only(mut attrs: Vec<Attribute>) -> Vec<Attribute> {
        for attr in &mut attrs {
            attr.canonical_only = false;
            attr.sub_attributes = without_canonical_only(std::mem::take(&mut attr.sub_attributes));
        }
        attrs
    }

    #[test]
    fn schema_round_trips() {
        for mut schema in builtin::all() {
            schema.attributes = without_canonical_only(schema.attributes);
            let json = serde_json::to_value(&schema).unwrap();
            let back: Schema = serde_json::from_value(json).unwrap();
            assert_eq!(back, schema);
            let endpoint: Schema = serde_json::from_value(schema.to_json(None)).unwrap();
            assert_eq!(endpoint, schema);
        }
    }

    #[test]
    fn to_json_without_base_has_no_location() {
        let schema = Schema::new("urn:example:a", "A", vec![Attribute::string("x")]);
        assert_eq!(
            schema.to_json(None),
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
                "id": "urn:example:a",
                "name": "A",
                "attributes": [{
                    "name": "x", "type": "string", "multiValued": false, "required": false,
                    "caseExact": false, "mutability": "readWrite", "returned": "default",
                    "uniqueness": "none"
                }],
                "meta": { "resourceType": "Schema" }
            })
        );
        assert_eq!(
            schema.to_json(Some("https://h/v2"))["meta"]["location"],
            "https://h/v2/Schemas/urn:example:a"
        );
    }

    #[test]
    fn lookups_ignore_case() {
        let schema = Schema::new("urn:Example:A", "A", vec![Attribute::string("fooBar")]);
        assert!(schema.has_id("URN:EXAMPLE:a"));
        assert!(schema.attribute("FOOBAR").is_some());
        assert!(schema.attribute("foo").is_none());
    }
}
