//! What the library reports through the [`metrics`] facade: requests, their
//! latency, store failures, and how far event consumers lag behind. The application installs
//! the recorder (a Prometheus exporter, say); with none installed, recording costs next to
//! nothing.
//!
//! | metric | kind | labels |
//! | --- | --- | --- |
//! | `scim_requests_total` | counter | `tenant`, `operation`, `resource_type`, `status`, `scim_type` |
//! | `scim_request_duration_seconds` | histogram | `operation`, `resource_type` |
//! | `scim_store_errors_total` | counter | `kind` (`unavailable`, `backend`, `internal`) |
//! | `scim_event_consumer_lag_seconds` | gauge | `tenant`, `consumer` |
//!
//! `tenant` is empty for a request that was not authenticated, `scim_type` for a success or an
//! error without one; `operation` is one of `discovery`, `list`, `search`, `get`, `create`,
//! `replace`, `patch`, `delete`, `bulk`, `me`, or `unknown` for a path that names no
//! endpoint; `resource_type` is the registered type's name (`User`), empty outside resource
//! endpoints. A consumer's lag is the age of the oldest event its last poll returned (0 when
//! it is caught up). No label ever holds a token, an id or an attribute value.

/// Requests answered, by tenant, operation, resource type, status and `scimType`.
pub const REQUESTS_TOTAL: &str = "scim_requests_total";
/// How long requests took, in seconds, by operation and resource type.
pub const REQUEST_DURATION_SECONDS: &str = "scim_request_duration_seconds";
/// Requests that failed in the store, by kind.
pub const STORE_ERRORS_TOTAL: &str = "scim_store_errors_total";
/// How far an event consumer is behind the feed, in seconds, by tenant and consumer.
pub const EVENT_CONSUMER_LAG_SECONDS: &str = "scim_event_consumer_lag_seconds";

/// Gives the installed recorder each metric's unit and description (Prometheus's `# HELP`).
/// Call it once, after installing the recorder.
pub fn describe() {
    use ::metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(REQUESTS_TOTAL, "SCIM requests answered");
    describe_histogram!(REQUEST_DURATION_SECONDS, Unit::Seconds, "How long SCIM requests took");
    describe_counter!(STORE_ERRORS_TOTAL, "SCIM requests that failed in the store");
    describe_gauge!(
        EVENT_CONSUMER_LAG_SECONDS,
        Unit::Seconds,
        "Age of the oldest event an event consumer's last poll returned"
    );
}
