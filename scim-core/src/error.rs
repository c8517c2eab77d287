//! The crate error, its mapping to HTTP statuses and RFC 7644 §3.12 `scimType` values.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::message::ErrorResponse;

/// A `scimType` value of an error response (RFC 7644 §3.12, Table 9).
///
/// Serialises with the RFC spelling (`invalidFilter`, `invalidVers`, …). On input the known
/// values are recognised in any ASCII case, and an unknown value is kept verbatim, so an error
/// body from another service provider parses and re-serialises unchanged.
///
/// ```
/// use scimkit_core::ScimType;
///
/// assert_eq!(ScimType::InvalidVers.as_str(), "invalidVers");
/// assert_eq!(ScimType::NoTarget.to_string(), "noTarget");
/// let parsed: ScimType = serde_json::from_str(r#""uniqueness""#)?;
/// assert_eq!(parsed, ScimType::Uniqueness);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScimType {
    /// `invalidFilter`: the filter syntax was invalid, or the filter was not supported for the
    /// operation (status 400).
    InvalidFilter,
    /// `tooMany`: the filter yields more results than the service provider will return or
    /// process (status 400).
    TooMany,
    /// `uniqueness`: one or more unique attribute values are already in use (status 409).
    Uniqueness,
    /// `mutability`: the request tries to change an immutable or read-only attribute (status 400).
    Mutability,
    /// `invalidSyntax`: the request body is unparsable, syntactically incorrect, or violates the
    /// schema (status 400).
    InvalidSyntax,
    /// `invalidPath`: the `path` attribute was invalid or malformed (status 400).
    InvalidPath,
    /// `noTarget`: the `path` or filter yielded no attribute or value to operate on (status 400).
    NoTarget,
    /// `invalidValue`: a required value was missing, or a value was not compatible with the
    /// attribute type (status 400).
    InvalidValue,
    /// `invalidVers`: the requested protocol version is not supported (status 400).
    InvalidVers,
    /// `sensitive`: the request cannot be completed because of sensitive information in the
    /// request URI, such as a password in a query parameter (status 403, RFC 7644 §7.5.2).
    Sensitive,
    /// `invalidCursor`: the cursor is not one the service provider gave for this query
    /// (status 400, RFC 9865 §2.1).
    InvalidCursor,
    /// `expiredCursor`: the cursor is older than the service provider's `cursorTimeout`
    /// (status 400, RFC 9865 §2.1).
    ExpiredCursor,
    /// `invalidCount`: the count is not the one the cursor's query started with (status 400,
    /// RFC 9865 §2.1).
    InvalidCount,
    #[doc(hidden)]
    _Custom(PrivOwnedStr),
}

/// An unknown `scimType`, kept verbatim. Deliberately unnameable outside this crate.
#[doc(hidden)]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PrivOwnedStr(Box<str>);

const KNOWN_SCIM_TYPES: [ScimType; 13] = [
    ScimType::InvalidFilter,
    ScimType::TooMany,
    ScimType::Uniqueness,
    ScimType::Mutability,
    ScimType::InvalidSyntax,
    ScimType::InvalidPath,
    ScimType::NoTarget,
    ScimType::InvalidValue,
    ScimType::InvalidVers,
    ScimType::Sensitive,
    ScimType::InvalidCursor,
    ScimType::ExpiredCursor,
    ScimType::InvalidCount,
];

impl ScimType {
    /// The RFC spelling of this value (`"invalidFilter"`), or an unknown value as it was read.
    pub fn as_str(&self) -> &str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
            ScimType::InvalidCursor => "invalidCursor",
            ScimType::ExpiredCursor => "expiredCursor",
            ScimType::InvalidCount => "invalidCount",
            ScimType::_Custom(s) => &s.0,
        }
    }

    /// Reads a `scimType`: a known value in any ASCII case, otherwise an unknown one kept verbatim.
    fn from_wire(s: &str) -> Self {
        KNOWN_SCIM_TYPES
            .iter()
            .find(|known| known.as_str().eq_ignore_ascii_case(s))
            .cloned()
            .unwrap_or_else(|| ScimType::_Custom(PrivOwnedStr(s.into())))
    }
}

impl fmt::Display for ScimType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ScimType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ScimType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(ScimType::from_wire(&s))
    }
}

