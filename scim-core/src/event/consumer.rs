//! A named consumer of one tenant's feed, with its checkpoint kept in the store.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::{Event, EventCursor};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::store::DynResourceStore;

/// How many events one read returns at most, unless told otherwise.
const DEFAULT_BATCH: usize = 256;

/// How long one poll waits for new events, unless told otherwise.
const DEFAULT_WAIT: Duration = Duration::from_secs(5);

/// A named consumer of a tenant's event feed: it reads the events after its position, waits
/// when there are none, and keeps its checkpoint in the store beside the events (in
/// PostgreSQL, in the same database), so a restarted process resumes after the last event it
/// checkpointed. Delivery is at least once: events handled after the last checkpoint come
/// again after a crash, with the same [`Event::id`].
///
/// Consumers with different names are independent; two processes running the same name share
/// one checkpoint, which is what a restart needs and not what parallel work needs.
///
/// A feed pruned past a consumer's checkpoint fails its reads with [`Error::EventsPruned`]:
/// events were lost to it, and it is told so rather than skipping them silently.
#[derive(Debug)]
pub struct EventConsumer {
    store: Arc<DynResourceStore>,
    tenant: String,
    name: String,
    position: Option<EventCursor>,
    batch: usize,
    wait: Duration,
}

/// Why [`EventConsumer::run`] stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConsumeError<E> {
    /// The store failed (or the feed was pruned past the checkpoint).
    #[error("reading the event feed failed: {0}")]
    Store(#[source] Error),
    /// The handler failed on an event; the checkpoint is before that event.
    #[error("the event handler failed: {0}")]
    Handler(#[source] E),
}

impl EventConsumer {
    /// The consumer `name` of `tenant`'s feed, at its checkpoint (the start of the feed if it
    /// has none).
    ///
    /// # Errors
    ///
    /// The store's errors from reading the checkpoint.
    pub async fn open(
        store: Arc<DynResourceStore>,
        tenant: impl Into<String>,
        name: impl Into<String>,
    ) -> Result<Self> {
        let (tenant, name) = (tenant.into(), name.into());
        let position = store.checkpoint(&tenant, &name).await?;
        Ok(Self { store, tenant, name, position, batch: DEFAULT_BATCH, wait: DEFAULT_WAIT })
    }

    /// This consumer reading at most `events` events at a time (at least one).
    #[must_use]
    pub fn with_batch_size(mut self, events: usize) -> Self {
        self.batch = events.max(1);
        self
    }

    /// This consumer waiting at most `wait` in [`EventConsumer::poll`] for new events.
    #[must_use]
    pub fn with_wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// The tenant whose feed this consumer reads.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The consumer's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The cursor of the last event this consumer read (or its checkpoint, before any read).
    pub fn position(&self) -> Option<&EventCursor> {
        self.position.as_ref()
    }

    /// The next events after the position, in feed order, waiting up to the wait time for one
    /// when there are none (then the result may be empty). The position moves past the events
    /// returned; the checkpoint does not until [`EventConsumer::checkpoint`].
    ///
    /// # Errors
    ///
    /// The store's errors, and [`Error::EventsPruned`] if events after the position were
    /// pruned.
    pub async fn poll(&mut self) -> Result<Vec<Event>> {
        let mut events = self.read().await?;
        if events.is_empty()
            && self.store.wait_for_events(&self.tenant, self.position.as_ref(), self.wait).await?
        {
            events = self.read().await?;
        }
        if let Some(last) = events.last() {
            self.position = Some(last.cursor.clone());
        }
        self.report_lag(&events);
        Ok(events)
    }

    /// Sets the consumer's lag gauge: the age of the oldest event of `events`, or 0.
    fn report_lag(&self, events: &[Event]) {
        let oldest = events.first().and_then(|e| scimkit_filter::DateTime::parse(&e.time));
        let lag = oldest.map_or(0.0, |at| {
            let now = SystemClock.now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            #[allow(clippy::cast_precision_loss, reason = "a lag in seconds needs no more")]
            let at = at.unix_seconds() as f64 + f64::from(at.subsec_nanos()) / 1e9;
            (now.as_secs_f64() - at).max(0.0)
        });
        ::metrics::gauge!(
            crate::metrics::EVENT_CONSUMER_LAG_SECONDS,
            "tenant" => self.tenant.clone(),
            "consumer" => self.name.clone(),
        )
        .set(lag);
    }

    async fn read(&self) -> Result<Vec<Event>> {
        self.store.read_events(&self.tenant, self.position.as_ref(), self.batch).await
    }

    /// Records that every event up to `cursor` was handled: a consumer opened later starts
    /// after it.
    ///
    /// # Errors
    ///
    /// The store's errors.
    pub async fn checkpoint(&mut self, cursor: &EventCursor) -> Result<()> {
        self.store.save_checkpoint(&self.tenant, &self.name, cursor).await
    }

    /// Handles every event of the feed, for ever: reads a batch, hands each event to
    /// `handler` in order, and checkpoints after each batch (and before a failing event).
    /// Returns only when the store or the handler fails.
    ///
    /// # Errors
    ///
    /// [`ConsumeError::Store`] or [`ConsumeError::Handler`]; the checkpoint then holds the
    /// last event handled.
    pub async fn run<F, Fut, E>(
        mut self,
        mut handler: F,
    ) -> std::result::Result<(), ConsumeError<E>>
    where
        F: FnMut(Event) -> Fut,
        Fut: Future<Output = std::result::Result<(), E>>,
    {
        loop {
            let events = self.poll().await.map_err(ConsumeError::Store)?;
            let mut handled: Option<EventCursor> = None;
            for event in events {
                let cursor = event.cursor.clone();
                if let Err(error) = handler(event).await {
                    if let Some(handled) = &handled {
                        self.checkpoint(handled).await.map_err(ConsumeError::Store)?;
                    }
                    return Err(ConsumeError::Handler(error));
                }
                handled = Some(cursor);
            }
            if let Some(handled) = &handled {
                self.checkpoint(handled).await.map_err(ConsumeError::Store)?;
            }
        }
    }
}
