//! A write transaction whose commit can carry one last statement in the same flight.

use std::ops::Deref;
use std::sync::Arc;

use deadpool_postgres::StatementCache;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Statement, Transaction};

/// A transaction on a pooled connection, with the connection's statement cache.
pub(crate) struct Tx<'a> {
    inner: Transaction<'a>,
    cache: Arc<StatementCache>,
}

impl<'a> Tx<'a> {
    /// Begins a transaction on `client`.
    pub(crate) async fn begin(
        client: &'a mut deadpool_postgres::Object,
    ) -> Result<Tx<'a>, tokio_postgres::Error> {
        let cache = client.statement_cache.clone();
        let client: &'a mut tokio_postgres::Client = client;
        let inner = client.transaction().await?;
        Ok(Tx { inner, cache })
    }

    /// The statement for `sql`, prepared once per connection.
    pub(crate) async fn prepare_cached(
        &self,
        sql: &str,
    ) -> Result<Statement, tokio_postgres::Error> {
        self.cache.prepare(self.inner.client(), sql).await
    }

    /// Commits.
    pub(crate) async fn commit(self) -> Result<(), tokio_postgres::Error> {
        self.inner.commit().await
    }

    /// Runs `statement` and commits, both sent at once: one round trip, as a plain commit
    /// takes. If the statement fails, the transaction is aborted and the `COMMIT` rolls it
    /// back; its error is returned. Returns the statement's row count.
    pub(crate) async fn execute_and_commit(
        self,
        statement: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, tokio_postgres::Error> {
        let Tx { inner, .. } = self;
        let client = inner.client();
        let (executed, committed) =
            tokio::join!(client.execute(statement, params), client.batch_execute("COMMIT"));
        // The COMMIT just sent ended the transaction: the guard must not send its ROLLBACK. It
        // owns nothing but a borrow of the client, so forgetting it leaks nothing.
        std::mem::forget(inner);
        let count = executed?;
        committed?;
        Ok(count)
    }
}

impl<'a> Deref for Tx<'a> {
    type Target = Transaction<'a>;

    fn deref(&self) -> &Transaction<'a> {
        &self.inner
    }
}
