//! The SCIM protocol service on `http` types.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};
use tracing::Instrument;

use super::auth::{Authenticator, Authorizer, Principal};
use super::facts::Facts;
use super::json::parse_body;
use super::operation::{Operation, OperationKind};
use super::query::parse_query;
use super::rate::{RateLimit, RateLimiter};
use super::route::{Route, Target, route};
use super::{bulk, discovery};
use crate::error::{Error, Result};
use crate::event::Origin;
use crate::manager::ResourceManager;
use crate::message::{ListResponse, PatchRequest, SearchRequest, SortOrder};
use crate::sort::SortKey;
use crate::store::{Page, StoredResource, Version};

/// The media type of SCIM messages (RFC 7644 §3.1).
pub const SCIM_MEDIA_TYPE: &str = "application/scim+json";

/// Where a request's tenant comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Tenancy {
    /// The authenticated principal's tenant (one token per tenant). The default.
    #[default]
    ByPrincipal,
    /// A path segment after the base path (`/scim/v2/{tenant}/Users`); the principal's tenant
    /// must match it.
    PathSegment,
}

/// Who may read the discovery endpoints (`/ServiceProviderConfig`, `/ResourceTypes`,
/// `/Schemas`). RFC 7644 §4 leaves their protection to the service provider: clients such as
/// Entra ID and Okta always send their token, and a public answer reveals only what the service
/// supports, never a tenant's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DiscoveryAccess {
    /// Served without credentials (under [`Tenancy::PathSegment`], only for a tenant the
    /// [`Authenticator`] knows). The default.
    #[default]
    Public,
    /// Authenticated like every other endpoint: 401 without a valid credential (for the
    /// tenant of the path, under [`Tenancy::PathSegment`]).
    Authenticated,
}

/// A SCIM 2.0 service provider on `http::Request` / `http::Response`: every endpoint of
/// RFC 7644 over a [`ResourceManager`], with authentication and authorisation hooks. It does
/// no I/O of its own, so any HTTP stack can serve it (see the `tower` feature for axum and
/// hyper).
///
/// Cloning is cheap and shares the service.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use std::sync::Arc;
/// use scimkit_core::ResourceManager;
/// use scimkit_core::http::{BearerTokens, Principal, ScimService};
/// use scimkit_store_memory::InMemoryStore;
///
/// let manager = ResourceManager::builder(Arc::new(InMemoryStore::new())).build()?;
/// let tokens = BearerTokens::new().with_token("s3cret", Principal::new("acme", "Entra ID"));
/// let service = ScimService::builder(manager, tokens).base_path("/scim/v2").build();
///
/// let request = http::Request::get("/scim/v2/Users?filter=userName+eq+%22nobody%22")
///     .header("Authorization", "Bearer s3cret")
///     .body(Vec::new())?;
/// let response = service.handle(request).await;
/// assert_eq!(response.status(), 200);
/// let body: serde_json::Value = serde_json::from_slice(response.body())?;
/// assert_eq!(body["totalResults"], 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct ScimService {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    manager: ResourceManager,
    authenticator: Box<dyn Authenticator>,
    authorizer: Option<Box<dyn Authorizer>>,
    base_path: String,
    base_url: Option<String>,
    tenancy: Tenancy,
    discovery: DiscoveryAccess,
    documentation_uri: Option<String>,
    rate_limiter: Option<RateLimiter>,
}

impl fmt::Debug for ScimService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScimService")
            .field("manager", &self.inner.manager)
            .field("authenticator", &self.inner.authenticator)
            .field("base_path", &self.inner.base_path)
            .field("tenancy", &self.inner.tenancy)
            .finish_non_exhaustive()
    }
}

/// Builds a [`ScimService`].
#[derive(Debug)]
pub struct ScimServiceBuilder {
    inner: Inner,
}

impl ScimServiceBuilder {
    /// The path the service is mounted at (`/scim/v2`); requests outside it get 404. Default:
    /// the root.
    #[must_use]
    pub fn base_path(mut self, path: &str) -> Self {
        let path = path.trim().trim_end_matches('/');
        self.inner.base_path = if path.is_empty() || path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        self
    }

    /// The absolute URL clients reach the base path at (`https://scim.example.com/scim/v2`),
    /// for `meta.location` and `Location`. Default: built from each request's `Host` header
    /// (and `X-Forwarded-Proto`) and the base path.
    #[must_use]
    pub fn base_url(mut self, url: &str) -> Self {
        self.inner.base_url = Some(url.trim_end_matches('/').to_owned());
        self
    }

    /// Where the tenant comes from (default [`Tenancy::ByPrincipal`]).
    #[must_use]
    pub fn tenancy(mut self, tenancy: Tenancy) -> Self {
        self.inner.tenancy = tenancy;
        self
    }

    /// Who may read the discovery endpoints (default [`DiscoveryAccess::Public`]).
    #[must_use]
    pub fn discovery_access(mut self, access: DiscoveryAccess) -> Self {
        self.inner.discovery = access;
        self
    }

    /// A hook that decides whether a principal may perform an operation (403 if not).
    #[must_use]
    pub fn authorizer(mut self, authorizer: impl Authorizer) -> Self {
        self.inner.authorizer = Some(Box::new(authorizer));
        self
    }

    /// Limits each tenant's requests (429 with `Retry-After` past the limit; see
    /// [`RateLimit`]). Default: no limit.
    #[must_use]
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.inner.rate_limiter = Some(RateLimiter::new(limit));
        self
    }

    /// The `documentationUri` of `/ServiceProviderConfig`.
    #[must_use]
    pub fn documentation_uri(mut self, uri: &str) -> Self {
        self.inner.documentation_uri = Some(uri.to_owned());
        self
    }

    /// Builds the service.
    pub fn build(self) -> ScimService {
        ScimService { inner: Arc::new(self.inner) }
    }
}

/// What one request resolved to before its operation runs.
pub(crate) struct Call<'a> {
    pub(crate) service: &'a ScimService,
    pub(crate) principal: Principal,
    /// The absolute base URL (with the tenant segment in path tenancy).
    pub(crate) base: String,
    /// The request's id, shared by the events of every change it makes.
    pub(crate) request_id: String,
}

