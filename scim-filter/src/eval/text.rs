//! String comparison with or without case folding, allocation-free.
//!
//! Case-insensitive comparison compares the streams of `char::to_lowercase` of both sides (so the
//! Kelvin sign `K` equals `k`, and `İ` folds to `i` followed by a combining dot). The comparison
//! value is folded once, when the filter is prepared; the resource's strings are folded lazily,
//! char by char, with a byte-wise fast path when they are ASCII.

use std::cmp::Ordering;

/// A comparison string, prepared for one kind of comparison.
#[derive(Clone, Debug)]
pub(crate) struct Needle {
    /// The string as written in the filter (used when comparing case-exactly).
    raw: Box<str>,
    /// `raw` mapped through `char::to_lowercase` (used when comparing case-insensitively).
    folded: Box<str>,
    /// Whether `folded` is ASCII.
    folded_ascii: bool,
    /// Whether comparisons are case-sensitive.
    case_exact: bool,
}

impl Needle {
    pub(crate) fn new(raw: &str, case_exact: bool) -> Self {
        let folded: String = if case_exact { String::new() } else { fold(raw).collect() };
        Self {
            raw: raw.into(),
            folded_ascii: folded.is_ascii(),
            folded: folded.into_boxed_str(),
            case_exact,
        }
    }

    /// Whether `hay` equals the needle.
    #[inline]
    pub(crate) fn eq(&self, hay: &str) -> bool {
        if self.case_exact {
            return hay == &*self.raw;
        }
        // Equal bytes up to ASCII case mean equal folded streams (the folded needle is its own
        // lower case). Otherwise an ASCII `hay` cannot match: it folds to ASCII, byte for byte.
        hay.eq_ignore_ascii_case(&self.folded)
            || (!hay.is_ascii() && fold(hay).eq(self.folded.chars()))
    }

    /// Whether `hay` starts with the needle.
    #[inline]
    pub(crate) fn starts(&self, hay: &str) -> bool {
        if self.case_exact {
            return hay.starts_with(&*self.raw);
        }
        if hay.is_ascii() {
            self.folded_ascii
                && hay
                    .as_bytes()
                    .get(..self.folded.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(self.folded.as_bytes()))
        } else {
            starts_folded(hay, &self.folded)
        }
    }

    /// Whether `hay` ends with the needle.
    #[inline]
    pub(crate) fn ends(&self, hay: &str) -> bool {
        if self.case_exact {
            return hay.ends_with(&*self.raw);
        }
        if hay.is_ascii() {
            self.folded_ascii
                && hay.len().checked_sub(self.folded.len()).is_some_and(|start| {
                    hay.as_bytes()[start..].eq_ignore_ascii_case(self.folded.as_bytes())
                })
        } else {
            let mut hay = hay.chars().rev().flat_map(|c| c.to_lowercase().rev());
            self.folded.chars().rev().all(|n| hay.next() == Some(n))
        }
    }

    /// Whether `hay` contains the needle.
    #[inline]
    pub(crate) fn contains(&self, hay: &str) -> bool {
        if self.case_exact {
            return hay.contains(&*self.raw);
        }
        if hay.is_ascii() {
            self.folded_ascii && contains_ascii_folded(hay.as_bytes(), self.folded.as_bytes())
        } else {
            self.folded.is_empty()
                || hay.char_indices().any(|(i, _)| starts_folded(&hay[i..], &self.folded))
        }
    }

    /// How `hay` orders against the needle (by code point, after folding if case-insensitive).
    #[inline]
    pub(crate) fn order(&self, hay: &str) -> Ordering {
        if self.case_exact {
            return hay.cmp(&self.raw);
        }
        if hay.is_ascii() && self.folded_ascii {
            hay.bytes().map(|b| b.to_ascii_lowercase()).cmp(self.folded.bytes())
        } else {
            fold(hay).cmp(self.folded.chars())
        }
    }
}

/// The lower-case stream of `s`.
fn fold(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().flat_map(char::to_lowercase)
}

