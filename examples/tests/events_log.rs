//! The example server's `--events-log FILE`, run as the real program: the lines it writes, on
//! the in-memory store and on PostgreSQL, across a SIGKILL and a restart, and from two
//! processes on one database.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and their helpers: a failed expectation is a failed test"
)]

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use scimkit_examples::ScimClient;
use serde_json::{Value, json};

const TOKEN: &str = "events-log-token";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// The example server program `cargo test` built beside this test.
fn server_program() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    dir.join("examples").join(format!("server{}", std::env::consts::EXE_SUFFIX))
}

/// A running example server.
struct Server {
    child: Child,
    base_url: String,
}

impl Server {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(server_program())
            .args(["--bind", "127.0.0.1:0", "--token", TOKEN])
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", server_program().display()));
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("SCIM 2.0 base URL: ") {
                    let _ = tx.send(url.trim().to_owned());
                }
            }
        });
        let base_url = rx.recv_timeout(Duration::from_secs(30)).expect("the server did not start");
        Self { child, base_url }
    }

    async fn client(&self) -> ScimClient {
        ScimClient::connect(&self.base_url, TOKEN).await.unwrap()
    }

    /// SIGKILL: no shutdown, no flush beyond what was already written.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_log(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// Waits until the log has at least `lines` lines.
async fn wait_for_lines(path: &Path, lines: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let log = read_log(path);
        if log.len() >= lines || Instant::now() > deadline {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn temp_log(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{name}-{}.jsonl", uuid::Uuid::new_v4().simple()))
}

#[tokio::test]
async fn the_events_log_has_one_line_per_change_in_feed_order() {
    let path = temp_log("memory-events");
    let server = Server::start(&["--events-log", path.to_str().unwrap()]);
    let mut client = server.client().await;
    let user = json!({ "schemas": [USER], "userName": "ann", "externalId": "e-1", "active": true,
                       "password": "never-in-the-log" });
    let created = client.send(Method::POST, "/Users", Some(&user), &[]).await.unwrap();
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let off = json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                      "Operations": [{ "op": "Replace", "path": "active", "value": "False" }] });
    let patched =
        client.send(Method::PATCH, &format!("/Users/{id}"), Some(&off), &[]).await.unwrap();
    let deleted = client.send(Method::DELETE, &format!("/Users/{id}"), None, &[]).await.unwrap();
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);

    let log = wait_for_lines(&path, 3).await;
    assert_eq!(log.len(), 3, "{log:#?}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("never-in-the-log"));
    for line in &log {
        assert_eq!(line["tenant"], "default");
        assert_eq!(line["resourceType"], "User");
        assert_eq!(line["id"], id.as_str());
        assert_eq!(line["principal"], "example client");
        assert_eq!(line["set"]["iss"], server.base_url.as_str());
        assert_eq!(line["set"]["sub_id"]["format"], "scim");
        assert_eq!(line["set"]["sub_id"]["uri"], format!("/Users/{id}"));
        assert_eq!(line["set"]["sub_id"]["externalId"], "e-1");
        assert!(line["set"]["jti"].as_str().is_some_and(|j| !j.is_empty()));
    }
    let cursors: Vec<&str> = log.iter().map(|l| l["cursor"].as_str().unwrap()).collect();
    assert!(cursors.windows(2).all(|w| w[0] < w[1]), "cursors sort in feed order: {cursors:?}");
    assert_eq!(log[0]["version"].as_str(), created.etag.as_deref());
    assert_eq!(log[1]["version"].as_str(), patched.etag.as_deref());
    assert!(log[2].get("version").is_none(), "no version after a delete");
    assert_eq!(log[0]["kinds"], json!(["urn:ietf:params:scim:event:prov:create:notice"]));
    assert_eq!(
        log[1]["kinds"],
        json!([
            "urn:ietf:params:scim:event:prov:patch:notice",
            "urn:ietf:params:scim:event:prov:deactivate"
        ])
    );
    assert_eq!(log[2]["kinds"], json!(["urn:ietf:params:scim:event:prov:delete"]));
    drop(server);
    let _ = std::fs::remove_file(&path);
}

/// The PostgreSQL URL for these tests with a fresh schema as search path, and the schema.
async fn postgres_schema() -> Option<(String, String)> {
    let url = std::env::var("SCIM_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())?;
    let schema = format!("scim_events_log_{}", uuid::Uuid::new_v4().simple());
    let (client, connection) = scimkit_store_postgres::tokio_postgres::connect(
        &url,
        scimkit_store_postgres::tokio_postgres::NoTls,
    )
    .await
    .unwrap_or_else(|e| panic!("SCIM_TEST_POSTGRES_URL is set but unreachable: {e}"));
    tokio::spawn(connection);
    client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.unwrap();
    let options = format!("options=-c%20search_path%3D{schema}");
    let sep = if url.contains('?') { '&' } else { '?' };
    Some((format!("{url}{sep}{options}"), schema))
}

async fn drop_schema(schema: &str) {
    let url = std::env::var("SCIM_TEST_POSTGRES_URL").unwrap();
    let (client, connection) = scimkit_store_postgres::tokio_postgres::connect(
        &url,
        scimkit_store_postgres::tokio_postgres::NoTls,
    )
    .await
    .unwrap();
    tokio::spawn(connection);
    client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).await.unwrap();
}

