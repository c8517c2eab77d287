//! Filters: `or` binds loosest, then `and`, then `not`, parentheses, value paths and attribute
//! expressions.

use super::path::{parse_attr_path, parse_sub_attr, parse_value_filter};
use super::token::{keyword, parse_attr_test, starts_with_keyword, ws0, ws1};
use super::{Ctx, PResult, fail};
use crate::ast::{AttrExpr, Filter};

/// `filter = and-expr *("or" and-expr)`. `in_value_path` forbids nested value paths.
pub(crate) fn parse_filter<'a>(
    ctx: &Ctx,
    i: &'a str,
    depth: usize,
    in_value_path: bool,
) -> PResult<'a, Filter> {
    let (mut i, first) = parse_and(ctx, i, depth, in_value_path)?;
    let mut operands = Vec::new();
    while let Some(rest) = logical_keyword(i, "or")? {
        let (rest, next) = parse_and(ctx, rest, depth, in_value_path)?;
        operands.push(next);
        i = rest;
    }
    Ok((i, chain(first, operands, Filter::Or)))
}

/// `and-expr = term *("and" term)`.
fn parse_and<'a>(ctx: &Ctx, i: &'a str, depth: usize, in_value_path: bool) -> PResult<'a, Filter> {
    let (mut i, first) = parse_term(ctx, i, depth, in_value_path)?;
    let mut operands = Vec::new();
    while let Some(rest) = logical_keyword(i, "and")? {
        let (rest, next) = parse_term(ctx, rest, depth, in_value_path)?;
        operands.push(next);
        i = rest;
    }
    Ok((i, chain(first, operands, Filter::And)))
}

/// `first` alone, or `first` and `rest` as one chain. Parenthesised operands stay nested, so
/// the tree keeps the grouping that was written.
fn chain(first: Filter, rest: Vec<Filter>, make: fn(Vec<Filter>) -> Filter) -> Filter {
    if rest.is_empty() {
        return first;
    }
    let mut operands = Vec::with_capacity(rest.len() + 1);
    operands.push(first);
    operands.extend(rest);
    make(operands)
}

/// If `i` continues with whitespace, `word` and then whitespace or `(`, the input after them.
/// Fails if `word` ends the input.
fn logical_keyword<'a>(
    i: &'a str,
    word: &'static str,
) -> Result<Option<&'a str>, nom::Err<super::Expected<'a>>> {
    let (rest, _) = ws0(i)?;
    // Most calls find no keyword: look at the first byte before anything else.
    if !rest.as_bytes().first().is_some_and(|b| b.eq_ignore_ascii_case(&word.as_bytes()[0])) {
        return Ok(None);
    }
    let Ok((rest, _)) = keyword(rest, word) else { return Ok(None) };
    if rest.starts_with('(') {
        return Ok(Some(rest));
    }
    let (after, spaces) = ws0(rest)?;
    if after.is_empty() {
        let message =
            if word == "and" { "an expression after 'and'" } else { "an expression after 'or'" };
        return fail(after, message).map(|(_, ())| None);
    }
    Ok((!spaces.is_empty()).then_some(after))
}

/// A term: `(filter)`, `not (filter)`, a value path, or an attribute expression.
fn parse_term<'a>(ctx: &Ctx, i: &'a str, depth: usize, in_value_path: bool) -> PResult<'a, Filter> {
    if i.starts_with('(') {
        let (inner, depth) = ctx.enter(i, depth)?;
        return parse_group(ctx, &inner[1..], depth, in_value_path);
    }
    if starts_with_keyword(i, "not") {
        let (after, _) = ws0(&i[3..])?;
        if after.starts_with('(') {
            let (inner, depth) = ctx.enter(after, depth)?;
            let (rest, filter) = parse_group(ctx, &inner[1..], depth, in_value_path)?;
            return Ok((rest, filter.negate()));
        }
    }
    let start = i;
    let (i, path) = parse_attr_path(i)?;
    if i.starts_with('[') {
        if in_value_path {
            return fail(i, "no value path inside a value path");
        }
        let (i, value_path) = parse_value_filter(ctx, i, path, depth)?;
        if !i.starts_with('.') {
            return Ok((i, Filter::ValuePath(value_path)));
        }
        let (i, sub_attr) = parse_sub_attr(i)?;
        let (i, test) = attr_test_after_path(ctx, i)?;
        return Ok((i, Filter::ValuePathAttr { path: value_path, sub_attr, test }));
    }
    if path.schema.is_none() && path.sub_attr.is_none() && path.name == "not" {
        // `not` followed by something other than `(`.
        if ws1(i).is_ok_and(|(rest, _)| parse_attr_test(rest).is_err()) {
            return fail(start, "'(' after 'not'");
        }
    }
    let (i, test) = attr_test_after_path(ctx, i)?;
    Ok((i, Filter::Attr(AttrExpr::new(path, test))))
}

/// Whitespace, then `pr` or an operator and a value; counts one term.
fn attr_test_after_path<'a>(ctx: &Ctx, i: &'a str) -> PResult<'a, crate::ast::AttrTest> {
    let (i, _) = match ws1(i) {
        Ok(ok) => ok,
        Err(_) if i.is_empty() => return fail(i, "an operator after the attribute path"),
        Err(_) => return fail(i, "whitespace and an operator after the attribute path"),
    };
    let (i, _) = ctx.count_term(i)?;
    parse_attr_test(i)
}

/// The rest of a parenthesised filter; `i` starts just after the `(`.
fn parse_group<'a>(
    ctx: &Ctx,
    i: &'a str,
    depth: usize,
    in_value_path: bool,
) -> PResult<'a, Filter> {
    let (i, _) = ws0(i)?;
    let (i, filter) = parse_filter(ctx, i, depth, in_value_path)?;
    let (i, _) = ws0(i)?;
    match i.as_bytes().first() {
        Some(b')') => Ok((&i[1..], filter)),
        _ => fail(i, "')' (or 'and', 'or')"),
    }
}
