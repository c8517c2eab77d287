//! Routing: which endpoint a request path names (RFC 7644 §3.2).

use super::query::decode_segment;
use crate::error::{Error, Result};
use crate::registry::Registry;

/// The longest resource id accepted in a path; longer ones cannot exist.
const MAX_ID_LEN: usize = 1024;

/// An endpoint, relative to the service's base path (and tenant segment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    /// `/ServiceProviderConfig`.
    ServiceProviderConfig,
    /// `/ResourceTypes` or `/ResourceTypes/{name}`.
    ResourceTypes(Option<String>),
    /// `/Schemas` or `/Schemas/{urn}`.
    Schemas(Option<String>),
    /// `/Bulk`.
    Bulk,
    /// `/.search` at the root.
    RootSearch,
    /// `/Me`.
    Me,
    /// A resource endpoint: its type's name and what below it.
    Resources { resource_type: String, target: Target },
}

/// What below a resource endpoint a path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// The collection (`/Users`).
    Collection,
    /// `/Users/.search`.
    Search,
    /// One resource (`/Users/{id}`).
    One(String),
}

/// The route of `path`, already stripped of the base path and tenant segment.
pub(crate) fn route(registry: &Registry, path: &str) -> Result<Route> {
    let path = path.trim_matches('/');
    let mut parts = path.splitn(2, '/');
    let first = parts.next().unwrap_or_default();
    let rest = parts.next().map(|r| r.trim_end_matches('/'));
    let not_found =
        || Error::NotFound { resource_type: "endpoint".to_owned(), id: format!("/{path}") };
    let one = |rest: Option<&str>| -> Result<Option<String>> {
        match rest {
            None | Some("") => Ok(None),
            Some(r) if r.contains('/') => Err(not_found()),
            Some(r) => match decode_segment(r)? {
                // No id holds a NUL (and PostgreSQL cannot look one up): nothing is there.
                id if id.contains('\0') => Err(not_found()),
                id => Ok(Some(id)),
            },
        }
    };
    let fixed = |name: &str| first.eq_ignore_ascii_case(name);
    if fixed("ServiceProviderConfig") || fixed("ServiceProviderConfigs") {
        return match rest {
            None | Some("") => Ok(Route::ServiceProviderConfig),
            Some(_) => Err(not_found()),
        };
    }
    if fixed("ResourceTypes") {
        return one(rest).map(Route::ResourceTypes);
    }
    if fixed("Schemas") {
        return one(rest).map(Route::Schemas);
    }
    if fixed("Bulk") && rest.is_none_or(str::is_empty) {
        return Ok(Route::Bulk);
    }
    if first == ".search" && rest.is_none_or(str::is_empty) {
        return Ok(Route::RootSearch);
    }
    if fixed("Me") && rest.is_none_or(str::is_empty) {
        return Ok(Route::Me);
    }
    let Some(resource_type) = registry.resource_type_by_endpoint(first) else {
        return Err(not_found());
    };
    let target = match one(rest)? {
        None => Target::Collection,
        Some(s) if s == ".search" => Target::Search,
        Some(id) if id.len() > MAX_ID_LEN || id.is_empty() => return Err(not_found()),
        Some(id) => Target::One(id),
    };
    Ok(Route::Resources { resource_type: resource_type.name.clone(), target })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(path: &str) -> Result<Route> {
        route(&Registry::standard(), path)
    }

    fn resources(resource_type: &str, target: Target) -> Route {
        Route::Resources { resource_type: resource_type.to_owned(), target }
    }

    #[test]
    fn endpoints() {
        assert_eq!(r("/Users").unwrap(), resources("User", Target::Collection));
        assert_eq!(r("/users/").unwrap(), resources("User", Target::Collection));
        assert_eq!(r("/Users/abc").unwrap(), resources("User", Target::One("abc".into())));
        assert_eq!(r("/Users/.search").unwrap(), resources("User", Target::Search));
        assert_eq!(r("/Groups/a%2Fb").unwrap(), resources("Group", Target::One("a/b".into())));
        assert_eq!(r("/.search").unwrap(), Route::RootSearch);
        assert_eq!(r("/Bulk").unwrap(), Route::Bulk);
        assert_eq!(r("/Me").unwrap(), Route::Me);
        assert_eq!(r("/ServiceProviderConfig").unwrap(), Route::ServiceProviderConfig);
        assert_eq!(r("/ResourceTypes/User").unwrap(), Route::ResourceTypes(Some("User".into())));
        let urn = "urn:ietf:params:scim:schemas:core:2.0:User";
        assert_eq!(r(&format!("/Schemas/{urn}")).unwrap(), Route::Schemas(Some(urn.into())));
    }

    #[test]
    fn unknown_paths_are_not_found() {
        for path in ["/", "/Nope", "/Users/a/b", "/Users/..", "/Bulk/x", "/ServiceProviderConfig/x"]
        {
            let route = r(path);
            if path == "/Users/.." {
                assert_eq!(route.unwrap(), resources("User", Target::One("..".into())));
                continue;
            }
            assert!(matches!(route, Err(Error::NotFound { .. })), "{path}: {route:?}");
        }
        let long = format!("/Users/{}", "a".repeat(2000));
        assert!(matches!(r(&long), Err(Error::NotFound { .. })));
    }
}
