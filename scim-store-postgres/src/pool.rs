//! The connection pool: its options and timeouts, and how the driver's and the pool's errors
//! become the library's.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use scimkit_core::Error;
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;

use crate::STORE;

/// How a [`PostgresStore`](crate::PostgresStore) connects, and how long it waits for the
/// database before it gives up on a request.
///
/// Every wait is bounded, so that a database that is down, restarting or saturated answers
/// requests with 503 and `Retry-After` ([`Error::Unavailable`]) instead of holding them, and
/// the store recovers by itself when the database is back: a connection found broken is
/// dropped from the pool and replaced on the next request.
///
/// ```
/// use std::time::Duration;
/// use scimkit_store_postgres::ConnectOptions;
///
/// let options = ConnectOptions::default()
///     .with_max_connections(32)
///     .with_statement_timeout(Duration::from_secs(10));
/// assert_eq!(options.max_connections, 32);
/// assert_eq!(options.wait_timeout, Duration::from_secs(5));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// The most connections the pool opens. Default 16.
    pub max_connections: usize,
    /// How long a request waits for a free connection when all are busy. Default 5 s.
    pub wait_timeout: Duration,
    /// How long opening a connection may take, unless the URL sets `connect_timeout`.
    /// Default 10 s.
    pub connect_timeout: Duration,
    /// How long checking a pooled connection before reuse may take. Default 5 s.
    pub recycle_timeout: Duration,
    /// The longest a single statement may run on the server (`statement_timeout`), unless the
    /// URL's `options` set one. Default 30 s.
    pub statement_timeout: Duration,
    /// The longest a transaction may sit idle on the server
    /// (`idle_in_transaction_session_timeout`), so that a stalled request cannot hold locks
    /// for ever, unless the URL's `options` set one. Default 60 s.
    pub idle_in_transaction_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            wait_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(10),
            recycle_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
            idle_in_transaction_timeout: Duration::from_secs(60),
        }
    }
}

impl ConnectOptions {
    /// These options with a different pool size (at least 1).
    #[must_use]
    pub fn with_max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// These options with a different wait for a free connection.
    #[must_use]
    pub fn with_wait_timeout(mut self, timeout: Duration) -> Self {
        self.wait_timeout = timeout;
        self
    }

    /// These options with a different timeout for opening a connection.
    #[must_use]
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// These options with a different timeout for checking a pooled connection.
    #[must_use]
    pub fn with_recycle_timeout(mut self, timeout: Duration) -> Self {
        self.recycle_timeout = timeout;
        self
    }

    /// These options with a different server-side statement timeout.
    #[must_use]
    pub fn with_statement_timeout(mut self, timeout: Duration) -> Self {
        self.statement_timeout = timeout;
        self
    }

    /// These options with a different server-side idle-in-transaction timeout.
    #[must_use]
    pub fn with_idle_in_transaction_timeout(mut self, timeout: Duration) -> Self {
        self.idle_in_transaction_timeout = timeout;
        self
    }

    /// The driver configuration for `url` under these options: the connect timeout and the
    /// server-side timeouts added where the URL does not set its own.
    pub(crate) fn config(&self, url: &str) -> Result<tokio_postgres::Config, Error> {
        let mut config: tokio_postgres::Config =
            url.parse().map_err(|e| Error::Backend { store: STORE, source: Box::new(e) })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(self.connect_timeout);
        }
        // Ours first: a setting the URL's own `options` repeat wins, as the last one does.
        let ours = format!(
            "-c statement_timeout={} -c idle_in_transaction_session_timeout={}",
            self.statement_timeout.as_millis(),
            self.idle_in_transaction_timeout.as_millis()
        );
        let options = match config.get_options() {
            Some(theirs) if !theirs.trim().is_empty() => format!("{ours} {theirs}"),
            _ => ours,
        };
        config.options(&options);
        Ok(config)
    }

    /// A pool over `config` under these options.
    pub(crate) fn pool(&self, config: tokio_postgres::Config) -> Result<Pool, Error> {
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig { recycling_method: RecyclingMethod::Fast },
        );
        Pool::builder(manager)
            .max_size(self.max_connections)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(self.wait_timeout))
            .create_timeout(Some(self.connect_timeout))
            .recycle_timeout(Some(self.recycle_timeout))
            .build()
            .map_err(|e| Error::Backend { store: STORE, source: Box::new(e) })
    }
}

