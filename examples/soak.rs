//! A bounded soak of a running SCIM server over loopback: many mixed requests from concurrent
//! keep-alive connections, checked against an oracle of what each write should have left, then
//! a final check that every write is there. Optionally samples the server's resident memory.
//!
//! ```sh
//! cargo run --release --example server -- --token s3cret &
//! cargo run --release --example soak -- --url http://127.0.0.1:8080/scim/v2 --token s3cret \
//!     --requests 1000000 --connections 32 --server-pid $!
//! ```
//!
//! Each connection owns its own users (so the oracle is exact) and sends, in a fixed mix: GET by
//! `userName eq` filter (checking the user's state), GET by id, PATCH of `title` (with
//! `If-Match`), PUT, list pages, create, and delete. Any 5xx, any unexpected status, or any
//! state that differs from the oracle fails the run. It stops after `--requests` requests or
//! `--seconds` seconds, whichever comes first.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use scimkit_examples::ScimClient;
use serde_json::{Value, json};

/// What the oracle expects of one user.
#[derive(Clone, Debug)]
struct Expected {
    id: String,
    title: u64,
}

struct Options {
    url: String,
    token: String,
    requests: u64,
    connections: usize,
    seconds: u64,
    server_pid: Option<u32>,
}

fn parse() -> Result<Options, String> {
    let mut options = Options {
        url: "http://127.0.0.1:8080/scim/v2".to_owned(),
        token: std::env::var("SCIM_TOKEN").unwrap_or_default(),
        requests: 1_000_000,
        connections: 32,
        seconds: 600,
        server_pid: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        let number =
            |text: String| text.parse::<u64>().map_err(|_| format!("not a number: {text}"));
        match arg.as_str() {
            "--url" => options.url = value()?,
            "--token" => options.token = value()?,
            "--requests" => options.requests = number(value()?)?,
            "--connections" => options.connections = number(value()?)?.clamp(1, 1024) as usize,
            "--seconds" => options.seconds = number(value()?)?,
            "--server-pid" => options.server_pid = Some(number(value()?)? as u32),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if options.token.is_empty() {
        return Err("a token is needed (--token or SCIM_TOKEN)".to_owned());
    }
    Ok(options)
}

/// A small deterministic generator, one per connection.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Shared {
    sent: AtomicU64,
    limit: u64,
    deadline: Instant,
    stop: AtomicBool,
}

impl Shared {
    /// Takes a request from the budget; false once the budget or the time is spent.
    fn take(&self) -> bool {
        !self.stop.load(Ordering::Relaxed)
            && Instant::now() < self.deadline
            && self.sent.fetch_add(1, Ordering::Relaxed) < self.limit
    }
}

fn expect(
    reply_status: StatusCode,
    want: StatusCode,
    what: &str,
    body: &Value,
) -> Result<(), String> {
    if reply_status == want {
        Ok(())
    } else {
        Err(format!("{what}: got {reply_status}, want {want}: {body}"))
    }
}

/// One connection's share of the work; returns its oracle.
async fn worker(
    n: usize,
    options: Arc<Options>,
    shared: Arc<Shared>,
) -> Result<BTreeMap<String, Option<Expected>>, String> {
    let mut client =
        ScimClient::connect(&options.url, &options.token).await.map_err(|e| e.to_string())?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (n as u64 + 1).wrapping_mul(0x2545_f491_4f6c_dd1d));
    // userName -> expected state (None once deleted).
    let mut oracle: BTreeMap<String, Option<Expected>> = BTreeMap::new();
    let mut created = 0u64;
    let io = |e: std::io::Error| e.to_string();
    while shared.take() {
        let live: Vec<&String> =
            oracle.iter().filter(|(_, e)| e.is_some()).map(|(k, _)| k).collect();
        let roll = rng.below(100);
        if live.len() < 5 || roll < 5 {
            let name = format!("soak-{n}-{created}");
            created += 1;
            let body = json!({ "userName": name, "title": "0", "active": true });
            let reply = client.send(Method::POST, "/Users", Some(&body), &[]).await.map_err(io)?;
            expect(reply.status, StatusCode::CREATED, "create", &reply.body)?;
            let id = reply.body["id"].as_str().ok_or("create: no id")?.to_owned();
            oracle.insert(name, Some(Expected { id, title: 0 }));
            continue;
        }
        let name = live[rng.below(live.len() as u64) as usize].clone();
        let Some(Some(expected)) = oracle.get(&name).cloned() else { continue };
        let path = format!("/Users/{}", expected.id);
        match roll {
            5..=54 => {
                let reply = client
                    .send(
                        Method::GET,
                        &format!("/Users?filter=userName+eq+%22{name}%22"),
                        None,
                        &[],
                    )
                    .await
                    .map_err(io)?;
                expect(reply.status, StatusCode::OK, "filter", &reply.body)?;
                let found = &reply.body["Resources"][0];
                if reply.body["totalResults"] != 1 || title_of(found) != Some(expected.title) {
                    return Err(format!(
                        "filter {name}: the oracle expects title {}: {}",
                        expected.title, reply.body
                    ));
                }
            }
            55..=69 => {
                let reply = client.send(Method::GET, &path, None, &[]).await.map_err(io)?;
                expect(reply.status, StatusCode::OK, "get", &reply.body)?;
            }
            70..=84 => {
                // Read the version, then PATCH with If-Match; a 412 would mean a lost race, which
                // cannot happen here (each user has one writer), so it fails the run.
                let current = client.send(Method::GET, &path, None, &[]).await.map_err(io)?;
                let etag = current.etag.clone().ok_or("get: no ETag")?;
                let title = expected.title + 1;
                let body = json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{ "op": "Replace", "path": "title", "value": title.to_string() }]
                });
                let reply = client
                    .send(Method::PATCH, &path, Some(&body), &[("If-Match", etag.as_str())])
                    .await
                    .map_err(io)?;
                expect(reply.status, StatusCode::OK, "patch", &reply.body)?;
                oracle.insert(name, Some(Expected { title, ..expected }));
            }
            85..=89 => {
                let title = expected.title + 1;
                let body = json!({ "userName": name, "title": title.to_string(), "active": true });
                let reply = client.send(Method::PUT, &path, Some(&body), &[]).await.map_err(io)?;
                expect(reply.status, StatusCode::OK, "put", &reply.body)?;
                oracle.insert(name, Some(Expected { title, ..expected }));
            }
            90..=94 => {
                let start = rng.below(200) + 1;
                let reply = client
                    .send(Method::GET, &format!("/Users?startIndex={start}&count=10"), None, &[])
                    .await
                    .map_err(io)?;
                expect(reply.status, StatusCode::OK, "list", &reply.body)?;
            }
            _ => {
                let reply = client.send(Method::DELETE, &path, None, &[]).await.map_err(io)?;
                expect(reply.status, StatusCode::NO_CONTENT, "delete", &reply.body)?;
                oracle.insert(name, None);
            }
        }
    }
    Ok(oracle)
}

