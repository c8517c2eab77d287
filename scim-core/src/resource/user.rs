//! The User resource (RFC 7643 §4.1) and its complex and multi-valued attribute types.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    EnterpriseUser, Meta, SCHEMA_USER, de_extensions, de_opt_bool, de_vec, output_schemas,
    to_json_object,
};

/// A SCIM User (RFC 7643 §4.1), with the Enterprise User extension (§4.3) and any other
/// extensions.
///
/// `password` is read from input but never serialised (it is `writeOnly`, `returned: never`),
/// and `Debug` redacts it. `groups` is read-only: the server derives it from Group membership.
///
/// Serde (de)serialisation uses the wire format and keeps `schemas` as it is;
/// [`User::to_json`] also fills in `schemas` from the attributes present.
///
/// # Examples
///
/// ```
/// use scimkit_core::{Email, Name, User};
///
/// let mut user = User::new("bjensen@example.com")
///     .with_name(Name::new("Barbara", "Jensen"))
///     .with_email(Email::new("bjensen@example.com").with_type("work").with_primary(true));
/// user.active = Some(true);
/// user.password = Some("t1meMa$heen".to_owned());
///
/// let json = user.to_json();
/// assert_eq!(json["userName"], "bjensen@example.com");
/// assert_eq!(json["emails"][0]["primary"], true);
/// assert_eq!(json["schemas"][0], "urn:ietf:params:scim:schemas:core:2.0:User");
/// assert!(json.get("password").is_none());
///
/// let back = User::from_json(&json)?;
/// assert_eq!(back.name, user.name);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// The schema URNs of this resource: the core User URN plus one per extension present.
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
    /// The unique name the user authenticates with. Required.
    pub user_name: String,
    /// The components of the user's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    /// The name to display to end users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The casual name to address the user by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    /// A URI of the user's online profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_url: Option<String>,
    /// The user's title, such as "Vice President".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The relationship to the organisation, such as "Employee" or "Contractor".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    /// The preferred written or spoken language, e.g. `en-US` (RFC 7231 §5.3.5 form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    /// The default location for localisation, e.g. `en-US`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The time zone, in IANA form such as `America/Los_Angeles`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The administrative status. Input may be a boolean or the string `"true"`/`"false"`.
    #[serde(default, deserialize_with = "de_opt_bool", skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// The cleartext password, as sent by the client. Never serialised.
    #[serde(default, skip_serializing)]
    pub password: Option<String>,
    /// Email addresses.
    #[serde(default, deserialize_with = "de_vec", skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<Email>,
    /// Phone numbers.
    #[serde(default, deserialize_with = "de_vec", skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<PhoneNumber>,
    /// Instant messaging addresses.
    #[serde(default, deserialize_with = "de_vec", skip_serializing_if = "Vec::is_empty")]
    pub ims: Vec<Im>,
    /// URIs of photos of the user.
    #[serde(default, deserialize_with = "de_vec", skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<Photo>,
    /// Physical mailing addresses.
    #[serde(default, deserialize_with = "de_vec", skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    /// The groups the user belongs to. Read-only: derived from Group membership.
    #[serde(default, deserialize_with = "de_vec", skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupRef>,
    /// Entitlements of the user.
    #[serde(default, deserialize_with = "de_vec", skip_serializing_if = "Vec::is_empty")]
    pub entitlements: Vec<Entitlement>,
    /// Roles of the user.
    #[serde(default, deserialize_with = "de_vec", skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    /// DER-encoded X.509 certificates, base64 in `value`.
    #[serde(default, deserialize_with = "de_vec", skip_serializing_if = "Vec::is_empty")]
    pub x509_certificates: Vec<X509Certificate>,
    /// The Enterprise User extension (RFC 7643 §4.3), under its schema URN.
    #[serde(
        rename = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub enterprise: Option<EnterpriseUser>,
    /// Every other top-level member, keyed by name: normally other extension schema URNs, each
    /// holding an object of that extension's attributes. Explicit `null`s are dropped.
    #[serde(flatten, deserialize_with = "de_extensions")]
    pub extensions: BTreeMap<String, Value>,
}

impl User {
    /// Creates a user with the given `userName` and the core User schema URN in `schemas`.
    pub fn new(user_name: impl Into<String>) -> Self {
        Self {
            schemas: vec![SCHEMA_USER.to_owned()],
            user_name: user_name.into(),
            ..Self::default()
        }
    }