/// The `Retry-After` of [`Error::Unavailable`]: a connection broken by a restart or a
/// terminated backend is replaced on the next request, so a second is enough to try again.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The error of a commit whose outcome is unknown: the connection failed after the `COMMIT`
/// was sent, so the write may or may not have been made. Never retried blindly.
#[derive(Debug, thiserror::Error)]
#[error("the connection failed during COMMIT: {0}")]
pub(crate) struct OutcomeUnknown(#[source] pub(crate) tokio_postgres::Error);

/// The library's error for a driver or pool error; its text stays out of client responses.
///
/// A database that is unreachable, restarting, terminating connections, out of connections or
/// cancelling a statement at its timeout makes [`Error::Unavailable`] (503); a value too long
/// for an index entry makes [`Error::InvalidValue`] (400); anything else [`Error::Backend`].
pub(crate) fn classify(source: Box<dyn std::error::Error + Send + Sync>) -> Error {
    if let Some(pg) = source.downcast_ref::<tokio_postgres::Error>() {
        if pg.code() == Some(&SqlState::PROGRAM_LIMIT_EXCEEDED) {
            return Error::invalid_value(
                "a value is too long to be kept as a unique or indexed key; shorten it",
            );
        }
    }
    if unavailable(&*source) {
        return unavailable_error(source);
    }
    Error::Backend { store: STORE, source }
}

/// [`Error::Unavailable`] with `source`, asking the client to come back after [`RETRY_AFTER`].
pub(crate) fn unavailable_error(source: Box<dyn std::error::Error + Send + Sync>) -> Error {
    Error::Unavailable { store: STORE, retry_after: RETRY_AFTER, source }
}

/// Whether `e` says the database cannot serve now but may soon.
fn unavailable(e: &(dyn std::error::Error + 'static)) -> bool {
    if let Some(pool) = e.downcast_ref::<PoolError>() {
        return match pool {
            PoolError::Timeout(_) | PoolError::Closed => true,
            PoolError::Backend(pg) => unavailable(pg),
            PoolError::NoRuntimeSpecified | PoolError::PostCreateHook(_) => false,
        };
    }
    if let Some(unknown) = e.downcast_ref::<OutcomeUnknown>() {
        return unavailable(&unknown.0) || unknown.0.code().is_none();
    }
    let Some(pg) = e.downcast_ref::<tokio_postgres::Error>() else { return false };
    if pg.is_closed() || std::error::Error::source(pg).is_some_and(|s| s.is::<std::io::Error>()) {
        return true;
    }
    pg.code().is_some_and(|code| {
        retryable_code(code)
            || [
                SqlState::CRASH_SHUTDOWN,
                SqlState::CANNOT_CONNECT_NOW,
                SqlState::TOO_MANY_CONNECTIONS,
                SqlState::INSUFFICIENT_RESOURCES,
                SqlState::QUERY_CANCELED,
                SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
                SqlState::CONNECTION_EXCEPTION,
                SqlState::CONNECTION_DOES_NOT_EXIST,
                SqlState::CONNECTION_FAILURE,
                SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                SqlState::SQLSERVER_REJECTED_ESTABLISHMENT_OF_SQLCONNECTION,
            ]
            .contains(code)
    })
}

/// Codes after which the transaction was rolled back and running it again may succeed:
/// a deadlock or serialisation failure between concurrent writers, or the connection
/// terminated by the server (`pg_terminate_backend`, a shutdown).
fn retryable_code(code: &SqlState) -> bool {
    [SqlState::T_R_DEADLOCK_DETECTED, SqlState::T_R_SERIALIZATION_FAILURE, SqlState::ADMIN_SHUTDOWN]
        .contains(code)
}

/// Whether the operation that failed with `e` changed nothing and may run again at once on
/// another connection: a deadlock or serialisation failure, a connection that broke before
/// the commit was sent, or key definitions another replica changed meanwhile. (Waits for the pool, failed connects and commits of unknown outcome
/// are not retried: they already took their time, or might repeat a write.)
pub(crate) fn retryable(e: &Error) -> bool {
    let Error::Unavailable { source, .. } = e else { return false };
    if source.is::<crate::keys::KeysChanged>() {
        return true;
    }
    let Some(pg) = source.downcast_ref::<tokio_postgres::Error>() else { return false };
    pg.is_closed()
        || std::error::Error::source(pg).is_some_and(|s| s.is::<std::io::Error>())
        || pg.code().is_some_and(retryable_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_timeouts_go_before_the_urls_own_options() {
        let options = ConnectOptions::default().with_statement_timeout(Duration::from_secs(2));
        let config = options.config("postgres://u@localhost/db").unwrap();
        assert_eq!(
            config.get_options(),
            Some("-c statement_timeout=2000 -c idle_in_transaction_session_timeout=60000")
        );
        assert_eq!(config.get_connect_timeout(), Some(&Duration::from_secs(10)));
        let config = options
            .config("host=localhost user=u options='-c statement_timeout=5s' connect_timeout=3")
            .unwrap();
        let set = config.get_options().unwrap();
        assert!(set.ends_with("-c statement_timeout=5s"), "{set}");
        assert_eq!(config.get_connect_timeout(), Some(&Duration::from_secs(3)));
    }

    #[test]
    fn a_bad_url_is_a_backend_error_without_retry() {
        let err = ConnectOptions::default().config("postgres://[::1").unwrap_err();
        assert!(matches!(err, Error::Backend { .. }), "{err:?}");
        assert!(!retryable(&err));
    }

    #[test]
    fn a_pool_timeout_is_unavailable_and_not_retried() {
        let timeout = PoolError::Timeout(deadpool_postgres::TimeoutType::Wait);
        let err = classify(Box::new(timeout));
        assert!(matches!(err, Error::Unavailable { .. }), "{err:?}");
        assert_eq!(err.status(), 503);
        assert_eq!(err.retry_after(), Some(RETRY_AFTER));
        assert!(!retryable(&err));
    }

    #[test]
    fn other_errors_are_backend_errors() {
        let err = classify("boom".into());
        assert!(matches!(err, Error::Backend { .. }), "{err:?}");
    }
}
