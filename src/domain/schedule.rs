//! Shifts and their sessions: windows, graces, thresholds, split points, overtime, flexible hours.
//!
//! Describes rules and validates them; applying them to punches is `reconcile`'s job.
//! Must not know about employees, calendars or storage.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::clock::{ClockTime, Rounding};

/// A closed range of clock minutes in which a punch counts for something (both ends inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PunchWindow {
    pub opens: ClockTime,
    pub closes: ClockTime,
}

impl PunchWindow {
    pub const fn new(opens: ClockTime, closes: ClockTime) -> Self {
        PunchWindow { opens, closes }
    }

    pub fn contains(&self, t: ClockTime) -> bool {
        self.opens <= t && t <= self.closes
    }

    fn overlaps(&self, other: &PunchWindow) -> bool {
        self.opens <= other.closes && other.opens <= self.closes
    }
}

/// What a required punch that never came counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "as", content = "minutes")]
pub enum MissingPolicy {
    /// Reported as a missing punch (missing_in / missing_out); the session is not absent.
    #[default]
    Flag,
    /// The session counts as absent.
    Absent,
    /// Counts as that many minutes late (missing sign-in) or early (missing sign-out).
    Minutes(u32),
}

/// How a punch is told to be a sign-in or a sign-out.
///
/// In every mode the split points decide which session a punch belongs to (`Shift::session_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum InOutMode {
    /// By the windows, leniently: a punch up to the sign-in window's close is a sign-in (before it
    /// opens = arrived early, on time), from the sign-out window's opening a sign-out; a punch
    /// between the windows is a late sign-in or an early sign-out where that side has none. Arriving
    /// early is never an absence (docs/domain.md §3).
    #[default]
    Windows,
    /// ZK's strict mode: only punches inside a window count; any other punch is ignored (kept as
    /// unmatched), so an early arrival is a missing sign-in. No preset uses it.
    StrictWindows,
    /// By the terminal's state key.
    StateKey,
}

/// One working period of a shift (e.g. the morning 09:00–12:00).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub name: String,
    pub start: ClockTime,
    pub end: ClockTime,
    /// Where a sign-in is accepted; `None` = no sign-in required.
    pub sign_in: Option<PunchWindow>,
    /// Where a sign-out is accepted; `None` = no sign-out required.
    pub sign_out: Option<PunchWindow>,
    /// Sign-in due by (default `start`); lateness is measured from here.
    #[serde(default)]
    pub due_in: Option<ClockTime>,
    /// Earliest normal departure (default `end`); early leaving is measured from here.
    #[serde(default)]
    pub due_out: Option<ClockTime>,
    #[serde(default)]
    pub late_grace_minutes: u32,
    #[serde(default)]
    pub early_grace_minutes: u32,
    /// Late by more than this many minutes: the session is absent.
    #[serde(default)]
    pub late_absent_after: Option<u32>,
    /// Leaving more than this many minutes early: the session is absent.
    #[serde(default)]
    pub early_absent_after: Option<u32>,
    #[serde(default)]
    pub missing_in: MissingPolicy,
    #[serde(default)]
    pub missing_out: MissingPolicy,
    /// Split point between this session and the next (default: midpoint of the gap).
    #[serde(default)]
    pub split_after: Option<ClockTime>,
}

impl Session {
    /// A session with the given hours, no windows (nothing required) and no graces.
    pub fn new(name: &str, start: ClockTime, end: ClockTime) -> Self {
        Session {
            name: name.to_string(),
            start,
            end,
            sign_in: None,
            sign_out: None,
            due_in: None,
            due_out: None,
            late_grace_minutes: 0,
            early_grace_minutes: 0,
            late_absent_after: None,
            early_absent_after: None,
            missing_in: MissingPolicy::Flag,
            missing_out: MissingPolicy::Flag,
            split_after: None,
        }
    }

    pub fn due_in(&self) -> ClockTime {
        self.due_in.unwrap_or(self.start)
    }

    pub fn due_out(&self) -> ClockTime {
        self.due_out.unwrap_or(self.end)
    }

    pub fn minutes(&self) -> u32 {
        u32::try_from(self.end.0 - self.start.0).unwrap_or(0)
    }
}

