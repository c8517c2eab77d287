//! Projecting a stored resource for a response (`attributes`, `excludedAttributes`, `returned`):
//! the RFC 7643 §8.3 Enterprise User, next to a plain clone of it.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use scimkit_core::{Compatibility, JsonObject, Projection, Registry, normalize_resource};
use serde_json::Value;

const ENTERPRISE_USER: &str =
    include_str!("../scim-core/tests/fixtures/rfc7643/enterprise_user.json");

/// The RFC's Enterprise User as a store holds it: normalised, with the read-only `id`, `meta`
/// and `groups` put back.
#[allow(clippy::expect_used)] // The fixture is a constant known to be valid.
fn stored_user(registry: &Registry) -> JsonObject {
    let raw: Value = serde_json::from_str(ENTERPRISE_USER).expect("the fixture is JSON");
    let users = registry.resource_type_schema("User").expect("the standard User type");
    let mut user = normalize_resource(&users, raw.clone(), &Compatibility::default())
        .expect("the fixture is a valid user");
    for key in ["id", "meta", "groups"] {
        if let Some(value) = raw.get(key) {
            user.insert(key.to_owned(), value.clone());
        }
    }
    user
}

#[allow(clippy::expect_used)] // The lists are constants known to be valid.
fn projection(c: &mut Criterion) {
    let registry = Registry::standard();
    let users = registry.resource_type_schema("User").expect("the standard User type");
    let user = stored_user(&registry);
    let default_view = Projection::default_view(&users);
    let only = Projection::new(&users, &["userName".to_owned(), "emails.value".to_owned()], &[])
        .expect("valid attribute paths");

    let mut group = c.benchmark_group("projection_enterprise_user");
    group.bench_function("clone", |b| b.iter(|| black_box(&user).clone()));
    group.bench_function("default_view", |b| b.iter(|| default_view.apply(black_box(&user))));
    group.bench_function("attributes_user_name_emails_value", |b| {
        b.iter(|| only.apply(black_box(&user)))
    });
    group.bench_function("build_attributes_user_name_emails_value", |b| {
        let list = ["userName".to_owned(), "emails.value".to_owned()];
        b.iter(|| Projection::new(&users, black_box(&list), &[]))
    });
    group.finish();
}

criterion_group!(benches, projection);
criterion_main!(benches);
