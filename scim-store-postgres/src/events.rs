//! The event feed in PostgreSQL: an outbox table written in each change's transaction,
//! numbered per tenant at commit, read after a cursor, and woken with LISTEN/NOTIFY.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use scimkit_core::event::{Event, EventCursor, Prune};
use scimkit_core::{Error, Result, format_timestamp};
use tokio::sync::Notify;
use tokio_postgres::types::Json;
use tokio_postgres::{AsyncMessage, NoTls};

use crate::pool::OutcomeUnknown;
use crate::tx::Tx;
use crate::{PostgresStore, backend};

/// The channel commits notify on; the payload is the tenant (empty when too long for one).
const CHANNEL: &str = "scim_events";

/// Numbers and stores a write's events: `$1` tenant, `$2` how many, `$3` their bodies (a
/// JSON array). It locks the tenant's feed row, so it runs last, just before COMMIT (see
/// [`Tx::execute_and_commit`]): events are numbered in commit order, and the lock is held for
/// no round trip. The notification goes out with the commit.
const RECORD: &str = "\
WITH feed AS (
    INSERT INTO scim_event_feeds AS f (tenant, last_seq) VALUES ($1, $2)
    ON CONFLICT (tenant) DO UPDATE SET last_seq = f.last_seq + excluded.last_seq
    RETURNING last_seq
), recorded AS (
    INSERT INTO scim_events (tenant, seq, body)
    SELECT $1, feed.last_seq - $2 + e.ord, e.body
    FROM feed, jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e(body, ord)
    RETURNING seq
)
SELECT pg_notify('scim_events', CASE WHEN octet_length($1) <= 7000 THEN $1 ELSE '' END)
FROM (SELECT count(*) FROM recorded) AS done";

/// Commits `tx`, recording `events` in it first, in the same round trip as the commit.
///
/// A failure the server reported rolled the transaction back; a broken connection leaves the
/// outcome unknown, and is reported as [`OutcomeUnknown`] so that it is never retried blindly.
pub(crate) async fn commit_with_events(tx: Tx<'_>, tenant: &str, events: &[Event]) -> Result<()> {
    let committed = if events.is_empty() {
        tx.commit().await
    } else {
        let count = i64::try_from(events.len()).map_err(backend)?;
        let bodies = serde_json::to_value(events).map_err(backend)?;
        let statement = tx.prepare_cached(RECORD).await.map_err(backend)?;
        tx.execute_and_commit(&statement, &[&tenant, &count, &Json(&bodies)]).await.map(drop)
    };
    committed.map_err(|e| match e.code() {
        Some(_) => backend(e),
        None => backend(OutcomeUnknown(e)),
    })
}

/// The number of a cursor of this store.
fn sequence(cursor: &EventCursor) -> Result<i64> {
    cursor
        .sequence()
        .and_then(|n| i64::try_from(n).ok())
        .ok_or_else(|| Error::invalid_value("not an event cursor of this store"))
}

fn after(cursor: Option<&EventCursor>) -> Result<i64> {
    cursor.map_or(Ok(0), sequence)
}

