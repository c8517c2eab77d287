//! Bulk request and response bodies (RFC 7644 §3.7).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::{BULK_REQUEST_URN, BULK_RESPONSE_URN, de};

/// The HTTP method of a bulk operation (RFC 7644 §3.7).
///
/// Serialises in upper case (`POST`); any case is accepted on input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BulkMethod {
    /// `POST`: create a resource.
    Post,
    /// `PUT`: replace a resource.
    Put,
    /// `PATCH`: modify a resource.
    Patch,
    /// `DELETE`: delete a resource.
    Delete,
}

const METHODS: &[&str] = &["POST", "PUT", "PATCH", "DELETE"];

impl BulkMethod {
    /// The wire spelling: `"POST"`, `"PUT"`, `"PATCH"` or `"DELETE"`.
    pub fn as_str(self) -> &'static str {
        match self {
            BulkMethod::Post => "POST",
            BulkMethod::Put => "PUT",
            BulkMethod::Patch => "PATCH",
            BulkMethod::Delete => "DELETE",
        }
    }
}

impl fmt::Display for BulkMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for BulkMethod {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for BulkMethod {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match de::keyword(deserializer, METHODS)? {
            0 => BulkMethod::Post,
            1 => BulkMethod::Put,
            2 => BulkMethod::Patch,
            _ => BulkMethod::Delete,
        })
    }
}

/// One operation of a bulk request (RFC 7644 §3.7).
///
/// ```
/// use scimkit_core::{BulkMethod, BulkOperation};
/// use serde_json::json;
///
/// let op = BulkOperation::new(BulkMethod::Post, "/Users")
///     .with_bulk_id("qwerty")
///     .with_data(json!({"userName": "Alice"}));
/// assert_eq!(
///     serde_json::to_value(&op)?,
///     json!({"method": "POST", "bulkId": "qwerty", "path": "/Users", "data": {"userName": "Alice"}})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BulkOperation {
    /// The HTTP method of the operation.
    pub method: BulkMethod,
    /// The client's transient id for a resource created by this operation; other operations
    /// refer to it as `"bulkId:<id>"`. Required for `POST`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bulk_id: Option<String>,
    /// The resource version (ETag) the operation expects, for `PUT`, `PATCH` and `DELETE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The resource's path relative to the service base: `/Users` for a `POST`,
    /// `/Users/<id>` otherwise.
    pub path: String,
    /// The body the operation would have on its own: a resource for `POST` and `PUT`, a PATCH
    /// request for `PATCH`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl BulkOperation {
    /// An operation with this method and path, and no bulk id, version or data.
    pub fn new(method: BulkMethod, path: impl Into<String>) -> Self {
        Self { method, bulk_id: None, version: None, path: path.into(), data: None }
    }

    /// This operation with `bulk_id` set.
    #[must_use]
    pub fn with_bulk_id(mut self, bulk_id: impl Into<String>) -> Self {
        self.bulk_id = Some(bulk_id.into());
        self
    }

    /// This operation with `version` set.
    #[must_use]
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// This operation with `data` set.
    #[must_use]
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }
}

#[derive(Deserialize)]
#[serde(remote = "BulkOperation", rename_all = "camelCase")]
struct BulkOperationDef {
    method: BulkMethod,
    #[serde(default)]
    bulk_id: Option<String>,
    #[serde(default)]
    version: Option<String>,
    path: String,
    #[serde(default)]
    data: Option<Value>,
}

const OPERATION_FIELDS: &[&str] = &["method", "bulkId", "version", "path", "data"];

impl<'de> Deserialize<'de> for BulkOperation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        de::fold_keys(deserializer, OPERATION_FIELDS, |v: Value| BulkOperationDef::deserialize(v))
    }
}

/// The body of a bulk request (RFC 7644 §3.7).
///
/// ```
/// use scimkit_core::{BulkMethod, BulkRequest};
///
/// let req: BulkRequest = serde_json::from_str(r#"{
///     "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
///     "failOnErrors": 1,
///     "Operations": [{"method": "delete", "path": "/Users/b7c14771"}]
/// }"#)?;
/// assert_eq!(req.fail_on_errors, Some(1));
/// assert_eq!(req.operations[0].method, BulkMethod::Delete);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BulkRequest {
    /// `["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]`.
    pub schemas: Vec<String>,
    /// The number of errors after which the service provider stops processing operations;
    /// absent means process them all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_on_errors: Option<u32>,
    /// The operations, in order (`Operations` on the wire).
    #[serde(rename = "Operations")]
    pub operations: Vec<BulkOperation>,
}

