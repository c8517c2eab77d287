//! The example server's admin address: its metrics in the Prometheus text format.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

/// The media type of the Prometheus text format.
pub const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Installs a Prometheus recorder as the process's global metrics recorder, with the
/// descriptions of [`scimkit_core::metrics`]; the handle renders the page.
///
/// # Errors
///
/// The exporter's error when a recorder is already installed.
pub fn install_metrics() -> Result<PrometheusHandle, metrics_exporter_prometheus::BuildError> {
    let handle = PrometheusBuilder::new().install_recorder()?;
    scimkit_core::metrics::describe();
    Ok(handle)
}

/// The admin address's answer to `request`: the metrics page for `GET /metrics`, else 404.
pub fn metrics_response<B>(
    handle: &PrometheusHandle,
    request: &Request<B>,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    if request.uri().path() != "/metrics" {
        *response.status_mut() = StatusCode::NOT_FOUND;
        return response;
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        return response;
    }
    *response.body_mut() = Full::new(Bytes::from(handle.render()));
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(PROMETHEUS_TEXT),
    );
    response
}

/// Serves the metrics page on `listener` for ever (until the task is dropped); a connection
/// that fails is dropped and logged.
pub async fn serve_metrics(listener: TcpListener, handle: PrometheusHandle) {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "the admin address cannot accept");
                continue;
            }
        };
        let handle = handle.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                let response = metrics_response(&handle, &request);
                async move { Ok::<_, Infallible>(response) }
            });
            if let Err(error) =
                http1::Builder::new().serve_connection(TokioIo::new(stream), service).await
            {
                tracing::debug!(%error, "an admin connection failed");
            }
        });
    }
}
