//! Month service: loads employees, punches (the day before the month to the day after), requests,
//! schedules and the calendar from SQLite, runs the domain's `reconcile_month`, and stores the derived
//! rows (CSV lines) and summaries in one transaction with the audit entry. Day results are not stored:
//! reports recompute them from the same inputs and the stored run's time (reconciliation is
//! deterministic), which keeps a 10,000-employee run small and fast.
//!
//! Recompute rule: a stored run keeps an input fingerprint (`input_revision` bumped by triggers on every
//! non-punch input, plus the count of punches in the run's range; the ledger is insert-only). `month
//! show` compares it with the current one and recomputes (and stores, when the role may run months)
//! whenever it differs, so results never lag their inputs.

use chrono::{Duration, NaiveTime};
use kaoqin_domain::{
    CSV_HEADER, Employee as DomEmployee, MonthInput, MonthResult, Punch, reconcile_month,
};
use kaoqin_store::employees::{self, EmployeeFilter};
use kaoqin_store::month_results::{self, DayRow, RunInfo, SummaryRow};
use kaoqin_store::punches;
use kaoqin_store::rusqlite::Connection;
use serde_json::json;

use super::calendar::load_calendar;
use super::error::{AppError, AppResult};
use super::permissions::Action;
use super::requests::load_requests;
use super::schedules::load_book;
use super::session::Session;

/// The month type is the domain's: one grammar for the CLI and the window (`2026-03`, `2026-3`,
/// `2026/3`, `2026.3`); `Month::parse(text)?` gives an `invalid month` error here.
pub use kaoqin_domain::Month;

/// Everything reconciliation needs, loaded from the database.
pub struct MonthInputs {
    pub employees: Vec<DomEmployee>,
    pub punches: Vec<Punch>,
    /// The origin of each punch, by index into `punches` (for the daily detail and the 日报).
    pub origins: Vec<Option<kaoqin_domain::PunchOrigin>>,
    pub requests: Vec<kaoqin_domain::Request>,
    pub book: kaoqin_domain::ScheduleBook,
    pub calendar: kaoqin_domain::Calendar,
    pub fingerprint: String,
}

/// Loads a month's inputs (employees include those who left: reconciliation judges by dates).
pub fn load_inputs(conn: &Connection, m: Month) -> AppResult<MonthInputs> {
    let (from, to) = m.punch_range();
    let fingerprint = month_results::fingerprint(conn, from, to)?;
    let employees = employees::list(conn, &EmployeeFilter::default())?
        .into_iter()
        .map(|e| DomEmployee {
            no: e.enrollment_no,
            name: e.name,
            department: e.department.unwrap_or_default(),
            hired: e.hire_date,
            left: e.leave_date,
            active: e.active,
        })
        .collect();
    let mut punches = Vec::new();
    let mut origins = Vec::new();
    let origin_of = kaoqin_store::sessions::punch_origins(conn)?;
    // Key order, not time order: reconcile_month groups by employee and sorts each group by time.
    punches::for_each_in_range(
        conn,
        from.and_time(NaiveTime::MIN),
        (to + Duration::days(1)).and_time(NaiveTime::MIN),
        |p| {
            punches.push(Punch {
                enrollment_no: p.enrollment_no.to_owned(),
                ts: p.ts,
                verify_mode: u8::try_from(p.verify_mode).unwrap_or(u8::MAX),
                in_out_state: u8::try_from(p.in_out_state).unwrap_or(u8::MAX),
                terminal_serial: p.terminal_serial.to_owned(),
            });
            origins.push(origin_of.get(&p.session_id).copied());
        },
    )?;
    Ok(MonthInputs {
        employees,
        punches,
        origins,
        requests: load_requests(conn, from, to)?,
        book: load_book(conn)?,
        calendar: load_calendar(conn)?,
        fingerprint,
    })
}

/// Runs the domain over loaded inputs.
pub fn reconcile(inputs: &MonthInputs, m: Month, now: chrono::NaiveDateTime) -> MonthResult {
    reconcile_month(&MonthInput {
        year: m.year(),
        month: m.month(),
        employees: &inputs.employees,
        punches: &inputs.punches,
        requests: &inputs.requests,
        book: &inputs.book,
        calendar: &inputs.calendar,
        now,
    })
}

