//! Tokens: whitespace, keywords, operators and JSON values.

use nom::Parser;
use nom::bytes::complete::tag_no_case;

use super::{PResult, fail};
use crate::ast::{AttrTest, CompValue, CompareOp};

/// Whitespace real clients put between tokens: spaces, tabs and line breaks.
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Bytes that may continue a name or keyword; a keyword must not be followed by one.
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'$' | b'.' | b':')
}

/// Optional whitespace. (A byte loop rather than `take_while`: this runs between every two
/// tokens.)
pub(crate) fn ws0(i: &str) -> PResult<'_, &str> {
    let n = i.bytes().take_while(|&b| is_ws(b)).count();
    Ok((&i[n..], &i[..n]))
}

/// At least one whitespace character.
pub(crate) fn ws1(i: &str) -> PResult<'_, &str> {
    match ws0(i)? {
        (_, "") => Err(nom::Err::Error(super::Expected { input: i, message: "whitespace" })),
        ok => Ok(ok),
    }
}

/// Whether `i` starts with `keyword` (ASCII case-insensitive) as a whole word.
pub(crate) fn starts_with_keyword(i: &str, keyword: &str) -> bool {
    let b = i.as_bytes();
    b.len() >= keyword.len()
        && b[..keyword.len()].eq_ignore_ascii_case(keyword.as_bytes())
        && b.get(keyword.len()).is_none_or(|&c| !is_word_byte(c))
}

/// A keyword as a whole word, in any case.
pub(crate) fn keyword<'a>(i: &'a str, word: &'static str) -> PResult<'a, &'a str> {
    if starts_with_keyword(i, word) {
        tag_no_case(word).parse(i)
    } else {
        Err(nom::Err::Error(super::Expected { input: i, message: word }))
    }
}

/// The test after an attribute path: `pr`, or an operator and a value. `i` starts at the
/// operator.
pub(crate) fn parse_attr_test(i: &str) -> PResult<'_, AttrTest> {
    let b = i.as_bytes();
    let word = match (b.first(), b.get(1), b.get(2)) {
        (Some(x), Some(y), next) if !next.is_some_and(|&c| is_word_byte(c)) => {
            [x.to_ascii_lowercase(), y.to_ascii_lowercase()]
        }
        _ => return fail(i, "an operator (eq, ne, co, sw, ew, gt, lt, ge, le or pr)"),
    };
    let op = match &word {
        b"pr" => return Ok((&i[2..], AttrTest::Present)),
        b"eq" => CompareOp::Eq,
        b"ne" => CompareOp::Ne,
        b"co" => CompareOp::Co,
        b"sw" => CompareOp::Sw,
        b"ew" => CompareOp::Ew,
        b"gt" => CompareOp::Gt,
        b"lt" => CompareOp::Lt,
        b"ge" => CompareOp::Ge,
        b"le" => CompareOp::Le,
        _ => return fail(i, "an operator (eq, ne, co, sw, ew, gt, lt, ge, le or pr)"),
    };
    let (i, _) = ws0(&i[2..])?;
    let (i, value) = parse_value(i)?;
    Ok((i, AttrTest::Compare(op, value)))
}

/// A comparison value: a JSON string, number, `true`, `false` or `null`.
pub(crate) fn parse_value(i: &str) -> PResult<'_, CompValue> {
    let value = match i.as_bytes().first() {
        Some(b'"') => parse_string(i),
        Some(b'-' | b'0'..=b'9') => parse_number(i),
        Some(_) if starts_with_keyword(i, "true") => Ok((&i[4..], CompValue::Bool(true))),
        Some(_) if starts_with_keyword(i, "false") => Ok((&i[5..], CompValue::Bool(false))),
        Some(_) if starts_with_keyword(i, "null") => Ok((&i[4..], CompValue::Null)),
        _ => fail(i, "a value (a string, number, true, false or null)"),
    }?;
    // A value ends at whitespace, a bracket or the end of the input: `5abc` is no number.
    match value.0.as_bytes().first() {
        Some(&b) if is_word_byte(b) || b == b'"' => {
            fail(value.0, "whitespace, ')' or ']' after the value")
        }
        _ => Ok(value),
    }
}

/// A JSON number (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`), kept exactly as
/// `serde_json::Number` parses it.
fn parse_number(i: &str) -> PResult<'_, CompValue> {
    let b = i.as_bytes();
    let digits_from = |at: usize| at + b[at..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut end = usize::from(b.first() == Some(&b'-'));
    match b.get(end) {
        Some(b'0') => end += 1,
        Some(b'1'..=b'9') => end = digits_from(end),
        _ => return fail(&i[end..], "a digit"),
    }
    if b.get(end) == Some(&b'.') {
        let frac_end = digits_from(end + 1);
        if frac_end == end + 1 {
            return fail(&i[end + 1..], "a digit");
        }
        end = frac_end;
    }
    if matches!(b.get(end), Some(b'e' | b'E')) {
        end += 1;
        if matches!(b.get(end), Some(b'+' | b'-')) {
            end += 1;
        }
        let exp_end = digits_from(end);
        if exp_end == end {
            return fail(&i[end..], "a digit");
        }
        end = exp_end;
    }
    match i[..end].parse::<serde_json::Number>() {
        Ok(n) => Ok((&i[end..], CompValue::Number(n))),
        Err(_) => fail(i, "number out of range"),
    }
}

