//! A protocol service on the in-memory store with a fixed clock and predictable ids, and a
//! small client for it.

use std::sync::Arc;

use scimkit_core::http::{BearerTokens, Principal, ScimService};
use scimkit_core::{ManualClock, Registry, ResourceManager, SequentialIds, ServiceConfig};
use scimkit_store_memory::InMemoryStore;
use serde_json::Value;

pub(crate) const TOKEN: &str = "entra-secret-token";
pub(crate) const BASE: &str = "https://app.example.com/scim/v2";

pub(crate) struct Client {
    pub(crate) service: ScimService,
}

/// A response: status, headers and JSON body (`Value::Null` when empty).
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: Value,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub(crate) fn expect(self, status: u16) -> Self {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.body);
        self
    }
}

impl Client {
    pub(crate) fn new() -> Self {
        Self::with_config(ServiceConfig::default())
    }

    pub(crate) fn with_config(config: ServiceConfig) -> Self {
        Self::with_registry(config, Registry::standard())
    }

    /// A client of a service with `config` serving the types and schemas of `registry`.
    pub(crate) fn with_registry(config: ServiceConfig, registry: Registry) -> Self {
        Self::with_clock(config, registry, Arc::new(ManualClock::at_unix_seconds(1_700_000_000)))
    }

    /// The same, on `clock`.
    pub(crate) fn with_clock(
        config: ServiceConfig,
        registry: Registry,
        clock: Arc<ManualClock>,
    ) -> Self {
        let store = Arc::new(InMemoryStore::new());
        let manager = ResourceManager::builder(store)
            .clock(clock)
            .ids(Arc::new(SequentialIds::new("id")))
            .config(config)
            .registry(registry)
            .build()
            .unwrap();
        let tokens = BearerTokens::new().with_token(TOKEN, Principal::new("tenant-1", "Entra ID"));
        let service =
            ScimService::builder(manager, tokens).base_path("/scim/v2").base_url(BASE).build();
        Self { service }
    }

    pub(crate) async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.send_with(method, path, body, &[]).await
    }

    pub(crate) async fn send_with(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = http::Request::builder()
            .method(method)
            .uri(format!("/scim/v2{path}"))
            .header("Authorization", format!("Bearer {TOKEN}"))
            .header("Host", "app.example.com");
        if body.is_some() {
            request = request.header("Content-Type", "application/scim+json");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let bytes = body.map(|b| serde_json::to_vec(&b).unwrap()).unwrap_or_default();
        let response = self.service.handle(request.body(bytes).unwrap()).await;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = if response.body().is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(response.body()).unwrap()
        };
        if !body.is_null() {
            assert_eq!(
                headers.get("content-type").unwrap(),
                "application/scim+json",
                "every SCIM body is application/scim+json"
            );
        }
        Reply { status, headers, body }
    }

    pub(crate) async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> Reply {
        self.send("POST", path, Some(body)).await
    }

    pub(crate) async fn put(&self, path: &str, body: Value) -> Reply {
        self.send("PUT", path, Some(body)).await
    }

    pub(crate) async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send("PATCH", path, Some(body)).await
    }

    pub(crate) async fn delete(&self, path: &str) -> Reply {
        self.send("DELETE", path, None).await
    }

    /// Stores users with the ids `ids` directly (no request, no event): members to put in
    /// groups, many at once.
    pub(crate) async fn seed_users(&self, ids: impl IntoIterator<Item = String>) {
        use scimkit_core::{ResourceStoreExt, Scope, StoreKeys};

        let manager = self.service.manager();
        let schema = manager.registry().resource_type_schema("User").unwrap();
        let keys = StoreKeys::for_type(&schema);
        let scope = Scope::new("tenant-1", "User", &keys);
        for id in ids {
            let user = serde_json::json!({ "id": id, "userName": id });
            let Value::Object(user) = user else { unreachable!() };
            manager.store().create(scope, user).await.unwrap();
        }
    }

    /// The stored resource as the service returns it on GET.
    pub(crate) async fn stored(&self, path: &str) -> Value {
        self.get(path).await.expect(200).body
    }
}

/// A PATCH body with the given operations.
pub(crate) fn patch_op(operations: Value) -> Value {
    serde_json::json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": operations
    })
}
