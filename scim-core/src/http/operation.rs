//! What a request asks to do, as the authorisation hook and the logs see it.

use std::fmt;

/// The kind of a SCIM operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OperationKind {
    /// POST to a resource endpoint.
    Create,
    /// GET of one resource.
    Read,
    /// GET of a resource endpoint, or POST `/.search`.
    Search,
    /// PUT.
    Replace,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
    /// POST `/Bulk` (each operation inside is authorised too).
    Bulk,
    /// GET of `/ServiceProviderConfig`, `/ResourceTypes` or `/Schemas`.
    Discovery,
}

impl OperationKind {
    /// A short lower-case name (`"create"`).
    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::Create => "create",
            OperationKind::Read => "read",
            OperationKind::Search => "search",
            OperationKind::Replace => "replace",
            OperationKind::Patch => "patch",
            OperationKind::Delete => "delete",
            OperationKind::Bulk => "bulk",
            OperationKind::Discovery => "discovery",
        }
    }
}

impl fmt::Display for OperationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed SCIM operation: its kind, the resource type and the id it targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation<'a> {
    /// What is done.
    pub kind: OperationKind,
    /// The resource type's name, for operations on resources (`None` for a root search, bulk
    /// and discovery).
    pub resource_type: Option<&'a str>,
    /// The resource id, for operations on one resource.
    pub id: Option<&'a str>,
}

impl<'a> Operation<'a> {
    /// An operation of `kind` on `resource_type` and `id`.
    pub fn new(kind: OperationKind, resource_type: Option<&'a str>, id: Option<&'a str>) -> Self {
        Self { kind, resource_type, id }
    }
}
