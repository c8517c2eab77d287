//! The service's configuration: limits with safe defaults, and behaviour switches.

use crate::compat::Compatibility;
use crate::cursor::{CursorKey, CursorSettings};
use crate::event::EventSettings;
use crate::password::PasswordPolicy;

/// Limits on what one request may ask for. Every limit has a safe default; those the RFC has a
/// field for are advertised in `/ServiceProviderConfig`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The largest request body accepted, in bytes (413 beyond it). Advertised as the bulk
    /// `maxPayloadSize`. Default 1 MiB.
    pub max_body_bytes: usize,
    /// The most resources one list or search returns (`filter.maxResults`); a larger `count`
    /// is capped, and a request without `count` gets this many. Default 200.
    pub max_results: usize,
    /// The longest filter accepted, in bytes. Default 8 KiB.
    pub max_filter_length: usize,
    /// The deepest nesting of parentheses, `not` and value paths in a filter. Default 32.
    pub max_filter_depth: usize,
    /// The most terms in one filter. Default 256.
    pub max_filter_terms: usize,
    /// The most operations in one PATCH request (400 `tooMany` beyond it). Default 1,000.
    pub max_patch_operations: usize,
    /// The most operations in one bulk request (413 beyond it). Default 1,000.
    pub max_bulk_operations: usize,
    /// The longest value, in bytes of UTF-8 (after case folding, for a case-insensitive
    /// attribute), of a unique or indexed attribute (`userName`, `externalId`, a Group's
    /// `displayName`) and of a Group member's `value`: 400 `invalidValue` beyond it. Stores
    /// index these values, and a database index entry has a size limit (PostgreSQL's is about
    /// 2.7 KB); bounding them here gives every store the same answer for every length. RFC 7643
    /// has no attribute for it, so it is not advertised. Default 1,024.
    pub max_key_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            max_results: 200,
            max_filter_length: 8 * 1024,
            max_filter_depth: 32,
            max_filter_terms: 256,
            max_patch_operations: 1000,
            max_bulk_operations: 1000,
            max_key_bytes: 1024,
        }
    }
}

impl Limits {
    /// The filter parser's limits that follow from these.
    pub fn filter_limits(&self) -> scimkit_filter::Limits {
        scimkit_filter::Limits::default()
            .with_max_length(self.max_filter_length)
            .with_max_depth(self.max_filter_depth)
            .with_max_terms(self.max_filter_terms)
    }

    /// These limits with a different maximum body size.
    #[must_use]
    pub fn with_max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// These limits with a different `maxResults`.
    #[must_use]
    pub fn with_max_results(mut self, max_results: usize) -> Self {
        self.max_results = max_results;
        self
    }

    /// These limits with a different longest key value (see [`Limits::max_key_bytes`]).
    #[must_use]
    pub fn with_max_key_bytes(mut self, bytes: usize) -> Self {
        self.max_key_bytes = bytes;
        self
    }

    /// These limits with a different maximum number of bulk operations.
    #[must_use]
    pub fn with_max_bulk_operations(mut self, operations: usize) -> Self {
        self.max_bulk_operations = operations;
        self
    }
}

