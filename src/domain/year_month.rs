//! [`Month`]: a calendar month (year and month) as the month run, the reports, the request filter
//! and the holiday calendar page name it; parsed once here so the CLI and the window accept the
//! same text and refuse it with the same words.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, Duration, Months, NaiveDate};
use thiserror::Error;

use crate::timefmt::{YEARS, number};

/// A calendar month, e.g. March 2026: always a real month, 1–12; one read from text or made with
/// [`Month::new`] or [`Month::plus`] has a four-digit year ([`crate::timefmt::YEARS`]).
///
/// Written `YYYY-MM` ([`Display`](fmt::Display): `2026-03`, also the key runs are stored under).
/// Read ([`FromStr`]) from `YYYY-MM` or `YYYY-M`, with `-`, `/` or `.` between year and month
/// (`2026-03`, `2026-3`, `2026/3`, `2026.03`); spaces around are ignored. Anything else is refused
/// with the reason: `2026-13 is not a month: the month is 1–12`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(NaiveDate);

/// Why a text is not a month.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MonthError {
    #[error(
        "'{text}' is not a month; write it as YYYY-MM, e.g. 2026-03 (2026-3, 2026/3 and 2026.3 are read too)"
    )]
    NotAMonth { text: String },
    #[error("{text} is not a month: {why}")]
    NoSuchMonth { text: String, why: String },
}

impl Month {
    /// The month `month` (1–12) of `year`; `None` outside [`crate::timefmt::YEARS`] or 1–12.
    pub const fn new(year: i32, month: u32) -> Option<Month> {
        if year < *YEARS.start() || year > *YEARS.end() {
            return None;
        }
        match NaiveDate::from_ymd_opt(year, month, 1) {
            Some(first) => Some(Month(first)),
            None => None,
        }
    }

    /// The month `date` is in (whatever its year: dates come from the clock or the database).
    pub fn of(date: NaiveDate) -> Month {
        Month(date.with_day(1).unwrap_or(date))
    }