/// What a request's head resolved to (see `ScimService::resolve`).
enum Resolved {
    /// A discovery endpoint, served to whoever [`DiscoveryAccess`] lets in.
    Discovery { route: Route, base: String },
    /// Any other endpoint, for this principal.
    Authenticated { route: Route, principal: Principal, base: String },
}

/// The span of one request, as [`ScimService::handle`] and [`ScimService::check_head`] log it.
fn request_span(parts: &http::request::Parts) -> tracing::Span {
    tracing::info_span!(
        "scim_request",
        method = %parts.method,
        path = %parts.uri.path(),
        resource_type = tracing::field::Empty,
        tenant = tracing::field::Empty,
        request_id = tracing::field::Empty,
        status = tracing::field::Empty,
        latency_us = tracing::field::Empty,
    )
}

/// Records a request's status and latency in its span, and logs that it was handled.
fn log_handled(span: &tracing::Span, response: &Response<Vec<u8>>, started: Instant) {
    let status = response.status().as_u16();
    let latency = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    span.record("status", status);
    span.record("latency_us", latency);
    span.in_scope(|| tracing::info!(status, latency_us = latency, "handled"));
}

impl Call<'_> {
    /// Where the request's writes come from.
    pub(crate) fn origin(&self) -> Origin<'_> {
        Origin::new(&self.principal.tenant)
            .with_principal(&self.principal.name)
            .with_request_id(&self.request_id)
    }
}

impl ScimService {
    /// A builder for a service over `manager`, authenticating with `authenticator`.
    pub fn builder(
        manager: ResourceManager,
        authenticator: impl Authenticator,
    ) -> ScimServiceBuilder {
        ScimServiceBuilder {
            inner: Inner {
                manager,
                authenticator: Box::new(authenticator),
                authorizer: None,
                base_path: String::new(),
                base_url: None,
                tenancy: Tenancy::ByPrincipal,
                discovery: DiscoveryAccess::Public,
                documentation_uri: None,
                rate_limiter: None,
            },
        }
    }

    /// The resource manager behind the service.
    pub fn manager(&self) -> &ResourceManager {
        &self.inner.manager
    }

    /// Handles one request. Never fails: every error becomes an RFC 7644 error response.
    ///
    /// The body should already be limited in size by the server (the service answers 413 past
    /// `Limits::max_body_bytes`, but only after the body was read). A server should call
    /// [`check_head`](Self::check_head) before reading the body, so that a request refused
    /// whatever its body (an unauthenticated one, above all) costs no body read.
    pub async fn handle<B: AsRef<[u8]>>(&self, request: Request<B>) -> Response<Vec<u8>> {
        let started = Instant::now();
        let (parts, body) = request.into_parts();
        let span = request_span(&parts);
        let mut facts = Facts::default();
        let response =
            self.dispatch(&parts, body.as_ref(), &mut facts).instrument(span.clone()).await;
        log_handled(&span, &response, started);
        facts.record(response.status().as_u16(), started.elapsed());
        response
    }

