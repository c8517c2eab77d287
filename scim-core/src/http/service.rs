//! The SCIM protocol service on `http` types.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};
use tracing::Instrument;

use super::auth::{Authenticator, Authorizer, Principal};
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
    /// `Limits::max_body_bytes`, but only after the body was read).
    pub async fn handle<B: AsRef<[u8]>>(&self, request: Request<B>) -> Response<Vec<u8>> {
        let started = Instant::now();
        let (parts, body) = request.into_parts();
        let span = tracing::info_span!(
            "scim_request",
            method = %parts.method,
            path = %parts.uri.path(),
            resource_type = tracing::field::Empty,
            tenant = tracing::field::Empty,
            request_id = tracing::field::Empty,
            status = tracing::field::Empty,
            latency_us = tracing::field::Empty,
        );
        let response = self.dispatch(&parts, body.as_ref()).instrument(span.clone()).await;
        let status = response.status().as_u16();
        let latency = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        span.record("status", status);
        span.record("latency_us", latency);
        span.in_scope(|| tracing::info!(status, latency_us = latency, "handled"));
        response
    }

    async fn dispatch(&self, parts: &http::request::Parts, body: &[u8]) -> Response<Vec<u8>> {
        match self.route_and_run(parts, body).await {
            Ok(response) => response,
            Err(error) => self.error_response(&error),
        }
    }

    async fn route_and_run(
        &self,
        parts: &http::request::Parts,
        body: &[u8],
    ) -> Result<Response<Vec<u8>>> {
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
        let base = self.base_url(parts, path_tenant.as_deref());

        if let Route::ServiceProviderConfig | Route::ResourceTypes(_) | Route::Schemas(_) = route {
            require_method(parts, &[Method::GET])?;
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

        let principal = inner
            .authenticator
            .authenticate(parts)
            .map_err(|e| Error::Unauthorized { detail: e.to_string() })?;
        if path_tenant.as_ref().is_some_and(|t| *t != principal.tenant) {
            return Err(Error::Unauthorized {
                detail: "the credentials are not valid for this tenant".to_owned(),
            });
        }
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
        let list = ListResponse::new(resources, page.total_results as u64, page.start_index as u64);
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
