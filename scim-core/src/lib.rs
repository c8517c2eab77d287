//! SCIM 2.0 semantics: the schema model (RFC 7643), resources, validation, PATCH, projection and
//! protocol messages (RFC 7644).
//!
//! scim-core knows nothing about storage engines or HTTP servers.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;
mod message;

#[doc(inline)]
pub use scim_filter as filter;

pub use error::{Error, Result, ScimType};
pub use message::{
    BulkMethod, BulkOperation, BulkOperationResponse, BulkRequest, BulkResponse, ErrorResponse,
    ListResponse, PatchOpKind, PatchOperation, PatchRequest, SearchRequest, SortOrder,
};