    /// Checks a request's head before its body is read: `Err` holds the response
    /// [`handle`](Self::handle) would give this request whatever its body, so the server can
    /// send it at once and never read the body; `Ok(())` means read the body and call
    /// `handle`.
    ///
    /// A request is refused here when its path is outside the base path or names no endpoint
    /// (404, or 400 for a malformed tenant segment), when it asks a discovery endpoint with a
    /// method other than GET or HEAD (405), and when it is not authenticated (401 with the
    /// authenticator's `WWW-Authenticate` challenge and an RFC 7644 error body), including
    /// credentials for another tenant under [`Tenancy::PathSegment`]. The discovery endpoints
    /// (`/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`), which the service serves
    /// without authentication, pass. It runs the same code as `handle` up to the operation, so
    /// the two never disagree; a refusal is logged as `handle` logs a request.
    ///
    /// A request that passes is authenticated again by `handle`: the [`Authenticator`] should
    /// depend on the head alone (the built-in [`BearerTokens`](super::BearerTokens) does).
    ///
    /// # Errors
    ///
    /// The response to send (with no body read) when the request is refused.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use scimkit_core::ResourceManager;
    /// use scimkit_core::http::{BearerTokens, Principal, ScimService};
    /// use scimkit_store_memory::InMemoryStore;
    ///
    /// let manager = ResourceManager::builder(Arc::new(InMemoryStore::new())).build()?;
    /// let tokens = BearerTokens::new().with_token("s3cret", Principal::new("acme", "Entra ID"));
    /// let service = ScimService::builder(manager, tokens).base_path("/scim/v2").build();
    ///
    /// // A megabyte is on its way, without credentials: refused before it is read.
    /// let (head, _body) = http::Request::post("/scim/v2/Users")
    ///     .header("Content-Length", "1000000")
    ///     .body(())?
    ///     .into_parts();
    /// let refused = service.check_head(&head).unwrap_err();
    /// assert_eq!(refused.status(), 401);
    /// assert_eq!(refused.headers()["WWW-Authenticate"], "Bearer realm=\"SCIM\"");
    ///
    /// // With the token, or for a discovery endpoint, read the body and call `handle`.
    /// let (head, _body) = http::Request::post("/scim/v2/Users")
    ///     .header("Authorization", "Bearer s3cret")
    ///     .body(())?
    ///     .into_parts();
    /// assert!(service.check_head(&head).is_ok());
    /// let (head, _body) = http::Request::get("/scim/v2/Schemas").body(())?.into_parts();
    /// assert!(service.check_head(&head).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[allow(
        clippy::result_large_err,
        reason = "the error is the response to send; boxing it would only add an allocation"
    )]
    pub fn check_head(&self, parts: &http::request::Parts) -> Result<(), Response<Vec<u8>>> {
        let started = Instant::now();
        let span = request_span(parts);
        let mut facts = Facts::default();
        let resolved = span.in_scope(|| self.resolve(parts, &mut facts));
        match resolved {
            Ok(_) => Ok(()),
            Err(error) => {
                let response = span.in_scope(|| self.error_response(&error));
                log_handled(&span, &response, started);
                facts.failed(&error);
                facts.record(response.status().as_u16(), started.elapsed());
                Err(response)
            }
        }
    }

    async fn dispatch(
        &self,
        parts: &http::request::Parts,
        body: &[u8],
        facts: &mut Facts,
    ) -> Response<Vec<u8>> {
        match self.route_and_run(parts, body, facts).await {
            Ok(response) => response,
            Err(error) => {
                facts.failed(&error);
                self.error_response(&error)
            }
        }
    }

    /// What the head of a request resolves to: the path is stripped of the base path (and the
    /// tenant segment), routed, and, except for the discovery endpoints, authenticated. What
    /// is refused here is refused whatever the body; [`check_head`](Self::check_head) and
    /// [`route_and_run`](Self::route_and_run) both start here.
    fn resolve(&self, parts: &http::request::Parts, facts: &mut Facts) -> Result<Resolved> {
        let inner = &self.inner;
        let path = parts.uri.path();
        let not_found =
            || Error::NotFound { resource_type: "endpoint".to_owned(), id: path.to_owned() };
        let rest = strip_base(path, &inner.base_path).ok_or_else(not_found)?;
        let (path_tenant, rest) = match inner.tenancy {
            Tenancy::ByPrincipal => (None, rest),
            Tenancy::PathSegment => {
                let rest = rest.trim_start_matches('/');
                let (tenant, rest) = rest.split_once('/').unwrap_or((rest, ""));
                if tenant.is_empty() {
                    return Err(not_found());
                }
                let tenant = super::query::decode_segment(tenant)?;
                if tenant.contains('\0') {
                    return Err(not_found());
                }
                (Some(tenant), rest)
            }
        };
        let route = route(inner.manager.registry(), rest)?;
        facts.routed(&route, &parts.method);
        let base = self.base_url(parts, path_tenant.as_deref());

        let discovery = matches!(
            route,
            Route::ServiceProviderConfig | Route::ResourceTypes(_) | Route::Schemas(_)
        );
        if discovery {
            require_method(parts, &[Method::GET])?;
            // RFC 7644 §4: a filter SHOULD get 403, lest a client read its conditions as met.
            if super::query::has_parameter(parts.uri.query(), "filter") {
                return Err(Error::Forbidden {
                    detail: "the discovery endpoints do not take a filter".to_owned(),
                });
            }
            if inner.discovery == DiscoveryAccess::Public {
                if path_tenant.as_deref().is_some_and(|t| !inner.authenticator.knows_tenant(t)) {
                    return Err(not_found());
                }
                return Ok(Resolved::Discovery { route, base });
            }
        }

        let principal = inner
            .authenticator
            .authenticate(parts)
            .map_err(|e| Error::Unauthorized { detail: e.to_string() })?;
        if path_tenant.as_ref().is_some_and(|t| *t != principal.tenant) {
            return Err(Error::Unauthorized {
                detail: "the credentials are not valid for this tenant".to_owned(),
            });
        }
        facts.tenant = Some(principal.tenant.clone());
        if discovery {
            return Ok(Resolved::Discovery { route, base });
        }
        Ok(Resolved::Authenticated { route, principal, base })
    }

    async fn route_and_run(
        &self,
        parts: &http::request::Parts,
        body: &[u8],
        facts: &mut Facts,
    ) -> Result<Response<Vec<u8>>> {
        let inner = &self.inner;
        let (route, principal, base) = match self.resolve(parts, facts)? {
            Resolved::Discovery { route, base } => {
                let registry = inner.manager.registry();
                let body = match &route {
                    Route::ServiceProviderConfig => discovery::service_provider_config(
                        inner.manager.config(),
                        inner.manager.store().capabilities(),
                        &base,
                        inner.documentation_uri.as_deref(),
                    ),
                    Route::ResourceTypes(name) => {
                        discovery::resource_types(registry, name.as_deref(), &base)?
                    }
                    Route::Schemas(id) => discovery::schemas(registry, id.as_deref(), &base)?,
                    _ => Value::Null,
                };
                return Ok(json_response(StatusCode::OK, &body));
            }
            Resolved::Authenticated { route, principal, base } => (route, principal, base),
        };
        let not_found = || Error::NotFound {
            resource_type: "endpoint".to_owned(),
            id: parts.uri.path().to_owned(),
        };
        tracing::Span::current().record("tenant", principal.tenant.as_str());
        if let Some(limiter) = &inner.rate_limiter {
            limiter
                .acquire(&principal.tenant)
                .map_err(|retry_after| Error::TooManyRequests { retry_after })?;
        }
        let request_id = crate::ids::random_uuid();
        tracing::Span::current().record("request_id", request_id.as_str());
        let call = Call { service: self, principal, base, request_id };

        match route {
            Route::Resources { resource_type, target } => {
                tracing::Span::current().record("resource_type", resource_type.as_str());
                self.resources(&call, parts, body, &resource_type, target).await
            }
            Route::RootSearch => {
                require_method(parts, &[Method::POST])?;
                self.authorize(&call, Operation::new(OperationKind::Search, None, None))?;
                let search = parse_search_body(self, parts, body)?;
                self.root_search(&call, &search).await
            }
            Route::Bulk => {
                require_method(parts, &[Method::POST])?;
                self.authorize(&call, Operation::new(OperationKind::Bulk, None, None))?;
                check_body(self, parts, body)?;
                bulk::handle(&call, body).await
            }
            Route::Me => {
                let Some(id) = call.principal.subject.clone() else {
                    return Err(Error::NotImplemented {
                        operation: "/Me (no subject is mapped to this principal)".to_owned(),
                    });
                };
                let target = Target::One(id);
                self.resources(&call, parts, body, "User", target).await
            }
            Route::ServiceProviderConfig | Route::ResourceTypes(_) | Route::Schemas(_) => {
                Err(not_found())
            }
        }
    }

    /// The operations on a resource endpoint.
    async fn resources(
        &self,
        call: &Call<'_>,
        parts: &http::request::Parts,
        body: &[u8],
        resource_type: &str,
        target: Target,
    ) -> Result<Response<Vec<u8>>> {
        let manager = &self.inner.manager;
        let tenant = call.principal.tenant.as_str();
        let query = parse_query(parts.uri.query())?;
        match target {
            Target::Collection if matches!(parts.method, Method::GET | Method::HEAD) => {
                self.authorize(
                    call,
                    Operation::new(OperationKind::Search, Some(resource_type), None),
                )?;
                self.list(call, resource_type, &query).await
            }
            Target::Collection if parts.method == Method::POST => {
                self.authorize(
                    call,
                    Operation::new(OperationKind::Create, Some(resource_type), None),
                )?;
                let value = parse_json(self, parts, body)?;
                let created = manager.create(call.origin(), resource_type, value).await?;
                let mut response = self
                    .resource_response(call, resource_type, created, &query, StatusCode::CREATED)
                    .await?;
                if let Some(location) = response_location(&response) {
                    response.headers_mut().insert(header::LOCATION, location);
                }
                Ok(response)
            }
            Target::Collection => Err(method_not_allowed("GET, POST")),
            Target::Search => {
                require_method(parts, &[Method::POST])?;
                self.authorize(
                    call,
                    Operation::new(OperationKind::Search, Some(resource_type), None),
                )?;
                let search = parse_search_body(self, parts, body)?;
                self.list(call, resource_type, &search).await
            }
            Target::One(id) => {
                let kind = match parts.method {
                    Method::GET | Method::HEAD => OperationKind::Read,
                    Method::PUT => OperationKind::Replace,
                    Method::PATCH => OperationKind::Patch,
                    Method::DELETE => OperationKind::Delete,
                    _ => return Err(method_not_allowed("GET, PUT, PATCH, DELETE")),
                };
                self.authorize(call, Operation::new(kind, Some(resource_type), Some(&id)))?;
                let if_match = match if_match_tags(parts)? {
                    // Several tags: the resource's current version must be one of them.
                    Some(tags) if tags.len() > 1 && kind != OperationKind::Read => {
                        let current = manager.get(tenant, resource_type, &id).await?.version;
                        if !tags.contains(&current) {
                            return Err(Error::PreconditionFailed {
                                detail: "the resource's version matches none of If-Match"
                                    .to_owned(),
                            });
                        }
                        Some(current)
                    }
                    Some(mut tags) => tags.pop(),
                    None => None,
                };
                match kind {
                    OperationKind::Read => {
                        let found = manager.get(tenant, resource_type, &id).await?;
                        if if_none_match(parts, &found.version) {
                            let mut response = Response::new(Vec::new());
                            *response.status_mut() = StatusCode::NOT_MODIFIED;
                            set_etag(&mut response, &found.version);
                            return Ok(response);
                        }
                        self.resource_response(call, resource_type, found, &query, StatusCode::OK)
                            .await
                    }
                    OperationKind::Replace => {
                        let value = parse_json(self, parts, body)?;
                        let replaced = manager
                            .replace(call.origin(), resource_type, &id, value, if_match.as_ref())
                            .await?;
                        self.resource_response(
                            call,
                            resource_type,
                            replaced,
                            &query,
                            StatusCode::OK,
                        )
                        .await
                    }
                    OperationKind::Patch => {
                        let value = parse_json(self, parts, body)?;
                        let request: PatchRequest = serde_json::from_value(value)?;
                        let patched = manager
                            .patch(call.origin(), resource_type, &id, &request, if_match.as_ref())
                            .await?;
                        // Asking for attributes asks for the resource (RFC 7644 §3.5.2).
                        let named = |list: &[String]| list.iter().any(|a| !a.trim().is_empty());
                        let projected =
                            named(&query.attributes) || named(&query.excluded_attributes);
                        if projected || manager.config().patch_returns_resource_for(resource_type) {
                            self.resource_response(
                                call,
                                resource_type,
                                patched,
                                &query,
                                StatusCode::OK,
                            )
                            .await
                        } else {
                            let mut response = Response::new(Vec::new());
                            *response.status_mut() = StatusCode::NO_CONTENT;
                            set_etag(&mut response, &patched.version);
                            Ok(response)
                        }
                    }
                    _ => {
                        manager
                            .delete(call.origin(), resource_type, &id, if_match.as_ref())
                            .await?;
                        let mut response = Response::new(Vec::new());
                        *response.status_mut() = StatusCode::NO_CONTENT;
                        Ok(response)
                    }
                }
            }
        }
    }

    /// A list or search of one resource type, as a ListResponse.
    async fn list(
        &self,
        call: &Call<'_>,
        resource_type: &str,
        search: &SearchRequest,
    ) -> Result<Response<Vec<u8>>> {
        let manager = &self.inner.manager;
        let tenant = call.principal.tenant.as_str();
        let projection =
            manager.projection(resource_type, &search.attributes, &search.excluded_attributes)?;
        let page = manager.list(tenant, resource_type, search).await?;
        let resources =
            manager.render(tenant, resource_type, page.resources, &projection, &call.base).await?;
        let list = ListResponse::new(resources, page.total_results as u64, page.start_index as u64)
            .with_cursors(page.next_cursor, page.previous_cursor);
        Ok(json_response(StatusCode::OK, &list))
    }

    /// A root `/.search` paged by cursor (RFC 9865): the types in registry order, each from
    /// where the cursor left it; the cursor of the next page names the type and the position
    /// in it. Only forward: `previousCursor` is optional and not given here.
    async fn root_cursor_search(
        &self,
        call: &Call<'_>,
        search: &SearchRequest,
        cursor: &str,
        sortable: &(dyn Fn(&str, &str) -> bool + Sync),
    ) -> Result<Response<Vec<u8>>> {
        let manager = &self.inner.manager;
        let tenant = call.principal.tenant.as_str();
        let root = manager.root_cursor_of(tenant, search, cursor)?;
        let order = search.sort_order.unwrap_or(SortOrder::Ascending);
        let (mut total, mut resources, mut next, mut totals) =
            (0usize, Vec::new(), None, Vec::new());
        let mut filled_at = None;
        for (i, resource_type) in manager.registry().resource_types().iter().enumerate() {
            let name = resource_type.name.as_str();
            let mut per_type = search.clone();
            per_type.cursor = None;
            if per_type.sort_by.as_deref().is_some_and(|by| !sortable(name, by.trim())) {
                per_type.sort_by = None;
            }
            let mut counting = per_type.clone();
            counting.count = Some(0);
            let type_total = manager.list(tenant, name, &counting).await?.total_results;
            total += type_total;
            totals.push(type_total);
            let remaining = root.count.saturating_sub(resources.len());
            if i < root.type_index || remaining == 0 || next.is_some() || filled_at.is_some() {
                continue;
            }
            let request = root.type_request(i, remaining);
            let found = manager.list_resuming(tenant, name, &per_type, Some(request)).await?;
            let schema = manager.registry().resource_type_schema(name);
            let sort = match (&schema, per_type.sort_by.as_deref()) {
                (Some(schema), Some(by)) => SortKey::new(schema, by.trim(), order).ok(),
                _ => None,
            };
            if found.next_cursor.is_some() {
                let last = found.resources.last().map(|r| (r, sort.as_ref()));
                next = Some(manager.root_cursor(tenant, &root, i, last));
            } else if found.resources.len() == remaining {
                filled_at = Some(i);
            }
            let projection =
                manager.projection(name, &search.attributes, &search.excluded_attributes)?;
            resources.extend(
                manager.render(tenant, name, found.resources, &projection, &call.base).await?,
            );
        }
        if let (None, Some(i)) = (&next, filled_at) {
            // The page ended with a type's last result: the next starts at the next type that
            // has any.
            if let Some(j) = (i + 1..totals.len()).find(|j| totals[*j] > 0) {
                next = Some(manager.root_cursor(tenant, &root, j, None));
            }
        }
        let next = if root.count == 0 { None } else { next };
        let list = ListResponse::new(resources, total as u64, 1).with_cursors(next, None);
        Ok(json_response(StatusCode::OK, &list))
    }

    /// `POST /.search` at the root: the same search over every resource type, in registry
    /// order, paged as one list.
    async fn root_search(
        &self,
        call: &Call<'_>,
        search: &SearchRequest,
    ) -> Result<Response<Vec<u8>>> {
        let manager = &self.inner.manager;
        let tenant = call.principal.tenant.as_str();
        let Page { start_index: start, count, .. } = manager.page_of(search);
        // A sortBy applies to the types that have the attribute (the others keep their natural
        // order); it is an error only if no type has it.
        let sortable = |name: &str, by: &str| {
            manager
                .registry()
                .resource_type_schema(name)
                .is_some_and(|schema| SortKey::new(&schema, by, SortOrder::Ascending).is_ok())
        };
        let sort_by = search.sort_by.as_deref().map(str::trim).filter(|by| !by.is_empty());
        if let Some(by) = sort_by {
            if !manager.registry().resource_types().iter().any(|rt| sortable(&rt.name, by)) {
                return Err(Error::invalid_value(format!(
                    "sortBy {by:?} is not an attribute of any resource type"
                )));
            }
        }
        if let Some(cursor) = search.cursor.as_deref() {
            return self.root_cursor_search(call, search, cursor, &sortable).await;
        }
        let mut total = 0usize;
        let mut resources = Vec::new();
        for resource_type in manager.registry().resource_types() {
            let name = resource_type.name.as_str();
            let mut per_type = search.clone();
            if sort_by.is_some_and(|by| !sortable(name, by)) {
                per_type.sort_by = None;
            }
            let search = &per_type;
            let mut counting = search.clone();
            counting.count = Some(0);
            counting.start_index = Some(1);
            let type_total = manager.list(tenant, name, &counting).await?.total_results;
            // The part of the global page [start, start + count) inside this type's results.
            let from = (start - 1).saturating_sub(total);
            let wanted = (start - 1 + count).saturating_sub(total).min(type_total);
            if from < wanted && resources.len() < count {
                let mut page = search.clone();
                page.start_index = i64::try_from(from + 1).ok();
                page.count = i64::try_from(wanted - from).ok();
                let found = manager.list(tenant, name, &page).await?;
                let projection =
                    manager.projection(name, &search.attributes, &search.excluded_attributes)?;
                resources.extend(
                    manager.render(tenant, name, found.resources, &projection, &call.base).await?,
                );
            }
            total += type_total;
        }
        let list = ListResponse::new(resources, total as u64, start as u64);
        Ok(json_response(StatusCode::OK, &list))
    }

    /// A response carrying one resource, projected as the query asks, with its `ETag`.
    pub(crate) async fn resource_response(
        &self,
        call: &Call<'_>,
        resource_type: &str,
        stored: StoredResource,
        query: &SearchRequest,
        status: StatusCode,
    ) -> Result<Response<Vec<u8>>> {
        let manager = &self.inner.manager;
        let projection =
            manager.projection(resource_type, &query.attributes, &query.excluded_attributes)?;
        let version = stored.version.clone();
        let rendered = manager
            .render(&call.principal.tenant, resource_type, vec![stored], &projection, &call.base)
            .await?;
        let body = rendered.into_iter().next().unwrap_or(Value::Null);
        let mut response = json_response(status, &body);
        set_etag(&mut response, &version);
        if let Some(location) = body.pointer("/meta/location").and_then(Value::as_str) {
            if let Ok(value) = HeaderValue::from_str(location) {
                response.extensions_mut().insert(ResourceLocation(value));
            }
        }
        Ok(response)
    }

    /// Asks the authorisation hook; 403 if it says no.
    pub(crate) fn authorize(&self, call: &Call<'_>, operation: Operation<'_>) -> Result<()> {
        match &self.inner.authorizer {
            Some(authorizer) if !authorizer.authorize(&call.principal, &operation) => {
                Err(Error::Forbidden { detail: format!("not allowed to {} here", operation.kind) })
            }
            _ => Ok(()),
        }
    }

    /// The absolute base URL for this request.
    fn base_url(&self, parts: &http::request::Parts, tenant: Option<&str>) -> String {
        let inner = &self.inner;
        let mut base = match &inner.base_url {
            Some(url) => url.clone(),
            None => {
                let host = parts
                    .headers
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .or_else(|| parts.uri.authority().map(http::uri::Authority::as_str))
                    .filter(|h| h.bytes().all(|b| b.is_ascii_graphic()))
                    .unwrap_or("localhost");
                let scheme = parts
                    .headers
                    .get("x-forwarded-proto")
                    .and_then(|h| h.to_str().ok())
                    .filter(|s| matches!(*s, "http" | "https"))
                    .or_else(|| parts.uri.scheme_str())
                    .unwrap_or("http");
                format!("{scheme}://{host}{}", inner.base_path)
            }
        };
        if let Some(tenant) = tenant {
            base.push('/');
            base.push_str(&encode_segment(tenant));
        }
        base
    }

    fn error_response(&self, error: &Error) -> Response<Vec<u8>> {
        match error {
            Error::Backend { .. } | Error::Internal { .. } => {
                tracing::error!(error = %error, "request failed");
            }
            Error::Unavailable { .. } => tracing::warn!(error = %error, "store unavailable"),
            _ => {}
        }
        let status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = json_response(status, &error.to_response());
        if status == StatusCode::UNAUTHORIZED {
            if let Ok(challenge) = HeaderValue::from_str(self.inner.authenticator.challenge()) {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
            }
        }
        if let Error::MethodNotAllowed { allow } = error {
            if let Ok(allow) = HeaderValue::from_str(allow) {
                response.headers_mut().insert(header::ALLOW, allow);
            }
        }
        if let Some(wait) = error.retry_after_header() {
            if let Ok(wait) = HeaderValue::from_str(&wait) {
                response.headers_mut().insert(header::RETRY_AFTER, wait);
            }
        }
        response
    }
}