/// The result type of this crate, with [`enum@Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a SCIM service reports as an error response (RFC 7644 §3.12).
///
/// Each variant documents its HTTP status and `scimType`. [`Error::to_response`] builds the
/// `urn:ietf:params:scim:api:messages:2.0:Error` body.
///
/// `Display` is meant for logs and may include internal detail (such as the source of a
/// [`Error::Backend`]); what a client may see is [`Error::detail`].
///
/// ```
/// use scimkit_core::{Error, ScimType};
///
/// let err = Error::Uniqueness { detail: "userName \"bjensen\" is already taken".into() };
/// assert_eq!(err.status(), 409);
/// assert_eq!(err.scim_type(), Some(ScimType::Uniqueness));
///
/// let body = serde_json::to_value(err.to_response())?;
/// assert_eq!(body["status"], "409");
/// assert_eq!(body["scimType"], "uniqueness");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 400, `invalidFilter`: the filter is malformed or not supported for this request
    /// (RFC 7644 §3.4.2.2, §3.12).
    #[error("invalid filter: {detail}")]
    InvalidFilter {
        /// What is wrong with the filter; sent to the client.
        detail: String,
    },
    /// 400, `invalidCursor`: the cursor was not issued for this query, tenant and resource
    /// type, or was altered (RFC 9865 §2.1).
    #[error("invalid cursor: {detail}")]
    InvalidCursor {
        /// Client-visible explanation.
        detail: String,
    },
    /// 400, `expiredCursor`: the cursor is older than the cursor timeout (RFC 9865 §2.1).
    #[error("expired cursor: {detail}")]
    ExpiredCursor {
        /// Client-visible explanation.
        detail: String,
    },
    /// 400, `invalidCount`: a cursor page asked with another `count` than its query began
    /// with (RFC 9865 §2.1).
    #[error("invalid count: {detail}")]
    InvalidCount {
        /// Client-visible explanation.
        detail: String,
    },
    /// 400, `tooMany`: the request would return or process more results than the service
    /// provider allows (RFC 7644 §3.4.2.4, §3.12).
    #[error("too many results: {detail}")]
    TooMany {
        /// Client-visible explanation.
        detail: String,
    },
    /// 409, `uniqueness`: a unique attribute value, such as `userName`, is already in use
    /// (RFC 7644 §3.3, §3.12).
    #[error("uniqueness violation: {detail}")]
    Uniqueness {
        /// Client-visible explanation.
        detail: String,
    },
    /// 400, `mutability`: the request changes a read-only or immutable attribute
    /// (RFC 7644 §3.5.1, §3.5.2, §3.12).
    #[error("mutability violation: {detail}")]
    Mutability {
        /// Client-visible explanation.
        detail: String,
    },
    /// 400, `invalidSyntax`: the body is unparsable, syntactically incorrect or violates the
    /// schema (RFC 7644 §3.12).
    #[error("invalid syntax: {detail}")]
    InvalidSyntax {
        /// Client-visible explanation.
        detail: String,
    },
    /// 400, `invalidPath`: a PATCH `path` is invalid or malformed (RFC 7644 §3.5.2, §3.12).
    #[error("invalid path: {detail}")]
    InvalidPath {
        /// Client-visible explanation.
        detail: String,
    },
    /// 400, `noTarget`: a PATCH `path` or value filter matched nothing, or a `remove` has no
    /// path (RFC 7644 §3.5.2, §3.12).
    #[error("no target: {detail}")]
    NoTarget {
        /// Client-visible explanation.
        detail: String,
    },
    /// 400, `invalidValue`: a required value is missing or a value does not fit the attribute
    /// type (RFC 7644 §3.12).
    #[error("invalid value: {detail}")]
    InvalidValue {
        /// Client-visible explanation.
        detail: String,
    },
    /// 400, `invalidVers`: the requested protocol version is not supported (RFC 7644 §3.12,
    /// §3.13).
    #[error("invalid version: {detail}")]
    InvalidVersion {
        /// Client-visible explanation.
        detail: String,
    },
    /// 403, `sensitive`: the request carries sensitive data in its URI, such as a password in a
    /// query parameter (RFC 7644 §3.12, §7.5.2).
    #[error("sensitive information in request: {detail}")]
    Sensitive {
        /// Client-visible explanation.
        detail: String,
    },
    /// 404, no `scimType`: the resource or endpoint does not exist (RFC 7644 §3.12).
    #[error("{resource_type} {id} not found")]
    NotFound {
        /// The resource type (`User`, `Group`) or endpoint that was looked up.
        resource_type: String,
        /// The id that was not found.
        id: String,
    },
    /// 412, no `scimType`: an `If-Match` version does not match the resource's current
    /// version (RFC 7644 §3.12, §3.14).
    #[error("precondition failed: {detail}")]
    PreconditionFailed {
        /// Client-visible explanation.
        detail: String,
    },
    /// 413, no `scimType`: the request body, or the number of bulk operations, exceeds the
    /// service provider's limit (RFC 7644 §3.7.4, §3.12).
    #[error("payload too large: {detail}")]
    PayloadTooLarge {
        /// Client-visible explanation, ideally naming the limit.
        detail: String,
    },
    /// 401, no `scimType`: authentication is missing or invalid (RFC 7644 §2, §3.12).
    #[error("unauthorized: {detail}")]
    Unauthorized {
        /// Client-visible explanation.
        detail: String,
    },
    /// 403, no `scimType`: the client is authenticated but may not perform the operation
    /// (RFC 7644 §2, §3.12).
    #[error("forbidden: {detail}")]
    Forbidden {
        /// Client-visible explanation.
        detail: String,
    },
    /// 405, no `scimType`: the endpoint does not allow the request method (RFC 9110 §15.5.6).
    #[error("method not allowed; allowed: {allow}")]
    MethodNotAllowed {
        /// The methods the endpoint allows, for the `Allow` header (`GET, POST`).
        allow: String,
    },
    /// 415, no `scimType`: the body is not `application/scim+json` or `application/json`
    /// (RFC 7644 §3.1, RFC 9110 §15.5.16).
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 501, no `scimType`: the service provider does not support the operation, such as bulk,
    /// sorting or `/Me` (RFC 7644 §3.12).
    #[error("{operation} is not implemented")]
    NotImplemented {
        /// The unsupported operation (`"bulk"`, `"sort"`); sent to the client.
        operation: String,
    },
    /// 409, no `scimType`: the request conflicts with the resource's state, for a conflict that
    /// is not a uniqueness violation (RFC 7644 §3.12).
    #[error("conflict: {detail}")]
    Conflict {
        /// Client-visible explanation.
        detail: String,
    },
    /// 410, no `scimType`: the events after a consumer's cursor were pruned from the feed, so
    /// reading on would skip them. The consumer must start over (from the oldest event kept, or
    /// from a fresh snapshot of the resources).
    #[error("the events after cursor {cursor} were pruned")]
    EventsPruned {
        /// The cursor the read started after.
        cursor: String,
    },
    /// 429, no `scimType`: the tenant sent more requests than its rate limit allows (RFC 6585
    /// §4). The response carries `Retry-After`; Entra ID and Okta wait that long and retry.
    #[error("too many requests; retry after {retry_after:?}")]
    TooManyRequests {
        /// How long the client should wait before it retries (`Retry-After`, in whole seconds,
        /// rounded up).
        retry_after: std::time::Duration,
    },
    /// 503, no `scimType`: a storage backend is unreachable, saturated or restarting, or a
    /// write kept meeting concurrent writers after the store's retries. The request changed
    /// nothing it acknowledged, and may be sent again after `retry_after`
    /// (RFC 9110 §15.6.4). The response carries `Retry-After`.
    ///
    /// As for [`Error::Backend`], the source is kept for logs and never sent to the client.
    #[error("{store} backend unavailable: {source}")]
    Unavailable {
        /// The name of the backend (`"memory"`, `"postgres"`).
        store: &'static str,
        /// How long the client should wait before it retries (`Retry-After`, in whole seconds,
        /// rounded up).
        retry_after: std::time::Duration,
        /// Why the backend could not serve the request.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// 500, no `scimType`: a storage backend failed (RFC 7644 §3.12).
    ///
    /// The source is kept for logs (`Display`, [`std::error::Error::source`]) but never sent
    /// to the client: [`Error::detail`] is a fixed, generic text.
    #[error("{store} backend error: {source}")]
    Backend {
        /// The name of the backend (`"memory"`, `"postgres"`).
        store: &'static str,
        /// The backend's own error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// 500, no `scimType`: a bug or broken invariant in the service (RFC 7644 §3.12).
    ///
    /// The detail is sent to the client: keep secrets and third-party error text out of it, and
    /// wrap third-party errors in [`Error::Backend`] instead.
    #[error("internal error: {detail}")]
    Internal {
        /// Client-visible explanation.
        detail: String,
    },
}

/// The longest detail sent to a client, in characters. Details quote the client's input
/// (`sortBy`, attribute names, PATCH paths, filters); past this they are cut, so an error
/// response never echoes more than a bounded prefix of a request.
const MAX_DETAIL_CHARS: usize = 256;

/// `detail`, cut at [`MAX_DETAIL_CHARS`] characters with an ellipsis.
fn bounded(mut detail: String) -> String {
    if let Some((cut, _)) = detail.char_indices().nth(MAX_DETAIL_CHARS) {
        detail.truncate(cut);
        detail.push('…');
    }
    detail
}

/// The client-visible detail of an [`Error::Backend`].
const BACKEND_DETAIL: &str = "internal server error";

/// The client-visible detail of an [`Error::Unavailable`].
const UNAVAILABLE_DETAIL: &str =
    "the service is temporarily unavailable; retry after the time in Retry-After";

/// Shorthands for the variants that carry only a client-visible detail.
impl Error {
    /// [`Error::InvalidValue`] with `detail`.
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Error::InvalidValue { detail: detail.into() }
    }

    /// [`Error::InvalidSyntax`] with `detail`.
    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Error::InvalidSyntax { detail: detail.into() }
    }

    /// [`Error::InvalidPath`] with `detail`.
    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Error::InvalidPath { detail: detail.into() }
    }

    /// [`Error::NoTarget`] with `detail`.
    pub fn no_target(detail: impl Into<String>) -> Self {
        Error::NoTarget { detail: detail.into() }
    }

    /// [`Error::Mutability`] with `detail`.
    pub fn mutability(detail: impl Into<String>) -> Self {
        Error::Mutability { detail: detail.into() }
    }
}

