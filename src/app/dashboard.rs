//! Services for the dashboard: today at a glance (the domain's reconciliation of the current
//! month up to now, read-only: nothing is stored or audited) and, per terminal, when the
//! connection rules next allow a connection. The judgement of one day ([`classify_day`]) and the
//! month-to-date rate ([`add_to_date`]) are pure and tested here.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use kaoqin_domain::{DayResult, ScheduleBook};
use kaoqin_store::terminals;
use kaoqin_sync::policy::{self, Check};

use super::error::AppResult;
use super::month::{Month, load_inputs, reconcile};
use super::permissions::Action;
use super::session::Session;
use super::terminal_sync::OpsResult;

/// How one employee's today stands so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TodayStatus {
    /// Not a working day for them (rest day, holiday, not employed).
    Off,
    /// No schedule covers today: nothing to judge.
    Unassigned,
    /// On approved leave, outing or trip for the whole day.
    Excused,
    /// Signed in; late by this many minutes (0 = on time).
    SignedIn { late_minutes: u32 },
    /// No sign-in although a sign-in window has closed (or the domain already says absent).
    Absent,
    /// No sign-in yet, and the sign-in window is still open (or has not opened).
    NotYet,
}

/// One employee in today's overview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TodayPerson {
    pub no: String,
    pub name: String,
    pub department: String,
    pub status: TodayStatus,
    /// The first sign-in of the day, as the domain matched it ("08:52").
    pub first_sign_in: Option<String>,
}

/// Month-to-date attendance of one department (sessions that have happened by `now`).
#[derive(Debug, Clone, PartialEq)]
pub struct DepartmentToDate {
    pub department: String,
    pub required_days: f64,
    pub attended_days: f64,
}

impl DepartmentToDate {
    /// Attended ÷ required, 0 when nothing was required yet.
    pub fn rate(&self) -> f64 {
        if self.required_days <= 0.0 {
            0.0
        } else {
            self.attended_days / self.required_days
        }
    }
}

/// Today at a glance.
#[derive(Debug, Clone, PartialEq)]
pub struct TodayOverview {
    pub date: NaiveDate,
    pub now: NaiveDateTime,
    /// Employees employed today, by number.
    pub people: Vec<TodayPerson>,
    /// By department name.
    pub departments: Vec<DepartmentToDate>,
    /// The newest punch in the ledger (all terminals), if any.
    pub newest_punch: Option<NaiveDateTime>,
}

/// Judges one day result at `now`. `book` supplies the shift's sign-in windows.
pub fn classify_day(d: &DayResult, book: &ScheduleBook, now: NaiveDateTime) -> TodayStatus {
    if !d.employed || !d.day.kind.is_working() {
        return TodayStatus::Off;
    }
    if d.unassigned || d.sessions.is_empty() {
        return TodayStatus::Unassigned;
    }
    if d.sessions.iter().any(|s| s.sign_in.is_some()) {
        return TodayStatus::SignedIn {
            late_minutes: d.late_minutes(),
        };
    }
    if d.sessions.iter().all(|s| s.excused.is_some()) {
        return TodayStatus::Excused;
    }
    let shift = d.shift_code.as_deref().and_then(|c| book.shifts.get(c));
    // Past the sign-in window, or later than the shift's "late by more than N minutes is absent".
    let window_closed = |i: usize| {
        shift.and_then(|sh| sh.sessions.get(i)).is_some_and(|s| {
            let closed = s
                .sign_in
                .is_some_and(|w| now >= w.closes.plus(1).on(d.date));
            let too_late = s.late_absent_after.is_some_and(|m| {
                let due = s.due_in.unwrap_or(s.start);
                now > due.plus(i32::try_from(m).unwrap_or(i32::MAX)).on(d.date)
            });
            closed || too_late
        })
    };
    let missed = d
        .sessions
        .iter()
        .any(|s| s.excused.is_none() && (s.absent || s.missing_in || window_closed(s.index)));
    if missed {
        TodayStatus::Absent
    } else {
        TodayStatus::NotYet
    }
}

