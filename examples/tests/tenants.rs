//! Tenants as data in the example server: the tokens file passes the shared token suite, the
//! `tenant` subcommands add, rotate, revoke and list tenants, and a running server picks their
//! changes up at its next token refresh, without a restart; the same on PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and their helpers: a failed expectation is a failed test"
)]

mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use scimkit_core::ServiceConfig;
use scimkit_core::http::{BearerTokens, Tenancy};
use scimkit_core::tokens::{StoredTokens, TokenStore};
use scimkit_examples::{FileTokens, ServerTokens, TenantAction, run_tenant_command};
use support::*;

/// A tokens file of its own, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new() -> Self {
        let name = format!("scimkit-tokens-{}.json", uuid::Uuid::new_v4().simple());
        Self(std::env::temp_dir().join(name))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[tokio::test]
async fn the_tokens_file_passes_the_token_suite() {
    let file = TempFile::new();
    let (a, b) = (FileTokens::new(&file.0), FileTokens::new(&file.0));
    scimkit_core::testing::token_lifecycle(Arc::new(a), Arc::new(b)).await;
    let text = std::fs::read_to_string(&file.0).unwrap();
    assert!(text.contains("digest") && !text.contains("scim_"), "only digests are written");
}

/// The server and a subcommand write the file at once: no change is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_of_the_tokens_file_lose_nothing() {
    let file = TempFile::new();
    let mut tasks = Vec::new();
    for n in 0..16 {
        let tokens: Arc<dyn TokenStore> = Arc::new(FileTokens::new(&file.0));
        tasks.push(tokio::spawn(async move {
            let add = TenantAction::Add { name: format!("tenant-{n}"), principal: "p".to_owned() };
            run_tenant_command(tokens, &add, &mut Vec::new()).await.unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(FileTokens::new(&file.0).list(None).await.unwrap().len(), 16);
}

/// Runs a subcommand and returns what it printed.
async fn run(tokens: &Arc<dyn TokenStore>, action: TenantAction) -> Result<String, String> {
    let mut out = Vec::new();
    run_tenant_command(tokens.clone(), &action, &mut out).await.map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).unwrap())
}

/// The secret a subcommand printed.
fn secret(printed: &str) -> String {
    printed
        .lines()
        .find_map(|l| l.strip_prefix("Secret token, shown once: "))
        .unwrap_or_else(|| panic!("no token in {printed:?}"))
        .to_owned()
}

/// Waits (up to 5 s) until `token` gets `status` from `/Users`.
async fn until_status(server: &TestServer, token: &str, status: u16) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let got = server.client(token).get(&format!("{BASE}/Users?count=0")).await.status;
        if got == status {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{token}: still {got}, not {status}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The lifecycle through the subcommands while a server runs on the same token store.
async fn tenants_without_a_restart(tokens: Arc<dyn TokenStore>) {
    let stored = StoredTokens::new(tokens.clone());
    stored.refresh().await.unwrap();
    let authenticator = ServerTokens::new(BearerTokens::new(), stored);
    let refreshing = tokio::spawn(authenticator.clone().refresh_every(Duration::from_millis(50)));
    let service = scimkit_examples::in_memory_service(
        authenticator.clone(),
        BASE,
        Tenancy::ByPrincipal,
        ServiceConfig::default(),
    )
    .unwrap();
    let server = TestServer::start(service).await;
    let tenant = format!("acme-{}", uuid::Uuid::new_v4().simple());

    let added =
        run(&tokens, TenantAction::Add { name: tenant.clone(), principal: "Entra ID".to_owned() })
            .await
            .unwrap();
    let first = secret(&added);
    assert!(added.contains(&format!("Tenant {tenant} added")), "{added}");
    let again =
        run(&tokens, TenantAction::Add { name: tenant.clone(), principal: "x".to_owned() }).await;
    assert!(again.unwrap_err().contains("already has a token"));
    until_status(&server, &first, 200).await;
    let created = server
        .client(&first)
        .post(
            &format!("{BASE}/Users"),
            &serde_json::json!({ "schemas": [USER_URN], "userName": "ann" }),
        )
        .await;
    created.expect(201);

    let listed = run(&tokens, TenantAction::List).await.unwrap();
    let line = listed.lines().find(|l| l.starts_with(&tenant)).unwrap();
    assert!(line.contains("active"), "{listed}");

    // Rotation with an overlap: both tokens work; revocation: neither does.
    let rotated = run(
        &tokens,
        TenantAction::Rotate { name: tenant.clone(), overlap: Duration::from_secs(3600) },
    )
    .await
    .unwrap();
    let second = secret(&rotated);
    assert!(rotated.contains("stay valid until"), "{rotated}");
    until_status(&server, &second, 200).await;
    until_status(&server, &first, 200).await;
    let revoked = run(&tokens, TenantAction::Revoke { name: tenant.clone() }).await.unwrap();
    assert!(revoked.contains("2 tokens revoked"), "{revoked}");
    until_status(&server, &second, 401).await;
    until_status(&server, &first, 401).await;

    // The list shows the tenant revoked, with when it was last used.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let listed = run(&tokens, TenantAction::List).await.unwrap();
    let line = listed.lines().find(|l| l.starts_with(&tenant)).unwrap();
    assert!(line.contains("revoked") && !line.contains("never"), "{listed}");
    let missing = run(&tokens, TenantAction::Revoke { name: "nobody".to_owned() }).await;
    assert!(missing.is_err());

    refreshing.abort();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_change_without_a_restart_on_the_tokens_file() {
    let file = TempFile::new();
    tenants_without_a_restart(Arc::new(FileTokens::new(&file.0))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_change_without_a_restart_on_postgres() {
    let url = match std::env::var("SCIM_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            println!("skipped: SCIM_TEST_POSTGRES_URL is not set");
            return;
        }
    };
    let store = scimkit_store_postgres::PostgresStore::connect(&url).await.unwrap();
    tenants_without_a_restart(Arc::new(store.tokens())).await;
    // The tenants this test revoked, out of the shared database.
    let now = scimkit_core::Clock::now(&scimkit_core::SystemClock);
    store.tokens().remove_expired(now).await.unwrap();
}
