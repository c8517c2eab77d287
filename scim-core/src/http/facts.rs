//! What the metrics of one request say of it (see [`crate::metrics`]).

use std::time::Duration;

use http::Method;

use super::route::{Route, Target};
use crate::error::Error;
use crate::metrics::{REQUEST_DURATION_SECONDS, REQUESTS_TOTAL, STORE_ERRORS_TOTAL};

/// What the metrics of one request say of it, gathered as it is handled.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// The authenticated tenant.
    pub(crate) tenant: Option<String>,
    /// The operation, once the path is routed.
    pub(crate) operation: Option<&'static str>,
    /// The resource type of a resource endpoint.
    pub(crate) resource_type: Option<String>,
    /// The error's `scimType`.
    pub(crate) scim_type: Option<String>,
}

impl Facts {
    /// Notes the route of a request with `method`.
    pub(crate) fn routed(&mut self, route: &Route, method: &Method) {
        self.operation = Some(operation(route, method));
        if let Route::Resources { resource_type, .. } = route {
            self.resource_type = Some(resource_type.clone());
        } else if let Route::Me = route {
            self.resource_type = Some("User".to_owned());
        }
    }

    /// Notes the error a request failed with, and counts a store failure.
    pub(crate) fn failed(&mut self, error: &Error) {
        self.scim_type = error.scim_type().map(|t| t.as_str().to_owned());
        let kind = match error {
            Error::Unavailable { .. } => "unavailable",
            Error::Backend { .. } => "backend",
            Error::Internal { .. } => "internal",
            _ => return,
        };
        ::metrics::counter!(STORE_ERRORS_TOTAL, "kind" => kind).increment(1);
    }

    /// Records the request: answered with `status` after `elapsed`.
    pub(crate) fn record(self, status: u16, elapsed: Duration) {
        let operation = self.operation.unwrap_or("unknown");
        let resource_type = self.resource_type.unwrap_or_default();
        ::metrics::counter!(
            REQUESTS_TOTAL,
            "tenant" => self.tenant.unwrap_or_default(),
            "operation" => operation,
            "resource_type" => resource_type.clone(),
            "status" => status.to_string(),
            "scim_type" => self.scim_type.unwrap_or_default(),
        )
        .increment(1);
        ::metrics::histogram!(
            REQUEST_DURATION_SECONDS,
            "operation" => operation,
            "resource_type" => resource_type,
        )
        .record(elapsed.as_secs_f64());
    }
}

/// The operation label of `route` asked with `method`.
fn operation(route: &Route, method: &Method) -> &'static str {
    match route {
        Route::ServiceProviderConfig | Route::ResourceTypes(_) | Route::Schemas(_) => "discovery",
        Route::RootSearch => "search",
        Route::Bulk => "bulk",
        Route::Me => "me",
        Route::Resources { target: Target::Search, .. } => "search",
        Route::Resources { target: Target::Collection, .. } => match *method {
            Method::POST => "create",
            _ => "list",
        },
        Route::Resources { target: Target::One(_), .. } => match *method {
            Method::PUT => "replace",
            Method::PATCH => "patch",
            Method::DELETE => "delete",
            _ => "get",
        },
    }
}
