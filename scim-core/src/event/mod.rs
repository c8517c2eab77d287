//! Provisioning events: every committed change to a resource, as a durable, ordered record an
//! application acts on, in the shape of RFC 9967 (SCIM Profile for Security Event Tokens).
//!
//! The manager describes each change it makes as an [`EventDraft`] and hands it to the store
//! with the write; the store records the [`Event`] in the same atomic step as the change (so a
//! change never exists without its event, nor an event without its change) and gives it its
//! place in the tenant's feed, an [`EventCursor`]. Cascades the store makes itself (a deleted
//! member leaving its groups) get events of their own, built with
//! [`EventDraft::member_removed`].
//!
//! A consumer reads a tenant's feed after a cursor (`ResourceStore::read_events`), waits for
//! more (`ResourceStore::wait_for_events`), and keeps a checkpoint beside the events:
//! [`EventConsumer`] does all three in a loop. [`Event::to_set`] renders an event as the
//! claims of an RFC 9967 Security Event Token.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! use std::sync::Arc;
//! use scimkit_core::event::{EventConsumer, EventKind};
//! use scimkit_core::{PatchRequest, ResourceManager};
//! use scimkit_store_memory::InMemoryStore;
//! use serde_json::json;
//!
//! let store = Arc::new(InMemoryStore::new());
//! let manager = ResourceManager::builder(store.clone()).build()?;
//! let ann = manager.create("acme", "User", json!({ "userName": "ann", "active": true })).await?;
//! let patch: PatchRequest = serde_json::from_value(json!({
//!     "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
//!     "Operations": [{ "op": "Replace", "path": "active", "value": "False" }]
//! }))?;
//! manager.patch("acme", "User", ann.id(), &patch, None).await?;
//!
//! let mut consumer = EventConsumer::open(store, "acme", "sessions").await?;
//! let events = consumer.poll().await?;
//! assert_eq!(events[0].kinds, [EventKind::Create]);
//! assert_eq!(events[1].kinds, [EventKind::Patch, EventKind::Deactivate]);
//! consumer.checkpoint(&events[1].cursor).await?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

mod consumer;
mod diff;
mod packed;
mod set;

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::normalize::JsonObject;
use crate::store::Version;

pub use consumer::{ConsumeError, EventConsumer};
pub(crate) use diff::{Before, Change, describe_change};
pub use packed::MalformedEvent;
pub use set::{SCIM_SUBJECT_FORMAT, SetOptions};

/// What an event's payload holds, as RFC 9967 distinguishes its `notice` and `full` events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum PayloadLevel {
    /// Ids, the version and the names of the changed attributes. The default.
    #[default]
    Notice,
    /// As [`PayloadLevel::Notice`], plus the resource after the change as a GET returns it by
    /// default (without the derived `groups` of a user, and never a write-only value).
    Full,
}

/// Whether and how the manager records events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventSettings {
    /// Whether every committed change is recorded as an event. Default `true`.
    pub enabled: bool,
    /// The payload of the events. Default [`PayloadLevel::Notice`].
    pub level: PayloadLevel,
}

impl Default for EventSettings {
    fn default() -> Self {
        Self { enabled: true, level: PayloadLevel::Notice }
    }
}

impl EventSettings {
    /// No events at all.
    pub fn disabled() -> Self {
        Self { enabled: false, ..Self::default() }
    }

    /// Events with the given payload level.
    pub fn with_level(level: PayloadLevel) -> Self {
        Self { enabled: true, level }
    }
}

/// What a change amounts to, as the event types of RFC 9967 §2.3 name it. One change may be
/// several: a PATCH that sets `active` to false is a [`EventKind::Patch`] and a
/// [`EventKind::Deactivate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum EventKind {
    /// A resource was created (POST, or a Bulk POST).
    Create,
    /// A resource was replaced whole (PUT).
    Put,
    /// A resource was changed in part (PATCH, or a cascade such as a deleted member leaving
    /// a group).
    Patch,
    /// A resource was deleted.
    Delete,
    /// `active` went from false to true.
    Activate,
    /// `active` went from true (or unset) to false.
    Deactivate,
}

impl EventKind {
    /// The RFC 9967 event URI of this kind at `level`: create, put and patch have a notice
    /// and a full form; delete, activate and deactivate only one.
    pub fn uri(self, level: PayloadLevel) -> &'static str {
        use PayloadLevel::{Full, Notice};
        match (self, level) {
            (EventKind::Create, Notice) => "urn:ietf:params:scim:event:prov:create:notice",
            (EventKind::Create, Full) => "urn:ietf:params:scim:event:prov:create:full",
            (EventKind::Put, Notice) => "urn:ietf:params:scim:event:prov:put:notice",
            (EventKind::Put, Full) => "urn:ietf:params:scim:event:prov:put:full",
            (EventKind::Patch, Notice) => "urn:ietf:params:scim:event:prov:patch:notice",
            (EventKind::Patch, Full) => "urn:ietf:params:scim:event:prov:patch:full",
            (EventKind::Delete, _) => "urn:ietf:params:scim:event:prov:delete",
            (EventKind::Activate, _) => "urn:ietf:params:scim:event:prov:activate",
            (EventKind::Deactivate, _) => "urn:ietf:params:scim:event:prov:deactivate",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EventKind::Create => "create",
            EventKind::Put => "put",
            EventKind::Patch => "patch",
            EventKind::Delete => "delete",
            EventKind::Activate => "activate",
            EventKind::Deactivate => "deactivate",
        })
    }
}