/// The `Location` a resource response should carry, kept aside until the caller wants it.
#[derive(Clone, Debug)]
struct ResourceLocation(HeaderValue);

fn response_location(response: &Response<Vec<u8>>) -> Option<HeaderValue> {
    response.extensions().get::<ResourceLocation>().map(|l| l.0.clone())
}

/// `path` without the base path, if it is under it.
fn strip_base<'p>(path: &'p str, base: &str) -> Option<&'p str> {
    let rest = path.strip_prefix(base)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// Percent-encodes a tenant for a URL path segment.
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn require_method(parts: &http::request::Parts, allowed: &[Method]) -> Result<()> {
    if allowed.contains(&parts.method)
        || (parts.method == Method::HEAD && allowed.contains(&Method::GET))
    {
        return Ok(());
    }
    let names: Vec<&str> = allowed.iter().map(Method::as_str).collect();
    Err(method_not_allowed(&names.join(", ")))
}

/// A 405 naming the allowed methods.
fn method_not_allowed(allow: &str) -> Error {
    Error::MethodNotAllowed { allow: allow.to_owned() }
}

/// Checks the media type and size of a request body.
pub(crate) fn check_body(
    service: &ScimService,
    parts: &http::request::Parts,
    body: &[u8],
) -> Result<()> {
    let limit = service.inner.manager.config().limits.max_body_bytes;
    if body.len() > limit {
        return Err(Error::PayloadTooLarge {
            detail: format!("the request body is larger than {limit} bytes"),
        });
    }
    if let Some(content_type) = parts.headers.get(header::CONTENT_TYPE) {
        let media = content_type.to_str().unwrap_or_default();
        let media = media.split(';').next().unwrap_or_default().trim();
        if !media.eq_ignore_ascii_case(SCIM_MEDIA_TYPE)
            && !media.eq_ignore_ascii_case("application/json")
        {
            return Err(Error::UnsupportedMediaType);
        }
    }
    Ok(())
}

