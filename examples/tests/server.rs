//! The serving loop itself: keep-alive, graceful shutdown, and the axum embedding.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and their helpers: a failed expectation is a failed test"
)]

mod support;

use std::time::{Duration, Instant};

use scimkit_core::http::ScimService;
use scimkit_core::{Limits, ServiceConfig};
use scimkit_examples::ServeOptions;
use serde_json::{Value, json};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// How long a test waits for what should happen at once, before failing.
const PROMPTLY: Duration = Duration::from_secs(5);

/// Reads one response with a `Content-Length` off a keep-alive connection.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "connection closed early: {}", String::from_utf8_lossy(&raw));
        raw.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&raw).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_owned())
                })
                .map_or(0, |v| v.parse::<usize>().unwrap());
            if raw.len() >= end + 4 + length {
                return text;
            }
        }
    }
}

#[tokio::test]
async fn keep_alive_serves_several_requests_on_one_connection() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    for _ in 0..3 {
        let request = format!(
            "GET {BASE}/Users?count=0 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let response = read_response(&mut stream).await;
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(response.contains("\"totalResults\":0"), "{response}");
    }
    server.stop().await;
}

#[tokio::test]
async fn shutdown_lets_requests_in_flight_finish() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let addr = server.addr;
    // An idle keep-alive connection does not hold the shutdown up.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET {BASE}/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
    );
    idle.write_all(request.as_bytes()).await.unwrap();
    assert!(read_response(&mut idle).await.starts_with("HTTP/1.1 200"));

    // A request whose body is still on its way when the shutdown starts.
    let body = json!({ "schemas": [USER_URN], "userName": "late" }).to_string();
    let mut in_flight = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {BASE}/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/scim+json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    in_flight.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let stopping = tokio::spawn(server.stop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!stopping.is_finished(), "the shutdown waits for the request in flight");
    // New connections are refused once the listener is closed.
    assert!(TcpStream::connect(addr).await.is_err());

    in_flight.write_all(body.as_bytes()).await.unwrap();
    let response = read_response(&mut in_flight).await;
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    assert!(response.contains("\"userName\":\"late\""), "{response}");
    tokio::time::timeout(Duration::from_secs(5), stopping).await.unwrap().unwrap();
    // The idle connection was closed.
    let mut rest = Vec::new();
    let n = idle.read_to_end(&mut rest).await.unwrap_or(0);
    assert_eq!(n, 0);
}

#[tokio::test]
async fn axum_app_nests_the_service() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let manager = scimkit_core::ResourceManager::builder(std::sync::Arc::new(
        scimkit_store_memory::InMemoryStore::new(),
    ))
    .build()
    .unwrap();
    let service =
        ScimService::builder(manager, tokens()).base_url(&format!("http://{addr}{BASE}")).build();
    let app = scimkit_examples::axum_app(service);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });

    let client = Client { addr, token: Some(TOKEN.to_owned()) };
    let health = client.get("/health").await;
    assert_eq!((health.status, health.body.as_slice()), (200, &b"ok\n"[..]));
    let reply = client.post(&format!("{BASE}/Users"), &json!({ "userName": "axum" })).await;
    let created = reply.expect(201);
    let location = format!("http://{addr}{BASE}/Users/{}", created["id"].as_str().unwrap());
    assert_eq!(reply.header("location"), Some(location.as_str()));
    assert_eq!(created["meta"]["location"], location);
    let list = client.get(&format!("{BASE}/Users?filter=userName%20eq%20%22axum%22")).await;
    assert_eq!(list.expect(200)["totalResults"], 1);
    Client::anonymous(addr).get(&format!("{BASE}/Users")).await.expect_error(401, None);

    tx.send(()).unwrap();
    task.await.unwrap().unwrap();
}

