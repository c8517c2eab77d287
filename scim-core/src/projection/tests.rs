use serde_json::{Value, json};

use super::*;
use crate::compat::Compatibility;
use crate::normalize::normalize_resource;
use crate::registry::{Registry, SchemaExtension};

const USER_FULL: &str = include_str!("../../tests/fixtures/rfc7643/user_full.json");
const ENTERPRISE_USER: &str = include_str!("../../tests/fixtures/rfc7643/enterprise_user.json");
const GROUP: &str = include_str!("../../tests/fixtures/rfc7643/group.json");

const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A fixture as a store holds it: normalised, with the read-only `id`, `meta` and `groups` the
/// service adds put back.
fn stored(registry: &Registry, resource_type: &str, fixture: &str) -> JsonObject {
    let raw: Value = serde_json::from_str(fixture).unwrap();
    let schema = registry.resource_type_schema(resource_type).unwrap();
    let mut out = normalize_resource(&schema, raw.clone(), &Compatibility::default()).unwrap();
    for key in ["id", "meta", "groups"] {
        if let Some(value) = raw.get(key) {
            out.insert(key.to_owned(), value.clone());
        }
    }
    out
}

fn project(
    registry: &Registry,
    resource_type: &str,
    resource: &JsonObject,
    attributes: &[&str],
    excluded: &[&str],
) -> Value {
    let schema = registry.resource_type_schema(resource_type).unwrap();
    let attributes: Vec<String> = attributes.iter().map(|s| (*s).to_owned()).collect();
    let excluded: Vec<String> = excluded.iter().map(|s| (*s).to_owned()).collect();
    let projection = Projection::new(&schema, &attributes, &excluded).unwrap();
    Value::Object(projection.apply(resource))
}

fn users(resource: &JsonObject, attributes: &[&str], excluded: &[&str]) -> Value {
    project(&Registry::standard(), "User", resource, attributes, excluded)
}

fn without(resource: &JsonObject, keys: &[&str]) -> Value {
    let mut out = resource.clone();
    for key in keys {
        out.remove(*key);
    }
    Value::Object(out)
}

#[test]
fn fixtures_are_stored_with_password_id_and_meta() {
    let registry = Registry::standard();
    let user = stored(&registry, "User", USER_FULL);
    assert_eq!(user["password"], "t1meMa$heen");
    assert_eq!(user["id"], "2819c223-7f76-453a-919d-413861904646");
    assert!(user.contains_key("meta") && user.contains_key("groups"));
}

#[test]
fn default_view_is_everything_but_the_password() {
    let registry = Registry::standard();
    for fixture in [USER_FULL, ENTERPRISE_USER] {
        let user = stored(&registry, "User", fixture);
        let schema = registry.resource_type_schema("User").unwrap();
        let out = Value::Object(Projection::default_view(&schema).apply(&user));
        assert_eq!(out, without(&user, &["password"]));
        // Empty lists are the default view too.
        assert_eq!(users(&user, &[], &[]), out);
        assert_eq!(users(&user, &[" "], &[""]), out);
    }
}

#[test]
fn attributes_user_name() {
    let user = stored(&Registry::standard(), "User", ENTERPRISE_USER);
    assert_eq!(
        users(&user, &["userName"], &[]),
        json!({
            "schemas": [CORE, ENTERPRISE],
            "id": "2819c223-7f76-453a-919d-413861904646",
            "userName": "bjensen@example.com"
        })
    );
}

#[test]
fn attributes_sub_attributes() {
    let user = stored(&Registry::standard(), "User", USER_FULL);
    assert_eq!(
        users(&user, &["name.givenName", "emails.value"], &[]),
        json!({
            "schemas": [CORE],
            "id": "2819c223-7f76-453a-919d-413861904646",
            "name": { "givenName": "Barbara" },
            "emails": [{ "value": "bjensen@example.com" }, { "value": "babs@jensen.org" }]
        })
    );
}

#[test]
fn attributes_extension_attribute() {
    let user = stored(&Registry::standard(), "User", ENTERPRISE_USER);
    let expected = json!({
        "schemas": [CORE, ENTERPRISE],
        "id": "2819c223-7f76-453a-919d-413861904646",
        ENTERPRISE: { "department": "Tour Operations" }
    });
    assert_eq!(users(&user, &[&format!("{ENTERPRISE}:department")], &[]), expected);
    // Without the URN, the name is looked up in the extensions too.
    assert_eq!(users(&user, &["department"], &[]), expected);
    assert_eq!(
        users(&user, &[&format!("{ENTERPRISE}:manager.value")], &[]),
        json!({
            "schemas": [CORE, ENTERPRISE],
            "id": "2819c223-7f76-453a-919d-413861904646",
            ENTERPRISE: { "manager": { "value": "26118915-6090-4610-87e4-49d8ca9f808d" } }
        })
    );
}

