//! The built-in schemas of RFC 7643 §8.7, and the common attributes of §3.1.
//!
//! Each function builds a fresh [`Schema`]; the characteristics are those of the RFC's
//! schema representations (§8.7.1, §8.7.2). Where that listing disagrees with the normative
//! text of the RFC, the text wins, and the item says so:
//!
//! - Group `displayName` is `required` (§4.2 says REQUIRED; the §8.7.1 listing says
//!   `"required": false`).
//! - Group `members` has a `display` sub-attribute (used by the §8.4 example and by clients;
//!   absent from the §8.7.1 listing), `immutable` like its siblings and as §2.4 describes
//!   `display`.
//! - ResourceType `schemaExtensions` is multi-valued (§6 describes a list; the listing says
//!   `multiValued: false`).
//! - ServiceProviderConfig has `etag` and `authenticationSchemes` has `type` and `primary`, as
//!   §5 defines them (the listing omits them).
//! - User `addresses` has a `primary` sub-attribute, as §4.1.2 defines one for it (the listing
//!   omits it).
//!
//! The JSON form writes every characteristic, also where the listing leaves one out at its
//! default (`caseExact` of complex and boolean attributes, for instance).
//!
//! ```
//! use scimkit_core::schema::builtin;
//! use scimkit_core::{Mutability, Returned};
//!
//! let password = builtin::user().attribute("password").cloned().unwrap();
//! assert_eq!(password.mutability, Mutability::WriteOnly);
//! assert_eq!(password.returned, Returned::Never);
//! ```

use super::urn;
use super::{Attribute, Returned, Schema};

/// The common attributes every resource carries (RFC 7643 §3.1): `id`, `externalId`, `meta`.
///
/// They belong to no schema; the registry resolves them for every resource type before the
/// core schema's attributes.
///
/// ```
/// use scimkit_core::{Mutability, Returned, Uniqueness};
///
/// let common = scimkit_core::schema::builtin::common_attributes();
/// let id = &common[0];
/// assert_eq!((id.name.as_str(), id.case_exact), ("id", true));
/// assert_eq!(id.mutability, Mutability::ReadOnly);
/// assert_eq!(id.returned, Returned::Always);
/// assert_eq!(id.uniqueness, Uniqueness::Server);
/// ```
pub fn common_attributes() -> Vec<Attribute> {
    vec![
        Attribute::string("id")
            .description(
                "A unique identifier for a SCIM resource as defined by the service provider. \
                 Assigned by the service provider; never \"bulkId\".",
            )
            .case_exact()
            .read_only()
            .returned(Returned::Always)
            .unique_server(),
        Attribute::string("externalId")
            .description(
                "A String that is an identifier for the resource as defined by the \
                 provisioning client.",
            )
            .case_exact(),
        Attribute::complex(
            "meta",
            vec![
                Attribute::string("resourceType")
                    .description("The name of the resource type of the resource.")
                    .case_exact()
                    .read_only(),
                Attribute::date_time("created")
                    .description(
                        "The DateTime that the resource was added to the service provider.",
                    )
                    .read_only(),
                Attribute::date_time("lastModified")
                    .description(
                        "The most recent DateTime that the details of this resource were updated.",
                    )
                    .read_only(),
                Attribute::reference("location")
                    .description("The URI of the resource being returned.")
                    .references(&["uri"])
                    .case_exact()
                    .read_only(),
                Attribute::string("version")
                    .description("The version (ETag) of the resource being returned.")
                    .case_exact()
                    .read_only(),
            ],
        )
        .description("Resource metadata.")
        .read_only(),
    ]
}

/// A multi-valued complex attribute with the usual `value`, `display`, `type` and `primary`
/// sub-attributes (RFC 7643 §2.4), `type` with the given canonical values.
fn plural(name: &str, description: &str, value: Attribute, types: &[&str]) -> Attribute {
    Attribute::complex(
        name,
        vec![
            value,
            Attribute::string("display")
                .description("A human-readable name, primarily used for display purposes."),
            Attribute::string("type")
                .description("A label indicating the attribute's function.")
                .canonical(types),
            primary(),
        ],
    )
    .multi_valued()
    .description(description)
}

