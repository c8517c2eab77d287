//! Any PATCH request on a full enterprise user: no panic; a failure leaves the input as it was
//! (it is borrowed); a success is a valid resource that normalises to itself.

#![no_main]

use libfuzzer_sys::fuzz_target;
use scimkit_core::{Compatibility, PatchRequest, Registry, apply_patch, normalize_resource, validate_resource};

const USER: &str = include_str!("../../scim-core/tests/fixtures/rfc7643/enterprise_user.json");

fuzz_target!(|data: &[u8]| {
    let Ok(request) = serde_json::from_slice::<PatchRequest>(data) else { return };
    let registry = Registry::standard();
    let users = registry.resource_type_schema("User").expect("the User type");
    for compat in [Compatibility::default(), Compatibility::strict()] {
        let user = serde_json::from_str(USER).expect("the fixture parses");
        let user = normalize_resource(&users, user, &compat).expect("the fixture normalises");
        let before = serde_json::to_vec(&user).expect("serialises");
        match apply_patch(&users, &user, &request, &compat) {
            Ok(outcome) => {
                validate_resource(&users, &outcome.resource).expect("a patched resource is valid");
                let again = normalize_resource(&users, outcome.resource.clone().into(), &Compatibility::default())
                    .expect("a patched resource normalises");
                let mut expected = outcome.resource.clone();
                for read_only in ["id", "meta", "groups"] {
                    expected.remove(read_only);
                }
                assert_eq!(again, expected, "a patched resource is in canonical form");
            }
            Err(error) => {
                assert!(error.scim_type().is_some(), "a PATCH error has a scimType: {error}");
            }
        }
        assert_eq!(serde_json::to_vec(&user).expect("serialises"), before, "the input is untouched");
    }
});
