//! The serving loop itself: keep-alive, graceful shutdown, and the axum embedding.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and their helpers: a failed expectation is a failed test"
)]

mod support;

use std::time::Duration;

use scimkit_core::ServiceConfig;
use scimkit_core::http::ScimService;
use serde_json::json;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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
