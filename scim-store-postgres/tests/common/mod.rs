//! A fresh schema per test on the database named by `SCIM_TEST_POSTGRES_URL`.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::panic)]

use scimkit_core::{KeyAttribute, Registry, StoreKeys};
use scimkit_store_postgres::PostgresStore;
use scimkit_store_postgres::deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use scimkit_store_postgres::tokio_postgres::{self, NoTls};

/// The variable naming the test database.
pub const URL_VAR: &str = "SCIM_TEST_POSTGRES_URL";

/// The test database's URL, or `None` (after saying so) when the variable is not set.
pub fn url() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            println!("skipped: {URL_VAR} is not set");
            None
        }
    }
}

/// A schema of its own in the test database, dropped by [`TestDb::drop_schema`], or when the
/// value is dropped (so also when a test fails).
pub struct TestDb {
    url: String,
    pub schema: String,
    dropped: bool,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (url, schema) = (self.url.clone(), self.schema.clone());
        // A runtime of its own on a thread of its own: this may run inside the test's runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                if let Ok((client, conn)) = tokio_postgres::connect(&url, NoTls).await {
                    tokio::spawn(conn);
                    let _ = client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).await;
                }
            });
        })
        .join();
    }
}

impl TestDb {
    /// Creates a fresh schema; panics if the database cannot be reached.
    pub async fn new(url: &str) -> Self {
        let schema = format!("scim_test_{}", uuid::Uuid::new_v4().simple());
        let (client, conn) = tokio_postgres::connect(url, NoTls)
            .await
            .unwrap_or_else(|e| panic!("{URL_VAR} is set but the database is unreachable: {e}"));
        tokio::spawn(conn);
        client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.unwrap();
        Self { url: url.to_owned(), schema, dropped: false }
    }

    /// A pool whose connections use the schema.
    pub fn pool(&self) -> Pool {
        let mut config: tokio_postgres::Config = self.url.parse().unwrap();
        config.options(format!("-c search_path={}", self.schema));
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig { recycling_method: RecyclingMethod::Fast },
        );
        Pool::builder(manager).max_size(8).build().unwrap()
    }

    /// A store (a replica, with its own pool) over the schema.
    pub async fn store(&self) -> PostgresStore {
        PostgresStore::from_pool(self.pool()).await.unwrap()
    }

    /// The database's URL with the schema as its search path.
    pub fn schema_url(&self) -> String {
        let options = format!("options=-c%20search_path%3D{}", self.schema);
        match self.url.contains('?') {
            true => format!("{}&{options}", self.url),
            false => format!("{}?{options}", self.url),
        }
    }

    /// The database's address (the first host and port of its URL).
    pub fn address(&self) -> std::net::SocketAddr {
        use std::net::ToSocketAddrs;
        let config: tokio_postgres::Config = self.url.parse().unwrap();
        let host = match config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
            _ => "localhost".to_owned(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        (host.as_str(), port).to_socket_addrs().unwrap().next().unwrap()
    }

    /// A key-value connection string for the schema through `address` (such as a proxy in
    /// front of the database), with `application_name` set so that a test can find the
    /// store's backends in `pg_stat_activity`.
    pub fn url_via(&self, address: std::net::SocketAddr, application_name: &str) -> String {
        let config: tokio_postgres::Config = self.url.parse().unwrap();
        let quote = |v: &str| format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"));
        let mut url = format!(
            "host={} port={} application_name={} options={}",
            address.ip(),
            address.port(),
            quote(application_name),
            quote(&format!("-c search_path={}", self.schema)),
        );
        if let Some(user) = config.get_user() {
            url.push_str(&format!(" user={}", quote(user)));
        }
        if let Some(db) = config.get_dbname() {
            url.push_str(&format!(" dbname={}", quote(db)));
        }
        if let Some(password) = config.get_password() {
            url.push_str(&format!(" password={}", quote(&String::from_utf8_lossy(password))));
        }
        url
    }

    /// A store made with [`PostgresStore::connect`], as applications make it: its event
    /// waiters are woken by LISTEN/NOTIFY.
    pub async fn connected_store(&self) -> PostgresStore {
        PostgresStore::connect(&self.schema_url()).await.unwrap()
    }

    /// A plain connection with the schema as its search path.
    pub async fn connection(&self) -> tokio_postgres::Client {
        let (client, conn) = tokio_postgres::connect(&self.schema_url(), NoTls).await.unwrap();
        tokio::spawn(conn);
        client
    }

    pub async fn drop_schema(mut self) {
        self.dropped = true;
        let (client, conn) = tokio_postgres::connect(&self.url, NoTls).await.unwrap();
        tokio::spawn(conn);
        client.batch_execute(&format!("DROP SCHEMA {} CASCADE", self.schema)).await.unwrap();
    }
}

/// The standard User keys, and the standard Group keys with `displayName` unique (as Microsoft
/// Entra ID expects).
pub fn keys() -> (StoreKeys, StoreKeys) {
    let registry = Registry::standard();
    let users = StoreKeys::for_type(&registry.resource_type_schema("User").unwrap());
    let groups = StoreKeys::for_type(&registry.resource_type_schema("Group").unwrap())
        .with_unique(KeyAttribute::top_level("displayName", false));
    (users, groups)
}

/// A small deterministic generator (xorshift), so that a failure is reproducible.
pub struct Random(pub u64);

impl Random {
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}
