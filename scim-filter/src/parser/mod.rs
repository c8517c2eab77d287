//! The nom parser for filters, attribute paths and PATCH paths.
//!
//! The grammar is RFC 7644 §3.4.2.2 (filters) and §3.5.2 (PATCH paths), parsed by recursive
//! descent over small nom parsers. Every rule that commits to a branch fails with
//! [`nom::Err::Failure`], so errors point at the byte where the input went wrong, not at the
//! start of the last alternative tried. Nesting depth and the number of terms are counted while
//! parsing, never after, so deep input cannot exhaust the stack.

mod filter;
mod path;
mod token;

use std::cell::Cell;

use crate::ast::{AttrPath, Filter, PatchPath};
use crate::error::ParseError;

/// Limits enforced while parsing, so hostile input fails fast instead of exhausting the stack
/// or the CPU.
///
/// ```
/// use scimkit_filter::{Filter, Limits};
///
/// let limits = Limits::default().with_max_depth(2);
/// assert!(Filter::parse_with("((a pr))", &limits).is_ok());
/// assert!(Filter::parse_with("(((a pr)))", &limits).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The longest input accepted, in bytes (default 65,536).
    pub max_length: usize,
    /// The deepest nesting of parentheses, `not` and value paths (default 64).
    pub max_depth: usize,
    /// The most attribute expressions (terms) in one filter (default 1,024).
    pub max_terms: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_length: 64 * 1024, max_depth: 64, max_terms: 1024 }
    }
}

impl Limits {
    /// These limits with a different maximum input length in bytes.
    #[must_use]
    pub fn with_max_length(mut self, max_length: usize) -> Self {
        self.max_length = max_length;
        self
    }

    /// These limits with a different maximum nesting depth.
    #[must_use]
    pub fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// These limits with a different maximum number of terms.
    #[must_use]
    pub fn with_max_terms(mut self, max_terms: usize) -> Self {
        self.max_terms = max_terms;
        self
    }
}

/// The parser's internal error: where it failed (the remaining input) and what it expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Expected<'a> {
    pub(crate) input: &'a str,
    pub(crate) message: &'static str,
}

impl<'a> nom::error::ParseError<&'a str> for Expected<'a> {
    fn from_error_kind(input: &'a str, _kind: nom::error::ErrorKind) -> Self {
        Expected { input, message: "invalid syntax" }
    }

    fn append(_input: &'a str, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        // Keep the error that got furthest into the input.
        if other.input.len() < self.input.len() { other } else { self }
    }
}

impl<'a> nom::error::ContextError<&'a str> for Expected<'a> {
    fn add_context(_input: &'a str, _ctx: &'static str, other: Self) -> Self {
        other
    }
}

/// The result type of every parser function.
pub(crate) type PResult<'a, T> = nom::IResult<&'a str, T, Expected<'a>>;

/// Fails at `input`, committed, saying what was expected.
pub(crate) fn fail<'a, T>(input: &'a str, message: &'static str) -> PResult<'a, T> {
    Err(nom::Err::Failure(Expected { input, message }))
}

/// State shared by one parse: the limits and the running count of terms.
#[derive(Debug)]
pub(crate) struct Ctx {
    limits: Limits,
    terms: Cell<usize>,
}

impl Ctx {
    fn new(limits: &Limits) -> Self {
        Self { limits: *limits, terms: Cell::new(0) }
    }

    /// Counts one more term, failing past the limit.
    pub(crate) fn count_term<'a>(&self, input: &'a str) -> PResult<'a, ()> {
        let terms = self.terms.get() + 1;
        if terms > self.limits.max_terms {
            return fail(input, "no more terms (the filter has too many)");
        }
        self.terms.set(terms);
        Ok((input, ()))
    }

    /// Checks that one more level of nesting is allowed.
    pub(crate) fn enter<'a>(&self, input: &'a str, depth: usize) -> PResult<'a, usize> {
        if depth >= self.limits.max_depth {
            return fail(input, "less nesting (the filter is nested too deeply)");
        }
        Ok((input, depth + 1))
    }
}

