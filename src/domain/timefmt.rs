//! Dates and times as people type and read them: the one parser and formatter the CLI, the window
//! and the services share, so a value the CLI accepts the window accepts too, with the same words
//! when it does not. (The database's own text forms are `kaoqin_store::timefmt`'s.) No clock reads.
//!
//! Accepted forms (spaces around the value are ignored):
//!
//! - a date: `YYYY-MM-DD`; also `/` or `.` between the parts, one-digit month and day
//!   (`2026/3/1`, `2026.3.1`), or eight digits `YYYYMMDD`. The year has four digits
//!   ([`YEARS`]). An impossible date is named as such: `'2026-02-30' is not a real calendar date:
//!   February 2026 has 28 days`.
//! - a time of day: `HH:MM` or `HH:MM:SS`, 24-hour clock, the hour may have one digit (`8:30`).
//! - a date and time: a date, then a space or `T`, then a time (`2026-03-01 08:30`).
//!
//! Written forms: [`fmt_date`] `2026-03-01`, [`fmt_time`] `08:30`, [`fmt_datetime`]
//! `2026-03-01 08:30`, [`fmt_datetime_secs`] `2026-03-01 08:30:05`.

use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use thiserror::Error;

/// The years a typed date or month may name (four digits).
pub const YEARS: RangeInclusive<i32> = 1000..=9999;

/// Why a typed date or time was refused; the text says what to write instead. Comparing errors
/// compares their kind and the text they quote.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TimeError {
    #[error("'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01")]
    NotADate { text: String },
    #[error("'{text}' is not a real calendar date: {why}")]
    NoSuchDate { text: String, why: String },
    #[error("'{text}' is not a time; write it as HH:MM, e.g. 08:30")]
    NotATime { text: String },
    #[error("'{text}' is not a time of day: {why}")]
    NoSuchTime { text: String, why: &'static str },
    #[error("'{text}' is not a date and time; write it as YYYY-MM-DD HH:MM, e.g. 2026-03-01 08:30")]
    NotADateTime { text: String },
}

/// A value that is either a whole date or a date with a time (the two ends of a request span).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrDateTime {
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

/// English month names, for the error that says how many days a month has.
const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `digits` read as a number when it has `min..=max` ASCII digits and nothing else.
pub(crate) fn number(digits: &str, min: usize, max: usize) -> Option<u32> {
    let ok = (min..=max).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| digits.parse().ok()).flatten()
}

/// The name of a month (1–12) in English, for messages.
pub(crate) fn month_name(month: u32) -> &'static str {
    usize::try_from(month)
        .ok()
        .and_then(|m| m.checked_sub(1))
        .and_then(|i| MONTH_NAMES.get(i))
        .copied()
        .unwrap_or("that month")
}

/// Parses a date in one of the forms of the module's documentation.
pub fn parse_date(s: &str) -> Result<NaiveDate, TimeError> {
    let text = s.trim();
    let not_a_date = || TimeError::NotADate { text: text.into() };
    let (y, m, d) = if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        (&text[..4], &text[4..6], &text[6..])
    } else {
        let mut parts = text.split(['-', '/', '.']);
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(y), Some(m), Some(d), None) => (y, m, d),
            _ => return Err(not_a_date()),
        }
    };
    let (Some(year), Some(month), Some(day)) = (number(y, 4, 4), number(m, 1, 2), number(d, 1, 2))
    else {
        return Err(not_a_date());
    };
    let no_such = |why: String| TimeError::NoSuchDate {
        text: text.into(),
        why,
    };
    let year = i32::try_from(year).map_err(|_| not_a_date())?;
    if !YEARS.contains(&year) {
        return Err(no_such(format!(
            "the year is {} to {}",
            YEARS.start(),
            YEARS.end()
        )));
    }
    if !(1..=12).contains(&month) {
        return Err(no_such("the month is 1–12".into()));
    }
    if day == 0 {
        return Err(no_such("days are numbered from 1".into()));
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        let days = NaiveDate::from_ymd_opt(year, month, 1).map_or(31, |f| f.num_days_in_month());
        no_such(format!("{} {year} has {days} days", month_name(month)))
    })
}

/// A date field that may stay empty: empty (or spaces) is `None`, anything else must be a date.
pub fn parse_opt_date(s: &str) -> Result<Option<NaiveDate>, TimeError> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(s).map(Some)
    }
}

