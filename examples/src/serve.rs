//! Serving a [`ScimService`] over HTTP/1.1 with hyper and tokio: one task per connection,
//! keep-alive, one log line per request, and a graceful shutdown, under limits that bound what
//! a client (above all an unauthenticated one) can hold:
//!
//! - **Heads first.** Each request's head is checked with [`ScimService::check_head`] before
//!   its body is read: a request refused whatever its body (without valid credentials, or for
//!   a path the service does not serve) is answered at once, with `Connection: close`, and its
//!   body is never read. Only authenticated requests and the discovery endpoints get their
//!   bodies read, up to the service's `Limits::max_body_bytes` (413 beyond, at once when the
//!   `Content-Length` is already too large).
//! - **Time limits.** A request's head must arrive within [`ServeOptions::header_timeout`]
//!   (which also closes keep-alive connections idle that long), its body within
//!   [`ServeOptions::body_timeout`] (408 Request Timeout after it, and the connection is
//!   closed), and a write of the response may wait at most [`ServeOptions::write_timeout`]
//!   without progress (the connection is closed after it). None of them cuts a connection that
//!   keeps making progress, however long it lives.
//! - **Connections.** At most [`ServeOptions::max_connections`] are served at once. When all
//!   are open, the server stops accepting: new connections wait in the listener's backlog
//!   (the operating system's queue, which refuses connections when it is full) until one
//!   closes.
//!
//! [`serve`] runs with the defaults; [`serve_with`] takes [`ServeOptions`].

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Body;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use scimkit_core::http::{SCIM_MEDIA_TYPE, ScimService};
use scimkit_core::{Error, ErrorResponse};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::Sleep;

/// How often, at most, the server warns that every connection slot is taken.
const FULL_WARNING_INTERVAL: Duration = Duration::from_secs(60);

/// The limits [`serve_with`] serves connections under: how many at once, and how long each
/// step of a request may take.
///
/// The fields are public: start from [`ServeOptions::default`] and change what you need.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let mut options = scimkit_examples::ServeOptions::default();
/// options.max_connections = 256;
/// options.body_timeout = Duration::from_secs(10);
/// assert_eq!(options.write_timeout, Duration::from_secs(30));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServeOptions {
    /// The most connections served at once (default 1024; 0 counts as 1). While they are all
    /// open the server accepts no more: new connections wait in the listener's backlog until
    /// one closes (or the operating system refuses them when the backlog is full).
    pub max_connections: usize,
    /// How long a client may take to send a request's head, from when the connection is ready
    /// for it (default 30 s). A keep-alive connection idle for that long is closed.
    pub header_timeout: Duration,
    /// How long a request's body may take to arrive in full, from when its head was read
    /// (default 30 s). Past it, the answer is 408 Request Timeout with an RFC 7644 error body,
    /// and the connection is closed.
    pub body_timeout: Duration,
    /// How long a write to a connection may wait without any progress (default 30 s): a client
    /// that stops reading its responses has its connection closed. A client that reads, however
    /// slowly, and a keep-alive connection, however long it lives, are not cut.
    pub write_timeout: Duration,
    /// How long the requests in flight get to finish once shutdown starts (default 30 s).
    pub shutdown_grace: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Serves `service` on `listener` with the default [`ServeOptions`] until `shutdown`
/// completes; see [`serve_with`].
///
/// # Errors
///
/// As [`serve_with`].
///
/// # Examples
///
/// ```no_run
/// # async fn run(service: scimkit_core::http::ScimService) -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// scimkit_examples::serve(listener, service, async {
///     let _ = tokio::signal::ctrl_c().await;
/// })
/// .await
/// # }
/// ```
pub async fn serve(
    listener: TcpListener,
    service: ScimService,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    serve_with(listener, service, ServeOptions::default(), shutdown).await
}

