//! [`Span`]: the time a leave, outing or business trip covers, with the one reader of its two ends
//! as typed (CLI `--from`/`--to`, the Requests form's From/To) and the one check of its shape
//! (end after start, at most [`Span::MAX_DAYS`]) that `Request::validate` applies too.
//!
//! The two ends are both dates (whole days, both ends inclusive) or both dates with times (hours):
//! `2026-12-01` to `2026-12-03`, or `2026-12-01 09:00` to `2026-12-01 12:00` (the end may then be
//! a bare time on the same day, `12:00`). An empty end is the start: one whole day, or (with a
//! time) an empty range, which is refused. Dates and times are read by [`crate::timefmt`].

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::timefmt::{
    self, DateOrDateTime, TimeError, fmt_date, fmt_datetime, parse_date_or_datetime, parse_time,
};

/// The time a leave, outing or trip covers.
///
/// Written ([`Display`](fmt::Display)) as `2026-12-01`, `2026-12-01 to 2026-12-03`,
/// `2026-12-01 session 1` (sessions numbered from 1) or `2026-12-01 09:00 to 2026-12-01 12:00`;
/// read back ([`FromStr`]) from the same forms, and from `START to END` in any form
/// [`Span::parse`] takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "span")]
pub enum Span {
    /// Whole days, both ends inclusive.
    Days { from: NaiveDate, to: NaiveDate },
    /// One session (half day) of a date: 0 = first session (morning), 1 = second, ...
    Session { date: NaiveDate, session: usize },
    /// A time range.
    Range {
        from: NaiveDateTime,
        to: NaiveDateTime,
    },
}

/// Which end of a span a problem is about: the field to point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanEnd {
    Start,
    End,
}

/// Why two typed ends are not a span, or a span is not one a request may cover.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SpanError {
    /// The start cannot be read.
    #[error("{0}")]
    Start(TimeError),
    /// The end cannot be read.
    #[error("{0}")]
    End(TimeError),
    #[error(
        "write both ends as dates (whole days, e.g. 2026-12-01) or both as dates with times (hours, e.g. 2026-12-01 09:00), not one of each"
    )]
    Mixed,
    #[error(
        "give a date and a time at both ends, e.g. 2026-12-01 18:00 (overtime is counted in hours)"
    )]
    NeedTimes(SpanEnd),
    #[error("the end {to} is before the start {from}")]
    EndBeforeStart { from: String, to: String },
    #[error("the end {to} is not after the start {from}")]
    Empty { from: String, to: String },
    #[error(
        "from {from} to {to} is {days} days; a request covers at most {max} days: check the years",
        max = Span::MAX_DAYS
    )]
    TooLong { from: String, to: String, days: i64 },
    #[error(
        "'{text}' is not a session; sessions are numbered from 1 (1 = the first session of the shift, usually the morning)"
    )]
    BadSession { text: String },
}

impl SpanError {
    /// The end to point at: the start when it cannot be read (or lacks its time), the end
    /// otherwise.
    pub fn end(&self) -> SpanEnd {
        match self {
            SpanError::Start(_) | SpanError::NeedTimes(SpanEnd::Start) => SpanEnd::Start,
            _ => SpanEnd::End,
        }
    }
}

impl Span {
    /// The longest span a request may cover, in days (a year, leap day included): longer is
    /// almost always a mistyped year.
    pub const MAX_DAYS: i64 = 366;

    /// First and last calendar dates the span touches.
    pub fn dates(&self) -> (NaiveDate, NaiveDate) {
        match self {
            Span::Days { from, to } => (*from, *to),
            Span::Session { date, .. } => (*date, *date),
            Span::Range { from, to } => (from.date(), to.date()),
        }
    }

    /// Reads the two ends as typed: both dates give whole days, both dates with times a range
    /// (see the module's documentation); then [`Span::check`]s the result.
    pub fn parse(start: &str, end: &str) -> Result<Span, SpanError> {
        let span = match ends(start, end)? {
            (DateOrDateTime::Date(from), DateOrDateTime::Date(to)) => Span::Days { from, to },
            (DateOrDateTime::DateTime(from), DateOrDateTime::DateTime(to)) => {
                Span::Range { from, to }
            }
            _ => return Err(SpanError::Mixed),
        };
        span.check()?;
        Ok(span)
    }

    /// Reads two ends that must both have times (overtime), checked like [`Span::parse`].
    pub fn parse_times(
        start: &str,
        end: &str,
    ) -> Result<(NaiveDateTime, NaiveDateTime), SpanError> {
        match ends(start, end)? {
            (DateOrDateTime::DateTime(from), DateOrDateTime::DateTime(to)) => {
                Span::Range { from, to }.check()?;
                Ok((from, to))
            }
            (DateOrDateTime::Date(_), _) => Err(SpanError::NeedTimes(SpanEnd::Start)),
            (_, DateOrDateTime::Date(_)) => Err(SpanError::NeedTimes(SpanEnd::End)),
        }
    }

