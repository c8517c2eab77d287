//! String comparison with or without case folding, allocation-free, in time linear in the
//! lengths of both strings.
//!
//! Case-insensitive comparison compares the streams of `char::to_lowercase` of both sides (so the
//! Kelvin sign `K` equals `k`, and `İ` folds to `i` followed by a combining dot). The comparison
//! value is folded once, when the filter is prepared; the resource's strings are folded lazily,
//! char by char, with a byte-wise fast path when they are ASCII.
//!
//! Substring search (`co`) never compares the needle at every position of the value: case-exact
//! it is `memchr`'s `memmem`; folded, a vectorised scan for the needle's first byte with a
//! budget of comparisons, past which it finishes with Knuth-Morris-Pratt over the folded
//! streams (the needle's failure table is built with the needle). A megabyte of value and a
//! needle of kilobytes costs about a megabyte of steps either way.

use std::cmp::Ordering;

use memchr::memmem;

/// A comparison string, prepared for one kind of comparison.
#[derive(Clone, Debug)]
pub(crate) struct Needle {
    /// The string as written in the filter (used when comparing case-exactly).
    raw: Box<str>,
    /// A searcher for `raw` (case-exact `co`).
    finder: memmem::Finder<'static>,
    /// `raw` mapped through `char::to_lowercase` (used when comparing case-insensitively).
    folded: Box<str>,
    /// Whether `folded` is ASCII.
    folded_ascii: bool,
    /// The chars of `folded` and their Knuth-Morris-Pratt failure table (empty if case-exact).
    folded_chars: Box<[char]>,
    failure: Box<[usize]>,
    /// Whether comparisons are case-sensitive.
    case_exact: bool,
}

impl Needle {
    pub(crate) fn new(raw: &str, case_exact: bool) -> Self {
        let folded: String = if case_exact { String::new() } else { fold(raw).collect() };
        let folded_chars: Box<[char]> = folded.chars().collect();
        Self {
            raw: raw.into(),
            finder: memmem::Finder::new(raw.as_bytes()).into_owned(),
            folded_ascii: folded.is_ascii(),
            folded: folded.into_boxed_str(),
            failure: failure_table(&folded_chars),
            folded_chars,
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
            return self.finder.find(hay.as_bytes()).is_some();
        }
        if self.folded.is_empty() {
            return true;
        }
        if hay.is_ascii() {
            self.folded_ascii && self.contains_ascii(hay.as_bytes())
        } else {
            occurs(fold(hay), &self.folded_chars, &self.failure)
        }
    }

    /// Whether ASCII `hay` contains the folded ASCII needle, ignoring ASCII case: candidates
    /// found by their first byte and checked, until the checks have cost as much as `hay` is
    /// long; then Knuth-Morris-Pratt.
    fn contains_ascii(&self, hay: &[u8]) -> bool {
        let needle = self.folded.as_bytes();
        let Some((&first, rest)) = needle.split_first() else { return true };
        let Some(last_start) = hay.len().checked_sub(needle.len()) else { return false };
        let upper = first.to_ascii_uppercase();
        let mut budget = hay.len();
        let mut at = 0;
        while at <= last_start {
            let Some(found) = memchr::memchr2(first, upper, &hay[at..=last_start]) else {
                return false;
            };
            let start = at + found;
            let candidate = &hay[start + 1..start + needle.len()];
            let same =
                candidate.iter().zip(rest).take_while(|(h, n)| h.to_ascii_lowercase() == **n);
            let same = same.count();
            if same == rest.len() {
                return true;
            }
            if same >= budget {
                let hay = hay[start..].iter().map(|b| char::from(b.to_ascii_lowercase()));
                return occurs(hay, &self.folded_chars, &self.failure);
            }
            budget -= same;
            at = start + 1;
        }
        false
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

/// The Knuth-Morris-Pratt failure table of `needle`: at `i`, the length of the longest proper
/// prefix of `needle[..=i]` that is also its suffix.
fn failure_table(needle: &[char]) -> Box<[usize]> {
    let mut table = vec![0; needle.len()];
    let mut k = 0;
    for i in 1..needle.len() {
        while k > 0 && needle[i] != needle[k] {
            k = table[k - 1];
        }
        if needle[i] == needle[k] {
            k += 1;
        }
        table[i] = k;
    }
    table.into_boxed_slice()
}

/// Whether the stream `hay` contains the non-empty `needle`, whose failure table is `failure`:
/// each char of `hay` is looked at once, and each step back in the needle pays for a step
/// forward, so at most twice as many steps as `hay` has chars.
fn occurs(hay: impl Iterator<Item = char>, needle: &[char], failure: &[usize]) -> bool {
    let mut k = 0;
    for c in hay {
        while k > 0 && needle[k] != c {
            k = failure[k - 1];
        }
        if needle.get(k) == Some(&c) {
            k += 1;
            if k == needle.len() {
                return true;
            }
        }
    }
    needle.is_empty()
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

    proptest::proptest! {
        /// `co` finds the needle exactly when the folded value contains the folded needle,
        /// on strings made of letters that fold in every way (ASCII case, the Kelvin sign, a
        /// char folding to two, a combining mark) so that partial matches overlap.
        #[test]
        fn contains_is_substring_of_the_folded_forms(
            hay in "[aAbB\u{212A}kİi\u{307}ß]{0,40}",
            needle in "[aAbB\u{212A}kİi\u{307}ß]{0,6}",
        ) {
            let expected = fold_case(&hay).contains(&*fold_case(&needle));
            proptest::prop_assert_eq!(ci(&needle).contains(&hay), expected);
            proptest::prop_assert_eq!(
                Needle::new(&needle, true).contains(&hay),
                hay.contains(&needle)
            );
        }

        /// The same over ASCII, where the first-byte scan and its fallback run.
        #[test]
        fn ascii_contains_is_substring_ignoring_case(
            hay in "[aAbB]{0,64}",
            needle in "[aAbB]{0,8}",
        ) {
            let expected = hay.to_ascii_lowercase().contains(&needle.to_ascii_lowercase());
            proptest::prop_assert_eq!(ci(&needle).contains(&hay), expected);
        }
    }

    #[test]
    fn a_match_past_the_comparison_budget_is_still_found() {
        // Every candidate shares 30 bytes with the needle: the budget runs out early and the
        // search finishes with Knuth-Morris-Pratt, which must still find the match at the end.
        let mut hay = "a".repeat(31).repeat(100);
        hay.push_str(&"A".repeat(31));
        hay.push('B');
        let needle = format!("{}b", "a".repeat(31));
        assert!(ci(&needle).contains(&hay));
        assert!(!ci(&format!("{}c", "a".repeat(31))).contains(&hay));
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
