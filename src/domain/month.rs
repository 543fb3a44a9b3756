//! The month run: reconcile every employee-day of a month and total per employee and per department.
//!
//! Pure and deterministic (employees in number order, days in date order, totals in BTreeMaps).
//! Must not format sheets (see `report`) or store anything.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::assignment::ScheduleBook;
use crate::calendar::Calendar;
use crate::people::{Employee, Punch};
use crate::reconcile::{CSV_HEADER, DayResult, OvertimeKind, reconcile_day_refs};
use crate::request::Request;

/// Everything a month run needs. Pass punches from the day before the month to the day after it
/// (night shifts reach across midnight); extra punches are ignored.
#[derive(Clone, Copy)]
pub struct MonthInput<'a> {
    pub year: i32,
    pub month: u32,
    pub employees: &'a [Employee],
    pub punches: &'a [Punch],
    pub requests: &'a [Request],
    pub book: &'a ScheduleBook,
    pub calendar: &'a Calendar,
    /// The time of the run: days and windows after it are not judged yet.
    pub now: NaiveDateTime,
}

/// Leave of one type over a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeaveTotal {
    pub days: f64,
    pub minutes: u32,
}

/// Month totals (one employee or a department).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// 应出勤天数: working days (workdays and make-up workdays) while employed.
    pub required_days: u32,
    /// 实际出勤: attended days (by sessions; outings and trips count as attended).
    pub attended_days: f64,
    pub late_count: u32,
    pub late_minutes: u32,
    pub early_count: u32,
    pub early_minutes: u32,
    pub absent_sessions: u32,
    pub absent_days: f64,
    pub missing_in: u32,
    pub missing_out: u32,
    pub leave: BTreeMap<String, LeaveTotal>,
    /// Outing by its real length: days (sessions covered ÷ sessions of the day) and minutes.
    pub outing_days: f64,
    pub outing_minutes: u32,
    /// Business trip days (sessions covered ÷ sessions of the day).
    pub trip_days: f64,
    pub supplements: u32,
    pub overtime_workday: u32,
    pub overtime_restday: u32,
    /// Overtime on statutory holidays only (300 %); shifted days off count as rest days (200 %).
    pub overtime_holiday: u32,
    pub unmatched_punches: u32,
}

impl Totals {
    pub fn missing_punches(&self) -> u32 {
        self.missing_in + self.missing_out
    }

    /// 出勤率: attended ÷ required (0 when nothing was required).
    pub fn attendance_rate(&self) -> f64 {
        if self.required_days == 0 {
            0.0
        } else {
            self.attended_days / f64::from(self.required_days)
        }
    }

    pub fn add_day(&mut self, d: &DayResult) {
        if !d.employed {
            return;
        }
        if d.day.kind.is_working() {
            self.required_days += 1;
        }
        self.attended_days += d.attended_days();
        self.late_count += d.late_count();
        self.late_minutes += d.late_minutes();
        self.early_count += d.early_count();
        self.early_minutes += d.early_minutes();
        self.absent_sessions += d.absent_sessions();
        self.absent_days += d.absent_days();
        self.missing_in += d.missing_in_count();
        self.missing_out += d.missing_out_count();
        for l in &d.leave {
            let t = self.leave.entry(l.leave_type.clone()).or_default();
            t.days += l.days;
            t.minutes += l.minutes;
        }
        self.outing_days += d.outing_days;
        self.outing_minutes += d.outing_minutes;
        self.trip_days += d.trip_days;
        self.supplements += d.supplements;
        match d.overtime_kind {
            OvertimeKind::Workday => self.overtime_workday += d.overtime_minutes,
            OvertimeKind::RestDay => self.overtime_restday += d.overtime_minutes,
            OvertimeKind::Holiday => self.overtime_holiday += d.overtime_minutes,
        }
        self.unmatched_punches += d.unmatched.len() as u32;
    }

    pub fn merge(&mut self, o: &Totals) {
        self.required_days += o.required_days;
        self.attended_days += o.attended_days;
        self.late_count += o.late_count;
        self.late_minutes += o.late_minutes;
        self.early_count += o.early_count;
        self.early_minutes += o.early_minutes;
        self.absent_sessions += o.absent_sessions;
        self.absent_days += o.absent_days;
        self.missing_in += o.missing_in;
        self.missing_out += o.missing_out;
        for (k, v) in &o.leave {
            let t = self.leave.entry(k.clone()).or_default();
            t.days += v.days;
            t.minutes += v.minutes;
        }
        self.outing_days += o.outing_days;
        self.outing_minutes += o.outing_minutes;
        self.trip_days += o.trip_days;
        self.supplements += o.supplements;
        self.overtime_workday += o.overtime_workday;
        self.overtime_restday += o.overtime_restday;
        self.overtime_holiday += o.overtime_holiday;
        self.unmatched_punches += o.unmatched_punches;
    }
}

/// One employee's month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthSummary {
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub totals: Totals,
}

/// A department's month (sum of its employees).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepartmentTotals {
    pub department: String,
    pub employees: u32,
    pub totals: Totals,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthResult {
    pub year: i32,
    pub month: u32,
    /// Every employee-day, by employee number then date.
    pub days: Vec<DayResult>,
    /// By employee number.
    pub summaries: Vec<MonthSummary>,
    /// By department name.
    pub departments: Vec<DepartmentTotals>,
    pub organisation: Totals,
    /// Enrollment numbers with punches in the month but no employee (sorted).
    pub unknown_enrollments: Vec<String>,
}

