//! Any JSON body as a User or a Group: normalisation and validation never panic, and a
//! normalised resource normalises to itself.

#![no_main]

use libfuzzer_sys::fuzz_target;
use scimkit_core::{Compatibility, Registry, normalize_resource, validate_resource};

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let registry = Registry::standard();
    for resource_type in ["User", "Group"] {
        let schema = registry.resource_type_schema(resource_type).expect("a standard type");
        for compat in [Compatibility::default(), Compatibility::strict()] {
            let Ok(resource) = normalize_resource(&schema, body.clone(), &compat) else { continue };
            let _ = validate_resource(&schema, &resource);
            let again = normalize_resource(&schema, resource.clone().into(), &compat)
                .expect("a normalised resource normalises again");
            assert_eq!(again, resource, "normalisation is idempotent");
        }
    }
});
