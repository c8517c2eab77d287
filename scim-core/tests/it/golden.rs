//! Golden tests: the example resources of RFC 7643 §8 deserialise into the typed structs and
//! serialise back to the same JSON (compared as `serde_json::Value`).

use scimkit_core::{Group, Manager, User};
use serde_json::Value;

const USER_MINIMAL: &str = include_str!("../fixtures/rfc7643/user_minimal.json");
const USER_FULL: &str = include_str!("../fixtures/rfc7643/user_full.json");
const ENTERPRISE_USER: &str = include_str!("../fixtures/rfc7643/enterprise_user.json");
const GROUP: &str = include_str!("../fixtures/rfc7643/group.json");

const ENTERPRISE_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// Checks that the user in `fixture` serialises (plain serde and `to_json`) to `fixture` minus
/// its password, that the password was read but is not written, and that the `TryFrom` and
/// `from_json` conversions agree.
#[track_caller]
fn user_round_trip(fixture: &str) -> Result<User, serde_json::Error> {
    let fixture_value: Value = serde_json::from_str(fixture)?;
    let user: User = serde_json::from_str(fixture)?;

    let mut expected = fixture_value.clone();
    let password = expected
        .as_object_mut()
        .and_then(|object| object.remove("password"))
        .and_then(|p| p.as_str().map(str::to_owned));
    assert_eq!(user.password, password, "password is read from input");

    let serialised = serde_json::to_value(&user)?;
    assert!(serialised.get("password").is_none(), "password is never output");
    assert_eq!(serialised, expected);

    let json = user.to_json();
    assert!(json.get("password").is_none(), "password is never output");
    assert_eq!(json, expected);

    assert_eq!(User::try_from(fixture_value.clone())?, user);
    assert_eq!(User::from_json(&fixture_value)?, user);
    Ok(user)
}

#[test]
fn rfc7643_8_1_minimal_user() {
    let user = user_round_trip(USER_MINIMAL).unwrap();
    assert_eq!(user.user_name, "bjensen@example.com");
    assert_eq!(user.id.as_deref(), Some("2819c223-7f76-453a-919d-413861904646"));
    let meta = user.meta.unwrap();
    assert_eq!(meta.resource_type.as_deref(), Some("User"));
    assert_eq!(meta.version.as_deref(), Some(r#"W/"3694e05e9dff590""#));
    assert!(user.password.is_none());
}

#[test]
fn rfc7643_8_2_full_user() {
    let user = user_round_trip(USER_FULL).unwrap();
    assert_eq!(user.password.as_deref(), Some("t1meMa$heen"));
    assert_eq!(user.active, Some(true));
    assert_eq!(user.name.as_ref().and_then(|n| n.middle_name.as_deref()), Some("Jane"));
    assert_eq!(user.emails.len(), 2);
    assert_eq!(user.primary_email().and_then(|e| e.value.as_deref()), Some("bjensen@example.com"));
    assert_eq!(user.phone_numbers[1].type_.as_deref(), Some("mobile"));
    assert_eq!(user.ims[0].value.as_deref(), Some("someaimhandle"));
    assert_eq!(user.photos[1].type_.as_deref(), Some("thumbnail"));
    assert_eq!(user.addresses[0].street_address.as_deref(), Some("100 Universal City Plaza"));
    assert_eq!(user.addresses[0].primary, Some(true));
    assert_eq!(user.groups.len(), 3);
    assert_eq!(
        user.groups[0].ref_.as_deref(),
        Some("https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a")
    );
    assert_eq!(user.x509_certificates.len(), 1);
    assert!(user.enterprise.is_none());
    assert!(user.extensions.is_empty());
}

#[test]
fn rfc7643_8_3_enterprise_user() {
    let user = user_round_trip(ENTERPRISE_USER).unwrap();
    assert_eq!(user.password.as_deref(), Some("t1meMa$heen"));
    let enterprise = user.enterprise.as_ref().unwrap();
    assert_eq!(enterprise.employee_number.as_deref(), Some("701984"));
    assert_eq!(enterprise.department.as_deref(), Some("Tour Operations"));
    assert_eq!(
        enterprise.manager,
        Some(
            Manager::new("26118915-6090-4610-87e4-49d8ca9f808d")
                .with_ref("../Users/26118915-6090-4610-87e4-49d8ca9f808d")
                .with_display_name("John Smith")
        )
    );
    assert!(user.extensions.is_empty(), "the enterprise extension is typed");
    assert_eq!(user.default_schemas()[1], ENTERPRISE_URN);
}

#[test]
fn rfc7643_8_3_enterprise_user_schemas_are_filled_in() {
    let mut user: User = serde_json::from_str(ENTERPRISE_USER).unwrap();
    user.schemas.clear();
    let expected: Value = serde_json::from_str(ENTERPRISE_USER).unwrap();
    assert_eq!(user.to_json()["schemas"], expected["schemas"]);
}

#[test]
fn rfc7643_8_4_group() {
    let expected: Value = serde_json::from_str(GROUP).unwrap();
    let group: Group = serde_json::from_str(GROUP).unwrap();
    assert_eq!(serde_json::to_value(&group).unwrap(), expected);
    assert_eq!(group.to_json(), expected);
    assert_eq!(Value::from(group.clone()), expected);
    assert_eq!(Group::try_from(expected.clone()).unwrap(), group);
    assert_eq!(Group::from_json(&expected).unwrap(), group);

    assert_eq!(group.display_name, "Tour Guides");
    assert_eq!(group.members.len(), 2);
    assert_eq!(group.members[1].display.as_deref(), Some("Mandy Pepperidge"));
    assert_eq!(
        group.members[0].ref_.as_deref(),
        Some("https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646")
    );
}

/// Every RFC 7643 §8 example normalises without loss (read-only values aside: `id`, `meta`,
/// `groups`, the manager's `displayName`), validates against its schemas, and projects back to
/// itself minus the password.
#[test]
fn rfc7643_examples_normalise_validate_and_project_back() {
    use scimkit_core::{
        Compatibility, Projection, Registry, normalize_resource, validate_resource,
    };

    let registry = Registry::standard();
    for (resource_type, fixture) in
        [("User", USER_MINIMAL), ("User", USER_FULL), ("User", ENTERPRISE_USER), ("Group", GROUP)]
    {
        let schema = registry.resource_type_schema(resource_type).unwrap();
        let original: Value = serde_json::from_str(fixture).unwrap();
        for compat in [Compatibility::default(), Compatibility::strict()] {
            let mut normalized = normalize_resource(&schema, original.clone(), &compat).unwrap();
            validate_resource(&schema, &normalized).unwrap();
            // Put back what normalisation drops as read-only, as a store would hold it.
            for read_only in ["id", "meta", "groups"] {
                if let Some(value) = original.get(read_only) {
                    normalized.insert(read_only.to_owned(), value.clone());
                }
            }
            let mut expected = original.as_object().unwrap().clone();
            expected.remove("password");
            // The manager's `displayName` is read-only: the server's to fill in, not the client's.
            if let Some(Value::Object(manager)) =
                expected.get_mut(ENTERPRISE_URN).and_then(|e| e.get_mut("manager"))
            {
                manager.remove("displayName");
            }
            let projected = Projection::default_view(&schema).apply(&normalized);
            assert_eq!(
                Value::Object(projected),
                Value::Object(expected),
                "{resource_type}: {fixture}"
            );
        }
    }
}
