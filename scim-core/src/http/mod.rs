//! The SCIM protocol service on `http::Request` / `http::Response` (RFC 7644), with its
//! authentication and authorisation hooks.
//!
//! [`ScimService`] serves every endpoint: resource types of the registry (`/Users`, `/Groups`,
//! custom ones) with GET, POST, PUT, PATCH and DELETE, `/.search` at the root and per type,
//! `/Bulk`, `/Me`, and the discovery endpoints. It is sans-IO: hand it a request with its body,
//! get a response back.

mod auth;
mod bulk;
mod discovery;
mod facts;
mod json;
mod operation;
mod query;
mod rate;
mod route;
mod service;
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
mod tower;

pub(crate) use auth::bearer_token;
pub use auth::{AuthError, Authenticator, Authorizer, BearerTokens, Principal};
pub use operation::{Operation, OperationKind};
pub use rate::RateLimit;
pub use service::{DiscoveryAccess, SCIM_MEDIA_TYPE, ScimService, ScimServiceBuilder, Tenancy};
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub use tower::{ScimTowerService, TowerBody};