    /// The rules every span obeys, however it was made: the end not before the start (a range:
    /// after it), at most [`Span::MAX_DAYS`].
    pub fn check(&self) -> Result<(), SpanError> {
        match *self {
            Span::Days { from, to } => {
                if to < from {
                    return Err(SpanError::EndBeforeStart {
                        from: fmt_date(from),
                        to: fmt_date(to),
                    });
                }
                let days = (to - from).num_days() + 1;
                if days > Self::MAX_DAYS {
                    return Err(SpanError::TooLong {
                        from: fmt_date(from),
                        to: fmt_date(to),
                        days,
                    });
                }
                Ok(())
            }
            Span::Session { .. } => Ok(()),
            Span::Range { from, to } => {
                let (f, t) = (fmt_datetime(from), fmt_datetime(to));
                if to < from {
                    return Err(SpanError::EndBeforeStart { from: f, to: t });
                }
                if to == from {
                    return Err(SpanError::Empty { from: f, to: t });
                }
                let minutes = (to - from).num_minutes();
                let days = (minutes + 1439) / 1440;
                if minutes > Self::MAX_DAYS * 1440 {
                    return Err(SpanError::TooLong {
                        from: f,
                        to: t,
                        days,
                    });
                }
                Ok(())
            }
        }
    }
}

/// Both ends read; an empty end is the start, a bare time after a start with a time is on the
/// start's date.
fn ends(start: &str, end: &str) -> Result<(DateOrDateTime, DateOrDateTime), SpanError> {
    let from = parse_date_or_datetime(start).map_err(SpanError::Start)?;
    if end.trim().is_empty() {
        return Ok((from, from));
    }
    if let DateOrDateTime::DateTime(f) = from
        && !end.trim().contains([' ', 'T'])
        && let Ok(time) = parse_time(end)
    {
        return Ok((from, DateOrDateTime::DateTime(f.date().and_time(time))));
    }
    let to = parse_date_or_datetime(end).map_err(SpanError::End)?;
    Ok((from, to))
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Span::Days { from, to } if from == to => f.write_str(&fmt_date(from)),
            Span::Days { from, to } => write!(f, "{} to {}", fmt_date(from), fmt_date(to)),
            Span::Session { date, session } => {
                write!(f, "{} session {}", fmt_date(date), session + 1)
            }
            Span::Range { from, to } => {
                write!(f, "{} to {}", fmt_datetime(from), fmt_datetime(to))
            }
        }
    }
}

impl FromStr for Span {
    type Err = SpanError;