/// Checks and parses a JSON request body.
fn parse_json(service: &ScimService, parts: &http::request::Parts, body: &[u8]) -> Result<Value> {
    check_body(service, parts, body)?;
    parse_body(body)
}

/// A SearchRequest body (`POST /.search`).
fn parse_search_body(
    service: &ScimService,
    parts: &http::request::Parts,
    body: &[u8],
) -> Result<SearchRequest> {
    let value = parse_json(service, parts, body)?;
    // The message splits comma-separated attribute lists itself (`["userName,emails"]`).
    Ok(serde_json::from_value(value)?)
}

/// The version `If-Match` asks for: `None` when absent or `*`.
/// The versions `If-Match` lists: `None` when it is absent or `*` (any version will do).
fn if_match_tags(parts: &http::request::Parts) -> Result<Option<Vec<Version>>> {
    let mut tags = Vec::new();
    for value in parts.headers.get_all(header::IF_MATCH) {
        let value =
            value.to_str().map_err(|_| Error::invalid_syntax("malformed If-Match header"))?;
        for tag in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            if tag == "*" {
                return Ok(None);
            }
            let version = Version::from_etag(tag).ok_or_else(|| {
                Error::invalid_syntax("If-Match must hold entity tags such as W/\"3\"")
            })?;
            tags.push(version);
        }
    }
    Ok((!tags.is_empty()).then_some(tags))
}