impl BulkRequest {
    /// A bulk request with these operations and no `failOnErrors`.
    pub fn new(operations: Vec<BulkOperation>) -> Self {
        Self { schemas: de::schemas(BULK_REQUEST_URN), fail_on_errors: None, operations }
    }
}

#[derive(Deserialize)]
#[serde(remote = "BulkRequest", rename_all = "camelCase")]
struct BulkRequestDef {
    #[serde(default = "default_request_schemas")]
    schemas: Vec<String>,
    #[serde(default, deserialize_with = "de::opt_int")]
    fail_on_errors: Option<u32>,
    #[serde(rename = "Operations")]
    operations: Vec<BulkOperation>,
}

fn default_request_schemas() -> Vec<String> {
    de::schemas(BULK_REQUEST_URN)
}

const REQUEST_FIELDS: &[&str] = &["schemas", "failOnErrors", "Operations"];

impl<'de> Deserialize<'de> for BulkRequest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        de::fold_keys(deserializer, REQUEST_FIELDS, |v: Value| BulkRequestDef::deserialize(v))
    }
}

/// The outcome of one bulk operation (RFC 7644 §3.7).
///
/// `status` is the HTTP status as a string (`"201"`); on input a number or an object
/// `{"code": "201"}` is accepted too.
///
/// ```
/// use scimkit_core::{BulkMethod, BulkOperationResponse};
/// use serde_json::json;
///
/// let done = BulkOperationResponse::new(BulkMethod::Post, 201)
///     .with_bulk_id("qwerty")
///     .with_location("https://example.com/v2/Users/92b725cd9465")
///     .with_version("W/\"oY4m4wn58tkVjJxK\"");
/// assert_eq!(serde_json::to_value(&done)?["status"], json!("201"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BulkOperationResponse {
    /// The resource's URI, when the operation produced or targeted one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The HTTP method of the operation.
    pub method: BulkMethod,
    /// The `bulkId` of the request operation, if it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bulk_id: Option<String>,
    /// The resource's version after the operation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The HTTP status of the operation, as a string (`"201"`).
    pub status: String,
    /// The response body, typically an error response when the operation failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
}

impl BulkOperationResponse {
    /// The outcome of an operation with this method and HTTP status.
    pub fn new(method: BulkMethod, status: u16) -> Self {
        Self {
            location: None,
            method,
            bulk_id: None,
            version: None,
            status: status.to_string(),
            response: None,
        }
    }

    /// This outcome with `bulk_id` set.
    #[must_use]
    pub fn with_bulk_id(mut self, bulk_id: impl Into<String>) -> Self {
        self.bulk_id = Some(bulk_id.into());
        self
    }

    /// This outcome with `location` set.
    #[must_use]
    pub fn with_location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// This outcome with `version` set.
    #[must_use]
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// This outcome with a `response` body.
    #[must_use]
    pub fn with_response(mut self, response: Value) -> Self {
        self.response = Some(response);
        self
    }
}

#[derive(Deserialize)]
#[serde(remote = "BulkOperationResponse", rename_all = "camelCase")]
struct BulkOperationResponseDef {
    #[serde(default)]
    location: Option<String>,
    method: BulkMethod,
    #[serde(default)]
    bulk_id: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(deserialize_with = "de::status")]
    status: String,
    #[serde(default)]
    response: Option<Value>,
}

const OPERATION_RESPONSE_FIELDS: &[&str] =
    &["location", "method", "bulkId", "version", "status", "response"];

impl<'de> Deserialize<'de> for BulkOperationResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        de::fold_keys(deserializer, OPERATION_RESPONSE_FIELDS, |v: Value| {
            BulkOperationResponseDef::deserialize(v)
        })
    }
}

/// The body of a bulk response (RFC 7644 §3.7).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BulkResponse {
    /// `["urn:ietf:params:scim:api:messages:2.0:BulkResponse"]`.
    pub schemas: Vec<String>,
    /// The outcome of each processed operation, in request order (`Operations` on the wire).
    #[serde(rename = "Operations")]
    pub operations: Vec<BulkOperationResponse>,
}

