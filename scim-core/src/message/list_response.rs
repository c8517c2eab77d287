//! The list response of queries and searches (RFC 7644 §3.4.2).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::{LIST_RESPONSE_URN, de};

/// A page of query results (RFC 7644 §3.4.2), also used for `/Schemas` and `/ResourceTypes`.
///
/// `totalResults`, `startIndex` and `itemsPerPage` are JSON integers, and `Resources` (capital
/// R) is always written, even when empty: clients such as Microsoft Entra ID and Okta rely on
/// both. On input, the counts may be numeric strings, `startIndex` defaults to 1, `itemsPerPage`
/// to the number of resources, and a missing `Resources` is empty.
///
/// ```
/// use scimkit_core::ListResponse;
/// use serde_json::json;
///
/// let page = ListResponse::new(vec![json!({"id": "2819c223", "userName": "bjensen"})], 3, 1);
/// assert_eq!(
///     serde_json::to_value(&page)?,
///     json!({
///         "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
///         "totalResults": 3,
///         "itemsPerPage": 1,
///         "startIndex": 1,
///         "Resources": [{"id": "2819c223", "userName": "bjensen"}]
///     })
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListResponse<T = Value> {
    /// `["urn:ietf:params:scim:api:messages:2.0:ListResponse"]`.
    pub schemas: Vec<String>,
    /// The total number of results matching the query, across all pages.
    pub total_results: u64,
    /// The number of resources returned in this page.
    pub items_per_page: u64,
    /// The 1-based index of the first result in this page.
    pub start_index: u64,
    /// The resources of this page (`Resources` on the wire).
    #[serde(rename = "Resources")]
    pub resources: Vec<T>,
    /// RFC 9865: the cursor of the next page, absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// RFC 9865: the cursor of the previous page, absent on the first page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_cursor: Option<String>,
}

impl<T> ListResponse<T> {
    /// A page of `resources` out of `total_results`, starting at the 1-based `start_index`;
    /// `items_per_page` is the number of resources.
    pub fn new(resources: Vec<T>, total_results: u64, start_index: u64) -> Self {
        Self {
            schemas: de::schemas(LIST_RESPONSE_URN),
            total_results,
            items_per_page: resources.len() as u64,
            start_index,
            resources,
            next_cursor: None,
            previous_cursor: None,
        }
    }

    /// The same page with the cursors of the next and previous pages (RFC 9865).
    #[must_use]
    pub fn with_cursors(mut self, next: Option<String>, previous: Option<String>) -> Self {
        self.next_cursor = next;
        self.previous_cursor = previous;
        self
    }

    /// The same page with each resource converted by `f`.
    ///
    /// ```
    /// use scimkit_core::ListResponse;
    ///
    /// let ids = ListResponse::new(vec![1, 2], 2, 1).map(|n| n.to_string());
    /// assert_eq!(ids.resources, ["1", "2"]);
    /// ```
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> ListResponse<U> {
        ListResponse {
            schemas: self.schemas,
            total_results: self.total_results,
            items_per_page: self.items_per_page,
            start_index: self.start_index,
            resources: self.resources.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
            previous_cursor: self.previous_cursor,
        }
    }
}

impl<T> Default for ListResponse<T> {
    /// An empty result: `totalResults` 0, `startIndex` 1, no resources.
    fn default() -> Self {
        Self::new(Vec::new(), 0, 1)
    }
}

#[derive(Deserialize)]
#[serde(
    remote = "ListResponse",
    rename_all = "camelCase",
    bound(deserialize = "T: Deserialize<'de>")
)]
struct ListResponseDef<T> {
    #[serde(default = "default_schemas")]
    schemas: Vec<String>,
    #[serde(deserialize_with = "de::int")]
    total_results: u64,
    #[serde(deserialize_with = "de::int")]
    items_per_page: u64,
    #[serde(default = "one", deserialize_with = "de::int")]
    start_index: u64,
    #[serde(rename = "Resources", default = "Vec::new")]
    resources: Vec<T>,
    #[serde(default)]
    next_cursor: Option<String>,
    #[serde(default)]
    previous_cursor: Option<String>,
}

fn default_schemas() -> Vec<String> {
    de::schemas(LIST_RESPONSE_URN)
}

fn one() -> u64 {
    1
}

const FIELDS: &[&str] = &[
    "schemas",
    "totalResults",
    "itemsPerPage",
    "startIndex",
    "Resources",
    "nextCursor",
    "previousCursor",
];

impl<'de, T: DeserializeOwned> Deserialize<'de> for ListResponse<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        de::fold_keys(deserializer, FIELDS, |mut value: Value| {
            if let Some(object) = value.as_object_mut() {
                // itemsPerPage is only required when paginating; default it to the page size.
                let missing = object.get("itemsPerPage").is_none_or(Value::is_null);
                if missing {
                    let len = object.get("Resources").and_then(Value::as_array).map_or(0, Vec::len);
                    object.insert("itemsPerPage".to_owned(), len.into());
                }
            }
            ListResponseDef::deserialize(value)
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rfc_example_round_trips() {
        // RFC 7644 §3.4.2 (the paged example of §3.4.2.4 carries the three counts).
        let wire = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 100,
            "itemsPerPage": 10,
            "startIndex": 1,
            "Resources": [{
                "id": "2819c223-7f76-453a-919d-413861904646",
                "userName": "bjensen"
            }]
        });
        let page: ListResponse = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(page.total_results, 100);
        assert_eq!(page.items_per_page, 10);
        assert_eq!(page.resources.len(), 1);
        assert_eq!(serde_json::to_value(&page).unwrap(), wire);
        de::assert_keys_in(&wire, FIELDS);
    }

    #[test]
    fn empty_page_keeps_integers_and_resources() {
        let page = ListResponse::<Value>::default();
        let out = serde_json::to_value(&page).unwrap();
        assert_eq!(
            out,
            json!({
                "schemas": [LIST_RESPONSE_URN],
                "totalResults": 0,
                "itemsPerPage": 0,
                "startIndex": 1,
                "Resources": []
            })
        );
        assert!(out["totalResults"].is_u64());
        assert!(out["startIndex"].is_u64());
        assert!(out["itemsPerPage"].is_u64());
    }

    #[test]
    fn tolerant_input() {
        let page: ListResponse = serde_json::from_value(json!({
            "Schemas": [LIST_RESPONSE_URN],
            "TOTALRESULTS": "2",
            "resources": [{"id": "a"}, {"id": "b"}]
        }))
        .unwrap();
        assert_eq!(page.total_results, 2);
        assert_eq!(page.items_per_page, 2);
        assert_eq!(page.start_index, 1);
        assert_eq!(page.resources, vec![json!({"id": "a"}), json!({"id": "b"})]);

        let empty: ListResponse = serde_json::from_value(json!({"totalResults": 0})).unwrap();
        assert!(empty.resources.is_empty());
        assert_eq!(empty.schemas, vec![LIST_RESPONSE_URN.to_owned()]);
    }

    #[test]
    fn typed_resources() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Item {
            id: String,
        }
        let page = ListResponse::new(vec![Item { id: "x".to_owned() }], 1, 1);
        let wire = serde_json::to_string(&page).unwrap();
        let back: ListResponse<Item> = serde_json::from_str(&wire).unwrap();
        assert_eq!(back, page);
    }

    #[test]
    fn rejects_negative_or_missing_total() {
        assert!(serde_json::from_value::<ListResponse>(json!({"totalResults": -1})).is_err());
        assert!(serde_json::from_value::<ListResponse>(json!({"Resources": []})).is_err());
    }
}