/// An event's place in its tenant's feed.
///
/// Opaque to consumers, with one promise: a later event's cursor sorts after an earlier one's,
/// comparing the text byte by byte (which is what `Ord` does), so a consumer can tell which of
/// two cursors is further along.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventCursor(String);

impl EventCursor {
    /// The cursor of the `sequence`th event of a feed, for stores that number events: the
    /// number zero-padded to 20 digits, so that byte order is numeric order.
    ///
    /// ```
    /// use scimkit_core::event::EventCursor;
    ///
    /// let (nine, ten) = (EventCursor::from_sequence(9), EventCursor::from_sequence(10));
    /// assert!(nine < ten);
    /// assert_eq!(ten.sequence(), Some(10));
    /// assert_eq!(ten.as_str(), "00000000000000000010");
    /// ```
    pub fn from_sequence(sequence: u64) -> Self {
        Self(format!("{sequence:020}"))
    }

    /// The number of a cursor made by [`EventCursor::from_sequence`]; `None` for any other
    /// text (such as a cursor a client made up).
    pub fn sequence(&self) -> Option<u64> {
        (self.0.len() == 20 && self.0.bytes().all(|b| b.is_ascii_digit()))
            .then(|| self.0.parse().ok())
            .flatten()
    }

    /// A cursor from its text, as [`EventCursor::as_str`] gave it.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The cursor's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EventCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One committed change of one resource, as its tenant's feed records it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Event {
    /// The tenant whose feed holds the event.
    pub tenant: String,
    /// The event's place in the feed.
    pub cursor: EventCursor,
    /// The event's id, assigned once when it was stored: the SET's `jti`. A redelivery of the
    /// event repeats it, so a handler can drop a repeat.
    pub id: String,
    /// The id of the state change (RFC 8417 `txn`). The events of one change share it: a
    /// deletion and the group updates it cascades into.
    pub txn: String,
    /// The resource type (`User`, `Group`).
    pub resource_type: String,
    /// The resource's id.
    pub resource_id: String,
    /// The resource's `externalId`, if it has one (after the change; before it, for a delete).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The resource's version after the change; `None` after a delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// When the change was made (RFC 3339 UTC, as `meta.lastModified`).
    pub time: String,
    /// The name of the principal that made the change (which identity-provider connection),
    /// if it was made on behalf of one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// The id of the request that made the change, shared by every event of one HTTP request
    /// (all operations of a Bulk request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// What the change amounts to: one of create, put, patch and delete, then activate or
    /// deactivate when `active` flipped.
    pub kinds: Vec<EventKind>,
    /// The attributes the change set, changed or removed: top-level names (`displayName`,
    /// `emails`), an extension's attributes with their schema URI
    /// (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`). A changed
    /// password appears as `password`, never with its value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
    /// For a group: the ids of the members the change added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members_added: Vec<String>,
    /// For a group: the ids of the members the change removed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members_removed: Vec<String>,
    /// The payload level the event was recorded at.
    pub level: PayloadLevel,
    /// At [`PayloadLevel::Full`], the resource after the change (none after a delete).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<JsonObject>,
}

impl Event {
    /// The RFC 9967 event URIs the event carries, in the order of [`Event::kinds`].
    pub fn uris(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.kinds.iter().map(|kind| kind.uri(self.level))
    }

    /// Whether the event is the given kind (among others).
    pub fn is(&self, kind: EventKind) -> bool {
        self.kinds.contains(&kind)
    }
}

/// The event of a change the manager is about to write, handed to the store with the write.
/// The store completes it with what only the store knows (its place in the feed, the version
/// it assigns, for a delete the resource's `externalId`) through [`EventDraft::record`].
#[derive(Clone, Debug)]
pub struct EventDraft {
    pub(crate) txn: String,
    pub(crate) resource_type: String,
    pub(crate) resource_id: String,
    pub(crate) time: String,
    pub(crate) principal: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) kinds: Vec<EventKind>,
    pub(crate) attributes: Vec<String>,
    pub(crate) members_added: Vec<String>,
    pub(crate) members_removed: Vec<String>,
    pub(crate) level: PayloadLevel,
    pub(crate) data: Option<JsonObject>,
    /// The group attributes a GET never returns, dropped from the data of cascade events.
    pub(crate) hidden_group_attributes: Option<Arc<[String]>>,
}

