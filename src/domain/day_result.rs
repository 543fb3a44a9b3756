//! What reconciliation says about one employee-day: the session outcomes, spare and ignored
//! punches, leave, outing, trip and overtime by class, and the day's status codes and CSV row.
//!
//! Plain data with derived counts; must not decide anything (that is `reconcile` and `matching`).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::calendar::{DayInfo, DayKind};
use crate::clock::ClockTime;

/// Why a session needs no punches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by", content = "leave_type")]
pub enum Excuse {
    Leave(String),
    Outing,
    Trip,
}

/// The outcome of one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SessionOutcome {
    pub index: usize,
    pub sign_in: Option<ClockTime>,
    pub sign_out: Option<ClockTime>,
    pub in_supplemented: bool,
    pub out_supplemented: bool,
    pub late_minutes: u32,
    pub early_minutes: u32,
    pub absent: bool,
    pub missing_in: bool,
    pub missing_out: bool,
    /// Fully covered by an approved leave, outing or trip.
    pub excused: Option<Excuse>,
    /// Partly covered by an outing (the rest was checked against punches).
    pub partial_outing: bool,
    /// A required punch may still come (its window has not closed at `now`).
    pub pending: bool,
}

impl SessionOutcome {
    pub fn is_late(&self) -> bool {
        self.late_minutes > 0 && !self.absent
    }

    pub fn is_early(&self) -> bool {
        self.early_minutes > 0 && !self.absent
    }

    /// Present in person or on official business (outing / trip), and not absent.
    pub fn attended(&self) -> bool {
        match &self.excused {
            Some(Excuse::Leave(_)) => false,
            Some(_) => true,
            None => !self.absent && !self.pending,
        }
    }

    /// Attended on the strength of punches (including supplements), with nothing wrong.
    fn clean(&self) -> bool {
        self.excused.is_none()
            && !self.absent
            && !self.pending
            && !self.missing_in
            && !self.missing_out
            && self.late_minutes == 0
            && self.early_minutes == 0
    }
}

/// Leave taken on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaveUse {
    pub leave_type: String,
    /// Minutes of scheduled time covered.
    pub minutes: u32,
    /// Sessions fully covered.
    pub sessions: u32,
    /// Days (sessions fully covered ÷ sessions of the day).
    pub days: f64,
}

/// Which pay rate overtime falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OvertimeKind {
    Workday,
    RestDay,
    Holiday,
}

/// The result of one employee-day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayResult {
    pub employee_no: String,
    pub date: NaiveDate,
    pub day: DayInfo,
    pub employed: bool,
    pub shift_code: Option<String>,
    /// A working day with no shift assigned: nothing could be checked.
    pub unassigned: bool,
    pub sessions: Vec<SessionOutcome>,
    /// Punches ignored by the rule (outside every window in strict mode, an unknown state key, a
    /// lone punch on a rest day): kept, never dropped, and listed as exceptions.
    pub unmatched: Vec<NaiveDateTime>,
    /// Punches that belong to a session (by the split points) but were not needed there, with the
    /// session's index: a second sign-in, leaving at noon on a sign-in-only morning. Not exceptions.
    #[serde(default)]
    pub extra: Vec<(NaiveDateTime, usize)>,
    /// Punches within a minute of the previous one, counted once.
    pub duplicates: u32,
    pub overtime_minutes: u32,
    pub overtime_kind: OvertimeKind,
    pub leave: Vec<LeaveUse>,
    pub outing: bool,
    pub trip: bool,
    /// Days of outing by their real length: sessions fully covered ÷ sessions of the day.
    #[serde(default)]
    pub outing_days: f64,
    /// Scheduled minutes covered by outings (whole and partial sessions).
    #[serde(default)]
    pub outing_minutes: u32,
    /// Days of business trip: sessions fully covered ÷ sessions of the day.
    #[serde(default)]
    pub trip_days: f64,
    /// Punch slots filled by supplements (补签).
    pub supplements: u32,
}

impl DayResult {
    pub fn is_working_day(&self) -> bool {
        self.employed && self.day.kind.is_working()
    }