/// Serves `service` on `listener` under `options` until `shutdown` completes; then stops
/// accepting, lets the requests in flight finish (closing idle keep-alive connections at once,
/// and every connection after [`ServeOptions::shutdown_grace`]), and returns.
///
/// Each connection runs in its own task, speaking HTTP/1.1 with keep-alive, under the limits
/// of [`ServeOptions`]: at most `max_connections` at once (while all are open, nothing more is
/// accepted), a head within `header_timeout`, a body within `body_timeout`, and no write
/// waiting longer than `write_timeout` without progress. Each request is handled by
/// [`respond_with`]: its head is checked before its body is read, so a request without valid
/// credentials is answered at once and its body never read. Each request is logged as one
/// line at `INFO` under the target `scimkit_examples::access`: method, path (without the
/// query), status and latency; never a header, so never a token.
///
/// # Errors
///
/// None so far: failed accepts (such as running out of file descriptors) are logged and
/// retried. The `Result` leaves room for listener errors that should stop the server.
///
/// # Examples
///
/// ```no_run
/// # async fn run(service: scimkit_core::http::ScimService) -> std::io::Result<()> {
/// let mut options = scimkit_examples::ServeOptions::default();
/// options.max_connections = 64;
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// scimkit_examples::serve_with(listener, service, options, async {
///     let _ = tokio::signal::ctrl_c().await;
/// })
/// .await
/// # }
/// ```
pub async fn serve_with(
    listener: TcpListener,
    service: ScimService,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let mut http = http1::Builder::new();
    http.keep_alive(true).timer(TokioTimer::new()).header_read_timeout(options.header_timeout);
    let max_connections = options.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(max_connections));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let mut warned_full: Option<Instant> = None;
    loop {
        // A slot before a connection: while every slot is taken, nothing is accepted.
        let slot = match Arc::clone(&slots).try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                if warned_full.is_none_or(|at| at.elapsed() >= FULL_WARNING_INTERVAL) {
                    tracing::warn!(
                        max_connections,
                        "every connection slot is taken; new connections wait until one closes"
                    );
                    warned_full = Some(Instant::now());
                }
                tokio::select! {
                    slot = Arc::clone(&slots).acquire_owned() => match slot {
                        Ok(slot) => slot,
                        // The semaphore is never closed.
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Usually EMFILE: back off a little instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Responses are written whole: do not let Nagle's algorithm hold back their tails.
        let _ = stream.set_nodelay(true);
        let service = service.clone();
        let body_timeout = options.body_timeout;
        let connection =
            http.serve_connection(
                TokioIo::new(WriteTimeout::new(stream, options.write_timeout)),
                service_fn(move |request| {
                    let service = service.clone();
                    async move {
                        Ok::<_, Infallible>(respond_within(&service, request, body_timeout).await)
                    }
                }),
            );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            // The slot is free once the connection is gone.
            drop(slot);
        });
    }
    drop(listener);
    tracing::info!(connections = graceful.count(), "shutting down");
    let grace = options.shutdown_grace;
    if tokio::time::timeout(grace, graceful.shutdown()).await.is_err() {
        tracing::warn!("connections still open after {grace:?}; closing them");
    }
    Ok(())
}

/// A future that completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM: the signal a container
/// runtime or service manager sends to stop a server.
///
/// The handlers are installed when this function returns, not when the future is first
/// polled, so a signal that arrives while the server is still starting is not lost.
///
/// # Errors
///
/// The error of installing a signal handler.
///
/// # Examples
///
/// ```no_run
/// # async fn run(service: scimkit_core::http::ScimService) -> std::io::Result<()> {
/// let shutdown = scimkit_examples::shutdown_signal()?;
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// scimkit_examples::serve(listener, service, shutdown).await
/// # }
/// ```
pub fn shutdown_signal() -> io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}

/// Handles one request with the default [`ServeOptions`]; see [`respond_with`].
///
/// # Examples
///
/// ```no_run
/// # async fn run(service: scimkit_core::http::ScimService, request: http::Request<hyper::body::Incoming>) {
/// let response = scimkit_examples::respond(&service, request).await;
/// println!("{}", response.status());
/// # }
/// ```
pub async fn respond<B>(service: &ScimService, request: Request<B>) -> Response<Full<Bytes>>
where
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    respond_within(service, request, ServeOptions::default().body_timeout).await
}

/// Handles one request: checks its head ([`ScimService::check_head`]; a refusal is answered
/// at once, without reading the body), reads its body up to the service's limit within
/// [`ServeOptions::body_timeout`], lets `service` answer it, and logs one line.
///
/// A response sent without reading the whole body says `Connection: close`: the connection
/// cannot carry another request.
///
/// # Examples
///
/// ```no_run
/// # async fn run(service: scimkit_core::http::ScimService, request: http::Request<hyper::body::Incoming>) {
/// let options = scimkit_examples::ServeOptions::default();
/// let response = scimkit_examples::respond_with(&service, request, &options).await;
/// println!("{}", response.status());
/// # }
/// ```
pub async fn respond_with<B>(
    service: &ScimService,
    request: Request<B>,
    options: &ServeOptions,
) -> Response<Full<Bytes>>
where
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    respond_within(service, request, options.body_timeout).await
}