impl EventDraft {
    /// The resource type the event is about.
    pub fn resource_type(&self) -> &str {
        &self.resource_type
    }

    /// The id of the resource the event is about.
    pub fn resource_id(&self) -> &str {
        &self.resource_id
    }

    /// Whether this is the event of a delete (which has no version after it).
    pub fn is_delete(&self) -> bool {
        self.kinds.contains(&EventKind::Delete)
    }

    /// The event as stored in `tenant`'s feed at `cursor`, with the id (`jti`) it gets now.
    /// `resource` is the resource as written (for a delete, as it was before), for its
    /// `externalId`; `version` is the version the write gave it (`None` for a delete).
    pub fn record(
        &self,
        tenant: &str,
        cursor: EventCursor,
        resource: &JsonObject,
        version: Option<&Version>,
    ) -> Event {
        self.clone().into_event(crate::ids::random_uuid(), tenant, cursor, resource, version)
    }

    /// [`EventDraft::record`] without a copy of the draft, with the event id `id`: for stores
    /// that derive ids from what they store (unique, and the same on every read of the event).
    pub fn into_event(
        self,
        id: String,
        tenant: &str,
        cursor: EventCursor,
        resource: &JsonObject,
        version: Option<&Version>,
    ) -> Event {
        let version = version.map(|v| v.as_str().to_owned());
        let mut data = self.data;
        if let (Some(data), Some(version)) = (&mut data, &version) {
            if let Some(Value::Object(meta)) = data.get_mut("meta") {
                meta.insert("version".to_owned(), Value::String(Version::new(version).to_etag()));
            }
        }
        Event {
            tenant: tenant.to_owned(),
            cursor,
            id,
            txn: self.txn,
            resource_type: self.resource_type,
            resource_id: self.resource_id,
            external_id: resource.get("externalId").and_then(Value::as_str).map(str::to_owned),
            version,
            time: self.time,
            principal: self.principal,
            request_id: self.request_id,
            kinds: self.kinds,
            attributes: self.attributes,
            members_added: self.members_added,
            members_removed: self.members_removed,
            level: self.level,
            data,
        }
    }

    /// The event of a cascade this change makes: the group `group_id`, now `group` (its
    /// stored form after the change), lost the member this draft's resource was. The store
    /// calls it for each group a deletion removes the deleted resource from; the events share
    /// the deletion's `txn`, principal, request and time.
    pub fn member_removed(&self, group_id: &str, group: &JsonObject) -> EventDraft {
        let data = (self.level == PayloadLevel::Full).then(|| {
            let mut data = group.clone();
            for hidden in self.hidden_group_attributes.iter().flat_map(|h| h.iter()) {
                data.remove(hidden);
            }
            data
        });
        EventDraft {
            txn: self.txn.clone(),
            resource_type: crate::store::GROUP_RESOURCE_TYPE.to_owned(),
            resource_id: group_id.to_owned(),
            time: self.time.clone(),
            principal: self.principal.clone(),
            request_id: self.request_id.clone(),
            kinds: vec![EventKind::Patch],
            attributes: vec!["members".to_owned()],
            members_added: Vec::new(),
            members_removed: vec![self.resource_id.clone()],
            level: self.level,
            data,
            hidden_group_attributes: self.hidden_group_attributes.clone(),
        }
    }
}

/// Where a write comes from: the tenant, and for its event the principal and the request.
///
/// A plain tenant name converts into one, so `manager.create("acme", …)` works where no
/// principal or request is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Origin<'a> {
    /// The tenant.
    pub tenant: &'a str,
    /// The name of the principal making the change.
    pub principal: Option<&'a str>,
    /// The id of the request making the change.
    pub request_id: Option<&'a str>,
}

impl<'a> Origin<'a> {
    /// An origin in `tenant`, with no principal or request.
    pub fn new(tenant: &'a str) -> Self {
        Self { tenant, principal: None, request_id: None }
    }

    /// This origin with the principal named `name`.
    #[must_use]
    pub fn with_principal(mut self, name: &'a str) -> Self {
        self.principal = Some(name);
        self
    }

    /// This origin with the request `id`.
    #[must_use]
    pub fn with_request_id(mut self, id: &'a str) -> Self {
        self.request_id = Some(id);
        self
    }
}

impl<'a> From<&'a str> for Origin<'a> {
    fn from(tenant: &'a str) -> Self {
        Origin::new(tenant)
    }
}

impl<'a> From<&'a String> for Origin<'a> {
    fn from(tenant: &'a String) -> Self {
        Origin::new(tenant)
    }
}

/// What events to prune from a feed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Prune {
    /// Every event up to and including this cursor.
    Through(EventCursor),
    /// Every event of a change made before this time.
    OlderThan(std::time::SystemTime),
}

#[cfg(test)]
mod tests;
