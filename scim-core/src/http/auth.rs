//! Authentication and authorisation hooks, and the built-in bearer token authenticator.

use std::collections::HashMap;
use std::fmt;

use sha2::{Digest, Sha256};

use super::operation::Operation;

/// Who is calling, and for which tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Principal {
    /// The tenant whose resources the request may see. Every store operation is scoped to it.
    pub tenant: String,
    /// The id of the User resource the caller is, if it is one: what `/Me` resolves to. `None`
    /// for provisioning clients (Entra ID, Okta), for which `/Me` answers 501.
    pub subject: Option<String>,
    /// A name for logs (never the credential itself).
    pub name: String,
}

impl Principal {
    /// A principal for `tenant`, named `name` in logs.
    pub fn new(tenant: impl Into<String>, name: impl Into<String>) -> Self {
        Self { tenant: tenant.into(), subject: None, name: name.into() }
    }

    /// This principal acting as the User resource `id` (for `/Me`).
    #[must_use]
    pub fn with_subject(mut self, id: impl Into<String>) -> Self {
        self.subject = Some(id.into());
        self
    }
}

/// Why a request was not authenticated. Its text goes to the client, so it never names the
/// credential that was sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct AuthError {
    detail: String,
}

impl AuthError {
    /// A failure with a client-visible reason.
    pub fn new(detail: impl Into<String>) -> Self {
        Self { detail: detail.into() }
    }
}

/// Turns a request into a principal, or refuses it (401).
pub trait Authenticator: fmt::Debug + Send + Sync + 'static {
    /// Authenticates the request whose head is `parts`.
    ///
    /// # Errors
    ///
    /// [`AuthError`] when the request carries no valid credential.
    fn authenticate(&self, parts: &http::request::Parts) -> Result<Principal, AuthError>;

    /// The `WWW-Authenticate` challenge sent with a 401.
    fn challenge(&self) -> &str {
        "Bearer realm=\"SCIM\""
    }

    /// Whether `tenant` is one the service serves: under
    /// [`Tenancy::PathSegment`](super::Tenancy::PathSegment), a public discovery request
    /// for a tenant it does not know gets 404. The default knows every tenant.
    fn knows_tenant(&self, tenant: &str) -> bool {
        let _ = tenant;
        true
    }
}

/// Decides whether an authenticated principal may perform an operation (403 if not).
pub trait Authorizer: fmt::Debug + Send + Sync + 'static {
    /// Whether `principal` may perform `operation`.
    fn authorize(&self, principal: &Principal, operation: &Operation<'_>) -> bool;
}

/// Bearer token authentication: each token maps to a principal (one token per tenant for a
/// multi-tenant SaaS, as Entra ID's "Secret Token" is configured per customer).
///
/// Tokens are kept only as SHA-256 digests and looked up by digest, so a lookup takes the same
/// time whatever the token's content and no token is held in memory in the clear.
///
/// ```
/// use scimkit_core::http::{Authenticator, BearerTokens, Principal};
///
/// let tokens = BearerTokens::new()
///     .with_token("s3cret-acme", Principal::new("acme", "Entra ID for Acme"))
///     .with_token("s3cret-globex", Principal::new("globex", "Okta for Globex"));
/// let request = http::Request::get("/Users")
///     .header("Authorization", "Bearer s3cret-globex")
///     .body(())
///     .unwrap();
/// let (parts, ()) = request.into_parts();
/// assert_eq!(tokens.authenticate(&parts).unwrap().tenant, "globex");
/// ```
#[derive(Clone, Default)]
pub struct BearerTokens {
    by_digest: HashMap<[u8; 32], Principal>,
}

impl fmt::Debug for BearerTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerTokens").field("tokens", &self.by_digest.len()).finish()
    }
}

impl BearerTokens {
    /// No tokens: every request is refused.
    pub fn new() -> Self {
        Self::default()
    }

    /// These tokens and `token` for `principal`.
    #[must_use]
    pub fn with_token(mut self, token: impl AsRef<[u8]>, principal: Principal) -> Self {
        self.insert(token, principal);
        self
    }

    /// Adds `token` for `principal` (replacing an earlier principal for the same token).
    pub fn insert(&mut self, token: impl AsRef<[u8]>, principal: Principal) {
        self.by_digest.insert(digest(token.as_ref()), principal);
    }

    /// Removes `token`; returns whether it was known.
    pub fn remove(&mut self, token: impl AsRef<[u8]>) -> bool {
        self.by_digest.remove(&digest(token.as_ref())).is_some()
    }
}

/// The token of a request's single `Authorization: Bearer …` header.
///
/// # Errors
///
/// [`AuthError`] when there is no such header, more than one, another scheme, or no token.
pub(crate) fn bearer_token(parts: &http::request::Parts) -> Result<&str, AuthError> {
    let mut values = parts.headers.get_all(http::header::AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(AuthError::new("a bearer token is required"));
    };
    let value = value.to_str().map_err(|_| AuthError::new("malformed Authorization header"))?;
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::new("the Authorization scheme must be Bearer"));
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(AuthError::new("a bearer token is required"));
    }
    Ok(token)
}

fn digest(token: &[u8]) -> [u8; 32] {
    Sha256::digest(token).into()
}

impl Authenticator for BearerTokens {
    fn authenticate(&self, parts: &http::request::Parts) -> Result<Principal, AuthError> {
        let token = bearer_token(parts)?;
        self.by_digest
            .get(&digest(token.as_bytes()))
            .cloned()
            .ok_or_else(|| AuthError::new("the bearer token is not valid"))
    }

    /// The tenants some token is for.
    fn knows_tenant(&self, tenant: &str) -> bool {
        self.by_digest.values().any(|principal| principal.tenant == tenant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(auth: &[&str]) -> http::request::Parts {
        let mut builder = http::Request::get("/Users");
        for value in auth {
            builder = builder.header("Authorization", *value);
        }
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn bearer_tokens() {
        let tokens = BearerTokens::new().with_token("abc", Principal::new("t1", "one"));
        assert_eq!(tokens.authenticate(&parts(&["Bearer abc"])).unwrap().tenant, "t1");
        assert_eq!(tokens.authenticate(&parts(&["bearer  abc "])).unwrap().tenant, "t1");
        for bad in [
            &[][..],
            &["Bearer abd"],
            &["Basic abc"],
            &["Bearer"],
            &["Bearer "],
            &["abc"],
            &["Bearer abc", "Bearer abc"],
        ] {
            let err = tokens.authenticate(&parts(bad)).unwrap_err();
            assert!(!err.to_string().contains("abc"), "the detail never echoes the token");
        }
        let debug = format!("{tokens:?}");
        assert!(!debug.contains("abc"));
    }
}
