//! The Enterprise User extension (RFC 7643 §4.3).

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor, value::MapAccessDeserializer};
use serde::{Deserialize, Serialize};

/// The Enterprise User extension (RFC 7643 §4.3): attributes of users who belong to an
/// organisation. In JSON it sits under the key
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User` of a [`User`](crate::User).
///
/// # Examples
///
/// ```
/// use scimkit_core::{EnterpriseUser, Manager, User};
///
/// let user = User::new("bjensen@example.com").with_enterprise(
///     EnterpriseUser::default()
///         .with_department("Tour Operations")
///         .with_manager(Manager::new("26118915-6090-4610-87e4-49d8ca9f808d")),
/// );
/// let json = user.to_json();
/// let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// assert_eq!(json[urn]["department"], "Tour Operations");
/// assert_eq!(json[urn]["manager"]["value"], "26118915-6090-4610-87e4-49d8ca9f808d");
/// assert_eq!(json["schemas"][1], urn);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EnterpriseUser {
    /// A number or string identifying the employee within the organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    /// The name of a cost center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_center: Option<String>,
    /// The name of an organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// The name of a division.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    /// The name of a department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The user's manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<Manager>,
}

impl EnterpriseUser {
    /// Sets `department`.
    #[must_use]
    pub fn with_department(mut self, department: impl Into<String>) -> Self {
        self.department = Some(department.into());
        self
    }

    /// Sets `manager`.
    #[must_use]
    pub fn with_manager(mut self, manager: Manager) -> Self {
        self.manager = Some(manager);
        self
    }
}

/// A user's manager (RFC 7643 §4.3, `manager`).
///
/// On input both the RFC object form `{"value": "<id>"}` and a bare id string `"<id>"` (which
/// Microsoft Entra ID sends) are accepted; output is always the object form.
///
/// # Examples
///
/// ```
/// use scimkit_core::Manager;
///
/// let bare: Manager = serde_json::from_str(r#""26118915""#)?;
/// let object: Manager = serde_json::from_str(r#"{"value": "26118915"}"#)?;
/// assert_eq!(bare, object);
/// assert_eq!(serde_json::to_value(&bare)?, serde_json::json!({"value": "26118915"}));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Manager {
    /// The `id` of the manager's User resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The URI of the manager's User resource (the `$ref` sub-attribute).
    #[serde(rename = "$ref", default, skip_serializing_if = "Option::is_none")]
    pub ref_: Option<String>,
    /// The manager's display name. Read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

impl Manager {
    /// Creates a reference to the manager with the given User `id`.
    pub fn new(value: impl Into<String>) -> Self {
        Self { value: Some(value.into()), ..Self::default() }
    }

    /// Sets `$ref`.
    #[must_use]
    pub fn with_ref(mut self, ref_: impl Into<String>) -> Self {
        self.ref_ = Some(ref_.into());
        self
    }

    /// Sets `displayName`.
    #[must_use]
    pub fn with_display_name(mut self, display_name: impl Into<String>) -> Self {
        self.display_name = Some(display_name.into());
        self
    }
}

/// The object form of [`Manager`], as derived.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ManagerObject {
    #[serde(default)]
    value: Option<String>,
    #[serde(rename = "$ref", default)]
    ref_: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
}

impl<'de> Deserialize<'de> for Manager {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ManagerVisitor;

        impl<'de> Visitor<'de> for ManagerVisitor {
            type Value = Manager;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a manager object or a manager id string")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Manager, E> {
                Ok(Manager::new(v))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Manager, A::Error> {
                let object = ManagerObject::deserialize(MapAccessDeserializer::new(map))?;
                Ok(Manager {
                    value: object.value,
                    ref_: object.ref_,
                    display_name: object.display_name,
                })
            }
        }

        deserializer.deserialize_any(ManagerVisitor)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn manager_accepts_object_and_bare_id() {
        let object: Manager = serde_json::from_value(json!({
            "value": "26118915",
            "$ref": "../Users/26118915",
            "displayName": "John Smith"
        }))
        .unwrap();
        assert_eq!(
            object,
            Manager::new("26118915").with_ref("../Users/26118915").with_display_name("John Smith")
        );
        let bare: Manager = serde_json::from_value(json!("26118915")).unwrap();
        assert_eq!(bare, Manager::new("26118915"));
        assert_eq!(serde_json::to_value(&bare).unwrap(), json!({"value": "26118915"}));
    }

    #[test]
    fn manager_inside_enterprise_user() {
        for manager in [json!("m1"), json!({"value": "m1"}), json!({"value": "m1", "$ref": null})] {
            let enterprise: EnterpriseUser =
                serde_json::from_value(json!({"department": "Sales", "manager": manager})).unwrap();
            assert_eq!(enterprise.manager, Some(Manager::new("m1")));
            assert_eq!(enterprise.department.as_deref(), Some("Sales"));
        }
        let none: EnterpriseUser = serde_json::from_value(json!({"manager": null})).unwrap();
        assert_eq!(none, EnterpriseUser::default());
        assert_eq!(serde_json::to_value(&none).unwrap(), json!({}));
    }

    #[test]
    fn manager_rejects_other_shapes() {
        for bad in [json!(42), json!(["m1"]), json!(true)] {
            assert!(serde_json::from_value::<Manager>(bad).is_err());
        }
    }

    #[test]
    fn bare_manager_inside_a_user() {
        let user = crate::User::from_json(&json!({
            "userName": "ann",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": "m1"}
        }))
        .unwrap();
        let manager = user.enterprise.and_then(|e| e.manager);
        assert_eq!(manager, Some(Manager::new("m1")));
    }
}
