//! Tenant isolation under a randomized multi-tenant workload, checked against an oracle: ids of
//! one tenant are 404 in every other, filters and lists never cross tenants, and the same
//! userName may exist once in each tenant.

use std::collections::BTreeMap;
use std::sync::Arc;

use scimkit_core::ResourceManager;
use scimkit_core::http::{BearerTokens, Principal, ScimService};
use scimkit_store_memory::InMemoryStore;
use serde_json::{Value, json};

const TENANTS: usize = 4;

fn token(tenant: usize) -> String {
    format!("token-of-tenant-{tenant}")
}

async fn call(
    service: &ScimService,
    tenant: usize,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("/scim/v2{path}"))
        .header("Authorization", format!("Bearer {}", token(tenant)));
    if body.is_some() {
        request = request.header("Content-Type", "application/scim+json");
    }
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let response = service.handle(request.body(bytes).unwrap()).await;
    let status = response.status().as_u16();
    let body = if response.body().is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(response.body()).unwrap()
    };
    (status, body)
}

/// xorshift: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[tokio::test]
async fn randomized_multi_tenant_workload_never_crosses_tenants() {
    let mut tokens = BearerTokens::new();
    for tenant in 0..TENANTS {
        tokens.insert(
            token(tenant),
            Principal::new(format!("tenant-{tenant}"), format!("client {tenant}")),
        );
    }
    let manager = ResourceManager::builder(Arc::new(InMemoryStore::new())).build().unwrap();
    let service = ScimService::builder(manager, tokens).base_path("/scim/v2").build();

    // Oracle: per tenant, id -> (userName, title).
    let mut oracle: Vec<BTreeMap<String, (String, u64)>> = vec![BTreeMap::new(); TENANTS];
    let mut every_id: Vec<(usize, String)> = Vec::new();
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    for step in 0..3000 {
        let tenant = rng.below(TENANTS);
        match rng.below(10) {
            0..=2 => {
                // Names repeat across tenants on purpose: uniqueness is per tenant.
                let name = format!("user{}", rng.below(40));
                let exists = oracle[tenant].values().any(|(n, _)| *n == name);
                let (status, body) = call(
                    &service,
                    tenant,
                    "POST",
                    "/Users",
                    Some(json!({ "userName": name, "title": "0" })),
                )
                .await;
                if exists {
                    assert_eq!(status, 409, "step {step}: duplicate in tenant {tenant}");
                } else {
                    assert_eq!(status, 201, "step {step}: {body}");
                    let id = body["id"].as_str().unwrap().to_owned();
                    oracle[tenant].insert(id.clone(), (name, 0));
                    every_id.push((tenant, id));
                }
            }
            3..=5 if !every_id.is_empty() => {
                // Read an id, possibly another tenant's.
                let (owner, id) = every_id[rng.below(every_id.len())].clone();
                let (status, body) =
                    call(&service, tenant, "GET", &format!("/Users/{id}"), None).await;
                let visible = owner == tenant && oracle[tenant].contains_key(&id);
                assert_eq!(
                    status,
                    if visible { 200 } else { 404 },
                    "step {step}: tenant {tenant} reads {owner}'s {id}: {body}"
                );
                if visible {
                    assert_eq!(body["title"], oracle[tenant][&id].1.to_string());
                }
            }
            6 if !every_id.is_empty() => {
                // Write an id, possibly another tenant's.
                let (owner, id) = every_id[rng.below(every_id.len())].clone();
                let title = step as u64;
                let patch = json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{ "op": "replace", "path": "title", "value": title.to_string() }] });
                let (status, _) =
                    call(&service, tenant, "PATCH", &format!("/Users/{id}"), Some(patch)).await;
                if owner == tenant && oracle[tenant].contains_key(&id) {
                    assert_eq!(status, 200, "step {step}");
                    oracle[tenant].get_mut(&id).unwrap().1 = title;
                } else {
                    assert_eq!(status, 404, "step {step}: tenant {tenant} patched {owner}'s {id}");
                }
            }
            7 if !every_id.is_empty() => {
                let (owner, id) = every_id[rng.below(every_id.len())].clone();
                let (status, _) =
                    call(&service, tenant, "DELETE", &format!("/Users/{id}"), None).await;
                if owner == tenant && oracle[tenant].remove(&id).is_some() {
                    assert_eq!(status, 204, "step {step}");
                } else {
                    assert_eq!(status, 404, "step {step}: tenant {tenant} deleted {owner}'s {id}");
                }
            }
            _ => {
                // A filter sees exactly this tenant's matches.
                let name = format!("user{}", rng.below(40));
                let (status, body) = call(
                    &service,
                    tenant,
                    "GET",
                    &format!("/Users?filter=userName+eq+%22{name}%22"),
                    None,
                )
                .await;
                assert_eq!(status, 200);
                let expected: Vec<&String> = oracle[tenant]
                    .iter()
                    .filter(|(_, (n, _))| *n == name)
                    .map(|(id, _)| id)
                    .collect();
                let found: Vec<&str> = body["Resources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["id"].as_str().unwrap())
                    .collect();
                assert_eq!(found, expected, "step {step}: filter in tenant {tenant}");
            }
        }
    }
    for (tenant, expected) in oracle.iter().enumerate() {
        let (_, body) = call(&service, tenant, "GET", "/Users?count=1000", None).await;
        let listed: BTreeMap<String, (String, u64)> = body["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let id = r["id"].as_str().unwrap().to_owned();
                let name = r["userName"].as_str().unwrap().to_owned();
                let title = r["title"].as_str().unwrap().parse().unwrap();
                (id, (name, title))
            })
            .collect();
        assert_eq!(&listed, expected, "tenant {tenant}'s list is exactly its own resources");
    }
}
