//! RFC 9865 cursors: where a cursor-paged query continues, opaque to clients, authenticated
//! with the service's key, and bound to the tenant, the resource type, the filter, the sort and
//! the count of the query that made it.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::normalize::JsonObject;

/// The key cursors are authenticated with. Every replica of a service must share it (set it
/// with [`ServiceConfig::with_cursor_key`](crate::ServiceConfig::with_cursor_key)): a cursor
/// made by one replica is then valid on the others. The default is a random key made once per
/// process. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct CursorKey(Arc<[u8]>);

impl CursorKey {
    /// A key from `secret` (at least 32 random bytes are advised).
    pub fn new(secret: impl AsRef<[u8]>) -> Self {
        Self(secret.as_ref().into())
    }

    /// This process's random key.
    fn process() -> Self {
        static KEY: OnceLock<CursorKey> = OnceLock::new();
        KEY.get_or_init(|| {
            let bytes: Vec<u8> = [uuid::Uuid::new_v4(), uuid::Uuid::new_v4()]
                .iter()
                .flat_map(|u| *u.as_bytes())
                .collect();
            CursorKey::new(bytes)
        })
        .clone()
    }

    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        // HMAC takes keys of any length.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).unwrap_or_else(|_| {
            <Hmac<Sha256> as KeyInit>::new_from_slice(&[0u8; 32]).unwrap_or_else(|_| unreachable!())
        });
        mac.update(payload);
        mac
    }
}

impl fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CursorKey(<redacted>)")
    }
}

/// How cursors are made and checked (RFC 9865 §4's `cursorTimeout`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CursorSettings {
    /// The key cursors are authenticated with.
    pub key: CursorKey,
    /// How long a cursor stays valid after its page was served (default one hour).
    pub timeout: Duration,
}

impl Default for CursorSettings {
    fn default() -> Self {
        Self { key: CursorKey::process(), timeout: Duration::from_secs(3600) }
    }
}

/// The longest cursor read; a longer one is invalid without being decoded.
const MAX_CURSOR_CHARS: usize = 16 * 1024;

/// What a cursor says: whose query it continues, and where.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CursorState {
    pub(crate) tenant: String,
    pub(crate) resource_type: String,
    /// [`binding`] of the query's filter and sort.
    pub(crate) binding: String,
    pub(crate) count: usize,
    pub(crate) position: JsonObject,
    pub(crate) backward: bool,
    /// When the cursor was made, in seconds since the Unix epoch.
    pub(crate) issued: u64,
}

