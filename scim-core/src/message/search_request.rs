//! The body of a `POST /.search` query (RFC 7644 §3.4.3).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::{SEARCH_REQUEST_URN, de};

/// The order of sorted results (`sortOrder`, RFC 7644 §3.4.2.3).
///
/// Serialises as `ascending` / `descending`; any case is accepted on input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SortOrder {
    /// `ascending`, the default.
    #[default]
    Ascending,
    /// `descending`.
    Descending,
}

const SORT_ORDERS: &[&str] = &["ascending", "descending"];

impl SortOrder {
    /// The wire spelling: `"ascending"` or `"descending"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Ascending => "ascending",
            SortOrder::Descending => "descending",
        }
    }
}

impl fmt::Display for SortOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for SortOrder {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SortOrder {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match de::keyword(deserializer, SORT_ORDERS)? {
            0 => SortOrder::Ascending,
            _ => SortOrder::Descending,
        })
    }
}

/// A query sent with `POST` to a `/.search` endpoint (RFC 7644 §3.4.3).
///
/// It carries the same parameters as a `GET` query. On input, `attributes` and
/// `excludedAttributes` may be arrays or comma-separated strings, and `startIndex` and `count`
/// numbers or numeric strings. The raw values are kept: `startIndex` below 1 and a negative
/// `count` are for the caller to clamp (RFC 7644 §3.4.2.4).
///
/// ```
/// use scimkit_core::{SearchRequest, SortOrder};
/// use serde_json::json;
///
/// let req: SearchRequest = serde_json::from_value(json!({
///     "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
///     "attributes": "displayName, userName",
///     "filter": "displayName sw \"smith\"",
///     "sortOrder": "Descending",
///     "startIndex": "1",
///     "count": 10
/// }))?;
/// assert_eq!(req.attributes, ["displayName", "userName"]);
/// assert_eq!(req.sort_order, Some(SortOrder::Descending));
/// assert_eq!((req.start_index, req.count), (Some(1), Some(10)));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SearchRequest {
    /// `["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]`.
    pub schemas: Vec<String>,
    /// Return only these attributes (plus those returned always).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
    /// Return the default attributes except these.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_attributes: Vec<String>,
    /// The filter, unparsed (RFC 7644 §3.4.2.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// The attribute path to sort by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    /// The sort order; `ascending` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<SortOrder>,
    /// The 1-based index of the first result, as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_index: Option<i64>,
    /// The maximum number of results per page, as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// RFC 9865 cursor paging: empty for the first page, else a `nextCursor` or
    /// `previousCursor` of an earlier page of the same query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

impl SearchRequest {
    /// A search with no parameters: every resource, default attributes.
    pub fn new() -> Self {
        Self {
            schemas: de::schemas(SEARCH_REQUEST_URN),
            attributes: Vec::new(),
            excluded_attributes: Vec::new(),
            filter: None,
            sort_by: None,
            sort_order: None,
            start_index: None,
            count: None,
            cursor: None,
        }
    }

    /// This search with `filter` set.
    #[must_use]
    pub fn with_filter(mut self, filter: impl Into<String>) -> Self {
        self.filter = Some(filter.into());
        self
    }
}

impl Default for SearchRequest {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Deserialize)]
#[serde(remote = "SearchRequest", rename_all = "camelCase")]
struct SearchRequestDef {
    #[serde(default = "default_schemas")]
    schemas: Vec<String>,
    #[serde(default, deserialize_with = "de::string_list")]
    attributes: Vec<String>,
    #[serde(default, deserialize_with = "de::string_list")]
    excluded_attributes: Vec<String>,
    #[serde(default)]
    filter: Option<String>,
    #[serde(default)]
    sort_by: Option<String>,
    #[serde(default)]
    sort_order: Option<SortOrder>,
    #[serde(default, deserialize_with = "de::opt_int")]
    start_index: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_int")]
    count: Option<i64>,
    #[serde(default)]
    cursor: Option<String>,
}

fn default_schemas() -> Vec<String> {
    de::schemas(SEARCH_REQUEST_URN)
}

const FIELDS: &[&str] = &[
    "schemas",
    "attributes",
    "excludedAttributes",
    "filter",
    "sortBy",
    "sortOrder",
    "startIndex",
    "count",
    "cursor",
];

impl<'de> Deserialize<'de> for SearchRequest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        de::fold_keys(deserializer, FIELDS, |v: Value| SearchRequestDef::deserialize(v))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rfc_example_round_trips() {
        // RFC 7644 §3.4.3.
        let wire = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "attributes": ["displayName", "userName"],
            "filter": "displayName sw \"smith\"",
            "startIndex": 1,
            "count": 10
        });
        let req: SearchRequest = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(req.attributes, ["displayName", "userName"]);
        assert_eq!(req.filter.as_deref(), Some("displayName sw \"smith\""));
        assert_eq!(req.start_index, Some(1));
        assert_eq!(req.count, Some(10));
        assert_eq!(serde_json::to_value(&req).unwrap(), wire);
    }

    #[test]
    fn full_output_shape() {
        let mut req = SearchRequest::new().with_filter("userName eq \"bjensen\"");
        req.excluded_attributes = vec!["members".to_owned()];
        req.sort_by = Some("meta.created".to_owned());
        req.sort_order = Some(SortOrder::Descending);
        req.start_index = Some(11);
        req.count = Some(0);
        req.attributes = vec!["userName".to_owned()];
        let out = serde_json::to_value(&req).unwrap();
        de::assert_keys_in(&out, FIELDS);
        assert_eq!(
            out,
            json!({
                "schemas": [SEARCH_REQUEST_URN],
                "attributes": ["userName"],
                "excludedAttributes": ["members"],
                "filter": "userName eq \"bjensen\"",
                "sortBy": "meta.created",
                "sortOrder": "descending",
                "startIndex": 11,
                "count": 0
            })
        );
        assert_eq!(
            serde_json::to_value(SearchRequest::default()).unwrap(),
            json!({"schemas": [SEARCH_REQUEST_URN]})
        );
    }

    #[test]
    fn tolerant_input() {
        let req: SearchRequest = serde_json::from_value(json!({
            "ATTRIBUTES": "userName,, emails.value ",
            "excludedattributes": ["members,groups", "meta"],
            "SortBy": "userName",
            "sortorder": "ASCENDING",
            "startIndex": " 0 ",
            "Count": 100.0,
            "filter": null
        }))
        .unwrap();
        assert_eq!(req.schemas, vec![SEARCH_REQUEST_URN.to_owned()]);
        assert_eq!(req.attributes, ["userName", "emails.value"]);
        assert_eq!(req.excluded_attributes, ["members", "groups", "meta"]);
        assert_eq!(req.sort_by.as_deref(), Some("userName"));
        assert_eq!(req.sort_order, Some(SortOrder::Ascending));
        assert_eq!(req.start_index, Some(0));
        assert_eq!(req.count, Some(100));
        assert_eq!(req.filter, None);

        let req: SearchRequest =
            serde_json::from_value(json!({"attributes": null, "count": null, "startIndex": -5}))
                .unwrap();
        assert!(req.attributes.is_empty());
        assert_eq!(req.count, None);
        assert_eq!(req.start_index, Some(-5));
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            json!({"count": "ten"}),
            json!({"count": 1.5}),
            json!({"sortOrder": "sideways"}),
            json!({"attributes": 3}),
            json!({"filter": "a", "FILTER": "b"}),
            json!(["not", "an", "object"]),
        ] {
            assert!(serde_json::from_value::<SearchRequest>(bad.clone()).is_err(), "{bad}");
        }
    }
}
