//! PATCH semantics, case by case, on a User, an Enterprise User and a Group.
//!
//! Each case gives the operations as a client sends them and the expected outcome: the exact
//! resulting resource (written as a JSON merge patch, RFC 7396, over the base resource: `null`
//! removes a key, objects merge, arrays are replaced whole), "unchanged" (`changed == false`),
//! or the error's `scimType`. Every case also checks that the base resource is untouched.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::error::ScimType;
use crate::registry::{Registry, ResourceType};
use crate::schema::{Attribute, Schema};

const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[derive(Clone, Copy, Debug)]
enum Base {
    /// A core User without the enterprise extension.
    User,
    /// The same User with enterprise attributes.
    Enterprise,
    /// A Group with two members.
    Group,
}

impl Base {
    fn resource_type(self) -> &'static str {
        match self {
            Base::User | Base::Enterprise => "User",
            Base::Group => "Group",
        }
    }

    fn json(self) -> Value {
        let meta = json!({
            "resourceType": self.resource_type(),
            "created": "2024-01-01T00:00:00Z",
            "lastModified": "2024-01-01T00:00:00Z",
            "version": "W/\"1\""
        });
        match self {
            Base::User => json!({
                "schemas": [CORE],
                "id": "u1",
                "userName": "ann",
                "name": { "givenName": "Ann", "familyName": "Lee" },
                "title": "Tour Guide",
                "active": true,
                "emails": [
                    { "value": "ann@work.example", "type": "work", "primary": true },
                    { "value": "ann@home.example", "type": "home" }
                ],
                "meta": meta
            }),
            Base::Enterprise => {
                let mut user = Base::User.json();
                user["schemas"] = json!([CORE, ENT]);
                user[ENT] = json!({
                    "employeeNumber": "701984",
                    "department": "Sales",
                    "manager": { "value": "m1" }
                });
                user
            }
            Base::Group => json!({
                "schemas": [GROUP],
                "id": "g1",
                "displayName": "Tour Guides",
                "members": [{ "value": "u1", "display": "Ann Lee" }, { "value": "u2" }],
                "meta": meta
            }),
        }
    }
}

#[derive(Debug)]
enum Expect {
    /// The result is the base with this JSON merge patch applied, and differs from the base.
    Changed(Value),
    /// The result equals the base.
    Unchanged,
    /// The request fails with this `scimType`.
    Fails(ScimType),
}

use Expect::{Changed, Fails, Unchanged};

/// RFC 7396 JSON merge patch.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(fields) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    let Value::Object(target) = target else { unreachable!() };
    for (key, value) in fields {
        if value.is_null() {
            target.remove(key);
        } else {
            merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

fn request(ops: Value) -> PatchRequest {
    serde_json::from_value(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": ops
    }))
    .unwrap()
}

fn run(base: Base, ops: Value, compat: &Compatibility) -> Result<PatchOutcome> {
    let registry = Registry::standard();
    let schema = registry.resource_type_schema(base.resource_type()).unwrap();
    let resource = base.json().as_object().unwrap().clone();
    let before = serde_json::to_vec(&resource).unwrap();
    let outcome = apply_patch(&schema, &resource, &request(ops), compat);
    assert_eq!(before, serde_json::to_vec(&resource).unwrap());
    outcome
}

fn check(name: &str, base: Base, compat: &Compatibility, ops: Value, expect: Expect) {
    let outcome = run(base, ops, compat);
    match (expect, outcome) {
        (Changed(delta), Ok(outcome)) => {
            let mut expected = base.json();
            merge_patch(&mut expected, &delta);
            assert_eq!(Value::Object(outcome.resource), expected, "{name}");
            assert!(outcome.changed, "{name}: changed");
        }
        (Unchanged, Ok(outcome)) => {
            assert_eq!(Value::Object(outcome.resource), base.json(), "{name}");
            assert!(!outcome.changed, "{name}: changed");
        }
        (Fails(scim_type), Err(err)) => {
            assert_eq!(err.scim_type(), Some(scim_type), "{name}: {err}");
        }
        (expect, outcome) => panic!("{name}: expected {expect:?}, got {outcome:?}"),
    }
}

fn lenient() -> Compatibility {
    Compatibility::default()
}

fn strict() -> Compatibility {
    Compatibility::strict()
}

