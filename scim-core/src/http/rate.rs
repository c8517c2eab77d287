//! Per-tenant rate limiting: a token bucket per tenant, refused requests answered 429 with
//! `Retry-After`.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How many requests a tenant may send: `burst` at once, refilled at `per_second`.
///
/// A service built with [`ScimServiceBuilder::rate_limit`](super::ScimServiceBuilder::rate_limit)
/// answers a tenant's request past its limit with 429 Too Many Requests and a `Retry-After`
/// saying when the next one will be accepted (as the IPSIE SCIM profile requires; Microsoft
/// Entra ID and Okta wait that long and retry). Authenticated requests count, a Bulk request
/// as one; discovery endpoints do not. Off unless configured.
///
/// ```
/// use scimkit_core::http::RateLimit;
///
/// // Entra ID's documented pace for one tenant is a few requests per second; allow bursts.
/// let limit = RateLimit::per_second(25.0).with_burst(100);
/// assert_eq!(limit.burst, 100);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests per second a tenant's allowance refills at (above 0).
    pub per_second: f64,
    /// The most requests a tenant may send at once, after a quiet spell (at least 1).
    pub burst: u32,
}

impl RateLimit {
    /// `per_second` requests per second, with a burst of as many (at least 1).
    pub fn per_second(per_second: f64) -> Self {
        let per_second = if per_second.is_finite() && per_second > 0.0 { per_second } else { 1.0 };
        // The ceiling of a positive finite rate, at least 1, fits a u32 for any sane rate.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let burst = per_second.ceil().clamp(1.0, f64::from(u32::MAX)) as u32;
        Self { per_second, burst }
    }

    /// This limit with a different burst (at least 1).
    #[must_use]
    pub fn with_burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }
}

/// One tenant's allowance.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The buckets of every tenant that sent a request recently.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// Past this many tenants, buckets that have refilled are forgotten (a full bucket is what a
/// new tenant gets anyway).
const TIDY_ABOVE: usize = 10_000;

impl RateLimiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self { limit, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from `tenant`'s allowance, or says how long until there is one.
    pub(crate) fn acquire(&self, tenant: &str) -> Result<(), Duration> {
        self.acquire_at(tenant, Instant::now())
    }

    fn acquire_at(&self, tenant: &str, now: Instant) -> Result<(), Duration> {
        let RateLimit { per_second, burst } = self.limit;
        let burst = f64::from(burst);
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() > TIDY_ABOVE && !buckets.contains_key(tenant) {
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.updated).as_secs_f64() * per_second
                    < burst
            });
        }
        let bucket = match buckets.get_mut(tenant) {
            Some(bucket) => bucket,
            None => {
                buckets.entry(tenant.to_owned()).or_insert(Bucket { tokens: burst, updated: now })
            }
        };
        let refill = now.saturating_duration_since(bucket.updated).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + refill).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_requests_wait_for_the_refill() {
        let limiter = RateLimiter::new(RateLimit::per_second(2.0).with_burst(3));
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.acquire_at("t", start), Ok(()));
        }
        let wait = limiter.acquire_at("t", start).unwrap_err();
        assert!((wait.as_secs_f64() - 0.5).abs() < 1e-6, "{wait:?}");
        // Half a second later one request's worth has come back, and only one.
        let later = start + Duration::from_millis(500);
        assert_eq!(limiter.acquire_at("t", later), Ok(()));
        assert!(limiter.acquire_at("t", later).is_err());
        // A long pause refills up to the burst, no more.
        let much_later = later + Duration::from_secs(3600);
        for _ in 0..3 {
            assert_eq!(limiter.acquire_at("t", much_later), Ok(()));
        }
        assert!(limiter.acquire_at("t", much_later).is_err());
    }

    #[test]
    fn tenants_have_allowances_of_their_own() {
        let limiter = RateLimiter::new(RateLimit::per_second(1.0));
        let now = Instant::now();
        assert_eq!(limiter.acquire_at("a", now), Ok(()));
        assert!(limiter.acquire_at("a", now).is_err());
        assert_eq!(limiter.acquire_at("b", now), Ok(()));
    }

    #[test]
    fn many_tenants_do_not_grow_the_map_without_bound() {
        let limiter = RateLimiter::new(RateLimit::per_second(1000.0));
        let now = Instant::now();
        for i in 0..TIDY_ABOVE + 1 {
            limiter.acquire_at(&format!("t{i}"), now).unwrap();
        }
        // A second on, every bucket has refilled: the next new tenant sweeps them out.
        limiter.acquire_at("new", now + Duration::from_secs(1)).unwrap();
        let kept = limiter.buckets.lock().unwrap().len();
        assert!(kept <= 2, "{kept}");
    }

    #[test]
    fn nonsense_rates_fall_back_to_one_per_second() {
        for rate in [0.0, -3.0, f64::NAN, f64::INFINITY] {
            let limit = RateLimit::per_second(rate);
            assert!((limit.per_second - 1.0).abs() < f64::EPSILON);
            assert_eq!(limit.burst, 1);
        }
    }
}
