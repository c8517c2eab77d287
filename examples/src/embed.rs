//! The SCIM service inside an axum application, through the `tower` adapter.

use axum::Router;
use axum::routing::get;
use scimkit_core::http::ScimService;

/// An axum application with its own routes (`GET /health`) and the SCIM service nested at
/// `/scim/v2`.
///
/// axum's `nest_service` strips the `/scim/v2` prefix before the request reaches the SCIM
/// service, so build the service *without* a `base_path` and with a `base_url` that ends in
/// `/scim/v2` (the public URL clients use), so that `meta.location` and `Location` are right.
///
/// # Examples
///
/// ```
/// use scimkit_core::ServiceConfig;
/// use scimkit_core::http::{BearerTokens, Principal, Tenancy};
///
/// let tokens = BearerTokens::new().with_token("s3cret", Principal::new("default", "demo"));
/// let service =
///     scimkit_examples::in_memory_service(tokens, "", Tenancy::ByPrincipal, ServiceConfig::default())?;
/// let app: axum::Router = scimkit_examples::axum_app(service);
/// # let _ = app;
/// # Ok::<(), scimkit_core::Error>(())
/// ```
pub fn axum_app(service: ScimService) -> Router {
    Router::new().route("/health", get(health)).nest_service("/scim/v2", service.into_tower())
}

async fn health() -> &'static str {
    "ok\n"
}
