//! A small SCIM client over one keep-alive HTTP/1.1 connection, for the example programs that
//! talk to a running server (`entra_cycle`, `soak`).

use std::io;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;

/// A response: status and JSON body (`Value::Null` when empty).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClientReply {
    /// The status code.
    pub status: StatusCode,
    /// The `ETag` header, if any.
    pub etag: Option<String>,
    /// The body as JSON, or `Value::Null` when empty or not JSON.
    pub body: Value,
}

/// A client of one SCIM service: its base URL (`http://127.0.0.1:8080/scim/v2`) and token.
#[derive(Debug)]
pub struct ScimClient {
    sender: SendRequest<Full<Bytes>>,
    authority: String,
    base_path: String,
    token: String,
}

impl ScimClient {
    /// Connects to the service at `base_url` (plain `http://` only).
    ///
    /// # Errors
    ///
    /// A malformed URL, or the connection failing.
    pub async fn connect(base_url: &str, token: &str) -> io::Result<Self> {
        let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_owned());
        let rest = base_url
            .strip_prefix("http://")
            .ok_or_else(|| invalid("the URL must start with http://"))?;
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let stream = TcpStream::connect(authority).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            http1::handshake(TokioIo::new(stream)).await.map_err(io::Error::other)?;
        tokio::spawn(connection);
        Ok(Self {
            sender,
            authority: authority.to_owned(),
            base_path: format!("/{}", path.trim_matches('/')).trim_end_matches('/').to_owned(),
            token: token.to_owned(),
        })
    }

    /// Sends `method` to `path` (relative to the base URL, already percent-encoded) with an
    /// optional JSON body and extra headers.
    ///
    /// # Errors
    ///
    /// The connection failing.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> io::Result<ClientReply> {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base_path))
            .header("Host", &self.authority)
            .header("Authorization", format!("Bearer {}", self.token));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let bytes = match body {
            Some(body) => {
                request = request.header("Content-Type", "application/scim+json");
                Bytes::from(body.to_string())
            }
            None => Bytes::new(),
        };
        let request = request.body(Full::new(bytes)).map_err(io::Error::other)?;
        self.sender.ready().await.map_err(io::Error::other)?;
        let response = self.sender.send_request(request).await.map_err(io::Error::other)?;
        let status = response.status();
        let etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = response.into_body().collect().await.map_err(io::Error::other)?.to_bytes();
        let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
        Ok(ClientReply { status, etag, body })
    }
}