fn primary() -> Attribute {
    Attribute::boolean("primary").description(
        "A Boolean value indicating the 'primary' or preferred attribute value for this \
         attribute. The primary attribute value 'true' MUST appear no more than once.",
    )
}

/// The User schema, `urn:ietf:params:scim:schemas:core:2.0:User` (RFC 7643 §4.1, §8.7.1).
pub fn user() -> Schema {
    let name = Attribute::complex(
        "name",
        vec![
            Attribute::string("formatted").description(
                "The full name, including all middle names, titles, and suffixes as appropriate, \
                 formatted for display (e.g., 'Ms. Barbara J Jensen, III').",
            ),
            Attribute::string("familyName").description(
                "The family name of the User, or last name in most Western languages.",
            ),
            Attribute::string("givenName").description(
                "The given name of the User, or first name in most Western languages.",
            ),
            Attribute::string("middleName").description("The middle name(s) of the User."),
            Attribute::string("honorificPrefix")
                .description("The honorific prefix(es) of the User, or title (e.g., 'Ms.')."),
            Attribute::string("honorificSuffix")
                .description("The honorific suffix(es) of the User, or suffix (e.g., 'III')."),
        ],
    )
    .description("The components of the user's real name.");

    let addresses = Attribute::complex(
        "addresses",
        vec![
            Attribute::string("formatted")
                .description("The full mailing address, formatted for display or use with a mailing label."),
            Attribute::string("streetAddress").description(
                "The full street address component, which may include house number, street name, \
                 P.O. box, and multi-line extended street address information.",
            ),
            Attribute::string("locality").description("The city or locality component."),
            Attribute::string("region").description("The state or region component."),
            Attribute::string("postalCode").description("The zip code or postal code component."),
            Attribute::string("country").description("The country name component."),
            Attribute::string("type")
                .description("A label indicating the attribute's function, e.g., 'work' or 'home'.")
                .canonical(&["work", "home", "other"]),
            primary(),
        ],
    )
    .multi_valued()
    .description("A physical mailing address for this User. Canonical type values of 'work', 'home', and 'other'.");

    let groups = Attribute::complex(
        "groups",
        vec![
            Attribute::string("value")
                .description("The identifier of the User's group.")
                .read_only(),
            Attribute::reference("$ref")
                .description(
                    "The URI of the corresponding 'Group' resource to which the user belongs.",
                )
                .references(&["User", "Group"])
                .read_only(),
            Attribute::string("display")
                .description("A human-readable name, primarily used for display purposes.")
                .read_only(),
            Attribute::string("type")
                .description(
                    "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.",
                )
                .canonical_only(&["direct", "indirect"])
                .read_only(),
        ],
    )
    .multi_valued()
    .description(
        "A list of groups to which the user belongs, either through direct membership, through \
         nested groups, or dynamically calculated.",
    )
    .read_only();

    Schema::new(
        urn::SCHEMA_USER,
        "User",
        vec![
            Attribute::string("userName")
                .description(
                    "Unique identifier for the User, typically used by the user to directly \
                     authenticate to the service provider. Each User MUST include a non-empty \
                     userName value. This identifier MUST be unique across the service \
                     provider's entire set of Users.",
                )
                .required()
                .unique_server(),
            name,
            Attribute::string("displayName")
                .description("The name of the User, suitable for display to end-users."),
            Attribute::string("nickName")
                .description("The casual way to address the user in real life, e.g., 'Bob' instead of 'Robert'."),
            Attribute::reference("profileUrl")
                .description("A fully qualified URL pointing to a page representing the User's online profile.")
                .references(&["external"]),
            Attribute::string("title").description("The user's title, such as \"Vice President.\""),
            Attribute::string("userType").description(
                "Used to identify the relationship between the organization and the user, e.g., \
                 'Contractor', 'Employee', 'Intern'.",
            ),
            Attribute::string("preferredLanguage")
                .description("Indicates the User's preferred written or spoken language, e.g., 'en-US'."),
            Attribute::string("locale").description(
                "Used to indicate the User's default location for purposes of localizing items \
                 such as currency, date time format, or numerical representations.",
            ),
            Attribute::string("timezone").description(
                "The User's time zone in the 'Olson' time zone database format, e.g., \
                 'America/Los_Angeles'.",
            ),
            Attribute::boolean("active").description("A Boolean value indicating the User's administrative status."),
            Attribute::string("password")
                .description(
                    "The User's cleartext password, to specify an initial password or to reset \
                     an existing User's password. Never returned.",
                )
                .write_only()
                .returned(Returned::Never),
            plural(
                "emails",
                "Email addresses for the user. Canonical type values of 'work', 'home', and 'other'.",
                Attribute::string("value").description("Email address for the user."),
                &["work", "home", "other"],
            ),
            plural(
                "phoneNumbers",
                "Phone numbers for the User, e.g., 'tel:+1-201-555-0123'. Canonical type values \
                 of 'work', 'home', 'mobile', 'fax', 'pager', and 'other'.",
                Attribute::string("value").description("Phone number of the User."),
                &["work", "home", "mobile", "fax", "pager", "other"],
            ),
            plural(
                "ims",
                "Instant messaging addresses for the User.",
                Attribute::string("value").description("Instant messaging address for the User."),
                &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"],
            ),
            plural(
                "photos",
                "URLs of photos of the User.",
                Attribute::reference("value")
                    .description("URL of a photo of the User.")
                    .references(&["external"]),
                &["photo", "thumbnail"],
            ),
            addresses,
            groups,
            plural(
                "entitlements",
                "A list of entitlements for the User that represent a thing the User has.",
                Attribute::string("value").description("The value of an entitlement."),
                &[],
            ),
            plural(
                "roles",
                "A list of roles for the User that collectively represent who the User is, e.g., \
                 'Student', 'Faculty'.",
                Attribute::string("value").description("The value of a role."),
                &[],
            ),
            plural(
                "x509Certificates",
                "A list of certificates issued to the User.",
                Attribute::binary("value").description("The value of an X.509 certificate."),
                &[],
            ),
        ],
    )
    .description("User Account")
}

