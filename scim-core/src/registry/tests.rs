use serde_json::json;

use scimkit_filter::{AttrInfo, AttrName, AttrPath, AttrType, FilterSchema, SchemaUri};

use super::*;
use crate::{AttributeType, Mutability};

const ACME: &str = "urn:example:params:scim:schemas:extension:acme:2.0:User";
const DEVICE: &str = "urn:example:params:scim:schemas:core:2.0:Device";

fn acme() -> Schema {
    Schema::new(
        ACME,
        "AcmeUser",
        vec![
            Attribute::string("badgeNumber").case_exact().unique_server(),
            // Also defined by the enterprise extension: extension order decides.
            Attribute::string("department").case_exact(),
            Attribute::complex(
                "clearance",
                vec![Attribute::integer("level"), Attribute::date_time("expires")],
            ),
        ],
    )
}

fn device() -> Schema {
    Schema::new(
        DEVICE,
        "Device",
        vec![
            Attribute::string("serialNumber").required().case_exact().unique_server(),
            Attribute::string("model"),
            Attribute::boolean("enrolled"),
            Attribute::complex(
                "owners",
                vec![
                    Attribute::string("value"),
                    Attribute::reference("$ref").references(&["User"]),
                ],
            )
            .multi_valued(),
        ],
    )
}

fn custom() -> Registry {
    let mut registry = Registry::standard();
    registry.add_schema(acme()).unwrap();
    registry.add_extension("User", SchemaExtension::optional(ACME)).unwrap();
    registry.add_schema(device()).unwrap();
    registry
        .add_resource_type(ResourceType::new("Device", "/Devices", DEVICE).description("A device"))
        .unwrap();
    registry
}

fn path(schema: Option<&str>, name: &str, sub: Option<&str>) -> AttrPath {
    let mut p = AttrPath::new(AttrName::new(name).unwrap());
    if let Some(s) = schema {
        p = p.with_schema(SchemaUri::new(s).unwrap());
    }
    if let Some(s) = sub {
        p = p.with_sub_attr(AttrName::new(s).unwrap());
    }
    p
}

#[test]
fn standard_registry() {
    let registry = Registry::standard();
    let ids: Vec<_> = registry.schemas().iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, [urn::SCHEMA_USER, urn::SCHEMA_GROUP, urn::SCHEMA_ENTERPRISE_USER]);
    let names: Vec<_> = registry.resource_types().iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["User", "Group"]);
    let user = registry.resource_type("User").unwrap();
    assert_eq!(user.schema_extensions, [SchemaExtension::optional(urn::SCHEMA_ENTERPRISE_USER)]);
    assert!(registry.resource_type("Group").unwrap().schema_extensions.is_empty());
    assert!(Registry::new().schemas().is_empty());
    assert!(Registry::default().resource_types().is_empty());
    assert_eq!(Registry::default().common_attributes().len(), 3);
}

#[test]
fn case_insensitive_lookups() {
    let registry = Registry::standard();
    assert!(registry.schema("URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER").is_some());
    assert!(registry.schema("urn:ietf:params:scim:schemas:core:2.0:Users").is_none());
    assert_eq!(registry.resource_type("uSeR").unwrap().name, "User");
    assert_eq!(registry.resource_type_by_endpoint("/GROUPS").unwrap().name, "Group");
    assert_eq!(registry.resource_type_by_endpoint("groups").unwrap().name, "Group");
    assert!(registry.resource_type_by_endpoint("/Group").is_none());
    assert!(registry.resource_type_schema("group").is_some());
    assert!(registry.resource_type_schema("Device").is_none());

    let users = registry.resource_type_schema("User").unwrap();
    let r = users
        .resolve(Some("URN:ietf:params:scim:schemas:core:2.0:user"), "USERNAME", None)
        .unwrap();
    assert_eq!(r.attribute.name, "userName");
    assert_eq!(r.schema, urn::SCHEMA_USER);
    let r = users.resolve(None, "NAME", Some("FAMILYNAME")).unwrap();
    assert_eq!(r.target().name, "familyName");
}