impl Error {
    /// The HTTP status code of this error (RFC 7644 §3.12).
    ///
    /// ```
    /// use scimkit_core::Error;
    ///
    /// let err = Error::NotFound { resource_type: "User".into(), id: "2819c223".into() };
    /// assert_eq!(err.status(), 404);
    /// ```
    pub fn status(&self) -> u16 {
        match self {
            Error::InvalidFilter { .. }
            | Error::TooMany { .. }
            | Error::Mutability { .. }
            | Error::InvalidSyntax { .. }
            | Error::InvalidPath { .. }
            | Error::NoTarget { .. }
            | Error::InvalidValue { .. }
            | Error::InvalidCursor { .. }
            | Error::ExpiredCursor { .. }
            | Error::InvalidCount { .. }
            | Error::InvalidVersion { .. } => 400,
            Error::Unauthorized { .. } => 401,
            Error::Sensitive { .. } | Error::Forbidden { .. } => 403,
            Error::NotFound { .. } => 404,
            Error::MethodNotAllowed { .. } => 405,
            Error::Uniqueness { .. } | Error::Conflict { .. } => 409,
            Error::PreconditionFailed { .. } => 412,
            Error::EventsPruned { .. } => 410,
            Error::PayloadTooLarge { .. } => 413,
            Error::UnsupportedMediaType => 415,
            Error::TooManyRequests { .. } => 429,
            Error::Backend { .. } | Error::Internal { .. } => 500,
            Error::NotImplemented { .. } => 501,
            Error::Unavailable { .. } => 503,
        }
    }