#[test]
fn attributes_bare_extension_urn_lists_all_of_it() {
    let user = stored(&Registry::standard(), "User", ENTERPRISE_USER);
    assert_eq!(
        users(&user, &[ENTERPRISE], &[]),
        json!({
            "schemas": [CORE, ENTERPRISE],
            "id": "2819c223-7f76-453a-919d-413861904646",
            ENTERPRISE: user[ENTERPRISE]
        })
    );
    assert_eq!(users(&user, &[], &[ENTERPRISE]), without(&user, &["password", ENTERPRISE]));
}

#[test]
fn extension_object_only_when_something_remains() {
    let registry = Registry::standard();
    let users_schema = registry.resource_type_schema("User").unwrap();
    let body = json!({ "userName": "ann", ENTERPRISE: { "department": "Sales" } });
    let mut user = normalize_resource(&users_schema, body, &Compatibility::default()).unwrap();
    user.insert("id".to_owned(), json!("1"));
    // The user has no manager: no empty extension object.
    assert_eq!(
        users(&user, &[&format!("{ENTERPRISE}:manager.value")], &[]),
        json!({ "schemas": [CORE, ENTERPRISE], "id": "1" })
    );
    // Excluding the only extension attribute leaves no extension object; `schemas` is as stored.
    assert_eq!(
        users(&user, &[], &["department"]),
        json!({ "schemas": [CORE, ENTERPRISE], "id": "1", "userName": "ann" })
    );
}

#[test]
fn meta_sub_attribute() {
    let user = stored(&Registry::standard(), "User", USER_FULL);
    assert_eq!(
        users(&user, &["meta.lastModified"], &[]),
        json!({
            "schemas": [CORE],
            "id": "2819c223-7f76-453a-919d-413861904646",
            "meta": { "lastModified": "2011-05-13T04:42:34Z" }
        })
    );
}

#[test]
fn password_is_never_returned() {
    let user = stored(&Registry::standard(), "User", USER_FULL);
    let out = users(&user, &["password"], &[]);
    assert_eq!(out, json!({ "schemas": [CORE], "id": "2819c223-7f76-453a-919d-413861904646" }));
    let out = users(&user, &["password", "userName", "PASSWORD"], &[]);
    assert!(out.get("password").is_none());
    assert_eq!(out["userName"], "bjensen@example.com");
}

#[test]
fn excluded_attributes() {
    let user = stored(&Registry::standard(), "User", USER_FULL);
    assert_eq!(
        users(&user, &[], &["emails", "meta"]),
        without(&user, &["password", "emails", "meta"])
    );
    let out = users(&user, &[], &["name.familyName", "emails.type"]);
    assert_eq!(out["name"].get("familyName"), None);
    assert_eq!(out["name"]["givenName"], "Barbara");
    assert_eq!(
        out["emails"],
        json!([{ "value": "bjensen@example.com", "primary": true }, { "value": "babs@jensen.org" }])
    );
}

#[test]
fn excluded_id_is_still_returned() {
    let user = stored(&Registry::standard(), "User", USER_FULL);
    assert_eq!(users(&user, &[], &["id"]), without(&user, &["password"]));
    assert_eq!(users(&user, &[], &["schemas", "id"]), without(&user, &["password"]));
}

#[test]
fn group_excluded_members() {
    let registry = Registry::standard();
    let group = stored(&registry, "Group", GROUP);
    assert!(group.contains_key("members"));
    assert_eq!(
        project(&registry, "Group", &group, &[], &["members"]),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
            "displayName": "Tour Guides",
            "meta": group["meta"]
        })
    );
    let out = project(&registry, "Group", &group, &["members.value"], &[]);
    assert_eq!(
        out["members"],
        json!([
            { "value": "2819c223-7f76-453a-919d-413861904646" },
            { "value": "902c246b-6245-4190-8e05-00816be7344a" }
        ])
    );
}

#[test]
fn names_match_case_insensitively() {
    let user = stored(&Registry::standard(), "User", ENTERPRISE_USER);
    let upper_ext = ENTERPRISE.to_ascii_uppercase();
    assert_eq!(
        users(
            &user,
            &["USERNAME", "Name.GIVENNAME", &format!("{upper_ext}:Manager.Value"), "META.created"],
            &[]
        ),
        json!({
            "schemas": [CORE, ENTERPRISE],
            "id": "2819c223-7f76-453a-919d-413861904646",
            "userName": "bjensen@example.com",
            "name": { "givenName": "Barbara" },
            ENTERPRISE: { "manager": { "value": "26118915-6090-4610-87e4-49d8ca9f808d" } },
            "meta": { "created": "2010-01-23T04:56:22Z" }
        })
    );
    assert_eq!(
        users(&user, &[&format!("{}:userName", CORE.to_ascii_uppercase())], &[]),
        users(&user, &["userName"], &[])
    );
    assert_eq!(users(&user, &[], &["EMAILS", "Meta"]), users(&user, &[], &["emails", "meta"]));
}