#[test]
fn resolution_without_urn() {
    let registry = Registry::standard();
    let users = registry.resource_type_schema("User").unwrap();

    let id = users.resolve(None, "id", None).unwrap();
    assert_eq!(id.origin, AttributeOrigin::Common);
    assert_eq!(id.schema, urn::SCHEMA_USER);
    let modified = users.resolve(None, "meta", Some("lastModified")).unwrap();
    assert_eq!(modified.origin, AttributeOrigin::Common);
    assert_eq!(modified.target().attr_type, AttributeType::DateTime);
    assert_eq!(modified.target().mutability, Mutability::ReadOnly);

    let user_name = users.resolve(None, "userName", None).unwrap();
    assert_eq!(user_name.origin, AttributeOrigin::Core);
    assert!(user_name.sub_attribute.is_none());
    assert!(!user_name.is_extension());

    let department = users.resolve(None, "department", None).unwrap();
    assert_eq!(department.origin, AttributeOrigin::Extension);
    assert_eq!(department.schema, urn::SCHEMA_ENTERPRISE_USER);

    let value = users.resolve(None, "emails", Some("value")).unwrap();
    assert_eq!(value.attribute.name, "emails");
    assert_eq!(value.sub_attribute.unwrap().name, "value");

    // Unknown attribute, unknown sub-attribute, sub-attribute of a simple attribute.
    assert!(users.resolve(None, "shoeSize", None).is_none());
    assert!(users.resolve(None, "name", Some("nickName")).is_none());
    assert!(users.resolve(None, "userName", Some("value")).is_none());
    // Group attributes are not User attributes.
    assert!(users.resolve(None, "members", None).is_none());
}

#[test]
fn resolution_with_urn() {
    let registry = Registry::standard();
    let users = registry.resource_type_schema("User").unwrap();

    let r =
        users.resolve(Some(urn::SCHEMA_ENTERPRISE_USER), "manager", Some("displayName")).unwrap();
    assert_eq!(r.origin, AttributeOrigin::Extension);
    assert_eq!(r.target().mutability, Mutability::ReadOnly);
    // A URN prefix looks only in that schema.
    assert!(users.resolve(Some(urn::SCHEMA_ENTERPRISE_USER), "userName", None).is_none());
    assert!(users.resolve(Some(urn::SCHEMA_USER), "department", None).is_none());
    // The core URN also reaches the common attributes.
    assert_eq!(
        users.resolve(Some(urn::SCHEMA_USER), "id", None).unwrap().origin,
        AttributeOrigin::Common
    );
    // A schema that is not one of this type's.
    assert!(users.resolve(Some(urn::SCHEMA_GROUP), "displayName", None).is_none());
    assert!(users.resolve(Some("urn:example:nope"), "userName", None).is_none());
    let groups = registry.resource_type_schema("Group").unwrap();
    assert!(groups.resolve(Some(urn::SCHEMA_ENTERPRISE_USER), "department", None).is_none());
    assert!(groups.resolve(None, "department", None).is_none());
}