/// The Group schema, `urn:ietf:params:scim:schemas:core:2.0:Group` (RFC 7643 §4.2, §8.7.1).
pub fn group() -> Schema {
    Schema::new(
        urn::SCHEMA_GROUP,
        "Group",
        vec![
            Attribute::string("displayName")
                .description("A human-readable name for the Group. REQUIRED.")
                .required(),
            Attribute::complex(
                "members",
                vec![
                    Attribute::string("value")
                        .description("Identifier of the member of this Group.")
                        .immutable(),
                    Attribute::reference("$ref")
                        .description("The URI corresponding to a SCIM resource that is a member of this Group.")
                        .references(&["User", "Group"])
                        .immutable(),
                    Attribute::string("type")
                        .description("A label indicating the type of resource, e.g., 'User' or 'Group'.")
                        .canonical_only(&["User", "Group"])
                        .immutable(),
                    Attribute::string("display")
                        .description("A human-readable name, primarily used for display purposes.")
                        .immutable(),
                ],
            )
            .multi_valued()
            .description("A list of members of the Group."),
        ],
    )
    .description("Group")
}

/// The Enterprise User extension,
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User` (RFC 7643 §4.3, §8.7.1).
pub fn enterprise_user() -> Schema {
    Schema::new(
        urn::SCHEMA_ENTERPRISE_USER,
        "EnterpriseUser",
        vec![
            Attribute::string("employeeNumber").description(
                "Numeric or alphanumeric identifier assigned to a person, typically based on \
                 order of hire or association with an organization.",
            ),
            Attribute::string("costCenter").description("Identifies the name of a cost center."),
            Attribute::string("organization")
                .description("Identifies the name of an organization."),
            Attribute::string("division").description("Identifies the name of a division."),
            Attribute::string("department").description("Identifies the name of a department."),
            Attribute::complex(
                "manager",
                vec![
                    Attribute::string("value").description(
                        "The id of the SCIM resource representing the User's manager.",
                    ),
                    Attribute::reference("$ref")
                        .description(
                            "The URI of the SCIM resource representing the User's manager.",
                        )
                        .references(&["User"]),
                    Attribute::string("displayName")
                        .description(
                            "The displayName of the User's manager. OPTIONAL and READ-ONLY.",
                        )
                        .read_only(),
                ],
            )
            .description(
                "The User's manager. A complex type that optionally allows service providers to \
                 represent organizational hierarchy by referencing the 'id' attribute of another \
                 User.",
            ),
        ],
    )
    .description("Enterprise User")
}

/// A read-only complex attribute with a required `supported` flag, as used by the service
/// provider configuration.
fn feature(name: &str, description: &str, extra: Vec<Attribute>) -> Attribute {
    let mut subs = vec![
        Attribute::boolean("supported")
            .description("A Boolean value specifying whether or not the operation is supported.")
            .required()
            .read_only(),
    ];
    subs.extend(extra);
    Attribute::complex(name, subs).description(description).required().read_only()
}

/// The Service Provider Configuration schema,
/// `urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig` (RFC 7643 §5, §8.7.2).
pub fn service_provider_config() -> Schema {
    let read_only_int = |name: &str, description: &str| {
        Attribute::integer(name).description(description).required().read_only()
    };
    Schema::new(
        urn::SCHEMA_SERVICE_PROVIDER_CONFIG,
        "Service Provider Configuration",
        vec![
            Attribute::reference("documentationUri")
                .description("An HTTP-addressable URL pointing to the service provider's human-consumable help documentation.")
                .references(&["external"])
                .read_only(),
            feature("patch", "A complex type that specifies PATCH configuration options.", vec![]),
            feature(
                "bulk",
                "A complex type that specifies bulk configuration options.",
                vec![
                    read_only_int("maxOperations", "An integer value specifying the maximum number of operations."),
                    read_only_int("maxPayloadSize", "An integer value specifying the maximum payload size in bytes."),
                ],
            ),
            feature(
                "filter",
                "A complex type that specifies FILTER options.",
                vec![read_only_int(
                    "maxResults",
                    "An integer value specifying the maximum number of resources returned in a response.",
                )],
            ),
            feature("changePassword", "A complex type that specifies configuration options related to changing a password.", vec![]),
            feature("sort", "A complex type that specifies sort result options.", vec![]),
            feature("etag", "A complex type that specifies ETag configuration options.", vec![]),
            Attribute::complex(
                "pagination",
                vec![
                    Attribute::boolean("cursor")
                        .description("Whether cursor-based pagination is supported (RFC 9865).")
                        .required()
                        .read_only(),
                    Attribute::boolean("index")
                        .description("Whether index-based pagination is supported.")
                        .required()
                        .read_only(),
                    Attribute::string("defaultPaginationMethod")
                        .description("The pagination method used when a query names none.")
                        .canonical(&["cursor", "index"])
                        .read_only(),
                    Attribute::integer("defaultPageSize")
                        .description("The number of results in a page when a query gives no count.")
                        .read_only(),
                    Attribute::integer("maxPageSize")
                        .description("The most results in a page, whatever the count of a query.")
                        .read_only(),
                    Attribute::integer("cursorTimeout")
                        .description("The least number of seconds a cursor stays valid between page requests.")
                        .read_only(),
                ],
            )
            .description("A complex type that specifies pagination configuration options (RFC 9865).")
            .read_only(),
            Attribute::complex(
                "authenticationSchemes",
                vec![
                    Attribute::string("type")
                        .description("The authentication scheme.")
                        .canonical(&["oauth", "oauth2", "oauthbearertoken", "httpbasic", "httpdigest"])
                        .required()
                        .read_only(),
                    Attribute::string("name")
                        .description("The common authentication scheme name, e.g., HTTP Basic.")
                        .required()
                        .read_only(),
                    Attribute::string("description")
                        .description("A description of the authentication scheme.")
                        .required()
                        .read_only(),
                    Attribute::reference("specUri")
                        .description("An HTTP-addressable URL pointing to the authentication scheme's specification.")
                        .references(&["external"])
                        .read_only(),
                    Attribute::reference("documentationUri")
                        .description("An HTTP-addressable URL pointing to the authentication scheme's usage documentation.")
                        .references(&["external"])
                        .read_only(),
                    Attribute::boolean("primary")
                        .description("Whether this is the preferred authentication scheme.")
                        .read_only(),
                ],
            )
            .multi_valued()
            .description("A complex type that specifies supported authentication scheme properties.")
            .required()
            .read_only(),
        ],
    )
    .description("Schema for representing the service provider's configuration")
}

/// The Resource Type schema, `urn:ietf:params:scim:schemas:core:2.0:ResourceType`
/// (RFC 7643 §6, §8.7.2).
pub fn resource_type() -> Schema {
    Schema::new(
        urn::SCHEMA_RESOURCE_TYPE,
        "ResourceType",
        vec![
            Attribute::string("id")
                .description("The resource type's server unique id. May be the same as the 'name' attribute.")
                .read_only(),
            Attribute::string("name")
                .description("The resource type name. When applicable, service providers MUST specify the name, e.g., 'User'.")
                .required()
                .read_only(),
            Attribute::string("description")
                .description("The resource type's human-readable description.")
                .read_only(),
            Attribute::reference("endpoint")
                .description("The resource type's HTTP-addressable endpoint relative to the Base URL, e.g., '/Users'.")
                .references(&["uri"])
                .required()
                .read_only(),
            Attribute::reference("schema")
                .description("The resource type's primary/base schema URI.")
                .references(&["uri"])
                .required()
                .case_exact()
                .read_only(),
            Attribute::complex(
                "schemaExtensions",
                vec![
                    Attribute::reference("schema")
                        .description("The URI of a schema extension.")
                        .references(&["uri"])
                        .required()
                        .case_exact()
                        .read_only(),
                    Attribute::boolean("required")
                        .description(
                            "A Boolean value that specifies whether or not the schema extension is \
                             required for the resource type.",
                        )
                        .required()
                        .read_only(),
                ],
            )
            .multi_valued()
            .description("A list of URIs of the resource type's schema extensions.")
            .read_only(),
        ],
    )
    .description("Specifies the schema that describes a SCIM resource type")
}

/// The sub-attributes that describe an attribute in the Schema schema; `nested` adds
/// `subAttributes` (one level, as the RFC does).
fn attribute_definition(nested: bool) -> Vec<Attribute> {
    let mut attrs = vec![
        Attribute::string("name").description("The attribute's name.").required().case_exact().read_only(),
        Attribute::string("type")
            .description("The attribute's data type.")
            .canonical(&["string", "complex", "boolean", "decimal", "integer", "dateTime", "reference", "binary"])
            .required()
            .read_only(),
        Attribute::boolean("multiValued")
            .description("A Boolean value indicating an attribute's plurality.")
            .required()
            .read_only(),
        Attribute::string("description")
            .description("A human-readable description of the attribute.")
            .case_exact()
            .read_only(),
        Attribute::boolean("required")
            .description("A boolean value indicating whether or not the attribute is required.")
            .read_only(),
        Attribute::string("canonicalValues")
            .description("A collection of canonical values.")
            .multi_valued()
            .case_exact()
            .read_only(),
        Attribute::boolean("caseExact")
            .description("A Boolean value indicating whether or not a string attribute is case sensitive.")
            .read_only(),
        Attribute::string("mutability")
            .description("Indicates whether or not an attribute is modifiable.")
            .canonical(&["readOnly", "readWrite", "immutable", "writeOnly"])
            .case_exact()
            .read_only(),
        Attribute::string("returned")
            .description("Indicates when an attribute is returned in a response.")
            .canonical(&["always", "never", "default", "request"])
            .case_exact()
            .read_only(),
        Attribute::string("uniqueness")
            .description("Indicates how unique a value must be.")
            .canonical(&["none", "server", "global"])
            .case_exact()
            .read_only(),
        Attribute::string("referenceTypes")
            .description("Used only with an attribute of type 'reference'. Specifies a SCIM resourceType that a reference attribute MAY refer to.")
            .multi_valued()
            .case_exact()
            .read_only(),
    ];
    if nested {
        attrs.push(
            Attribute::complex("subAttributes", attribute_definition(false))
                .multi_valued()
                .description("Used to define the sub-attributes of a complex attribute.")
                .read_only(),
        );
    }
    attrs
}

/// The schema of schema definitions, `urn:ietf:params:scim:schemas:core:2.0:Schema`
/// (RFC 7643 §7, §8.7.2).
pub fn schema() -> Schema {
    Schema::new(
        urn::SCHEMA_SCHEMA,
        "Schema",
        vec![
            Attribute::string("id").description("The unique URI of the schema.").read_only(),
            Attribute::string("name")
                .description("The schema's human-readable name, e.g., 'User'.")
                .required()
                .read_only(),
            Attribute::string("description")
                .description("The schema's human-readable description.")
                .read_only(),
            Attribute::complex("attributes", attribute_definition(true))
                .multi_valued()
                .description("A complex attribute that includes the attributes of a schema.")
                .required()
                .read_only(),
        ],
    )
    .description("Specifies the schema attributes")
}

/// Every built-in schema: User, Group, Enterprise User, ServiceProviderConfig, ResourceType,
/// Schema.
pub fn all() -> Vec<Schema> {
    vec![user(), group(), enterprise_user(), service_provider_config(), resource_type(), schema()]
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn attr_json(schema: &Schema, name: &str) -> Value {
        serde_json::to_value(schema.attribute(name).unwrap()).unwrap()
    }

    /// Drops descriptions, so tests compare characteristics only.
    fn strip_descriptions(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.remove("description");
                map.values_mut().for_each(strip_descriptions);
            }
            Value::Array(items) => items.iter_mut().for_each(strip_descriptions),
            _ => {}
        }
    }

    fn chars(schema: &Schema, name: &str) -> Value {
        let mut v = attr_json(schema, name);
        strip_descriptions(&mut v);
        v
    }

    fn string(name: &str) -> Value {
        json!({
            "name": name, "type": "string", "multiValued": false, "required": false,
            "caseExact": false, "mutability": "readWrite", "returned": "default", "uniqueness": "none"
        })
    }

    fn boolean(name: &str) -> Value {
        json!({
            "name": name, "type": "boolean", "multiValued": false, "required": false,
            "caseExact": false, "mutability": "readWrite", "returned": "default", "uniqueness": "none"
        })
    }

    #[test]
    fn user_name() {
        let user = user();
        assert_eq!(
            attr_json(&user, "userName"),
            json!({
                "name": "userName",
                "type": "string",
                "multiValued": false,
                "description": "Unique identifier for the User, typically used by the user to directly \
                    authenticate to the service provider. Each User MUST include a non-empty userName \
                    value. This identifier MUST be unique across the service provider's entire set of \
                    Users.",
                "required": true,
                "caseExact": false,
                "mutability": "readWrite",
                "returned": "default",
                "uniqueness": "server"
            })
        );
    }

    #[test]
    fn password() {
        let mut expected = string("password");
        expected["mutability"] = json!("writeOnly");
        expected["returned"] = json!("never");
        assert_eq!(chars(&user(), "password"), expected);
    }

    #[test]
    fn emails() {
        let mut type_ = string("type");
        type_["canonicalValues"] = json!(["work", "home", "other"]);
        assert_eq!(
            chars(&user(), "emails"),
            json!({
                "name": "emails", "type": "complex", "multiValued": true, "required": false,
                "caseExact": false, "mutability": "readWrite", "returned": "default",
                "uniqueness": "none",
                "subAttributes": [string("value"), string("display"), type_, boolean("primary")]
            })
        );
    }

    #[test]
    fn groups_are_read_only() {
        let ro = |mut v: Value| {
            v["mutability"] = json!("readOnly");
            v
        };
        let mut reference = ro(string("$ref"));
        reference["type"] = json!("reference");
        reference["referenceTypes"] = json!(["User", "Group"]);
        let mut type_ = ro(string("type"));
        type_["canonicalValues"] = json!(["direct", "indirect"]);
        assert_eq!(
            chars(&user(), "groups"),
            json!({
                "name": "groups", "type": "complex", "multiValued": true, "required": false,
                "caseExact": false, "mutability": "readOnly", "returned": "default",
                "uniqueness": "none",
                "subAttributes": [ro(string("value")), reference, ro(string("display")), type_]
            })
        );
    }

    #[test]
    fn group_members() {
        let im = |mut v: Value| {
            v["mutability"] = json!("immutable");
            v
        };
        let mut reference = im(string("$ref"));
        reference["type"] = json!("reference");
        reference["referenceTypes"] = json!(["User", "Group"]);
        let mut type_ = im(string("type"));
        type_["canonicalValues"] = json!(["User", "Group"]);
        assert_eq!(
            chars(&group(), "members"),
            json!({
                "name": "members", "type": "complex", "multiValued": true, "required": false,
                "caseExact": false, "mutability": "readWrite", "returned": "default",
                "uniqueness": "none",
                "subAttributes": [im(string("value")), reference, type_, im(string("display"))]
            })
        );
        let mut display_name = string("displayName");
        display_name["required"] = json!(true);
        assert_eq!(chars(&group(), "displayName"), display_name);
    }

    #[test]
    fn enterprise_manager() {
        let mut reference = string("$ref");
        reference["type"] = json!("reference");
        reference["referenceTypes"] = json!(["User"]);
        let mut display_name = string("displayName");
        display_name["mutability"] = json!("readOnly");
        assert_eq!(
            chars(&enterprise_user(), "manager"),
            json!({
                "name": "manager", "type": "complex", "multiValued": false, "required": false,
                "caseExact": false, "mutability": "readWrite", "returned": "default",
                "uniqueness": "none",
                "subAttributes": [string("value"), reference, display_name]
            })
        );
        let names: Vec<_> = enterprise_user().attributes.iter().map(|a| a.name.clone()).collect();
        assert_eq!(
            names,
            ["employeeNumber", "costCenter", "organization", "division", "department", "manager"]
        );
    }

    #[test]
    fn user_attribute_list_is_complete() {
        let names: Vec<_> = user().attributes.iter().map(|a| a.name.clone()).collect();
        assert_eq!(
            names,
            [
                "userName",
                "name",
                "displayName",
                "nickName",
                "profileUrl",
                "title",
                "userType",
                "preferredLanguage",
                "locale",
                "timezone",
                "active",
                "password",
                "emails",
                "phoneNumbers",
                "ims",
                "photos",
                "addresses",
                "groups",
                "entitlements",
                "roles",
                "x509Certificates"
            ]
        );
        let user = user();
        let subs = |name: &str| -> Vec<String> {
            user.attribute(name).unwrap().sub_attributes.iter().map(|a| a.name.clone()).collect()
        };
        assert_eq!(
            subs("name"),
            [
                "formatted",
                "familyName",
                "givenName",
                "middleName",
                "honorificPrefix",
                "honorificSuffix"
            ]
        );
        assert_eq!(
            subs("addresses"),
            [
                "formatted",
                "streetAddress",
                "locality",
                "region",
                "postalCode",
                "country",
                "type",
                "primary"
            ]
        );
        for plural in
            ["emails", "phoneNumbers", "ims", "photos", "entitlements", "roles", "x509Certificates"]
        {
            assert_eq!(subs(plural), ["value", "display", "type", "primary"], "{plural}");
            assert!(user.attribute(plural).unwrap().multi_valued);
        }
        let canon = |name: &str| {
            user.attribute(name).unwrap().sub_attribute("type").unwrap().canonical_values.clone()
        };
        assert_eq!(canon("phoneNumbers"), ["work", "home", "mobile", "fax", "pager", "other"]);
        assert_eq!(canon("ims"), ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]);
        assert_eq!(canon("photos"), ["photo", "thumbnail"]);
        assert!(canon("roles").is_empty());
        let photo_value = user.attribute("photos").unwrap().sub_attribute("value").unwrap();
        assert_eq!(photo_value.attr_type, crate::AttributeType::Reference);
        assert_eq!(photo_value.reference_types, ["external"]);
        let cert = user.attribute("x509Certificates").unwrap().sub_attribute("value").unwrap();
        assert_eq!(cert.attr_type, crate::AttributeType::Binary);
        assert_eq!(chars(&user, "active"), boolean("active"));
        let mut profile = string("profileUrl");
        profile["type"] = json!("reference");
        profile["referenceTypes"] = json!(["external"]);
        assert_eq!(chars(&user, "profileUrl"), profile);
    }

    #[test]
    fn common_attributes_characteristics() {
        let common = common_attributes();
        let mut v = serde_json::to_value(&common).unwrap();
        strip_descriptions(&mut v);
        assert_eq!(
            v[0],
            json!({
                "name": "id", "type": "string", "multiValued": false, "required": false,
                "caseExact": true, "mutability": "readOnly", "returned": "always", "uniqueness": "server"
            })
        );
        let mut external = string("externalId");
        external["caseExact"] = json!(true);
        assert_eq!(v[1], external);
        let meta = &common[2];
        assert_eq!(meta.mutability, crate::Mutability::ReadOnly);
        for sub in &meta.sub_attributes {
            assert_eq!(sub.mutability, crate::Mutability::ReadOnly, "{}", sub.name);
        }
        let types: Vec<_> =
            meta.sub_attributes.iter().map(|a| (a.name.as_str(), a.attr_type.as_str())).collect();
        assert_eq!(
            types,
            [
                ("resourceType", "string"),
                ("created", "dateTime"),
                ("lastModified", "dateTime"),
                ("location", "reference"),
                ("version", "string")
            ]
        );
    }

    #[test]
    fn discovery_schemas() {
        let spc = service_provider_config();
        for name in
            ["patch", "bulk", "filter", "changePassword", "sort", "etag", "authenticationSchemes"]
        {
            let attr = spc.attribute(name).unwrap();
            assert!(attr.required, "{name}");
            assert_eq!(attr.mutability, crate::Mutability::ReadOnly, "{name}");
        }
        assert_eq!(
            spc.attribute("filter").unwrap().sub_attribute("maxResults").unwrap().attr_type,
            crate::AttributeType::Integer
        );
        // RFC 9865 §4: optional, with two required booleans.
        let pagination = spc.attribute("pagination").unwrap();
        assert!(!pagination.required);
        for (name, required) in [("cursor", true), ("index", true), ("cursorTimeout", false)] {
            assert_eq!(pagination.sub_attribute(name).unwrap().required, required, "{name}");
        }
        let rt = resource_type();
        let ext = rt.attribute("schemaExtensions").unwrap();
        assert!(ext.multi_valued);
        assert!(ext.sub_attribute("required").unwrap().required);
        let sc = schema();
        let attrs = sc.attribute("attributes").unwrap();
        let subs = attrs.sub_attribute("subAttributes").unwrap();
        assert!(subs.sub_attribute("subAttributes").is_none());
        assert_eq!(subs.sub_attributes.len() + 1, attrs.sub_attributes.len());
        let ids: Vec<_> = all().into_iter().map(|s| s.id).collect();
        assert_eq!(
            ids,
            [
                urn::SCHEMA_USER,
                urn::SCHEMA_GROUP,
                urn::SCHEMA_ENTERPRISE_USER,
                urn::SCHEMA_SERVICE_PROVIDER_CONFIG,
                urn::SCHEMA_RESOURCE_TYPE,
                urn::SCHEMA_SCHEMA
            ]
        );
    }
}
