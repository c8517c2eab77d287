//! Attribute definitions and their characteristics (RFC 7643 §2.2, §7).

use serde::{Deserialize, Serialize};

/// The data type of an attribute (RFC 7643 §2.3).
///
/// Serialises with the RFC spelling (`"dateTime"`, `"reference"`).
///
/// ```
/// use scimkit_core::AttributeType;
///
/// assert_eq!(serde_json::to_value(AttributeType::DateTime).unwrap(), "dateTime");
/// assert_eq!(AttributeType::DateTime.to_filter_type(), scimkit_core::filter::AttrType::DateTime);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum AttributeType {
    /// `string`: a sequence of Unicode characters. The default when a definition names no type.
    #[default]
    String,
    /// `boolean`: `true` or `false`.
    Boolean,
    /// `decimal`: a real number with at least one digit after the point.
    Decimal,
    /// `integer`: a whole number.
    Integer,
    /// `dateTime`: an `xsd:dateTime` string such as `2008-01-23T04:56:22Z`.
    DateTime,
    /// `reference`: a URI to a SCIM resource, an external resource or a plain URI.
    Reference,
    /// `complex`: a JSON object with sub-attributes.
    Complex,
    /// `binary`: base64-encoded bytes.
    Binary,
}

impl AttributeType {
    /// The type as the filter evaluator knows it.
    pub fn to_filter_type(self) -> scimkit_filter::AttrType {
        use scimkit_filter::AttrType;
        match self {
            AttributeType::String => AttrType::String,
            AttributeType::Boolean => AttrType::Boolean,
            AttributeType::Decimal => AttrType::Decimal,
            AttributeType::Integer => AttrType::Integer,
            AttributeType::DateTime => AttrType::DateTime,
            AttributeType::Reference => AttrType::Reference,
            AttributeType::Complex => AttrType::Complex,
            AttributeType::Binary => AttrType::Binary,
        }
    }

    /// The RFC spelling of the type (`"dateTime"`).
    pub fn as_str(self) -> &'static str {
        match self {
            AttributeType::String => "string",
            AttributeType::Boolean => "boolean",
            AttributeType::Decimal => "decimal",
            AttributeType::Integer => "integer",
            AttributeType::DateTime => "dateTime",
            AttributeType::Reference => "reference",
            AttributeType::Complex => "complex",
            AttributeType::Binary => "binary",
        }
    }
}

/// When and whether a client may change an attribute (RFC 7643 §7 `mutability`).
///
/// ```
/// use scimkit_core::Mutability;
///
/// assert_eq!(Mutability::default(), Mutability::ReadWrite);
/// assert_eq!(serde_json::to_value(Mutability::WriteOnly).unwrap(), "writeOnly");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Mutability {
    /// `readOnly`: only the service provider sets it; client values are ignored.
    ReadOnly,
    /// `readWrite`: clients may set and change it. The default.
    #[default]
    ReadWrite,
    /// `immutable`: clients may set it once (on creation, or when it has no value).
    Immutable,
    /// `writeOnly`: clients may set it but it is never returned (`password`).
    WriteOnly,
}

/// When an attribute appears in a response (RFC 7643 §7 `returned`).
///
/// ```
/// use scimkit_core::Returned;
///
/// assert_eq!(Returned::default(), Returned::Default);
/// assert_eq!(serde_json::to_value(Returned::Never).unwrap(), "never");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Returned {
    /// `always`: returned whatever `attributes` or `excludedAttributes` say (`id`).
    Always,
    /// `never`: never returned (`password`).
    Never,
    /// `default`: returned unless excluded. The default.
    #[default]
    Default,
    /// `request`: returned only when named in `attributes`.
    Request,
}

/// The scope in which an attribute's value must be unique (RFC 7643 §7 `uniqueness`).
///
/// ```
/// use scimkit_core::Uniqueness;
///
/// assert_eq!(Uniqueness::default(), Uniqueness::None);
/// assert_eq!(serde_json::to_value(Uniqueness::Server).unwrap(), "server");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Uniqueness {
    /// `none`: no uniqueness. The default.
    #[default]
    None,
    /// `server`: unique within the service provider (per tenant).
    Server,
    /// `global`: globally unique.
    Global,
}

