//! The SCIM service embedded in an axum application beside the application's own routes.
//!
//! ```sh
//! cargo run --example axum_embed
//! curl http://127.0.0.1:3000/health
//! curl -H "Authorization: Bearer s3cret" http://127.0.0.1:3000/scim/v2/Users
//! ```

use std::sync::Arc;

use scimkit_core::ResourceManager;
use scimkit_core::http::{BearerTokens, Principal, ScimService};
use scimkit_store_memory::InMemoryStore;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().init();
    let address = "127.0.0.1:3000";
    let token = std::env::var("SCIM_TOKEN").unwrap_or_else(|_| "s3cret".to_owned());
    let tokens =
        BearerTokens::new().with_token(&token, Principal::new("default", "example client"));
    let manager = ResourceManager::builder(Arc::new(InMemoryStore::new())).build()?;
    // axum's `nest_service` strips "/scim/v2" before the service sees the path, so the service
    // gets no base path of its own, and is told the public URL for `meta.location` instead.
    let service = ScimService::builder(manager, tokens)
        .base_url(&format!("http://{address}/scim/v2"))
        .build();
    let app = scimkit_examples::axum_app(service);

    let listener = tokio::net::TcpListener::bind(address).await?;
    println!("health:        http://{address}/health");
    println!("SCIM base URL: http://{address}/scim/v2  (bearer token: {token})");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
