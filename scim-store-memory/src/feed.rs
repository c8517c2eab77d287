//! One tenant's event feed: the events in commit order, the consumers' checkpoints.

use std::collections::{HashMap, VecDeque};

use scimkit_core::event::{Event, EventCursor, EventDraft, Prune};
use scimkit_core::{Error, JsonObject, Result, Version, format_timestamp};

/// The events of one tenant, numbered from 1 in the order their changes were made (which,
/// under the tenant's write lock, is commit order). Event `n` sits at index
/// `n - pruned_through - 1`; its tenant and cursor are filled in when it is read, so that
/// recording one costs no more than it must under the lock.
#[derive(Debug)]
pub(crate) struct Feed {
    /// A random number of this feed's own: with an event's number, its id (`jti`), unique
    /// across tenants and stores, and the same on every read.
    key: u64,
    events: VecDeque<Event>,
    /// The number of the last event recorded.
    last: u64,
    /// The number of the last event pruned (0 if none was).
    pruned_through: u64,
    checkpoints: HashMap<String, EventCursor>,
}

impl Default for Feed {
    fn default() -> Self {
        Self {
            key: uuid::Uuid::new_v4().as_u64_pair().0,
            events: VecDeque::new(),
            last: 0,
            pruned_through: 0,
            checkpoints: HashMap::new(),
        }
    }
}

impl Feed {
    /// Records the event of `draft` for `resource` (as written, or as it was before a delete)
    /// at `version`, keeping at most `retention` events.
    pub(crate) fn record(
        &mut self,
        draft: EventDraft,
        resource: &JsonObject,
        version: Option<&Version>,
        retention: usize,
    ) {
        self.last += 1;
        // Tenant, cursor and id are filled in on read.
        let event = draft.into_event(String::new(), "", EventCursor::default(), resource, version);
        self.events.push_back(event);
        // Past the retention, the oldest sixteenth goes at once, so that pruning runs once
        // every few thousand writes rather than on each.
        if self.events.len() > retention + retention / 16 {
            let excess = self.events.len() - retention;
            self.events.drain(..excess);
            self.pruned_through = self.last - self.events.len() as u64;
        }
    }

    /// Up to `limit` events of `tenant` after `after`.
    pub(crate) fn read(
        &self,
        tenant: &str,
        after: Option<&EventCursor>,
        limit: usize,
    ) -> Result<Vec<Event>> {
        let after = match after {
            None => self.pruned_through,
            Some(cursor) => {
                let after = sequence(cursor)?;
                if after < self.pruned_through {
                    return Err(Error::EventsPruned { cursor: cursor.to_string() });
                }
                after
            }
        };
        let skip = usize::try_from(after - self.pruned_through).unwrap_or(usize::MAX);
        let events = self.events.iter().zip(self.pruned_through + 1..).skip(skip).take(limit);
        Ok(events
            .map(|(event, sequence)| {
                let mut event = event.clone();
                event.tenant = tenant.to_owned();
                event.cursor = EventCursor::from_sequence(sequence);
                event.id = event_id(self.key, sequence);
                event
            })
            .collect())
    }

    /// Whether there is an event after `after`.
    pub(crate) fn has_after(&self, after: Option<&EventCursor>) -> Result<bool> {
        Ok(match after {
            None => !self.events.is_empty(),
            Some(cursor) => sequence(cursor)? < self.last,
        })
    }

    pub(crate) fn prune(&mut self, prune: &Prune) -> Result<u64> {
        let before = self.events.len();
        match prune {
            Prune::Through(cursor) => {
                let through = sequence(cursor)?;
                while self.pruned_through < through && !self.events.is_empty() {
                    self.events.pop_front();
                    self.pruned_through += 1;
                }
            }
            Prune::OlderThan(time) => {
                let time = format_timestamp(*time);
                while self.events.front().is_some_and(|e| e.time < time) {
                    self.events.pop_front();
                    self.pruned_through += 1;
                }
            }
            _ => return Err(Error::invalid_value("this store cannot prune events that way")),
        }
        Ok((before - self.events.len()) as u64)
    }

    pub(crate) fn checkpoint(&self, consumer: &str) -> Option<EventCursor> {
        self.checkpoints.get(consumer).cloned()
    }

    pub(crate) fn save_checkpoint(&mut self, consumer: &str, cursor: &EventCursor) -> Result<()> {
        sequence(cursor)?;
        self.checkpoints.insert(consumer.to_owned(), cursor.clone());
        Ok(())
    }
}

/// The id of event `sequence` of the feed with `key`: a version-8 UUID of the two numbers.
fn event_id(key: u64, sequence: u64) -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&key.to_be_bytes());
    bytes[8..].copy_from_slice(&sequence.to_be_bytes());
    uuid::Uuid::new_v8(bytes).hyphenated().to_string()
}

/// The number of a cursor of this store.
fn sequence(cursor: &EventCursor) -> Result<u64> {
    cursor.sequence().ok_or_else(|| Error::invalid_value("not an event cursor of this store"))
}

#[cfg(test)]
mod tests {
    use scimkit_core::event::{EventCursor, Origin};
    use scimkit_core::{ResourceManager, ResourceStore};
    use serde_json::json;

    use crate::InMemoryStore;

    #[tokio::test]
    async fn the_feed_keeps_its_retention_and_says_when_a_reader_fell_behind() {
        let store = std::sync::Arc::new(InMemoryStore::with_event_retention(32));
        let manager = ResourceManager::builder(store.clone()).build().unwrap();
        for n in 0..100 {
            let user = json!({ "userName": format!("u{n}") });
            manager.create(Origin::new("t"), "User", user).await.unwrap();
        }
        let kept = store.read_events("t", None, 1_000).await.unwrap();
        assert!((32..=34).contains(&kept.len()), "{} events kept", kept.len());
        assert_eq!(kept.last().and_then(|e| e.cursor.sequence()), Some(100));
        let first = kept[0].cursor.sequence().unwrap();
        assert_eq!(first, 100 - kept.len() as u64 + 1, "the latest events, without a gap");
        let behind = store.read_events("t", Some(&EventCursor::from_sequence(first - 2)), 10).await;
        assert!(matches!(behind, Err(scimkit_core::Error::EventsPruned { .. })), "{behind:?}");
        let edge = store.read_events("t", Some(&EventCursor::from_sequence(first - 1)), 10).await;
        assert_eq!(edge.unwrap().len(), 10);
    }
}
