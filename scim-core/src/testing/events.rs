//! The suite's checks of the event feed: what each write records, in what order, for whom.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::tenant;
use crate::clock::Clock;
use crate::config::ServiceConfig;
use crate::error::Error;
use crate::event::{
    Event, EventConsumer, EventCursor, EventKind, EventSettings, Origin, PayloadLevel, Prune,
};
use crate::manager::ResourceManager;
use crate::message::PatchRequest;
use crate::store::{DynResourceStore, Version};

fn manager_with(store: Arc<DynResourceStore>, level: PayloadLevel) -> ResourceManager {
    let config = ServiceConfig::default().with_events(EventSettings::with_level(level));
    ResourceManager::builder(store).config(config).build().unwrap()
}

fn patch(ops: Value) -> PatchRequest {
    serde_json::from_value(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": ops
    }))
    .unwrap()
}

/// Every event of `tenant`'s feed, read in small batches so that paging is exercised.
async fn all_events(store: &DynResourceStore, tenant: &str) -> Vec<Event> {
    let mut events: Vec<Event> = Vec::new();
    loop {
        let after = events.last().map(|e| e.cursor.clone());
        let batch = store.read_events(tenant, after.as_ref(), 3).await.unwrap();
        if batch.is_empty() {
            return events;
        }
        assert!(batch.len() <= 3, "read_events returned more than its limit");
        events.extend(batch);
    }
}

fn assert_increasing(events: &[Event]) {
    for pair in events.windows(2) {
        assert!(pair[0].cursor < pair[1].cursor, "cursors must increase in feed order");
    }
}

