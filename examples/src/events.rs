//! Following event feeds: the example server's audit log and its `--events-log` file.

use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use scimkit_core::DynResourceStore;
use scimkit_core::event::{ConsumeError, Event, EventConsumer, SetOptions};
use serde_json::{Map, Value, json};

/// How long a follower waits before opening its consumer again after the store failed.
const RETRY: Duration = Duration::from_secs(1);

/// Hands every event of `tenant`'s feed, in feed order, to `handler`, as the consumer named
/// `consumer` (so a restarted process resumes after its checkpoint), for ever. When the store
/// fails (the database restarts, say), it logs the failure and starts again from the
/// checkpoint a second later; when the handler fails, it returns that error.
///
/// # Errors
///
/// The handler's error, and [`scimkit_core::Error::EventsPruned`] when the feed was pruned
/// past the checkpoint (a gap no retry can fill).
pub async fn follow<F, Fut, E>(
    store: Arc<DynResourceStore>,
    tenant: &str,
    consumer: &str,
    mut handler: F,
) -> Result<(), ConsumeError<E>>
where
    F: FnMut(Event) -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    loop {
        let failure = match EventConsumer::open(store.clone(), tenant, consumer).await {
            Ok(feed) => match feed.run(&mut handler).await {
                Err(ConsumeError::Store(error)) => error,
                other => return other,
            },
            Err(error) => error,
        };
        if let scimkit_core::Error::EventsPruned { .. } = failure {
            return Err(ConsumeError::Store(failure));
        }
        tracing::warn!(%tenant, %consumer, error = %failure, "reading the event feed failed; retrying");
        tokio::time::sleep(RETRY).await;
    }
}

/// Logs each event as one audit line at `INFO` under the target `scimkit_examples::audit`:
/// who (the principal), what (the kinds, the resource, the attributes it changed), when, and
/// through which request. Never a value: the line names attributes only.
pub fn audit_line(event: &Event) {
    let kinds: Vec<String> = event.kinds.iter().map(ToString::to_string).collect();
    tracing::info!(
        target: "scimkit_examples::audit",
        tenant = %event.tenant,
        principal = event.principal.as_deref().unwrap_or("-"),
        kinds = %kinds.join(","),
        resource = %format!("{}/{}", event.resource_type, event.resource_id),
        version = event.version.as_deref().unwrap_or("-"),
        attributes = %event.attributes.join(","),
        members_added = event.members_added.len(),
        members_removed = event.members_removed.len(),
        request = event.request_id.as_deref().unwrap_or("-"),
        time = %event.time,
        "audit"
    );
}

/// One line of an events log: the event's tenant, cursor, resource type, id, version (its
/// ETag; absent after a delete), RFC 9967 event URIs, principal, and the SET claims.
pub fn events_log_line(event: &Event, set: &SetOptions) -> Value {
    let mut line = Map::new();
    line.insert("tenant".to_owned(), json!(event.tenant));
    line.insert("cursor".to_owned(), json!(event.cursor));
    line.insert("resourceType".to_owned(), json!(event.resource_type));
    line.insert("id".to_owned(), json!(event.resource_id));
    if let Some(version) = &event.version {
        line.insert(
            "version".to_owned(),
            json!(scimkit_core::Version::new(version.as_str()).to_etag()),
        );
    }
    line.insert("kinds".to_owned(), json!(event.uris().collect::<Vec<_>>()));
    line.insert("principal".to_owned(), json!(event.principal));
    line.insert("set".to_owned(), event.to_set(set));
    Value::Object(line)
}

/// The consumer name of the events log written to `path`: one per file, the same across
/// restarts, so that two processes writing two files follow the feed independently.
///
/// # Errors
///
/// When the file cannot be created or its path resolved.
pub fn events_log_consumer(path: &Path) -> std::io::Result<String> {
    std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    let path: PathBuf = std::fs::canonicalize(path)?;
    Ok(format!("events-log:{}", path.display()))
}

/// Appends every event of `tenant`'s feed to the file at `path`, one JSON object per line
/// ([`events_log_line`]), flushed per line, resuming after the last line written before a
/// restart (a line repeats, with the same `jti`, only when the process died between writing it
/// and checkpointing it). Each event is also logged as an [`audit_line`].
///
/// # Errors
///
/// When the file cannot be opened or written, or the feed was pruned past the checkpoint.
pub async fn write_events_log(
    store: Arc<DynResourceStore>,
    tenant: &str,
    path: &Path,
    set: SetOptions,
) -> Result<(), ConsumeError<std::io::Error>> {
    let consumer = events_log_consumer(path).map_err(ConsumeError::Handler)?;
    let mut file =
        std::fs::OpenOptions::new().append(true).open(path).map_err(ConsumeError::Handler)?;
    follow(store, tenant, &consumer, |event| {
        audit_line(&event);
        let mut line = events_log_line(&event, &set).to_string();
        line.push('\n');
        let written = file.write_all(line.as_bytes()).and_then(|()| file.flush());
        std::future::ready(written)
    })
    .await
}