/// The case-folded form of `s` that case-insensitive comparison uses: every character mapped
/// through `char::to_lowercase`.
///
/// Two strings are equal under a filter's case-insensitive `eq` exactly when their folded forms
/// are equal, so a store that enforces case-insensitive uniqueness or indexes values for
/// case-insensitive lookup should key on this form: then uniqueness and filter matching agree.
///
/// ```
/// use scimkit_filter::fold_case;
///
/// assert_eq!(fold_case("BJensen"), "bjensen");
/// assert_eq!(fold_case("\u{212A}elvin"), "kelvin"); // the Kelvin sign
/// assert_eq!(fold_case("straße"), "straße");
/// ```
pub fn fold_case(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().all(|b| !b.is_ascii_uppercase() && b.is_ascii()) {
        std::borrow::Cow::Borrowed(s)
    } else if s.is_ascii() {
        std::borrow::Cow::Owned(s.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Owned(fold(s).collect())
    }
}

/// Whether the folded stream of `hay` starts with `folded`.
fn starts_folded(hay: &str, folded: &str) -> bool {
    let mut hay = fold(hay);
    folded.chars().all(|n| hay.next() == Some(n))
}

/// Whether ASCII `hay` contains the lower-case ASCII `needle`, ignoring ASCII case.
fn contains_ascii_folded(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    if hay.len() < needle.len() {
        return false;
    }
    let last_start = hay.len() - needle.len();
    (0..=last_start).any(|i| {
        hay[i].to_ascii_lowercase() == first
            && hay[i + 1..i + needle.len()].eq_ignore_ascii_case(rest)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci(s: &str) -> Needle {
        Needle::new(s, false)
    }

    #[test]
    fn case_insensitive_ascii() {
        assert!(ci("BJensen").eq("bjensen"));
        assert!(!ci("BJensen").eq("bjensen2"));
        assert!(ci("bj").starts("BJensen"));
        assert!(ci("SEN").ends("BJensen"));
        assert!(ci("ENS").contains("BJensen"));
        assert!(!ci("xyz").contains("BJensen"));
        assert!(ci("").contains("anything"));
        assert_eq!(ci("b").order("A"), Ordering::Less);
        assert_eq!(ci("B").order("a"), Ordering::Less);
        assert_eq!(ci("a").order("B"), Ordering::Greater);
        assert_eq!(ci("ABC").order("abc"), Ordering::Equal);
    }

    #[test]
    fn case_exact() {
        let n = Needle::new("BJensen", true);
        assert!(n.eq("BJensen"));
        assert!(!n.eq("bjensen"));
        assert!(!Needle::new("bj", true).starts("BJensen"));
        assert_eq!(Needle::new("a", true).order("B"), Ordering::Less);
    }

    #[test]
    fn unicode_folding() {
        // Kelvin sign folds to ASCII k.
        assert!(ci("k").eq("\u{212A}"));
        assert!(ci("\u{212A}elvin").eq("KELVIN"));
        assert!(ci("kel").starts("\u{212A}elvin"));
        assert!(ci("el").contains("\u{212A}elvin"));
        assert!(ci("vin").ends("\u{212A}elvin"));
        // Non-ASCII letters fold both ways.
        assert!(ci("ÄRGER").eq("ärger"));
        assert!(ci("straße").eq("STRAßE"));
        assert!(ci("ß").contains("Straße"));
        assert!(!ci("ss").eq("ß"));
        // İ folds to i + U+0307; none of this panics.
        assert!(ci("İstanbul").eq("i\u{307}stanbul"));
        assert!(ci("i").starts("İstanbul"));
        assert!(ci("\u{307}").ends("İ"));
        assert!(!ci("İ").eq("I"));
        assert_eq!(ci("é").order("E"), Ordering::Less);
        assert!(!ci("é").contains("e"));
        assert!(!ci("é").eq("e"));
        assert!(!ci("é").starts("e"));
        assert!(!ci("é").ends("e"));
    }

    #[test]
    fn lower_case_is_idempotent() {
        // `Needle::eq` relies on it: a folded needle is its own lower case.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            for l in c.to_lowercase() {
                assert!(l.to_lowercase().eq([l]), "{c:?} -> {l:?}");
            }
        }
    }
}
