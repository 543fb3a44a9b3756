//! The raw punch ledger: append-only (triggers reject UPDATE and DELETE), one row per (terminal serial,
//! timestamp, enrollment number), each tagged with the download session that brought it. This module only
//! inserts and reads; it must never offer a way to change or remove a punch.

use chrono::NaiveDateTime;
use kaoqin_domain::PunchOrigin;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, Transaction, types::Value};

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
    /// Where the punch came from, read through its session (`None` only for an import made before
    /// the file format was recorded whose audit entry is missing).
    pub origin: Option<PunchOrigin>,
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

/// Rows per multi-row INSERT: one statement step stores this many punches, which amortises SQLite's
/// per-statement work (the bench: ~2x faster than one row per statement).
const ROWS_PER_STMT: usize = 128;

/// `INSERT … VALUES (row), (row), … ON CONFLICT DO NOTHING` for `rows` rows. ?1 = terminal serial,
/// ?2 = session, ?3 = stored_at are shared by all rows; each row then has 5 parameters of its own.
fn insert_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO raw_punches (terminal_serial, ts, enrollment_no, verify_mode, in_out_state, work_code, \
         session_id, stored_at) VALUES ",
    );
    for r in 0..rows {
        let b = 4 + 5 * r;
        if r > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "(?1,?{},?{},?{},?{},?{},?2,?3)",
            b,
            b + 1,
            b + 2,
            b + 3,
            b + 4
        ));
    }
    sql.push_str(" ON CONFLICT DO NOTHING");
    sql
}

/// Stores `punches` from terminal `terminal_serial` for session `session_id`, skipping those already in
/// the ledger (or repeated within the batch). Takes a `Transaction` so the batch, the session row and the
/// audit entry commit together (invariant 5: all or nothing per batch). A punch with an empty enrollment
/// number fails the whole batch before anything is written.
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
    if let Some(p) = punches.iter().find(|p| p.enrollment_no.is_empty()) {
        return Err(StoreError::Invalid {
            field: "punch enrollment number",
            reason: format!("empty at {}", timefmt::punch_ts(p.ts)),
        });
    }
    let stored_at = timefmt::event_ts(stored_at);
    let _guard_off = ReplaceGuardOff::new(tx)?;
    let mut new = 0u64;
    // One reusable buffer for the timestamp text (bound by copy), so the loop does not allocate per row.
    let mut ts = String::with_capacity(19);
    let mut chunks = punches.chunks_exact(ROWS_PER_STMT);
    {
        let mut stmt = tx.prepare_cached(&insert_sql(ROWS_PER_STMT))?;
        stmt.raw_bind_parameter(1, terminal_serial)?;
        stmt.raw_bind_parameter(2, session_id)?;
        stmt.raw_bind_parameter(3, stored_at.as_str())?;
        for chunk in &mut chunks {
            for (r, p) in chunk.iter().enumerate() {
                let b = 4 + 5 * r;
                ts.clear();
                write_punch_ts(&mut ts, p.ts);
                stmt.raw_bind_parameter(b, ts.as_str())?;
                stmt.raw_bind_parameter(b + 1, p.enrollment_no.as_str())?;
                stmt.raw_bind_parameter(b + 2, p.verify_mode)?;
                stmt.raw_bind_parameter(b + 3, p.in_out_state)?;
                stmt.raw_bind_parameter(b + 4, p.work_code)?;
            }
            new += stmt.raw_execute()? as u64;
        }
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut stmt = tx.prepare_cached(&insert_sql(1))?;
        stmt.raw_bind_parameter(1, terminal_serial)?;
        stmt.raw_bind_parameter(2, session_id)?;
        stmt.raw_bind_parameter(3, stored_at.as_str())?;
        for p in rest {
            ts.clear();
            write_punch_ts(&mut ts, p.ts);
            stmt.raw_bind_parameter(4, ts.as_str())?;
            stmt.raw_bind_parameter(5, p.enrollment_no.as_str())?;
            stmt.raw_bind_parameter(6, p.verify_mode)?;
            stmt.raw_bind_parameter(7, p.in_out_state)?;
            stmt.raw_bind_parameter(8, p.work_code)?;
            new += stmt.raw_execute()? as u64;
        }
    }
    let read = punches.len() as u64;
    Ok(InsertStats {
        read,
        new,
        already: read - new,
    })
}

/// Triggers switched off on this connection while a batch is inserted, back on when dropped.
///
/// The only trigger an INSERT into `raw_punches` fires is the REPLACE guard of schema step 4, which
/// looks the key up for every row and halved the insert rate (BENCHMARKS.md, kaoqin-store). Kaoqin's own
/// inserts cannot replace anything (`ON CONFLICT DO NOTHING`), and the UPDATE/DELETE triggers never
/// fire on an insert, so nothing is lost here; every other connection — the sqlite3 shell, a script —
/// keeps the guard, because the setting belongs to the connection.
struct ReplaceGuardOff<'c> {
    conn: &'c rusqlite::Connection,
}

impl<'c> ReplaceGuardOff<'c> {
    fn new(conn: &'c rusqlite::Connection) -> Result<Self> {
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false)?;
        Ok(ReplaceGuardOff { conn })
    }
}

impl Drop for ReplaceGuardOff<'_> {
    fn drop(&mut self) {
        // Cannot fail for a valid connection; if it did, only this connection would go on without
        // triggers until it is closed, and Kaoqin's code never updates or deletes a punch.
        let _ = self
            .conn
            .set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, true);
    }
}

