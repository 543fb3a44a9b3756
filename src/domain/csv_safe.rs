//! Spreadsheet-safe CSV cells ("CSV injection", OWASP): a text cell that starts with `=`, `+`, `-`,
//! `@`, a tab or a carriage return is read by Excel, LibreOffice and WPS as a formula
//! (`=HYPERLINK(...)`, `=cmd|...`), so every CSV Kaoqin writes prefixes such a cell with a single
//! quote `'`, the way spreadsheet-safe exporters do. The fullwidth forms `＝ ＋ － ＠` are treated
//! the same, because spreadsheet programs with a Chinese or Japanese input method turn them into
//! their ASCII forms.
//!
//! Which cells are numbers is decided by the column's type where the writer knows it (the Excel
//! layer's `Value::Int`/`Num` cells are never touched, only its `Value::Text` cells go through
//! [`text_cell`]); where a writer only has strings (the CLI's `--format csv` listings, the
//! punches and sessions CSV) [`cell`] keeps a cell that is wholly a plain decimal number (an
//! optional sign, digits, at most one decimal point: `-5` minutes, `+3`, `-0.5`) as it is, since
//! such a cell cannot be a formula, and neutralises everything else. Pure string work.

use std::borrow::Cow;

/// Characters that make a spreadsheet read a cell as a formula when they lead it.
fn is_trigger(c: char) -> bool {
    matches!(
        c,
        '=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠'
    )
}

/// Whether `s` is a plain decimal number: optional sign, digits, at most one '.' between digits.
pub fn is_plain_number(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// A text cell: prefixed with `'` when it starts with a formula trigger.
pub fn text_cell(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some(c) if is_trigger(c) => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// A cell of unknown type: plain numbers stay as they are, everything else as [`text_cell`].
pub fn cell(s: &str) -> Cow<'_, str> {
    if is_plain_number(s) {
        Cow::Borrowed(s)
    } else {
        text_cell(s)
    }
}

/// Undoes [`text_cell`] for Kaoqin's own importers reading a CSV Kaoqin wrote: a leading `'`
/// followed by a trigger character is dropped; anything else is returned unchanged.
pub fn unquote(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.chars().next().is_some_and(is_trigger) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_prefixed_numbers_are_not() {
        for (input, want) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1+1", "'+1+1"),
            ("-1+1", "'-1+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("＝1+1", "'＝1+1"),
            ("-inf", "'-inf"),
            ("-", "'-"),
            ("-5", "-5"),
            ("+3", "+3"),
            ("-0.5", "-0.5"),
            ("12", "12"),
            ("张三", "张三"),
            ("", ""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(cell(input), want, "{input:?}");
        }
        assert_eq!(text_cell("-5"), "'-5");
        assert!(!is_plain_number("1."));
        assert!(!is_plain_number(".5"));
        assert!(!is_plain_number("1e5"));
    }

    #[test]
    fn unquote_reverses_text_cell() {
        for s in ["=x", "-5", "张三", "'quoted", "", "@a"] {
            assert_eq!(unquote(&text_cell(s)), s);
        }
    }
}
