//! Bounds on what a user types, in one place for the CLI and the GUI: names (employees,
//! departments, terminals, app users, shifts, the organisation), free texts (reasons, notes,
//! locations), the connection rules' numbers, and the size of files to import. Each refusal names
//! the field and says what to do, so a clerk can correct the value.
//!
//! Limits are chosen so that anything the database accepts also fits the reports (Excel cells,
//! sheet names are cut to 31 characters by the writer, table columns).

use kaoqin_sync::policy::ConnectionRules;

use super::error::{AppError, AppResult};

/// Longest name (employee, department, terminal, app user, shift, organisation), in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// Longest free text (a request's reason, a comment, a location, a position), in characters.
pub const MAX_TEXT_CHARS: usize = 500;
/// Longest code or number (工号, card number, serial number, shift code), in characters.
pub const MAX_CODE_CHARS: usize = 32;

/// The hard time limit of one terminal connection, in seconds (docs/domain.md §2: 180 by default).
pub const TIME_LIMIT_SECS: std::ops::RangeInclusive<u32> = 30..=600;
/// Minutes between two connections to the same terminal: at least one, so that the rule can never
/// be switched off (docs/domain.md §2: 10 by default), and at most a day.
pub const SPACING_MIN: std::ops::RangeInclusive<u32> = 1..=24 * 60;
/// Minutes kept clear before a sign-in deadline or after a sign-out one (docs/domain.md §2: 45).
pub const PEAK_MARGIN_MIN: std::ops::RangeInclusive<u32> = 0..=180;

/// Characters that reorder text on screen (bidi embeddings, overrides, isolates and marks): a
/// name holding them can show as another name in a list or a report.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

fn invalid(field: &'static str, reason: impl Into<String>) -> AppError {
    AppError::Invalid {
        field,
        reason: reason.into(),
    }
}

fn describe(c: char) -> String {
    match c {
        '\n' | '\r' => "a line break".into(),
        '\t' => "a tab".into(),
        c if is_bidi_control(c) => format!("the invisible direction mark U+{:04X}", c as u32),
        c => format!("the control character U+{:04X}", c as u32),
    }
}

fn check_chars(field: &'static str, value: &str, allow_newlines: bool) -> AppResult<()> {
    let bad = value.chars().find(|&c| {
        let newline_ok = allow_newlines && matches!(c, '\n' | '\r' | '\t');
        (c.is_control() && !newline_ok) || is_bidi_control(c)
    });
    match bad {
        Some(c) => Err(invalid(
            field,
            format!(
                "it contains {}; type it again without it (copying from a web page or a chat \
                 can bring such characters along)",
                describe(c)
            ),
        )),
        None => Ok(()),
    }
}

fn check_len(field: &'static str, value: &str, max: usize) -> AppResult<()> {
    let n = value.chars().count();
    if n > max {
        return Err(invalid(
            field,
            format!("it has {n} characters; at most {max} are allowed, please shorten it"),
        ));
    }
    Ok(())
}

/// A name: trimmed, not empty, at most [`MAX_NAME_CHARS`], one line, no control or direction
/// characters. Returns the trimmed name.
pub fn name(field: &'static str, value: &str) -> AppResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(invalid(field, "it is empty"));
    }
    check_chars(field, v, false)?;
    check_len(field, v, MAX_NAME_CHARS)?;
    Ok(v.to_string())
}

/// A code or number (工号, card, serial, shift code): like [`name`] but at most
/// [`MAX_CODE_CHARS`]. Empty is refused.
pub fn code(field: &'static str, value: &str) -> AppResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(invalid(field, "it is empty"));
    }
    check_chars(field, v, false)?;
    check_len(field, v, MAX_CODE_CHARS)?;
    Ok(v.to_string())
}

/// An optional one-line value (position, location, card number): empty is fine; otherwise at
/// most `max` characters, no control or direction characters.
pub fn opt_line(field: &'static str, value: Option<&str>, max: usize) -> AppResult<()> {
    if let Some(v) = value {
        check_chars(field, v.trim(), false)?;
        check_len(field, v.trim(), max)?;
    }
    Ok(())
}