    /// Sets `externalId`.
    #[must_use]
    pub fn with_external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into());
        self
    }

    /// Sets `name`.
    #[must_use]
    pub fn with_name(mut self, name: Name) -> Self {
        self.name = Some(name);
        self
    }

    /// Sets `displayName`.
    #[must_use]
    pub fn with_display_name(mut self, display_name: impl Into<String>) -> Self {
        self.display_name = Some(display_name.into());
        self
    }

    /// Appends an email address.
    #[must_use]
    pub fn with_email(mut self, email: Email) -> Self {
        self.emails.push(email);
        self
    }

    /// Sets the Enterprise User extension; [`User::to_json`] then lists its URN in `schemas`.
    #[must_use]
    pub fn with_enterprise(mut self, enterprise: EnterpriseUser) -> Self {
        self.enterprise = Some(enterprise);
        self
    }

    /// The email marked `primary`, if any.
    pub fn primary_email(&self) -> Option<&Email> {
        self.emails.iter().find(|email| email.primary == Some(true))
    }

    /// The `schemas` list this user should carry: the core User URN first, the URNs already
    /// listed, the Enterprise User URN exactly when [`User::enterprise`] is set, and the URN of
    /// every object-valued extension in [`User::extensions`].
    pub fn default_schemas(&self) -> Vec<String> {
        output_schemas(
            &self.schemas,
            SCHEMA_USER,
            Some(self.enterprise.is_some()),
            &self.extensions,
        )
    }

    /// Serialises to the generic JSON form (an object), with `schemas` set by
    /// [`User::default_schemas`]. `password` is never included.
    pub fn to_json(&self) -> Value {
        to_json_object(self, self.default_schemas())
    }

    /// Reads a user from the generic JSON form.
    ///
    /// # Errors
    ///
    /// Fails if the value is not an object, lacks `userName`, or has a member of the wrong type.
    pub fn from_json(value: &Value) -> Result<Self, serde_json::Error> {
        Self::deserialize(value)
    }
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("schemas", &self.schemas)
            .field("id", &self.id)
            .field("external_id", &self.external_id)
            .field("meta", &self.meta)
            .field("user_name", &self.user_name)
            .field("name", &self.name)
            .field("display_name", &self.display_name)
            .field("nick_name", &self.nick_name)
            .field("profile_url", &self.profile_url)
            .field("title", &self.title)
            .field("user_type", &self.user_type)
            .field("preferred_language", &self.preferred_language)
            .field("locale", &self.locale)
            .field("timezone", &self.timezone)
            .field("active", &self.active)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("emails", &self.emails)
            .field("phone_numbers", &self.phone_numbers)
            .field("ims", &self.ims)
            .field("photos", &self.photos)
            .field("addresses", &self.addresses)
            .field("groups", &self.groups)
            .field("entitlements", &self.entitlements)
            .field("roles", &self.roles)
            .field("x509_certificates", &self.x509_certificates)
            .field("enterprise", &self.enterprise)
            .field("extensions", &self.extensions)
            .finish()
    }
}

super::json_conversions!(User);

/// The components of a user's name (RFC 7643 §4.1.1).
///
/// # Examples
///
/// ```
/// use scimkit_core::Name;
///
/// let mut name = Name::new("Barbara", "Jensen");
/// name.formatted = Some("Ms. Barbara J Jensen, III".to_owned());
/// let json = serde_json::to_value(&name)?;
/// assert_eq!(json["givenName"], "Barbara");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Name {
    /// The full name for display, e.g. `Ms. Barbara J Jensen, III`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    /// The family (last) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// The given (first) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// The middle name(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// The honorific prefix, e.g. `Ms.`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_prefix: Option<String>,
    /// The honorific suffix, e.g. `III`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_suffix: Option<String>,
}

impl Name {
    /// Creates a name with the given and family names.
    pub fn new(given_name: impl Into<String>, family_name: impl Into<String>) -> Self {
        Self {
            given_name: Some(given_name.into()),
            family_name: Some(family_name.into()),
            ..Self::default()
        }
    }
}

/// An entry of a multi-valued User attribute with the common shape `value`, `display`, `type`,
/// `primary` (RFC 7643 §2.4, §4.1.2): [`Email`], [`PhoneNumber`], [`Im`], [`Photo`],
/// [`Entitlement`], [`Role`] and [`X509Certificate`] are aliases of it.
///
/// `primary` accepts a boolean or the string `"true"`/`"false"` on input. At most one entry of
/// an attribute should be primary; enforcing that is up to the caller.
///
/// # Examples
///
/// ```
/// use scimkit_core::Email;
///
/// let email = Email::new("bjensen@example.com").with_type("work").with_primary(true);
/// let json = serde_json::to_value(&email)?;
/// assert_eq!(json, serde_json::json!({
///     "value": "bjensen@example.com", "type": "work", "primary": true
/// }));
///
/// let entra: Email = serde_json::from_str(r#"{"value": "a@b.c", "primary": "True"}"#)?;
/// assert_eq!(entra.primary, Some(true));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MultiValue {
    /// The value: an address, number, handle, URI, entitlement, role or base64 certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// A human-readable name, primarily for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// A label for the entry's function, such as `work` or `home` (the `type` sub-attribute).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Whether this is the preferred entry of the attribute.
    #[serde(default, deserialize_with = "de_opt_bool", skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

