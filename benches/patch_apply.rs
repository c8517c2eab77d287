//! Applying an Entra ID-style PATCH to the full Enterprise User of RFC 7643 §8.3.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use scimkit_core::{
    Compatibility, JsonObject, PatchRequest, Registry, ResourceTypeSchema, apply_patch,
    apply_patch_owned, normalize_resource,
};
use serde_json::{Value, json};

/// The RFC 7643 §8.3 Enterprise User, as a client would create it.
const ENTERPRISE_USER: &str =
    include_str!("../scim-core/tests/fixtures/rfc7643/enterprise_user.json");

/// The stored form of the fixture: normalised, with the server's `id` and `meta` back.
#[allow(clippy::expect_used)] // The fixture is a constant known to be valid.
fn stored_user(schema: &ResourceTypeSchema<'_>) -> JsonObject {
    let input: Value = serde_json::from_str(ENTERPRISE_USER).expect("valid JSON");
    let mut user =
        normalize_resource(schema, input.clone(), &Compatibility::default()).expect("a valid user");
    user.insert("id".to_owned(), input["id"].clone());
    user.insert("meta".to_owned(), input["meta"].clone());
    user
}

/// Five operations, as Microsoft Entra ID sends them on a change.
#[allow(clippy::expect_used)] // The request is a constant known to be valid.
fn entra_request() -> PatchRequest {
    serde_json::from_value(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            { "op": "Replace", "path": "active", "value": "False" },
            {
                "op": "Replace",
                "path": "emails[type eq \"work\"].value",
                "value": "babs@example.org"
            },
            { "op": "Replace", "path": "name.givenName", "value": "Babs" },
            {
                "op": "Replace",
                "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                "value": "Finance"
            },
            {
                "op": "Add",
                "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
                "value": { "value": "26118915-6090-4610-87e4-49d8ca9f808e" }
            }
        ]
    }))
    .expect("a valid PATCH request")
}

#[allow(clippy::expect_used)] // The built-in registry has the User type.
fn patch_apply(c: &mut Criterion) {
    let registry = Registry::standard();
    let schema = registry.resource_type_schema("User").expect("the User resource type");
    let user = stored_user(&schema);
    let request = entra_request();
    let compat = Compatibility::default();
    assert!(
        apply_patch(&schema, &user, &request, &compat).is_ok_and(|outcome| outcome.changed),
        "the PATCH applies"
    );
    let mut group = c.benchmark_group("patch_apply");
    group.bench_function("entra_5_ops", |b| {
        b.iter(|| apply_patch(&schema, black_box(&user), black_box(&request), &compat))
    });
    // The floor: the copy of the resource that every PATCH returns (and its drop).
    // What the resource manager runs: the stored copy it just read is patched in place.
    group.bench_function("entra_5_ops_owned", |b| {
        b.iter_batched(
            || user.clone(),
            |owned| apply_patch_owned(&schema, owned, black_box(&request), &compat),
            criterion::BatchSize::SmallInput,
        )
    });
    group.bench_function("baseline_clone", |b| b.iter(|| black_box(&user).clone()));
    group.finish();
}

criterion_group!(benches, patch_apply, patch_large_group);
criterion_main!(benches);

/// A group and a PATCH that both double: `n` members, `n / 10` adds of one member each, a
/// removal of `n / 2` listed members and `n / 10` removals of one member by value filter. The time must double with them, not quadruple.
#[allow(clippy::unwrap_used)] // The group and the request are built here and known valid.
fn patch_large_group(c: &mut Criterion) {
    let registry = Registry::standard();
    let schema = registry.resource_type_schema("Group").unwrap();
    let mut group = c.benchmark_group("patch_large_group");
    for n in [5_000, 10_000, 20_000] {
        let members: Vec<Value> = (0..n).map(|m| json!({ "value": format!("m{m}") })).collect();
        let stored = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "id": "g1", "displayName": "All", "members": members
        });
        let stored = stored.as_object().unwrap().clone();
        let mut ops: Vec<Value> = (0..n / 10)
            .map(|m| json!({ "op": "add", "path": "members", "value": [{ "value": format!("new{m}") }] }))
            .collect();
        let listed: Vec<Value> = (0..n / 2).map(|m| json!({ "value": format!("m{m}") })).collect();
        ops.push(json!({ "op": "remove", "path": "members", "value": listed }));
        // One member at a time by value filter, as Okta and Entra ID also remove them.
        ops.extend(
            (n / 2..n / 2 + n / 10)
                .map(|m| json!({ "op": "remove", "path": format!("members[value eq \"m{m}\"]") })),
        );
        let request: PatchRequest = serde_json::from_value(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops
        }))
        .unwrap();
        let compat = Compatibility::default();
        group.bench_function(n.to_string(), |b| {
            b.iter(|| apply_patch(&schema, black_box(&stored), black_box(&request), &compat))
        });
    }
    group.finish();
}