#[test]
fn resolution_of_parsed_paths() {
    let registry = Registry::standard();
    let users = registry.resource_type_schema("User").unwrap();
    let enterprise = registry.schema(urn::SCHEMA_ENTERPRISE_USER).unwrap();

    // `urn:…:enterprise:2.0:User` as the attribute-path grammar splits it.
    let bare = path(Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0"), "User", None);
    assert_eq!(users.resolve_path(&bare), Some(ResolvedPath::Extension(enterprise)));
    let bare = path(Some("URN:ietf:params:scim:schemas:extension:ENTERPRISE:2.0"), "user", None);
    assert_eq!(users.resolve_path(&bare), Some(ResolvedPath::Extension(enterprise)));

    let p = path(Some(urn::SCHEMA_ENTERPRISE_USER), "manager", Some("value"));
    let Some(ResolvedPath::Attribute(r)) = users.resolve_path(&p) else { panic!("unresolved") };
    assert_eq!(r.target().name, "value");
    assert_eq!(r.schema, urn::SCHEMA_ENTERPRISE_USER);

    let p = path(None, "emails", Some("type"));
    let Some(ResolvedPath::Attribute(r)) = users.resolve_path(&p) else { panic!("unresolved") };
    assert_eq!(r.target().canonical_values, ["work", "home", "other"]);

    assert!(users.resolve_path(&path(None, "nope", None)).is_none());
    // The core URN is not an extension.
    let core = path(Some("urn:ietf:params:scim:schemas:core:2.0"), "User", None);
    assert!(users.resolve_path(&core).is_none());
}

#[test]
fn resolution_of_text_paths() {
    let registry = Registry::standard();
    let users = registry.resource_type_schema("User").unwrap();
    let attr = |text: &str| match users.resolve_str(text) {
        Some(ResolvedPath::Attribute(r)) => Some(r),
        _ => None,
    };
    assert_eq!(attr("userName").unwrap().attribute.name, "userName");
    assert_eq!(attr("name.givenName").unwrap().target().name, "givenName");
    let dept =
        attr("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department").unwrap();
    assert_eq!(dept.schema, urn::SCHEMA_ENTERPRISE_USER);
    let manager =
        attr("URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:manager.value").unwrap();
    assert_eq!(manager.target().name, "value");
    assert_eq!(
        attr("urn:ietf:params:scim:schemas:core:2.0:User:name.familyName").unwrap().target().name,
        "familyName"
    );
    assert!(matches!(
        users.resolve_str("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"),
        Some(ResolvedPath::Extension(s)) if s.id == urn::SCHEMA_ENTERPRISE_USER
    ));
    assert!(
        users
            .resolve_str("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:userName")
            .is_none()
    );
    assert!(users.resolve_str("urn:example:other:department").is_none());
    assert!(users.resolve_str("name.nope").is_none());
    assert!(users.resolve_str("").is_none());
    assert!(users.resolve_str("é:x").is_none());
}

#[test]
fn extension_order_decides() {
    let mut registry = Registry::standard();
    registry.add_schema(acme()).unwrap();
    registry.add_extension("User", SchemaExtension::optional(ACME)).unwrap();
    let users = registry.resource_type_schema("User").unwrap();
    let schemas: Vec<_> = users.schemas().map(|s| s.id.as_str()).collect();
    assert_eq!(schemas, [urn::SCHEMA_USER, urn::SCHEMA_ENTERPRISE_USER, ACME]);
    // `department` is in both extensions: the first one wins without a prefix.
    assert_eq!(
        users.resolve(None, "department", None).unwrap().schema,
        urn::SCHEMA_ENTERPRISE_USER
    );
    assert_eq!(users.resolve(Some(ACME), "department", None).unwrap().schema, ACME);
    assert!(users.resolve(Some(ACME), "department", None).unwrap().attribute.case_exact);

    // The other order.
    let mut registry = Registry::new();
    for schema in [crate::builtin::user(), crate::builtin::enterprise_user(), acme()] {
        registry.add_schema(schema).unwrap();
    }
    registry
        .add_resource_type(
            ResourceType::new("User", "/Users", urn::SCHEMA_USER)
                .extension(SchemaExtension::required(ACME))
                .extension(SchemaExtension::optional(urn::SCHEMA_ENTERPRISE_USER)),
        )
        .unwrap();
    let users = registry.resource_type_schema("User").unwrap();
    assert_eq!(users.resolve(None, "department", None).unwrap().schema, ACME);
}

#[test]
fn custom_extension_and_resource_type() {
    let registry = custom();
    let users = registry.resource_type_schema("User").unwrap();
    let badge = users.resolve(None, "badgeNumber", None).unwrap();
    assert_eq!(badge.schema, ACME);
    assert!(badge.is_extension());
    let level = users.resolve(Some(ACME), "clearance", Some("level")).unwrap();
    assert_eq!(level.target().attr_type, AttributeType::Integer);
    assert_eq!(
        users.attribute(Some(ACME), "clearance", Some("expires")),
        Some(AttrInfo::new(AttrType::DateTime, false, false))
    );
    let bare = path(Some("urn:example:params:scim:schemas:extension:acme:2.0"), "User", None);
    assert!(matches!(users.resolve_path(&bare), Some(ResolvedPath::Extension(s)) if s.id == ACME));

    let devices = registry.resource_type_schema("device").unwrap();
    assert_eq!(registry.resource_type_by_endpoint("/devices").unwrap().name, "Device");
    assert_eq!(devices.core().id, DEVICE);
    assert_eq!(devices.extensions().count(), 0);
    let serial = devices.resolve(None, "serialNumber", None).unwrap();
    assert_eq!(serial.origin, AttributeOrigin::Core);
    assert!(serial.attribute.required);
    assert_eq!(devices.resolve(None, "id", None).unwrap().origin, AttributeOrigin::Common);
    assert!(devices.resolve(None, "userName", None).is_none());
    assert_eq!(
        devices.attribute(None, "SERIALNUMBER", None),
        Some(AttrInfo::new(AttrType::String, false, true))
    );
    assert_eq!(
        devices.attribute(None, "enrolled", None),
        Some(AttrInfo::new(AttrType::Boolean, false, false))
    );
    assert_eq!(
        devices.attribute(None, "owners", None),
        Some(AttrInfo::new(AttrType::Complex, true, false))
    );
    assert_eq!(
        devices.attribute(None, "owners", Some("$ref")),
        Some(AttrInfo::new(AttrType::Reference, false, false))
    );
    assert_eq!(
        devices.attribute(Some(DEVICE), "model", None),
        Some(AttrInfo::new(AttrType::String, false, false))
    );
    assert_eq!(devices.attribute(Some(ACME), "badgeNumber", None), None);
}

#[test]
fn filter_hook_answers() {
    let registry = Registry::standard();
    let users = registry.resource_type_schema("User").unwrap();
    let info =
        |schema: Option<&str>, name: &str, sub: Option<&str>| users.attribute(schema, name, sub);
    assert_eq!(info(None, "userName", None), Some(AttrInfo::new(AttrType::String, false, false)));
    assert_eq!(info(None, "id", None), Some(AttrInfo::new(AttrType::String, false, true)));
    assert_eq!(info(None, "externalId", None), Some(AttrInfo::new(AttrType::String, false, true)));
    assert_eq!(info(None, "active", None), Some(AttrInfo::new(AttrType::Boolean, false, false)));
    assert_eq!(info(None, "emails", None), Some(AttrInfo::new(AttrType::Complex, true, false)));
    assert_eq!(
        info(None, "emails", Some("primary")),
        Some(AttrInfo::new(AttrType::Boolean, false, false))
    );
    assert_eq!(
        info(None, "meta", Some("created")),
        Some(AttrInfo::new(AttrType::DateTime, false, false))
    );
    assert_eq!(
        info(None, "meta", Some("version")),
        Some(AttrInfo::new(AttrType::String, false, true))
    );
    assert_eq!(
        info(None, "x509Certificates", Some("value")),
        Some(AttrInfo::new(AttrType::Binary, false, false))
    );
    assert_eq!(
        info(Some(urn::SCHEMA_ENTERPRISE_USER), "manager", Some("$ref")),
        Some(AttrInfo::new(AttrType::Reference, false, false))
    );
    assert_eq!(info(None, "unknown", None), None);
    assert_eq!(info(None, "emails", Some("unknown")), None);

    let groups = registry.resource_type_schema("Group").unwrap();
    assert_eq!(
        groups.attribute(None, "members", Some("value")),
        Some(AttrInfo::new(AttrType::String, false, false))
    );
    // Usable as a trait object.
    let hook: &dyn FilterSchema = &groups;
    assert!(hook.attribute(None, "displayName", None).is_some());
}

#[test]
fn registration_errors() {
    let mut registry = Registry::standard();
    assert_eq!(
        registry.add_schema(Schema::new(urn::SCHEMA_USER.to_uppercase(), "User", vec![])),
        Err(RegistryError::DuplicateSchema { urn: urn::SCHEMA_USER.to_uppercase() })
    );
    assert_eq!(
        registry.add_extension("User", SchemaExtension::optional(ACME)),
        Err(RegistryError::UnknownSchema { urn: ACME.to_owned() })
    );
    assert_eq!(
        registry.add_resource_type(ResourceType::new("Device", "/Devices", DEVICE)),
        Err(RegistryError::UnknownSchema { urn: DEVICE.to_owned() })
    );
    registry.add_schema(device()).unwrap();
    assert_eq!(
        registry.add_resource_type(
            ResourceType::new("Device", "/Devices", DEVICE)
                .extension(SchemaExtension::optional(ACME))
        ),
        Err(RegistryError::UnknownSchema { urn: ACME.to_owned() })
    );
    assert_eq!(
        registry.add_resource_type(ResourceType::new("user", "/People", DEVICE)),
        Err(RegistryError::DuplicateResourceType { name: "user".to_owned() })
    );
    assert_eq!(
        registry.add_resource_type(ResourceType::new("Person", "users", DEVICE)),
        Err(RegistryError::DuplicateEndpoint { endpoint: "users".to_owned() })
    );
    assert_eq!(
        registry.add_resource_type(
            ResourceType::new("Device", "/Devices", DEVICE)
                .extension(SchemaExtension::optional(DEVICE))
        ),
        Err(RegistryError::DuplicateExtension {
            resource_type: "Device".to_owned(),
            urn: DEVICE.to_owned()
        })
    );
    assert_eq!(
        registry.add_extension("Gadget", SchemaExtension::optional(DEVICE)),
        Err(RegistryError::UnknownResourceType { name: "Gadget".to_owned() })
    );
    assert_eq!(
        registry.add_extension("User", SchemaExtension::optional(urn::SCHEMA_ENTERPRISE_USER)),
        Err(RegistryError::DuplicateExtension {
            resource_type: "User".to_owned(),
            urn: urn::SCHEMA_ENTERPRISE_USER.to_owned()
        })
    );
    assert_eq!(
        registry.add_extension("User", SchemaExtension::optional(urn::SCHEMA_USER)),
        Err(RegistryError::DuplicateExtension {
            resource_type: "User".to_owned(),
            urn: urn::SCHEMA_USER.to_owned()
        })
    );
    // Failed registrations change nothing.
    assert_eq!(registry.resource_types().len(), 2);
    assert_eq!(registry.resource_type("User").unwrap().schema_extensions.len(), 1);
    let err = RegistryError::UnknownSchema { urn: "urn:x:y".to_owned() };
    assert_eq!(err.to_string(), "no schema with the URN \"urn:x:y\" is registered");
}

#[test]
fn resource_type_round_trips() {
    let registry = custom();
    for rt in registry.resource_types() {
        let json = serde_json::to_value(rt).unwrap();
        assert_eq!(&serde_json::from_value::<ResourceType>(json).unwrap(), rt);
        assert_eq!(
            &serde_json::from_value::<ResourceType>(rt.to_json(Some("https://h"))).unwrap(),
            rt
        );
    }
    // RFC 7643 §8.6, User resource type.
    let rfc = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "User Account",
        "schema": "urn:ietf:params:scim:schemas:core:2.0:User",
        "schemaExtensions": [{
            "schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            "required": true
        }],
        "meta": {
            "location": "https://example.com/v2/ResourceTypes/User",
            "resourceType": "ResourceType"
        }
    });
    let user: ResourceType = serde_json::from_value(rfc.clone()).unwrap();
    assert_eq!(user.schema_extensions, [SchemaExtension::required(urn::SCHEMA_ENTERPRISE_USER)]);
    assert_eq!(user.to_json(Some("https://example.com/v2/")), rfc);

    // `id` defaults to `name`; no extensions means no `schemaExtensions` member.
    let group: ResourceType = serde_json::from_value(json!({
        "name": "Group", "endpoint": "/Groups", "schema": urn::SCHEMA_GROUP
    }))
    .unwrap();
    assert_eq!(group, ResourceType::new("Group", "/Groups", urn::SCHEMA_GROUP));
    assert_eq!(
        serde_json::to_value(&group).unwrap(),
        json!({ "id": "Group", "name": "Group", "endpoint": "/Groups", "schema": urn::SCHEMA_GROUP })
    );
}