    /// The `scimType` of this error, for the errors RFC 7644 §3.12 gives one.
    pub fn scim_type(&self) -> Option<ScimType> {
        Some(match self {
            Error::InvalidFilter { .. } => ScimType::InvalidFilter,
            Error::TooMany { .. } => ScimType::TooMany,
            Error::Uniqueness { .. } => ScimType::Uniqueness,
            Error::Mutability { .. } => ScimType::Mutability,
            Error::InvalidSyntax { .. } => ScimType::InvalidSyntax,
            Error::InvalidPath { .. } => ScimType::InvalidPath,
            Error::NoTarget { .. } => ScimType::NoTarget,
            Error::InvalidValue { .. } => ScimType::InvalidValue,
            Error::InvalidVersion { .. } => ScimType::InvalidVers,
            Error::Sensitive { .. } => ScimType::Sensitive,
            Error::InvalidCursor { .. } => ScimType::InvalidCursor,
            Error::ExpiredCursor { .. } => ScimType::ExpiredCursor,
            Error::InvalidCount { .. } => ScimType::InvalidCount,
            Error::NotFound { .. }
            | Error::PreconditionFailed { .. }
            | Error::PayloadTooLarge { .. }
            | Error::Unauthorized { .. }
            | Error::Forbidden { .. }
            | Error::MethodNotAllowed { .. }
            | Error::UnsupportedMediaType
            | Error::NotImplemented { .. }
            | Error::Conflict { .. }
            | Error::EventsPruned { .. }
            | Error::TooManyRequests { .. }
            | Error::Unavailable { .. }
            | Error::Backend { .. }
            | Error::Internal { .. } => return None,
        })
    }

