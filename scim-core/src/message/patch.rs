//! The PATCH request body (RFC 7644 §3.5.2).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::{PATCH_OP_URN, de};

/// The kind of a PATCH operation (`op`, RFC 7644 §3.5.2).
///
/// Serialises in lower case (`add`); any case is accepted on input (Microsoft Entra ID sends
/// `Add`, `Replace`, `Remove`).
///
/// ```
/// use scimkit_core::PatchOpKind;
///
/// let op: PatchOpKind = serde_json::from_str(r#""Replace""#)?;
/// assert_eq!(op, PatchOpKind::Replace);
/// assert_eq!(serde_json::to_string(&op)?, r#""replace""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PatchOpKind {
    /// `add` (RFC 7644 §3.5.2.1).
    Add,
    /// `remove` (RFC 7644 §3.5.2.2).
    Remove,
    /// `replace` (RFC 7644 §3.5.2.3).
    Replace,
}

const OP_NAMES: &[&str] = &["add", "remove", "replace"];

impl PatchOpKind {
    /// The wire spelling: `"add"`, `"remove"` or `"replace"`.
    pub fn as_str(self) -> &'static str {
        match self {
            PatchOpKind::Add => "add",
            PatchOpKind::Remove => "remove",
            PatchOpKind::Replace => "replace",
        }
    }
}

impl fmt::Display for PatchOpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PatchOpKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PatchOpKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match de::keyword(deserializer, OP_NAMES)? {
            0 => PatchOpKind::Add,
            1 => PatchOpKind::Remove,
            _ => PatchOpKind::Replace,
        })
    }
}

/// One operation of a PATCH request (RFC 7644 §3.5.2).
///
/// `path` is kept unparsed; parse it with [`PatchPath`](crate::filter::PatchPath). A `value` of
/// JSON `null` reads as `None`.
///
/// ```
/// use scimkit_core::{PatchOpKind, PatchOperation};
/// use serde_json::json;
///
/// let op = PatchOperation::new(PatchOpKind::Replace)
///     .with_path("active")
///     .with_value(json!(false));
/// assert_eq!(
///     serde_json::to_value(&op)?,
///     json!({"op": "replace", "path": "active", "value": false})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PatchOperation {
    /// `add`, `remove` or `replace`.
    pub op: PatchOpKind,
    /// The attribute path the operation targets; absent for a path-less `add` or `replace`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The value to add or replace with, or the values to remove.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

impl PatchOperation {
    /// An operation of kind `op`, with no path and no value.
    pub fn new(op: PatchOpKind) -> Self {
        Self { op, path: None, value: None }
    }

    /// This operation with `path` set.
    #[must_use]
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// This operation with `value` set.
    #[must_use]
    pub fn with_value(mut self, value: Value) -> Self {
        self.value = Some(value);
        self
    }
}

#[derive(Deserialize)]
#[serde(remote = "PatchOperation")]
struct PatchOperationDef {
    op: PatchOpKind,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    value: Option<Value>,
}

const OPERATION_FIELDS: &[&str] = &["op", "path", "value"];

impl<'de> Deserialize<'de> for PatchOperation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        de::fold_keys(deserializer, OPERATION_FIELDS, |v: Value| PatchOperationDef::deserialize(v))
    }
}

/// The body of a PATCH request (RFC 7644 §3.5.2): `schemas` and a list of `Operations`.
///
/// The key `Operations` (and the keys of each operation) may use any case on input.
///
/// ```
/// use scimkit_core::{PatchOpKind, PatchRequest};
///
/// // As Microsoft Entra ID sends it.
/// let req: PatchRequest = serde_json::from_str(r#"{
///     "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
///     "Operations": [{"op": "Replace", "path": "active", "value": "False"}]
/// }"#)?;
/// assert_eq!(req.operations[0].op, PatchOpKind::Replace);
/// assert_eq!(req.operations[0].path.as_deref(), Some("active"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PatchRequest {
    /// `["urn:ietf:params:scim:api:messages:2.0:PatchOp"]`.
    pub schemas: Vec<String>,
    /// The operations, applied in order (`Operations` on the wire).
    #[serde(rename = "Operations")]
    pub operations: Vec<PatchOperation>,
}

impl PatchRequest {
    /// A PATCH request with these operations.
    pub fn new(operations: Vec<PatchOperation>) -> Self {
        Self { schemas: de::schemas(PATCH_OP_URN), operations }
    }
}

#[derive(Deserialize)]
#[serde(remote = "PatchRequest")]
struct PatchRequestDef {
    #[serde(default = "default_schemas")]
    schemas: Vec<String>,
    #[serde(rename = "Operations")]
    operations: Vec<PatchOperation>,
}