/// A response read by [`read_response`]: its status, headers (names in lower case) and body.
fn split(response: &str) -> (u16, Vec<(String, String)>, &str) {
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body)
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// Asserts an RFC 7644 error body with `status`; returns it.
#[track_caller]
fn error_body(body: &str, status: u16) -> Value {
    let body: Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["schemas"][0], ERROR_URN, "{body}");
    assert_eq!(body["status"], status.to_string(), "{body}");
    body
}

/// Whether the server closes `stream` (end of stream, or a reset) within `limit`, reading and
/// dropping whatever else arrives.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let closed = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(limit, closed).await.is_ok()
}

fn get_users() -> String {
    format!(
        "GET {BASE}/Users?count=0 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
    )
}

/// A request without valid credentials is answered from its head, with `Connection: close`:
/// the megabyte it announces and never sends does not hold the 401 up (the body timeout is the
/// default 30 s), and is never read.
#[tokio::test]
async fn unauthenticated_requests_are_refused_before_their_bodies() {
    let server = TestServer::start(service(ServiceConfig::default())).await;
    let length = Limits::default().max_body_bytes;
    for extra in ["", "Authorization: Bearer wrong-token\r\n", "Expect: 100-continue\r\n"] {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        let head = format!(
            "POST {BASE}/Users HTTP/1.1\r\nHost: localhost\r\n{extra}\
             Content-Type: application/scim+json\r\nContent-Length: {length}\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let response = tokio::time::timeout(PROMPTLY, read_response(&mut stream))
            .await
            .unwrap_or_else(|_| panic!("no answer without the body ({extra:?})"));
        // The first response is the 401: not a `100 Continue` asking for the body.
        let (status, headers, body) = split(&response);
        assert_eq!(status, 401, "{response}");
        assert_eq!(header(&headers, "www-authenticate"), Some("Bearer realm=\"SCIM\""));
        assert_eq!(header(&headers, "content-type"), Some("application/scim+json"));
        assert_eq!(header(&headers, "connection"), Some("close"), "{response}");
        error_body(body, 401);
        assert!(closed_within(&mut stream, PROMPTLY).await, "the connection is closed");
    }
    // Nothing was created, and an unauthenticated request without a body keeps its connection.
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    for request in [format!("GET {BASE}/Users HTTP/1.1\r\nHost: localhost\r\n\r\n"), get_users()] {
        stream.write_all(request.as_bytes()).await.unwrap();
        let response = tokio::time::timeout(PROMPTLY, read_response(&mut stream)).await.unwrap();
        let (status, headers, body) = split(&response);
        assert_eq!(header(&headers, "connection"), None, "{response}");
        if status == 200 {
            assert_eq!(serde_json::from_str::<Value>(body).unwrap()["totalResults"], 0);
        } else {
            assert_eq!(status, 401, "{response}");
        }
    }
    server.stop().await;
}

/// A body that stops arriving is answered 408, with an RFC 7644 error body, once the body
/// timeout has passed (not before), and its connection is closed; nothing is created.
#[tokio::test]
async fn a_stalled_body_is_answered_408_after_the_body_timeout() {
    let body_timeout = Duration::from_millis(200);
    let mut options = ServeOptions::default();
    options.body_timeout = body_timeout;
    let server = TestServer::start_with(service(ServiceConfig::default()), options).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST {BASE}/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/scim+json\r\nContent-Length: 100\r\n\r\n{{\"schemas\""
    );
    let started = Instant::now();
    stream.write_all(head.as_bytes()).await.unwrap();
    let response = tokio::time::timeout(PROMPTLY, read_response(&mut stream))
        .await
        .expect("the stalled body was not timed out");
    assert!(started.elapsed() >= body_timeout, "answered after {:?}", started.elapsed());
    let (status, headers, body) = split(&response);
    assert_eq!(status, 408, "{response}");
    assert_eq!(header(&headers, "connection"), Some("close"));
    let body = error_body(body, 408);
    assert!(body["detail"].as_str().unwrap().contains("200ms"), "{body}");
    assert!(closed_within(&mut stream, PROMPTLY).await, "the connection is closed");

    let list = server.client(TOKEN).get(&format!("{BASE}/Users")).await;
    assert_eq!(list.expect(200)["totalResults"], 0);
    server.stop().await;
}

/// With two connections allowed, a third is accepted by the operating system but not served
/// while both are open, and is served as soon as one of them closes.
#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let mut options = ServeOptions::default();
    options.max_connections = 2;
    let server = TestServer::start_with(service(ServiceConfig::default()), options).await;
    let request = get_users();
    let mut open = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let response = tokio::time::timeout(PROMPTLY, read_response(&mut stream)).await.unwrap();
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        open.push(stream);
    }

    let mut third = TcpStream::connect(server.addr).await.unwrap();
    third.write_all(request.as_bytes()).await.unwrap();
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(300), third.read(&mut byte)).await;
    assert!(early.is_err(), "the third connection was served while two were open: {early:?}");

    drop(open.remove(0));
    let response = tokio::time::timeout(PROMPTLY, read_response(&mut third))
        .await
        .expect("the third connection is served once one closes");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    // The connection that stayed open still works.
    open[0].write_all(request.as_bytes()).await.unwrap();
    let response = tokio::time::timeout(PROMPTLY, read_response(&mut open[0])).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    server.stop().await;
}