/// Stores a result (replacing the month's rows) in the caller's transaction.
pub fn store_result(
    conn: &Connection,
    m: Month,
    result: &MonthResult,
    fingerprint: &str,
    run_at: chrono::NaiveDateTime,
    run_by: &str,
) -> AppResult<RunInfo> {
    let dept: std::collections::HashMap<&str, &str> = result
        .summaries
        .iter()
        .map(|s| (s.employee_no.as_str(), s.department.as_str()))
        .collect();
    let ser = |e: serde_json::Error| AppError::Invalid {
        field: "month result",
        reason: e.to_string(),
    };
    let days = result
        .days
        .iter()
        .map(|d| DayRow {
            employee_no: d.employee_no.clone(),
            date: d.date,
            department: dept
                .get(d.employee_no.as_str())
                .copied()
                .unwrap_or("")
                .to_string(),
            csv_row: d.csv_row(),
            json: String::new(),
        })
        .collect::<Vec<_>>();
    let summaries = result
        .summaries
        .iter()
        .map(|s| {
            Ok(SummaryRow {
                employee_no: s.employee_no.clone(),
                department: s.department.clone(),
                json: serde_json::to_string(s).map_err(ser)?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let info = RunInfo {
        month: m.key(),
        fingerprint: fingerprint.to_string(),
        run_at,
        run_by: run_by.to_string(),
        employees: i64::try_from(summaries.len()).unwrap_or(i64::MAX),
        days: i64::try_from(days.len()).unwrap_or(i64::MAX),
    };
    month_results::replace(conn, &info, &days, &summaries)?;
    Ok(info)
}

/// What `month show` prints.
#[derive(Debug, Clone)]
pub struct MonthView {
    /// The month CSV (header + rows), filtered.
    pub csv: String,
    /// True when the stored run was stale (or missing) and the month was recomputed.
    pub recomputed: bool,
}

impl Session {
    /// Runs a month and stores its results; returns the run's summary.
    pub fn run_month(&mut self, m: Month) -> AppResult<(RunInfo, MonthResult)> {
        self.require(Action::RunMonth, &m.key())?;
        let inputs = load_inputs(self.conn(), m)?;
        let now = self.now();
        let result = reconcile(&inputs, m, now);
        let by = self.user().name.clone();
        let unknown = result.unknown_enrollments.len();
        let info = self.act(Action::RunMonth, "month.run", &m.key(), |tx| {
            let info = store_result(tx, m, &result, &inputs.fingerprint, now, &by)?;
            Ok((
                info.clone(),
                json!({ "employees": info.employees, "days": info.days,
                        "fingerprint": info.fingerprint, "unknown_enrollments": unknown }),
            ))
        })?;
        Ok((info, result))
    }

    /// The stored run of `m` when its inputs have not changed since (else `None`).
    fn fresh_run(&self, m: Month) -> AppResult<Option<RunInfo>> {
        let (from, to) = m.punch_range();
        let current = month_results::fingerprint(self.conn(), from, to)?;
        let stored = month_results::run_info(self.conn(), &m.key())?;
        Ok(stored.filter(|r| r.fingerprint == current))
    }

    /// The month's results for the result of `run_month` or the stored run; recomputes when any input
    /// changed since the stored run (stored only when the role may run months).
    pub fn month_result(&mut self, m: Month) -> AppResult<(MonthResult, bool)> {
        self.require(Action::ViewReports, &m.key())?;
        if let Some(run) = self.fresh_run(m)? {
            // Same inputs and the run's own clock: reconciliation is deterministic, so this is exactly
            // the stored run's result (day results are not stored).
            let inputs = load_inputs(self.conn(), m)?;
            return Ok((reconcile(&inputs, m, run.run_at), false));
        }
        if self.may(Action::RunMonth) {
            let (_, result) = self.run_month(m)?;
            return Ok((result, true));
        }
        let inputs = load_inputs(self.conn(), m)?;
        Ok((reconcile(&inputs, m, self.now()), true))
    }

    /// `month show`: the CSV of a month (filtered by department and/or 工号).
    pub fn month_show(
        &mut self,
        m: Month,
        department: Option<&str>,
        employee_no: Option<&str>,
    ) -> AppResult<MonthView> {
        if let Some(no) = employee_no {
            employees::find_by_no(self.conn(), no)?.ok_or_else(|| AppError::Invalid {
                field: "employee",
                reason: format!("no employee with 工号 '{no}'"),
            })?;
        }
        if let Some(d) = department {
            kaoqin_store::departments::get_by_name(self.conn(), d)?;
        }
        self.require(Action::ViewReports, &m.key())?;
        let csv = if self.fresh_run(m)?.is_none() {
            let (result, recomputed) = self.month_result(m)?;
            return Ok(MonthView {
                csv: result.csv_filtered(department, employee_no),
                recomputed,
            });
        } else {
            let mut s = String::from(CSV_HEADER);
            s.push('\n');
            for line in month_results::csv_rows(self.conn(), &m.key(), department, employee_no)? {
                s.push_str(&line);
                s.push('\n');
            }
            s
        };
        Ok(MonthView {
            csv,
            recomputed: false,
        })
    }
}
