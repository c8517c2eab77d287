//! SCIM 2.0 semantics: the schema model (RFC 7643), resources, validation, PATCH, projection and
//! protocol messages (RFC 7644).
//!
//! scimkit-core knows nothing about storage engines or HTTP servers.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod clock;
mod compat;
mod config;
mod cursor;
mod error;
pub mod event;
pub mod http;
mod ids;
mod manager;
mod message;
pub mod metrics;
mod normalize;
mod password;
mod patch;
mod projection;
mod registry;
mod resource;
pub mod schema;
mod sort;
mod store;
#[cfg(any(test, feature = "testing"))]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
pub mod tokens;
mod validate;

#[doc(inline)]
pub use scimkit_filter as filter;

pub use clock::{Clock, ManualClock, SystemClock, format_timestamp};
pub use compat::Compatibility;
pub use config::{Limits, ServiceConfig};
pub use cursor::{CursorKey, CursorSettings};
pub use error::{Error, Result, ScimType};
pub use event::Origin;
pub use ids::{IdGenerator, SequentialIds, UuidIds};
pub use manager::{ListResult, ResourceManager, ResourceManagerBuilder};
pub use message::{
    BulkMethod, BulkOperation, BulkOperationResponse, BulkRequest, BulkResponse, ErrorResponse,
    ListResponse, PatchOpKind, PatchOperation, PatchRequest, SearchRequest, SortOrder,
};
pub use normalize::{JsonObject, normalize_resource, normalize_value};
pub use password::{PasswordHashing, PasswordPolicy, hash_password, verify_password};
pub use patch::{PatchOutcome, apply_patch, apply_patch_limited, apply_patch_owned};
pub use projection::Projection;
pub use registry::{
    AttributeOrigin, Registry, RegistryError, ResolvedAttribute, ResolvedPath, ResourceType,
    ResourceTypeSchema, SchemaExtension,
};
pub use resource::{
    Address, Email, EnterpriseUser, Entitlement, Group, GroupRef, Im, Manager, Member, Meta,
    MultiValue, Name, PhoneNumber, Photo, Role, User, X509Certificate,
};
pub use schema::{
    Attribute, AttributeType, Mutability, Returned, Schema, Uniqueness, builtin, urn,
};
pub use sort::SortKey;
pub use store::{
    Capabilities, DynResourceStore, FilterExecution, GROUP_RESOURCE_TYPE, KeyAttribute, Keyset,
    MAX_GROUP_NESTING, MEMBER_RESOURCE_TYPES, Membership, Page, Query, QueryPage, ResourceStore,
    ResourceStoreExt, Scope, StoreKeys, StoredResource, Version, WriteOptions, filter_tests_groups,
    group_equality, group_member_ids, is_groups_path, memberships_value, remove_group_member,
    sort_and_page, unknown_member,
};
pub use validate::{merge_replace, validate_resource};

/// The crate README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