/// Runs `parse` over the whole of `input` (surrounding whitespace allowed) and turns its error
/// into a [`ParseError`] with a byte offset.
fn parse_all<T>(
    input: &str,
    limits: &Limits,
    what: &'static str,
    parse: impl for<'a> FnOnce(&Ctx, &'a str) -> PResult<'a, T>,
) -> Result<T, ParseError> {
    if input.len() > limits.max_length {
        return Err(ParseError::new(
            limits.max_length,
            format!("{what} is longer than {} bytes", limits.max_length),
        ));
    }
    let ctx = Ctx::new(limits);
    let offset = |rest: &str| input.len() - rest.len();
    let (rest, _) = token::ws0(input).map_err(|_| ParseError::new(0, "invalid input"))?;
    if rest.is_empty() {
        return Err(ParseError::new(input.len(), format!("expected {what}, found nothing")));
    }
    match parse(&ctx, rest) {
        Ok((rest, value)) => {
            let (rest, _) = token::ws0(rest).map_err(|_| ParseError::new(0, "invalid input"))?;
            if rest.is_empty() {
                Ok(value)
            } else {
                Err(ParseError::new(offset(rest), trailing_message(rest)))
            }
        }
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
            Err(ParseError::new(offset(e.input), describe(e)))
        }
        Err(nom::Err::Incomplete(_)) => {
            Err(ParseError::new(input.len(), format!("incomplete {what}")))
        }
    }
}

/// The message for input left over after a complete filter or path.
fn trailing_message(rest: &str) -> &'static str {
    match rest.as_bytes()[0] {
        b')' => "unbalanced ')'",
        b']' => "unbalanced ']'",
        _ => "expected 'and', 'or' or the end of the input",
    }
}

/// Turns an internal error into the public message: "expected …" unless the message is already
/// a complete sentence.
fn describe(e: Expected<'_>) -> String {
    if e.message.starts_with("expected")
        || e.message.starts_with("unterminated")
        || e.message.starts_with("invalid")
        || e.message.starts_with("number")
        || e.message.starts_with("unbalanced")
    {
        e.message.to_owned()
    } else {
        format!("expected {}", e.message)
    }
}

impl Filter {
    /// Parses a filter with the default [`Limits`].
    ///
    /// ```
    /// use scimkit_filter::Filter;
    ///
    /// let filter = Filter::parse(r#"emails[type eq "work"].value eq "ann@example.com""#)?;
    /// assert!(matches!(filter, Filter::ValuePathAttr { .. }));
    /// let err = Filter::parse("userName eq").unwrap_err();
    /// assert_eq!(err.position(), 11);
    /// # Ok::<(), scimkit_filter::ParseError>(())
    /// ```
    pub fn parse(input: &str) -> Result<Filter, ParseError> {
        Self::parse_with(input, &Limits::default())
    }

    /// Parses a filter with the given limits.
    pub fn parse_with(input: &str, limits: &Limits) -> Result<Filter, ParseError> {
        parse_all(input, limits, "a filter", |ctx, i| filter::parse_filter(ctx, i, 0, false))
    }
}

impl std::str::FromStr for Filter {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Filter::parse(s)
    }
}

impl PatchPath {
    /// Parses a PATCH path with the default [`Limits`].
    ///
    /// ```
    /// use scimkit_filter::PatchPath;
    ///
    /// let path = PatchPath::parse(r#"members[value eq "2819c223"]"#)?;
    /// assert_eq!(path.attr().name, "members");
    /// # Ok::<(), scimkit_filter::ParseError>(())
    /// ```
    pub fn parse(input: &str) -> Result<PatchPath, ParseError> {
        Self::parse_with(input, &Limits::default())
    }

    /// Parses a PATCH path with the given limits.
    pub fn parse_with(input: &str, limits: &Limits) -> Result<PatchPath, ParseError> {
        parse_all(input, limits, "a path", path::parse_patch_path)
    }
}

impl std::str::FromStr for PatchPath {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PatchPath::parse(s)
    }
}

impl AttrPath {
    /// Parses an attribute path (`urn:…:User:name.givenName`).
    ///
    /// ```
    /// use scimkit_filter::AttrPath;
    ///
    /// let path = AttrPath::parse("name.givenName")?;
    /// assert_eq!(path.to_string(), "name.givenName");
    /// # Ok::<(), scimkit_filter::ParseError>(())
    /// ```
    pub fn parse(input: &str) -> Result<AttrPath, ParseError> {
        parse_all(input, &Limits::default(), "an attribute path", |_, i| path::parse_attr_path(i))
    }
}

impl std::str::FromStr for AttrPath {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AttrPath::parse(s)
    }
}

/// Serialises as the canonical filter string.
impl serde::Serialize for Filter {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Deserialises from a filter string.
impl<'de> serde::Deserialize<'de> for Filter {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Filter::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Serialises as the canonical path string.
impl serde::Serialize for PatchPath {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Deserialises from a path string.
impl<'de> serde::Deserialize<'de> for PatchPath {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        PatchPath::parse(&text).map_err(serde::de::Error::custom)
    }
}
