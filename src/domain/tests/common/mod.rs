//! Test helpers: build punches, requests and days from short strings.
#![allow(dead_code)]

use chrono::{NaiveDate, NaiveDateTime};
use kaoqin_domain::*;

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// "2026-11-16 08:30" or "2026-11-16 08:30:45"
pub fn ts(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .unwrap()
}

/// A time on `date`: "08:30", "08:30:30", or "+1 06:00" for the next day.
pub fn at(date: NaiveDate, hm: &str) -> NaiveDateTime {
    match hm.strip_prefix("+1 ") {
        Some(rest) => at(date.succ_opt().unwrap(), rest),
        None => ts(&format!("{date} {hm}")),
    }
}

pub fn punch(no: &str, t: NaiveDateTime, state: u8) -> Punch {
    Punch {
        enrollment_no: no.into(),
        ts: t,
        verify_mode: 15,
        in_out_state: state,
        terminal_serial: "T1".into(),
    }
}

/// Punches from "08:30" (state 0) or "12:00/1" (with a terminal state key).
pub fn punches(no: &str, date: NaiveDate, times: &[&str]) -> Vec<Punch> {
    times
        .iter()
        .map(|t| match t.split_once('/') {
            Some((t, state)) => punch(no, at(date, t), state.parse().unwrap()),
            None => punch(no, at(date, t), 0),
        })
        .collect()
}

pub fn emp(no: &str) -> Employee {
    Employee::new(no, "张三", "办公室")
}

pub fn approved(id: u64, no: &str, kind: RequestKind) -> Request {
    let now = ts("2026-11-01 08:00");
    let mut r = Request::draft(id, no, kind, "事由", now);
    r = transition(&r, Action::Submit, no, false, now).unwrap();
    transition(
        &r,
        Action::Approve {
            comment: String::new(),
        },
        "leader",
        true,
        now,
    )
    .unwrap()
}

pub fn with_state(mut r: Request, state: RequestState) -> Request {
    r.state = state;
    r
}

pub fn leave_days(_no: &str, t: &str, from: &str, to: &str) -> RequestKind {
    RequestKind::Leave {
        leave_type: t.into(),
        span: Span::Days {
            from: d(from),
            to: d(to),
        },
    }
}

pub fn day_of(cal: &Calendar, date: NaiveDate) -> DayInfo {
    cal.day(date)
}

/// Status codes joined by ';'.
pub fn codes(r: &DayResult) -> String {
    r.status_codes().join(";")
}