#[test]
fn entra_id_forms() {
    let d = &lenient();
    let cases = [
        (
            "boolean as a capitalised string",
            Base::User,
            json!([{ "op": "Replace", "path": "active", "value": "False" }]),
            Changed(json!({ "active": false })),
        ),
        (
            "\"True\" on an active user is a no-op",
            Base::User,
            json!([{ "op": "Replace", "path": "active", "value": "True" }]),
            Unchanged,
        ),
        (
            "lower-case \"false\", path-less",
            Base::User,
            json!([{ "op": "Replace", "value": { "active": "false" } }]),
            Changed(json!({ "active": false })),
        ),
        (
            "path-less replace with dotted and URN keys",
            Base::Enterprise,
            json!([{ "op": "Replace", "value": {
                "name.givenName": "Anna",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Marketing",
                "urn:ietf:params:scim:schemas:core:2.0:User:userName": "anna"
            } }]),
            Changed(json!({
                "userName": "anna",
                "name": { "givenName": "Anna" },
                ENT: { "department": "Marketing" }
            })),
        ),
        (
            "path-less dotted key creates the extension",
            Base::User,
            json!([{ "op": "Add", "value": {
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Sales"
            } }]),
            Changed(json!({ "schemas": [CORE, ENT], ENT: { "department": "Sales" } })),
        ),
        (
            "filtered sub-attribute replace of an existing entry",
            Base::User,
            json!([{ "op": "Replace", "path": "emails[type eq \"work\"].value", "value": "ann@new.example" }]),
            Changed(json!({ "emails": [
                { "value": "ann@new.example", "type": "work", "primary": true },
                { "value": "ann@home.example", "type": "home" }
            ] })),
        ),
        (
            "filtered adds fill one new entry",
            Base::User,
            json!([
                { "op": "Add", "path": "addresses[type eq \"work\"].streetAddress", "value": "1 Main St" },
                { "op": "Add", "path": "addresses[type eq \"work\"].locality", "value": "Springfield" },
                { "op": "Add", "path": "addresses[type eq \"work\"].postalCode", "value": "12345" }
            ]),
            Changed(json!({ "addresses": [{
                "type": "work", "streetAddress": "1 Main St", "locality": "Springfield",
                "postalCode": "12345"
            }] })),
        ),
        (
            "filtered replace creates the entry",
            Base::User,
            json!([{ "op": "Replace", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "555-1234" }]),
            Changed(json!({ "phoneNumbers": [{ "type": "mobile", "value": "555-1234" }] })),
        ),
        (
            "seeded values take the sub-attribute's type",
            Base::User,
            json!([{ "op": "Add", "path": "ims[type eq \"xmpp\" and primary eq true].value", "value": "ann@jabber" }]),
            Changed(json!({ "ims": [{ "type": "xmpp", "primary": true, "value": "ann@jabber" }] })),
        ),
        (
            "enterprise attribute by URN path",
            Base::Enterprise,
            json!([{ "op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Finance" }]),
            Changed(json!({ ENT: { "department": "Finance" } })),
        ),
        (
            "manager as a bare id",
            Base::Enterprise,
            json!([{ "op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "boss" }]),
            Changed(json!({ ENT: { "manager": { "value": "boss" } } })),
        ),
        (
            "manager as an object",
            Base::Enterprise,
            json!([{ "op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": { "value": "boss" } }]),
            Changed(json!({ ENT: { "manager": { "value": "boss" } } })),
        ),
        (
            "manager.value path",
            Base::Enterprise,
            json!([{ "op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", "value": "boss" }]),
            Changed(json!({ ENT: { "manager": { "value": "boss" } } })),
        ),
        (
            "add manager to a user without the extension",
            Base::User,
            json!([{ "op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "boss" }]),
            Changed(json!({ "schemas": [CORE, ENT], ENT: { "manager": { "value": "boss" } } })),
        ),
        (
            "several ops in order",
            Base::Enterprise,
            json!([
                { "op": "Replace", "path": "active", "value": "False" },
                { "op": "Replace", "path": "emails[type eq \"work\"].value", "value": "a@b.example" },
                { "op": "Replace", "path": "name.givenName", "value": "Anna" },
                { "op": "Replace", "path": "name.familyName", "value": "Li" },
                { "op": "Replace", "path": "externalId", "value": "E-1" }
            ]),
            Changed(json!({
                "active": false,
                "externalId": "E-1",
                "name": { "givenName": "Anna", "familyName": "Li" },
                "emails": [
                    { "value": "a@b.example", "type": "work", "primary": true },
                    { "value": "ann@home.example", "type": "home" }
                ]
            })),
        ),
        (
            "atomic: the last op fails, nothing changes",
            Base::Enterprise,
            json!([
                { "op": "Replace", "path": "active", "value": "False" },
                { "op": "Add", "path": "emails", "value": [{ "value": "x@y.example" }] },
                { "op": "Replace", "path": "id", "value": "u2" }
            ]),
            Fails(ScimType::Mutability),
        ),
        (
            "atomic: a bad path last",
            Base::Enterprise,
            json!([
                { "op": "Replace", "path": "title", "value": "Boss" },
                { "op": "Remove", "path": "emails[type eq ]" }
            ]),
            Fails(ScimType::InvalidPath),
        ),
    ];
    for (name, base, ops, expect) in cases {
        check(name, base, d, ops, expect);
    }
}

#[test]
fn group_membership_forms() {
    let d = &lenient();
    let cases = [
        (
            "add a member with $ref null",
            json!([{ "op": "Add", "path": "members", "value": [{ "value": "u3", "$ref": null }] }]),
            Changed(json!({ "members": [
                { "value": "u1", "display": "Ann Lee" }, { "value": "u2" }, { "value": "u3" }
            ] })),
        ),
        (
            "re-adding a member is a no-op",
            json!([{ "op": "Add", "path": "members", "value": [{ "value": "u1", "$ref": null }] }]),
            Unchanged,
        ),
        (
            "re-adding a member in another case is a no-op",
            json!([{ "op": "add", "path": "members", "value": [{ "value": "U2" }] }]),
            Unchanged,
        ),
        (
            "path-less add of members",
            json!([{ "op": "add", "value": { "members": [{ "value": "u3" }, { "value": "u1" }] } }]),
            Changed(json!({ "members": [
                { "value": "u1", "display": "Ann Lee" }, { "value": "u2" }, { "value": "u3" }
            ] })),
        ),
        (
            "remove listed members",
            json!([{ "op": "Remove", "path": "members", "value": [{ "value": "u1" }] }]),
            Changed(json!({ "members": [{ "value": "u2" }] })),
        ),
        (
            "remove by filter",
            json!([{ "op": "remove", "path": "members[value eq \"u2\"]" }]),
            Changed(json!({ "members": [{ "value": "u1", "display": "Ann Lee" }] })),
        ),
        (
            "remove the last members",
            json!([
                { "op": "remove", "path": "members[value eq \"u2\"]" },
                { "op": "Remove", "path": "members", "value": [{ "value": "u1" }] }
            ]),
            Changed(json!({ "members": null })),
        ),
        (
            "removing a non-member by filter succeeds",
            json!([{ "op": "remove", "path": "members[value eq \"u9\"]" }]),
            Unchanged,
        ),
        (
            "removing a listed non-member succeeds",
            json!([{ "op": "Remove", "path": "members", "value": [{ "value": "u9" }] }]),
            Unchanged,
        ),
        (
            "rename",
            json!([{ "op": "Replace", "path": "displayName", "value": "Guides" }]),
            Changed(json!({ "displayName": "Guides" })),
        ),
        (
            "Okta rename: path-less with the read-only id",
            json!([{ "op": "replace", "value": { "id": "g1", "displayName": "Guides" } }]),
            Changed(json!({ "displayName": "Guides" })),
        ),
        (
            "replace members wholesale",
            json!([{ "op": "replace", "path": "members", "value": [{ "value": "u7" }, { "value": "u8" }] }]),
            Changed(json!({ "members": [{ "value": "u7" }, { "value": "u8" }] })),
        ),
        (
            "replace members with none",
            json!([{ "op": "replace", "path": "members", "value": [] }]),
            Changed(json!({ "members": null })),
        ),
        (
            "an immutable sub-attribute may be set once",
            json!([{ "op": "add", "path": "members[value eq \"u2\"].display", "value": "Bob" }]),
            Changed(json!({ "members": [
                { "value": "u1", "display": "Ann Lee" }, { "value": "u2", "display": "Bob" }
            ] })),
        ),
        (
            "an immutable sub-attribute cannot change",
            json!([{ "op": "replace", "path": "members[value eq \"u1\"].display", "value": "Bob" }]),
            Fails(ScimType::Mutability),
        ),
        (
            "re-adding a member with a new display changes an immutable value",
            json!([{ "op": "add", "path": "members", "value": [{ "value": "u1", "display": "Bob" }] }]),
            Fails(ScimType::Mutability),
        ),
        (
            "the required displayName cannot be removed",
            json!([{ "op": "remove", "path": "displayName" }]),
            Fails(ScimType::Mutability),
        ),
        (
            "a bad member type",
            json!([{ "op": "add", "path": "members", "value": [{ "value": "u3", "type": "Robot" }] }]),
            Fails(ScimType::InvalidValue),
        ),
    ];
    for (name, ops, expect) in cases {
        check(name, Base::Group, d, ops, expect);
    }
}

#[test]
fn okta_forms() {
    let d = &lenient();
    let cases = [
        (
            "deprovision path-less with id",
            json!([{ "op": "replace", "value": { "id": "u1", "active": false } }]),
            Changed(json!({ "active": false })),
        ),
        (
            "id, meta and schemas in a path-less value are ignored",
            json!([{ "op": "replace", "value": {
                "schemas": [CORE], "id": "other", "meta": { "resourceType": "User" },
                "groups": [], "title": "Boss"
            } }]),
            Changed(json!({ "title": "Boss" })),
        ),
    ];
    for (name, ops, expect) in cases {
        check(name, Base::User, d, ops, expect);
    }
}

#[test]
fn rfc_semantics() {
    let d = &lenient();
    let cases = [
        (
            "replace of a complex attribute merges its sub-attributes",
            Base::User,
            json!([{ "op": "replace", "path": "name", "value": { "givenName": "Anna" } }]),
            Changed(json!({ "name": { "givenName": "Anna" } })),
        ),
        (
            "add of a sub-attribute",
            Base::User,
            json!([{ "op": "add", "path": "name.middleName", "value": "Jane" }]),
            Changed(json!({ "name": { "middleName": "Jane" } })),
        ),
        (
            "replace of a missing attribute adds it",
            Base::User,
            json!([{ "op": "replace", "path": "nickName", "value": "Annie" }]),
            Changed(json!({ "nickName": "Annie" })),
        ),
        (
            "names match in any case",
            Base::User,
            json!([{ "op": "replace", "path": "NAME.GIVENNAME", "value": "Anna" }]),
            Changed(json!({ "name": { "givenName": "Anna" } })),
        ),
        (
            "add to a multi-valued attribute appends",
            Base::User,
            json!([{ "op": "add", "path": "emails", "value": { "value": "ann@other.example", "type": "other" } }]),
            Changed(json!({ "emails": [
                { "value": "ann@work.example", "type": "work", "primary": true },
                { "value": "ann@home.example", "type": "home" },
                { "value": "ann@other.example", "type": "other" }
            ] })),
        ),
        (
            "add of an entry already present merges into it",
            Base::User,
            json!([{ "op": "add", "path": "emails", "value": [{ "value": "ANN@HOME.EXAMPLE", "display": "Home" }] }]),
            Changed(json!({ "emails": [
                { "value": "ann@work.example", "type": "work", "primary": true },
                { "value": "ann@home.example", "type": "home", "display": "Home" }
            ] })),
        ),
        (
            "a new primary clears the old one",
            Base::User,
            json!([{ "op": "add", "path": "emails", "value": [{ "value": "n@x.example", "primary": true }] }]),
            Changed(json!({ "emails": [
                { "value": "ann@work.example", "type": "work" },
                { "value": "ann@home.example", "type": "home" },
                { "value": "n@x.example", "primary": true }
            ] })),
        ),
        (
            "primary through a filter clears the old one",
            Base::User,
            json!([{ "op": "replace", "path": "emails[type eq \"home\"].primary", "value": "True" }]),
            Changed(json!({ "emails": [
                { "value": "ann@work.example", "type": "work" },
                { "value": "ann@home.example", "type": "home", "primary": true }
            ] })),
        ),
        (
            "two primaries in one replace fail validation",
            Base::User,
            json!([{ "op": "replace", "path": "emails", "value": [
                { "value": "a@x.example", "primary": true }, { "value": "b@x.example", "primary": true }
            ] }]),
            Fails(ScimType::InvalidValue),
        ),
        (
            "a sub-attribute without a filter applies to every entry",
            Base::User,
            json!([{ "op": "replace", "path": "emails.type", "value": "other" }]),
            Changed(json!({ "emails": [
                { "value": "ann@work.example", "type": "other", "primary": true },
                { "value": "ann@home.example", "type": "other" }
            ] })),
        ),
        (
            "add through a filter merges into the entry",
            Base::User,
            json!([{ "op": "add", "path": "emails[type eq \"work\"]", "value": { "display": "Work" } }]),
            Changed(json!({ "emails": [
                { "value": "ann@work.example", "type": "work", "primary": true, "display": "Work" },
                { "value": "ann@home.example", "type": "home" }
            ] })),
        ),
        (
            "replace through a filter replaces the entry",
            Base::User,
            json!([{ "op": "replace", "path": "emails[type eq \"home\"]", "value": { "value": "h@x.example", "type": "home" } }]),
            Changed(json!({ "emails": [
                { "value": "ann@work.example", "type": "work", "primary": true },
                { "value": "h@x.example", "type": "home" }
            ] })),
        ),
        (
            "filters compare with caseExact",
            Base::User,
            json!([{ "op": "remove", "path": "emails[value eq \"ANN@HOME.EXAMPLE\"]" }]),
            Changed(json!({ "emails": [
                { "value": "ann@work.example", "type": "work", "primary": true }
            ] })),
        ),
        (
            "remove a sub-attribute through a filter",
            Base::User,
            json!([{ "op": "remove", "path": "emails[type eq \"work\"].value" }]),
            Changed(json!({ "emails": [
                { "type": "work", "primary": true },
                { "value": "ann@home.example", "type": "home" }
            ] })),
        ),
        (
            "remove a whole attribute",
            Base::User,
            json!([{ "op": "remove", "path": "emails" }]),
            Changed(json!({ "emails": null })),
        ),
        (
            "remove the last sub-attribute drops the complex value",
            Base::User,
            json!([
                { "op": "remove", "path": "name.givenName" },
                { "op": "remove", "path": "name.familyName" }
            ]),
            Changed(json!({ "name": null })),
        ),
        (
            "replace with null removes",
            Base::User,
            json!([{ "op": "replace", "path": "title", "value": null }]),
            Changed(json!({ "title": null })),
        ),
        (
            "replace without a value removes",
            Base::User,
            json!([{ "op": "replace", "path": "name.familyName" }]),
            Changed(json!({ "name": { "familyName": null } })),
        ),
        (
            "null under a path-less key removes",
            Base::User,
            json!([{ "op": "replace", "value": { "title": null, "nickName": null } }]),
            Changed(json!({ "title": null })),
        ),
        (
            "remove a whole extension by URN",
            Base::Enterprise,
            json!([{ "op": "remove", "path": ENT }]),
            Changed(json!({ "schemas": [CORE], ENT: null })),
        ),
        (
            "add with an extension URN path",
            Base::User,
            json!([{ "op": "add", "path": ENT, "value": { "department": "Ops", "manager": "boss" } }]),
            Changed(json!({
                "schemas": [CORE, ENT],
                ENT: { "department": "Ops", "manager": { "value": "boss" } }
            })),
        ),
        (
            "path-less value with an extension object",
            Base::Enterprise,
            json!([{ "op": "replace", "value": { ENT: { "department": "Ops" } } }]),
            Changed(json!({ ENT: { "department": "Ops" } })),
        ),
        (
            "unknown attributes are ignored",
            Base::User,
            json!([
                { "op": "add", "path": "favouriteColour", "value": "blue" },
                { "op": "replace", "value": { "shoeSize": 42 } }
            ]),
            Unchanged,
        ),
        (
            "removing an absent attribute succeeds",
            Base::User,
            json!([{ "op": "remove", "path": "nickName" }]),
            Unchanged,
        ),
        (
            "add with an empty array adds nothing",
            Base::User,
            json!([{ "op": "add", "path": "emails", "value": [] }]),
            Unchanged,
        ),
        ("no operations", Base::User, json!([]), Unchanged),
    ];
    for (name, base, ops, expect) in cases {
        check(name, base, d, ops, expect);
    }
}

#[test]
fn errors_have_the_right_scim_type() {
    let d = &lenient();
    let cases = [
        ("remove without a path", json!([{ "op": "remove" }]), ScimType::NoTarget),
        (
            "a path that does not parse",
            json!([{ "op": "add", "path": "emails[", "value": 1 }]),
            ScimType::InvalidPath,
        ),
        (
            "replace id",
            json!([{ "op": "replace", "path": "id", "value": "x" }]),
            ScimType::Mutability,
        ),
        ("remove id", json!([{ "op": "remove", "path": "id" }]), ScimType::Mutability),
        (
            "add groups",
            json!([{ "op": "add", "path": "groups", "value": [{ "value": "g1" }] }]),
            ScimType::Mutability,
        ),
        (
            "replace meta.created",
            json!([{ "op": "replace", "path": "meta.created", "value": "2020-01-01T00:00:00Z" }]),
            ScimType::Mutability,
        ),
        (
            "manager.displayName is read-only",
            json!([{ "op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName", "value": "Boss" }]),
            ScimType::Mutability,
        ),
        ("remove userName", json!([{ "op": "remove", "path": "userName" }]), ScimType::Mutability),
        (
            "replace userName with null",
            json!([{ "op": "replace", "path": "userName", "value": null }]),
            ScimType::Mutability,
        ),
        ("add without a value", json!([{ "op": "add", "path": "title" }]), ScimType::InvalidValue),
        (
            "path-less add of a string",
            json!([{ "op": "add", "value": "x" }]),
            ScimType::InvalidValue,
        ),
        (
            "a wrong type",
            json!([{ "op": "replace", "path": "active", "value": "maybe" }]),
            ScimType::InvalidValue,
        ),
        (
            "an array for a single value",
            json!([{ "op": "replace", "path": "title", "value": ["a", "b"] }]),
            ScimType::InvalidValue,
        ),
        (
            "a filter on a single-valued attribute",
            json!([{ "op": "replace", "path": "name[givenName eq \"Ann\"].familyName", "value": "X" }]),
            ScimType::InvalidPath,
        ),
        (
            "an operator the type forbids",
            json!([{ "op": "remove", "path": "emails[primary gt true]" }]),
            ScimType::InvalidPath,
        ),
        (
            "a filter that cannot seed an entry",
            json!([{ "op": "add", "path": "emails[value co \"@x\"].type", "value": "work" }]),
            ScimType::NoTarget,
        ),
        (
            "an extension URN path with a string",
            json!([{ "op": "add", "path": ENT, "value": "x" }]),
            ScimType::InvalidValue,
        ),
    ];
    for (name, ops, scim_type) in cases {
        check(name, Base::Enterprise, d, ops, Fails(scim_type));
    }
}

#[test]
fn error_details_name_the_operation() {
    let err = run(
        Base::User,
        json!([
            { "op": "add", "path": "title", "value": "x" },
            { "op": "remove", "path": "members[value eq \"u9\"]" },
        ]),
        &strict(),
    )
    .unwrap_err();
    assert_eq!(err.scim_type(), Some(ScimType::InvalidPath));
    assert_eq!(
        err.detail(),
        r#"Operations[1] (remove "members[value eq \"u9\"]"): unknown attribute members"#
    );
    let err = run(Base::User, json!([{ "op": "remove" }]), &lenient()).unwrap_err();
    assert_eq!(err.detail(), "Operations[0] (remove, no path): remove needs a path");
    let err = run(
        Base::Group,
        json!([{ "op": "remove", "path": "members[value eq \"u9\"]" }]),
        &strict(),
    )
    .unwrap_err();
    assert_eq!(
        err.detail(),
        r#"Operations[0] (remove "members[value eq \"u9\"]"): no entry of members matches [value eq "u9"]"#
    );
}

/// Each compatibility setting, off, against the default.
#[test]
fn each_setting_gates_its_behaviour() {
    let d = Compatibility::default();
    type Case = (&'static str, Base, Compatibility, Value, Expect);
    let cases: Vec<Case> = vec![
        (
            "boolean_strings",
            Base::User,
            Compatibility { boolean_strings: false, ..d },
            json!([{ "op": "Replace", "path": "active", "value": "False" }]),
            Fails(ScimType::InvalidValue),
        ),
        (
            "pathless_path_keys",
            Base::User,
            Compatibility { pathless_path_keys: false, ignore_unknown_attributes: false, ..d },
            json!([{ "op": "Replace", "value": { "name.givenName": "Anna" } }]),
            Fails(ScimType::InvalidPath),
        ),
        (
            "pathless_path_keys off still takes an extension object",
            Base::Enterprise,
            Compatibility::strict(),
            json!([{ "op": "replace", "value": { ENT: { "department": "Ops" } } }]),
            Changed(json!({ ENT: { "department": "Ops" } })),
        ),
        (
            "filtered_add_creates_entry",
            Base::User,
            Compatibility { filtered_add_creates_entry: false, ..d },
            json!([{ "op": "Add", "path": "addresses[type eq \"work\"].locality", "value": "X" }]),
            Fails(ScimType::NoTarget),
        ),
        (
            "filtered_add_creates_entry off leaves replace alone",
            Base::User,
            Compatibility { filtered_add_creates_entry: false, ..d },
            json!([{ "op": "Replace", "path": "addresses[type eq \"work\"].locality", "value": "X" }]),
            Changed(json!({ "addresses": [{ "type": "work", "locality": "X" }] })),
        ),
        (
            "filtered_replace_creates_entry",
            Base::User,
            Compatibility { filtered_replace_creates_entry: false, ..d },
            json!([{ "op": "Replace", "path": "addresses[type eq \"work\"].locality", "value": "X" }]),
            Fails(ScimType::NoTarget),
        ),
        (
            "remove_listed_values: the RFC removes the whole attribute",
            Base::Group,
            Compatibility { remove_listed_values: false, ..d },
            json!([{ "op": "Remove", "path": "members", "value": [{ "value": "u1" }] }]),
            Changed(json!({ "members": null })),
        ),
        (
            "remove_missing_ok: filter matching nothing",
            Base::Group,
            Compatibility { remove_missing_ok: false, ..d },
            json!([{ "op": "remove", "path": "members[value eq \"u9\"]" }]),
            Fails(ScimType::NoTarget),
        ),
        (
            "remove_missing_ok: listed non-member",
            Base::Group,
            Compatibility { remove_missing_ok: false, ..d },
            json!([{ "op": "Remove", "path": "members", "value": [{ "value": "u9" }] }]),
            Fails(ScimType::NoTarget),
        ),
        (
            "remove_missing_ok: absent attribute",
            Base::User,
            Compatibility { remove_missing_ok: false, ..d },
            json!([{ "op": "remove", "path": "nickName" }]),
            Fails(ScimType::NoTarget),
        ),
        (
            "complex_bare_value",
            Base::Enterprise,
            Compatibility { complex_bare_value: false, ..d },
            json!([{ "op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "boss" }]),
            Fails(ScimType::InvalidValue),
        ),
        (
            "ignore_read_only_in_patch: a different id",
            Base::User,
            Compatibility { ignore_read_only_in_patch: false, ..d },
            json!([{ "op": "replace", "value": { "id": "other", "active": false } }]),
            Fails(ScimType::Mutability),
        ),
        (
            "ignore_read_only_in_patch: the same id passes",
            Base::User,
            Compatibility::strict(),
            json!([{ "op": "replace", "value": { "id": "u1", "active": false } }]),
            Changed(json!({ "active": false })),
        ),
        (
            "extension_urn_path",
            Base::Enterprise,
            Compatibility { extension_urn_path: false, ..d },
            json!([{ "op": "add", "path": ENT, "value": { "department": "Ops" } }]),
            Fails(ScimType::InvalidPath),
        ),
        (
            "replace_null_removes",
            Base::User,
            Compatibility { replace_null_removes: false, ..d },
            json!([{ "op": "replace", "path": "title", "value": null }]),
            Fails(ScimType::InvalidValue),
        ),
        (
            "replace_null_removes off: an empty array still clears",
            Base::User,
            Compatibility::strict(),
            json!([{ "op": "replace", "path": "emails", "value": [] }]),
            Changed(json!({ "emails": null })),
        ),
        (
            "ignore_unknown_attributes: path",
            Base::User,
            Compatibility { ignore_unknown_attributes: false, ..d },
            json!([{ "op": "add", "path": "favouriteColour", "value": "blue" }]),
            Fails(ScimType::InvalidPath),
        ),
        (
            "ignore_unknown_attributes: path-less key",
            Base::User,
            Compatibility { ignore_unknown_attributes: false, ..d },
            json!([{ "op": "add", "value": { "favouriteColour": "blue" } }]),
            Fails(ScimType::InvalidPath),
        ),
        (
            "ignore_unknown_attributes: unknown sub-attribute in a value",
            Base::User,
            Compatibility { ignore_unknown_attributes: false, ..d },
            json!([{ "op": "add", "path": "name", "value": { "nick": "A" } }]),
            Fails(ScimType::InvalidSyntax),
        ),
    ];
    for (name, base, compat, ops, expect) in cases {
        check(name, base, &compat, ops, expect);
    }
}

/// A resource type with an immutable attribute.
fn device_registry() -> Registry {
    let mut registry = Registry::new();
    registry
        .add_schema(Schema::new(
            "urn:example:Device",
            "Device",
            vec![
                Attribute::string("name").required(),
                Attribute::string("serialNumber").immutable(),
            ],
        ))
        .unwrap();
    registry
        .add_resource_type(ResourceType::new("Device", "/Devices", "urn:example:Device"))
        .unwrap();
    registry
}

#[test]
fn immutable_attributes_are_set_once() {
    let registry = device_registry();
    let schema = registry.resource_type_schema("Device").unwrap();
    let compat = Compatibility::default();
    let fresh = json!({ "schemas": ["urn:example:Device"], "id": "d1", "name": "laptop" });
    let fresh = fresh.as_object().unwrap();
    let set = |resource: &JsonObject, op: &str, value: Value| {
        let ops = json!([{ "op": op, "path": "serialNumber", "value": value }]);
        apply_patch(&schema, resource, &request(ops), &compat)
    };
    let with_serial = set(fresh, "add", json!("SN1")).unwrap();
    assert!(with_serial.changed);
    assert_eq!(with_serial.resource["serialNumber"], "SN1");
    let again = set(&with_serial.resource, "replace", json!("SN1")).unwrap();
    assert!(!again.changed);
    for (op, value) in [("replace", json!("SN2")), ("add", json!("SN2")), ("replace", Value::Null)]
    {
        let err = set(&with_serial.resource, op, value).unwrap_err();
        assert_eq!(err.scim_type(), Some(ScimType::Mutability), "{op}");
    }
    let ops = json!([{ "op": "remove", "path": "serialNumber" }]);
    let err = apply_patch(&schema, &with_serial.resource, &request(ops), &compat).unwrap_err();
    assert_eq!(err.scim_type(), Some(ScimType::Mutability));
}

/// The RFC 7643 §8.3 Enterprise User, normalised, with its `id` and `meta` back.
fn rfc_enterprise_user() -> JsonObject {
    let registry = Registry::standard();
    let schema = registry.resource_type_schema("User").unwrap();
    let text = include_str!("../../tests/fixtures/rfc7643/enterprise_user.json");
    let input: Value = serde_json::from_str(text).unwrap();
    let mut user = normalize_resource_for_tests(&schema, input.clone());
    user.insert("id".to_owned(), input["id"].clone());
    user.insert("meta".to_owned(), input["meta"].clone());
    user
}

fn normalize_resource_for_tests(schema: &ResourceTypeSchema<'_>, input: Value) -> JsonObject {
    crate::normalize::normalize_resource(schema, input, &Compatibility::default()).unwrap()
}

#[test]
fn entra_patch_on_the_rfc_enterprise_user() {
    let registry = Registry::standard();
    let schema = registry.resource_type_schema("User").unwrap();
    let user = rfc_enterprise_user();
    let ops = json!([
        { "op": "Replace", "path": "active", "value": "False" },
        { "op": "Replace", "path": "emails[type eq \"work\"].value", "value": "babs@example.org" },
        { "op": "Replace", "path": "name.givenName", "value": "Babs" },
        { "op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Finance" },
        { "op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": { "value": "boss" } }
    ]);
    let outcome = apply_patch(&schema, &user, &request(ops), &Compatibility::default()).unwrap();
    let mut expected = Value::Object(user.clone());
    merge_patch(
        &mut expected,
        &json!({
            "active": false,
            "name": { "givenName": "Babs" },
            ENT: { "department": "Finance", "manager": { "value": "boss" } }
        }),
    );
    expected["emails"][0]["value"] = json!("babs@example.org");
    assert_eq!(Value::Object(outcome.resource), expected);
    assert!(outcome.changed);
    // The manager's `$ref` stays: add merges sub-attributes.
    assert_eq!(expected[ENT]["manager"]["$ref"], "../Users/26118915-6090-4610-87e4-49d8ca9f808d");
}

const PATHS: &[Option<&str>] = &[
    None,
    Some("active"),
    Some("title"),
    Some("userName"),
    Some("name"),
    Some("name.givenName"),
    Some("emails"),
    Some("emails.type"),
    Some("emails[type eq \"work\"]"),
    Some("emails[type eq \"work\"].value"),
    Some("emails[type eq \"work\"].primary"),
    Some("emails[value co \"@\"]"),
    Some("addresses[type eq \"home\"].locality"),
    Some("id"),
    Some("meta.created"),
    Some("groups"),
    Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"),
    Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"),
    Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName"),
    Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"),
    Some("nonsense"),
    Some("name[givenName eq \"x\"]"),
    Some("emails[type eq"),
    Some(""),
    Some("emails[primary gt true]"),
    Some("urn:example:unknown:thing"),
];

fn any_value() -> impl Strategy<Value = Option<Value>> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        Just(json!("True")),
        Just(json!("work")),
        "[a-z@.]{0,8}".prop_map(Value::from),
        (-5i64..5).prop_map(Value::from),
    ];
    let value = leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("value".to_owned()),
                    Just("type".to_owned()),
                    Just("primary".to_owned()),
                    Just("givenName".to_owned()),
                    Just("active".to_owned()),
                    Just("id".to_owned()),
                    Just("name.givenName".to_owned()),
                    Just(ENT.to_owned()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop::option::of(value)
}

fn any_op() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec!["add", "replace", "remove", "Add", "Replace", "Remove"]),
        prop::sample::select(PATHS.to_vec()),
        any_value(),
    )
        .prop_map(|(op, path, value)| {
            let mut op = json!({ "op": op });
            if let Some(path) = path {
                op["path"] = json!(path);
            }
            if let Some(value) = value {
                op["value"] = value;
            }
            op
        })
}

proptest! {
    #[test]
    fn random_requests_never_panic_and_failures_change_nothing(
        ops in prop::collection::vec(any_op(), 1..6),
        strict_mode in any::<bool>(),
    ) {
        let registry = Registry::standard();
        let schema = registry.resource_type_schema("User").unwrap();
        let user = rfc_enterprise_user();
        let before = serde_json::to_vec(&user).unwrap();
        let compat = if strict_mode { Compatibility::strict() } else { Compatibility::default() };
        let request = request(Value::Array(ops));
        match apply_patch(&schema, &user, &request, &compat) {
            Ok(outcome) => {
                prop_assert!(crate::validate::validate_resource(&schema, &outcome.resource).is_ok());
                prop_assert_eq!(outcome.changed, outcome.resource != user);
                // The result is canonical: normalising it again changes nothing.
                let mut again = normalize_resource_for_tests(
                    &schema,
                    Value::Object(outcome.resource.clone()),
                );
                again.insert("id".to_owned(), outcome.resource["id"].clone());
                again.insert("meta".to_owned(), outcome.resource["meta"].clone());
                if let Some(groups) = outcome.resource.get("groups") {
                    again.insert("groups".to_owned(), groups.clone());
                }
                prop_assert_eq!(&again, &outcome.resource);
            }
            Err(err) => {
                prop_assert!(err.scim_type().is_some(), "{err}");
            }
        }
        prop_assert_eq!(before, serde_json::to_vec(&user).unwrap());
    }
}

/// A PATCH at the operation limit on a group of 20,000 members: a thousand adds of one member
/// each (as a client adds users one by one), then Entra's removal of 10,000 listed members.
/// Each add reuses the entries' identities the one before left, duplicates are dropped once at
/// the end, and the listed removal hashes the list: linear in the group plus the operations
/// (per operation, the group was hashed and serialized again: tens of millions of steps).
#[test]
fn many_operations_on_a_large_group_cost_the_group_plus_the_operations() {
    let registry = Registry::standard();
    let schema = registry.resource_type_schema("Group").unwrap();
    let members: Vec<Value> = (0..20_000).map(|n| json!({ "value": format!("m{n}") })).collect();
    let group = json!({ "schemas": [GROUP], "id": "g1", "displayName": "All", "members": members });
    let group = group.as_object().unwrap().clone();
    let mut ops: Vec<Value> = (0..999)
        .map(|n| json!({ "op": "add", "path": "members", "value": [{ "value": format!("new{n}") }] }))
        .collect();
    let listed: Vec<Value> = (0..10_000).map(|n| json!({ "value": format!("M{n}") })).collect();
    ops.push(json!({ "op": "remove", "path": "members", "value": listed }));
    let outcome = apply_patch(&schema, &group, &request(json!(ops)), &lenient()).unwrap();
    let members = outcome.resource["members"].as_array().unwrap();
    assert_eq!(members.len(), 20_000 - 10_000 + 999);
    assert_eq!(members[0]["value"], "m10000", "the listed ones went, case-insensitively");
    assert_eq!(members.last().unwrap()["value"], "new998");
    // Adding a member already there (in another case) keeps one entry.
    let again = json!([
        { "op": "add", "path": "members", "value": [{ "value": "new1" }] },
        { "op": "add", "path": "members", "value": [{ "value": "NEW1" }, { "value": "x" }] },
        { "op": "add", "path": "members", "value": [{ "value": "x" }] }
    ]);
    let outcome = apply_patch(&schema, &outcome.resource, &request(again), &lenient()).unwrap();
    let members = outcome.resource["members"].as_array().unwrap();
    assert_eq!(members.len(), 20_000 - 10_000 + 999 + 1);
}

/// A run of adds is interrupted by another change to the same attribute: the next add must
/// not trust the entries' positions from before it.
#[test]
fn an_add_after_another_change_sees_the_entries_as_they_are() {
    let ops = json!([
        { "op": "add", "path": "members", "value": [{ "value": "a" }] },
        { "op": "remove", "path": "members[value eq \"u1\"]" },
        { "op": "add", "path": "members", "value": [{ "value": "A", "display": "Ann" }] },
        { "op": "replace", "path": "members", "value": [{ "value": "b" }] },
        { "op": "add", "path": "members", "value": [{ "value": "a" }, { "value": "B" }] }
    ]);
    let outcome = run(Base::Group, ops, &lenient()).unwrap();
    assert_eq!(outcome.resource["members"], json!([{ "value": "b" }, { "value": "a" }]));
}

/// Path filters are parsed under the service's limits, not the parser's defaults.
#[test]
fn path_filters_follow_the_configured_limits() {
    let registry = Registry::standard();
    let schema = registry.resource_type_schema("User").unwrap();
    let user = Base::User.json().as_object().unwrap().clone();
    let ops = json!([{ "op": "remove", "path": "emails[type eq \"work\" or type eq \"home\"]" }]);
    let mut limits = crate::Limits::default();
    let compat = lenient();
    let allowed = apply_patch_limited(
        &schema,
        user.clone(),
        &request(ops.clone()),
        &compat,
        &limits.filter_limits(),
    );
    assert!(allowed.is_ok_and(|o| o.resource.get("emails").is_none()));
    limits.max_filter_terms = 1;
    let err = apply_patch_limited(&schema, user, &request(ops), &compat, &limits.filter_limits())
        .unwrap_err();
    assert_eq!(err.scim_type(), Some(ScimType::InvalidPath), "{err}");
}

/// One operation of a group PATCH over a few member values, for comparing a whole request with
/// the same operations one request each.
fn member_op() -> impl Strategy<Value = Value> {
    let value = prop::sample::select(vec!["a", "A", "b", "straße", "STRASSE", "ǅ", "c"]);
    prop_oneof![
        4 => value.clone().prop_map(|v| json!({ "op": "remove", "path": format!("members[value eq {}]", json!(v)) })),
        1 => value.clone().prop_map(|v| json!({ "op": "remove", "path": format!("members[VALUE eq {}]", json!(v)) })),
        2 => value.clone().prop_map(|v| json!({ "op": "add", "path": "members", "value": [{ "value": v }] })),
        1 => value.clone().prop_map(|v| json!({ "op": "remove", "path": "members", "value": [{ "value": v }] })),
        1 => value.clone().prop_map(|v| json!({ "op": "remove", "path": format!("members[value co {}]", json!(v)) })),
        1 => value.prop_map(|v| json!({ "op": "replace", "path": "displayName", "value": v })),
        1 => Just(json!({ "op": "remove", "path": "members" })),
    ]
}

proptest! {
    /// A run of removals by `value eq` (marked, then dropped in one pass) gives exactly what the
    /// operations give applied the ordinary way: the same resource, or the same error.
    #[test]
    fn runs_of_removals_by_value_match_the_ordinary_path(
        start in prop::collection::vec(prop::sample::select(vec!["a", "A", "b", "straße", "ǆ", "c"]), 0..8),
        ops in prop::collection::vec(member_op(), 1..12),
        strict_remove in any::<bool>(),
    ) {
        let registry = Registry::standard();
        let schema = registry.resource_type_schema("Group").unwrap();
        let members: Vec<Value> = start.iter().map(|v| json!({ "value": v })).collect();
        let mut group = json!({ "schemas": [GROUP], "id": "g1", "displayName": "G" });
        if !members.is_empty() {
            group["members"] = json!(members);
        }
        let group = group.as_object().unwrap().clone();
        let mut compat = lenient();
        compat.remove_missing_ok = !strict_remove;
        let batched = apply_patch(&schema, &group, &request(json!(ops)), &compat);
        // The same request with each `value eq` filter doubled (`value eq "a" and value eq
        // "a"`): the same selection, which the run of removals does not take, so each goes
        // the ordinary way, one operation at a time.
        let ordinary: Vec<Value> = ops
            .iter()
            .map(|op| {
                let mut op = op.clone();
                if let Some(inner) = op["path"].as_str().and_then(|p| p.strip_prefix("members[")) {
                    if let Some(term) = inner.strip_suffix(']').filter(|t| t.contains(" eq ")) {
                        op["path"] = json!(format!("members[{term} and {term}]"));
                    }
                }
                op
            })
            .collect();
        let ordinary = apply_patch(&schema, &group, &request(json!(ordinary)), &compat);
        match (batched, ordinary) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.resource, b.resource);
                prop_assert_eq!(a.changed, b.changed);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.scim_type(), b.scim_type()),
            (a, b) => prop_assert!(false, "batched {:?}, ordinary {:?}", a.map(|o| o.resource), b.map(|o| o.resource)),
        }
    }
}

/// Entra's and Okta's one-member removals, a thousand in one request on a large group, cost
/// the group plus the removals.
#[test]
fn a_thousand_removals_by_value_on_a_large_group_run_in_one_pass() {
    let registry = Registry::standard();
    let schema = registry.resource_type_schema("Group").unwrap();
    let members: Vec<Value> = (0..100_000).map(|n| json!({ "value": format!("m{n}") })).collect();
    let group = json!({ "schemas": [GROUP], "id": "g1", "displayName": "All", "members": members });
    let group = group.as_object().unwrap().clone();
    let ops: Vec<Value> = (0..1000)
        .map(|n| json!({ "op": "remove", "path": format!("members[value eq \"M{}\"]", n * 7) }))
        .collect();
    let outcome = apply_patch(&schema, &group, &request(json!(ops)), &lenient()).unwrap();
    let members = outcome.resource["members"].as_array().unwrap();
    assert_eq!(members.len(), 99_000);
    assert!(members.iter().all(|m| {
        let n: usize = m["value"].as_str().unwrap()[1..].parse().unwrap();
        n % 7 != 0 || n >= 7000
    }));
}
