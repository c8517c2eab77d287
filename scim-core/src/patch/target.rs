//! Resolving PATCH paths, and the keys of path-less values, to what they target.

use std::borrow::Cow;

use scimkit_filter::PatchPath;

use super::entries::EntryFilter;
use crate::compat::Compatibility;
use crate::error::{Error, Result};
use crate::registry::{ResolvedAttribute, ResolvedPath, ResourceTypeSchema};
use crate::schema::{Attribute, Schema};

/// What a path or a key targets.
#[derive(Debug)]
pub(super) enum Target<'s, 'p> {
    /// A whole schema extension.
    Extension(&'s Schema),
    /// An attribute or sub-attribute, possibly through a value filter.
    Attr(AttrTarget<'s, 'p>),
    /// An attribute the schema does not know, to be ignored.
    Ignored,
}

/// An attribute or sub-attribute, possibly through a value filter.
#[derive(Debug)]
pub(super) struct AttrTarget<'s, 'p> {
    /// The extension URN the attribute lives under, or `None` for a top-level attribute.
    pub(super) ext: Option<&'s str>,
    /// The attribute.
    pub(super) attr: &'s Attribute,
    /// The sub-attribute, if the path names one.
    pub(super) sub: Option<&'s Attribute>,
    /// The value filter selecting entries (`emails[type eq "work"]`).
    pub(super) filter: Option<EntryFilter<'p>>,
}

impl<'s> AttrTarget<'s, '_> {
    fn from_resolved(resolved: ResolvedAttribute<'s>) -> Self {
        Self {
            ext: resolved.is_extension().then_some(resolved.schema),
            attr: resolved.attribute,
            sub: resolved.sub_attribute,
            filter: None,
        }
    }

    /// The attribute the target ends at: the sub-attribute if there is one.
    pub(super) fn target(&self) -> &'s Attribute {
        self.sub.unwrap_or(self.attr)
    }

    /// The attribute path, for error details (`emails.value`).
    pub(super) fn name(&self) -> Cow<'s, str> {
        match self.sub {
            Some(sub) => Cow::Owned(format!("{}.{}", self.attr.name, sub.name)),
            None => Cow::Borrowed(&self.attr.name),
        }
    }
}

/// Resolves a path without a value filter straight from its text (`active`, `name.givenName`,
/// `urn:…:enterprise:2.0:User:manager.value`, an extension URN), skipping the parser: only names
/// the schema defines resolve, and they follow the path grammar. `None` sends the path to the
/// parser, which reports what is wrong with it.
pub(super) fn resolve_simple<'s>(
    schema: &ResourceTypeSchema<'s>,
    path: &str,
) -> Option<Target<'s, 'static>> {
    if path.contains(['[', ']', ' ', '"']) {
        return None;
    }
    match schema.resolve_str(path)? {
        ResolvedPath::Extension(ext) => Some(Target::Extension(ext)),
        ResolvedPath::Attribute(resolved) => {
            Some(Target::Attr(AttrTarget::from_resolved(resolved)))
        }
    }
}

/// Resolves a parsed PATCH path.
pub(super) fn resolve_path<'s, 'p>(
    schema: &ResourceTypeSchema<'s>,
    path: &'p PatchPath,
    compat: &Compatibility,
) -> Result<Target<'s, 'p>> {
    match path {
        PatchPath::Attr(attr_path) => match schema.resolve_path(attr_path) {
            Some(ResolvedPath::Extension(ext)) => Ok(Target::Extension(ext)),
            Some(ResolvedPath::Attribute(resolved)) => {
                Ok(Target::Attr(AttrTarget::from_resolved(resolved)))
            }
            _ => unknown(&path.to_string(), compat),
        },
        PatchPath::ValuePath { path: value_path, sub_attr } => {
            let resolved = match schema.resolve_path(&value_path.attr) {
                Some(ResolvedPath::Attribute(r)) if r.sub_attribute.is_none() => r,
                _ => return unknown(&value_path.attr.to_string(), compat),
            };
            let attr = resolved.attribute;
            // Multi-valued complex attributes have entries to select; a single complex value
            // may be selected too, with the compatibility setting (Entra ID's manager removal).
            let selectable = attr.is_complex() && (attr.multi_valued || compat.single_value_filter);
            if !selectable {
                return Err(Error::invalid_path(format!(
                    "a value filter selects entries of a multi-valued complex attribute; {} is not one",
                    attr.name
                )));
            }
            let sub = match sub_attr {
                Some(name) => match attr.sub_attribute(name.as_str()) {
                    Some(sub) => Some(sub),
                    None => return unknown(&format!("{}.{name}", attr.name), compat),
                },
                None => None,
            };
            let filter = EntryFilter::new(attr, &value_path.filter)?;
            let mut target = AttrTarget::from_resolved(resolved);
            target.sub = sub;
            target.filter = Some(filter);
            Ok(Target::Attr(target))
        }
        _ => Err(Error::invalid_path(format!("unsupported path {path}"))),
    }
}

/// Where the keys of a path-less value are resolved.
#[derive(Clone, Copy, Debug)]
pub(super) enum Scope<'s> {
    /// The resource: core attributes, extension URNs and (with
    /// [`Compatibility::pathless_path_keys`]) paths.
    Resource,
    /// One extension's attributes.
    Extension(&'s Schema),
}

/// Resolves a key of a path-less `add`/`replace` value (or of an extension's object value).
pub(super) fn resolve_key<'s>(
    schema: &ResourceTypeSchema<'s>,
    scope: Scope<'s>,
    key: &str,
    compat: &Compatibility,
) -> Result<Target<'s, 'static>> {
    let resolved = match scope {
        Scope::Resource => {
            if key.eq_ignore_ascii_case("schemas") {
                return Ok(Target::Ignored);
            }
            if let Some(ext) = schema.extension(key) {
                return Ok(Target::Extension(ext));
            }
            if key.contains(['.', ':']) {
                if !compat.pathless_path_keys {
                    return unknown(key, compat);
                }
                match schema.resolve_str(key) {
                    Some(ResolvedPath::Extension(ext)) => return Ok(Target::Extension(ext)),
                    Some(ResolvedPath::Attribute(resolved)) => Some(resolved),
                    _ => None,
                }
            } else {
                schema.resolve(Some(&schema.core().id), key, None)
            }
        }
        Scope::Extension(ext) => {
            let (name, sub) = match key.split_once('.') {
                Some((name, sub)) if compat.pathless_path_keys => (name, Some(sub)),
                _ => (key, None),
            };
            schema.resolve(Some(&ext.id), name, sub)
        }
    };
    match resolved {
        Some(resolved) => Ok(Target::Attr(AttrTarget::from_resolved(resolved))),
        None => unknown(key, compat),
    }
}

/// An unknown attribute: ignored, or `invalidPath`.
fn unknown<'s, 'p>(path: &str, compat: &Compatibility) -> Result<Target<'s, 'p>> {
    if compat.ignore_unknown_attributes {
        Ok(Target::Ignored)
    } else {
        Err(Error::invalid_path(format!("unknown attribute {path}")))
    }
}