/// Whether `If-None-Match` names `version` (or `*`).
fn if_none_match(parts: &http::request::Parts, version: &Version) -> bool {
    parts.headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).any(|v| {
        v.split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || Version::from_etag(tag).as_ref() == Some(version))
    })
}

fn set_etag(response: &mut Response<Vec<u8>>, version: &Version) {
    if let Ok(value) = HeaderValue::from_str(&version.to_etag()) {
        response.headers_mut().insert(header::ETAG, value);
    }
}

/// A JSON response with the SCIM media type.
pub(crate) fn json_response(status: StatusCode, body: &impl serde::Serialize) -> Response<Vec<u8>> {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| {
        json!({ "schemas": [crate::schema::urn::MESSAGE_ERROR], "status": "500" })
            .to_string()
            .into_bytes()
    });
    let mut response = Response::new(bytes);
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_MEDIA_TYPE));
    response
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;
    use std::time::Duration;

    use async_trait::async_trait;

    use super::*;
    use crate::event::{Event, EventCursor, Prune};
    use crate::http::{BearerTokens, Principal};
    use crate::normalize::JsonObject;
    use crate::store::{
        Capabilities, Membership, Query, QueryPage, ResourceStore, Scope, WriteOptions,
    };

    const TOKEN: &str = "s3cret-acme";

    /// A store that is never reachable: these tests are about what happens before a store is
    /// asked (the memory store's crate depends on this one, so it cannot be used here).
    #[derive(Debug)]
    struct Unreachable;

    fn unreachable<T>() -> Result<T> {
        Err(Error::Internal { detail: "no store in these tests".to_owned() })
    }

    #[async_trait]
    impl ResourceStore for Unreachable {
        fn capabilities(&self) -> Capabilities {
            Capabilities::new(true, false)
        }
        async fn create_opts(
            &self,
            _: Scope<'_>,
            _: JsonObject,
            _: WriteOptions<'_>,
        ) -> Result<StoredResource> {
            unreachable()
        }
        async fn get(&self, _: Scope<'_>, _: &str) -> Result<Option<StoredResource>> {
            unreachable()
        }
        async fn replace_opts(
            &self,
            _: Scope<'_>,
            _: &str,
            _: JsonObject,
            _: Option<&Version>,
            _: WriteOptions<'_>,
        ) -> Result<StoredResource> {
            unreachable()
        }
        async fn delete_opts(
            &self,
            _: Scope<'_>,
            _: &str,
            _: Option<&Version>,
            _: WriteOptions<'_>,
        ) -> Result<()> {
            unreachable()
        }
        async fn query(&self, _: Scope<'_>, _: &Query<'_>) -> Result<QueryPage> {
            unreachable()
        }
        async fn groups_of(
            &self,
            _: &str,
            _: &[&str],
        ) -> Result<BTreeMap<String, Vec<Membership>>> {
            unreachable()
        }
        async fn read_events(
            &self,
            _: &str,
            _: Option<&EventCursor>,
            _: usize,
        ) -> Result<Vec<Event>> {
            unreachable()
        }
        async fn wait_for_events(
            &self,
            _: &str,
            _: Option<&EventCursor>,
            _: Duration,
        ) -> Result<bool> {
            unreachable()
        }
        async fn prune_events(&self, _: &str, _: &Prune) -> Result<u64> {
            unreachable()
        }
        async fn checkpoint(&self, _: &str, _: &str) -> Result<Option<EventCursor>> {
            unreachable()
        }
        async fn save_checkpoint(&self, _: &str, _: &str, _: &EventCursor) -> Result<()> {
            unreachable()
        }
    }

    fn service(tenancy: Tenancy) -> ScimService {
        let manager = ResourceManager::builder(Arc::new(Unreachable)).build().unwrap();
        let tokens = BearerTokens::new()
            .with_token(TOKEN, Principal::new("acme", "Entra ID for Acme"))
            .with_token("s3cret-globex", Principal::new("globex", "Okta for Globex"));
        ScimService::builder(manager, tokens).base_path("/scim/v2").tenancy(tenancy).build()
    }

    fn head(method: &str, path: &str, authorization: Option<&str>) -> http::request::Parts {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        request
            .header(header::CONTENT_TYPE, SCIM_MEDIA_TYPE)
            .header(header::CONTENT_LENGTH, "1000000")
            .body(())
            .unwrap()
            .into_parts()
            .0
    }

    fn error_body(response: &Response<Vec<u8>>) -> Value {
        serde_json::from_slice(response.body()).unwrap()
    }

    #[test]
    fn check_head_refuses_unauthenticated_requests_with_the_challenge() {
        let service = service(Tenancy::ByPrincipal);
        for authorization in [None, Some("Bearer wrong"), Some("Basic czNjcmV0"), Some("Bearer ")] {
            for (method, path) in [("POST", "/scim/v2/Users"), ("GET", "/scim/v2/Users/x")] {
                let parts = head(method, path, authorization);
                let refused = service.check_head(&parts).unwrap_err();
                assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{authorization:?}");
                assert_eq!(refused.headers()[header::WWW_AUTHENTICATE], "Bearer realm=\"SCIM\"");
                assert_eq!(refused.headers()[header::CONTENT_TYPE], SCIM_MEDIA_TYPE);
                let body = error_body(&refused);
                assert_eq!(body["schemas"], json!([crate::schema::urn::MESSAGE_ERROR]));
                assert_eq!(body["status"], "401");
            }
        }
        let parts = head("POST", "/scim/v2/Users", Some(&format!("Bearer {TOKEN}")));
        assert!(service.check_head(&parts).is_ok());
        for path in ["/scim/v2/Bulk", "/scim/v2/.search", "/scim/v2/Me", "/scim/v2/Users/.search"] {
            assert!(
                service.check_head(&head("POST", path, Some("Bearer nope"))).is_err(),
                "{path}"
            );
        }
    }

    #[test]
    fn check_head_passes_discovery_without_credentials() {
        let service = service(Tenancy::ByPrincipal);
        let user = "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User";
        for path in ["/scim/v2/ServiceProviderConfig", "/scim/v2/ResourceTypes/User", user] {
            for method in ["GET", "HEAD"] {
                assert!(service.check_head(&head(method, path, None)).is_ok(), "{method} {path}");
            }
            // The wrong method is refused, with or without credentials, before any body.
            let refused = service.check_head(&head("POST", path, None)).unwrap_err();
            assert_eq!(refused.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
            assert_eq!(refused.headers()[header::ALLOW], "GET");
        }
    }

    /// RFC 7644 §4: discovery is public by default, for the tenants the authenticator knows
    /// under path tenancy (an unknown one is 404, never a valid answer); with
    /// `DiscoveryAccess::Authenticated` it needs a token like any endpoint; a filter is 403.
    #[tokio::test]
    async fn discovery_access_tenants_and_filters() {
        let config = "/ServiceProviderConfig";
        let by_path = service(Tenancy::PathSegment);
        let get = async |service: &ScimService, path: &str, bearer: Option<&str>| {
            let parts = head("GET", path, bearer);
            let checked = service.check_head(&parts).err().map(|r| r.status());
            let handled = service.handle(Request::from_parts(parts, Vec::new())).await;
            assert_eq!(checked.unwrap_or(handled.status()), handled.status(), "{path}");
            handled
        };
        for tenant in ["acme", "globex"] {
            let path = format!("/scim/v2/{tenant}{config}");
            assert_eq!(get(&by_path, &path, None).await.status(), StatusCode::OK, "{path}");
        }
        for path in ["/scim/v2/initech/ServiceProviderConfig", "/scim/v2/initech/Schemas"] {
            let answer = get(&by_path, path, None).await;
            assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{path}");
            assert_eq!(error_body(&answer)["status"], "404");
        }

        let bearer = format!("Bearer {TOKEN}");
        for tenancy in [Tenancy::ByPrincipal, Tenancy::PathSegment] {
            let manager = ResourceManager::builder(Arc::new(Unreachable)).build().unwrap();
            let tokens = BearerTokens::new().with_token(TOKEN, Principal::new("acme", "Entra"));
            let guarded = ScimService::builder(manager, tokens)
                .base_path("/scim/v2")
                .tenancy(tenancy)
                .discovery_access(DiscoveryAccess::Authenticated)
                .build();
            let prefix = if tenancy == Tenancy::PathSegment { "/scim/v2/acme" } else { "/scim/v2" };
            for endpoint in [config, "/ResourceTypes", "/Schemas"] {
                let path = format!("{prefix}{endpoint}");
                let refused = get(&guarded, &path, None).await;
                assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{path}");
                assert!(refused.headers().contains_key(header::WWW_AUTHENTICATE));
                let answer = get(&guarded, &path, Some(&bearer)).await;
                assert_eq!(answer.status(), StatusCode::OK, "{path}");
            }
            if tenancy == Tenancy::PathSegment {
                let other = get(&guarded, "/scim/v2/globex/Schemas", Some(&bearer)).await;
                assert_eq!(other.status(), StatusCode::UNAUTHORIZED);
            }
        }

        let by_principal = service(Tenancy::ByPrincipal);
        for query in ["?filter=name%20eq%20%22User%22", "?FILTER=id+pr"] {
            let path = format!("/scim/v2/ResourceTypes{query}");
            let refused = get(&by_principal, &path, Some(&bearer)).await;
            assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{path}");
            assert_eq!(error_body(&refused)["status"], "403");
        }
        let ignored = get(&by_principal, "/scim/v2/Schemas?count=1&filter=", None).await;
        assert_eq!(ignored.status(), StatusCode::OK, "other parameters are ignored");
    }

    #[test]
    fn check_head_refuses_paths_outside_the_service_and_other_tenants() {
        let by_principal = service(Tenancy::ByPrincipal);
        let bearer = format!("Bearer {TOKEN}");
        for path in ["/elsewhere/Users", "/scim/v2x/Users", "/scim/v2/Nothing"] {
            let refused = by_principal.check_head(&head("POST", path, Some(&bearer))).unwrap_err();
            assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{path}");
        }
        let by_path = service(Tenancy::PathSegment);
        assert!(by_path.check_head(&head("POST", "/scim/v2/acme/Users", Some(&bearer))).is_ok());
        let refused =
            by_path.check_head(&head("POST", "/scim/v2/globex/Users", Some(&bearer))).unwrap_err();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert!(refused.headers().contains_key(header::WWW_AUTHENTICATE));
        assert_eq!(error_body(&refused)["detail"], "the credentials are not valid for this tenant");
        let refused = by_path.check_head(&head("GET", "/scim/v2/%FF/Users", None)).unwrap_err();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    }

    /// Over a matrix of heads and bodies: what `check_head` refuses, `handle` answers with the
    /// same response whatever the body; what it passes, `handle` does not refuse for
    /// authentication (it answers 500 where it reaches the store).
    #[tokio::test]
    async fn check_head_agrees_with_handle() {
        let user =
            json!({ "schemas": [crate::schema::urn::SCHEMA_USER], "userName": "ann" }).to_string();
        let bodies = [&b""[..], user.as_bytes(), b"{not json", &[b' '; 2048]];
        let bearers = [None, Some(format!("Bearer {TOKEN}")), Some("Bearer wrong".to_owned())];
        let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
        let paths = [
            "/scim/v2/Users",
            "/scim/v2/Users/some-id",
            "/scim/v2/Users/.search",
            "/scim/v2/Groups",
            "/scim/v2/.search",
            "/scim/v2/Bulk",
            "/scim/v2/Me",
            "/scim/v2/ServiceProviderConfig",
            "/scim/v2/ResourceTypes",
            "/scim/v2/Schemas/urn:nope",
            "/scim/v2/Nothing",
            "/scim/v2/acme/Users",
            "/scim/v2/globex/Users",
            "/other",
        ];
        let (mut refused, mut passed) = (0, 0);
        for tenancy in [Tenancy::ByPrincipal, Tenancy::PathSegment] {
            let service = service(tenancy);
            for path in paths {
                for method in methods {
                    for bearer in &bearers {
                        let parts = head(method, path, bearer.as_deref());
                        let checked = service.check_head(&parts);
                        for body in bodies {
                            let request = Request::from_parts(parts.clone(), body);
                            let handled = service.handle(request).await;
                            let what = format!("{tenancy:?} {method} {path} {bearer:?}");
                            match &checked {
                                Err(response) => {
                                    assert_eq!(handled.status(), response.status(), "{what}");
                                    assert_eq!(handled.headers(), response.headers(), "{what}");
                                    assert_eq!(handled.body(), response.body(), "{what}");
                                    refused += 1;
                                }
                                Ok(()) => {
                                    assert_ne!(
                                        handled.status(),
                                        StatusCode::UNAUTHORIZED,
                                        "{what}"
                                    );
                                    passed += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(refused > 0 && passed > 0, "{refused} refused, {passed} passed");
    }
}