/// Overtime after the end of the last session (and on rest days / holidays).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OvertimeRule {
    /// Overtime starts counting this many minutes after the end (a break before overtime).
    #[serde(default)]
    pub starts_after_end: u32,
    /// Less than this (before rounding) is not overtime.
    pub min_minutes: u32,
    /// Rounding of overtime minutes, usually down to a unit (e.g. 30).
    pub rounding: Rounding,
    /// Only approved overtime requests count (punches alone do not).
    #[serde(default)]
    pub requires_request: bool,
}

/// Flexible hours: any sign-in/sign-out, core hours that must be covered, minimum daily minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlexRule {
    /// Punches from here to `latest_out` count (first = in, last = out).
    pub earliest_in: ClockTime,
    pub latest_out: ClockTime,
    /// Core hours: arriving after the start is late, leaving before the end is early.
    pub core: Option<(ClockTime, ClockTime)>,
    pub min_minutes: u32,
}

/// A named shift (班次).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Punches from this time on the date until the same time the next day belong to the date.
    #[serde(default)]
    pub day_changes_at: ClockTime,
    #[serde(default)]
    pub in_out: InOutMode,
    #[serde(default)]
    pub sessions: Vec<Session>,
    #[serde(default)]
    pub flexible: Option<FlexRule>,
    #[serde(default)]
    pub overtime: Option<OvertimeRule>,
    /// Rounding of reported late / early minutes.
    #[serde(default)]
    pub rounding: Rounding,
}

/// A shift rule that cannot work, with the place to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ShiftError {
    #[error("shift {shift}: give it at least one session, or flexible hours")]
    NoSessions { shift: String },
    #[error("shift {shift}: it has both sessions and flexible hours; keep one of them")]
    BothKinds { shift: String },
    #[error("shift {shift}, session {session}: the end {end} must be after the start {start}")]
    EndNotAfterStart {
        shift: String,
        session: String,
        start: ClockTime,
        end: ClockTime,
    },
    #[error(
        "shift {shift}: session {later} starts before session {earlier} ends; sessions must follow each other"
    )]
    SessionsOverlap {
        shift: String,
        earlier: String,
        later: String,
    },
    #[error(
        "shift {shift}, session {session}: the {which} window closes ({closes}) before it opens ({opens})"
    )]
    WindowInverted {
        shift: String,
        session: String,
        which: &'static str,
        opens: ClockTime,
        closes: ClockTime,
    },
    #[error(
        "shift {shift}: the {a} window and the {b} window overlap; a punch must fall in one window only"
    )]
    WindowsOverlap { shift: String, a: String, b: String },
    #[error(
        "shift {shift}, session {session}: {what} ({at}) lies outside the work day {from}–{to} (see 'day changes at')"
    )]
    OutsideDay {
        shift: String,
        session: String,
        what: &'static str,
        at: ClockTime,
        from: ClockTime,
        to: ClockTime,
    },
    #[error(
        "shift {shift}: the split point {split} after session {session} must lie between its end and the next session's start"
    )]
    SplitOutsideGap {
        shift: String,
        session: String,
        split: ClockTime,
    },
    #[error("shift {shift}, session {session}: the {which} window crosses the split point {split}")]
    WindowCrossesSplit {
        shift: String,
        session: String,
        which: &'static str,
        split: ClockTime,
    },
    #[error("shift {shift}: the flexible hours are inconsistent ({why})")]
    BadFlex { shift: String, why: &'static str },
    #[error("shift {shift}: the rounding unit must be at least 1 and the cut-off at most the unit")]
    BadRounding { shift: String },
    #[error("the shift description is not valid JSON: {0}")]
    Json(String),
}

/// A time by which people punch on a day of a shift: the busiest minutes at the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PunchDeadline {
    /// The session's name (or "flex" for flexible hours).
    pub session: String,
    /// `true`: sign in by `at` (people arrive before it); `false`: sign out from `at` (people
    /// leave after it).
    pub sign_in: bool,
    pub at: ClockTime,
}

