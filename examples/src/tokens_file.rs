//! Tenants' tokens in a JSON file, for the example server on the in-memory store.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use scimkit_core::tokens::{TokenDigest, TokenRecord, TokenStore, in_list};
use scimkit_core::{Error, Result};
use serde_json::{Value, json};

/// A [`TokenStore`] in a JSON file: the tokens beside the in-memory store, shared by the
/// running server and the `tenant` subcommands. Only digests are written. Each change reads,
/// changes and atomically replaces the file (written to a temporary file, then renamed) while
/// holding a lock directory beside it (`FILE.lock`), so that the server recording last uses
/// and a subcommand adding a tenant never lose each other's change. A missing file holds no
/// tokens.
#[derive(Clone, Debug)]
pub struct FileTokens {
    path: PathBuf,
}

/// How long a lock may be held before it is taken as left by a process that died.
const STALE_LOCK: Duration = Duration::from_secs(10);

impl FileTokens {
    /// Tokens in the file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    fn read(&self) -> Result<Vec<TokenRecord>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(e)),
        };
        let values: Vec<Value> = serde_json::from_str(&text).map_err(|e| Error::Internal {
            detail: format!("{} is not a tokens file: {e}", self.path.display()),
        })?;
        values.iter().map(|v| from_json(v).ok_or_else(|| corrupt(&self.path))).collect()
    }

    fn write(&self, records: &[TokenRecord]) -> Result<()> {
        let values: Vec<Value> = records.iter().map(to_json).collect();
        let text = serde_json::to_string_pretty(&values)
            .map_err(|e| Error::Internal { detail: format!("cannot write the tokens: {e}") })?;
        let temporary = self.path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
        std::fs::write(&temporary, text).map_err(io)?;
        std::fs::rename(&temporary, &self.path).map_err(io)
    }

    /// Runs `change` on the records under the lock, and writes them back.
    fn change<T>(&self, change: impl FnOnce(&mut Vec<TokenRecord>) -> Result<T>) -> Result<T> {
        let _lock = Lock::take(&self.path)?;
        let mut records = self.read()?;
        let out = change(&mut records)?;
        self.write(&records)?;
        Ok(out)
    }
}

/// The lock directory beside a tokens file, removed when dropped.
struct Lock(PathBuf);

impl Lock {
    fn take(path: &Path) -> Result<Self> {
        let lock = path.with_extension("lock");
        let started = Instant::now();
        loop {
            match std::fs::create_dir(&lock) {
                Ok(()) => return Ok(Self(lock)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = std::fs::metadata(&lock)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|at| at.elapsed().ok());
                    if age.is_some_and(|age| age > STALE_LOCK) {
                        let _ = std::fs::remove_dir(&lock);
                    } else if started.elapsed() > 2 * STALE_LOCK {
                        return Err(Error::Internal {
                            detail: format!("{} stays locked", path.display()),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(io(e)),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.0);
    }
}

fn io(error: std::io::Error) -> Error {
    Error::Internal { detail: format!("the tokens file: {error}") }
}

fn corrupt(path: &Path) -> Error {
    Error::Internal { detail: format!("{} holds a malformed token", path.display()) }
}

fn millis(time: SystemTime) -> u64 {
    u64::try_from(time.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis())
        .unwrap_or(u64::MAX)
}

fn time(millis: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(millis)
}

fn to_json(record: &TokenRecord) -> Value {
    json!({
        "id": record.id,
        "tenant": record.tenant,
        "principal": record.principal,
        "digest": record.digest.to_hex(),
        "created_ms": millis(record.created),
        "expires_ms": record.expires.map(millis),
        "last_used_ms": record.last_used.map(millis),
    })
}

fn from_json(value: &Value) -> Option<TokenRecord> {
    let text = |key: &str| value.get(key)?.as_str().map(str::to_owned);
    let at = |key: &str| value.get(key).and_then(Value::as_u64).map(time);
    Some(TokenRecord::from_parts(
        text("id")?,
        text("tenant")?,
        text("principal")?,
        TokenDigest::from_hex(value.get("digest")?.as_str()?)?,
        at("created_ms")?,
        at("expires_ms"),
        at("last_used_ms"),
    ))
}

#[async_trait]
impl TokenStore for FileTokens {
    async fn insert(&self, record: &TokenRecord) -> Result<()> {
        self.change(|records| {
            if !in_list::is_new(records, record) {
                return Err(Error::Uniqueness { detail: "the token is already stored".to_owned() });
            }
            records.push(record.clone());
            Ok(())
        })
    }

    async fn list(&self, tenant: Option<&str>) -> Result<Vec<TokenRecord>> {
        let mut records: Vec<TokenRecord> =
            self.read()?.into_iter().filter(|r| tenant.is_none_or(|t| r.tenant == t)).collect();
        in_list::sort(&mut records);
        Ok(records)
    }

    async fn expire(&self, tenant: &str, at: SystemTime, keep: Option<&str>) -> Result<u64> {
        self.change(|records| Ok(in_list::expire(records, tenant, at, keep)))
    }

    async fn record_use(&self, uses: &[(String, SystemTime)]) -> Result<()> {
        self.change(|records| {
            in_list::record_use(records, uses);
            Ok(())
        })
    }

    async fn remove_expired(&self, before: SystemTime) -> Result<u64> {
        self.change(|records| Ok(in_list::remove_expired(records, before)))
    }
}
