//! Any request to the protocol service: no panic, no 5xx (but the 501 of `/Me`, which has no
//! subject here), and every body is JSON with the SCIM media type. The input's first byte picks the method, the bytes up to the first NUL the path
//! and query, the rest the body.

#![no_main]

#[path = "support.rs"]
mod support;

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use scimkit_core::ResourceManager;
use scimkit_core::http::{BearerTokens, Principal, ScimService};
use scimkit_store_memory::InMemoryStore;

use support::ready;

const METHODS: [&str; 6] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];

fn service() -> &'static ScimService {
    static SERVICE: OnceLock<ScimService> = OnceLock::new();
    SERVICE.get_or_init(|| {
        let manager =
            ResourceManager::builder(Arc::new(InMemoryStore::new())).build().expect("manager");
        let tokens = BearerTokens::new().with_token("t", Principal::new("fuzz", "fuzz"));
        let service = ScimService::builder(manager, tokens).base_path("/scim/v2").build();
        let seed = [
            (
                "/scim/v2/Users",
                r#"{"userName":"bjensen","emails":[{"value":"b@example.com","type":"work"}]}"#,
            ),
            ("/scim/v2/Groups", r#"{"displayName":"Tour Guides"}"#),
        ];
        for (path, body) in seed {
            let request = http::Request::post(path)
                .header("Authorization", "Bearer t")
                .body(body.as_bytes().to_vec())
                .expect("request");
            ready(service.handle(request));
        }
        service
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let method = METHODS[usize::from(first) % METHODS.len()];
    let (target, body) = match rest.iter().position(|&b| b == 0) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let Ok(target) = std::str::from_utf8(target) else { return };
    let uri = format!("/scim/v2/{}", target.trim_start_matches('/'));
    let Ok(request) = http::Request::builder()
        .method(method)
        .uri(uri.as_str())
        .header("Authorization", "Bearer t")
        .header("Content-Type", "application/scim+json")
        .body(body.to_vec())
    else {
        return;
    };
    let response = ready(service().handle(request));
    let status = response.status().as_u16();
    assert!(status < 500 || status == 501, "{method} {uri}: {status}");
    if !response.body().is_empty() {
        serde_json::from_slice::<serde_json::Value>(response.body()).expect("a JSON body");
        assert_eq!(response.headers()["content-type"], "application/scim+json");
    }
});