    fn from_str(s: &str) -> Result<Span, SpanError> {
        if let Some((start, end)) = s.split_once(" to ") {
            return Span::parse(start, end);
        }
        if let Some((date, n)) = s.trim().rsplit_once(" session ") {
            let date = timefmt::parse_date(date).map_err(SpanError::Start)?;
            let session = crate::timefmt::number(n.trim(), 1, 3)
                .and_then(|n| usize::try_from(n).ok())
                .and_then(|n| n.checked_sub(1))
                .ok_or_else(|| SpanError::BadSession {
                    text: n.trim().into(),
                })?;
            return Ok(Span::Session { date, session });
        }
        Span::parse(s, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        timefmt::parse_date(s).expect("test date")
    }

    fn at(s: &str) -> NaiveDateTime {
        timefmt::parse_datetime(s).expect("test time")
    }

    fn days(from: &str, to: &str) -> Span {
        Span::Days {
            from: d(from),
            to: d(to),
        }
    }

    fn range(from: &str, to: &str) -> Span {
        Span::Range {
            from: at(from),
            to: at(to),
        }
    }

    #[test]
    fn two_ends_as_typed() {
        let accepted: &[(&str, &str, Span)] = &[
            ("2026-12-01", "2026-12-03", days("2026-12-01", "2026-12-03")),
            ("2026-12-01", "", days("2026-12-01", "2026-12-01")),
            ("2026-12-01", "2026-12-01", days("2026-12-01", "2026-12-01")),
            ("2026/12/1", "2026.12.3", days("2026-12-01", "2026-12-03")),
            (
                "2026-12-01 09:00",
                "2026-12-01 12:00",
                range("2026-12-01 09:00", "2026-12-01 12:00"),
            ),
            (
                "2026-12-01 09:00",
                "12:00",
                range("2026-12-01 09:00", "2026-12-01 12:00"),
            ),
            (
                "2026-12-01T22:00",
                "2026-12-02 06:00:00",
                range("2026-12-01 22:00", "2026-12-02 06:00"),
            ),
            ("2026-01-01", "2026-12-31", days("2026-01-01", "2026-12-31")),
            ("2028-01-01", "2028-12-31", days("2028-01-01", "2028-12-31")),
        ];
        for (start, end, want) in accepted {
            assert_eq!(Span::parse(start, end).as_ref(), Ok(want), "{start} {end}");
        }
        let refused: &[(&str, &str, SpanEnd, &str)] = &[
            (
                "2026-12-03",
                "2026-12-01",
                SpanEnd::End,
                "the end 2026-12-01 is before the start 2026-12-03",
            ),
            (
                "2026-12-01 12:00",
                "09:00",
                SpanEnd::End,
                "the end 2026-12-01 09:00 is before the start 2026-12-01 12:00",
            ),
            (
                "2026-12-01 09:00",
                "",
                SpanEnd::End,
                "the end 2026-12-01 09:00 is not after the start 2026-12-01 09:00",
            ),
            (
                "2026-12-01",
                "2026-12-06 10:00",
                SpanEnd::End,
                "write both ends",
            ),
            (
                "2026-12-01 09:00",
                "2026-12-02",
                SpanEnd::End,
                "write both ends",
            ),
            (
                "2026-12-01",
                "12:00",
                SpanEnd::End,
                "'12:00' is not a date and time",
            ),
            (
                "2026-02-30",
                "",
                SpanEnd::Start,
                "'2026-02-30' is not a real calendar date: February 2026 has 28 days",
            ),
            (
                "yesterday",
                "2026-12-01",
                SpanEnd::Start,
                "'yesterday' is not a date",
            ),
            ("2026-12-01", "soon", SpanEnd::End, "'soon' is not a date"),
            (
                "2026-01-01",
                "2027-01-02",
                SpanEnd::End,
                "from 2026-01-01 to 2027-01-02 is 367 days; a request covers at most 366 days",
            ),
            (
                "2026-12-01",
                "2062-12-01",
                SpanEnd::End,
                "a request covers at most 366 days: check the years",
            ),
            (
                "2026-12-01 09:00",
                "2027-12-03 09:00",
                SpanEnd::End,
                "is 367 days",
            ),
        ];
        for (start, end, field, want) in refused {
            let e = Span::parse(start, end).expect_err(start);
            assert_eq!(e.end(), *field, "{start} {end}: {e}");
            assert!(e.to_string().contains(want), "{start} {end}: {e}");
        }
    }

    #[test]
    fn overtime_needs_times_at_both_ends() {
        assert_eq!(
            Span::parse_times("2026-12-01 18:00", "21:30"),
            Ok((at("2026-12-01 18:00"), at("2026-12-01 21:30")))
        );
        let refused: &[(&str, &str, SpanError)] = &[
            ("2026-12-01", "", SpanError::NeedTimes(SpanEnd::Start)),
            (
                "2026-12-01",
                "2026-12-01 20:00",
                SpanError::NeedTimes(SpanEnd::Start),
            ),
            (
                "2026-12-01 18:00",
                "2026-12-02",
                SpanError::NeedTimes(SpanEnd::End),
            ),
        ];
        for (start, end, want) in refused {
            assert_eq!(
                Span::parse_times(start, end).as_ref(),
                Err(want),
                "{start} {end}"
            );
        }
        assert!(matches!(
            Span::parse_times("2026-12-01 18:00", "2026-12-01 18:00"),
            Err(SpanError::Empty { .. })
        ));
    }

    #[test]
    fn written_and_read_back() {
        let spans = [
            (days("2026-12-01", "2026-12-01"), "2026-12-01"),
            (days("2026-12-01", "2026-12-03"), "2026-12-01 to 2026-12-03"),
            (
                Span::Session {
                    date: d("2026-12-01"),
                    session: 1,
                },
                "2026-12-01 session 2",
            ),
            (
                range("2026-12-01 09:00", "2026-12-01 12:00"),
                "2026-12-01 09:00 to 2026-12-01 12:00",
            ),
        ];
        for (span, text) in spans {
            assert_eq!(span.to_string(), text);
            assert_eq!(text.parse::<Span>(), Ok(span), "{text}");
        }
        assert!(matches!(
            "2026-12-01 session 0".parse::<Span>(),
            Err(SpanError::BadSession { .. })
        ));
        assert!(matches!(
            "2026-12-05 to 2026-12-01".parse::<Span>(),
            Err(SpanError::EndBeforeStart { .. })
        ));
    }
}