/// Adds one day result to month-to-date totals: only sessions no longer waiting for punches
/// count (a session still pending at `now` is neither required nor attended yet).
pub fn add_to_date(t: &mut DepartmentToDate, d: &DayResult) {
    if !d.is_working_day() || d.sessions.is_empty() {
        return;
    }
    let n = d.sessions.len() as f64;
    for s in d.sessions.iter().filter(|s| !s.pending) {
        t.required_days += 1.0 / n;
        if s.attended() {
            t.attended_days += 1.0 / n;
        }
    }
}

/// When the next connection to a terminal may start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionOutlook {
    pub terminal: String,
    /// `None`: allowed now.
    pub refusal: Option<policy::Refusal>,
}

impl Session {
    /// Today so far from the punches in the ledger (i.e. as of the last download), reconciled by
    /// the domain against the assigned schedules; and the month-to-date rate per department.
    /// Read-only: nothing is stored or audited.
    pub fn today_overview(&self) -> AppResult<TodayOverview> {
        self.require(Action::ViewReports, "today")?;
        let now = self.now();
        let today = now.date();
        let m = Month::of(today);
        let inputs = load_inputs(self.conn(), m)?;
        let result = reconcile(&inputs, m, now);
        let names: BTreeMap<&str, (&str, &str)> = inputs
            .employees
            .iter()
            .map(|e| (e.no.as_str(), (e.name.as_str(), e.department.as_str())))
            .collect();
        let mut depts: BTreeMap<String, DepartmentToDate> = BTreeMap::new();
        let mut people = Vec::new();
        for d in result.days.iter().filter(|d| d.date <= today) {
            let (name, dept) = names
                .get(d.employee_no.as_str())
                .copied()
                .unwrap_or(("", ""));
            let t = depts
                .entry(dept.to_string())
                .or_insert_with(|| DepartmentToDate {
                    department: dept.to_string(),
                    required_days: 0.0,
                    attended_days: 0.0,
                });
            add_to_date(t, d);
            if d.date == today && d.employed {
                people.push(TodayPerson {
                    no: d.employee_no.clone(),
                    name: name.to_string(),
                    department: dept.to_string(),
                    status: classify_day(d, &inputs.book, now),
                    first_sign_in: d
                        .sessions
                        .iter()
                        .find_map(|s| s.sign_in)
                        .map(|t| t.to_string()),
                });
            }
        }
        let newest_punch = inputs.punches.iter().map(|p| p.ts).max();
        Ok(TodayOverview {
            date: today,
            now,
            people,
            departments: depts.into_values().collect(),
            newest_punch,
        })
    }

