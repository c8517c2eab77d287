//! The protocol messages of RFC 7644, in their exact wire shapes.
//!
//! Output always uses the RFC spelling (`Operations`, `Resources`, `scimType`) and JSON numbers
//! for counts. Input is tolerant, as RFC 7643 §2.1 and real clients require: the attribute names
//! of these messages match in any case (`operations`, `Operations`, `OPERATIONS`), PATCH `op` and
//! bulk `method` values match in any case, and counts may arrive as numeric strings.

mod bulk;
pub(crate) mod de;
mod error_response;
mod list_response;
mod patch;
mod search_request;

pub use bulk::{BulkMethod, BulkOperation, BulkOperationResponse, BulkRequest, BulkResponse};
pub use error_response::ErrorResponse;
pub use list_response::ListResponse;
pub use patch::{PatchOpKind, PatchOperation, PatchRequest};
pub use search_request::{SearchRequest, SortOrder};

pub(crate) use crate::schema::urn::{
    MESSAGE_BULK_REQUEST as BULK_REQUEST_URN, MESSAGE_BULK_RESPONSE as BULK_RESPONSE_URN,
    MESSAGE_ERROR as ERROR_URN, MESSAGE_LIST_RESPONSE as LIST_RESPONSE_URN,
    MESSAGE_PATCH_OP as PATCH_OP_URN, MESSAGE_SEARCH_REQUEST as SEARCH_REQUEST_URN,
};