impl BulkResponse {
    /// A bulk response with these outcomes.
    pub fn new(operations: Vec<BulkOperationResponse>) -> Self {
        Self { schemas: de::schemas(BULK_RESPONSE_URN), operations }
    }
}

#[derive(Deserialize)]
#[serde(remote = "BulkResponse")]
struct BulkResponseDef {
    #[serde(default = "default_response_schemas")]
    schemas: Vec<String>,
    #[serde(rename = "Operations", default)]
    operations: Vec<BulkOperationResponse>,
}

fn default_response_schemas() -> Vec<String> {
    de::schemas(BULK_RESPONSE_URN)
}

const RESPONSE_FIELDS: &[&str] = &["schemas", "Operations"];

impl<'de> Deserialize<'de> for BulkResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        de::fold_keys(deserializer, RESPONSE_FIELDS, |v: Value| BulkResponseDef::deserialize(v))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{Error, PatchRequest};

    #[test]
    fn rfc_request_example_round_trips() {
        // RFC 7644 §3.7.1 (the PATCH data there is a bare operation list; it is kept as sent).
        let wire = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
            "failOnErrors": 1,
            "Operations": [
                {
                    "method": "POST",
                    "path": "/Users",
                    "bulkId": "qwerty",
                    "data": {
                        "schemas": ["urn:ietf:params:scim:api:messages:2.0:User"],
                        "userName": "Alice"
                    }
                },
                {
                    "method": "PUT",
                    "path": "/Users/b7c14771-226c-4d05-8860-134711653041",
                    "version": "W/\"3694e05e9dff591\"",
                    "data": {
                        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                        "id": "b7c14771-226c-4d05-8860-134711653041",
                        "userName": "Bob"
                    }
                },
                {
                    "method": "PATCH",
                    "path": "/Users/5d8d29d3-342c-4b5f-8683-a3cb6763ffcc",
                    "version": "W/\"edac3253e2c0ef2\"",
                    "data": [
                        {"op": "remove", "path": "nickName"},
                        {"op": "add", "path": "userName", "value": "Dave"}
                    ]
                },
                {
                    "method": "DELETE",
                    "path": "/Users/e9025315-6bea-44e1-899c-1e07454e468b",
                    "version": "W/\"0ee8add0a938e1a\""
                }
            ]
        });
        let req: BulkRequest = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(req.fail_on_errors, Some(1));
        let methods: Vec<_> = req.operations.iter().map(|o| o.method).collect();
        assert_eq!(
            methods,
            [BulkMethod::Post, BulkMethod::Put, BulkMethod::Patch, BulkMethod::Delete]
        );
        assert_eq!(req.operations[0].bulk_id.as_deref(), Some("qwerty"));
        assert_eq!(req.operations[3].data, None);
        assert_eq!(serde_json::to_value(&req).unwrap(), wire);
        de::assert_keys_in(&wire, REQUEST_FIELDS);
        for op in wire["Operations"].as_array().unwrap() {
            de::assert_keys_in(op, OPERATION_FIELDS);
        }
    }

    #[test]
    fn rfc_response_example_round_trips() {
        // RFC 7644 §3.7.3.
        let wire = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],
            "Operations": [
                {
                    "location": "https://example.com/v2/Users/92b725cd9465",
                    "method": "POST",
                    "bulkId": "qwerty",
                    "version": "W/\"oY4m4wn58tkVjJxK\"",
                    "status": "201"
                },
                {
                    "location": "https://example.com/v2/Users/b7c14771-226c-4d05-8860-134711653041",
                    "method": "PUT",
                    "version": "W/\"huJj29dMNgu3WXPD\"",
                    "status": "200"
                },
                {
                    "location": "https://example.com/v2/Users/e9025315-6bea-44e1-899c-1e07454e468b",
                    "method": "DELETE",
                    "status": "204"
                }
            ]
        });
        let res: BulkResponse = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(res.operations.len(), 3);
        assert_eq!(res.operations[2].status, "204");
        assert_eq!(serde_json::to_value(&res).unwrap(), wire);
        de::assert_keys_in(&wire, RESPONSE_FIELDS);
        for op in wire["Operations"].as_array().unwrap() {
            de::assert_keys_in(op, OPERATION_RESPONSE_FIELDS);
        }
    }

    #[test]
    fn rfc_error_response_example_round_trips() {
        // RFC 7644 §3.7.3, an operation that failed.
        let wire = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],
            "Operations": [{
                "method": "POST",
                "bulkId": "qwerty",
                "status": "400",
                "response": {
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                    "scimType": "invalidSyntax",
                    "detail": "Request is unparsable, syntactically incorrect, or violates schema.",
                    "status": "400"
                }
            }]
        });
        let res: BulkResponse = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(serde_json::to_value(&res).unwrap(), wire);

        // The same outcome built from a crate error.
        let err = Error::InvalidSyntax {
            detail: "Request is unparsable, syntactically incorrect, or violates schema."
                .to_owned(),
        };
        let built = BulkResponse::new(vec![
            BulkOperationResponse::new(BulkMethod::Post, err.status())
                .with_bulk_id("qwerty")
                .with_response(serde_json::to_value(err.to_response()).unwrap()),
        ]);
        assert_eq!(serde_json::to_value(&built).unwrap(), wire);
    }

    #[test]
    fn patch_data_parses_as_patch_request() {
        let op: BulkOperation = serde_json::from_value(json!({
            "method": "Patch",
            "path": "/Groups/e9e30dba",
            "data": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                     "Operations": [{"op": "Add", "path": "members", "value": [{"value": "bulkId:qwerty"}]}]}
        }))
        .unwrap();
        assert_eq!(op.method, BulkMethod::Patch);
        let patch: PatchRequest = serde_json::from_value(op.data.unwrap()).unwrap();
        assert_eq!(patch.operations.len(), 1);
    }

    #[test]
    fn tolerant_input() {
        let req: BulkRequest = serde_json::from_value(json!({
            "FailOnErrors": "2",
            "operations": [
                {"METHOD": "post", "Path": "/Users", "BULKID": "a", "Data": {"userName": "x"}},
                {"method": "Delete", "path": "/Users/1"}
            ]
        }))
        .unwrap();
        assert_eq!(req.schemas, vec![BULK_REQUEST_URN.to_owned()]);
        assert_eq!(req.fail_on_errors, Some(2));
        assert_eq!(req.operations[0].method, BulkMethod::Post);
        assert_eq!(req.operations[0].bulk_id.as_deref(), Some("a"));
        assert_eq!(req.operations[1].method, BulkMethod::Delete);

        let res: BulkResponse = serde_json::from_value(json!({
            "OPERATIONS": [
                {"method": "POST", "status": 201},
                {"method": "PUT", "status": {"code": "200"}},
                {"method": "PATCH", "status": {"code": 412}}
            ]
        }))
        .unwrap();
        let statuses: Vec<_> = res.operations.iter().map(|o| o.status.as_str()).collect();
        assert_eq!(statuses, ["201", "200", "412"]);
    }

    #[test]
    fn method_and_output_spelling() {
        for (m, s) in [
            (BulkMethod::Post, "POST"),
            (BulkMethod::Put, "PUT"),
            (BulkMethod::Patch, "PATCH"),
            (BulkMethod::Delete, "DELETE"),
        ] {
            assert_eq!(serde_json::to_value(m).unwrap(), json!(s));
            assert_eq!(serde_json::from_value::<BulkMethod>(json!(s.to_lowercase())).unwrap(), m);
        }
        assert!(serde_json::from_value::<BulkMethod>(json!("GET")).is_err());
        assert_eq!(
            serde_json::to_value(BulkRequest::new(vec![])).unwrap(),
            json!({"schemas": [BULK_REQUEST_URN], "Operations": []})
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            json!({"Operations": [{"method": "POST"}]}),
            json!({"Operations": [{"path": "/Users"}]}),
            json!({"failOnErrors": -1, "Operations": []}),
            json!({"schemas": [BULK_REQUEST_URN]}),
        ] {
            assert!(serde_json::from_value::<BulkRequest>(bad.clone()).is_err(), "{bad}");
        }
        assert!(
            serde_json::from_value::<BulkOperationResponse>(json!({"method": "POST"})).is_err()
        );
        assert!(
            serde_json::from_value::<BulkOperationResponse>(
                json!({"method": "POST", "status": true})
            )
            .is_err()
        );
    }
}