/// The definition of one attribute or sub-attribute, with every characteristic of RFC 7643 §7.
///
/// Build definitions with the typed constructors and chain the characteristics that differ from
/// the defaults (single-valued, optional, `caseExact` false, `readWrite`, returned `default`,
/// uniqueness `none`):
///
/// ```
/// use scimkit_core::{Attribute, AttributeType, Mutability, Returned, Uniqueness};
///
/// let user_name = Attribute::string("userName").required().unique_server();
/// assert!(user_name.required);
/// assert_eq!(user_name.uniqueness, Uniqueness::Server);
///
/// let emails = Attribute::complex(
///     "emails",
///     vec![
///         Attribute::string("value"),
///         Attribute::string("type").canonical(&["work", "home", "other"]),
///         Attribute::boolean("primary"),
///     ],
/// )
/// .multi_valued();
/// assert_eq!(emails.sub_attribute("TYPE").unwrap().canonical_values, ["work", "home", "other"]);
///
/// let password = Attribute::string("password").write_only().returned(Returned::Never);
/// assert_eq!(password.mutability, Mutability::WriteOnly);
/// ```
///
/// The JSON form is the one of the `/Schemas` endpoint. Every characteristic is written, also
/// where the RFC's own listing leaves one out at its default; empty lists are left out. On input,
/// missing characteristics take their defaults.
///
/// ```
/// use scimkit_core::Attribute;
/// use serde_json::json;
///
/// let json = serde_json::to_value(Attribute::string("title")).unwrap();
/// assert_eq!(
///     json,
///     json!({
///         "name": "title", "type": "string", "multiValued": false, "required": false,
///         "caseExact": false, "mutability": "readWrite", "returned": "default",
///         "uniqueness": "none"
///     })
/// );
/// let back: Attribute = serde_json::from_value(json!({ "name": "title" })).unwrap();
/// assert_eq!(back, Attribute::string("title"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Attribute {
    /// The attribute's name, in the schema's spelling (`userName`). Compared case-insensitively.
    pub name: String,
    /// The data type.
    #[serde(rename = "type", default)]
    pub attr_type: AttributeType,
    /// Whether the attribute holds an array of values.
    #[serde(default)]
    pub multi_valued: bool,
    /// A human-readable description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether a resource must carry a value.
    #[serde(default)]
    pub required: bool,
    /// Suggested values (`work`, `home`); the service provider may accept others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub canonical_values: Vec<String>,
    /// Whether string values compare case-sensitively.
    #[serde(default)]
    pub case_exact: bool,
    /// Whether and when clients may change the value.
    #[serde(default)]
    pub mutability: Mutability,
    /// When the value appears in responses.
    #[serde(default)]
    pub returned: Returned,
    /// The scope in which values must be unique.
    #[serde(default)]
    pub uniqueness: Uniqueness,
    /// For `reference` attributes: what may be referenced (`User`, `Group`, `external`, `uri`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reference_types: Vec<String>,
    /// For `complex` attributes: the sub-attributes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_attributes: Vec<Attribute>,
    /// Whether values must be one of `canonical_values` (compared with the attribute's
    /// `caseExact` and stored in the canonical spelling). Not an RFC characteristic: RFC 7643
    /// §7 makes canonical values suggestions, so this is off unless a schema asks for it.
    #[serde(skip)]
    pub canonical_only: bool,
}

impl Attribute {
    /// An attribute named `name` of type `attr_type`, with every other characteristic at its
    /// default.
    pub fn new(name: impl Into<String>, attr_type: AttributeType) -> Self {
        Self {
            name: name.into(),
            attr_type,
            multi_valued: false,
            description: None,
            required: false,
            canonical_values: Vec::new(),
            case_exact: false,
            mutability: Mutability::default(),
            returned: Returned::default(),
            uniqueness: Uniqueness::default(),
            reference_types: Vec::new(),
            sub_attributes: Vec::new(),
            canonical_only: false,
        }
    }

    /// A `string` attribute.
    pub fn string(name: impl Into<String>) -> Self {
        Self::new(name, AttributeType::String)
    }

    /// A `boolean` attribute.
    pub fn boolean(name: impl Into<String>) -> Self {
        Self::new(name, AttributeType::Boolean)
    }

    /// A `decimal` attribute.
    pub fn decimal(name: impl Into<String>) -> Self {
        Self::new(name, AttributeType::Decimal)
    }

    /// An `integer` attribute.
    pub fn integer(name: impl Into<String>) -> Self {
        Self::new(name, AttributeType::Integer)
    }