/// How the service behaves: limits, compatibility settings and protocol choices.
///
/// ```
/// use scimkit_core::{Compatibility, Limits, ServiceConfig};
///
/// let config = ServiceConfig::default()
///     .with_limits(Limits::default().with_max_results(100))
///     .with_compatibility(Compatibility::strict())
///     .with_patch_returns_resource(false);
/// assert_eq!(config.limits.max_results, 100);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceConfig {
    /// Request limits.
    pub limits: Limits,
    /// What real clients' deviations from the RFC to accept.
    pub compatibility: Compatibility,
    /// Whether Group `displayName` is unique per tenant (409 `uniqueness` on a duplicate), as
    /// Microsoft Entra ID expects. RFC 7643 does not require it. Default `true`.
    pub unique_group_display_name: bool,
    /// Whether a successful PATCH answers 200 with the resource (default) or 204 without a body.
    /// A PATCH that asks for `attributes` or `excludedAttributes` always gets 200 with the
    /// projected resource (RFC 7644 §3.5.2).
    pub patch_returns_resource: bool,
    /// Resource types (ASCII lower case) whose PATCH answers otherwise than
    /// `patch_returns_resource` says: `true` for 200 with the resource, `false` for 204. Microsoft
    /// recommends 204 for Group PATCH, where a large group's body costs both sides.
    pub patch_returns_resource_by_type: std::collections::BTreeMap<String, bool>,
    /// Whether every committed change is recorded as an event, and with what payload
    /// (default: recorded, at the notice level). See [`crate::event`].
    pub events: EventSettings,
    /// What is done with the passwords clients send (default: dropped, never stored).
    pub passwords: PasswordPolicy,
    /// How RFC 9865 cursors are authenticated and how long they last.
    pub cursors: CursorSettings,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            compatibility: Compatibility::default(),
            unique_group_display_name: true,
            patch_returns_resource: true,
            patch_returns_resource_by_type: std::collections::BTreeMap::new(),
            events: EventSettings::default(),
            passwords: PasswordPolicy::default(),
            cursors: CursorSettings::default(),
        }
    }
}

impl ServiceConfig {
    /// This configuration with cursors authenticated by `secret`, which every replica of the
    /// service must share (by default each process makes its own random key, so a cursor is
    /// valid only on the replica that made it).
    #[must_use]
    pub fn with_cursor_key(mut self, secret: impl AsRef<[u8]>) -> Self {
        self.cursors.key = CursorKey::new(secret);
        self
    }

    /// This configuration with cursors valid for `timeout` after their page (default one
    /// hour; `cursorTimeout` in `/ServiceProviderConfig`).
    #[must_use]
    pub fn with_cursor_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.cursors.timeout = timeout;
        self
    }

    /// This configuration with other limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// This configuration with other compatibility settings.
    #[must_use]
    pub fn with_compatibility(mut self, compatibility: Compatibility) -> Self {
        self.compatibility = compatibility;
        self
    }

    /// This configuration with Group `displayName` uniqueness on or off.
    #[must_use]
    pub fn with_unique_group_display_name(mut self, on: bool) -> Self {
        self.unique_group_display_name = on;
        self
    }

    /// This configuration answering PATCH with the resource (200) or without (204).
    #[must_use]
    pub fn with_patch_returns_resource(mut self, on: bool) -> Self {
        self.patch_returns_resource = on;
        self
    }

    /// This configuration answering PATCH of `resource_type` with the resource (200) or
    /// without (204), whatever [`ServiceConfig::patch_returns_resource`] says for the others.
    ///
    /// ```
    /// use scimkit_core::ServiceConfig;
    ///
    /// let config = ServiceConfig::default().with_patch_returns_resource_for("Group", false);
    /// assert!(config.patch_returns_resource_for("User"));
    /// assert!(!config.patch_returns_resource_for("group"));
    /// ```
    #[must_use]
    pub fn with_patch_returns_resource_for(mut self, resource_type: &str, on: bool) -> Self {
        self.patch_returns_resource_by_type.insert(resource_type.to_ascii_lowercase(), on);
        self
    }

    /// Whether a PATCH of `resource_type` answers with the resource (200) rather than 204.
    pub fn patch_returns_resource_for(&self, resource_type: &str) -> bool {
        self.patch_returns_resource_by_type
            .get(&resource_type.to_ascii_lowercase())
            .copied()
            .unwrap_or(self.patch_returns_resource)
    }

    /// This configuration with another password policy (see [`PasswordPolicy`]).
    #[must_use]
    pub fn with_passwords(mut self, policy: PasswordPolicy) -> Self {
        self.passwords = policy;
        self
    }

    /// This configuration with other event settings.
    #[must_use]
    pub fn with_events(mut self, events: EventSettings) -> Self {
        self.events = events;
        self
    }
}
