//! The error response body (RFC 7644 §3.12).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::{ERROR_URN, de};
use crate::error::ScimType;

/// The body of an error response (RFC 7644 §3.12).
///
/// `status` is the HTTP status as a JSON *string* (`"400"`), as the RFC requires; a number is
/// accepted on input. Build one from an [`Error`](crate::Error) with
/// [`Error::to_response`](crate::Error::to_response).
///
/// ```
/// use scimkit_core::{ErrorResponse, ScimType};
/// use serde_json::json;
///
/// let body: ErrorResponse = serde_json::from_value(json!({
///     "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
///     "scimType": "mutability",
///     "detail": "Attribute 'id' is readOnly",
///     "status": "400"
/// }))?;
/// assert_eq!(body.status, "400");
/// assert_eq!(body.scim_type, Some(ScimType::Mutability));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ErrorResponse {
    /// `["urn:ietf:params:scim:api:messages:2.0:Error"]`.
    pub schemas: Vec<String>,
    /// The HTTP status code, as a string (`"404"`).
    pub status: String,
    /// The `scimType` detail error keyword, for 400, 403 and 409 errors that have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scim_type: Option<ScimType>,
    /// A human-readable explanation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl ErrorResponse {
    /// An error response with this HTTP status, no `scimType` and no detail.
    ///
    /// ```
    /// use scimkit_core::{ErrorResponse, ScimType};
    ///
    /// let body = ErrorResponse::new(409)
    ///     .with_scim_type(ScimType::Uniqueness)
    ///     .with_detail("userName is taken");
    /// assert_eq!(body.status, "409");
    /// ```
    pub fn new(status: u16) -> Self {
        Self {
            schemas: de::schemas(ERROR_URN),
            status: status.to_string(),
            scim_type: None,
            detail: None,
        }
    }

    /// This response with `scim_type` set.
    #[must_use]
    pub fn with_scim_type(mut self, scim_type: ScimType) -> Self {
        self.scim_type = Some(scim_type);
        self
    }

    /// This response with `detail` set.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The status as a number, when it is a valid HTTP status code (100–999).
    pub fn status_code(&self) -> Option<u16> {
        self.status.trim().parse().ok().filter(|code| (100..1000).contains(code))
    }
}

impl From<&crate::Error> for ErrorResponse {
    fn from(err: &crate::Error) -> Self {
        err.to_response()
    }
}

impl From<crate::Error> for ErrorResponse {
    fn from(err: crate::Error) -> Self {
        err.to_response()
    }
}

#[derive(Deserialize)]
#[serde(remote = "ErrorResponse", rename_all = "camelCase")]
struct ErrorResponseDef {
    #[serde(default = "default_schemas")]
    schemas: Vec<String>,
    #[serde(deserialize_with = "de::status")]
    status: String,
    #[serde(default)]
    scim_type: Option<ScimType>,
    #[serde(default)]
    detail: Option<String>,
}

fn default_schemas() -> Vec<String> {
    de::schemas(ERROR_URN)
}

const FIELDS: &[&str] = &["schemas", "status", "scimType", "detail"];

impl<'de> Deserialize<'de> for ErrorResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        de::fold_keys(deserializer, FIELDS, |v: Value| ErrorResponseDef::deserialize(v))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rfc_example_parses_and_reserialises() {
        // RFC 7644 §3.12.
        let wire = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "scimType": "mutability",
            "detail": "Attribute 'id' is readOnly",
            "status": "400"
        });
        let body: ErrorResponse = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(body.schemas, vec![ERROR_URN.to_owned()]);
        assert_eq!(body.status_code(), Some(400));
        assert_eq!(body.detail.as_deref(), Some("Attribute 'id' is readOnly"));
        assert_eq!(serde_json::to_value(&body).unwrap(), wire);
        de::assert_keys_in(&wire, FIELDS);

        let not_found = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "detail": "Resource 2819c223-7f76-453a-919d-413861904646 not found",
            "status": "404"
        });
        let body: ErrorResponse = serde_json::from_value(not_found.clone()).unwrap();
        assert_eq!(body.scim_type, None);
        assert_eq!(serde_json::to_value(&body).unwrap(), not_found);
    }

    #[test]
    fn status_is_a_string_on_output_and_tolerant_on_input() {
        let body = ErrorResponse::new(412);
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"schemas": [ERROR_URN], "status": "412"})
        );
        let body: ErrorResponse =
            serde_json::from_value(json!({"STATUS": 409, "ScimType": "uniqueness"})).unwrap();
        assert_eq!(body.status, "409");
        assert_eq!(body.scim_type, Some(ScimType::Uniqueness));
        assert_eq!(body.schemas, vec![ERROR_URN.to_owned()]);
    }

    #[test]
    fn unknown_scim_type_round_trips() {
        let wire = json!({"schemas": [ERROR_URN], "status": "400", "scimType": "invalidRequest"});
        let body: ErrorResponse = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), wire);
    }

    #[test]
    fn missing_status_is_an_error() {
        assert!(serde_json::from_value::<ErrorResponse>(json!({"schemas": [ERROR_URN]})).is_err());
    }
}