    /// A `dateTime` attribute.
    pub fn date_time(name: impl Into<String>) -> Self {
        Self::new(name, AttributeType::DateTime)
    }

    /// A `reference` attribute; name what it may reference with [`references`](Self::references).
    pub fn reference(name: impl Into<String>) -> Self {
        Self::new(name, AttributeType::Reference)
    }

    /// A `binary` attribute.
    pub fn binary(name: impl Into<String>) -> Self {
        Self::new(name, AttributeType::Binary)
    }

    /// A `complex` attribute with the given sub-attributes.
    pub fn complex(name: impl Into<String>, sub_attributes: Vec<Attribute>) -> Self {
        Self { sub_attributes, ..Self::new(name, AttributeType::Complex) }
    }

    /// With `description` as its description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Multi-valued.
    #[must_use]
    pub fn multi_valued(mut self) -> Self {
        self.multi_valued = true;
        self
    }

    /// Required.
    #[must_use]
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Case-sensitive (`caseExact: true`).
    #[must_use]
    pub fn case_exact(mut self) -> Self {
        self.case_exact = true;
        self
    }

    /// With the given mutability.
    #[must_use]
    pub fn mutability(mut self, mutability: Mutability) -> Self {
        self.mutability = mutability;
        self
    }

    /// `readOnly`.
    #[must_use]
    pub fn read_only(self) -> Self {
        self.mutability(Mutability::ReadOnly)
    }

    /// `immutable`.
    #[must_use]
    pub fn immutable(self) -> Self {
        self.mutability(Mutability::Immutable)
    }

    /// `writeOnly`.
    #[must_use]
    pub fn write_only(self) -> Self {
        self.mutability(Mutability::WriteOnly)
    }

    /// Returned as given.
    #[must_use]
    pub fn returned(mut self, returned: Returned) -> Self {
        self.returned = returned;
        self
    }

    /// With the given uniqueness.
    #[must_use]
    pub fn uniqueness(mut self, uniqueness: Uniqueness) -> Self {
        self.uniqueness = uniqueness;
        self
    }

    /// Unique within the server (`uniqueness: server`).
    #[must_use]
    pub fn unique_server(self) -> Self {
        self.uniqueness(Uniqueness::Server)
    }

    /// With the given canonical values.
    #[must_use]
    pub fn canonical(mut self, values: &[&str]) -> Self {
        self.canonical_values = values.iter().map(|v| (*v).to_owned()).collect();
        self
    }

    /// With the given canonical values, and no other value accepted.
    #[must_use]
    pub fn canonical_only(mut self, values: &[&str]) -> Self {
        self.canonical_only = true;
        self.canonical(values)
    }

    /// With the given reference types (`User`, `Group`, `external`, `uri`).
    #[must_use]
    pub fn references(mut self, types: &[&str]) -> Self {
        self.reference_types = types.iter().map(|v| (*v).to_owned()).collect();
        self
    }

