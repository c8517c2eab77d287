//! A token as issued (its secret, shown once) and as stored (its digest).

use std::fmt;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

/// The SHA-256 digest of a token: all a store keeps of it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenDigest([u8; 32]);

impl TokenDigest {
    /// The digest of `token`.
    pub fn of(token: &[u8]) -> Self {
        Self(Sha256::digest(token).into())
    }

    /// The digest's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A digest from its 32 bytes, as a store reads it back.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The digest in lower-case hex.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// A digest from its hex form; `None` if it is not 64 hex digits.
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            let digit = |b: u8| char::from(b).to_digit(16);
            let value = digit(pair[0])? * 16 + digit(pair[1])?;
            out[i] = u8::try_from(value).ok()?;
        }
        Some(Self(out))
    }
}

impl fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenDigest({}…)", &self.to_hex()[..8])
    }
}

/// A stored token: who it is for, its digest, and when it was made, expires and was last used.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenRecord {
    /// The token's public id (`tok_…`), to name it in listings; not a secret.
    pub id: String,
    /// The tenant it authenticates.
    pub tenant: String,
    /// The principal's name (who a change is recorded as made by).
    pub principal: String,
    /// The digest of the token.
    pub digest: TokenDigest,
    /// When it was issued.
    pub created: SystemTime,
    /// When it stops being valid, if it does: the end of a rotation's overlap, or a revocation.
    pub expires: Option<SystemTime>,
    /// When it was last used, as far as the store was told.
    pub last_used: Option<SystemTime>,
}

impl TokenRecord {
    /// The record of `issued`, for the principal `principal`, made at `created`.
    pub fn new(issued: &IssuedToken, principal: &str, created: SystemTime) -> Self {
        Self {
            id: issued.id.clone(),
            tenant: issued.tenant.clone(),
            principal: principal.to_owned(),
            digest: TokenDigest::of(issued.secret.as_bytes()),
            created,
            expires: None,
            last_used: None,
        }
    }

    /// A record as a store reads it back.
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        id: String,
        tenant: String,
        principal: String,
        digest: TokenDigest,
        created: SystemTime,
        expires: Option<SystemTime>,
        last_used: Option<SystemTime>,
    ) -> Self {
        Self { id, tenant, principal, digest, created, expires, last_used }
    }

    /// Whether the token authenticates at `now`.
    pub fn is_valid_at(&self, now: SystemTime) -> bool {
        self.expires.is_none_or(|expires| now < expires)
    }
}

/// A token just issued. Its secret is shown once: give it to the identity provider (Entra ID's
/// "Secret Token"); only its digest is stored. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The token's public id.
    pub id: String,
    /// The tenant it authenticates.
    pub tenant: String,
    secret: String,
}

impl IssuedToken {
    /// A new random token for `tenant`: 32 bytes from the operating system's random source
    /// (through UUID v4), as 64 hex digits after a `scim_` prefix that secret scanners can
    /// match.
    pub(crate) fn generate(tenant: &str) -> Self {
        let random = [uuid::Uuid::new_v4(), uuid::Uuid::new_v4()];
        let bytes: Vec<u8> = random.iter().flat_map(|u| *u.as_bytes()).collect();
        let id = format!("tok_{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
        Self { id, tenant: tenant.to_owned(), secret: format!("scim_{}", hex(&bytes)) }
    }

    /// The token itself, to hand to the client once.
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedToken")
            .field("id", &self.id)
            .field("tenant", &self.tenant)
            .field("secret", &"<redacted>")
            .finish()
    }
}

fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_round_trip_through_hex_and_secrets_stay_out_of_debug() {
        let issued = IssuedToken::generate("acme");
        assert!(issued.secret().starts_with("scim_") && issued.secret().len() == 69);
        assert_ne!(issued.secret(), IssuedToken::generate("acme").secret());
        assert!(!format!("{issued:?}").contains(issued.secret()));
        let digest = TokenDigest::of(issued.secret().as_bytes());
        assert_eq!(TokenDigest::from_hex(&digest.to_hex()), Some(digest));
        assert_eq!(TokenDigest::from_hex("zz"), None);
        assert_eq!(TokenDigest::from_hex(&"g".repeat(64)), None);
        let record = TokenRecord::new(&issued, "Entra", SystemTime::UNIX_EPOCH);
        assert!(!format!("{record:?}").contains(&issued.secret()[5..]));
    }
}
