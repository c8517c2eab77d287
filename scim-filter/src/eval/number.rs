//! Numbers compared across JSON integers and decimals.

use std::cmp::Ordering;

use serde_json::Number;

/// A JSON number as the evaluator compares it: exactly between integers, as `f64` otherwise.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Num {
    /// A signed integer (every integer that fits `i64`).
    Int(i64),
    /// An unsigned integer above `i64::MAX`.
    UInt(u64),
    /// A decimal (or an integer too large for 64 bits).
    Float(f64),
}

impl Num {
    /// The number held by a JSON number.
    pub(crate) fn from_json(n: &Number) -> Option<Num> {
        if let Some(i) = n.as_i64() {
            Some(Num::Int(i))
        } else if let Some(u) = n.as_u64() {
            Some(Num::UInt(u))
        } else {
            n.as_f64().filter(|f| f.is_finite()).map(Num::Float)
        }
    }

    /// Parses a number written in a string (`"42"`, `" -1.5e3 "`), in JSON number syntax
    /// (surrounding spaces allowed). Returns `None` for anything else, including `inf` and `NaN`.
    pub(crate) fn parse(s: &str) -> Option<Num> {
        let s = s.trim();
        let unsigned = s.strip_prefix('-').unwrap_or(s);
        if !unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit)
            || !unsigned
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        {
            return None;
        }
        if let Ok(i) = s.parse::<i64>() {
            Some(Num::Int(i))
        } else if let Ok(u) = s.parse::<u64>() {
            Some(Num::UInt(u))
        } else {
            s.parse::<f64>().ok().filter(|f| f.is_finite()).map(Num::Float)
        }
    }

    /// Orders two numbers; `None` only if a float is NaN (which JSON cannot hold).
    pub(crate) fn compare(self, other: Num) -> Option<Ordering> {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => Some(a.cmp(&b)),
            (Num::UInt(a), Num::UInt(b)) => Some(a.cmp(&b)),
            (Num::Int(a), Num::UInt(b)) => Some(cmp_int_uint(a, b)),
            (Num::UInt(a), Num::Int(b)) => Some(cmp_int_uint(b, a).reverse()),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::UInt(u) => u as f64,
            Num::Float(f) => f,
        }
    }
}

fn cmp_int_uint(a: i64, b: u64) -> Ordering {
    u64::try_from(a).map_or(Ordering::Less, |a| a.cmp(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(s: &str) -> Num {
        let n: Number = serde_json::from_str(s).unwrap();
        Num::from_json(&n).unwrap()
    }

    #[test]
    fn integers_and_decimals_compare_numerically() {
        assert_eq!(json("5").compare(json("5.0")), Some(Ordering::Equal));
        assert_eq!(json("5").compare(json("5.5")), Some(Ordering::Less));
        assert_eq!(json("-1").compare(json("18446744073709551615")), Some(Ordering::Less));
        assert_eq!(json("18446744073709551615").compare(json("1")), Some(Ordering::Greater));
        assert_eq!(
            json("9007199254740993").compare(json("9007199254740992")),
            Some(Ordering::Greater)
        );
        assert_eq!(json("1e2").compare(json("100")), Some(Ordering::Equal));
    }

    #[test]
    fn parses_numeric_strings_only() {
        assert_eq!(Num::parse(" 42 "), Some(Num::Int(42)));
        assert_eq!(Num::parse("-1.5e3"), Some(Num::Float(-1500.0)));
        assert_eq!(Num::parse("18446744073709551615"), Some(Num::UInt(u64::MAX)));
        for bad in ["", "-", "abc", "inf", "NaN", "infinity", "1x", ".5", "+1", "1e999"] {
            assert_eq!(Num::parse(bad), None, "{bad:?}");
        }
    }
}
