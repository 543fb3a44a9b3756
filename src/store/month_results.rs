//! Derived month results: per employee-day rows (the month CSV line; day JSON is optional — the month
//! service leaves it empty and recomputes `DayResult`s when a report needs them) and per-employee summaries, keyed by month `YYYY-MM`. Each run replaces the month's rows wholesale; these
//! are derived data, never the ledger. Also the input fingerprint a stored run is compared with: the
//! `input_revision` counter (bumped by triggers on every non-punch input) plus the number of punches in
//! the month's range (the ledger is insert-only, so a new punch always changes the count).

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::timefmt;

/// One employee-day to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayRow {
    pub employee_no: String,
    pub date: NaiveDate,
    pub department: String,
    pub csv_row: String,
    /// The day's JSON, or empty: results are deterministic, so the month service recomputes instead of
    /// storing ~700 bytes per employee-day.
    pub json: String,
}

/// One employee summary to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    pub employee_no: String,
    pub department: String,
    pub json: String,
}

/// The stored run of a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    pub month: String,
    pub fingerprint: String,
    pub run_at: NaiveDateTime,
    pub run_by: String,
    pub employees: i64,
    pub days: i64,
}

/// The fingerprint of a month's inputs: `rev:<input revision>;punches:<count in [from, to]>`.
pub fn fingerprint(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<String> {
    let rev: i64 = conn.query_row("SELECT rev FROM input_revision WHERE id = 1", [], |r| {
        r.get(0)
    })?;
    let lo = format!("{} 00:00:00", timefmt::date(from));
    let hi = format!("{} 23:59:59", timefmt::date(to));
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM raw_punches WHERE ts BETWEEN ?1 AND ?2",
        params![lo, hi],
        |r| r.get(0),
    )?;
    Ok(format!("rev:{rev};punches:{n}"))
}

/// Replaces everything stored for `info.month` (call inside the caller's transaction).
pub fn replace(
    conn: &Connection,
    info: &RunInfo,
    days: &[DayRow],
    summaries: &[SummaryRow],
) -> Result<()> {
    conn.execute("DELETE FROM month_days WHERE month = ?1", [&info.month])?;
    conn.execute(
        "DELETE FROM month_summaries WHERE month = ?1",
        [&info.month],
    )?;
    conn.execute(
        "INSERT INTO month_runs (month, fingerprint, run_at, run_by, employees, days) \
         VALUES (?1,?2,?3,?4,?5,?6) ON CONFLICT(month) DO UPDATE SET fingerprint = excluded.fingerprint, \
         run_at = excluded.run_at, run_by = excluded.run_by, employees = excluded.employees, days = excluded.days",
        params![
            info.month,
            info.fingerprint,
            timefmt::event_ts(info.run_at),
            info.run_by,
            info.employees,
            info.days
        ],
    )?;
    // One prepared multi-row statement (SQLite allows 32766 parameters; 6 per row): far fewer VM
    // round-trips than one INSERT per row.
    const COLS: usize = 6;
    const CHUNK: usize = 500;
    let month_day_sql = |n: usize| {
        let mut sql = String::from(
            "INSERT INTO month_days (month, employee_no, date, department, csv_row, json) VALUES ",
        );
        for i in 0..n {
            if i > 0 {
                sql.push(',');
            }
            let b = i * COLS;
            sql.push_str(&format!(
                "(?{},?{},?{},?{},?{},?{})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6
            ));
        }
        sql
    };
    let mut full = conn.prepare(&month_day_sql(CHUNK))?;
    for chunk in days.chunks(CHUNK) {
        let dates: Vec<String> = chunk.iter().map(|d| timefmt::date(d.date)).collect();
        let mut args: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(chunk.len() * COLS);
        for (d, date) in chunk.iter().zip(&dates) {
            args.extend_from_slice(&[
                &info.month as &dyn rusqlite::ToSql,
                &d.employee_no,
                date,
                &d.department,
                &d.csv_row,
                &d.json,
            ]);
        }
        if chunk.len() == CHUNK {
            full.execute(args.as_slice())?;
        } else {
            conn.prepare(&month_day_sql(chunk.len()))?
                .execute(args.as_slice())?;
        }
    }
    let mut ins = conn.prepare_cached(
        "INSERT INTO month_summaries (month, employee_no, department, json) VALUES (?1,?2,?3,?4)",
    )?;
    for s in summaries {
        ins.execute(params![info.month, s.employee_no, s.department, s.json])?;
    }
    Ok(())
}

/// The stored run of a month, if any.
pub fn run_info(conn: &Connection, month: &str) -> Result<Option<RunInfo>> {
    let raw = conn
        .query_row(
            "SELECT month, fingerprint, run_at, run_by, employees, days FROM month_runs WHERE month = ?1",
            [month],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                ))
            },
        )
        .optional()?;
    raw.map(|(month, fingerprint, at, run_by, employees, days)| {
        Ok(RunInfo {
            month,
            fingerprint,
            run_at: timefmt::parse_event_ts(&at)?,
            run_by,
            employees,
            days,
        })
    })
    .transpose()
}

/// Stored CSV lines of a month, by employee then date, optionally filtered.
pub fn csv_rows(
    conn: &Connection,
    month: &str,
    department: Option<&str>,
    employee_no: Option<&str>,
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT csv_row FROM month_days WHERE month = ?1 AND (?2 IS NULL OR department = ?2) \
         AND (?3 IS NULL OR employee_no = ?3) ORDER BY employee_no, date",
    )?;
    let v = stmt
        .query_map(params![month, department, employee_no], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(v)
}

/// Stored summary JSON documents of a month (by employee).
pub fn summary_docs(conn: &Connection, month: &str) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare("SELECT json FROM month_summaries WHERE month = ?1 ORDER BY employee_no")?;
    let v = stmt
        .query_map([month], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(v)
}
