//! Findings from the checks on downloaded data (clock skew, tampering, non-face verification, unknown
//! enrollment numbers). The checks themselves live in the sync layer; this module only stores them.

use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension, params, types::Value};

use crate::error::{Result, StoreError};
use crate::timefmt;

/// A new finding. `kind` is a stable token such as "clock-skew", "time-backwards", "non-face-verify".
#[derive(Debug, Clone)]
pub struct NewFinding {
    pub session_id: Option<i64>,
    pub terminal_id: Option<i64>,
    pub kind: String,
    pub details: serde_json::Value,
    pub found_at: NaiveDateTime,
}

/// A stored finding; `explained_*` are set once a supervisor explains it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Finding {
    pub id: i64,
    pub session_id: Option<i64>,
    pub terminal_id: Option<i64>,
    pub kind: String,
    pub details: serde_json::Value,
    pub found_at: NaiveDateTime,
    pub explained_note: Option<String>,
    pub explained_by: Option<String>,
    pub explained_at: Option<NaiveDateTime>,
}

/// Listing filter.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub terminal_id: Option<i64>,
    /// Only findings not yet explained.
    pub open_only: bool,
}

const SELECT: &str =
    "SELECT id, session_id, terminal_id, kind, details, found_at, explained_note, explained_by,
    explained_at FROM findings";

type Raw = (
    i64,
    Option<i64>,
    Option<i64>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

fn finish(r: Raw) -> Result<Finding> {
    Ok(Finding {
        id: r.0,
        session_id: r.1,
        terminal_id: r.2,
        kind: r.3,
        details: serde_json::from_str(&r.4).unwrap_or(serde_json::Value::String(r.4)),
        found_at: timefmt::parse_event_ts(&r.5)?,
        explained_note: r.6,
        explained_by: r.7,
        explained_at: timefmt::opt_event(r.8)?,
    })
}

/// Stores a finding; returns its id.
pub fn add(conn: &Connection, f: &NewFinding) -> Result<i64> {
    conn.execute(
        "INSERT INTO findings (session_id, terminal_id, kind, details, found_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![f.session_id, f.terminal_id, f.kind, f.details.to_string(), timefmt::event_ts(f.found_at)],
    )?;
    Ok(conn.last_insert_rowid())
}

/// A finding by id.
pub fn get(conn: &Connection, id: i64) -> Result<Finding> {
    conn.query_row(&format!("{SELECT} WHERE id = ?1"), [id], row)
        .optional()?
        .map(finish)
        .transpose()?
        .ok_or_else(|| StoreError::NotFound {
            what: "finding",
            key: format!("#{id}"),
        })
}

/// Findings matching `f`, oldest first.
pub fn list(conn: &Connection, f: &FindingFilter) -> Result<Vec<Finding>> {
    let mut sql = format!("{SELECT} WHERE 1=1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(t) = f.terminal_id {
        args.push(Value::Integer(t));
        sql.push_str(&format!(" AND terminal_id = ?{}", args.len()));
    }
    if f.open_only {
        sql.push_str(" AND explained_at IS NULL");
    }
    sql.push_str(" ORDER BY found_at, id");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args), row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(finish).collect()
}

/// Marks a finding explained.
pub fn explain(conn: &Connection, id: i64, note: &str, by: &str, at: NaiveDateTime) -> Result<()> {
    let note = crate::validate::non_empty("explanation note", note)?;
    let n = conn.execute(
        "UPDATE findings SET explained_note = ?1, explained_by = ?2, explained_at = ?3 WHERE id = ?4",
        params![note, by, timefmt::event_ts(at), id],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound {
            what: "finding",
            key: format!("#{id}"),
        });
    }
    Ok(())
}