/// A JSON string with every JSON escape, including `\uXXXX` and surrogate pairs.
fn parse_string(i: &str) -> PResult<'_, CompValue> {
    let body = &i[1..];
    let bytes = body.as_bytes();
    // Fast path: no escapes.
    let mut end = 0;
    while end < bytes.len() {
        match bytes[end] {
            b'"' => {
                return Ok((&body[end + 1..], CompValue::String(body[..end].to_owned())));
            }
            b'\\' => break,
            b if b < 0x20 => return fail(&body[end..], "invalid control character in string"),
            _ => end += 1,
        }
    }
    if end == bytes.len() {
        return fail(i, "unterminated string");
    }
    let mut out = String::with_capacity(body.len());
    out.push_str(&body[..end]);
    let mut rest = &body[end..];
    loop {
        let Some(c) = rest.chars().next() else {
            return fail(i, "unterminated string");
        };
        match c {
            '"' => return Ok((&rest[1..], CompValue::String(out))),
            '\\' => {
                let (next, decoded) = parse_escape(rest)?;
                out.push(decoded);
                rest = next;
            }
            c if (c as u32) < 0x20 => return fail(rest, "invalid control character in string"),
            c => {
                // Copy the run of plain characters in one go.
                let run = rest
                    .bytes()
                    .position(|b| b == b'"' || b == b'\\' || b < 0x20)
                    .unwrap_or(rest.len());
                let run = run.max(c.len_utf8());
                out.push_str(&rest[..run]);
                rest = &rest[run..];
            }
        }
    }
}

/// One escape sequence; `i` starts at the backslash.
fn parse_escape(i: &str) -> PResult<'_, char> {
    let Some(&kind) = i.as_bytes().get(1) else {
        return fail(i, "unterminated string");
    };
    let simple = match kind {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{08}',
        b'f' => '\u{0c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => return parse_unicode_escape(i),
        _ => return fail(i, "invalid escape in string"),
    };
    Ok((&i[2..], simple))
}

/// `\uXXXX`, or a surrogate pair `\uD83D\uDE00`; `i` starts at the backslash.
fn parse_unicode_escape(i: &str) -> PResult<'_, char> {
    let high = hex4(i)?;
    let rest = &i[6..];
    match high {
        0xD800..=0xDBFF => {
            if !rest.starts_with("\\u") {
                return fail(i, "invalid unicode escape (lone surrogate)");
            }
            let low = hex4(rest)?;
            if !(0xDC00..=0xDFFF).contains(&low) {
                return fail(i, "invalid unicode escape (lone surrogate)");
            }
            let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
            match char::from_u32(code) {
                Some(c) => Ok((&rest[6..], c)),
                None => fail(i, "invalid unicode escape"),
            }
        }
        0xDC00..=0xDFFF => fail(i, "invalid unicode escape (lone surrogate)"),
        code => match char::from_u32(code) {
            Some(c) => Ok((rest, c)),
            None => fail(i, "invalid unicode escape"),
        },
    }
}

/// The four hex digits of `\uXXXX`; `i` starts at the backslash.
fn hex4(i: &str) -> Result<u32, nom::Err<super::Expected<'_>>> {
    let digits = i.get(2..6).filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
    match digits.and_then(|d| u32::from_str_radix(d, 16).ok()) {
        Some(code) => Ok(code),
        None => Err(nom::Err::Failure(super::Expected {
            input: i,
            message: "invalid unicode escape (four hex digits expected)",
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(i: &str) -> CompValue {
        parse_value(i).unwrap().1
    }

    #[test]
    fn strings_decode_every_json_escape() {
        assert_eq!(value(r#""plain""#), CompValue::String("plain".into()));
        assert_eq!(
            value(r#""q\" b\\ s\/ \b\f\n\r\t""#),
            CompValue::String("q\" b\\ s/ \u{8}\u{c}\n\r\t".into())
        );
        assert_eq!(value(r#""\u00e9\u00E9""#), CompValue::String("éé".into()));
        assert_eq!(value(r#""\ud83d\ude00 ok""#), CompValue::String("😀 ok".into()));
        assert_eq!(value(r#""ünïcödé""#), CompValue::String("ünïcödé".into()));
    }

    #[test]
    fn bad_strings_fail() {
        for bad in [r#""open"#, r#""\ud83d""#, r#""\ude00""#, r#""\x""#, r#""\u12""#, "\"a\u{1}\""]
        {
            assert!(parse_value(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn numbers_follow_json() {
        assert_eq!(value("0"), CompValue::Number(0.into()));
        assert_eq!(value("-12"), CompValue::Number((-12).into()));
        assert_eq!(value("1.5e3").to_string(), "1500.0");
        assert_eq!(value("2E-2").to_string(), "0.02");
        assert_eq!(value("18446744073709551615").to_string(), "18446744073709551615");
        for bad in ["01", "1.", "-", "1e", "1e400", ".5", "5abc"] {
            assert!(parse_value(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn literals_are_case_insensitive_whole_words() {
        assert_eq!(value("true"), CompValue::Bool(true));
        assert_eq!(value("False"), CompValue::Bool(false));
        assert_eq!(value("NULL"), CompValue::Null);
        assert!(parse_value("truex").is_err());
    }
}