impl MultiValue {
    /// Creates an entry with the given value.
    pub fn new(value: impl Into<String>) -> Self {
        Self { value: Some(value.into()), ..Self::default() }
    }

    /// Sets `display`.
    #[must_use]
    pub fn with_display(mut self, display: impl Into<String>) -> Self {
        self.display = Some(display.into());
        self
    }

    /// Sets `type`.
    #[must_use]
    pub fn with_type(mut self, type_: impl Into<String>) -> Self {
        self.type_ = Some(type_.into());
        self
    }

    /// Sets `primary`.
    #[must_use]
    pub fn with_primary(mut self, primary: bool) -> Self {
        self.primary = Some(primary);
        self
    }
}

/// An email address of a user (`emails`, RFC 7643 §4.1.2); `type` is `work`, `home` or `other`.
pub type Email = MultiValue;
/// A phone number of a user (`phoneNumbers`); `type` is `work`, `home`, `mobile`, `fax`, `pager`
/// or `other`.
pub type PhoneNumber = MultiValue;
/// An instant messaging address of a user (`ims`); `type` is e.g. `aim`, `xmpp` or `skype`.
pub type Im = MultiValue;
/// A URI of a photo of a user (`photos`); `type` is `photo` or `thumbnail`.
pub type Photo = MultiValue;
/// An entitlement of a user (`entitlements`).
pub type Entitlement = MultiValue;
/// A role of a user (`roles`).
pub type Role = MultiValue;
/// A DER-encoded X.509 certificate of a user, base64 in `value` (`x509Certificates`).
pub type X509Certificate = MultiValue;

/// A physical mailing address of a user (`addresses`, RFC 7643 §4.1.2).
///
/// # Examples
///
/// ```
/// use scimkit_core::Address;
///
/// let mut address = Address::default().with_type("work").with_primary(true);
/// address.locality = Some("Hollywood".to_owned());
/// let json = serde_json::to_value(&address)?;
/// assert_eq!(json["locality"], "Hollywood");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Address {
    /// The full address, formatted for display (may contain newlines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    /// The street address: house number, street name, P.O. box, etc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    /// The city or locality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// The state or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The zip code or postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// The country, as an ISO 3166-1 alpha-2 code (`US`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// A label for the address, such as `work`, `home` or `other`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Whether this is the preferred mailing address.
    #[serde(default, deserialize_with = "de_opt_bool", skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

impl Address {
    /// Sets `type`.
    #[must_use]
    pub fn with_type(mut self, type_: impl Into<String>) -> Self {
        self.type_ = Some(type_.into());
        self
    }

    /// Sets `primary`.
    #[must_use]
    pub fn with_primary(mut self, primary: bool) -> Self {
        self.primary = Some(primary);
        self
    }
}

/// A group the user belongs to (`groups`, RFC 7643 §4.1.2). Read-only, derived by the server.
///
/// # Examples
///
/// ```
/// use scimkit_core::GroupRef;
///
/// let group = GroupRef::new("e9e30dba").with_display("Tour Guides");
/// let json = serde_json::to_value(&group)?;
/// assert_eq!(json, serde_json::json!({"value": "e9e30dba", "display": "Tour Guides"}));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GroupRef {
    /// The `id` of the group.
    pub value: String,
    /// The URI of the group (the `$ref` sub-attribute).
    #[serde(rename = "$ref", default, skip_serializing_if = "Option::is_none")]
    pub ref_: Option<String>,
    /// The group's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// How the membership came about: `direct` or `indirect`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
}

impl GroupRef {
    /// Creates a reference to the group with the given `id`.
    pub fn new(value: impl Into<String>) -> Self {
        Self { value: value.into(), ..Self::default() }
    }

