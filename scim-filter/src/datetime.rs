//! A small strict parser for `xsd:dateTime` / RFC 3339 timestamps, normalised to UTC.
//!
//! Accepted form: `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`. The separators `T` and `Z` may also
//! be lower case (RFC 3339 §5.6 allows it). xsd:dateTime lets the time zone be left out; such a
//! local time is taken as UTC, so that it still compares. Leap seconds (`:60`) and `24:00:00` are rejected. Fractions are kept to the
//! nanosecond; further digits are checked and ignored.

/// An instant parsed from an `xsd:dateTime` (SCIM's `dateTime` type): seconds since
/// 1970-01-01T00:00:00Z and nanoseconds. Orders chronologically, so timestamps written with
/// different offsets compare as the instants they are.
///
/// ```
/// use scimkit_filter::DateTime;
///
/// let utc = DateTime::parse("2011-05-13T04:42:34Z").unwrap();
/// assert_eq!(utc, DateTime::parse("2011-05-13T06:42:34+02:00").unwrap());
/// assert!(DateTime::parse("2011-05-13T04:42:34.5Z").unwrap() > utc);
/// assert_eq!(utc.unix_seconds(), 1_305_261_754);
/// assert!(DateTime::parse("2011-05-13").is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    secs: i64,
    nanos: u32,
}

impl DateTime {
    /// Seconds since 1970-01-01T00:00:00Z (negative before).
    pub fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// The nanoseconds within the second.
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Parses `s`, or `None` if it is not a complete, valid timestamp.
    pub fn parse(s: &str) -> Option<DateTime> {
        let b = s.as_bytes();
        // The shortest form is `YYYY-MM-DDThh:mm:ss`: 19 bytes.
        if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
            return None;
        }
        if !matches!(b[10], b'T' | b't') {
            return None;
        }
        let year = digits(b, 0, 4)?;
        let month = digits(b, 5, 2)?;
        let day = digits(b, 8, 2)?;
        let hour = digits(b, 11, 2)?;
        let minute = digits(b, 14, 2)?;
        let second = digits(b, 17, 2)?;
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }

        let mut pos = 19;
        let mut nanos = 0u32;
        if b.get(pos) == Some(&b'.') {
            pos += 1;
            let start = pos;
            while pos < b.len() && b[pos].is_ascii_digit() {
                if pos - start < 9 {
                    nanos = nanos * 10 + u32::from(b[pos] - b'0');
                }
                pos += 1;
            }
            let len = pos - start;
            if len == 0 {
                return None;
            }
            for _ in len..9 {
                nanos *= 10;
            }
        }

        let offset_secs: i64 = match b.get(pos..)? {
            [] | [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let hours = digits(&[*h1, *h2], 0, 2)?;
                let minutes = digits(&[*m1, *m2], 0, 2)?;
                if hours > 23 || minutes > 59 {
                    return None;
                }
                let offset = i64::from(hours * 3600 + minutes * 60);
                if *sign == b'-' { -offset } else { offset }
            }
            _ => return None,
        };

        let days = days_from_civil(i64::from(year), month, day);
        let local = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
        Some(DateTime { secs: local - offset_secs, nanos })
    }
}

/// Reads `len` ASCII digits of `b` starting at `start`.
fn digits(b: &[u8], start: usize, len: usize) -> Option<u32> {
    b.get(start..start + len)?
        .iter()
        .try_fold(0u32, |acc, &d| d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0')))
}

fn is_leap_year(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime {
        DateTime::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn epoch_and_known_instants() {
        assert_eq!(at("1970-01-01T00:00:00Z"), DateTime { secs: 0, nanos: 0 });
        assert_eq!(at("2000-03-01T00:00:00Z").secs, 951_868_800);
        assert_eq!(at("1969-12-31T23:59:59Z").secs, -1);
        assert_eq!(at("2011-05-13T04:42:34Z").secs, 1_305_261_754);
    }

    #[test]
    fn a_local_time_is_taken_as_utc() {
        assert_eq!(at("2011-05-13T04:42:34"), at("2011-05-13T04:42:34Z"));
        assert_eq!(at("2011-05-13T04:42:34.25"), at("2011-05-13T04:42:34.25Z"));
        assert!(DateTime::parse("2011-05-13T04:42:3").is_none());
        assert!(DateTime::parse("2011-05-13T04:42:34.").is_none());
    }

    #[test]
    fn offsets_normalise() {
        assert_eq!(at("2011-05-13T04:42:34Z"), at("2011-05-13T06:42:34+02:00"));
        assert_eq!(at("2011-05-13T04:42:34Z"), at("2011-05-12T23:12:34-05:30"));
        assert_eq!(at("2011-05-13t04:42:34z"), at("2011-05-13T04:42:34Z"));
    }

    #[test]
    fn fractions() {
        assert_eq!(at("2011-05-13T04:42:34.5Z").nanos, 500_000_000);
        assert_eq!(at("2011-05-13T04:42:34.123456789123Z").nanos, 123_456_789);
        assert!(at("2011-05-13T04:42:34.001Z") > at("2011-05-13T04:42:34Z"));
        assert_eq!(at("2011-05-13T04:42:34.100Z"), at("2011-05-13T04:42:34.1Z"));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "2011-05-13",
            "2011-05-13 04:42:34Z",
            "2011-13-13T04:42:34Z",
            "2011-02-29T04:42:34Z",
            "2011-04-31T04:42:34Z",
            "2011-05-00T04:42:34Z",
            "2011-05-13T24:00:00Z",
            "2011-05-13T04:60:34Z",
            "2011-05-13T04:42:60Z",
            "2011-05-13T04:42:34.Z",
            "2011-05-13T04:42:34+0200",
            "2011-05-13T04:42:34+24:00",
            "2011-05-13T04:42:34Zjunk",
            "+011-05-13T04:42:34Z",
            "2011-05-13T04:42:34ZZ",
            "2011-05-13T04:42:3éZ",
        ] {
            assert!(DateTime::parse(bad).is_none(), "{bad:?} should not parse");
        }
        assert!(DateTime::parse("2012-02-29T00:00:00Z").is_some());
        assert!(DateTime::parse("2000-02-29T00:00:00Z").is_some());
        assert!(DateTime::parse("1900-02-29T00:00:00Z").is_none());
    }
}