impl MonthResult {
    /// The month CSV: header line and one line per employee-day.
    pub fn csv(&self) -> String {
        let mut s = String::with_capacity(64 * (self.days.len() + 1));
        s.push_str(CSV_HEADER);
        s.push('\n');
        for d in &self.days {
            s.push_str(&d.csv_row());
            s.push('\n');
        }
        s
    }

    /// The month CSV restricted to a department and/or an employee (`kaoqin month show --format csv`).
    pub fn csv_filtered(&self, department: Option<&str>, employee_no: Option<&str>) -> String {
        let wanted: std::collections::BTreeSet<&str> = self
            .summaries
            .iter()
            .filter(|s| department.is_none_or(|d| s.department == d))
            .filter(|s| employee_no.is_none_or(|e| s.employee_no == e))
            .map(|s| s.employee_no.as_str())
            .collect();
        let mut s = String::from(CSV_HEADER);
        s.push('\n');
        for d in self
            .days
            .iter()
            .filter(|d| wanted.contains(d.employee_no.as_str()))
        {
            s.push_str(&d.csv_row());
            s.push('\n');
        }
        s
    }

    /// The days of one employee.
    pub fn days_of(&self, employee_no: &str) -> &[DayResult] {
        let lo = self
            .days
            .partition_point(|d| d.employee_no.as_str() < employee_no);
        let hi = self
            .days
            .partition_point(|d| d.employee_no.as_str() <= employee_no);
        self.days.get(lo..hi).unwrap_or(&[])
    }

    pub fn summary_of(&self, employee_no: &str) -> Option<&MonthSummary> {
        self.summaries.iter().find(|s| s.employee_no == employee_no)
    }
}

/// The dates of a month (empty for an invalid month).
pub fn month_dates(year: i32, month: u32) -> Vec<NaiveDate> {
    let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else {
        return Vec::new();
    };
    first
        .iter_days()
        .take_while(|d| d.month() == month)
        .collect()
}

/// Reconcile a month for every employee in `input`.
pub fn reconcile_month(input: &MonthInput<'_>) -> MonthResult {
    let dates = month_dates(input.year, input.month);
    let mut employees: Vec<&Employee> = input.employees.iter().collect();
    employees.sort_by(|a, b| a.no.cmp(&b.no));

    // Grouping only: the map's order never reaches the output (employees are walked in sorted order).
    let mut by_emp: HashMap<&str, Vec<&Punch>> = HashMap::with_capacity(employees.len());
    for p in input.punches {
        by_emp.entry(p.enrollment_no.as_str()).or_default().push(p);
    }
    let mut reqs_by_emp: HashMap<&str, Vec<&Request>> = HashMap::new();
    for r in input.requests.iter().filter(|r| r.is_approved()) {
        reqs_by_emp
            .entry(r.employee_no.as_str())
            .or_default()
            .push(r);
    }
    let (first, last) = match (dates.first(), dates.last()) {
        (Some(a), Some(b)) => (*a, *b),
        _ => (NaiveDate::MIN, NaiveDate::MIN),
    };
    let mut unknown: Vec<String> = by_emp
        .iter()
        .filter(|(no, ps)| {
            ps.iter()
                .any(|p| p.ts.date() >= first && p.ts.date() <= last)
                && employees
                    .binary_search_by(|e| e.no.as_str().cmp(no))
                    .is_err()
        })
        .map(|(no, _)| no.to_string())
        .collect();
    unknown.sort();

    let index = input.book.index();
    let mut days = Vec::with_capacity(employees.len() * dates.len());
    let mut summaries = Vec::with_capacity(employees.len());
    let empty: Vec<&Punch> = Vec::new();
    let no_reqs: Vec<&Request> = Vec::new();
    for e in &employees {
        let mut ps = by_emp.remove(e.no.as_str()).unwrap_or_default();
        ps.sort_by_key(|p| p.ts);
        let reqs = reqs_by_emp.get(e.no.as_str()).unwrap_or(&no_reqs);
        let mut totals = Totals::default();
        for &date in &dates {
            let plan = index.plan(e, date, input.calendar);
            let (from, to) = plan
                .shift
                .map_or((0, 1440), |s| (s.day_start().0, s.day_end().0));
            let lo_ts = crate::clock::ClockTime(from).on(date);
            let hi_ts = crate::clock::ClockTime(to).on(date);
            let lo = ps.partition_point(|p| p.ts < lo_ts);
            let hi = ps.partition_point(|p| p.ts < hi_ts);
            let slice = ps.get(lo..hi).unwrap_or(&empty);
            let d = reconcile_day_refs(e, date, slice, plan.shift, &plan.day, reqs, input.now);
            totals.add_day(&d);
            days.push(d);
        }
        summaries.push(MonthSummary {
            employee_no: e.no.clone(),
            name: e.name.clone(),
            department: e.department.clone(),
            totals,
        });
    }
    let mut depts: BTreeMap<String, DepartmentTotals> = BTreeMap::new();
    let mut organisation = Totals::default();
    for s in &summaries {
        let d = depts
            .entry(s.department.clone())
            .or_insert_with(|| DepartmentTotals {
                department: s.department.clone(),
                employees: 0,
                totals: Totals::default(),
            });
        d.employees += 1;
        d.totals.merge(&s.totals);
        organisation.merge(&s.totals);
    }
    MonthResult {
        year: input.year,
        month: input.month,
        days,
        summaries,
        departments: depts.into_values().collect(),
        organisation,
        unknown_enrollments: unknown,
    }
}
