//! What the service does with the passwords clients send: the [`PasswordPolicy`], Argon2id
//! hashing, and [`verify_password`] for an application's own sign-in.

use std::fmt;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::normalize::JsonObject;

/// The attribute the policy applies to: the User's `password` (RFC 7643 §4.1.1), write-only
/// and never returned.
const PASSWORD: &str = "password";

/// What the service does with a `password` a client sends (RFC 7643 §4.1.1, §7: a service
/// provider should hash it, and must never return it).
///
/// The default is [`PasswordPolicy::Discard`]: a SaaS that signs its users in through their
/// identity provider (the reason it accepts SCIM from Entra ID or Okta) has no use for a
/// password, and a credential it does not keep is one it cannot leak. Okta sends a password
/// with every create unless its "sync password" option is off; Entra ID never does. A service
/// that signs users in itself chooses [`PasswordPolicy::Hash`] and checks a sign-in with
/// [`verify_password`].
///
/// `/ServiceProviderConfig` advertises `changePassword.supported` as true only for the policies
/// that keep a password.
///
/// ```
/// use scimkit_core::{PasswordHashing, PasswordPolicy, ServiceConfig};
///
/// let config = ServiceConfig::default().with_passwords(PasswordPolicy::Hash(PasswordHashing::default()));
/// assert!(config.passwords.keeps_passwords());
/// assert!(!ServiceConfig::default().passwords.keeps_passwords());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasswordPolicy {
    /// Accepted and dropped: never stored, so a create or PUT with a password succeeds and a
    /// PATCH that only sets one changes nothing (a password kept under an earlier policy is
    /// dropped by the resource's next write). The default.
    #[default]
    Discard,
    /// Stored as an Argon2id hash in the PHC string format (`$argon2id$v=19$m=…`), with a
    /// random salt. A PUT or PATCH sending the password already stored (it verifies against
    /// the hash) changes nothing; a new one is a change, with a new version.
    Hash(PasswordHashing),
    /// Refused: a request carrying a password gets 400 `invalidValue` and changes nothing.
    Reject,
    /// Stored as sent. **Unsafe**: every store then holds credentials in clear (memory,
    /// database rows, backups). Only for migrating to a system that hashes them itself.
    KeepPlaintext,
}

impl PasswordPolicy {
    /// Whether the policy keeps passwords (what `changePassword.supported` says).
    pub fn keeps_passwords(&self) -> bool {
        matches!(self, PasswordPolicy::Hash(_) | PasswordPolicy::KeepPlaintext)
    }

    /// Applies the policy to `resource`, the new state of a resource that `existing` was before
    /// (`None` for a create). `sent` says whether the client sent a password in this request;
    /// when it did not, `resource` holds the stored one (or none) and is left as it is.
    ///
    /// Returns whether the password now differs from the stored one.
    pub(crate) fn apply(
        &self,
        resource: &mut JsonObject,
        existing: Option<&JsonObject>,
        sent: bool,
    ) -> Result<bool> {
        let stored = existing.and_then(|e| e.get(PASSWORD));
        if *self == PasswordPolicy::Discard {
            // Also a password kept under an earlier policy goes with the next write.
            resource.remove(PASSWORD);
            return Ok(stored.is_some());
        }
        if !sent {
            return Ok(resource.get(PASSWORD) != stored);
        }
        match self {
            PasswordPolicy::Discard => Ok(false),
            PasswordPolicy::Reject => Err(Error::invalid_value(
                "this service does not accept passwords: users sign in through their identity provider",
            )),
            PasswordPolicy::KeepPlaintext => Ok(resource.get(PASSWORD) != stored),
            PasswordPolicy::Hash(hashing) => {
                let Some(Value::String(plain)) = resource.get(PASSWORD) else {
                    // Removed (PATCH remove, or a null): no password is kept.
                    return Ok(resource.get(PASSWORD) != stored);
                };
                if let Some(Value::String(hash)) = stored {
                    if verify_password(plain, hash) {
                        resource.insert(PASSWORD.to_owned(), Value::String(hash.clone()));
                        return Ok(false);
                    }
                }
                let hash = hash_password(plain, hashing)?;
                resource.insert(PASSWORD.to_owned(), Value::String(hash));
                Ok(true)
            }
        }
    }
}

/// The cost of Argon2id hashing. The default is the OWASP recommendation for Argon2id
/// (19 MiB of memory, 2 passes, 1 lane): about 30 ms per hash on a server core.
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PasswordHashing {
    /// Memory per hash, in KiB (at least 8 × `parallelism`).
    pub memory_kib: u32,
    /// Passes over the memory (at least 1).
    pub iterations: u32,
    /// Lanes (at least 1).
    pub parallelism: u32,
}

