//! Attribute paths and PATCH paths.

use super::filter::parse_filter;
use super::{Ctx, PResult, fail};
use crate::ast::{AttrName, AttrPath, PatchPath, SchemaUri, ValuePath, is_attr_name, is_uri_byte};

/// An attribute path: `[schemaUri ":"] name ["." subAttr]`.
///
/// Attribute names never contain `:`, so everything up to the last `:` of the token is the
/// schema URI, and the rest is the name with an optional sub-attribute.
pub(crate) fn parse_attr_path(i: &str) -> PResult<'_, AttrPath> {
    // One pass over the token, noting the last `:` and the first `.` after it.
    let bytes = i.as_bytes();
    let (mut len, mut colon, mut dot) = (0, None, None);
    while let Some(&b) = bytes.get(len) {
        match b {
            b':' => {
                colon = Some(len);
                dot = None;
            }
            b'.' if dot.is_none() => dot = Some(len),
            b if is_uri_byte(b) || b == b'$' => {}
            _ => break,
        }
        len += 1;
    }
    if len == 0 {
        return fail(i, "an attribute path");
    }
    let (schema, local_at) = match colon {
        Some(colon) => {
            let uri = &i[..colon];
            if !crate::ast::is_schema_uri(uri) {
                return fail(i, "a schema URI before ':'");
            }
            (Some(SchemaUri::new_unchecked(uri)), colon + 1)
        }
        None => (None, 0),
    };
    let name_end = dot.unwrap_or(len);
    let name = &i[local_at..name_end];
    if !is_attr_name(name) {
        return fail(&i[local_at..], "an attribute name");
    }
    let sub_attr = match dot {
        Some(dot) if is_attr_name(&i[dot + 1..len]) => {
            Some(AttrName::new_unchecked(&i[dot + 1..len]))
        }
        Some(dot) => return fail(&i[dot + 1..], "a sub-attribute name"),
        None => None,
    };
    let path = AttrPath { schema, name: AttrName::new_unchecked(name), sub_attr };
    Ok((&i[len..], path))
}

/// The `"[" valFilter "]"` part of a value path; `i` starts at the `[`.
pub(crate) fn parse_value_filter<'a>(
    ctx: &Ctx,
    i: &'a str,
    attr: AttrPath,
    depth: usize,
) -> PResult<'a, ValuePath> {
    if attr.sub_attr.is_some() {
        return fail(i, "'[' only after an attribute without a sub-attribute");
    }
    let (i, depth) = ctx.enter(i, depth)?;
    let (i, _) = super::token::ws0(&i[1..])?;
    let (i, filter) = parse_filter(ctx, i, depth, true)?;
    let (i, _) = super::token::ws0(i)?;
    match i.as_bytes().first() {
        Some(b']') => Ok((&i[1..], ValuePath::new(attr, filter))),
        _ => fail(i, "']' to close the value filter (or 'and', 'or')"),
    }
}

/// A sub-attribute after a value path: `.name`; `i` starts at the `.`.
pub(crate) fn parse_sub_attr(i: &str) -> PResult<'_, AttrName> {
    let body = &i[1..];
    let len = body
        .bytes()
        .take_while(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'$'))
        .count();
    let name = &body[..len];
    if !is_attr_name(name) {
        return fail(body, "a sub-attribute name");
    }
    Ok((&body[len..], AttrName::new_unchecked(name)))
}

/// A PATCH path: `attrPath`, `valuePath` or `valuePath "." subAttr`.
pub(crate) fn parse_patch_path<'a>(ctx: &Ctx, i: &'a str) -> PResult<'a, PatchPath> {
    let (i, attr) = parse_attr_path(i)?;
    if !i.starts_with('[') {
        return Ok((i, PatchPath::Attr(attr)));
    }
    let (i, path) = parse_value_filter(ctx, i, attr, 0)?;
    if i.starts_with('.') {
        let (i, sub) = parse_sub_attr(i)?;
        Ok((i, PatchPath::ValuePath { path, sub_attr: Some(sub) }))
    } else {
        Ok((i, PatchPath::ValuePath { path, sub_attr: None }))
    }
}