/// 'YYYY-MM-DD HH:MM:SS' by hand: `format!` per row was a visible share of the insert loop.
fn write_punch_ts(out: &mut String, t: NaiveDateTime) {
    use chrono::{Datelike, Timelike};
    fn two(out: &mut String, n: u32) {
        out.push(char::from(b'0' + (n / 10 % 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    }
    let y = t.year();
    if (0..=9999).contains(&y) {
        let y = y as u32;
        two(out, y / 100);
        two(out, y % 100);
    } else {
        // Out-of-range years never come from a terminal; keep them readable rather than wrong.
        out.push_str(&format!("{y:04}"));
    }
    out.push('-');
    two(out, t.month());
    out.push('-');
    two(out, t.day());
    out.push(' ');
    two(out, t.hour());
    out.push(':');
    two(out, t.minute());
    out.push(':');
    two(out, t.second());
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
        "SELECT terminal_serial, enrollment_no, ts, verify_mode, in_out_state, work_code, session_id, stored_at,
                s.kind, s.file_format
         FROM raw_punches LEFT JOIN download_sessions s ON s.id = raw_punches.session_id{w}
         ORDER BY ts, terminal_serial, enrollment_no"
    ))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
    while let Some(r) = rows.next()? {
        let ts: String = r.get(2)?;
        let stored: String = r.get(7)?;
        let kind: Option<String> = r.get(8)?;
        let format: Option<String> = r.get(9)?;
        each(Punch {
            terminal_serial: r.get(0)?,
            enrollment_no: r.get(1)?,
            ts: timefmt::parse_punch_ts(&ts)?,
            verify_mode: r.get(3)?,
            in_out_state: r.get(4)?,
            work_code: r.get(5)?,
            session_id: r.get(6)?,
            stored_at: timefmt::parse_event_ts(&stored)?,
            origin: kind.and_then(|k| crate::sessions::origin_of(&k, format.as_deref())),
        });
    }
    Ok(())
}

/// A punch borrowed from the read cursor: bulk readers copy only the fields they keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PunchRef<'a> {
    pub terminal_serial: &'a str,
    pub enrollment_no: &'a str,
    pub ts: NaiveDateTime,
    pub verify_mode: i64,
    pub in_out_state: i64,
    /// The session that stored it (its origin: `sessions::punch_origins`).
    pub session_id: i64,
}

fn text<'a>(r: &'a rusqlite::Row<'_>, i: usize) -> Result<&'a str> {
    r.get_ref(i)?.as_str().map_err(|e| {
        StoreError::from(rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            Box::new(e),
        ))
    })
}

/// `YYYY-MM-DD HH:MM:SS` without chrono's format interpreter (a month run parses a million of these);
/// anything unusual goes through [`timefmt::parse_punch_ts`] for its checks and error message.
fn parse_punch_ts_fast(s: &str) -> Result<NaiveDateTime> {
    let b = s.as_bytes();
    let num = |from: usize, to: usize| -> Option<u32> {
        b.get(from..to)?.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let sep = |i: usize, c: u8| b.get(i) == Some(&c);
    let fast = (b.len() == 19
        && sep(4, b'-')
        && sep(7, b'-')
        && sep(10, b' ')
        && sep(13, b':')
        && sep(16, b':'))
    .then(|| {
        let date = chrono::NaiveDate::from_ymd_opt(
            i32::try_from(num(0, 4)?).ok()?,
            num(5, 7)?,
            num(8, 10)?,
        )?;
        date.and_hms_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?)
    })
    .flatten();
    match fast {
        Some(t) => Ok(t),
        None => timefmt::parse_punch_ts(s),
    }
}

/// Calls `each` for every punch with `from <= ts < to`, in key order (terminal serial, timestamp,
/// enrollment number) so SQLite walks the table without sorting; callers that need time order group and
/// sort themselves. Nothing is allocated per row.
pub fn for_each_in_range(
    conn: &Connection,
    from: NaiveDateTime,
    to: NaiveDateTime,
    mut each: impl FnMut(PunchRef<'_>),
) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT terminal_serial, enrollment_no, ts, verify_mode, in_out_state, session_id FROM raw_punches \
         WHERE ts >= ?1 AND ts < ?2 ORDER BY terminal_serial, ts, enrollment_no",
    )?;
    let mut rows = stmt.query([timefmt::punch_ts(from), timefmt::punch_ts(to)])?;
    while let Some(r) = rows.next()? {
        each(PunchRef {
            terminal_serial: text(r, 0)?,
            enrollment_no: text(r, 1)?,
            ts: parse_punch_ts_fast(text(r, 2)?)?,
            verify_mode: r.get(3)?,
            in_out_state: r.get(4)?,
            session_id: r.get(5)?,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_written_timestamp_matches_chrono() {
        for s in [
            "2026-11-02 08:51:07",
            "0999-01-09 00:00:00",
            "2000-12-31 23:59:59",
        ] {
            let t = NaiveDateTime::parse_from_str(s, timefmt::PUNCH_TS).unwrap();
            let mut out = String::new();
            write_punch_ts(&mut out, t);
            assert_eq!(out, s);
            assert_eq!(out, timefmt::punch_ts(t));
            assert_eq!(parse_punch_ts_fast(s).unwrap(), t);
        }
        for bad in [
            "2026-02-30 08:00:00",
            "2026-11-02 24:00:00",
            "2026-11-02T08:51:07",
            "x",
        ] {
            assert!(parse_punch_ts_fast(bad).is_err(), "{bad}");
        }
    }
}
