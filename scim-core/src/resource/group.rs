//! The Group resource (RFC 7643 §4.2).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Meta, SCHEMA_GROUP, de_extensions, de_vec, output_schemas, to_json_object};

/// A SCIM Group (RFC 7643 §4.2): a display name and a list of members.
///
/// Serde (de)serialisation uses the wire format and keeps `schemas` as it is;
/// [`Group::to_json`] also fills in `schemas`.
///
/// # Examples
///
/// ```
/// use scimkit_core::{Group, Member};
///
/// let group = Group::new("Tour Guides")
///     .with_member(Member::new("2819c223").with_display("Babs Jensen"));
/// let json = group.to_json();
/// assert_eq!(json["schemas"][0], "urn:ietf:params:scim:schemas:core:2.0:Group");
/// assert_eq!(json["members"][0]["value"], "2819c223");
///
/// // Microsoft Entra ID adds members with `"$ref": null`: that is read as absent.
/// let entra = serde_json::json!({
///     "displayName": "Tour Guides",
///     "members": [{"value": "2819c223", "$ref": null}]
/// });
/// let group = Group::try_from(entra)?;
/// assert_eq!(group.members, [Member::new("2819c223")]);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Group {
    /// The schema URNs of this resource: the core Group URN plus one per extension present.
    #[serde(default, deserialize_with = "de_vec", skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    /// The server-assigned identifier (RFC 7643 §3.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The identifier the provisioning client assigns (RFC 7643 §3.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Resource metadata (RFC 7643 §3.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The human-readable name of the group. Required.
    pub display_name: String,
    /// The members of the group: users or other groups.
    #[serde(default, deserialize_with = "de_vec", skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Member>,
    /// Every other top-level member, keyed by name: normally extension schema URNs, each
    /// holding an object of that extension's attributes. Explicit `null`s are dropped.
    #[serde(flatten, deserialize_with = "de_extensions")]
    pub extensions: BTreeMap<String, Value>,
}

impl Group {
    /// Creates a group with the given `displayName` and the core Group schema URN in `schemas`.
    pub fn new(display_name: impl Into<String>) -> Self {
        Self {
            schemas: vec![SCHEMA_GROUP.to_owned()],
            display_name: display_name.into(),
            ..Self::default()
        }
    }

    /// Sets `externalId`.
    #[must_use]
    pub fn with_external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into());
        self
    }

    /// Appends a member.
    #[must_use]
    pub fn with_member(mut self, member: Member) -> Self {
        self.members.push(member);
        self
    }

    /// The `schemas` list this group should carry: the core Group URN first, the URNs already
    /// listed, and the URN of every object-valued extension in [`Group::extensions`].
    pub fn default_schemas(&self) -> Vec<String> {
        output_schemas(&self.schemas, SCHEMA_GROUP, None, &self.extensions)
    }

    /// Serialises to the generic JSON form (an object), with `schemas` set by
    /// [`Group::default_schemas`].
    pub fn to_json(&self) -> Value {
        to_json_object(self, self.default_schemas())
    }

    /// Reads a group from the generic JSON form.
    ///
    /// # Errors
    ///
    /// Fails if the value is not an object, lacks `displayName`, or has a member of the wrong
    /// type.
    pub fn from_json(value: &Value) -> Result<Self, serde_json::Error> {
        Self::deserialize(value)
    }
}

super::json_conversions!(Group);

/// A member of a group (RFC 7643 §4.2, `members`).
///
/// # Examples
///
/// ```
/// use scimkit_core::Member;
///
/// let member = Member::new("2819c223")
///     .with_ref("https://example.com/v2/Users/2819c223")
///     .with_type("User");
/// let json = serde_json::to_value(&member)?;
/// assert_eq!(json["$ref"], "https://example.com/v2/Users/2819c223");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Member {
    /// The `id` of the member resource.
    pub value: String,
    /// The URI of the member resource (the `$ref` sub-attribute).
    #[serde(rename = "$ref", default, skip_serializing_if = "Option::is_none")]
    pub ref_: Option<String>,
    /// The type of the member: `User` or `Group`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// The member's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Member {
    /// Creates a member with the given resource `id`.
    pub fn new(value: impl Into<String>) -> Self {
        Self { value: value.into(), ..Self::default() }
    }

    /// Sets `$ref`.
    #[must_use]
    pub fn with_ref(mut self, ref_: impl Into<String>) -> Self {
        self.ref_ = Some(ref_.into());
        self
    }

    /// Sets `type` (`User` or `Group`).
    #[must_use]
    pub fn with_type(mut self, type_: impl Into<String>) -> Self {
        self.type_ = Some(type_.into());
        self
    }

    /// Sets `display`.
    #[must_use]
    pub fn with_display(mut self, display: impl Into<String>) -> Self {
        self.display = Some(display.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unknown_schema_uri_without_attributes_is_kept() {
        let input = json!({
            "schemas": [
                "urn:ietf:params:scim:schemas:core:2.0:Group",
                "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
            ],
            "displayName": "Sales",
            "externalId": "abc",
            "members": null
        });
        let group = Group::try_from(input).unwrap();
        assert!(group.members.is_empty());
        assert!(group.extensions.is_empty());
        assert_eq!(group.to_json()["schemas"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn member_fields_round_trip() {
        let input = json!({
            "value": "g2",
            "$ref": "https://example.com/v2/Groups/g2",
            "type": "Group",
            "display": "Nested"
        });
        let member: Member = serde_json::from_value(input.clone()).unwrap();
        assert_eq!(
            member,
            Member::new("g2")
                .with_ref("https://example.com/v2/Groups/g2")
                .with_type("Group")
                .with_display("Nested")
        );
        assert_eq!(serde_json::to_value(&member).unwrap(), input);
    }

    #[test]
    fn display_name_and_member_value_are_required() {
        assert!(Group::from_json(&json!({"members": []})).is_err());
        assert!(
            Group::from_json(&json!({"displayName": "x", "members": [{"display": "y"}]})).is_err()
        );
    }

    #[test]
    fn extensions_round_trip() {
        let input = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "urn:example:group-ext"],
            "displayName": "Sales",
            "urn:example:group-ext": {"costCenter": "4130"}
        });
        let group = Group::try_from(input.clone()).unwrap();
        assert_eq!(group.extensions["urn:example:group-ext"], json!({"costCenter": "4130"}));
        assert_eq!(Value::from(&group), input);
    }
}