    /// The text for the `detail` of the error response: safe to show to the client.
    ///
    /// Unlike `Display`, this never includes the source of an [`Error::Backend`].
    ///
    /// ```
    /// use scimkit_core::Error;
    ///
    /// let err = Error::Backend { store: "postgres", source: "password=hunter2 rejected".into() };
    /// assert_eq!(err.detail(), "internal server error");
    /// assert!(!err.to_response().detail.unwrap_or_default().contains("hunter2"));
    /// ```
    pub fn detail(&self) -> String {
        bounded(self.full_detail())
    }

    /// The detail before it is bounded.
    fn full_detail(&self) -> String {
        match self {
            Error::InvalidFilter { detail }
            | Error::TooMany { detail }
            | Error::Uniqueness { detail }
            | Error::Mutability { detail }
            | Error::InvalidSyntax { detail }
            | Error::InvalidPath { detail }
            | Error::NoTarget { detail }
            | Error::InvalidValue { detail }
            | Error::InvalidVersion { detail }
            | Error::Sensitive { detail }
            | Error::InvalidCursor { detail }
            | Error::ExpiredCursor { detail }
            | Error::InvalidCount { detail }
            | Error::PreconditionFailed { detail }
            | Error::PayloadTooLarge { detail }
            | Error::Unauthorized { detail }
            | Error::Forbidden { detail }
            | Error::Conflict { detail }
            | Error::Internal { detail } => detail.clone(),
            Error::NotFound { resource_type, id } => {
                // Ids come from the request path: never echo more than a short prefix.
                match id.char_indices().nth(128) {
                    Some((cut, _)) => format!("{resource_type} {}… not found", &id[..cut]),
                    None => format!("{resource_type} {id} not found"),
                }
            }
            Error::MethodNotAllowed { allow } => format!("method not allowed; allowed: {allow}"),
            Error::UnsupportedMediaType => {
                "unsupported media type: send application/scim+json or application/json".to_owned()
            }
            Error::NotImplemented { operation } => format!("{operation} is not implemented"),
            Error::EventsPruned { cursor } => {
                format!("the events after cursor {cursor} were pruned")
            }
            Error::Backend { .. } => BACKEND_DETAIL.to_owned(),
            Error::TooManyRequests { .. } => {
                "too many requests for this tenant; retry after the time in Retry-After".to_owned()
            }
            Error::Unavailable { .. } => UNAVAILABLE_DETAIL.to_owned(),
        }
    }

    /// How long the client should wait before sending the request again, for the errors that
    /// say so ([`Error::TooManyRequests`], [`Error::Unavailable`]): the `Retry-After` header.
    ///
    /// ```
    /// use std::time::Duration;
    /// use scimkit_core::Error;
    ///
    /// let err = Error::TooManyRequests { retry_after: Duration::from_millis(1500) };
    /// assert_eq!(err.status(), 429);
    /// assert_eq!(err.retry_after(), Some(Duration::from_millis(1500)));
    /// assert_eq!(err.retry_after_header().as_deref(), Some("2"));
    /// ```
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Error::TooManyRequests { retry_after } | Error::Unavailable { retry_after, .. } => {
                Some(*retry_after)
            }
            _ => None,
        }
    }

    /// The `Retry-After` header value of this error: [`Error::retry_after`] in whole seconds,
    /// rounded up, at least 1.
    pub fn retry_after_header(&self) -> Option<String> {
        self.retry_after().map(|wait| {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            seconds.max(1).to_string()
        })
    }

    /// The error response body for this error (RFC 7644 §3.12), with the client-safe
    /// [`detail`](Error::detail).
    ///
    /// ```
    /// use scimkit_core::Error;
    /// use serde_json::json;
    ///
    /// let err = Error::NoTarget { detail: "no email of type work".into() };
    /// assert_eq!(
    ///     serde_json::to_value(err.to_response())?,
    ///     json!({
    ///         "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
    ///         "status": "400",
    ///         "scimType": "noTarget",
    ///         "detail": "no email of type work"
    ///     })
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn to_response(&self) -> ErrorResponse {
        let mut response = ErrorResponse::new(self.status()).with_detail(self.detail());
        response.scim_type = self.scim_type();
        response
    }
}