/// Creates users until told to stop; returns the ids and versions acknowledged.
async fn write_load(
    base_url: String,
    tag: &'static str,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Vec<(String, String)> {
    let mut client = ScimClient::connect(&base_url, TOKEN).await.unwrap();
    let mut acknowledged = Vec::new();
    for n in 0.. {
        if *stop.borrow() {
            break;
        }
        let user = json!({ "schemas": [USER], "userName": format!("{tag}-{n}") });
        match client.send(Method::POST, "/Users", Some(&user), &[]).await {
            Ok(reply) if reply.status == StatusCode::CREATED => acknowledged.push((
                reply.body["id"].as_str().unwrap().to_owned(),
                reply.etag.unwrap_or_default(),
            )),
            Ok(reply) => panic!("unexpected {}: {}", reply.status, reply.body),
            // The server was killed under us.
            Err(_) => break,
        }
    }
    acknowledged
}

/// Each event once (a repeat only with its `jti`), in cursor order, with no gap.
fn assert_whole_feed(log: &[Value]) -> Vec<Value> {
    let mut by_cursor: HashMap<String, String> = HashMap::new();
    let mut unique = Vec::new();
    for line in log {
        let cursor = line["cursor"].as_str().unwrap().to_owned();
        let jti = line["set"]["jti"].as_str().unwrap().to_owned();
        match by_cursor.get(&cursor) {
            Some(seen) => assert_eq!(seen, &jti, "a repeated line repeats its jti"),
            None => {
                by_cursor.insert(cursor, jti);
                unique.push(line.clone());
            }
        }
    }
    let cursors: Vec<u64> =
        unique.iter().map(|l| l["cursor"].as_str().unwrap().parse().unwrap()).collect();
    let expected: Vec<u64> = (1..=cursors.len() as u64).collect();
    assert_eq!(cursors, expected, "every event of the feed, in order, once");
    unique
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_killed_server_resumes_its_log_and_loses_no_event() {
    let Some((url, schema)) = postgres_schema().await else { return };
    let path = temp_log("postgres-events");
    let log_arg = path.to_str().unwrap().to_owned();

    let server = Server::start(&["--store", &url, "--events-log", &log_arg]);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let load = tokio::spawn(write_load(server.base_url.clone(), "before", stopped));
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.kill();
    let _ = stop.send(true);
    let before = load.await.unwrap();
    assert!(!before.is_empty(), "the load made no write before the kill");

    let server = Server::start(&["--store", &url, "--events-log", &log_arg]);
    let mut client = server.client().await;
    let after = client
        .send(Method::POST, "/Users", Some(&json!({ "schemas": [USER], "userName": "after" })), &[])
        .await
        .unwrap();
    assert_eq!(after.status, StatusCode::CREATED);
    // Every user in the store, whether or not its creation was acknowledged before the kill,
    // read page by page (a page holds at most `maxResults`).
    let mut stored: HashSet<String> = HashSet::new();
    loop {
        let page = format!("/Users?attributes=id&startIndex={}&count=200", stored.len() + 1);
        let listed = client.send(Method::GET, &page, None, &[]).await.unwrap();
        let resources = listed.body["Resources"].as_array().unwrap();
        if resources.is_empty() {
            break;
        }
        stored.extend(resources.iter().map(|r| r["id"].as_str().unwrap().to_owned()));
    }
    assert!(stored.len() > before.len(), "the acknowledged users and the one after the restart");

    let log = wait_for_lines(&path, stored.len()).await;
    let unique = assert_whole_feed(&log);
    let logged: HashMap<&str, &str> = unique
        .iter()
        .map(|l| (l["id"].as_str().unwrap(), l["version"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(unique.len(), stored.len(), "one create event per stored user");
    for id in &stored {
        assert!(logged.contains_key(id.as_str()), "user {id} is stored but has no event");
    }
    for (id, etag) in &before {
        assert_eq!(logged.get(id.as_str()).copied(), Some(etag.as_str()), "acknowledged {id}");
    }
    drop(server);
    let _ = std::fs::remove_file(&path);
    drop_schema(&schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_two_servers_write_the_same_feed_in_the_same_order() {
    let Some((url, schema)) = postgres_schema().await else { return };
    let (path_a, path_b) = (temp_log("replica-a"), temp_log("replica-b"));
    let a = Server::start(&["--store", &url, "--events-log", path_a.to_str().unwrap()]);
    let b = Server::start(&["--store", &url, "--events-log", path_b.to_str().unwrap()]);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let loads = [
        tokio::spawn(write_load(a.base_url.clone(), "a", stopped.clone())),
        tokio::spawn(write_load(b.base_url.clone(), "b", stopped)),
    ];
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _ = stop.send(true);
    let mut written = 0;
    for load in loads {
        written += load.await.unwrap().len();
    }
    let log_a = wait_for_lines(&path_a, written).await;
    let log_b = wait_for_lines(&path_b, written).await;
    assert_eq!(log_a.len(), written, "one line per acknowledged create");
    let order = |log: &[Value]| -> Vec<(String, String)> {
        log.iter()
            .map(|l| {
                (
                    l["cursor"].as_str().unwrap().to_owned(),
                    l["set"]["jti"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(order(&log_a), order(&log_b), "both files hold the same feed in the same order");
    assert_whole_feed(&log_a);
    drop((a, b));
    let _ = std::fs::remove_file(&path_a);
    let _ = std::fs::remove_file(&path_b);
    drop_schema(&schema).await;
}

#[test]
fn the_provisioning_app_revokes_sessions_on_deactivate_and_delete() {
    let program = server_program()
        .with_file_name(format!("provisioning_app{}", std::env::consts::EXE_SUFFIX));
    let output =
        Command::new(&program).output().unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("deactivated") && text.contains("revoked 2 session(s)"), "{text}");
    assert!(text.contains("deleted") && text.contains("revoked 1 session(s)"), "{text}");
    assert!(text.contains("sessions left: 0, seats in use: 0"), "{text}");
}
