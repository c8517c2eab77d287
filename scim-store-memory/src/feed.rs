//! One tenant's event feed: the events in commit order, the consumers' checkpoints.

use std::collections::{HashMap, VecDeque};

use scimkit_core::event::{Event, EventCursor, EventDraft, Prune};
use scimkit_core::{Error, JsonObject, Result, Version, format_timestamp};

/// How many bytes of events a chunk holds before the next chunk starts.
const CHUNK_BYTES: usize = 64 * 1024;

/// The events of one tenant, numbered from 1 in the order their changes were made (which,
/// under the tenant's write lock, is commit order).
///
/// Events are kept packed ([`EventDraft::pack_into`]), many to a chunk of memory: recording one copies its bytes into
/// the newest chunk, and pruning frees whole chunks. A feed of a hundred thousand events is a
/// few hundred allocations rather than a few million, so keeping and pruning them costs the
/// write path, and the rest of the process's heap, next to nothing. Tenant, cursor and id are
/// filled in when an event is read.
#[derive(Debug)]
pub(crate) struct Feed {
    /// A random number of this feed's own: with an event's number, its id (`jti`), unique
    /// across tenants and stores, and the same on every read.
    key: u64,
    /// The chunks, oldest first; the first may begin with events already pruned.
    chunks: VecDeque<Chunk>,
    /// The number of the last event recorded.
    last: u64,
    /// The number of the last event pruned (0 if none was).
    pruned_through: u64,
    /// Where an event is packed before it is copied into its chunk.
    scratch: Vec<u8>,
    checkpoints: HashMap<String, EventCursor>,
}

/// Consecutive events, packed one after another.
#[derive(Debug)]
struct Chunk {
    /// The number of the first event in the chunk.
    first: u64,
    bytes: Vec<u8>,
    /// Where each event's bytes end.
    ends: Vec<usize>,
}

impl Chunk {
    fn new(first: u64) -> Self {
        Self { first, bytes: Vec::with_capacity(CHUNK_BYTES), ends: Vec::new() }
    }

    /// The number of the last event in the chunk.
    fn last(&self) -> u64 {
        self.first + self.ends.len() as u64 - 1
    }

    /// The event numbered `sequence`, which the chunk holds, with its tenant and id.
    fn event(&self, sequence: u64, tenant: &str, id: String) -> Result<Event> {
        let index = usize::try_from(sequence - self.first).unwrap_or(usize::MAX);
        let start = index.checked_sub(1).map_or(0, |before| self.ends[before]);
        let bytes = &self.bytes[start..self.ends[index]];
        Event::unpack(bytes, tenant, EventCursor::from_sequence(sequence), id)
            .map_err(|e| Error::Backend { store: "memory", source: Box::new(e) })
    }
}

impl Default for Feed {
    fn default() -> Self {
        Self {
            key: uuid::Uuid::new_v4().as_u64_pair().0,
            chunks: VecDeque::new(),
            last: 0,
            pruned_through: 0,
            scratch: Vec::new(),
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
        // Tenant, cursor and id are filled in on read.
        self.scratch.clear();
        draft.pack_into(resource, version, &mut self.scratch);
        self.last += 1;
        let full = self.chunks.back().is_none_or(|chunk| {
            !chunk.bytes.is_empty() && chunk.bytes.len() + self.scratch.len() > CHUNK_BYTES
        });
        if full {
            self.chunks.push_back(Chunk::new(self.last));
        }
        if let Some(chunk) = self.chunks.back_mut() {
            chunk.bytes.extend_from_slice(&self.scratch);
            chunk.ends.push(chunk.bytes.len());
        }
        // Past the retention, the oldest sixteenth goes at once, so that pruning runs once
        // every few thousand writes rather than on each.
        let kept = self.last - self.pruned_through;
        let retention = retention as u64;
        if kept > retention + retention / 16 {
            self.prune_through(self.last - retention);
        }
    }

    /// Forgets every event up to `through`, freeing the chunks that hold only those.
    fn prune_through(&mut self, through: u64) {
        self.pruned_through = self.pruned_through.max(through.min(self.last));
        while self.chunks.front().is_some_and(|chunk| chunk.last() <= self.pruned_through) {
            self.chunks.pop_front();
        }
    }

    /// The chunk holding event `sequence`, which the feed keeps.
    fn chunk(&self, sequence: u64) -> Option<&Chunk> {
        let after = self.chunks.partition_point(|chunk| chunk.first <= sequence);
        after.checked_sub(1).and_then(|index| self.chunks.get(index))
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
        let mut events = Vec::new();
        let mut sequence = after.saturating_add(1);
        while sequence <= self.last && events.len() < limit {
            let Some(chunk) = self.chunk(sequence) else { break };
            while sequence <= chunk.last() && events.len() < limit {
                events.push(chunk.event(sequence, tenant, event_id(self.key, sequence))?);
                sequence += 1;
            }
        }
        Ok(events)
    }

    /// Whether there is an event after `after`.
    pub(crate) fn has_after(&self, after: Option<&EventCursor>) -> Result<bool> {
        Ok(match after {
            None => self.last > self.pruned_through,
            Some(cursor) => sequence(cursor)? < self.last,
        })
    }

    pub(crate) fn prune(&mut self, prune: &Prune) -> Result<u64> {
        let before = self.pruned_through;
        match prune {
            Prune::Through(cursor) => self.prune_through(sequence(cursor)?),
            Prune::OlderThan(time) => {
                let time = format_timestamp(*time);
                let mut through = self.pruned_through;
                while through < self.last {
                    let Some(chunk) = self.chunk(through + 1) else { break };
                    if chunk.event(through + 1, "", String::new())?.time >= time {
                        break;
                    }
                    through += 1;
                }
                self.prune_through(through);
            }
            _ => return Err(Error::invalid_value("this store cannot prune events that way")),
        }
        Ok(self.pruned_through - before)
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
