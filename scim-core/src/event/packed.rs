//! A compact binary form of an event, for stores that keep their feeds in memory.
//!
//! Strings are written as their length and bytes, lists as their length and items, the
//! kinds and the level as one byte each; the resource of a [`PayloadLevel::Full`] event as
//! JSON text. The form leaves out what a store knows from where it keeps the bytes (the
//! tenant, the cursor, the id). It is not a stable format: it is read back by the same
//! version of this crate that wrote it, and never leaves the process.

use serde_json::Value;

use super::{Event, EventCursor, EventDraft, EventKind, PayloadLevel};
use crate::normalize::JsonObject;
use crate::store::Version;

/// Bytes that [`Event::unpack`] could not read as a packed event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the bytes are not a packed event")]
pub struct MalformedEvent;

impl EventDraft {
    /// Appends the event this draft becomes to `out`, in the packed form [`Event::unpack`]
    /// reads: what [`EventDraft::into_event`] would make of it, without the tenant, cursor and
    /// id.
    pub fn pack_into(self, resource: &JsonObject, version: Option<&Version>, out: &mut Vec<u8>) {
        let event = self.into_event(String::new(), "", EventCursor::default(), resource, version);
        let mut writer = Writer(out);
        writer.str(&event.txn);
        writer.str(&event.resource_type);
        writer.str(&event.resource_id);
        writer.optional(event.external_id.as_deref());
        writer.optional(event.version.as_deref());
        writer.str(&event.time);
        writer.optional(event.principal.as_deref());
        writer.optional(event.request_id.as_deref());
        writer.number(event.kinds.len() as u64);
        for kind in &event.kinds {
            writer.0.push(kind_code(*kind));
        }
        writer.strings(&event.attributes);
        writer.strings(&event.members_added);
        writer.strings(&event.members_removed);
        writer.0.push(match event.level {
            PayloadLevel::Notice => 0,
            PayloadLevel::Full => 1,
        });
        match event.data {
            None => writer.0.push(0),
            Some(data) => {
                writer.0.push(1);
                writer.str(&Value::Object(data).to_string());
            }
        }
    }
}

impl Event {
    /// The event packed in `bytes` by [`EventDraft::pack_into`], as kept in `tenant`'s feed at
    /// `cursor` with the id `id`.
    ///
    /// # Errors
    ///
    /// [`MalformedEvent`] if `bytes` are not exactly one packed event.
    pub fn unpack(
        bytes: &[u8],
        tenant: &str,
        cursor: EventCursor,
        id: String,
    ) -> Result<Event, MalformedEvent> {
        let mut reader = Reader(bytes);
        let txn = reader.string()?;
        let resource_type = reader.string()?;
        let resource_id = reader.string()?;
        let external_id = reader.optional()?;
        let version = reader.optional()?;
        let time = reader.string()?;
        let principal = reader.optional()?;
        let request_id = reader.optional()?;
        let kinds = (0..reader.length()?)
            .map(|_| reader.byte().and_then(kind_of_code))
            .collect::<Result<_, _>>()?;
        let attributes = reader.strings()?;
        let members_added = reader.strings()?;
        let members_removed = reader.strings()?;
        let level = match reader.byte()? {
            0 => PayloadLevel::Notice,
            1 => PayloadLevel::Full,
            _ => return Err(MalformedEvent),
        };
        let data = match reader.byte()? {
            0 => None,
            1 => Some(serde_json::from_str(reader.str()?).map_err(|_| MalformedEvent)?),
            _ => return Err(MalformedEvent),
        };
        if !reader.0.is_empty() {
            return Err(MalformedEvent);
        }
        Ok(Event {
            tenant: tenant.to_owned(),
            cursor,
            id,
            txn,
            resource_type,
            resource_id,
            external_id,
            version,
            time,
            principal,
            request_id,
            kinds,
            attributes,
            members_added,
            members_removed,
            level,
            data,
        })
    }
}

fn kind_code(kind: EventKind) -> u8 {
    match kind {
        EventKind::Create => 0,
        EventKind::Put => 1,
        EventKind::Patch => 2,
        EventKind::Delete => 3,
        EventKind::Activate => 4,
        EventKind::Deactivate => 5,
    }
}

