//! Embedded, versioned schema migrations.

use std::collections::HashSet;

use tokio_postgres::Client;

/// The migrations, in order: (version, SQL).
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("migrations/0001_init.sql")),
    (2, include_str!("migrations/0002_typed_filters.sql")),
    (3, include_str!("migrations/0003_events.sql")),
    (4, include_str!("migrations/0004_key_generations.sql")),
    (5, include_str!("migrations/0005_memberships.sql")),
    (6, include_str!("migrations/0006_tokens.sql")),
    (7, include_str!("migrations/0007_counts.sql")),
];

/// The advisory lock every migrating store takes, so that replicas starting together apply
/// each migration once.
const LOCK: i64 = 0x5c1_4d57_0e11;

/// Applies the migrations the database has not seen, in one transaction under an advisory
/// lock. Running it again is a no-op.
pub(crate) async fn run(client: &mut Client) -> Result<(), tokio_postgres::Error> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK]).await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS scim_schema_migrations (
             version    integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await?;
    let applied: HashSet<i32> = tx
        .query("SELECT version FROM scim_schema_migrations", &[])
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    for (version, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        tx.batch_execute(sql).await?;
        tx.execute("INSERT INTO scim_schema_migrations (version) VALUES ($1)", &[version]).await?;
    }
    tx.commit().await
}
