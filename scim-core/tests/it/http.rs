//! The protocol service through `ScimService::handle`, on the in-memory store.

#![allow(clippy::unwrap_used, reason = "test helpers: a failure is a failed test")]

use std::sync::Arc;

use http::{Method, Request, Response, StatusCode, header};
use scim_core::ResourceManager;
use scim_core::http::{BearerTokens, Principal, SCIM_MEDIA_TYPE, ScimService};

fn service() -> ScimService {
    let store = Arc::new(scim_store_memory::InMemoryStore::new());
    let manager = ResourceManager::builder(store).build().unwrap();
    let tokens = BearerTokens::new().with_token("t", Principal::new("acme", "test"));
    ScimService::builder(manager, tokens).base_path("/scim/v2").build()
}

fn run(service: &ScimService, method: Method, uri: &str) -> Response<Vec<u8>> {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, "Bearer t")
        .body(Vec::new())
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(service.handle(request))
}

#[test]
fn head_is_allowed_wherever_get_is() {
    let service = service();
    for uri in ["/scim/v2/Users", "/scim/v2/Groups?filter=displayName+pr", "/scim/v2/Schemas"] {
        let response = run(&service, Method::HEAD, uri);
        assert_eq!(response.status(), StatusCode::OK, "HEAD {uri}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], SCIM_MEDIA_TYPE);
    }
    let response = run(&service, Method::PUT, "/scim/v2/Users");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()[header::ALLOW], "GET, POST");
}