/// One event per committed change, with the kinds, attributes, members and versions of the
/// change, the principal and the request; none for a failed write or a no-op; a deletion's
/// cascade into its groups as patch events of its own; no password value anywhere.
pub async fn events_of_every_write(store: Arc<DynResourceStore>) {
    // Passwords kept as sent, the worst case for a leak into events.
    let config = ServiceConfig::default()
        .with_events(EventSettings::with_level(PayloadLevel::Full))
        .with_passwords(crate::password::PasswordPolicy::KeepPlaintext);
    let manager = ResourceManager::builder(store.clone()).config(config).build().unwrap();
    let t = tenant("events");
    let origin = Origin::new(&t).with_principal("Entra ID").with_request_id("request-1");
    let secret = "correct horse battery staple";
    let ann = manager
        .create(
            origin,
            "User",
            json!({ "userName": "ann", "active": true, "externalId": "e-ann", "password": secret }),
        )
        .await
        .unwrap();
    // Failures and no-ops record nothing.
    let taken = manager.create(origin, "User", json!({ "userName": "ANN" })).await;
    assert!(matches!(taken, Err(Error::Uniqueness { .. })), "{taken:?}");
    let same = patch(json!([{ "op": "Replace", "path": "active", "value": "True" }]));
    manager.patch(origin, "User", ann.id(), &same, None).await.unwrap();
    let stale = manager.patch(origin, "User", ann.id(), &same, Some(&Version::new("stale"))).await;
    assert!(matches!(stale, Err(Error::PreconditionFailed { .. })), "{stale:?}");

    let off = patch(json!([{ "op": "Replace", "path": "active", "value": "False" }]));
    let ann_off = manager.patch(origin, "User", ann.id(), &off, None).await.unwrap();
    let new_password = patch(json!([{ "op": "Replace", "path": "password", "value": "s3cret-2" }]));
    let ann_pw = manager.patch(origin, "User", ann.id(), &new_password, None).await.unwrap();
    let put = json!({ "userName": "ann", "active": true, "externalId": "e-ann", "title": "Dr" });
    let ann_put = manager.replace(origin, "User", ann.id(), put, None).await.unwrap();
    let group = json!({ "displayName": "Ops", "members": [{ "value": ann.id() }] });
    let ops = manager.create(origin, "Group", group).await.unwrap();
    let other = Origin::new(&t).with_principal("Okta").with_request_id("request-2");
    manager.delete(other, "User", ann.id(), None).await.unwrap();
    let ops_after = manager.get(&t, "Group", ops.id()).await.unwrap();

    let events = all_events(&*store, &t).await;
    assert_increasing(&events);
    let kinds: Vec<&[EventKind]> = events.iter().map(|e| e.kinds.as_slice()).collect();
    use EventKind::{Activate, Create, Deactivate, Delete, Patch, Put};
    assert_eq!(
        kinds,
        [
            &[Create][..],
            &[Patch, Deactivate],
            &[Patch],
            &[Put, Activate],
            &[Create],
            &[Delete],
            &[Patch]
        ],
        "the events, in order: {events:#?}"
    );
    let versions: Vec<Option<&str>> = events.iter().map(|e| e.version.as_deref()).collect();
    assert_eq!(
        versions,
        [
            Some(ann.version.as_str()),
            Some(ann_off.version.as_str()),
            Some(ann_pw.version.as_str()),
            Some(ann_put.version.as_str()),
            Some(ops.version.as_str()),
            None,
            Some(ops_after.version.as_str()),
        ]
    );
    for event in &events {
        assert_eq!(event.tenant, t);
        assert!(!event.id.is_empty() && !event.txn.is_empty());
    }
    let ids: HashSet<&str> = events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), events.len(), "every event has its own id");
    for event in &events[..5] {
        assert_eq!(event.principal.as_deref(), Some("Entra ID"));
        assert_eq!(event.request_id.as_deref(), Some("request-1"));
    }
    assert_eq!(events[1].attributes, ["active"]);
    assert_eq!(events[2].attributes, ["password"], "a changed password is named, never shown");
    assert!(events[3].attributes.contains(&"title".to_owned()));
    assert_eq!(events[0].external_id.as_deref(), Some("e-ann"));
    assert_eq!(events[0].resource_type, "User");
    assert_eq!(events[0].resource_id, ann.id());
    assert_eq!(events[4].members_added, [ann.id()]);
    let data = events[0].data.as_ref().expect("full events carry the resource");
    assert_eq!(data["userName"], "ann");
    assert_eq!(data["id"], ann.id());
    assert_eq!(data["meta"]["version"], ann.version.to_etag());

    // The deletion and its cascade: one change, made by the other principal.
    let (deleted, cascade) = (&events[5], &events[6]);
    assert_eq!(deleted.resource_id, ann.id());
    assert_eq!(deleted.external_id.as_deref(), Some("e-ann"));
    assert!(deleted.data.is_none());
    assert_eq!((cascade.resource_type.as_str(), cascade.resource_id.as_str()), ("Group", ops.id()));
    assert_eq!(cascade.attributes, ["members"]);
    assert_eq!(cascade.members_removed, [ann.id()]);
    assert_eq!(cascade.txn, deleted.txn, "a cascade shares its deletion's txn");
    for event in [deleted, cascade] {
        assert_eq!(event.principal.as_deref(), Some("Okta"));
        assert_eq!(event.request_id.as_deref(), Some("request-2"));
    }
    let group_data = cascade.data.as_ref().expect("full events carry the group");
    assert!(group_data.get("members").is_none(), "the group's only member left");

    let text = serde_json::to_string(&events).unwrap();
    assert!(!text.contains(secret) && !text.contains("s3cret-2"), "a password leaked: {text}");
    for event in &events {
        let set = event.to_set(&crate::event::SetOptions::new("https://example.com"));
        assert!(!set.to_string().contains(secret));
    }

    // At the notice level, no resource data.
    let notice = manager_with(store.clone(), PayloadLevel::Notice);
    let t2 = tenant("notice");
    notice.create(&t2, "User", json!({ "userName": "bob" })).await.unwrap();
    let events = all_events(&*store, &t2).await;
    assert_eq!(events.len(), 1);
    assert!(events[0].data.is_none());
    assert_eq!(events[0].level, PayloadLevel::Notice);

    // With events off, none.
    let config = ServiceConfig::default().with_events(EventSettings::disabled());
    let quiet = ResourceManager::builder(store.clone()).config(config).build().unwrap();
    let t3 = tenant("quiet");
    quiet.create(&t3, "User", json!({ "userName": "carl" })).await.unwrap();
    assert!(all_events(&*store, &t3).await.is_empty());
}

