//! Resource versions and their ETag form (RFC 7644 §3.14).

use std::fmt;

/// A resource version as a store assigns it: an opaque string, sent to clients as a weak ETag
/// (`W/"3"`) in `meta.version` and the `ETag` header.
///
/// ```
/// use scimkit_core::Version;
///
/// let version = Version::new("3");
/// assert_eq!(version.to_etag(), r#"W/"3""#);
/// assert_eq!(Version::from_etag(r#"W/"3""#), Some(version.clone()));
/// assert_eq!(Version::from_etag(r#""3""#), Some(version));
/// assert_eq!(Version::from_etag("*"), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version(String);

impl Version {
    /// A version with the given opaque text (no quotes).
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The opaque text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The weak ETag form, `W/"text"`.
    pub fn to_etag(&self) -> String {
        format!("W/\"{}\"", self.0)
    }

    /// Reads one entity tag (`W/"x"` or `"x"`); `None` for `*` or malformed input. Weak and
    /// strong tags compare equal, as the weak comparison of RFC 9110 §8.8.3.2 says.
    pub fn from_etag(tag: &str) -> Option<Self> {
        let tag = tag.trim();
        let tag = tag.strip_prefix("W/").unwrap_or(tag);
        let inner = tag.strip_prefix('"')?.strip_suffix('"')?;
        (!inner.contains('"')).then(|| Self(inner.to_owned()))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
