//! SCIM 2.0 semantics: the schema model (RFC 7643), resources, validation, PATCH, projection and
//! protocol messages (RFC 7644).
//!
//! scim-core knows nothing about storage engines or HTTP servers.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod registry;
pub mod schema;

#[doc(inline)]
pub use scim_filter as filter;

pub use registry::{
    AttributeOrigin, Registry, RegistryError, ResolvedAttribute, ResolvedPath, ResourceType,
    ResourceTypeSchema, SchemaExtension,
};
pub use schema::{
    Attribute, AttributeType, Mutability, Returned, Schema, Uniqueness, builtin, urn,
};
