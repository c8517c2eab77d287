//! Tenants' tokens in PostgreSQL, shared by every replica.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use scimkit_core::tokens::{TokenDigest, TokenRecord, TokenStore};
use scimkit_core::{Error, Result};
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;

use crate::{PostgresStore, backend};

/// A [`TokenStore`] in the store's database (table `scim_tokens`, migration 6), on the
/// store's connection pool: what every replica of a service reads its tokens from. Made by
/// [`PostgresStore::tokens`].
#[derive(Clone, Debug)]
pub struct PostgresTokens {
    store: PostgresStore,
}

impl PostgresStore {
    /// The tenants' tokens kept in this store's database.
    pub fn tokens(&self) -> PostgresTokens {
        PostgresTokens { store: self.clone() }
    }
}

const COLUMNS: &str = "id, tenant, principal, digest, created_ms, expires_ms, last_used_ms";

fn millis(time: SystemTime) -> i64 {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

fn time(millis: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(millis).unwrap_or(0))
}

fn record(row: &Row) -> Result<TokenRecord> {
    let digest: Vec<u8> = row.get(3);
    let digest: [u8; 32] = digest.try_into().map_err(|_| Error::Internal {
        detail: "a stored token digest is not 32 bytes".to_owned(),
    })?;
    Ok(TokenRecord::from_parts(
        row.get(0),
        row.get(1),
        row.get(2),
        TokenDigest::from_bytes(digest),
        time(row.get(4)),
        row.get::<_, Option<i64>>(5).map(time),
        row.get::<_, Option<i64>>(6).map(time),
    ))
}

#[async_trait]
impl TokenStore for PostgresTokens {
    async fn insert(&self, record: &TokenRecord) -> Result<()> {
        let client = self.store.client().await?;
        let inserted = client
            .execute(
                &format!("INSERT INTO scim_tokens ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
                &[
                    &record.id,
                    &record.tenant,
                    &record.principal,
                    &record.digest.as_bytes().as_slice(),
                    &millis(record.created),
                    &record.expires.map(millis),
                    &record.last_used.map(millis),
                ],
            )
            .await;
        match inserted {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                Err(Error::Uniqueness { detail: "the token is already stored".to_owned() })
            }
            Err(e) => Err(backend(e)),
        }
    }

    async fn list(&self, tenant: Option<&str>) -> Result<Vec<TokenRecord>> {
        let client = self.store.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM scim_tokens WHERE $1::text IS NULL OR tenant = $1 \
                     ORDER BY tenant, created_ms, id"
                ),
                &[&tenant],
            )
            .await
            .map_err(backend)?;
        rows.iter().map(record).collect()
    }

    async fn expire(&self, tenant: &str, at: SystemTime, keep: Option<&str>) -> Result<u64> {
        let client = self.store.client().await?;
        client
            .execute(
                "UPDATE scim_tokens SET expires_ms = $2 WHERE tenant = $1 \
                 AND ($3::text IS NULL OR id <> $3) AND (expires_ms IS NULL OR expires_ms > $2)",
                &[&tenant, &millis(at), &keep],
            )
            .await
            .map_err(backend)
    }

    async fn record_use(&self, uses: &[(String, SystemTime)]) -> Result<()> {
        let (ids, times): (Vec<&str>, Vec<i64>) =
            uses.iter().map(|(id, at)| (id.as_str(), millis(*at))).unzip();
        let client = self.store.client().await?;
        client
            .execute(
                "UPDATE scim_tokens AS t SET last_used_ms = greatest(t.last_used_ms, u.at) \
                 FROM unnest($1::text[], $2::bigint[]) AS u(id, at) WHERE t.id = u.id",
                &[&ids, &times],
            )
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn remove_expired(&self, before: SystemTime) -> Result<u64> {
        let client = self.store.client().await?;
        client
            .execute("DELETE FROM scim_tokens WHERE expires_ms <= $1", &[&millis(before)])
            .await
            .map_err(backend)
    }
}
