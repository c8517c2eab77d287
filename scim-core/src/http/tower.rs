//! A `tower::Service` adapter, so the protocol service drops into axum, hyper or any tower
//! stack.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::Body;
use http_body_util::{BodyExt, Full, Limited};

use super::service::ScimService;
use crate::error::Error;

/// The response body of [`ScimTowerService`].
pub type TowerBody = Full<Bytes>;

/// [`ScimService`] as a `tower::Service` over streaming request bodies: it reads the body (at
/// most `Limits::max_body_bytes`, answering 413 beyond), handles the request, and never fails.
///
/// ```
/// use std::sync::Arc;
/// use scimkit_core::ResourceManager;
/// use scimkit_core::http::{BearerTokens, Principal, ScimService, ScimTowerService};
/// use scimkit_store_memory::InMemoryStore;
///
/// let manager = ResourceManager::builder(Arc::new(InMemoryStore::new())).build()?;
/// let tokens = BearerTokens::new().with_token("s3cret", Principal::new("acme", "Entra ID"));
/// let service = ScimService::builder(manager, tokens).build();
/// let tower_service = ScimTowerService::new(service);
/// # let _ = tower_service;
/// # Ok::<(), scimkit_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ScimTowerService {
    service: ScimService,
}

impl ScimTowerService {
    /// Wraps `service`.
    pub fn new(service: ScimService) -> Self {
        Self { service }
    }
}

impl ScimService {
    /// This service as a `tower::Service` (see [`ScimTowerService`]).
    #[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
    pub fn into_tower(self) -> ScimTowerService {
        ScimTowerService::new(self)
    }
}

impl<B> tower_service::Service<http::Request<B>> for ScimTowerService
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = http::Response<TowerBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let service = self.service.clone();
        Box::pin(async move {
            let limit = service.manager().config().limits.max_body_bytes;
            let (parts, body) = request.into_parts();
            // A request refused for its head (no valid credentials, no such endpoint) is
            // answered without reading its body.
            if let Err(refused) = service.check_head(&parts) {
                return Ok(refused.map(|body| Full::new(Bytes::from(body))));
            }
            let response = match Limited::new(body, limit).collect().await {
                Ok(collected) => {
                    let bytes = collected.to_bytes();
                    service.handle(http::Request::from_parts(parts, bytes)).await
                }
                Err(error) => {
                    let error =
                        if error.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
                            Error::PayloadTooLarge {
                                detail: format!("the request body is larger than {limit} bytes"),
                            }
                        } else {
                            Error::invalid_syntax("the request body could not be read")
                        };
                    super::service::json_response(
                        http::StatusCode::from_u16(error.status())
                            .unwrap_or(http::StatusCode::BAD_REQUEST),
                        &error.to_response(),
                    )
                }
            };
            Ok(response.map(|body| Full::new(Bytes::from(body))))
        })
    }
}
