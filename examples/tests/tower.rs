//! The tower adapter (what axum embeds) refuses a request by its head, without reading a
//! body the client may never finish.

#![allow(clippy::unwrap_used, reason = "test code: a failure is a failed test")]

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::Request;
use hyper::body::{Body, Frame};
use scimkit_core::ServiceConfig;
use scimkit_core::http::{BearerTokens, Principal, Tenancy};
use tower_service::Service;

/// A body whose bytes never come.
struct Stalled;

impl Body for Stalled {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Pending
    }
}

#[tokio::test]
async fn a_request_without_credentials_is_refused_before_its_body_is_read() {
    let tokens = BearerTokens::new().with_token("s3cret", Principal::new("acme", "test"));
    let service = scimkit_examples::in_memory_service(
        tokens,
        "/scim/v2",
        Tenancy::ByPrincipal,
        ServiceConfig::default(),
    )
    .unwrap();
    let mut tower = service.into_tower();
    for authorization in [None, Some("Bearer wrong")] {
        let mut request = Request::builder()
            .method("POST")
            .uri("/scim/v2/Users")
            .header("Content-Type", "application/scim+json")
            .header("Content-Length", "1048576");
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        let answered = tokio::time::timeout(
            Duration::from_secs(5),
            tower.call(request.body(Stalled).unwrap()),
        )
        .await
        .expect("the refusal waited for the body");
        let response = answered.unwrap();
        assert_eq!(response.status(), 401);
        assert!(response.headers().contains_key("www-authenticate"));
    }
    // With credentials, the body is read (and here never arrives).
    let request = Request::builder()
        .method("POST")
        .uri("/scim/v2/Users")
        .header("Authorization", "Bearer s3cret")
        .body(Stalled)
        .unwrap();
    let waited = tokio::time::timeout(Duration::from_millis(200), tower.call(request)).await;
    assert!(waited.is_err(), "an authenticated request waits for its body");
}
