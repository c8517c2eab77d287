//! The public parse error.

use std::fmt;

/// Why a filter or path did not parse: the byte offset where parsing failed and what was
/// expected there.
///
/// The type is opaque and pointer-sized, so `Result<Filter, ParseError>` stays small.
///
/// ```
/// use scimkit_filter::Filter;
///
/// let err = Filter::parse(r#"userName eq "bjensen"#).unwrap_err();
/// assert_eq!(err.position(), 12);
/// assert_eq!(err.to_string(), "unterminated string at byte 12");
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.inner)]
pub struct ParseError {
    inner: Box<Inner>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    position: usize,
    message: String,
}

impl fmt::Display for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.message, self.position)
    }
}

impl fmt::Debug for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParseError")
            .field("position", &self.inner.position)
            .field("message", &self.inner.message)
            .finish()
    }
}

impl ParseError {
    pub(crate) fn new(position: usize, message: impl Into<String>) -> Self {
        Self { inner: Box::new(Inner { position, message: message.into() }) }
    }

    /// The byte offset in the input where parsing failed.
    pub fn position(&self) -> usize {
        self.inner.position
    }

    /// What went wrong, without the position (`expected an operator`).
    pub fn message(&self) -> &str {
        &self.inner.message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_small_send_and_sync() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<ParseError>();
        assert_eq!(std::mem::size_of::<ParseError>(), std::mem::size_of::<usize>());
    }
}
