//! The discovery endpoints (RFC 7644 §4): `/ServiceProviderConfig`, `/ResourceTypes` and
//! `/Schemas`, generated from the registry, the configuration and what the store supports.

use serde_json::{Value, json};

use crate::config::ServiceConfig;
use crate::error::{Error, Result};
use crate::message::ListResponse;
use crate::registry::Registry;
use crate::schema::urn;
use crate::store::Capabilities;

/// The `/ServiceProviderConfig` resource: only what this service does is advertised.
pub(crate) fn service_provider_config(
    config: &ServiceConfig,
    capabilities: Capabilities,
    base: &str,
    documentation: Option<&str>,
) -> Value {
    let limits = &config.limits;
    let mut spc = json!({
        "schemas": [urn::SCHEMA_SERVICE_PROVIDER_CONFIG],
        "patch": { "supported": true },
        "bulk": {
            "supported": limits.max_bulk_operations > 0,
            "maxOperations": limits.max_bulk_operations,
            "maxPayloadSize": limits.max_body_bytes,
        },
        "filter": { "supported": true, "maxResults": limits.max_results },
        "changePassword": { "supported": config.passwords.keeps_passwords() },
        "sort": { "supported": true },
        "etag": { "supported": capabilities.versions },
        // RFC 9865 §4: both kinds of paging; index stays the default, as clients that know
        // only RFC 7644 expect.
        "pagination": {
            "cursor": true,
            "index": true,
            "defaultPaginationMethod": "index",
            "defaultPageSize": limits.max_results,
            "maxPageSize": limits.max_results,
            "cursorTimeout": config.cursors.timeout.as_secs().max(1),
        },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication with a bearer token in the Authorization header",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": true,
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base}/ServiceProviderConfig"),
        },
    });
    if let (Some(doc), Value::Object(spc)) = (documentation, &mut spc) {
        spc.insert("documentationUri".to_owned(), Value::String(doc.to_owned()));
    }
    spc
}

/// `/ResourceTypes`, or `/ResourceTypes/{name}`.
pub(crate) fn resource_types(registry: &Registry, name: Option<&str>, base: &str) -> Result<Value> {
    match name {
        Some(name) => {
            registry.resource_type(name).map(|rt| rt.to_json(Some(base))).ok_or_else(|| {
                Error::NotFound { resource_type: "ResourceType".to_owned(), id: name.to_owned() }
            })
        }
        None => {
            let all: Vec<Value> =
                registry.resource_types().iter().map(|rt| rt.to_json(Some(base))).collect();
            Ok(list(all))
        }
    }
}

/// `/Schemas`, or `/Schemas/{urn}`.
pub(crate) fn schemas(registry: &Registry, id: Option<&str>, base: &str) -> Result<Value> {
    match id {
        Some(id) => registry.schema(id).map(|s| s.to_json(Some(base))).ok_or_else(|| {
            Error::NotFound { resource_type: "Schema".to_owned(), id: id.to_owned() }
        }),
        None => {
            let all: Vec<Value> =
                registry.schemas().iter().map(|s| s.to_json(Some(base))).collect();
            Ok(list(all))
        }
    }
}

fn list(resources: Vec<Value>) -> Value {
    let total = resources.len() as u64;
    serde_json::to_value(ListResponse::new(resources, total, 1)).unwrap_or(Value::Null)
}