    /// For each terminal, whether the connection rules allow a connection now, else the rule and
    /// the earliest allowed time (the same check a download makes; `kaoqin rules show`).
    pub fn connection_outlook(&self) -> OpsResult<Vec<ConnectionOutlook>> {
        self.require(Action::ViewPunches, "connection rules")?;
        let rules = kaoqin_sync::settings::load(self.conn())?.rules;
        let now = self.now();
        let mut out = Vec::new();
        for t in terminals::list(self.conn())? {
            let last = kaoqin_sync::session::last_connection_end(self.conn(), t.id, &rules)?;
            let refusal = match policy::check(&rules, last.map(|(end, _)| end), now) {
                Check::Allowed => None,
                Check::Refused(mut r) => {
                    if let (
                        policy::Rule::Spacing {
                            previous_unfinished,
                            ..
                        },
                        Some((_, true)),
                    ) = (&mut r.rule, last)
                    {
                        *previous_unfinished = true;
                    }
                    Some(r)
                }
            };
            out.push(ConnectionOutlook {
                terminal: t.name,
                refusal,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kaoqin_domain::{
        Assignment, Calendar, Employee, MonthInput, PlanRef, Punch, ScheduleBook, Target, presets,
        reconcile_month,
    };

    fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, d)
            .and_then(|x| x.and_hms_opt(h, m, 0))
            .expect("time")
    }

    fn run(
        punches: &[(&str, NaiveDateTime)],
        now: NaiveDateTime,
    ) -> (Vec<DayResult>, ScheduleBook) {
        let employees: Vec<Employee> = ["1", "2", "3"]
            .iter()
            .map(|n| Employee {
                no: (*n).into(),
                name: format!("E{n}"),
                department: "D".into(),
                hired: None,
                left: None,
                active: true,
            })
            .collect();
        let book = ScheduleBook {
            shifts: [("A".to_string(), presets::preset_a())]
                .into_iter()
                .collect(),
            rotations: Default::default(),
            assignments: vec![Assignment {
                target: Target::Organisation,
                plan: PlanRef::Shift("A".into()),
                from: None,
                to: None,
            }],
        };
        let punches: Vec<Punch> = punches
            .iter()
            .map(|(no, ts)| Punch {
                enrollment_no: (*no).into(),
                ts: *ts,
                verify_mode: 1,
                in_out_state: 0,
                terminal_serial: "S".into(),
            })
            .collect();
        let cal = Calendar::default();
        let r = reconcile_month(&MonthInput {
            year: 2026,
            month: 11,
            employees: &employees,
            punches: &punches,
            requests: &[],
            book: &book,
            calendar: &cal,
            now,
        });
        (r.days, book)
    }

    #[test]
    fn today_on_time_late_absent_and_not_yet() {
        // Wednesday 25 November 2026, 10:30: 1 on time, 2 late, 3 without a punch.
        let now = at(25, 10, 30);
        let (days, book) = run(&[("1", at(25, 8, 50)), ("2", at(25, 9, 20))], now);
        let today = |no: &str| {
            days.iter()
                .find(|d| d.employee_no == no && d.date == now.date())
                .map(|d| classify_day(d, &book, now))
        };
        assert_eq!(today("1"), Some(TodayStatus::SignedIn { late_minutes: 0 }));
        assert!(matches!(
            today("2"),
            Some(TodayStatus::SignedIn { late_minutes }) if late_minutes > 0
        ));
        assert_eq!(today("3"), Some(TodayStatus::Absent));
        // At 07:00 nobody is absent yet.
        let early = at(25, 7, 0);
        let (days, book) = run(&[], early);
        let d = days
            .iter()
            .find(|d| d.employee_no == "3" && d.date == early.date())
            .expect("day");
        assert_eq!(classify_day(d, &book, early), TodayStatus::NotYet);
        // Sunday is off.
        let d = days
            .iter()
            .find(|d| d.employee_no == "3" && d.date == at(22, 0, 0).date())
            .expect("day");
        assert_eq!(classify_day(d, &book, early), TodayStatus::Off);
    }

    #[test]
    fn month_to_date_counts_only_sessions_that_happened() {
        // Monday 2 November, 10:30: the morning was attended, the afternoon is still ahead.
        let now = at(2, 10, 30);
        let (days, _) = run(&[("1", at(2, 8, 55))], now);
        let mut t = DepartmentToDate {
            department: "D".into(),
            required_days: 0.0,
            attended_days: 0.0,
        };
        for d in days
            .iter()
            .filter(|d| d.employee_no == "1" && d.date <= now.date())
        {
            add_to_date(&mut t, d);
        }
        assert!(t.required_days > 0.0, "{t:?}");
        assert!(
            t.required_days < 1.0,
            "the afternoon is not required yet: {t:?}"
        );
        assert!((t.rate() - 1.0).abs() < 1e-9, "{t:?}");
        let empty = DepartmentToDate {
            department: "E".into(),
            required_days: 0.0,
            attended_days: 0.0,
        };
        assert_eq!(empty.rate(), 0.0);
    }
}
