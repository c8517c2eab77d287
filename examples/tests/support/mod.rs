//! A server on an ephemeral port and a tiny HTTP/1.1 client over raw TCP, for the tests.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failure here is a failed test"
)]

use std::net::SocketAddr;

use scimkit_core::ServiceConfig;
use scimkit_core::http::{BearerTokens, Principal, ScimService, Tenancy};
use scimkit_examples::ServeOptions;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const TOKEN: &str = "token-acme";
pub const OTHER_TOKEN: &str = "token-globex";
pub const BASE: &str = "/scim/v2";
pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const PATCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// Two tokens for two tenants: `acme` and `globex`.
pub fn tokens() -> BearerTokens {
    BearerTokens::new()
        .with_token(TOKEN, Principal::new("acme", "Entra ID for Acme"))
        .with_token(OTHER_TOKEN, Principal::new("globex", "Okta for Globex"))
}

/// The example server's service (two tenants by token) with `config`.
pub fn service(config: ServiceConfig) -> ScimService {
    scimkit_examples::in_memory_service(tokens(), BASE, Tenancy::ByPrincipal, config).unwrap()
}

/// A running server; shut it down with [`TestServer::stop`].
pub struct TestServer {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    /// Serves `service` on 127.0.0.1 on a port of the system's choosing.
    pub async fn start(service: ScimService) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(scimkit_examples::serve(listener, service, async {
            let _ = rx.await;
        }));
        Self { addr, shutdown: Some(tx), task }
    }

    /// Serves `service` as [`TestServer::start`] does, under `options`.
    pub async fn start_with(service: ScimService, options: ServeOptions) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(scimkit_examples::serve_with(listener, service, options, async {
            let _ = rx.await;
        }));
        Self { addr, shutdown: Some(tx), task }
    }

    /// A client of this server with `token`.
    pub fn client(&self, token: &str) -> Client {
        Client { addr: self.addr, token: Some(token.to_owned()) }
    }

    /// Starts the graceful shutdown and waits for the server to return.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task.await.unwrap().unwrap();
    }
}

/// A response as read off the wire.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    /// Asserts the status, and that a body (if any) is SCIM JSON; returns the body as JSON (or
    /// null when empty).
    #[track_caller]
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(
            self.status,
            status,
            "unexpected status; body: {}",
            String::from_utf8_lossy(&self.body)
        );
        if self.body.is_empty() {
            return Value::Null;
        }
        assert_eq!(self.header("content-type"), Some("application/scim+json"));
        self.json()
    }

    /// Asserts an RFC 7644 error response with `status` (and `scim_type`, if given); returns
    /// its body.
    #[track_caller]
    pub fn expect_error(&self, status: u16, scim_type: Option<&str>) -> Value {
        let body = self.expect(status);
        assert_eq!(body["schemas"][0], ERROR_URN, "{body}");
        assert_eq!(body["status"], status.to_string(), "status is a string: {body}");
        if let Some(scim_type) = scim_type {
            assert_eq!(body["scimType"], scim_type, "{body}");
        }
        body
    }
}

/// A tiny HTTP/1.1 client: one connection per request (`Connection: close`).
#[derive(Clone, Debug)]
pub struct Client {
    pub addr: SocketAddr,
    pub token: Option<String>,
}

impl Client {
    /// A client without credentials.
    pub fn anonymous(addr: SocketAddr) -> Self {
        Self { addr, token: None }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, &[], None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send_json("POST", path, body, &[]).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.send_json("PUT", path, body, &[]).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        self.send_json("PATCH", path, body, &[]).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send("DELETE", path, &[], None).await
    }

    /// A request with a JSON body in `application/scim+json` and extra headers.
    pub async fn send_json(
        &self,
        method: &str,
        path: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut all = vec![("Content-Type", "application/scim+json")];
        all.extend_from_slice(headers);
        self.send(method, path, &all, Some(body.to_string().as_bytes())).await
    }

    /// Any request: `path` is sent as is (already encoded), with the bearer token if any.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Reply {
        let mut head =
            format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", self.addr);
        if let Some(token) = &self.token {
            head.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(body) = body {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut request = head.into_bytes();
        request.extend_from_slice(body.unwrap_or_default());

        let stream = TcpStream::connect(self.addr).await.unwrap();
        let (mut reader, mut writer) = stream.into_split();
        // Write and read at once: the server may answer (413) before it has read the body.
        let write = tokio::spawn(async move {
            let _ = writer.write_all(&request).await;
            writer
        });
        let mut raw = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => raw.extend_from_slice(&buf[..n]),
                // A reset after the response arrived (the server closed with unread input).
                Err(_) if !raw.is_empty() => break,
                Err(e) => panic!("reading the response: {e}"),
            }
        }
        drop(write.await);
        parse_response(&raw, method == "HEAD")
    }
}

fn parse_response(raw: &[u8], head_request: bool) -> Reply {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response head");
    let head = std::str::from_utf8(&raw[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let no_body = head_request || matches!(status, 204 | 304);
    if let Some(length) = headers.iter().find(|(n, _)| n == "content-length").filter(|_| !no_body) {
        let length: usize = length.1.parse().unwrap();
        assert!(body.len() >= length, "truncated body: {} of {length} bytes", body.len());
        body.truncate(length);
    }
    Reply { status, headers, body }
}
