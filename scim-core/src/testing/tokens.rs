//! The suite's checks of a [`TokenStore`]: tenants onboarded, tokens rotated with an overlap
//! and revoked, seen by a second replica once it refreshes, last use recorded.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::tenant;
use crate::clock::{Clock, ManualClock};
use crate::error::Error;
use crate::http::{Authenticator, Principal};
use crate::tokens::{StoredTokens, Tenants, TokenStore};

fn request(token: &str) -> http::request::Parts {
    let request = http::Request::get("/scim/v2/Users")
        .header("Authorization", format!("Bearer {token}"))
        .body(())
        .unwrap_or_else(|e| panic!("{e}"));
    request.into_parts().0
}

fn tenant_of(tokens: &StoredTokens, token: &str) -> Option<String> {
    tokens.authenticate(&request(token)).ok().map(|p: Principal| p.tenant)
}

/// `store` and `replica` are two handles on the same tokens (two replicas of a service).
/// Onboarding refuses a tenant that has a token; both replicas authenticate a new token once
/// they refresh, each tenant's only; a rotation keeps the old token valid for its overlap and
/// no longer; a revocation through one replica is seen by the other at its next refresh;
/// last uses reach the store and never go back; expired tokens can be removed; no secret shows
/// in `Debug`.
pub async fn token_lifecycle(store: Arc<dyn TokenStore>, replica: Arc<dyn TokenStore>) {
    let clock = Arc::new(ManualClock::at_unix_seconds(1_800_000_000));
    let tenants = Tenants::new(store.clone()).with_clock(clock.clone());
    let (acme, globex) = (tenant("acme"), tenant("globex"));
    let issued = tenants.add(&acme, "Entra ID for Acme").await.unwrap();
    assert_eq!(issued.tenant, acme);
    let other = tenants.add(&globex, "Okta for Globex").await.unwrap();
    assert!(matches!(tenants.add(&acme, "again").await, Err(Error::Uniqueness { .. })));
    assert!(tenants.add(" ", "blank").await.is_err());
    assert!(matches!(tenants.rotate("nobody", Duration::ZERO).await, Err(Error::NotFound { .. })));
    assert!(matches!(tenants.revoke("nobody").await, Err(Error::NotFound { .. })));

    let here = StoredTokens::with_clock(store.clone(), clock.clone());
    let there = StoredTokens::with_clock(replica.clone(), clock.clone());
    assert_eq!(tenant_of(&here, issued.secret()), None, "nothing before the first refresh");
    here.refresh().await.unwrap();
    there.refresh().await.unwrap();
    for tokens in [&here, &there] {
        assert_eq!(tenant_of(tokens, issued.secret()).as_deref(), Some(acme.as_str()));
        assert_eq!(tenant_of(tokens, other.secret()).as_deref(), Some(globex.as_str()));
        assert_eq!(tenant_of(tokens, "scim_not-a-token"), None);
        assert!(tokens.knows_tenant(&acme) && !tokens.knows_tenant("nobody"));
        let shown = format!("{tokens:?}");
        assert!(!shown.contains(issued.secret()) && !shown.contains(other.secret()), "{shown}");
    }
    let principal = there.authenticate(&request(issued.secret())).unwrap();
    assert_eq!(principal.name, "Entra ID for Acme");

    // Last use: recorded on the replica that saw it, written at its refresh, never lowered.
    let used_at = clock.now();
    assert!(there.authenticate(&request(issued.secret())).is_ok());
    there.refresh().await.unwrap();
    let last_used = |records: &[crate::tokens::TokenRecord], id: &str| {
        records.iter().find(|r| r.id == id).and_then(|r| r.last_used)
    };
    let records = store.list(Some(&acme)).await.unwrap();
    assert_eq!(last_used(&records, &issued.id), Some(used_at));
    replica.record_use(&[(issued.id.clone(), SystemTime::UNIX_EPOCH)]).await.unwrap();
    let records = store.list(Some(&acme)).await.unwrap();
    assert_eq!(last_used(&records, &issued.id), Some(used_at), "a last use never goes back");
    assert_eq!(last_used(&records, "tok_unknown"), None);

    // Rotation with an overlap of an hour: both tokens work, then only the new one.
    clock.advance(Duration::from_secs(60));
    let rotated = tenants.rotate(&acme, Duration::from_secs(3600)).await.unwrap();
    assert_ne!(rotated.secret(), issued.secret());
    there.refresh().await.unwrap();
    assert_eq!(tenant_of(&there, rotated.secret()).as_deref(), Some(acme.as_str()));
    assert_eq!(tenant_of(&there, issued.secret()).as_deref(), Some(acme.as_str()));
    let listed = tenants.list().await.unwrap();
    let entry = listed.iter().find(|t| t.tenant == acme).unwrap();
    assert_eq!(entry.tokens.len(), 2, "{entry:?}");
    assert_eq!(entry.tokens[0].id, issued.id, "oldest first");
    assert_eq!(entry.tokens[0].expires, Some(clock.now() + Duration::from_secs(3600)));
    assert_eq!(entry.tokens[1].expires, None);
    assert_eq!(entry.last_used(), Some(used_at));
    assert!(entry.is_active(clock.now()));
    clock.advance(Duration::from_secs(3600));
    assert_eq!(tenant_of(&there, issued.secret()), None, "past the overlap, without a refresh");
    assert_eq!(tenant_of(&there, rotated.secret()).as_deref(), Some(acme.as_str()));

    // Revocation through one replica: the other refuses the token from its next refresh.
    assert_eq!(tenants.revoke(&acme).await.unwrap(), 1);
    assert_eq!(tenant_of(&there, rotated.secret()).as_deref(), Some(acme.as_str()));
    there.refresh().await.unwrap();
    assert_eq!(tenant_of(&there, rotated.secret()), None);
    assert!(!there.knows_tenant(&acme));
    assert_eq!(tenant_of(&there, other.secret()).as_deref(), Some(globex.as_str()));
    let listed = tenants.list().await.unwrap();
    assert!(!listed.iter().find(|t| t.tenant == acme).unwrap().is_active(clock.now()));

    // A revoked tenant can be onboarded again; expired tokens can be removed.
    let again = tenants.add(&acme, "Entra ID for Acme").await.unwrap();
    assert_eq!(store.remove_expired(clock.now()).await.unwrap(), 2);
    let records = replica.list(Some(&acme)).await.unwrap();
    assert_eq!(records.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [again.id.as_str()]);
    let mut duplicate = records[0].clone();
    duplicate.id = "tok_duplicate".to_owned();
    assert!(matches!(store.insert(&duplicate).await, Err(Error::Uniqueness { .. })));
}