impl From<scimkit_filter::ParseError> for Error {
    /// A filter that does not parse is a 400 `invalidFilter`. (A PATCH path that does not parse
    /// is `invalidPath`: build [`Error::InvalidPath`] for those.)
    fn from(err: scimkit_filter::ParseError) -> Self {
        Error::InvalidFilter { detail: err.to_string() }
    }
}

impl From<serde_json::Error> for Error {
    /// A body that is not valid JSON, or does not have the expected shape, is a 400
    /// `invalidSyntax`.
    ///
    /// The detail names only the kind of failure and its position, never the message of
    /// `serde_json`, which can quote values from the body (such as a password).
    fn from(err: serde_json::Error) -> Self {
        use serde_json::error::Category;

        let what = match err.classify() {
            Category::Syntax => "the request body is not valid JSON",
            Category::Eof => "the request body ends unexpectedly",
            Category::Data => "the request body does not match the expected message or schema",
            Category::Io => "the request body could not be read",
        };
        let detail = if err.line() > 0 {
            format!("{what} (line {}, column {})", err.line(), err.column())
        } else {
            what.to_owned()
        };
        Error::InvalidSyntax { detail }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn every_variant() -> Vec<Error> {
        let d = || "d".to_owned();
        vec![
            Error::InvalidFilter { detail: d() },
            Error::TooMany { detail: d() },
            Error::Uniqueness { detail: d() },
            Error::Mutability { detail: d() },
            Error::InvalidSyntax { detail: d() },
            Error::InvalidPath { detail: d() },
            Error::NoTarget { detail: d() },
            Error::InvalidValue { detail: d() },
            Error::InvalidVersion { detail: d() },
            Error::Sensitive { detail: d() },
            Error::NotFound { resource_type: "User".to_owned(), id: "42".to_owned() },
            Error::PreconditionFailed { detail: d() },
            Error::PayloadTooLarge { detail: d() },
            Error::Unauthorized { detail: d() },
            Error::Forbidden { detail: d() },
            Error::MethodNotAllowed { allow: "GET".to_owned() },
            Error::UnsupportedMediaType,
            Error::NotImplemented { operation: "bulk".to_owned() },
            Error::Conflict { detail: d() },
            Error::Backend { store: "memory", source: "boom".into() },
            Error::Internal { detail: d() },
            Error::TooManyRequests { retry_after: std::time::Duration::from_secs(3) },
            Error::Unavailable {
                store: "postgres",
                retry_after: std::time::Duration::from_secs(1),
                source: "boom".into(),
            },
            Error::InvalidCursor { detail: d() },
            Error::ExpiredCursor { detail: d() },
            Error::InvalidCount { detail: d() },
        ]
    }

    #[test]
    fn error_is_send_sync_static() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Error>();
        assert_send_sync::<ScimType>();
    }

    #[test]
    fn status_and_scim_type_table() {
        use ScimType as T;
        let expected: Vec<(u16, Option<ScimType>)> = vec![
            (400, Some(T::InvalidFilter)),
            (400, Some(T::TooMany)),
            (409, Some(T::Uniqueness)),
            (400, Some(T::Mutability)),
            (400, Some(T::InvalidSyntax)),
            (400, Some(T::InvalidPath)),
            (400, Some(T::NoTarget)),
            (400, Some(T::InvalidValue)),
            (400, Some(T::InvalidVers)),
            (403, Some(T::Sensitive)),
            (404, None),
            (412, None),
            (413, None),
            (401, None),
            (403, None),
            (405, None),
            (415, None),
            (501, None),
            (409, None),
            (500, None),
            (500, None),
            (429, None),
            (503, None),
            (400, Some(T::InvalidCursor)),
            (400, Some(T::ExpiredCursor)),
            (400, Some(T::InvalidCount)),
        ];
        let variants = every_variant();
        assert_eq!(variants.len(), expected.len());
        for (err, (status, scim_type)) in variants.iter().zip(expected) {
            assert_eq!(err.status(), status, "{err:?}");
            assert_eq!(err.scim_type(), scim_type, "{err:?}");
            let body = serde_json::to_value(err.to_response()).unwrap();
            assert_eq!(body["status"], json!(status.to_string()), "{err:?}");
            assert_eq!(
                body.get("scimType").cloned(),
                scim_type.map(|t| json!(t.as_str())),
                "{err:?}"
            );
            assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{err:?}");
        }
    }