/// A free text (reason, comment, note): may be empty and may hold line breaks; at most
/// [`MAX_TEXT_CHARS`]; no other control characters and no direction characters.
pub fn text(field: &'static str, value: &str) -> AppResult<()> {
    check_chars(field, value, true)?;
    check_len(field, value.trim(), MAX_TEXT_CHARS)
}

fn in_range(
    field: &'static str,
    v: u32,
    range: &std::ops::RangeInclusive<u32>,
    unit: &str,
) -> AppResult<()> {
    if range.contains(&v) {
        return Ok(());
    }
    Err(invalid(
        field,
        format!(
            "{v} {unit} is outside the allowed {}–{} {unit}",
            range.start(),
            range.end()
        ),
    ))
}

/// The connection rules a supervisor sets: time limit 30–600 s, spacing 1 minute to a day, peak
/// margins 0–180 minutes, peak session names like other names.
pub fn connection_rules(r: &ConnectionRules) -> AppResult<()> {
    in_range("time limit", r.time_limit_secs, &TIME_LIMIT_SECS, "s")?;
    in_range("spacing", r.spacing_min, &SPACING_MIN, "min")?;
    in_range(
        "margin before sign-in",
        r.margin_before_sign_in_min,
        &PEAK_MARGIN_MIN,
        "min",
    )?;
    in_range(
        "margin after sign-out",
        r.margin_after_sign_out_min,
        &PEAK_MARGIN_MIN,
        "min",
    )?;
    for s in &r.sessions {
        name("peak session name", &s.name)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_refuse_line_breaks_controls_and_direction_marks() {
        assert_eq!(name("name", "  张三 ").ok().as_deref(), Some("张三"));
        for bad in [
            "张\n三",
            "a\rb",
            "x\u{0007}",
            "abc\u{202E}fed",
            "\u{2066}x\u{2069}",
            "a\u{200F}b",
        ] {
            let e = name("name", bad).map(|_| ()).unwrap_err().to_string();
            assert!(e.starts_with("invalid name: it contains"), "{bad:?}: {e}");
        }
        let long = "长".repeat(MAX_NAME_CHARS + 1);
        let e = name("name", &long).map(|_| ()).unwrap_err().to_string();
        assert!(e.contains("at most 64"), "{e}");
        assert!(name("name", &"长".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(name("name", "   ").is_err());
    }

    #[test]
    fn texts_keep_line_breaks_but_not_overrides() {
        assert!(text("reason", "看病\n复诊").is_ok());
        assert!(text("reason", "").is_ok());
        assert!(text("reason", "a\u{202D}b").is_err());
        assert!(text("reason", &"x".repeat(MAX_TEXT_CHARS + 1)).is_err());
    }

    #[test]
    fn rules_bounds() {
        let ok = ConnectionRules::default();
        assert!(connection_rules(&ok).is_ok());
        for (r, msg) in [
            (
                ConnectionRules {
                    time_limit_secs: 5,
                    ..ok.clone()
                },
                "invalid time limit: 5 s is outside the allowed 30–600 s",
            ),
            (
                ConnectionRules {
                    time_limit_secs: 601,
                    ..ok.clone()
                },
                "invalid time limit",
            ),
            (
                ConnectionRules {
                    spacing_min: 24 * 60 + 1,
                    ..ok.clone()
                },
                "invalid spacing",
            ),
            (
                ConnectionRules {
                    spacing_min: 0,
                    ..ok.clone()
                },
                "invalid spacing: 0 min is outside the allowed 1–1440 min",
            ),
            (
                ConnectionRules {
                    margin_before_sign_in_min: 600,
                    ..ok.clone()
                },
                "invalid margin before sign-in",
            ),
        ] {
            let e = connection_rules(&r).unwrap_err().to_string();
            assert!(e.starts_with(msg), "{e}");
        }
    }
}
