//! Faults on a real PostgreSQL: backends terminated under a write load, the database gone and
//! back, statements and pool waits past their timeouts, and concurrent writers that deadlock.
//! Every request gets a success or a 503 with `Retry-After`, never a 500; the store recovers
//! without a restart; no acknowledged write and no event of one is lost.

#![allow(clippy::unwrap_used, clippy::panic, reason = "test code: a failure is a failed test")]

mod common;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use scimkit_core::event::EventKind;
use scimkit_core::http::{BearerTokens, Principal, ScimService};
use scimkit_core::{ResourceManager, ResourceStore};
use scimkit_store_postgres::{ConnectOptions, PostgresStore};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

const TENANT: &str = "tenant-1";

fn service(store: PostgresStore) -> ScimService {
    let manager = ResourceManager::builder(Arc::new(store)).build().unwrap();
    let tokens = BearerTokens::new().with_token("t1", Principal::new(TENANT, "one"));
    ScimService::builder(manager, tokens).build()
}

struct Answer {
    status: u16,
    retry_after: Option<String>,
    body: Value,
}

async fn call(service: &ScimService, method: &str, path: &str, body: Option<Value>) -> Answer {
    let request = http::Request::builder()
        .method(method)
        .uri(path)
        .header("Authorization", "Bearer t1")
        .header("Content-Type", "application/scim+json")
        .body(body.map(|b| b.to_string().into_bytes()).unwrap_or_default())
        .unwrap();
    let response = service.handle(request).await;
    let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    let status = response.status().as_u16();
    let body = if response.body().is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(response.body()).unwrap()
    };
    Answer { status, retry_after, body }
}

/// A 503 must say when to come back, and in the RFC's error form.
fn assert_unavailable(answer: &Answer) {
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert_eq!(answer.retry_after.as_deref(), Some("1"));
    assert_eq!(answer.body["status"], "503");
    assert_eq!(answer.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
}

fn user(name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": name,
        "displayName": "before",
    })
}

fn rename(to: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "replace", "path": "displayName", "value": to }],
    })
}