/// Parses a time of day, `HH:MM` or `HH:MM:SS`.
pub fn parse_time(s: &str) -> Result<NaiveTime, TimeError> {
    let text = s.trim();
    let mut parts = text.split(':');
    let (h, m, sec) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(m), sec, None) => (h, m, sec),
        _ => return Err(TimeError::NotATime { text: text.into() }),
    };
    let sec = match sec {
        None => Some(0),
        Some(x) => number(x, 2, 2),
    };
    let (Some(hour), Some(minute), Some(second)) = (number(h, 1, 2), number(m, 2, 2), sec) else {
        return Err(TimeError::NotATime { text: text.into() });
    };
    let why = if hour > 23 {
        "the hour is 0–23"
    } else if minute > 59 {
        "the minutes are 00–59"
    } else if second > 59 {
        "the seconds are 00–59"
    } else {
        return NaiveTime::from_hms_opt(hour, minute, second)
            .ok_or_else(|| TimeError::NotATime { text: text.into() });
    };
    Err(TimeError::NoSuchTime {
        text: text.into(),
        why,
    })
}

/// Parses a date and a time of day, separated by a space or `T`.
pub fn parse_datetime(s: &str) -> Result<NaiveDateTime, TimeError> {
    let text = s.trim();
    let whole = || TimeError::NotADateTime { text: text.into() };
    let (d, t) = text.split_once([' ', 'T']).ok_or_else(whole)?;
    // An impossible date or time is named as such; a shape that is neither says the whole form.
    let date = match parse_date(d) {
        Ok(date) => date,
        Err(e @ TimeError::NoSuchDate { .. }) => return Err(e),
        Err(_) => return Err(whole()),
    };
    let time = match parse_time(t) {
        Ok(time) => time,
        Err(e @ TimeError::NoSuchTime { .. }) => return Err(e),
        Err(_) => return Err(whole()),
    };
    Ok(date.and_time(time))
}

/// A date, or a date and time when the text has a time part (a space, `T` or `:`).
pub fn parse_date_or_datetime(s: &str) -> Result<DateOrDateTime, TimeError> {
    if s.trim().contains([' ', 'T', ':']) {
        parse_datetime(s).map(DateOrDateTime::DateTime)
    } else {
        parse_date(s).map(DateOrDateTime::Date)
    }
}