/// What a cursor binds of a query: its filter and its sort, as sent.
pub(crate) fn binding(filter: Option<&str>, sort_by: Option<&str>, descending: bool) -> String {
    let text = json!([filter.map(str::trim), sort_by.map(str::trim), descending]).to_string();
    let digest = Sha256::digest(text.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

impl CursorState {
    /// The cursor: the state as JSON, base64url, a `.`, and its HMAC-SHA-256, base64url.
    pub(crate) fn encode(&self, settings: &CursorSettings) -> String {
        let payload = json!({
            "t": self.tenant,
            "r": self.resource_type,
            "q": self.binding,
            "c": self.count,
            "p": Value::Object(self.position.clone()),
            "b": self.backward,
            "i": self.issued,
        })
        .to_string();
        let tag = settings.key.mac(payload.as_bytes()).finalize().into_bytes();
        format!("{}.{}", URL_SAFE_NO_PAD.encode(payload), URL_SAFE_NO_PAD.encode(tag))
    }

    /// Reads and checks `cursor`: made with this key, not older than the timeout at `now`
    /// (seconds since the Unix epoch).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCursor`] for a cursor not made by this service (or altered), and
    /// [`Error::ExpiredCursor`] for one past the timeout. The message never quotes the cursor.
    pub(crate) fn decode(cursor: &str, settings: &CursorSettings, now: u64) -> Result<Self> {
        let invalid = || Error::InvalidCursor {
            detail: "the cursor is not one this service gave for this query; start again with \
                     an empty cursor"
                .to_owned(),
        };
        if cursor.len() > MAX_CURSOR_CHARS {
            return Err(invalid());
        }
        let (payload, tag) = cursor.trim().rsplit_once('.').ok_or_else(invalid)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid())?;
        settings.key.mac(&payload).verify_slice(&tag).map_err(|_| invalid())?;
        let value: Value = serde_json::from_slice(&payload).map_err(|_| invalid())?;
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        let state = CursorState {
            tenant: text("t").ok_or_else(invalid)?,
            resource_type: text("r").ok_or_else(invalid)?,
            binding: text("q").ok_or_else(invalid)?,
            count: value
                .get("c")
                .and_then(Value::as_u64)
                .and_then(|c| usize::try_from(c).ok())
                .ok_or_else(invalid)?,
            position: value.get("p").and_then(Value::as_object).cloned().ok_or_else(invalid)?,
            backward: value.get("b").and_then(Value::as_bool).ok_or_else(invalid)?,
            issued: value.get("i").and_then(Value::as_u64).ok_or_else(invalid)?,
        };
        if now.saturating_sub(state.issued) > settings.timeout.as_secs() {
            return Err(Error::ExpiredCursor {
                detail: format!(
                    "the cursor is older than the cursor timeout of {} s; start again with an \
                     empty cursor",
                    settings.timeout.as_secs()
                ),
            });
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> CursorState {
        let mut position = JsonObject::new();
        position.insert("id".to_owned(), json!("u-17"));
        CursorState {
            tenant: "acme".to_owned(),
            resource_type: "User".to_owned(),
            binding: binding(Some("userName sw \"J\""), None, false),
            count: 10,
            position,
            backward: false,
            issued: 1_000,
        }
    }

    #[test]
    fn cursors_round_trip_url_safe_and_refuse_any_edit() {
        let settings = CursorSettings::default();
        let cursor = state().encode(&settings);
        assert!(
            cursor.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)),
            "{cursor}"
        );
        assert_eq!(CursorState::decode(&cursor, &settings, 1_000).unwrap(), state());
        // Every single-character change, and truncations, are refused.
        for i in 0..cursor.len() {
            let mut edited = cursor.clone().into_bytes();
            edited[i] = if edited[i] == b'A' { b'B' } else { b'A' };
            let edited = String::from_utf8(edited).unwrap();
            if edited != cursor {
                assert!(matches!(
                    CursorState::decode(&edited, &settings, 1_000),
                    Err(Error::InvalidCursor { .. })
                ));
            }
        }
        for bad in ["", ".", "abc", &cursor[..cursor.len() - 1], &"x".repeat(MAX_CURSOR_CHARS + 1)]
        {
            assert!(matches!(
                CursorState::decode(bad, &settings, 1_000),
                Err(Error::InvalidCursor { .. })
            ));
        }
        // Another key's cursor is invalid; an old one expired.
        let other =
            CursorSettings { key: CursorKey::new(b"another key"), ..CursorSettings::default() };
        assert!(matches!(
            CursorState::decode(&cursor, &other, 1_000),
            Err(Error::InvalidCursor { .. })
        ));
        let error = CursorState::decode(&cursor, &settings, 1_000 + 3_601).unwrap_err();
        assert!(matches!(error, Error::ExpiredCursor { .. }));
        assert!(!error.detail().contains(&cursor));
        assert_eq!(format!("{:?}", settings.key), "CursorKey(<redacted>)");
    }

    #[test]
    fn bindings_tell_queries_apart() {
        let a = binding(Some("userName sw \"J\""), None, false);
        assert_eq!(a, binding(Some(" userName sw \"J\" "), None, false));
        assert_ne!(a, binding(Some("userName sw \"K\""), None, false));
        assert_ne!(a, binding(Some("userName sw \"J\""), Some("userName"), false));
        assert_ne!(binding(None, Some("userName"), false), binding(None, Some("userName"), true));
    }
}
