//! Evaluation of filters against JSON resources (being written).

/// A filter prepared for repeated evaluation.
#[derive(Debug)]
pub struct PreparedFilter;

/// A filter that cannot be evaluated under a schema.
#[derive(Debug, thiserror::Error)]
#[error("not yet")]
pub struct EvalError;