impl Shift {
    /// Each session's latest sign-in that is not late (due time + grace) where a sign-in is
    /// required, and earliest sign-out that is not early (due − grace) where a sign-out is; for
    /// flexible hours, the start and end of the core hours.
    pub fn punch_deadlines(&self) -> Vec<PunchDeadline> {
        let mut out = Vec::new();
        for s in &self.sessions {
            if s.sign_in.is_some() {
                out.push(PunchDeadline {
                    session: s.name.clone(),
                    sign_in: true,
                    at: ClockTime(s.due_in().0 + i32::try_from(s.late_grace_minutes).unwrap_or(0)),
                });
            }
            if s.sign_out.is_some() {
                out.push(PunchDeadline {
                    session: s.name.clone(),
                    sign_in: false,
                    at: ClockTime(
                        s.due_out().0 - i32::try_from(s.early_grace_minutes).unwrap_or(0),
                    ),
                });
            }
        }
        if let Some(FlexRule {
            core: Some((start, end)),
            ..
        }) = self.flexible
        {
            for (sign_in, at) in [(true, start), (false, end)] {
                out.push(PunchDeadline {
                    session: "flex".into(),
                    sign_in,
                    at,
                });
            }
        }
        out
    }

    /// The first minute that belongs to the work date.
    pub fn day_start(&self) -> ClockTime {
        self.day_changes_at
    }

    /// The first minute that belongs to the next work date.
    pub fn day_end(&self) -> ClockTime {
        self.day_changes_at.plus(1440)
    }

    /// Split point after session `i` (midpoint of the gap unless set).
    pub fn split_after(&self, i: usize) -> Option<ClockTime> {
        let s = self.sessions.get(i)?;
        let next = self.sessions.get(i + 1)?;
        Some(
            s.split_after
                .unwrap_or(ClockTime((s.end.0 + next.start.0).div_euclid(2))),
        )
    }

    /// The clock range whose punches belong to session `i` (state-key mode and supplements).
    pub fn territory(&self, i: usize) -> (ClockTime, ClockTime) {
        let from = if i == 0 {
            self.day_start()
        } else {
            self.split_after(i - 1).unwrap_or(self.day_start())
        };
        let to = self.split_after(i).unwrap_or(self.day_end());
        (from, to)
    }

    /// Index of the session whose territory holds `t`.
    pub fn session_at(&self, t: ClockTime) -> Option<usize> {
        (0..self.sessions.len()).find(|&i| {
            let (from, to) = self.territory(i);
            from <= t && t < to
        })
    }

    /// End of the last session, where overtime begins.
    pub fn last_end(&self) -> Option<ClockTime> {
        match (&self.flexible, self.sessions.last()) {
            (Some(f), _) => Some(f.core.map(|c| c.1).unwrap_or(f.latest_out)),
            (None, Some(s)) => Some(s.end),
            (None, None) => None,
        }
    }

    /// Scheduled minutes of the day (sum of sessions, or the flexible minimum).
    pub fn scheduled_minutes(&self) -> u32 {
        match &self.flexible {
            Some(f) => f.min_minutes,
            None => self.sessions.iter().map(Session::minutes).sum(),
        }
    }

    /// Read a shift from its JSON form (as `to_json` writes it) and validate it.
    pub fn from_json(text: &str) -> Result<Shift, ShiftError> {
        let shift: Shift =
            serde_json::from_str(text).map_err(|e| ShiftError::Json(e.to_string()))?;
        shift.validate()?;
        Ok(shift)
    }