/// Polls until `service` creates a user again, up to 10 seconds: the store must recover by
/// itself.
async fn recovers(service: &ScimService, name: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let answer = call(service, "POST", "/Users", Some(user(name))).await;
        match answer.status {
            201 => return,
            503 => assert_unavailable(&answer),
            other => panic!("a create answered {other} while recovering: {}", answer.body),
        }
        assert!(tokio::time::Instant::now() < deadline, "the store did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backends_terminated_under_a_write_load_lose_no_acknowledged_write_or_event() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let application = format!("scim-faults-{}", uuid::Uuid::new_v4().simple());
    let store = PostgresStore::connect_with(
        &db.url_via(db.address(), &application),
        &ConnectOptions::default(),
    )
    .await
    .unwrap();
    let service = Arc::new(service(store.clone()));

    let writing = Arc::new(AtomicBool::new(true));
    let killed = Arc::new(AtomicU64::new(0));
    let killer = {
        let (writing, killed) = (writing.clone(), killed.clone());
        let admin = db.connection().await;
        tokio::spawn(async move {
            while writing.load(Ordering::Relaxed) {
                let row = admin
                    .query_one(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                         WHERE application_name = $1",
                        &[&application],
                    )
                    .await
                    .unwrap();
                killed.fetch_add(u64::try_from(row.get::<_, i64>(0)).unwrap(), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
        })
    };

    // Each writer creates users and renames each once; it notes what was acknowledged.
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let service = service.clone();
            tokio::spawn(async move {
                let mut acked = Vec::new();
                for i in 0..40 {
                    let created =
                        call(&service, "POST", "/Users", Some(user(&format!("u{w}-{i}")))).await;
                    match created.status {
                        201 => {}
                        503 => {
                            assert_unavailable(&created);
                            continue;
                        }
                        other => panic!("a create answered {other}: {}", created.body),
                    }
                    let id = created.body["id"].as_str().unwrap().to_owned();
                    let path = format!("/Users/{id}");
                    let renamed = call(&service, "PATCH", &path, Some(rename("after"))).await;
                    let renamed = match renamed.status {
                        200 | 204 => true,
                        503 => {
                            assert_unavailable(&renamed);
                            false
                        }
                        other => panic!("a PATCH answered {other}: {}", renamed.body),
                    };
                    acked.push((id, renamed));
                }
                acked
            }) as JoinHandle<Vec<(String, bool)>>
        })
        .collect();
    let mut acked = Vec::new();
    for writer in writers {
        acked.extend(writer.await.unwrap());
    }
    writing.store(false, Ordering::Relaxed);
    killer.await.unwrap();
    assert!(killed.load(Ordering::Relaxed) > 0, "no backend was terminated");
    assert!(!acked.is_empty(), "no create was acknowledged");

    recovers(&service, "after-the-storm").await;
    for (id, renamed) in &acked {
        let got = call(&service, "GET", &format!("/Users/{id}"), None).await;
        assert_eq!(got.status, 200, "an acknowledged create was lost: {}", got.body);
        let name = got.body["displayName"].as_str().unwrap();
        if *renamed {
            assert_eq!(name, "after", "an acknowledged PATCH was lost");
        } else {
            assert!(name == "before" || name == "after", "{name}");
        }
    }
    let events = store.read_events(TENANT, None, 100_000).await.unwrap();
    let created: HashSet<&str> = events
        .iter()
        .filter(|e| e.kinds.contains(&EventKind::Create))
        .map(|e| e.resource_id.as_str())
        .collect();
    let patched: HashSet<&str> = events
        .iter()
        .filter(|e| e.kinds.contains(&EventKind::Patch))
        .map(|e| e.resource_id.as_str())
        .collect();
    for (id, renamed) in &acked {
        assert!(created.contains(id.as_str()), "the create event of {id} was lost");
        if *renamed {
            assert!(patched.contains(id.as_str()), "the PATCH event of {id} was lost");
        }
    }
    println!(
        "{} creates acknowledged, {} backends terminated",
        acked.len(),
        killed.load(Ordering::Relaxed)
    );
    db.drop_schema().await;
}

/// A TCP proxy in front of the database that can be stopped (every connection cut, new ones
/// refused) and started again, as a database server restart looks to its clients.
struct Proxy {
    address: SocketAddr,
    up: Arc<AtomicBool>,
    links: Arc<std::sync::Mutex<Vec<JoinHandle<()>>>>,
    accepting: JoinHandle<()>,
}

impl Proxy {
    async fn new(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let links: Arc<std::sync::Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let accepting = {
            let (up, links) = (up.clone(), links.clone());
            tokio::spawn(async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    if !up.load(Ordering::SeqCst) {
                        continue; // dropped: the connection is refused
                    }
                    let link = tokio::spawn(async move {
                        if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
                    links.lock().unwrap().push(link);
                }
            })
        };
        Self { address, up, links, accepting }
    }

    fn stop(&self) {
        self.up.store(false, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn start(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop();
        self.accepting.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_answers_503_and_the_store_recovers_by_itself() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let proxy = Proxy::new(db.address()).await;
    let options = ConnectOptions::default()
        .with_connect_timeout(Duration::from_millis(500))
        .with_wait_timeout(Duration::from_millis(500));
    let store = PostgresStore::connect_with(&db.url_via(proxy.address, "scim-outage"), &options)
        .await
        .unwrap();
    let service = service(store);
    let created = call(&service, "POST", "/Users", Some(user("kept"))).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let path = format!("/Users/{}", created.body["id"].as_str().unwrap());

    proxy.stop();
    for _ in 0..3 {
        assert_unavailable(&call(&service, "GET", &path, None).await);
        assert_unavailable(&call(&service, "POST", "/Users", Some(user("during"))).await);
        assert_unavailable(
            &call(&service, "GET", "/Users?filter=userName%20eq%20%22kept%22", None).await,
        );
    }

    proxy.start();
    recovers(&service, "after").await;
    let got = call(&service, "GET", &path, None).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.body["userName"], "kept");
    db.drop_schema().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_statement_and_a_saturated_pool_answer_503_in_bounded_time() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let options = ConnectOptions::default()
        .with_max_connections(1)
        .with_statement_timeout(Duration::from_millis(1500))
        .with_wait_timeout(Duration::from_millis(200));
    let store = PostgresStore::connect_with(&db.url_via(db.address(), "scim-timeouts"), &options)
        .await
        .unwrap();
    let service = Arc::new(service(store));
    let created = call(&service, "POST", "/Users", Some(user("locked"))).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/Users/{id}");

    // Another session holds the user's row: the PATCH's UPDATE waits for it.
    let mut holder = db.connection().await;
    let hold = holder.transaction().await.unwrap();
    hold.execute("SELECT 1 FROM scim_resources WHERE id = $1 FOR UPDATE", &[&id]).await.unwrap();

    let started = tokio::time::Instant::now();
    let patch = {
        let (service, path) = (service.clone(), path.clone());
        tokio::spawn(async move { call(&service, "PATCH", &path, Some(rename("x"))).await })
    };
    // While the PATCH holds the pool's only connection, a read waits for it, then gives up.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let waited = call(&service, "GET", &path, None).await;
    assert_unavailable(&waited);
    let patched = patch.await.unwrap();
    assert_unavailable(&patched);
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());

    hold.rollback().await.unwrap();
    let patched = call(&service, "PATCH", &path, Some(rename("x"))).await;
    assert!(matches!(patched.status, 200 | 204), "{}", patched.body);
    db.drop_schema().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_deletes_of_groups_nested_in_each_other_all_succeed() {
    let Some(url) = common::url() else { return };
    let db = common::TestDb::new(&url).await;
    let service = Arc::new(service(db.store().await));
    let group = |name: &str| json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name });
    let add = |id: &str| {
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{ "op": "add", "path": "members", "value": [{ "value": id }] }],
        })
    };
    for round in 0..12 {
        // Three groups in a ring (a ∋ b ∋ c ∋ a) and a user in all three.
        let mut ids = Vec::new();
        for name in ["a", "b", "c"] {
            let created =
                call(&service, "POST", "/Groups", Some(group(&format!("{name}{round}")))).await;
            assert_eq!(created.status, 201, "{}", created.body);
            ids.push(created.body["id"].as_str().unwrap().to_owned());
        }
        let member = call(&service, "POST", "/Users", Some(user(&format!("m{round}")))).await;
        let member = member.body["id"].as_str().unwrap().to_owned();
        for (i, id) in ids.iter().enumerate() {
            let next = &ids[(i + 1) % ids.len()];
            for added in [next, &member] {
                let patched =
                    call(&service, "PATCH", &format!("/Groups/{id}"), Some(add(added))).await;
                assert!(matches!(patched.status, 200 | 204), "{}", patched.body);
            }
        }
        let deletes: Vec<_> = ids
            .iter()
            .map(|id| format!("/Groups/{id}"))
            .chain([format!("/Users/{member}")])
            .map(|path| {
                let service = service.clone();
                tokio::spawn(async move { call(&service, "DELETE", &path, None).await })
            })
            .collect();
        for delete in deletes {
            let deleted = delete.await.unwrap();
            assert_eq!(deleted.status, 204, "round {round}: {}", deleted.body);
        }
    }
    db.drop_schema().await;
}