/// A client that sends requests and never reads the responses: once the buffers between are
/// full, the server's write makes no progress, and after the write timeout the server closes
/// the connection (so the client's own writes fail).
#[tokio::test]
async fn a_client_that_stops_reading_loses_its_connection() {
    let mut options = ServeOptions::default();
    options.write_timeout = Duration::from_millis(200);
    let server = TestServer::start_with(service(ServiceConfig::default()), options).await;
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(server.addr).await.unwrap();
    let request = format!("GET {BASE}/Schemas HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let mut sent = 0usize;
    let failed = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Err(error) = stream.write_all(request.as_bytes()).await {
                return error;
            }
            sent += 1;
        }
    })
    .await
    .expect("the server kept a connection whose client stopped reading");
    assert!(
        matches!(
            failed.kind(),
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
        ),
        "{failed} after {sent} requests"
    );
    // Other clients are served as before.
    let spc = server.client(TOKEN).get(&format!("{BASE}/ServiceProviderConfig")).await;
    spc.expect(200);
    server.stop().await;
}

/// One connection used for longer than every timeout, with pauses longer than the body and
/// write timeouts between its requests: none of them cuts it.
#[tokio::test]
async fn a_busy_keep_alive_connection_outlives_the_timeouts() {
    let mut options = ServeOptions::default();
    options.body_timeout = Duration::from_millis(200);
    options.write_timeout = Duration::from_millis(200);
    options.header_timeout = Duration::from_millis(1000);
    let server = TestServer::start_with(service(ServiceConfig::default()), options).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let started = Instant::now();
    for round in 0..6 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let body = json!({ "schemas": [USER_URN], "userName": format!("user{round}") }).to_string();
        let request = format!(
            "POST {BASE}/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {TOKEN}\r\n\
             Content-Type: application/scim+json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let response = tokio::time::timeout(PROMPTLY, read_response(&mut stream)).await.unwrap();
        assert!(response.starts_with("HTTP/1.1 201"), "round {round}: {response}");
    }
    assert!(started.elapsed() > Duration::from_millis(1500));
    server.stop().await;
}

/// The header timeout also closes a keep-alive connection left idle that long.
#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let header_timeout = Duration::from_millis(300);
    let mut options = ServeOptions::default();
    options.header_timeout = header_timeout;
    let server = TestServer::start_with(service(ServiceConfig::default()), options).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream.write_all(get_users().as_bytes()).await.unwrap();
    let response = tokio::time::timeout(PROMPTLY, read_response(&mut stream)).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let idle = Instant::now();
    assert!(closed_within(&mut stream, PROMPTLY).await, "the idle connection was kept");
    assert!(idle.elapsed() >= header_timeout - Duration::from_millis(50), "{:?}", idle.elapsed());
    server.stop().await;
}
