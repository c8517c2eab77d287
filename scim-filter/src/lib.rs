//! The SCIM 2.0 filter and attribute-path language: a parser, an AST and a fast evaluator.
//!
//! This crate implements the filter grammar of RFC 7644 §3.4.2.2 and the PATCH path grammar of
//! §3.5.2, together with the forms real identity providers send (`emails[type eq
//! "work"].value eq "ann@example.com"`, keywords in any case, runs of spaces). It knows nothing of
//! SCIM schemas: a caller that has them answers a small [`FilterSchema`] hook.
//!
//! # Quick start
//!
//! ```
//! use scimkit_filter::Filter;
//! use serde_json::json;
//!
//! let filter: Filter = r#"userName eq "bjensen" and emails[type eq "work" and value co "@example.com"]"#
//!     .parse()?;
//! let user = json!({
//!     "userName": "BJensen",
//!     "emails": [
//!         { "type": "home", "value": "babs@jensen.org" },
//!         { "type": "work", "value": "bjensen@example.com" }
//!     ]
//! });
//! assert!(filter.matches(&user));
//! # Ok::<(), scimkit_filter::ParseError>(())
//! ```
//!
//! For repeated evaluation, [`Filter::prepare`] folds names and parses values once.
//!
//! # Limits
//!
//! Parsing enforces a maximum input length, nesting depth and number of terms ([`Limits`]), so
//! hostile input returns an error instead of exhausting the stack or the CPU.
#![doc = include_str!("eval/semantics.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod ast;
mod datetime;
mod error;
mod eval;
mod parser;
mod schema;

pub use ast::{
    AttrExpr, AttrName, AttrPath, AttrTest, CompValue, CompareOp, Filter, PatchPath, SchemaUri,
    ValuePath,
};
pub use datetime::DateTime;
pub use error::ParseError;
pub use eval::{EvalError, PreparedFilter, fold_case, parse_bool};
pub use parser::Limits;
pub use schema::{AttrInfo, AttrType, FilterSchema, NoSchema};

/// The crate README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