impl Default for PasswordHashing {
    fn default() -> Self {
        Self { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 }
    }
}

impl fmt::Debug for PasswordHashing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Argon2id(m={} KiB, t={}, p={})",
            self.memory_kib, self.iterations, self.parallelism
        )
    }
}

impl PasswordHashing {
    /// Hashing with these costs.
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> Self {
        Self { memory_kib, iterations, parallelism }
    }
}

/// `password` hashed with Argon2id under `hashing`, as a PHC string with a random salt.
///
/// # Errors
///
/// [`Error::Internal`] if the costs are out of Argon2's range (such as no memory).
///
/// ```
/// use scimkit_core::{PasswordHashing, hash_password, verify_password};
///
/// let cheap = PasswordHashing::new(64, 1, 1);
/// let hash = hash_password("correct horse", &cheap)?;
/// assert!(hash.starts_with("$argon2id$"));
/// assert!(verify_password("correct horse", &hash));
/// assert!(!verify_password("battery staple", &hash));
/// # Ok::<(), scimkit_core::Error>(())
/// ```
pub fn hash_password(password: &str, hashing: &PasswordHashing) -> Result<String> {
    let params = Params::new(hashing.memory_kib, hashing.iterations, hashing.parallelism, None)
        .map_err(|e| Error::Internal { detail: format!("password hashing costs: {e}") })?;
    let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes())
        .map_err(|e| Error::Internal { detail: format!("password salt: {e}") })?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::Internal { detail: format!("password hashing: {e}") })
}

/// Whether `password` is the one `stored` (a PHC string from [`hash_password`], or a password
/// the service kept under [`PasswordPolicy::Hash`]) was made from: what an application calls
/// to check a sign-in. A `stored` value that is not an Argon2 PHC string never verifies.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn cheap() -> PasswordPolicy {
        PasswordPolicy::Hash(PasswordHashing::new(64, 1, 1))
    }

    fn user(password: Option<&str>) -> JsonObject {
        let mut user = json!({ "userName": "ann" });
        if let Some(p) = password {
            user["password"] = json!(p);
        }
        user.as_object().unwrap().clone()
    }

    #[test]
    fn discard_drops_what_is_sent_and_keeps_nothing_new() {
        let mut new = user(Some("s3cret"));
        assert!(!PasswordPolicy::Discard.apply(&mut new, None, true).unwrap());
        assert!(!new.contains_key("password"));
    }

    #[test]
    fn reject_refuses_a_sent_password_only() {
        let mut new = user(Some("s3cret"));
        let err = PasswordPolicy::Reject.apply(&mut new, None, true).unwrap_err();
        assert_eq!(err.status(), 400);
        assert!(!err.detail().contains("s3cret"));
        let mut new = user(None);
        assert!(!PasswordPolicy::Reject.apply(&mut new, None, false).unwrap());
    }

    #[test]
    fn hash_keeps_a_hash_and_the_same_password_again_is_no_change() {
        let mut first = user(Some("s3cret"));
        assert!(cheap().apply(&mut first, None, true).unwrap());
        let hash = first["password"].as_str().unwrap().to_owned();
        assert!(hash.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{hash}");
        assert!(!hash.contains("s3cret"));
        assert!(verify_password("s3cret", &hash));

        let mut again = user(Some("s3cret"));
        assert!(!cheap().apply(&mut again, Some(&first), true).unwrap());
        assert_eq!(again["password"], json!(hash));

        let mut changed = user(Some("n3w"));
        assert!(cheap().apply(&mut changed, Some(&first), true).unwrap());
        assert!(verify_password("n3w", changed["password"].as_str().unwrap()));
        assert!(!verify_password("s3cret", changed["password"].as_str().unwrap()));
    }

    #[test]
    fn a_request_without_a_password_leaves_the_stored_one() {
        let mut first = user(Some("s3cret"));
        cheap().apply(&mut first, None, true).unwrap();
        let mut later = first.clone();
        assert!(!cheap().apply(&mut later, Some(&first), false).unwrap());
        assert_eq!(later["password"], first["password"]);
    }

    #[test]
    fn plaintext_and_hashes_of_other_kinds_never_verify() {
        assert!(!verify_password("s3cret", "s3cret"));
        assert!(!verify_password("", "$argon2id$broken"));
    }

    #[test]
    fn costs_out_of_range_are_an_internal_error() {
        let err = hash_password("x", &PasswordHashing::new(0, 0, 0)).unwrap_err();
        assert_eq!(err.status(), 500);
    }
}