    /// Parses the text forms of the type's documentation (the same as `text.parse()`).
    pub fn parse(text: &str) -> Result<Month, MonthError> {
        text.parse()
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// 1–12.
    pub fn month(self) -> u32 {
        self.0.month()
    }

    /// The first day.
    pub fn first(self) -> NaiveDate {
        self.0
    }

    /// The last day.
    pub fn last(self) -> NaiveDate {
        let days = u64::from(self.0.num_days_in_month());
        self.0
            .checked_add_days(Days::new(days - 1))
            .unwrap_or(self.0)
    }

    /// Whether `date` is in this month.
    pub fn contains(self, date: NaiveDate) -> bool {
        Month::of(date) == self
    }

    /// The month `delta` months later (earlier when negative); `None` past the years a month may
    /// have.
    pub fn plus(self, delta: i32) -> Option<Month> {
        let n = Months::new(delta.unsigned_abs());
        let first = if delta < 0 {
            self.0.checked_sub_months(n)
        } else {
            self.0.checked_add_months(n)
        }?;
        Month::new(first.year(), first.month())
    }

    /// `YYYY-MM`: the key a run is stored and audited under (the same as `to_string()`).
    pub fn key(self) -> String {
        self.to_string()
    }

    /// The punches a month's reconciliation reads: the day before to the day after (night shifts).
    pub fn punch_range(self) -> (NaiveDate, NaiveDate) {
        (
            self.first() - Duration::days(1),
            self.last() + Duration::days(1),
        )
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

impl FromStr for Month {
    type Err = MonthError;

    fn from_str(s: &str) -> Result<Month, MonthError> {
        let text = s.trim();
        let not_a_month = || MonthError::NotAMonth { text: text.into() };
        let (y, m) = text.split_once(['-', '/', '.']).ok_or_else(not_a_month)?;
        let (Some(year), Some(month)) = (number(y, 4, 4), number(m, 1, 2)) else {
            return Err(not_a_month());
        };
        let year = i32::try_from(year).map_err(|_| not_a_month())?;
        let why = if !YEARS.contains(&year) {
            format!("the year is {} to {}", YEARS.start(), YEARS.end())
        } else if !(1..=12).contains(&month) {
            "the month is 1–12".into()
        } else {
            return Month::new(year, month).ok_or_else(not_a_month);
        };
        Err(MonthError::NoSuchMonth {
            text: text.into(),
            why,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(year: i32, month: u32) -> Month {
        Month::new(year, month).expect("test month")
    }

    #[test]
    fn accepted_and_refused_texts() {
        let accepted: &[(&str, Month)] = &[
            ("2026-03", m(2026, 3)),
            ("2026-3", m(2026, 3)),
            ("2026/3", m(2026, 3)),
            ("2026/03", m(2026, 3)),
            ("2026.10", m(2026, 10)),
            (" 2026-12 ", m(2026, 12)),
            ("2999-01", m(2999, 1)),
        ];
        for (text, want) in accepted {
            assert_eq!(text.parse::<Month>(), Ok(*want), "{text}");
            assert_eq!(Month::parse(text), Ok(*want), "{text}");
        }
        let refused: &[(&str, &str)] = &[
            ("2026-13", "2026-13 is not a month: the month is 1–12"),
            ("2026-00", "2026-00 is not a month: the month is 1–12"),
            (
                "0999-05",
                "0999-05 is not a month: the year is 1000 to 9999",
            ),
            (
                "2026",
                "'2026' is not a month; write it as YYYY-MM, e.g. 2026-03 (2026-3, 2026/3 and 2026.3 are read too)",
            ),
            ("26-03", "'26-03' is not a month"),
            ("2026-003", "'2026-003' is not a month"),
            ("2026-03-01", "'2026-03-01' is not a month"),
            ("2026-+3", "'2026-+3' is not a month"),
            ("2026 03", "'2026 03' is not a month"),
            ("十月", "'十月' is not a month"),
            ("", "'' is not a month"),
        ];
        for (text, want) in refused {
            let e = text.parse::<Month>().expect_err(text).to_string();
            assert!(e.starts_with(want), "{text}: {e}");
        }
    }

    #[test]
    fn written_as_year_dash_two_digit_month_and_read_back() {
        for month in [m(2026, 3), m(2025, 12), m(1000, 1), m(9999, 12)] {
            assert_eq!(month.to_string().parse::<Month>(), Ok(month));
        }
        assert_eq!(m(2026, 3).to_string(), "2026-03");
        assert_eq!(m(2026, 3).key(), "2026-03");
    }

    #[test]
    fn days_and_neighbours() {
        let d = |y, mo, day| NaiveDate::from_ymd_opt(y, mo, day).expect("test date");
        assert_eq!(m(2024, 2).last(), d(2024, 2, 29));
        assert_eq!(m(2026, 2).last(), d(2026, 2, 28));
        assert_eq!(m(2026, 12).first(), d(2026, 12, 1));
        assert_eq!(m(2026, 12).last(), d(2026, 12, 31));
        assert_eq!(m(2026, 3).punch_range(), (d(2026, 2, 28), d(2026, 4, 1)));
        assert_eq!(Month::of(d(2026, 11, 25)), m(2026, 11));
        assert!(m(2026, 11).contains(d(2026, 11, 30)));
        assert!(!m(2026, 11).contains(d(2026, 12, 1)));
        let moves: &[(Month, i32, Option<Month>)] = &[
            (m(2026, 1), -1, Some(m(2025, 12))),
            (m(2025, 12), 1, Some(m(2026, 1))),
            (m(2026, 10), 0, Some(m(2026, 10))),
            (m(2026, 5), 14, Some(m(2027, 7))),
            (m(9999, 12), 1, None),
            (m(1000, 1), -1, None),
        ];
        for (from, delta, want) in moves {
            assert_eq!(from.plus(*delta), *want, "{from} {delta}");
        }
        assert_eq!(Month::new(2026, 13), None);
        assert_eq!(Month::new(999, 1), None);
    }
}
