//! A SCIM 2.0 service provider on the in-memory store (or PostgreSQL with `--store`), served
//! with hyper and tokio.
//!
//! ```sh
//! cargo run --release --example server -- --help
//! cargo run --release --example server -- tenant add acme --principal "Entra ID for Acme"
//! ```
//!
//! It prints its base URL and the `default` tenant's bearer token, serves every tenant of its
//! token store (reloaded every few seconds, so `tenant add`, `rotate` and `revoke` take effect
//! without a restart), logs one line per request, and shuts down gracefully on Ctrl-C or
//! SIGTERM (in-flight requests finish; the exit status is 0).

use std::process::ExitCode;

use scimkit_core::ServiceConfig;
use scimkit_core::event::SetOptions;
use scimkit_core::http::{BearerTokens, Principal, Tenancy};
use scimkit_core::tokens::StoredTokens;
use scimkit_examples::{Command, ServerTokens};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

/// The one tenant the example server serves.
const TENANT: &str = "default";

#[tokio::main]
async fn main() -> ExitCode {
    let options = match Command::parse(std::env::args().skip(1)) {
        Ok(Command::Serve(options)) => options,
        Ok(Command::Tenant { store, tokens_file, action }) => {
            let tokens = match scimkit_examples::open_tokens(&store, &tokens_file).await {
                Ok(tokens) => tokens,
                Err(error) => {
                    eprintln!("error: cannot open the token store: {error}");
                    return ExitCode::FAILURE;
                }
            };
            let mut out = std::io::stdout();
            return match scimkit_examples::run_tenant_command(tokens, &action, &mut out).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::FAILURE
                }
            };
        }
        Ok(_) => return ExitCode::FAILURE,
        Err(error) => error.exit(),
    };
    // One line per request from `scimkit_examples::access`; the service's own per-request
    // events are left to RUST_LOG=scimkit_core=info.
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|s| s.parse::<Targets>().ok())
        .unwrap_or_else(|| {
            Targets::new()
                .with_default(tracing::Level::INFO)
                .with_target("scimkit_core", tracing::Level::WARN)
        });
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_ansi(ansi))
        .with(filter)
        .init();

    let (token, generated) = match options.token {
        Some(token) => (token, false),
        None => (scimkit_examples::random_token(), true),
    };
    let fixed = BearerTokens::new().with_token(&token, Principal::new(TENANT, "example client"));
    let store = match scimkit_examples::open_store(&options.store).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("error: cannot open the store: {error}");
            return ExitCode::FAILURE;
        }
    };
    let stored = match scimkit_examples::open_tokens(&options.store, &options.tokens_file).await {
        Ok(tokens) => StoredTokens::new(tokens),
        Err(error) => {
            eprintln!("error: cannot open the token store: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(error) = stored.refresh().await {
        eprintln!("error: cannot read the tenants' tokens: {error}");
        return ExitCode::FAILURE;
    }
    let tokens = ServerTokens::new(fixed, stored);
    let refreshing = tokio::spawn(tokens.clone().refresh_every(options.token_refresh));
    let service = match scimkit_examples::service_on(
        store.clone(),
        tokens.clone(),
        &options.base_path,
        Tenancy::ByPrincipal,
        ServiceConfig::default(),
    ) {
        Ok(service) => service,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let admin = match options.admin_bind {
        Some(bind) => {
            let handle = match scimkit_examples::install_metrics() {
                Ok(handle) => handle,
                Err(error) => {
                    eprintln!("error: cannot install the metrics recorder: {error}");
                    return ExitCode::FAILURE;
                }
            };
            let listener = match tokio::net::TcpListener::bind(bind).await {
                Ok(listener) => listener,
                Err(error) => {
                    eprintln!("error: cannot listen on {bind}: {error}");
                    return ExitCode::FAILURE;
                }
            };
            let address = listener.local_addr().unwrap_or(bind);
            println!("Metrics:           http://{address}/metrics");
            Some(tokio::spawn(scimkit_examples::serve_metrics(listener, handle)))
        }
        None => None,
    };
    // Installed before the banner: once it is printed, Ctrl-C stops the server.
    let shutdown = match scimkit_examples::shutdown_signal() {
        Ok(shutdown) => shutdown,
        Err(error) => {
            eprintln!("error: cannot handle signals: {error}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(options.bind).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("error: cannot listen on {}: {error}", options.bind);
            return ExitCode::FAILURE;
        }
    };
    let address = listener.local_addr().unwrap_or(options.bind);
    let base_path = options.base_path.trim_end_matches('/');
    let base_url = format!("http://{address}{base_path}");
    // The feed of the one tenant this server serves: to the events log when asked (which
    // also writes the audit lines), else to the audit log alone.
    let followed = match &options.events_log {
        Some(path) => {
            if let Err(error) = scimkit_examples::events_log_consumer(path) {
                eprintln!("error: cannot open the events log {}: {error}", path.display());
                return ExitCode::FAILURE;
            }
            let (store, path) = (store.clone(), path.clone());
            let set = SetOptions::new(base_url.clone());
            tokio::spawn(async move {
                let written = scimkit_examples::write_events_log(store, TENANT, &path, set).await;
                if let Err(error) = written {
                    tracing::error!(%error, "the events log stopped");
                }
            })
        }
        None => {
            let store = store.clone();
            tokio::spawn(async move {
                let audit = scimkit_examples::follow(store, TENANT, "audit", |event| {
                    scimkit_examples::audit_line(&event);
                    std::future::ready(Ok::<(), std::convert::Infallible>(()))
                });
                if let Err(error) = audit.await {
                    tracing::error!(%error, "the audit log stopped");
                }
            })
        }
    };
    println!("SCIM 2.0 base URL: {base_url}");
    let source = if generated { " (random; set --token or SCIM_TOKEN to choose one)" } else { "" };
    println!("Bearer token:      {token}{source}");
    println!("Press Ctrl-C to stop.");

    let served = scimkit_examples::serve_with(listener, service, options.serve, shutdown).await;
    followed.abort();
    refreshing.abort();
    if let Some(admin) = admin {
        admin.abort();
    }
    // The last uses seen since the last reload.
    let _ = tokens.stored().refresh().await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
