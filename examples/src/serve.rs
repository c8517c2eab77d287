//! Serving a [`ScimService`] over HTTP/1.1 with hyper and tokio: one task per connection,
//! keep-alive, request bodies read up to the service's limit, one log line per request, and a
//! graceful shutdown.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Body;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use scimkit_core::Error;
use scimkit_core::http::{SCIM_MEDIA_TYPE, ScimService};
use tokio::net::TcpListener;

/// How long a client may take to send a request's head.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// How long in-flight requests get to finish once shutdown starts.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Serves `service` on `listener` until `shutdown` completes; then stops accepting, lets the
/// requests in flight finish (closing idle keep-alive connections at once), and returns.
///
/// Each connection runs in its own task, speaking HTTP/1.1 with keep-alive. Request bodies are
/// read up to the service's `Limits::max_body_bytes` (413 beyond it, without reading a body
/// whose `Content-Length` is already too large). Each request is logged as one line at `INFO`
/// under the target `scimkit_examples::access`: method, path (without the query), status and
/// latency; never a header, so never a token.
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
    let mut http = http1::Builder::new();
    http.keep_alive(true).timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
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
        let connection = http.serve_connection(
            TokioIo::new(stream),
            service_fn(move |request| {
                let service = service.clone();
                async move { Ok::<_, Infallible>(respond(&service, request).await) }
            }),
        );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tracing::info!(connections = graceful.count(), "shutting down");
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!("connections still open after {SHUTDOWN_GRACE:?}; closing them");
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

/// Handles one request: reads its body up to the service's limit, lets `service` answer it,
/// and logs one line.
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
    let started = Instant::now();
    let method = request.method().clone();
    let uri = request.uri().clone();
    let limit = service.manager().config().limits.max_body_bytes;
    let response = match read_body(request, limit).await {
        Ok(request) => service.handle(request).await,
        Err(error) => error_response(&error),
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

/// The request with its body read, or why it could not be read.
async fn read_body<B>(request: Request<B>, limit: usize) -> Result<Request<Bytes>, Error>
where
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let too_large = || Error::PayloadTooLarge {
        detail: format!("the request body is larger than {limit} bytes"),
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let (parts, body) = request.into_parts();
    if body.is_end_stream() {
        return Ok(Request::from_parts(parts, Bytes::new()));
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(Request::from_parts(parts, collected.to_bytes())),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(_) => Err(Error::invalid_syntax("the request body could not be read")),
    }
}

/// An RFC 7644 error response for a request the service never saw.
fn error_response(error: &Error) -> Response<Vec<u8>> {
    let body = serde_json::to_vec(&error.to_response()).unwrap_or_default();
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_MEDIA_TYPE));
    // The rest of the body was not read: the connection cannot carry another request.
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