    /// Sets `$ref`.
    #[must_use]
    pub fn with_ref(mut self, ref_: impl Into<String>) -> Self {
        self.ref_ = Some(ref_.into());
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

    use super::super::SCHEMA_ENTERPRISE_USER;
    use super::*;

    #[test]
    fn enterprise_key_matches_the_urn_constant() {
        let user = User::new("a").with_enterprise(EnterpriseUser::default());
        let json = serde_json::to_value(&user).unwrap();
        assert!(json.get(SCHEMA_ENTERPRISE_USER).is_some());
    }

    #[test]
    fn explicit_nulls_are_absent() {
        let user = User::from_json(&json!({
            "schemas": null,
            "userName": "ann",
            "name": null,
            "displayName": null,
            "active": null,
            "emails": null,
            "roles": [],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": null,
            "urn:example:ext": null,
            "meta": {"resourceType": "User"}
        }))
        .unwrap();
        let mut expected = User::new("ann");
        expected.schemas.clear();
        expected.meta = Some(Meta::new("User"));
        assert_eq!(user, expected);
        assert_eq!(
            serde_json::to_value(&user).unwrap(),
            json!({"userName": "ann", "meta": {"resourceType": "User"}})
        );
    }

    #[test]
    fn active_and_primary_accept_strings() {
        let user = User::from_json(&json!({
            "userName": "ann",
            "active": "False",
            "emails": [{"value": "a@example.com", "type": "work", "primary": "true"}],
            "addresses": [{"type": "work", "primary": "True"}]
        }))
        .unwrap();
        assert_eq!(user.active, Some(false));
        assert_eq!(user.emails[0].primary, Some(true));
        assert_eq!(user.addresses[0].primary, Some(true));
        let json = user.to_json();
        assert_eq!(json["active"], json!(false));
        assert_eq!(json["emails"][0]["primary"], json!(true));
    }

    #[test]
    fn bad_boolean_string_is_an_error() {
        assert!(User::from_json(&json!({"userName": "ann", "active": "maybe"})).is_err());
    }

    #[test]
    fn user_name_is_required() {
        assert!(User::from_json(&json!({"displayName": "Ann"})).is_err());
        assert!(User::from_json(&json!(["not", "an", "object"])).is_err());
    }

    #[test]
    fn password_is_read_but_never_written_nor_debugged() {
        let user = User::try_from(json!({"userName": "ann", "password": "s3cret"})).unwrap();
        assert_eq!(user.password.as_deref(), Some("s3cret"));
        assert!(serde_json::to_value(&user).unwrap().get("password").is_none());
        assert!(user.to_json().get("password").is_none());
        assert!(!format!("{user:?}").contains("s3cret"));
    }

    #[test]
    fn group_ref_dollar_ref() {
        let input =
            json!({"value": "g1", "$ref": "https://example.com/v2/Groups/g1", "type": "direct"});
        let group: GroupRef = serde_json::from_value(input.clone()).unwrap();
        assert_eq!(group.ref_.as_deref(), Some("https://example.com/v2/Groups/g1"));
        assert_eq!(group.type_.as_deref(), Some("direct"));
        assert_eq!(serde_json::to_value(&group).unwrap(), input);
        let null_ref: GroupRef =
            serde_json::from_value(json!({"value": "g1", "$ref": null})).unwrap();
        assert_eq!(null_ref, GroupRef::new("g1"));
    }

    #[test]
    fn extensions_round_trip() {
        let input = json!({
            "schemas": [
                "urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:example:params:scim:schemas:extension:custom:2.0:User"
            ],
            "userName": "ann",
            "urn:example:params:scim:schemas:extension:custom:2.0:User": {
                "badge": 42,
                "tags": ["a", "b"],
                "nested": {"x": true}
            }
        });
        let user = User::try_from(input.clone()).unwrap();
        assert_eq!(user.extensions.len(), 1);
        assert_eq!(
            user.extensions["urn:example:params:scim:schemas:extension:custom:2.0:User"]["badge"],
            json!(42)
        );
        assert_eq!(Value::from(user.clone()), input);
        assert_eq!(serde_json::to_value(&user).unwrap(), input);
    }

    #[test]
    fn to_json_fills_schemas() {
        let mut user = User::new("ann");
        user.schemas.clear();
        user.extensions.insert("urn:example:ext".to_owned(), json!({"a": 1}));
        let json = user.clone().with_enterprise(EnterpriseUser::default()).to_json();
        assert_eq!(
            json["schemas"],
            json!([SCHEMA_USER, SCHEMA_ENTERPRISE_USER, "urn:example:ext"])
        );
        // A stale enterprise URN is dropped when the extension is absent.
        user.schemas = vec![SCHEMA_USER.to_owned(), SCHEMA_ENTERPRISE_USER.to_owned()];
        assert_eq!(user.to_json()["schemas"], json!([SCHEMA_USER, "urn:example:ext"]));
    }

    #[test]
    fn primary_email() {
        let user = User::new("ann")
            .with_email(Email::new("home@example.com").with_type("home"))
            .with_email(Email::new("work@example.com").with_primary(true));
        assert_eq!(user.primary_email().and_then(|e| e.value.as_deref()), Some("work@example.com"));
    }
}