/// Concurrent writers (64 tasks) while a consumer follows the feed: every acknowledged
/// change has exactly one event, each resource's events come in version order, and the
/// consumer, which never re-reads, sees each event exactly once. A store that gave events
/// their places before commit would let the consumer move past an event that then appears
/// behind it.
pub async fn event_order_under_concurrent_writers(store: Arc<DynResourceStore>) {
    event_order_across_replicas(vec![store]).await;
}

/// [`event_order_under_concurrent_writers`] with the writers spread over several replicas of
/// one store (such as two PostgreSQL stores on one database), the consumer on the first.
pub async fn event_order_across_replicas(replicas: Vec<Arc<DynResourceStore>>) {
    const WRITERS: usize = 64;
    const ROUNDS: usize = 4;
    let store = replicas[0].clone();
    let managers: Vec<Arc<ResourceManager>> =
        replicas.iter().map(|r| Arc::new(manager_with(r.clone(), PayloadLevel::Notice))).collect();
    let t = tenant("concurrent");
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let consumer = {
        let (store, t, done) = (store.clone(), t.clone(), done.clone());
        tokio::spawn(async move {
            let mut consumer = EventConsumer::open(store, t, "follower")
                .await
                .unwrap()
                .with_wait(Duration::from_millis(20))
                .with_batch_size(7);
            let mut seen = Vec::new();
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let batch = consumer.poll().await.unwrap();
                if batch.is_empty() && finished {
                    return seen;
                }
                seen.extend(batch);
            }
        })
    };
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (manager, t) = (managers[w % managers.len()].clone(), t.clone());
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            let user = json!({ "userName": format!("writer{w}"), "active": true });
            let created = manager.create(&t, "User", user).await.unwrap();
            acknowledged.push((created.id().to_owned(), created.version.clone()));
            for round in 0..ROUNDS {
                let title = patch(json!([{ "op": "replace", "path": "title", "value": round }]));
                let patched = manager.patch(&t, "User", created.id(), &title, None).await.unwrap();
                acknowledged.push((created.id().to_owned(), patched.version));
            }
            acknowledged
        }));
    }
    let mut acknowledged = Vec::new();
    for writer in writers {
        acknowledged.extend(writer.await.unwrap());
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = consumer.await.unwrap();

    let feed = all_events(&*store, &t).await;
    assert_increasing(&feed);
    assert_eq!(feed.len(), WRITERS * (ROUNDS + 1), "one event per acknowledged change");
    let recorded: HashSet<(String, String)> = feed
        .iter()
        .map(|e| (e.resource_id.clone(), e.version.clone().unwrap_or_default()))
        .collect();
    for (id, version) in &acknowledged {
        assert!(recorded.contains(&(id.clone(), version.as_str().to_owned())), "no event for {id}");
    }
    let mut by_resource: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
    for event in &feed {
        by_resource.entry(&event.resource_id).or_default().push(event);
    }
    for (id, events) in &by_resource {
        assert_eq!(events[0].kinds, [EventKind::Create], "{id} starts with its creation");
        assert_eq!(events.len(), ROUNDS + 1);
    }
    let seen_ids: Vec<&str> = seen.iter().map(|e| e.id.as_str()).collect();
    let feed_ids: Vec<&str> = feed.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(seen_ids, feed_ids, "the consumer saw every event once, in feed order");
}

