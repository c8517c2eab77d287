//! The protocol service in process: `ScimService::handle` for the requests a provisioning
//! client sends most (GET by `userName eq` filter, POST, PATCH), on the in-memory store with
//! 1,000 users, without any network; and a Bulk request of chained `bulkId` references whose
//! length doubles.

use std::cell::Cell;
use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use scimkit_benches::service_request;
use scimkit_core::ResourceManager;
use scimkit_core::http::{BearerTokens, Principal, ScimService};
use scimkit_store_memory::InMemoryStore;
use serde_json::json;

const TOKEN: &str = "bench-token";

fn user(n: usize) -> Vec<u8> {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": format!("user{n}"),
        "active": true,
        "name": { "givenName": format!("Given{n}"), "familyName": "Family" },
        "emails": [{ "type": "work", "value": format!("user{n}@example.com"), "primary": true }],
    })
    .to_string()
    .into_bytes()
}

#[allow(clippy::expect_used, clippy::unwrap_used)] // Set-up with constants known to be valid.
fn http_handle(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
    let manager =
        ResourceManager::builder(Arc::new(InMemoryStore::new())).build().expect("manager");
    let tokens = BearerTokens::new().with_token(TOKEN, Principal::new("default", "bench"));
    let service = ScimService::builder(manager, tokens).base_path("/scim/v2").build();
    let mut patch_target = String::new();
    for n in 0..1000 {
        let response =
            runtime.block_on(service.handle(service_request("POST", "/scim/v2/Users", user(n))));
        assert_eq!(response.status(), 201);
        if n == 500 {
            let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
            patch_target = body["id"].as_str().unwrap().to_owned();
        }
    }

    let mut group = c.benchmark_group("http_handle");
    let uri = "/scim/v2/Users?filter=userName%20eq%20%22user500%22";
    group.bench_function("get_by_filter", |b| {
        b.iter(|| {
            let response =
                runtime.block_on(service.handle(service_request("GET", uri, Vec::new())));
            debug_assert_eq!(response.status(), 200);
            black_box(response)
        })
    });

    let next = Cell::new(1000);
    group.bench_function("post", |b| {
        b.iter(|| {
            let n = next.replace(next.get() + 1);
            let response = runtime.block_on(service.handle(service_request(
                "POST",
                "/scim/v2/Users",
                user(n),
            )));
            debug_assert_eq!(response.status(), 201);
            black_box(response)
        })
    });

    let path = format!("/scim/v2/Users/{patch_target}");
    let flip = Cell::new(false);
    group.bench_function("patch", |b| {
        b.iter(|| {
            let active = flip.replace(!flip.get());
            let body = json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    { "op": "Replace", "path": "active", "value": if active { "True" } else { "False" } },
                    { "op": "Replace", "path": "name.givenName", "value": if active { "Ann" } else { "Anna" } },
                ]
            });
            let response =
                runtime.block_on(service.handle(service_request("PATCH", &path, body.to_string().into_bytes())));
            debug_assert_eq!(response.status(), 200);
            black_box(response)
        })
    });
    group.finish();
}

/// A Bulk request of `n` groups, each listing the next as a member by `bulkId` (a chain of
/// forward references, resolved last to first), for `n` doubling: the time must double with
/// it, not quadruple.
#[allow(clippy::expect_used)] // Set-up with constants known to be valid.
fn bulk_chain(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
    let mut group = c.benchmark_group("bulk_chain");
    group.sample_size(20);
    for n in [250, 500, 1000] {
        let operations: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                let mut data = json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                    "displayName": format!("g{i}"),
                });
                if i + 1 < n {
                    data["members"] = json!([{ "value": format!("bulkId:g{}", i + 1) }]);
                }
                json!({ "method": "POST", "path": "/Groups", "bulkId": format!("g{i}"), "data": data })
            })
            .collect();
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
            "Operations": operations,
        })
        .to_string()
        .into_bytes();
        group.bench_function(n.to_string(), |b| {
            b.iter_batched(
                || {
                    let store = Arc::new(InMemoryStore::new());
                    let manager = ResourceManager::builder(store).build().expect("manager");
                    let tokens =
                        BearerTokens::new().with_token(TOKEN, Principal::new("default", "bench"));
                    let service =
                        ScimService::builder(manager, tokens).base_path("/scim/v2").build();
                    (service, service_request("POST", "/scim/v2/Bulk", body.clone()))
                },
                |(service, request)| {
                    let response = runtime.block_on(service.handle(request));
                    assert_eq!(response.status(), 200);
                    black_box(response)
                },
                criterion::BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, http_handle, bulk_chain);
criterion_main!(benches);