    pub fn late_minutes(&self) -> u32 {
        self.sessions
            .iter()
            .filter(|s| s.is_late())
            .map(|s| s.late_minutes)
            .sum()
    }

    pub fn early_minutes(&self) -> u32 {
        self.sessions
            .iter()
            .filter(|s| s.is_early())
            .map(|s| s.early_minutes)
            .sum()
    }

    pub fn late_count(&self) -> u32 {
        self.sessions.iter().filter(|s| s.is_late()).count() as u32
    }

    pub fn early_count(&self) -> u32 {
        self.sessions.iter().filter(|s| s.is_early()).count() as u32
    }

    pub fn absent_sessions(&self) -> u32 {
        self.sessions.iter().filter(|s| s.absent).count() as u32
    }

    pub fn missing_in_count(&self) -> u32 {
        self.sessions.iter().filter(|s| s.missing_in).count() as u32
    }

    pub fn missing_out_count(&self) -> u32 {
        self.sessions.iter().filter(|s| s.missing_out).count() as u32
    }

    /// Every session is still waiting for punches (a day that has not happened yet).
    pub fn pending(&self) -> bool {
        !self.sessions.is_empty() && self.sessions.iter().all(|s| s.pending)
    }

    /// Fraction of the day attended (0 on non-working days).
    pub fn attended_days(&self) -> f64 {
        if !self.is_working_day() || self.sessions.is_empty() {
            return 0.0;
        }
        let n = self.sessions.len() as f64;
        self.sessions.iter().filter(|s| s.attended()).count() as f64 / n
    }

    /// Fraction of the day absent.
    pub fn absent_days(&self) -> f64 {
        if self.sessions.is_empty() {
            return 0.0;
        }
        f64::from(self.absent_sessions()) / self.sessions.len() as f64
    }

    /// The `status` codes, in a fixed order: normal, late, early, absent, missing_in, missing_out,
    /// leave:<type>, outing, trip, supplement, overtime, restday, holiday, not_employed.
    /// A working day still waiting for its punches yields none.
    pub fn status_codes(&self) -> Vec<String> {
        let mut codes: Vec<String> = Vec::new();
        if !self.employed {
            return vec!["not_employed".to_string()];
        }
        if self.day.kind.is_working() {
            let exception = self
                .sessions
                .iter()
                .any(|s| s.is_late() || s.is_early() || s.absent || s.missing_in || s.missing_out);
            if !exception && self.sessions.iter().any(SessionOutcome::clean) {
                codes.push("normal".into());
            }
            let flags = [
                (self.late_count() > 0, "late"),
                (self.early_count() > 0, "early"),
                (self.absent_sessions() > 0, "absent"),
                (self.missing_in_count() > 0, "missing_in"),
                (self.missing_out_count() > 0, "missing_out"),
            ];
            codes.extend(
                flags
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, c)| c.to_string()),
            );
            for l in &self.leave {
                codes.push(format!("leave:{}", l.leave_type));
            }
            if self.outing {
                codes.push("outing".into());
            }
            if self.trip {
                codes.push("trip".into());
            }
            if self.supplements > 0 {
                codes.push("supplement".into());
            }
        }
        if self.overtime_minutes > 0 {
            codes.push("overtime".into());
        }
        match self.day.kind {
            DayKind::RestDay => codes.push("restday".into()),
            DayKind::PublicHoliday | DayKind::OtherHoliday => codes.push("holiday".into()),
            _ => {}
        }
        codes
    }

    /// One line of the month CSV (no trailing newline), columns as `CSV_HEADER`.
    pub fn csv_row(&self) -> String {
        format!(
            "{},{},{},{},{},{},{},{}",
            csv_field(&self.employee_no),
            self.date.format("%Y-%m-%d"),
            self.day.kind.csv_code(),
            self.status_codes().join(";"),
            self.late_minutes(),
            self.early_minutes(),
            self.absent_sessions(),
            self.overtime_minutes
        )
    }
}

/// Header of the month CSV.
pub const CSV_HEADER: &str =
    "employee_no,date,day_type,status,late_minutes,early_minutes,absent_sessions,overtime_minutes";

fn csv_field(s: &str) -> String {
    let s = crate::csv_safe::cell(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