/// Feeds are per tenant; consumers are per name, with checkpoints that outlive them; pruning
/// leaves a consumer behind it with a clear error; waiters wake on a commit.
pub async fn event_feeds_consumers_and_pruning(store: Arc<DynResourceStore>) {
    let manager = manager_with(store.clone(), PayloadLevel::Notice);
    let (a, b) = (tenant("feed-a"), tenant("feed-b"));
    for n in 0..5 {
        manager.create(&a, "User", json!({ "userName": format!("a{n}") })).await.unwrap();
    }
    manager.create(&b, "User", json!({ "userName": "b0" })).await.unwrap();
    assert_eq!(all_events(&*store, &a).await.len(), 5);
    assert_eq!(all_events(&*store, &b).await.len(), 1, "feeds do not cross tenants");

    let mut audit = EventConsumer::open(store.clone(), &a, "audit").await.unwrap();
    let first = audit.poll().await.unwrap();
    assert_eq!(first.len(), 5);
    audit.checkpoint(&first[1].cursor).await.unwrap();
    let reopened = EventConsumer::open(store.clone(), &a, "audit").await.unwrap();
    assert_eq!(reopened.position(), Some(&first[1].cursor), "the checkpoint outlives its consumer");
    let sessions = EventConsumer::open(store.clone(), &a, "sessions").await.unwrap();
    assert_eq!(sessions.position(), None, "consumers with other names are independent");
    let in_b = EventConsumer::open(store.clone(), &b, "audit").await.unwrap();
    assert_eq!(in_b.position(), None, "checkpoints do not cross tenants");

    // A waiter wakes on a commit, well before its time-out.
    let last = first[4].cursor.clone();
    let waiter = {
        let (store, a, last) = (store.clone(), a.clone(), last.clone());
        tokio::spawn(async move {
            let started = Instant::now();
            let woke = store.wait_for_events(&a, Some(&last), Duration::from_secs(20)).await;
            (woke.unwrap(), started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    manager.create(&a, "User", json!({ "userName": "a5" })).await.unwrap();
    let (woke, waited) = waiter.await.unwrap();
    assert!(woke, "the waiter saw the new event");
    assert!(waited < Duration::from_secs(5), "the waiter was not woken by the commit: {waited:?}");
    let quiet = store
        .wait_for_events(
            &b,
            Some(&EventCursor::from_sequence(u64::MAX >> 1)),
            Duration::from_millis(50),
        )
        .await;
    assert!(matches!(quiet, Ok(false)), "nothing new: the wait times out: {quiet:?}");

    // Pruning through the third event: a consumer at the second is told, never skipped.
    let pruned = store.prune_events(&a, &Prune::Through(first[2].cursor.clone())).await.unwrap();
    assert_eq!(pruned, 3);
    let behind = store.read_events(&a, Some(&first[1].cursor), 10).await;
    assert!(matches!(behind, Err(Error::EventsPruned { .. })), "{behind:?}");
    let mut reopened = EventConsumer::open(store.clone(), &a, "audit").await.unwrap();
    assert!(matches!(reopened.poll().await, Err(Error::EventsPruned { .. })));
    let at_edge = store.read_events(&a, Some(&first[2].cursor), 10).await.unwrap();
    assert_eq!(at_edge.len(), 3, "reading from the last pruned cursor loses nothing");
    let from_start = store.read_events(&a, None, 10).await.unwrap();
    assert_eq!(from_start.first().map(|e| &e.cursor), Some(&first[3].cursor));
    assert!(store.read_events(&a, None, 10).await.is_ok());

    // Pruning by age: every event older than a minute from now.
    let later = crate::clock::SystemClock.now() + Duration::from_secs(60);
    assert_eq!(store.prune_events(&a, &Prune::OlderThan(later)).await.unwrap(), 3);
    assert!(store.read_events(&a, None, 10).await.unwrap().is_empty());
    let next = manager.create(&a, "User", json!({ "userName": "a6" })).await.unwrap();
    let after_prune = store.read_events(&a, None, 10).await.unwrap();
    assert_eq!(after_prune.len(), 1);
    assert_eq!(after_prune[0].resource_id, next.id());
    assert!(after_prune[0].cursor > first[4].cursor, "cursors keep growing after a prune");
}