#[test]
fn attributes_win_over_excluded_attributes() {
    let user = stored(&Registry::standard(), "User", USER_FULL);
    assert_eq!(users(&user, &["userName"], &["userName"]), users(&user, &["userName"], &[]));
}

#[test]
fn unknown_attributes_are_ignored_and_malformed_ones_rejected() {
    let user = stored(&Registry::standard(), "User", USER_FULL);
    assert_eq!(
        users(&user, &["nonsense", "name.nonsense", "urn:example:unknown:x", "userName"], &[]),
        users(&user, &["userName"], &[])
    );
    assert_eq!(users(&user, &[], &["nonsense"]), without(&user, &["password"]));

    let registry = Registry::standard();
    let schema = registry.resource_type_schema("User").unwrap();
    for bad in ["emails[type eq \"work\"]", "name..givenName", "a b"] {
        let err = Projection::new(&schema, &[bad.to_owned()], &[]).unwrap_err();
        assert!(matches!(err, Error::InvalidValue { .. }), "{bad}: {err}");
    }
}

#[test]
fn nulls_and_unknown_members_are_not_output() {
    let user = json!({
        "schemas": [CORE], "id": "1", "userName": "ann", "nickName": null,
        "name": { "givenName": "Ann", "familyName": null },
        "emails": [null, { "value": "a@example.com", "type": null }],
        "phoneNumbers": [{ "type": null }],
        "notInTheSchema": "x"
    });
    let user = user.as_object().unwrap().clone();
    let expected = json!({
        "schemas": [CORE], "id": "1", "userName": "ann", "name": { "givenName": "Ann" },
        "emails": [{ "value": "a@example.com" }]
    });
    assert_eq!(users(&user, &[], &[]), expected);
    assert_eq!(
        users(&user, &["emails.value", "phoneNumbers.type", "nickName"], &[]),
        json!({ "schemas": [CORE], "id": "1", "emails": [{ "value": "a@example.com" }] })
    );
}

/// A registry whose User has an extension with `returned: request` and `returned: never`
/// attributes and sub-attributes.
fn custom_registry() -> Registry {
    const ACME: &str = "urn:example:params:scim:schemas:extension:acme:2.0:User";
    let mut registry = Registry::standard();
    registry
        .add_schema(Schema::new(
            ACME,
            "AcmeUser",
            vec![
                Attribute::string("badge"),
                Attribute::string("photoBlob").returned(Returned::Request),
                Attribute::string("pin").returned(Returned::Never),
                Attribute::complex(
                    "token",
                    vec![
                        Attribute::string("kind"),
                        Attribute::string("secret").returned(Returned::Never),
                        Attribute::string("history").returned(Returned::Request),
                        Attribute::string("serial").returned(Returned::Always),
                    ],
                ),
            ],
        ))
        .unwrap();
    registry.add_extension("User", SchemaExtension::optional(ACME)).unwrap();
    registry
}

#[test]
fn returned_request_and_never_in_a_custom_schema() {
    const ACME: &str = "urn:example:params:scim:schemas:extension:acme:2.0:User";
    let registry = custom_registry();
    let user = json!({
        "schemas": [CORE, ACME], "id": "1", "userName": "ann",
        ACME: {
            "badge": "B-1", "photoBlob": "AAAA", "pin": "1234",
            "token": { "kind": "hw", "secret": "s", "history": "h", "serial": "42" }
        }
    });
    let user = user.as_object().unwrap().clone();
    let p = |attributes: &[&str], excluded: &[&str]| {
        project(&registry, "User", &user, attributes, excluded)
    };

    // Default view: neither request nor never attributes.
    let default = json!({
        "schemas": [CORE, ACME], "id": "1", "userName": "ann",
        ACME: { "badge": "B-1", "token": { "kind": "hw", "serial": "42" } }
    });
    assert_eq!(p(&[], &[]), default);
    // Excluding other attributes does not bring request attributes in.
    assert_eq!(p(&[], &["userName"])[ACME], default[ACME]);
    // Listed by their own path, request attributes are returned; never ones are not.
    assert_eq!(
        p(&["photoBlob", "pin", "token.history", "token.secret"], &[]),
        json!({
            "schemas": [CORE, ACME], "id": "1",
            ACME: { "photoBlob": "AAAA", "token": { "history": "h", "serial": "42" } }
        })
    );
    // Naming the extension or the parent is not naming the request attribute.
    assert_eq!(p(&[ACME], &[]), json!({ "schemas": [CORE, ACME], "id": "1", ACME: default[ACME] }));
    assert_eq!(p(&["token"], &[])[ACME], json!({ "token": { "kind": "hw", "serial": "42" } }));
    // An `always` sub-attribute comes with its parent whenever the parent is output.
    assert_eq!(p(&["token.kind"], &[])[ACME], json!({ "token": { "kind": "hw", "serial": "42" } }));
    assert_eq!(p(&[], &["token.kind", "token.serial"])[ACME]["token"], json!({ "serial": "42" }));
}
