//! The URNs of the RFC 7643 schemas and the RFC 7644 protocol messages.
//!
//! ```
//! use scimkit_core::urn;
//!
//! assert_eq!(urn::SCHEMA_USER, "urn:ietf:params:scim:schemas:core:2.0:User");
//! assert!(urn::MESSAGE_PATCH_OP.ends_with(":PatchOp"));
//! ```

/// The core User schema (RFC 7643 §4.1).
pub const SCHEMA_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The core Group schema (RFC 7643 §4.2).
pub const SCHEMA_GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// The Enterprise User extension (RFC 7643 §4.3).
pub const SCHEMA_ENTERPRISE_USER: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// The Service Provider Configuration schema (RFC 7643 §5).
pub const SCHEMA_SERVICE_PROVIDER_CONFIG: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
/// The Resource Type schema (RFC 7643 §6).
pub const SCHEMA_RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
/// The schema of schema definitions (RFC 7643 §7).
pub const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// A list (query) response (RFC 7644 §3.4.2).
pub const MESSAGE_LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// A search request sent with POST to `/.search` (RFC 7644 §3.4.3).
pub const MESSAGE_SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
/// A PATCH request body (RFC 7644 §3.5.2).
pub const MESSAGE_PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// A bulk request (RFC 7644 §3.7).
pub const MESSAGE_BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
/// A bulk response (RFC 7644 §3.7).
pub const MESSAGE_BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
/// An error response (RFC 7644 §3.12).
pub const MESSAGE_ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