fn kind_of_code(code: u8) -> Result<EventKind, MalformedEvent> {
    Ok(match code {
        0 => EventKind::Create,
        1 => EventKind::Put,
        2 => EventKind::Patch,
        3 => EventKind::Delete,
        4 => EventKind::Activate,
        5 => EventKind::Deactivate,
        _ => return Err(MalformedEvent),
    })
}

struct Writer<'a>(&'a mut Vec<u8>);

impl Writer<'_> {
    /// `n` in LEB128: seven bits a byte, the high bit set on every byte but the last.
    fn number(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.0.push((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
    }

    fn str(&mut self, s: &str) {
        self.number(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    fn optional(&mut self, s: Option<&str>) {
        match s {
            None => self.0.push(0),
            Some(s) => {
                self.0.push(1);
                self.str(s);
            }
        }
    }

    fn strings(&mut self, strings: &[String]) {
        self.number(strings.len() as u64);
        for s in strings {
            self.str(s);
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, MalformedEvent> {
        let (&first, rest) = self.0.split_first().ok_or(MalformedEvent)?;
        self.0 = rest;
        Ok(first)
    }

    fn number(&mut self) -> Result<u64, MalformedEvent> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            n |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(MalformedEvent)
    }

    /// A length, which can be no more than the bytes left (every item takes at least one).
    fn length(&mut self) -> Result<usize, MalformedEvent> {
        let n = usize::try_from(self.number()?).map_err(|_| MalformedEvent)?;
        if n > self.0.len() {
            return Err(MalformedEvent);
        }
        Ok(n)
    }

    fn str(&mut self) -> Result<&'a str, MalformedEvent> {
        let len = self.length()?;
        let (bytes, rest) = self.0.split_at(len);
        self.0 = rest;
        std::str::from_utf8(bytes).map_err(|_| MalformedEvent)
    }

    fn string(&mut self) -> Result<String, MalformedEvent> {
        self.str().map(str::to_owned)
    }

    fn optional(&mut self) -> Result<Option<String>, MalformedEvent> {
        match self.byte()? {
            0 => Ok(None),
            1 => self.string().map(Some),
            _ => Err(MalformedEvent),
        }
    }

    fn strings(&mut self) -> Result<Vec<String>, MalformedEvent> {
        (0..self.length()?).map(|_| self.string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::event::tests::draft;

    fn roundtrip(level: PayloadLevel, data: Option<JsonObject>) {
        let mut draft = draft(level, data);
        draft.members_added = vec!["m-1".to_owned(), "ü".to_owned()];
        draft.members_removed = vec![String::new()];
        let resource = json!({ "externalId": "e-1" }).as_object().cloned().unwrap_or_default();
        let version = Version::new("7");
        let expected = draft.clone().into_event(
            "id-1".to_owned(),
            "acme",
            EventCursor::from_sequence(3),
            &resource,
            Some(&version),
        );
        let mut bytes = Vec::new();
        draft.pack_into(&resource, Some(&version), &mut bytes);
        let event = Event::unpack(&bytes, "acme", EventCursor::from_sequence(3), "id-1".into());
        assert_eq!(event, Ok(expected));
        for end in 0..bytes.len() {
            let cut = Event::unpack(&bytes[..end], "acme", EventCursor::default(), String::new());
            assert_eq!(cut, Err(MalformedEvent), "{end} of {} bytes", bytes.len());
        }
        bytes.push(0);
        let longer = Event::unpack(&bytes, "acme", EventCursor::default(), String::new());
        assert_eq!(longer, Err(MalformedEvent));
    }

    #[test]
    fn a_packed_event_reads_back_as_it_was_and_a_cut_one_never_does() {
        roundtrip(PayloadLevel::Notice, None);
        let data = json!({ "id": "u1", "userName": "ann", "meta": { "resourceType": "User" } });
        roundtrip(PayloadLevel::Full, data.as_object().cloned());
    }

    #[test]
    fn hostile_bytes_are_refused_without_allocating_what_they_claim() {
        // A length of 2^63 for the first string.
        let bytes = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
        let event = Event::unpack(&bytes, "t", EventCursor::default(), String::new());
        assert_eq!(event, Err(MalformedEvent));
        let overlong = [0x80; 11];
        let event = Event::unpack(&overlong, "t", EventCursor::default(), String::new());
        assert_eq!(event, Err(MalformedEvent));
    }
}