    /// Whether the attribute is named `name`, ignoring ASCII case.
    pub fn is_named(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// Whether the attribute is `complex`.
    pub fn is_complex(&self) -> bool {
        self.attr_type == AttributeType::Complex
    }

    /// The sub-attribute named `name`, matched case-insensitively.
    ///
    /// ```
    /// use scimkit_core::schema::builtin;
    ///
    /// let user = builtin::user();
    /// let name = user.attribute("name").unwrap();
    /// assert_eq!(name.sub_attribute("GIVENNAME").unwrap().name, "givenName");
    /// assert!(name.sub_attribute("nickName").is_none());
    /// ```
    pub fn sub_attribute(&self, name: &str) -> Option<&Attribute> {
        self.sub_attributes.iter().find(|a| a.is_named(name))
    }

    /// The characteristics the filter evaluator needs.
    pub fn filter_info(&self) -> scimkit_filter::AttrInfo {
        scimkit_filter::AttrInfo::new(
            self.attr_type.to_filter_type(),
            self.multi_valued,
            self.case_exact,
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn enums_use_rfc_spellings() {
        let types = [
            (AttributeType::String, "string"),
            (AttributeType::Boolean, "boolean"),
            (AttributeType::Decimal, "decimal"),
            (AttributeType::Integer, "integer"),
            (AttributeType::DateTime, "dateTime"),
            (AttributeType::Reference, "reference"),
            (AttributeType::Complex, "complex"),
            (AttributeType::Binary, "binary"),
        ];
        for (t, s) in types {
            assert_eq!(serde_json::to_value(t).unwrap(), s);
            assert_eq!(t.as_str(), s);
            assert_eq!(serde_json::from_value::<AttributeType>(json!(s)).unwrap(), t);
        }
        let mutability = [
            (Mutability::ReadOnly, "readOnly"),
            (Mutability::ReadWrite, "readWrite"),
            (Mutability::Immutable, "immutable"),
            (Mutability::WriteOnly, "writeOnly"),
        ];
        for (m, s) in mutability {
            assert_eq!(serde_json::to_value(m).unwrap(), s);
            assert_eq!(serde_json::from_value::<Mutability>(json!(s)).unwrap(), m);
        }
        let returned = [
            (Returned::Always, "always"),
            (Returned::Never, "never"),
            (Returned::Default, "default"),
            (Returned::Request, "request"),
        ];
        for (r, s) in returned {
            assert_eq!(serde_json::to_value(r).unwrap(), s);
            assert_eq!(serde_json::from_value::<Returned>(json!(s)).unwrap(), r);
        }
        let uniqueness = [
            (Uniqueness::None, "none"),
            (Uniqueness::Server, "server"),
            (Uniqueness::Global, "global"),
        ];
        for (u, s) in uniqueness {
            assert_eq!(serde_json::to_value(u).unwrap(), s);
            assert_eq!(serde_json::from_value::<Uniqueness>(json!(s)).unwrap(), u);
        }
    }

    #[test]
    fn defaults() {
        assert_eq!(Mutability::default(), Mutability::ReadWrite);
        assert_eq!(Returned::default(), Returned::Default);
        assert_eq!(Uniqueness::default(), Uniqueness::None);
        assert_eq!(AttributeType::default(), AttributeType::String);
    }

    #[test]
    fn filter_types() {
        use scimkit_filter::AttrType;
        assert_eq!(AttributeType::String.to_filter_type(), AttrType::String);
        assert_eq!(AttributeType::Boolean.to_filter_type(), AttrType::Boolean);
        assert_eq!(AttributeType::Decimal.to_filter_type(), AttrType::Decimal);
        assert_eq!(AttributeType::Integer.to_filter_type(), AttrType::Integer);
        assert_eq!(AttributeType::DateTime.to_filter_type(), AttrType::DateTime);
        assert_eq!(AttributeType::Reference.to_filter_type(), AttrType::Reference);
        assert_eq!(AttributeType::Complex.to_filter_type(), AttrType::Complex);
        assert_eq!(AttributeType::Binary.to_filter_type(), AttrType::Binary);
    }

    #[test]
    fn full_attribute_round_trips() {
        let attr = Attribute::complex(
            "members",
            vec![
                Attribute::string("value").immutable(),
                Attribute::reference("$ref").immutable().references(&["User", "Group"]),
                Attribute::string("type").immutable().canonical(&["User", "Group"]),
            ],
        )
        .multi_valued()
        .description("A list of members of the Group.");
        let json = serde_json::to_value(&attr).unwrap();
        assert_eq!(json["subAttributes"][1]["referenceTypes"], json!(["User", "Group"]));
        assert_eq!(json["subAttributes"][2]["canonicalValues"], json!(["User", "Group"]));
        assert!(json["subAttributes"][0].get("canonicalValues").is_none());
        let back: Attribute = serde_json::from_value(json).unwrap();
        assert_eq!(back, attr);
    }

    #[test]
    fn missing_characteristics_take_defaults() {
        let attr: Attribute = serde_json::from_value(json!({
            "name": "nick",
            "canonicalValues": [],
            "unknownCharacteristic": 1
        }))
        .unwrap();
        assert_eq!(attr, Attribute::string("nick"));
    }

    #[test]
    fn builder_sets_characteristics() {
        let a = Attribute::integer("n")
            .required()
            .case_exact()
            .read_only()
            .returned(Returned::Always)
            .uniqueness(Uniqueness::Global);
        assert!(a.required && a.case_exact);
        assert_eq!(a.mutability, Mutability::ReadOnly);
        assert_eq!(a.returned, Returned::Always);
        assert_eq!(a.uniqueness, Uniqueness::Global);
        let info = a.filter_info();
        assert_eq!(
            info,
            scimkit_filter::AttrInfo::new(scimkit_filter::AttrType::Integer, false, true)
        );
    }
}