/// [`respond_with`], with the one option it needs.
async fn respond_within<B>(
    service: &ScimService,
    request: Request<B>,
    body_timeout: Duration,
) -> Response<Full<Bytes>>
where
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let (method, uri) = (parts.method.clone(), parts.uri.clone());
    let response = match service.check_head(&parts) {
        Err(mut refused) => {
            if !body.is_end_stream() {
                // The body is left unread.
                close(&mut refused);
            }
            refused
        }
        Ok(()) => {
            let limit = service.manager().config().limits.max_body_bytes;
            match tokio::time::timeout(body_timeout, read_body(&parts.headers, body, limit)).await {
                Ok(Ok(body)) => service.handle(Request::from_parts(parts, body)).await,
                Ok(Err(error)) => unread_response(error.status(), &error.to_response()),
                Err(_elapsed) => {
                    let status = StatusCode::REQUEST_TIMEOUT.as_u16();
                    let detail = format!("the request body did not arrive within {body_timeout:?}");
                    unread_response(status, &ErrorResponse::new(status).with_detail(detail))
                }
            }
        }
    };
    let status = response.status().as_u16();
    let latency = started.elapsed();
    tracing::info!(
        target: "scimkit_examples::access",
        "{method} {path} {status} {latency_ms:.3}ms",
        path = uri.path(),
        latency_ms = latency.as_secs_f64() * 1000.0,
    );
    response.map(|body| Full::new(Bytes::from(body)))
}

/// The body of a request with these headers, or why it could not be read.
async fn read_body<B>(headers: &HeaderMap, body: B, limit: usize) -> Result<Bytes, Error>
where
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let too_large = || Error::PayloadTooLarge {
        detail: format!("the request body is larger than {limit} bytes"),
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(_) => Err(Error::invalid_syntax("the request body could not be read")),
    }
}

/// An RFC 7644 error response for a request whose body was not read (or not read whole).
fn unread_response(status: u16, error: &ErrorResponse) -> Response<Vec<u8>> {
    let body = serde_json::to_vec(error).unwrap_or_default();
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_MEDIA_TYPE));
    close(&mut response);
    response
}

/// Marks a response as the last of its connection: the rest of the request's body was not
/// read, so the connection cannot carry another request.
fn close(response: &mut Response<Vec<u8>>) {
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
}

/// A connection's stream whose writes fail with [`io::ErrorKind::TimedOut`] once one has
/// waited `timeout` without any progress. A client that stops reading its responses loses its
/// connection; one that reads them, however slowly, and an idle keep-alive connection (which
/// writes nothing) do not.
#[derive(Debug)]
struct WriteTimeout<S> {
    stream: S,
    timeout: Duration,
    /// The timer of the write that is waiting; kept between stalls to reuse its allocation.
    stall: Option<Pin<Box<Sleep>>>,
    /// Whether `stall` times a write that is waiting now.
    stalled: bool,
}

impl<S> WriteTimeout<S> {
    fn new(stream: S, timeout: Duration) -> Self {
        Self { stream, timeout, stall: None, stalled: false }
    }

    /// `poll`, the outcome of a write, flush or shutdown, failed if that operation has waited
    /// `timeout` since it last made progress.
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.stalled = false;
            return poll;
        }
        let timeout = self.timeout;
        let stall = self.stall.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        if !self.stalled {
            stall.as_mut().reset(tokio::time::Instant::now() + timeout);
            self.stalled = true;
        }
        if stall.as_mut().poll(cx).is_ready() {
            self.stalled = false;
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("a write to the client made no progress for {timeout:?}"),
            )));
        }
        Poll::Pending
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteTimeout<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteTimeout<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.watch(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.stream).poll_flush(cx);
        self.watch(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.stream).poll_shutdown(cx);
        self.watch(cx, poll)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// A reader that stops reading: the write fails once it has waited the timeout.
    #[tokio::test]
    async fn a_stalled_write_times_out() {
        let (near, mut far) = tokio::io::duplex(64);
        let mut stream = WriteTimeout::new(near, Duration::from_millis(100));
        let started = Instant::now();
        let written = tokio::time::timeout(Duration::from_secs(5), stream.write_all(&[7; 1024]))
            .await
            .expect("the write gave up by itself");
        let error = written.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(100));
        // What fitted was delivered.
        let mut delivered = [0; 64];
        far.read_exact(&mut delivered).await.unwrap();
        assert_eq!(delivered, [7; 64]);
    }

    /// A reader that keeps reading, each read sooner than the timeout, however long the whole
    /// write takes: nothing times out.
    #[tokio::test]
    async fn a_slow_reader_that_keeps_reading_is_not_cut() {
        let (near, mut far) = tokio::io::duplex(64);
        let mut stream = WriteTimeout::new(near, Duration::from_millis(150));
        let reader = tokio::spawn(async move {
            let mut total = 0;
            let mut buf = [0; 64];
            while total < 640 {
                tokio::time::sleep(Duration::from_millis(30)).await;
                total += far.read(&mut buf).await.unwrap();
            }
            (total, far)
        });
        let started = Instant::now();
        stream.write_all(&[1; 640]).await.unwrap();
        stream.flush().await.unwrap();
        assert!(started.elapsed() > Duration::from_millis(150), "the write outlasted the timeout");
        let (total, _far) = reader.await.unwrap();
        assert_eq!(total, 640);
        // Idle time between writes does not count either.
        tokio::time::sleep(Duration::from_millis(200)).await;
        stream.write_all(&[2; 8]).await.unwrap();
    }
}
