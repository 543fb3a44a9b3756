//! The raw punch ledger: append-only (triggers reject UPDATE and DELETE), one row per (terminal serial,
//! timestamp, enrollment number), each tagged with the download session that brought it. This module only
//! inserts and reads; it must never offer a way to change or remove a punch.

use chrono::NaiveDateTime;
use rusqlite::{Connection, Transaction, params, types::Value};

use crate::error::{Result, StoreError};
use crate::timefmt;

/// A punch as read from a terminal (the batch supplies terminal serial, session and storage time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPunch {
    pub enrollment_no: String,
    /// Terminal local time, as read (seconds precision; sub-seconds are dropped).
    pub ts: NaiveDateTime,
    pub verify_mode: i64,
    pub in_out_state: i64,
    pub work_code: i64,
}

/// A stored punch.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Punch {
    pub terminal_serial: String,
    pub enrollment_no: String,
    pub ts: NaiveDateTime,
    pub verify_mode: i64,
    pub in_out_state: i64,
    pub work_code: i64,
    pub session_id: i64,
    pub stored_at: NaiveDateTime,
}

/// What one batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct InsertStats {
    /// Punches offered.
    pub read: u64,
    /// Punches newly stored.
    pub new: u64,
    /// Punches the ledger already held (or repeated within the batch).
    pub already: u64,
}

impl std::ops::AddAssign for InsertStats {
    fn add_assign(&mut self, o: Self) {
        self.read += o.read;
        self.new += o.new;
        self.already += o.already;
    }
}

/// Listing filter; all conditions ANDed; `from` inclusive, `to` exclusive (for `--to DATE` pass the next
/// day's midnight).
#[derive(Debug, Clone, Default)]
pub struct PunchFilter {
    pub terminal_serial: Option<String>,
    pub enrollment_no: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// Stores `punches` from terminal `terminal_serial` for session `session_id`, skipping those already in
/// the ledger. Takes a `Transaction` so the batch, the session row and the audit entry commit together
/// (invariant 5: all or nothing per batch). Punches must not hold an empty enrollment number.
pub fn insert_batch(
    tx: &Transaction<'_>,
    session_id: i64,
    terminal_serial: &str,
    stored_at: NaiveDateTime,
    punches: &[NewPunch],
) -> Result<InsertStats> {
    if terminal_serial.trim().is_empty() {
        return Err(StoreError::Invalid {
            field: "terminal serial number",
            reason: "must not be empty".into(),
        });
    }
    let stored_at = timefmt::event_ts(stored_at);
    let mut stmt = tx.prepare_cached(
        "INSERT INTO raw_punches (terminal_serial, ts, enrollment_no, verify_mode, in_out_state, work_code,
             session_id, stored_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT DO NOTHING",
    )?;
    let mut new = 0u64;
    // One reusable buffer for the timestamp text: formatting through chrono's Display per row is the
    // hottest part of the loop.
    let mut ts = String::with_capacity(19);
    for p in punches {
        if p.enrollment_no.is_empty() {
            return Err(StoreError::Invalid {
                field: "punch enrollment number",
                reason: format!("empty at {}", timefmt::punch_ts(p.ts)),
            });
        }
        ts.clear();
        write_punch_ts(&mut ts, p.ts);
        new += stmt.execute(params![
            terminal_serial,
            ts,
            p.enrollment_no,
            p.verify_mode,
            p.in_out_state,
            p.work_code,
            session_id,
            stored_at
        ])? as u64;
    }
    let read = punches.len() as u64;
    Ok(InsertStats {
        read,
        new,
        already: read - new,
    })
}

/// 'YYYY-MM-DD HH:MM:SS' without going through a format string parser per row.
fn write_punch_ts(out: &mut String, t: NaiveDateTime) {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write;
    let _ = write!(
        out,
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
}

fn where_clause(f: &PunchFilter) -> (String, Vec<Value>) {
    let mut sql = String::from(" WHERE 1=1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(s) = &f.terminal_serial {
        args.push(Value::Text(s.clone()));
        sql.push_str(&format!(" AND terminal_serial = ?{}", args.len()));
    }
    if let Some(e) = &f.enrollment_no {
        args.push(Value::Text(e.clone()));
        sql.push_str(&format!(" AND enrollment_no = ?{}", args.len()));
    }
    if let Some(t) = f.from {
        args.push(Value::Text(timefmt::punch_ts(t)));
        sql.push_str(&format!(" AND ts >= ?{}", args.len()));
    }
    if let Some(t) = f.to {
        args.push(Value::Text(timefmt::punch_ts(t)));
        sql.push_str(&format!(" AND ts < ?{}", args.len()));
    }
    (sql, args)
}

/// Calls `each` for every punch matching `f`, ordered by (timestamp, terminal serial, enrollment number),
/// without loading them all.
pub fn for_each(conn: &Connection, f: &PunchFilter, mut each: impl FnMut(Punch)) -> Result<()> {
    let (w, args) = where_clause(f);
    let mut stmt = conn.prepare(&format!(
        "SELECT terminal_serial, enrollment_no, ts, verify_mode, in_out_state, work_code, session_id, stored_at
         FROM raw_punches{w} ORDER BY ts, terminal_serial, enrollment_no"
    ))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
    while let Some(r) = rows.next()? {
        let ts: String = r.get(2)?;
        let stored: String = r.get(7)?;
        each(Punch {
            terminal_serial: r.get(0)?,
            enrollment_no: r.get(1)?,
            ts: timefmt::parse_punch_ts(&ts)?,
            verify_mode: r.get(3)?,
            in_out_state: r.get(4)?,
            work_code: r.get(5)?,
            session_id: r.get(6)?,
            stored_at: timefmt::parse_event_ts(&stored)?,
        });
    }
    Ok(())
}

/// Punches matching `f` (see [`for_each`] for the order).
pub fn list(conn: &Connection, f: &PunchFilter) -> Result<Vec<Punch>> {
    let mut v = Vec::new();
    for_each(conn, f, |p| v.push(p))?;
    Ok(v)
}

/// Number of punches matching `f`.
pub fn count(conn: &Connection, f: &PunchFilter) -> Result<u64> {
    let (w, args) = where_clause(f);
    let n: i64 = conn.query_row(
        &format!("SELECT count(*) FROM raw_punches{w}"),
        rusqlite::params_from_iter(args),
        |r| r.get(0),
    )?;
    Ok(crate::timefmt::to_u64(n))
}
