//! The protocol messages of RFC 7644, in their exact wire shapes.
//!
//! Output always uses the RFC spelling (`Operations`, `Resources`, `scimType`) and JSON numbers
//! for counts. Input is tolerant, as RFC 7643 §2.1 and real clients require: the attribute names
//! of these messages match in any case (`operations`, `Operations`, `OPERATIONS`), PATCH `op` and
//! bulk `method` values match in any case, and counts may arrive as numeric strings.

mod bulk;
mod de;
mod error_response;
mod list_response;
mod patch;
mod search_request;

pub use bulk::{BulkMethod, BulkOperation, BulkOperationResponse, BulkRequest, BulkResponse};
pub use error_response::ErrorResponse;
pub use list_response::ListResponse;
pub use patch::{PatchOpKind, PatchOperation, PatchRequest};
pub use search_request::{SearchRequest, SortOrder};

// Message schema URNs (RFC 7644 §3.1, Table 8 and §8.2). The public constants live with the schema
// model; these private copies keep this module self-contained until the two are unified.

/// `urn:ietf:params:scim:api:messages:2.0:ListResponse` (RFC 7644 §3.4.2).
pub(crate) const LIST_RESPONSE_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// `urn:ietf:params:scim:api:messages:2.0:SearchRequest` (RFC 7644 §3.4.3).
pub(crate) const SEARCH_REQUEST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
/// `urn:ietf:params:scim:api:messages:2.0:PatchOp` (RFC 7644 §3.5.2).
pub(crate) const PATCH_OP_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// `urn:ietf:params:scim:api:messages:2.0:BulkRequest` (RFC 7644 §3.7).
pub(crate) const BULK_REQUEST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
/// `urn:ietf:params:scim:api:messages:2.0:BulkResponse` (RFC 7644 §3.7).
pub(crate) const BULK_RESPONSE_URN: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
/// `urn:ietf:params:scim:api:messages:2.0:Error` (RFC 7644 §3.12).
pub(crate) const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