/// `2026-03-01`.
pub fn fmt_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `08:30` (seconds dropped).
pub fn fmt_time(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// `2026-03-01 08:30` (seconds dropped).
pub fn fmt_datetime(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// `2026-03-01 08:30:05`.
pub fn fmt_datetime_secs(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("test date")
    }

    fn t(h: u32, m: u32, s: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, s).expect("test time")
    }

    #[test]
    fn dates_as_clerks_type_them() {
        let accepted: &[(&str, NaiveDate)] = &[
            ("2026-03-01", d(2026, 3, 1)),
            ("2026/3/1", d(2026, 3, 1)),
            ("2026.03.01", d(2026, 3, 1)),
            ("20260301", d(2026, 3, 1)),
            ("  2026-3-01 ", d(2026, 3, 1)),
            ("2024-02-29", d(2024, 2, 29)),
            ("2999-01-01", d(2999, 1, 1)),
            ("1000-01-01", d(1000, 1, 1)),
        ];
        for (text, want) in accepted {
            assert_eq!(parse_date(text), Ok(*want), "{text}");
        }
        let refused: &[(&str, &str)] = &[
            (
                "2026-02-30",
                "'2026-02-30' is not a real calendar date: February 2026 has 28 days",
            ),
            (
                "2025-02-29",
                "'2025-02-29' is not a real calendar date: February 2025 has 28 days",
            ),
            (
                "2026-04-31",
                "'2026-04-31' is not a real calendar date: April 2026 has 30 days",
            ),
            (
                "2026-13-01",
                "'2026-13-01' is not a real calendar date: the month is 1–12",
            ),
            (
                "2026-00-01",
                "'2026-00-01' is not a real calendar date: the month is 1–12",
            ),
            (
                "2026-03-00",
                "'2026-03-00' is not a real calendar date: days are numbered from 1",
            ),
            (
                "0999-03-01",
                "'0999-03-01' is not a real calendar date: the year is 1000 to 9999",
            ),
            (
                "tomorrow",
                "'tomorrow' is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01",
            ),
            ("26-03-01", "'26-03-01' is not a date"),
            ("2026-3", "'2026-3' is not a date"),
            ("2026-03-01-02", "'2026-03-01-02' is not a date"),
            ("2026-+3-01", "'2026-+3-01' is not a date"),
            ("2026-003-01", "'2026-003-01' is not a date"),
            ("2026-03-01 08:00", "'2026-03-01 08:00' is not a date"),
            ("", "'' is not a date"),
        ];
        for (text, want) in refused {
            let e = parse_date(text).expect_err(text).to_string();
            assert!(e.starts_with(want), "{text}: {e}");
        }
    }

    #[test]
    fn an_empty_optional_date_is_none() {
        assert_eq!(parse_opt_date(""), Ok(None));
        assert_eq!(parse_opt_date("  "), Ok(None));
        assert_eq!(parse_opt_date("2026/3/1"), Ok(Some(d(2026, 3, 1))));
        assert!(parse_opt_date("2026-13-01").is_err());
        assert!(parse_opt_date("yesterday").is_err());
    }

    #[test]
    fn times_of_day() {
        let accepted: &[(&str, NaiveTime)] = &[
            ("08:30", t(8, 30, 0)),
            ("8:30", t(8, 30, 0)),
            (" 23:59 ", t(23, 59, 0)),
            ("00:00", t(0, 0, 0)),
            ("18:00:05", t(18, 0, 5)),
        ];
        for (text, want) in accepted {
            assert_eq!(parse_time(text), Ok(*want), "{text}");
        }
        let refused: &[(&str, &str)] = &[
            ("24:00", "'24:00' is not a time of day: the hour is 0–23"),
            (
                "08:60",
                "'08:60' is not a time of day: the minutes are 00–59",
            ),
            (
                "08:30:61",
                "'08:30:61' is not a time of day: the seconds are 00–59",
            ),
            (
                "0830",
                "'0830' is not a time; write it as HH:MM, e.g. 08:30",
            ),
            ("8:5", "'8:5' is not a time"),
            ("8h30", "'8h30' is not a time"),
            ("08:30:00:00", "'08:30:00:00' is not a time"),
            ("", "'' is not a time"),
        ];
        for (text, want) in refused {
            let e = parse_time(text).expect_err(text).to_string();
            assert!(e.starts_with(want), "{text}: {e}");
        }
    }

    #[test]
    fn dates_with_times() {
        let at = |y, mo, day, h, mi, s| d(y, mo, day).and_time(t(h, mi, s));
        let accepted: &[(&str, NaiveDateTime)] = &[
            ("2026-03-01 08:30", at(2026, 3, 1, 8, 30, 0)),
            ("2026-03-01T08:30", at(2026, 3, 1, 8, 30, 0)),
            ("2026/3/1 8:30:15", at(2026, 3, 1, 8, 30, 15)),
            (" 2026-03-01  18:00 ", at(2026, 3, 1, 18, 0, 0)),
        ];
        for (text, want) in accepted {
            assert_eq!(parse_datetime(text), Ok(*want), "{text}");
        }
        let refused: &[(&str, &str)] = &[
            (
                "2026-02-30 08:00",
                "'2026-02-30' is not a real calendar date: February 2026 has 28 days",
            ),
            (
                "2026-03-01 25:00",
                "'25:00' is not a time of day: the hour is 0–23",
            ),
            (
                "2026-03-01",
                "'2026-03-01' is not a date and time; write it as YYYY-MM-DD HH:MM",
            ),
            ("yesterday 8:00", "'yesterday 8:00' is not a date and time"),
            (
                "2026-03-01 noon",
                "'2026-03-01 noon' is not a date and time",
            ),
        ];
        for (text, want) in refused {
            let e = parse_datetime(text).expect_err(text).to_string();
            assert!(e.starts_with(want), "{text}: {e}");
        }
    }

    #[test]
    fn a_date_or_a_date_and_time() {
        assert_eq!(
            parse_date_or_datetime("2026-03-01"),
            Ok(DateOrDateTime::Date(d(2026, 3, 1)))
        );
        assert_eq!(
            parse_date_or_datetime("2026-03-01 09:00"),
            Ok(DateOrDateTime::DateTime(d(2026, 3, 1).and_time(t(9, 0, 0))))
        );
        assert!(matches!(
            parse_date_or_datetime("2026-03-01 9"),
            Err(TimeError::NotADateTime { .. })
        ));
        assert!(matches!(
            parse_date_or_datetime("2026-02-30"),
            Err(TimeError::NoSuchDate { .. })
        ));
    }

    #[test]
    fn written_forms() {
        let at = d(2026, 3, 1).and_time(t(8, 5, 9));
        assert_eq!(fmt_date(at.date()), "2026-03-01");
        assert_eq!(fmt_time(at.time()), "08:05");
        assert_eq!(fmt_datetime(at), "2026-03-01 08:05");
        assert_eq!(fmt_datetime_secs(at), "2026-03-01 08:05:09");
        // What is written is read back.
        assert_eq!(parse_date(&fmt_date(at.date())), Ok(at.date()));
        assert_eq!(parse_datetime(&fmt_datetime_secs(at)), Ok(at));
    }
}
