//! Events as the claims of an RFC 9967 Security Event Token (RFC 8417), unsigned.

use serde_json::{Map, Value, json};

use super::{Event, EventKind, PayloadLevel};
use crate::store::Version;

/// The subject identifier format RFC 9967 defines for SCIM resources (`sub_id.format`).
pub const SCIM_SUBJECT_FORMAT: &str = "scim";

/// What a SET says of its issuer and audience, beside what the event holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SetOptions {
    /// The `iss` claim: the SCIM service provider, usually its base URL.
    pub issuer: String,
    /// The `aud` claim: who the SET is for. Left out when empty.
    pub audience: Vec<String>,
    /// The endpoint of each resource type, for the subject's `uri` (`/Users/{id}`): by
    /// default the type's name with an `s` (`User` → `/Users`), as the built-in types have it.
    pub endpoints: Vec<(String, String)>,
}

impl SetOptions {
    /// Options for SETs issued by `issuer`.
    pub fn new(issuer: impl Into<String>) -> Self {
        Self { issuer: issuer.into(), ..Self::default() }
    }

    /// These options with the audience `aud`.
    #[must_use]
    pub fn with_audience(mut self, aud: impl Into<String>) -> Self {
        self.audience.push(aud.into());
        self
    }

    /// These options with the endpoint of `resource_type` (`/Devices` for `Device`).
    #[must_use]
    pub fn with_endpoint(
        mut self,
        resource_type: impl Into<String>,
        endpoint: impl Into<String>,
    ) -> Self {
        self.endpoints.push((resource_type.into(), endpoint.into()));
        self
    }

    fn endpoint(&self, resource_type: &str) -> String {
        self.endpoints
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(resource_type))
            .map_or_else(|| format!("/{resource_type}s"), |(_, endpoint)| endpoint.clone())
    }
}

impl Event {
    /// The event as the claims of an RFC 9967 Security Event Token: `iss`, `iat` and `toe`
    /// (RFC 8417: the time of the change, so a redelivery renders the same claims), `jti` (the
    /// event id), `txn`, `sub_id` in the SCIM subject format (the resource's `uri` relative to
    /// the base URI, and its `externalId`), `aud` when given, and `events` keyed by the RFC's
    /// event URIs: one SET for the one state change, which may be several events (a patch and
    /// a deactivate). Signing and delivery are left to the caller.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
    /// use std::sync::Arc;
    /// use scimkit_core::event::{EventConsumer, SetOptions};
    /// use scimkit_core::ResourceManager;
    /// use scimkit_store_memory::InMemoryStore;
    /// use serde_json::json;
    ///
    /// let store = Arc::new(InMemoryStore::new());
    /// let manager = ResourceManager::builder(store.clone()).build()?;
    /// let ann = manager
    ///     .create("acme", "User", json!({ "userName": "ann", "externalId": "a-1" }))
    ///     .await?;
    /// let event = EventConsumer::open(store, "acme", "audit").await?.poll().await?.remove(0);
    /// let set = event.to_set(&SetOptions::new("https://scim.example.com/scim/v2"));
    /// assert_eq!(set["jti"], event.id);
    /// assert_eq!(set["sub_id"]["format"], "scim");
    /// assert_eq!(set["sub_id"]["uri"], format!("/Users/{}", ann.id()));
    /// assert_eq!(set["sub_id"]["externalId"], "a-1");
    /// let create = &set["events"]["urn:ietf:params:scim:event:prov:create:notice"];
    /// assert_eq!(create["attributes"], json!(["externalId", "userName"]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn to_set(&self, options: &SetOptions) -> Value {
        let time = scimkit_filter::DateTime::parse(&self.time).map(|t| t.unix_seconds());
        let mut subject = Map::new();
        subject.insert("format".to_owned(), json!(SCIM_SUBJECT_FORMAT));
        subject.insert(
            "uri".to_owned(),
            json!(format!("{}/{}", options.endpoint(&self.resource_type), self.resource_id)),
        );
        if let Some(external_id) = &self.external_id {
            subject.insert("externalId".to_owned(), json!(external_id));
        }
        let mut events = Map::new();
        for kind in &self.kinds {
            events.insert(kind.uri(self.level).to_owned(), Value::Object(self.payload(*kind)));
        }
        let mut set = Map::new();
        set.insert("iss".to_owned(), json!(options.issuer));
        if !options.audience.is_empty() {
            set.insert("aud".to_owned(), json!(options.audience));
        }
        if let Some(time) = time {
            set.insert("iat".to_owned(), json!(time));
            set.insert("toe".to_owned(), json!(time));
        }
        set.insert("jti".to_owned(), json!(self.id));
        set.insert("txn".to_owned(), json!(self.txn));
        set.insert("sub_id".to_owned(), Value::Object(subject));
        set.insert("events".to_owned(), Value::Object(events));
        Value::Object(set)
    }

    /// The payload of one event URI (RFC 9967 §2.4): for create, put and patch exactly one
    /// of `attributes` (the notice form) and `data` (the full form), with the `version` after
    /// the change; for delete, activate and deactivate an empty object.
    fn payload(&self, kind: EventKind) -> Map<String, Value> {
        let mut payload = Map::new();
        if !matches!(kind, EventKind::Create | EventKind::Put | EventKind::Patch) {
            return payload;
        }
        match (&self.data, self.level) {
            (Some(data), PayloadLevel::Full) => {
                payload.insert("data".to_owned(), Value::Object(data.clone()));
            }
            _ => {
                payload.insert("attributes".to_owned(), json!(self.attributes));
            }
        }
        if let Some(version) = &self.version {
            payload.insert("version".to_owned(), json!(Version::new(version.as_str()).to_etag()));
        }
        payload
    }
}