fn default_schemas() -> Vec<String> {
    de::schemas(PATCH_OP_URN)
}

const REQUEST_FIELDS: &[&str] = &["schemas", "Operations"];

impl<'de> Deserialize<'de> for PatchRequest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        de::fold_keys(deserializer, REQUEST_FIELDS, |v: Value| PatchRequestDef::deserialize(v))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rfc_examples_round_trip() {
        // RFC 7644 §3.5.2 and §3.5.2.1–3.
        let wire = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {
                    "op": "add",
                    "path": "members",
                    "value": [{
                        "display": "Babs Jensen",
                        "$ref": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
                        "value": "2819c223-7f76-453a-919d-413861904646"
                    }]
                },
                {"op": "remove", "path": "members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"},
                {"op": "replace", "value": {"emails": [{"value": "bjensen@example.com", "type": "work"}], "nickName": "Babs"}}
            ]
        });
        let req: PatchRequest = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(req.schemas, vec![PATCH_OP_URN.to_owned()]);
        let ops: Vec<_> = req.operations.iter().map(|o| o.op).collect();
        assert_eq!(ops, [PatchOpKind::Add, PatchOpKind::Remove, PatchOpKind::Replace]);
        assert_eq!(req.operations[1].value, None);
        assert_eq!(req.operations[2].path, None);
        assert_eq!(serde_json::to_value(&req).unwrap(), wire);
        de::assert_keys_in(&wire, REQUEST_FIELDS);
        for op in wire["Operations"].as_array().unwrap() {
            de::assert_keys_in(op, OPERATION_FIELDS);
        }
    }

    #[test]
    fn builds_exact_output() {
        let req = PatchRequest::new(vec![
            PatchOperation::new(PatchOpKind::Add)
                .with_path("emails")
                .with_value(json!([{"value": "a@b.c"}])),
            PatchOperation::new(PatchOpKind::Remove).with_path("nickName"),
        ]);
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({
                "schemas": [PATCH_OP_URN],
                "Operations": [
                    {"op": "add", "path": "emails", "value": [{"value": "a@b.c"}]},
                    {"op": "remove", "path": "nickName"}
                ]
            })
        );
    }

    #[test]
    fn op_names_in_any_case() {
        for (name, kind) in [
            ("add", PatchOpKind::Add),
            ("Add", PatchOpKind::Add),
            ("ADD", PatchOpKind::Add),
            ("Remove", PatchOpKind::Remove),
            ("REMOVE", PatchOpKind::Remove),
            ("replace", PatchOpKind::Replace),
            ("Replace", PatchOpKind::Replace),
            ("REPLACE", PatchOpKind::Replace),
        ] {
            let op: PatchOperation = serde_json::from_value(json!({"op": name})).unwrap();
            assert_eq!(op.op, kind, "{name}");
        }
        let err = serde_json::from_value::<PatchOperation>(json!({"op": "move"})).unwrap_err();
        assert!(err.to_string().contains("unknown variant `move`"), "{err}");
    }

    #[test]
    fn operations_key_in_any_case() {
        for key in ["operations", "Operations", "OPERATIONS", "oPeRaTiOnS"] {
            let req: PatchRequest = serde_json::from_value(json!({
                "SCHEMAS": [PATCH_OP_URN],
                key: [{"Op": "Remove", "PATH": "title", "Value": null}]
            }))
            .unwrap();
            assert_eq!(
                req.operations,
                vec![PatchOperation::new(PatchOpKind::Remove).with_path("title")],
                "{key}"
            );
        }
    }

    #[test]
    fn entra_quirks_keep_values_as_sent() {
        let req: PatchRequest = serde_json::from_str(
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
                {"op":"Replace","path":"active","value":"False"},
                {"op":"Add","path":"emails[type eq \"work\"].value","value":"ann@example.com"},
                {"op":"Replace","value":{"name.givenName":"Ann"}}]}"#,
        )
        .unwrap();
        assert_eq!(req.operations[0].value, Some(json!("False")));
        assert_eq!(req.operations[1].path.as_deref(), Some("emails[type eq \"work\"].value"));
        assert_eq!(req.operations[2].value, Some(json!({"name.givenName": "Ann"})));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            json!({"schemas": [PATCH_OP_URN]}),
            json!({"Operations": [{"path": "title"}]}),
            json!({"Operations": {"op": "add"}}),
            json!({"Operations": [], "operations": []}),
            json!({"Operations": [{"op": "add", "Op": "remove"}]}),
        ] {
            assert!(serde_json::from_value::<PatchRequest>(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn missing_schemas_defaults() {
        let req: PatchRequest = serde_json::from_value(json!({"Operations": []})).unwrap();
        assert_eq!(req.schemas, vec![PATCH_OP_URN.to_owned()]);
    }
}
