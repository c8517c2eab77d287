//! SCIM 2.0 semantics: the schema model (RFC 7643), resources, validation, PATCH, projection and
//! protocol messages (RFC 7644).
//!
//! scim-core knows nothing about storage engines or HTTP servers.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod resource;

#[doc(inline)]
pub use scim_filter as filter;

pub use resource::{
    Address, Email, EnterpriseUser, Entitlement, Group, GroupRef, Im, Manager, Member, Meta,
    MultiValue, Name, PhoneNumber, Photo, Role, User, X509Certificate,
};
