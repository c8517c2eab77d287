//! The `meta` common attribute (RFC 7643 §3.1).

use serde::{Deserialize, Serialize};

/// Resource metadata (RFC 7643 §3.1): the `meta` attribute, set by the service provider.
///
/// Every sub-attribute is read-only; clients may send `meta` (Microsoft Entra ID sends
/// `{"resourceType": "User"}`) and the server ignores it. Times are RFC 3339 strings such as
/// `2010-01-23T04:56:22Z`.
///
/// # Examples
///
/// ```
/// use scimkit_core::Meta;
///
/// let meta = Meta::new("User")
///     .with_location("https://example.com/v2/Users/2819c223")
///     .with_version(r#"W/"a330bc54f0671c9""#);
/// let json = serde_json::to_value(&meta)?;
/// assert_eq!(json["resourceType"], "User");
/// assert!(json.get("created").is_none());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Meta {
    /// The name of the resource type, e.g. `User` or `Group`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// When the resource was added to the service provider (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// When the resource was last modified (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// The URI of the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The version of the resource, an entity tag such as `W/"3694e05e9dff590"` (RFC 7644 §3.14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl Meta {
    /// Creates metadata for a resource of the given type, with nothing else set.
    pub fn new(resource_type: impl Into<String>) -> Self {
        Self { resource_type: Some(resource_type.into()), ..Self::default() }
    }

    /// Sets the creation and last-modification times (RFC 3339).
    #[must_use]
    pub fn with_times(
        mut self,
        created: impl Into<String>,
        last_modified: impl Into<String>,
    ) -> Self {
        self.created = Some(created.into());
        self.last_modified = Some(last_modified.into());
        self
    }

    /// Sets the location URI.
    #[must_use]
    pub fn with_location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// Sets the version (entity tag).
    #[must_use]
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nulls_are_absent_and_never_output() {
        let meta: Meta =
            serde_json::from_value(json!({"resourceType": "User", "created": null})).unwrap();
        assert_eq!(meta, Meta::new("User"));
        assert_eq!(serde_json::to_value(&meta).unwrap(), json!({"resourceType": "User"}));
    }

    #[test]
    fn builders_set_all_fields() {
        let meta = Meta::new("Group")
            .with_times("2010-01-23T04:56:22Z", "2011-05-13T04:42:34Z")
            .with_location("https://example.com/v2/Groups/1")
            .with_version(r#"W/"1""#);
        assert_eq!(
            serde_json::to_value(&meta).unwrap(),
            json!({
                "resourceType": "Group",
                "created": "2010-01-23T04:56:22Z",
                "lastModified": "2011-05-13T04:42:34Z",
                "location": "https://example.com/v2/Groups/1",
                "version": "W/\"1\""
            })
        );
    }
}