    #[test]
    fn backend_detail_never_leaks_source() {
        let secret = "connection to db://admin:s3cret@10.0.0.5 refused";
        let err = Error::Backend { store: "postgres", source: secret.into() };
        assert_eq!(err.detail(), BACKEND_DETAIL);
        let body = serde_json::to_string(&err.to_response()).unwrap();
        assert!(!body.contains("s3cret"), "{body}");
        assert!(!body.contains("10.0.0.5"), "{body}");
        assert!(!body.contains("postgres"), "{body}");
        // Logs do get the source.
        assert!(err.to_string().contains(secret));
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn unavailable_detail_never_leaks_source_and_says_when_to_retry() {
        let secret = "connection to db://admin:s3cret@10.0.0.5 refused";
        let err = Error::Unavailable {
            store: "postgres",
            retry_after: std::time::Duration::from_millis(200),
            source: secret.into(),
        };
        let body = serde_json::to_string(&err.to_response()).unwrap();
        assert!(!body.contains("s3cret") && !body.contains("postgres"), "{body}");
        assert!(err.to_string().contains(secret));
        assert_eq!(err.retry_after_header().as_deref(), Some("1"));
        let err = Error::TooManyRequests { retry_after: std::time::Duration::from_secs(7) };
        assert_eq!(err.retry_after_header().as_deref(), Some("7"));
        assert_eq!(Error::invalid_value("x").retry_after_header(), None);
    }

    #[test]
    fn serde_json_errors_become_invalid_syntax_without_echoing_values() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Creds {
            count: u32,
        }
        let err = serde_json::from_str::<Creds>(r#"{"count": "hunter2"}"#).unwrap_err();
        assert!(err.to_string().contains("hunter2"));
        let err = Error::from(err);
        assert_eq!(err.status(), 400);
        assert_eq!(err.scim_type(), Some(ScimType::InvalidSyntax));
        assert!(!err.detail().contains("hunter2"), "{}", err.detail());
        assert!(err.detail().contains("line 1"), "{}", err.detail());

        let err = Error::from(serde_json::from_str::<serde_json::Value>("{").unwrap_err());
        assert!(err.detail().contains("ends unexpectedly"), "{}", err.detail());
        let err = Error::from(serde_json::from_str::<serde_json::Value>("{]").unwrap_err());
        assert!(err.detail().contains("not valid JSON"), "{}", err.detail());
    }

    #[test]
    fn filter_parse_errors_become_invalid_filter() {
        let parse_err = scimkit_filter::Filter::parse("userName eq").unwrap_err();
        let err = Error::from(parse_err.clone());
        assert_eq!(err.status(), 400);
        assert_eq!(err.scim_type(), Some(ScimType::InvalidFilter));
        assert_eq!(err.detail(), parse_err.to_string());
    }

    #[test]
    fn not_found_detail_names_resource_and_id() {
        let err = Error::NotFound {
            resource_type: "Resource".to_owned(),
            id: "2819c223-7f76-453a-919d-413861904646".to_owned(),
        };
        assert_eq!(err.detail(), "Resource 2819c223-7f76-453a-919d-413861904646 not found");
        assert_eq!(
            serde_json::to_value(err.to_response()).unwrap(),
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": "404",
                "detail": "Resource 2819c223-7f76-453a-919d-413861904646 not found"
            })
        );
    }

    #[test]
    fn scim_type_wire_spelling_round_trips() {
        for t in KNOWN_SCIM_TYPES {
            let s = serde_json::to_string(&t).unwrap();
            assert_eq!(s, format!("\"{}\"", t.as_str()));
            assert_eq!(serde_json::from_str::<ScimType>(&s).unwrap(), t);
        }
        assert_eq!(
            serde_json::from_str::<ScimType>(r#""INVALIDFILTER""#).unwrap(),
            ScimType::InvalidFilter
        );
        let custom: ScimType = serde_json::from_str(r#""invalidRequest""#).unwrap();
        assert_eq!(custom.as_str(), "invalidRequest");
        assert_eq!(serde_json::to_string(&custom).unwrap(), r#""invalidRequest""#);
    }
}
