//! Injected time: the only place the library reads the wall clock.
//!
//! Resource timestamps (`meta.created`, `meta.lastModified`) come from a [`Clock`], so tests can
//! fix time and get byte-identical output.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of the current time.
pub trait Clock: fmt::Debug + Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;

    /// The current time as an RFC 3339 UTC timestamp with milliseconds
    /// (`2026-11-28T13:45:00.123Z`), the form `meta` timestamps take.
    fn timestamp(&self) -> String {
        format_timestamp(self.now())
    }
}

/// The system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that stands still until told to move, for deterministic tests.
///
/// ```
/// use std::time::Duration;
/// use scimkit_core::{Clock, ManualClock};
///
/// let clock = ManualClock::at_unix_seconds(1_305_261_754);
/// assert_eq!(clock.timestamp(), "2011-05-13T04:42:34.000Z");
/// clock.advance(Duration::from_millis(1500));
/// assert_eq!(clock.timestamp(), "2011-05-13T04:42:35.500Z");
/// ```
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<SystemTime>,
}

impl ManualClock {
    /// A clock showing `secs` seconds after the Unix epoch.
    pub fn at_unix_seconds(secs: u64) -> Self {
        Self { now: Mutex::new(UNIX_EPOCH + Duration::from_secs(secs)) }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Formats `time` as an RFC 3339 UTC timestamp with milliseconds.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let t = UNIX_EPOCH + Duration::from_millis(951_868_800_250);
/// assert_eq!(scimkit_core::format_timestamp(t), "2000-03-01T00:00:00.250Z");
/// ```
pub fn format_timestamp(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        since.subsec_millis()
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_through_the_filter_parser() {
        for secs in [0u64, 951_782_400, 951_868_800, 1_305_261_754, 4_102_444_799, 1_709_164_800] {
            let text = format_timestamp(UNIX_EPOCH + Duration::from_secs(secs));
            let parsed = scimkit_filter::DateTime::parse(&text).unwrap();
            assert_eq!(parsed.unix_seconds(), secs as i64, "{text}");
        }
    }
}