/// The counter a user's `title` holds.
fn title_of(user: &Value) -> Option<u64> {
    user["title"].as_str()?.parse().ok()
}

/// The server's resident memory in KiB, from /proc (Linux).
fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse() {
        Ok(options) => Arc::new(options),
        Err(error) => {
            eprintln!(
                "error: {error}\nusage: soak --url URL --token TOKEN [--requests N] [--connections C] [--seconds S] [--server-pid PID]"
            );
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let shared = Arc::new(Shared {
        sent: AtomicU64::new(0),
        limit: options.requests,
        deadline: started + Duration::from_secs(options.seconds),
        stop: AtomicBool::new(false),
    });
    let sampler = options.server_pid.map(|pid| {
        let shared = shared.clone();
        tokio::spawn(async move {
            let mut samples = Vec::new();
            while !shared.stop.load(Ordering::Relaxed) {
                if let Some(kib) = resident_kib(pid) {
                    samples.push((shared.sent.load(Ordering::Relaxed), kib));
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            samples
        })
    });
    let workers: Vec<_> = (0..options.connections)
        .map(|n| tokio::spawn(worker(n, options.clone(), shared.clone())))
        .collect();
    let mut oracles = Vec::new();
    let mut failure = None;
    for worker in workers {
        match worker.await {
            Ok(Ok(oracle)) => oracles.push(oracle),
            Ok(Err(error)) => {
                shared.stop.store(true, Ordering::Relaxed);
                failure.get_or_insert(error);
            }
            Err(error) => {
                shared.stop.store(true, Ordering::Relaxed);
                failure.get_or_insert(error.to_string());
            }
        }
    }
    let elapsed = started.elapsed();
    shared.stop.store(true, Ordering::Relaxed);
    let sent = shared.sent.load(Ordering::Relaxed).min(options.requests);
    println!(
        "soak: {sent} requests in {:.1} s: {:.0} requests/s over {} connections",
        elapsed.as_secs_f64(),
        sent as f64 / elapsed.as_secs_f64(),
        options.connections
    );
    if let Some(sampler) = sampler {
        if let Ok(samples) = sampler.await {
            if let (Some(first), Some(last)) = (samples.first(), samples.last()) {
                let peak = samples.iter().map(|s| s.1).max().unwrap_or(0);
                println!(
                    "server memory: {} KiB at start, {} KiB at the end, peak {} KiB ({} samples)",
                    first.1,
                    last.1,
                    peak,
                    samples.len()
                );
            }
        }
    }
    if let Some(error) = failure {
        eprintln!("soak failed: {error}");
        return ExitCode::FAILURE;
    }

    // Every write is there: each live user has the oracle's title, each deleted one is gone.
    let mut client = match ScimClient::connect(&options.url, &options.token).await {
        Ok(client) => client,
        Err(error) => {
            eprintln!("soak failed: cannot reconnect: {error}");
            return ExitCode::FAILURE;
        }
    };
    let (mut live, mut deleted) = (0u64, 0u64);
    for oracle in &oracles {
        for (name, expected) in oracle {
            let reply = match client
                .send(Method::GET, &format!("/Users?filter=userName+eq+%22{name}%22"), None, &[])
                .await
            {
                Ok(reply) => reply,
                Err(error) => {
                    eprintln!("soak failed: verifying {name}: {error}");
                    return ExitCode::FAILURE;
                }
            };
            let found = &reply.body["Resources"][0];
            let ok = match expected {
                Some(e) => {
                    live += 1;
                    reply.body["totalResults"] == 1
                        && found["id"] == e.id.as_str()
                        && title_of(found) == Some(e.title)
                }
                None => {
                    deleted += 1;
                    reply.body["totalResults"] == 0
                }
            };
            if !ok {
                eprintln!(
                    "soak failed: lost write for {name}: expected {expected:?}, found {}",
                    reply.body
                );
                return ExitCode::FAILURE;
            }
        }
    }
    println!("oracle: {live} live users and {deleted} deleted users verified, no write lost");
    println!("soak: 1 passed, 0 failed");
    ExitCode::SUCCESS
}