impl PostgresStore {
    pub(crate) async fn read_feed(
        &self,
        tenant: &str,
        cursor: Option<&EventCursor>,
        limit: usize,
    ) -> Result<Vec<Event>> {
        let after = after(cursor)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "SELECT coalesce((SELECT pruned_through FROM scim_event_feeds WHERE tenant = $1), 0),
                        e.seq, e.body
                 FROM (SELECT 1) AS one LEFT JOIN LATERAL (
                     SELECT seq, body FROM scim_events WHERE tenant = $1 AND seq > $2
                     ORDER BY seq LIMIT $3
                 ) AS e ON true",
            )
            .await
            .map_err(backend)?;
        let rows = client.query(&statement, &[&tenant, &after, &limit]).await.map_err(backend)?;
        let pruned: i64 = rows.first().map_or(0, |row| row.get(0));
        if let Some(cursor) = cursor.filter(|_| after < pruned) {
            return Err(Error::EventsPruned { cursor: cursor.to_string() });
        }
        let mut events = Vec::with_capacity(rows.len());
        for row in &rows {
            let (Some(seq), Some(Json(mut event))) =
                (row.get::<_, Option<i64>>(1), row.get::<_, Option<Json<Event>>>(2))
            else {
                continue;
            };
            event.cursor = EventCursor::from_sequence(u64::try_from(seq).unwrap_or_default());
            events.push(event);
        }
        Ok(events)
    }

    async fn has_events_after(&self, tenant: &str, after: i64) -> Result<bool> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM scim_events WHERE tenant = $1 AND seq > $2)",
            )
            .await
            .map_err(backend)?;
        let row = client.query_one(&statement, &[&tenant, &after]).await.map_err(backend)?;
        Ok(row.get(0))
    }

    pub(crate) async fn wait_feed(
        &self,
        tenant: &str,
        cursor: Option<&EventCursor>,
        timeout: Duration,
    ) -> Result<bool> {
        let after = after(cursor)?;
        let deadline = tokio::time::Instant::now() + timeout;
        let notify = self.inner.listener.notify(tenant);
        loop {
            // Registered before the check, so a commit between the check and the wait wakes it.
            let notified = notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.has_events_after(tenant, after).await? {
                return Ok(true);
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Ok(false);
            }
            // Look again at least every second, for commits made while the listener was
            // (re)connecting, or with no listener at all.
            let step = (deadline - now).min(self.inner.listener.recheck());
            let _ = tokio::time::timeout(step, notified).await;
        }
    }

    pub(crate) async fn prune_feed(&self, tenant: &str, prune: &Prune) -> Result<u64> {
        let client = self.client().await?;
        let through = match prune {
            Prune::Through(cursor) => sequence(cursor)?,
            Prune::OlderThan(time) => {
                let time = format_timestamp(*time);
                let row = client
                    .query_one(
                        "SELECT coalesce(max(seq), 0) FROM scim_events \
                         WHERE tenant = $1 AND body->>'time' < $2",
                        &[&tenant, &time],
                    )
                    .await
                    .map_err(backend)?;
                row.get(0)
            }
            _ => return Err(Error::invalid_value("this store cannot prune events that way")),
        };
        let row = client
            .query_one(
                "WITH feed AS (
                     UPDATE scim_event_feeds
                     SET pruned_through = greatest(pruned_through, least($2, last_seq))
                     WHERE tenant = $1 RETURNING pruned_through
                 ), gone AS (
                     DELETE FROM scim_events
                     WHERE tenant = $1 AND seq <= (SELECT pruned_through FROM feed)
                     RETURNING 1
                 )
                 SELECT count(*) FROM gone",
                &[&tenant, &through],
            )
            .await
            .map_err(backend)?;
        let count: i64 = row.get(0);
        Ok(u64::try_from(count).unwrap_or_default())
    }

    pub(crate) async fn load_checkpoint(
        &self,
        tenant: &str,
        consumer: &str,
    ) -> Result<Option<EventCursor>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT seq FROM scim_event_checkpoints WHERE tenant = $1 AND consumer = $2",
                &[&tenant, &consumer],
            )
            .await
            .map_err(backend)?;
        Ok(row.map(|row| {
            let seq: i64 = row.get(0);
            EventCursor::from_sequence(u64::try_from(seq).unwrap_or_default())
        }))
    }

    pub(crate) async fn store_checkpoint(
        &self,
        tenant: &str,
        consumer: &str,
        cursor: &EventCursor,
    ) -> Result<()> {
        let seq = sequence(cursor)?;
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO scim_event_checkpoints (tenant, consumer, seq) VALUES ($1, $2, $3) \
                 ON CONFLICT (tenant, consumer) DO UPDATE SET seq = excluded.seq",
                &[&tenant, &consumer, &seq],
            )
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// Wakes the waiters on tenants' feeds when a commit notifies: one connection of its own,
/// LISTENing, started on the first wait and reconnected when lost.
pub(crate) struct Listener {
    /// Where to connect; `None` for a store made from a pool, which has no listener and looks
    /// for events every 50 ms instead.
    config: Option<tokio_postgres::Config>,
    waiters: Arc<Mutex<HashMap<String, Weak<Notify>>>>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Listener {
    pub(crate) fn new(config: Option<tokio_postgres::Config>) -> Self {
        Self { config, waiters: Arc::default(), task: Mutex::new(None) }
    }

    /// How long a waiter waits before it looks again by itself.
    fn recheck(&self) -> Duration {
        if self.config.is_some() { Duration::from_secs(1) } else { Duration::from_millis(50) }
    }

    /// The waiters' handle of `tenant`, with the listener running.
    fn notify(&self, tenant: &str) -> Arc<Notify> {
        let notify = {
            let mut waiters = self.waiters.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(notify) = waiters.get(tenant).and_then(Weak::upgrade) {
                notify
            } else {
                waiters.retain(|_, w| w.strong_count() > 0);
                let notify = Arc::new(Notify::new());
                waiters.insert(tenant.to_owned(), Arc::downgrade(&notify));
                notify
            }
        };
        if let Some(config) = &self.config {
            let mut task = self.task.lock().unwrap_or_else(PoisonError::into_inner);
            if task.as_ref().is_none_or(tokio::task::JoinHandle::is_finished) {
                *task = Some(tokio::spawn(listen(config.clone(), Arc::downgrade(&self.waiters))));
            }
        }
        notify
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(task) = self.task.get_mut().unwrap_or_else(PoisonError::into_inner).take() {
            task.abort();
        }
    }
}

/// Listens on [`CHANNEL`] until the store is gone, reconnecting after a second when the
/// connection fails; wakes every waiter whenever it (re)connects, since commits may have
/// been missed meanwhile.
async fn listen(
    config: tokio_postgres::Config,
    waiters: Weak<Mutex<HashMap<String, Weak<Notify>>>>,
) {
    loop {
        if waiters.strong_count() == 0 {
            return;
        }
        if let Ok((client, mut connection)) = config.connect(NoTls).await {
            let messages = async {
                loop {
                    match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                        Some(Ok(AsyncMessage::Notification(note))) => {
                            let Some(live) = waiters.upgrade() else { return };
                            let tenant = note.payload();
                            wake(&live, (!tenant.is_empty()).then_some(tenant));
                        }
                        Some(Ok(_)) => {}
                        Some(Err(_)) | None => return,
                    }
                }
            };
            let listen = format!("LISTEN {CHANNEL}");
            let subscribe = client.batch_execute(&listen);
            tokio::pin!(messages);
            // The connection must be driven while LISTEN runs, and for ever after.
            tokio::select! {
                () = &mut messages => {}
                subscribed = subscribe => {
                    if subscribed.is_ok() {
                        wake_all(&waiters);
                        messages.await;
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

fn wake_all(waiters: &Weak<Mutex<HashMap<String, Weak<Notify>>>>) {
    if let Some(live) = waiters.upgrade() {
        wake(&live, None);
    }
}

/// Wakes the waiters of `tenant`, or of every tenant.
fn wake(waiters: &Mutex<HashMap<String, Weak<Notify>>>, tenant: Option<&str>) {
    let waiters = waiters.lock().unwrap_or_else(PoisonError::into_inner);
    let wake = |w: &Weak<Notify>| {
        if let Some(notify) = w.upgrade() {
            notify.notify_waiters();
        }
    };
    match tenant {
        Some(tenant) => waiters.get(tenant).into_iter().for_each(wake),
        None => waiters.values().for_each(wake),
    }
}
