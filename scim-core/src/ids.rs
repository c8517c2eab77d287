//! Injected id generation: resource ids come from an [`IdGenerator`], so tests can predict them.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// A source of new resource ids.
///
/// Ids must be unique within a tenant and resource type, must not be the string `bulkId`
/// (RFC 7643 §3.1), and should be URL-safe.
pub trait IdGenerator: fmt::Debug + Send + Sync + 'static {
    /// A new id.
    fn next_id(&self) -> String;
}

/// Random version-4 UUIDs (`2819c223-7f76-453a-919d-413861904646`), the default.
#[derive(Clone, Copy, Debug, Default)]
pub struct UuidIds;

impl IdGenerator for UuidIds {
    fn next_id(&self) -> String {
        random_uuid()
    }
}

/// A random version-4 UUID in its hyphenated lower-case form, written without the formatting
/// machinery (it is made for every resource, event and request).
pub(crate) fn random_uuid() -> String {
    let mut buffer = uuid::Uuid::encode_buffer();
    uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buffer).to_owned()
}

/// Ids `prefix-1`, `prefix-2`, … for deterministic tests.
///
/// ```
/// use scimkit_core::{IdGenerator, SequentialIds};
///
/// let ids = SequentialIds::new("user");
/// assert_eq!(ids.next_id(), "user-1");
/// assert_eq!(ids.next_id(), "user-2");
/// ```
#[derive(Debug)]
pub struct SequentialIds {
    prefix: String,
    next: AtomicU64,
}

impl SequentialIds {
    /// Ids starting at `prefix-1`.
    pub fn new(prefix: impl Into<String>) -> Self {
        Self { prefix: prefix.into(), next: AtomicU64::new(1) }
    }
}

impl IdGenerator for SequentialIds {
    fn next_id(&self) -> String {
        format!("{}-{}", self.prefix, self.next.fetch_add(1, Ordering::Relaxed))
    }
}