    /// The JSON form (pretty, for files and `schedule show`).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// One line for lists: "09:00–12:00, 13:30–17:30" or "弹性 07:00–20:00 核心 10:00–16:00 ≥480分钟".
    pub fn hours_text(&self) -> String {
        match &self.flexible {
            Some(f) => {
                let core = f
                    .core
                    .map_or(String::new(), |(a, b)| format!(" 核心 {a}–{b}"));
                format!(
                    "弹性 {}–{}{core} ≥{}分钟",
                    f.earliest_in, f.latest_out, f.min_minutes
                )
            }
            None => self
                .sessions
                .iter()
                .map(|s| format!("{}–{}", s.start, s.end))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// Check that the rule can be applied unambiguously.
    pub fn validate(&self) -> Result<(), ShiftError> {
        let shift = self.code.clone();
        let r = self.rounding;
        if r.unit == 0 || r.cutoff > r.unit {
            return Err(ShiftError::BadRounding { shift });
        }
        if let Some(ot) = &self.overtime
            && (ot.rounding.unit == 0 || ot.rounding.cutoff > ot.rounding.unit)
        {
            return Err(ShiftError::BadRounding { shift });
        }
        match (&self.flexible, self.sessions.is_empty()) {
            (None, true) => return Err(ShiftError::NoSessions { shift }),
            (Some(_), false) => return Err(ShiftError::BothKinds { shift }),
            (Some(f), true) => return self.validate_flex(f),
            (None, false) => {}
        }
        let (day_from, day_to) = (self.day_start(), self.day_end());
        let mut windows: Vec<(String, PunchWindow)> = Vec::new();
        for (i, s) in self.sessions.iter().enumerate() {
            let session = s.name.clone();
            if s.end <= s.start {
                return Err(ShiftError::EndNotAfterStart {
                    shift,
                    session,
                    start: s.start,
                    end: s.end,
                });
            }
            for (what, at) in [("the start", s.start), ("the end", s.end)] {
                if at < day_from || at > day_to {
                    return Err(ShiftError::OutsideDay {
                        shift,
                        session,
                        what,
                        at,
                        from: day_from,
                        to: day_to,
                    });
                }
            }
            if let Some(next) = self.sessions.get(i + 1) {
                if next.start < s.end {
                    return Err(ShiftError::SessionsOverlap {
                        shift,
                        earlier: session,
                        later: next.name.clone(),
                    });
                }
                if let Some(split) = self.split_after(i)
                    && (split < s.end || split > next.start)
                {
                    return Err(ShiftError::SplitOutsideGap {
                        shift,
                        session,
                        split,
                    });
                }
            }
            let (terr_from, terr_to) = self.territory(i);
            for (which, w) in [("sign-in", s.sign_in), ("sign-out", s.sign_out)] {
                let Some(w) = w else { continue };
                if w.closes < w.opens {
                    return Err(ShiftError::WindowInverted {
                        shift,
                        session,
                        which,
                        opens: w.opens,
                        closes: w.closes,
                    });
                }
                if w.opens < day_from || w.closes >= day_to {
                    return Err(ShiftError::OutsideDay {
                        shift,
                        session,
                        what: "a window",
                        at: w.opens,
                        from: day_from,
                        to: day_to,
                    });
                }
                if i > 0 && w.opens < terr_from {
                    return Err(ShiftError::WindowCrossesSplit {
                        shift,
                        session,
                        which,
                        split: terr_from,
                    });
                }
                if i + 1 < self.sessions.len() && w.closes >= terr_to {
                    return Err(ShiftError::WindowCrossesSplit {
                        shift,
                        session,
                        which,
                        split: terr_to,
                    });
                }
                let label = format!("{session} {which}");
                if let Some((other, _)) = windows.iter().find(|(_, o)| o.overlaps(&w)) {
                    return Err(ShiftError::WindowsOverlap {
                        shift,
                        a: other.clone(),
                        b: label,
                    });
                }
                windows.push((label, w));
            }
        }
        Ok(())
    }

    fn validate_flex(&self, f: &FlexRule) -> Result<(), ShiftError> {
        let shift = self.code.clone();
        if f.latest_out <= f.earliest_in {
            return Err(ShiftError::BadFlex {
                shift,
                why: "the latest sign-out must be after the earliest sign-in",
            });
        }
        if f.earliest_in < self.day_start() || f.latest_out >= self.day_end() {
            return Err(ShiftError::BadFlex {
                shift,
                why: "the flexible range must lie inside the work day",
            });
        }
        if let Some((a, b)) = f.core
            && (b <= a || a < f.earliest_in || b > f.latest_out)
        {
            return Err(ShiftError::BadFlex {
                shift,
                why: "core hours must be a range inside the flexible range",
            });
        }
        let span = u32::try_from(f.latest_out.0 - f.earliest_in.0).unwrap_or(0);
        if f.min_minutes > span {
            return Err(ShiftError::BadFlex {
                shift,
                why: "the minimum daily minutes do not fit in the flexible range",
            });
        }
        Ok(())
    }
}
