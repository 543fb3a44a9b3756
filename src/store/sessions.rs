//! Download sessions: one row per terminal connection (or USB import), with everything needed to lay it
//! beside a router's log. The session layer writes `start` and `finish` (usually in the same transaction
//! as the punches and the audit entry); this module does not decide any connection rule.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDateTime;
use kaoqin_domain::PunchOrigin;
use rusqlite::{Connection, OptionalExtension, params, types::Value};

use crate::error::{Result, StoreError};
use crate::role::Role;
use crate::timefmt;

/// What the session was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum SessionKind {
    /// Download of users and punches.
    Download,
    /// Import of an attlog.dat / CSV file (no connection).
    Import,
    /// Supervisor device administration (password, policy, clock).
    DeviceAdmin,
    /// Auditor's read-only snapshot.
    Snapshot,
}

impl SessionKind {
    /// "download" | "import" | "device-admin" | "snapshot".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Download => "download",
            Self::Import => "import",
            Self::DeviceAdmin => "device-admin",
            Self::Snapshot => "snapshot",
        }
    }
}

impl FromStr for SessionKind {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        [
            Self::Download,
            Self::Import,
            Self::DeviceAdmin,
            Self::Snapshot,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| StoreError::Invalid {
            field: "session kind",
            reason: format!("'{s}'"),
        })
    }
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum SessionResult {
    /// Started, not finished (or the process died).
    Running,
    Ok,
    Error,
    /// Stopped at the time limit.
    Cut,
    /// Refused by a connection rule before connecting.
    Refused,
    /// Its process died without recording the end; closed by the next start that found it
    /// (`kaoqin_sync::session::recover_interrupted`).
    Interrupted,
}

impl SessionResult {
    /// "running" | "ok" | "error" | "cut" | "refused" | "interrupted".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Ok => "ok",
            Self::Error => "error",
            Self::Cut => "cut",
            Self::Refused => "refused",
            Self::Interrupted => "interrupted",
        }
    }
}

impl fmt::Display for SessionResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SessionResult {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        [
            Self::Running,
            Self::Ok,
            Self::Error,
            Self::Cut,
            Self::Refused,
            Self::Interrupted,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| StoreError::Invalid {
            field: "session result",
            reason: format!("'{s}'"),
        })
    }
}

/// What is known when a session starts.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub kind: SessionKind,
    pub terminal_id: Option<i64>,
    /// Kept even if the terminal is later removed.
    pub terminal_name: String,
    pub actor: String,
    pub role: Role,
    pub peer_addr: Option<String>,
    pub started_at: NaiveDateTime,
    pub override_reason: Option<String>,
}

/// What is known when it ends.
#[derive(Debug, Clone)]
pub struct SessionEnd {
    pub ended_at: NaiveDateTime,
    /// Commands sent, e.g. `{"CMD_CONNECT":1,"CMD_ATTLOG_RRQ":1}`.
    pub commands: serde_json::Value,
    pub records_read: u64,
    pub records_new: u64,
    pub records_dup: u64,
    pub result: SessionResult,
    pub error: Option<String>,
    pub cut: bool,
    /// Terminal clock minus PC clock, seconds.
    pub clock_skew_secs: Option<i64>,
}

/// A stored session.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Session {
    pub id: i64,
    pub kind: SessionKind,
    pub terminal_id: Option<i64>,
    pub terminal_name: String,
    pub actor: String,
    pub role: String,
    pub peer_addr: Option<String>,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub commands: serde_json::Value,
    pub records_read: u64,
    pub records_new: u64,
    pub records_dup: u64,
    pub result: SessionResult,
    pub error: Option<String>,
    pub override_reason: Option<String>,
    pub cut: bool,
    pub clock_skew_secs: Option<i64>,
}

impl Session {
    /// Ended minus started, if ended.
    pub fn duration(&self) -> Option<chrono::Duration> {
        self.ended_at.map(|e| e - self.started_at)
    }
}

/// Listing filter: `from` inclusive, `to` exclusive, on `started_at`.
#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    pub terminal_name: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

const SELECT: &str = "SELECT id, kind, terminal_id, terminal_name, actor, role, peer_addr, started_at, ended_at,
    commands, records_read, records_new, records_dup, result, error, override_reason, cut, clock_skew_secs
    FROM download_sessions";

type Raw = (Session, String, String, Option<String>, String, String);

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        Session {
            id: r.get(0)?,
            kind: SessionKind::Download,
            terminal_id: r.get(2)?,
            terminal_name: r.get(3)?,
            actor: r.get(4)?,
            role: r.get(5)?,
            peer_addr: r.get(6)?,
            started_at: NaiveDateTime::default(),
            ended_at: None,
            commands: serde_json::Value::Null,
            records_read: crate::timefmt::to_u64(r.get(10)?),
            records_new: crate::timefmt::to_u64(r.get(11)?),
            records_dup: crate::timefmt::to_u64(r.get(12)?),
            result: SessionResult::Running,
            error: r.get(14)?,
            override_reason: r.get(15)?,
            cut: r.get(16)?,
            clock_skew_secs: r.get(17)?,
        },
        r.get(1)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(13)?,
    ))
}

fn finish_row((mut s, kind, started, ended, commands, result): Raw) -> Result<Session> {
    s.kind = kind.parse()?;
    s.started_at = timefmt::parse_event_ts(&started)?;
    s.ended_at = timefmt::opt_event(ended)?;
    s.commands = serde_json::from_str(&commands).unwrap_or(serde_json::Value::String(commands));
    s.result = result.parse()?;
    Ok(s)
}

/// Records the start of a session; returns its id (punches reference it).
pub fn start(conn: &Connection, s: &NewSession) -> Result<i64> {
    conn.execute(
        "INSERT INTO download_sessions (kind, terminal_id, terminal_name, actor, role, peer_addr, started_at,
             override_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            s.kind.as_str(),
            s.terminal_id,
            s.terminal_name,
            s.actor,
            s.role.as_str(),
            s.peer_addr,
            timefmt::event_ts(s.started_at),
            s.override_reason
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Records the end of session `id`.
pub fn finish(conn: &Connection, id: i64, e: &SessionEnd) -> Result<()> {
    let n = conn.execute(
        "UPDATE download_sessions SET ended_at = ?1, commands = ?2, records_read = ?3, records_new = ?4,
             records_dup = ?5, result = ?6, error = ?7, cut = ?8, clock_skew_secs = ?9 WHERE id = ?10",
        params![
            timefmt::event_ts(e.ended_at),
            e.commands.to_string(),
            crate::timefmt::to_i64(e.records_read),
            crate::timefmt::to_i64(e.records_new),
            crate::timefmt::to_i64(e.records_dup),
            e.result.as_str(),
            e.error,
            e.cut,
            e.clock_skew_secs,
            id
        ],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound {
            what: "download session",
            key: format!("#{id}"),
        });
    }
    Ok(())
}

/// A session by id.
pub fn get(conn: &Connection, id: i64) -> Result<Session> {
    conn.query_row(&format!("{SELECT} WHERE id = ?1"), [id], row)
        .optional()?
        .map(finish_row)
        .transpose()?
        .ok_or_else(|| StoreError::NotFound {
            what: "download session",
            key: format!("#{id}"),
        })
}

/// Sessions matching `f`, oldest first.
pub fn list(conn: &Connection, f: &SessionFilter) -> Result<Vec<Session>> {
    let mut sql = format!("{SELECT} WHERE 1=1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(t) = &f.terminal_name {
        args.push(Value::Text(t.clone()));
        sql.push_str(&format!(" AND terminal_name = ?{}", args.len()));
    }
    if let Some(t) = f.from {
        args.push(Value::Text(timefmt::event_ts(t)));
        sql.push_str(&format!(" AND started_at >= ?{}", args.len()));
    }
    if let Some(t) = f.to {
        args.push(Value::Text(timefmt::event_ts(t)));
        sql.push_str(&format!(" AND started_at < ?{}", args.len()));
    }
    sql.push_str(" ORDER BY started_at, id");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args), row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(finish_row).collect()
}

/// The latest session that actually connected to the terminal (anything but `refused` and `import`),
/// for the spacing rule.
pub fn last_connection(conn: &Connection, terminal_id: i64) -> Result<Option<Session>> {
    conn.query_row(
        &format!(
            "{SELECT} WHERE terminal_id = ?1 AND result <> 'refused' AND kind <> 'import'
             ORDER BY started_at DESC, id DESC LIMIT 1"
        ),
        [terminal_id],
        row,
    )
    .optional()?
    .map(finish_row)
    .transpose()
}

/// The sessions of a terminal that recorded a start but no end (`running`), oldest first: still
/// running in some process, or left behind by one that died.
pub fn running(conn: &Connection, terminal_id: i64) -> Result<Vec<Session>> {
    let mut stmt = conn.prepare(&format!(
        "{SELECT} WHERE terminal_id = ?1 AND result = 'running' AND ended_at IS NULL ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([terminal_id], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(finish_row).collect()
}

/// Closes a `running` session as [`SessionResult::Interrupted`] (end time, reason, commands of the
/// recovery). Returns false, changing nothing, if it is no longer running (another process closed
/// it first).
pub fn finish_interrupted(
    conn: &Connection,
    id: i64,
    ended_at: NaiveDateTime,
    commands: &serde_json::Value,
    error: &str,
) -> Result<bool> {
    let n = conn.execute(
        "UPDATE download_sessions SET ended_at = ?1, commands = ?2, result = ?3, error = ?4
         WHERE id = ?5 AND result = 'running' AND ended_at IS NULL",
        params![
            timefmt::event_ts(ended_at),
            commands.to_string(),
            SessionResult::Interrupted.as_str(),
            error,
            id
        ],
    )?;
    Ok(n == 1)
}

/// Records which file an import session read: `"attlog"` (the terminal's own `attlog.dat`) or
/// `"csv"` (Kaoqin's punches CSV). The punches of the session take their origin from it.
pub fn set_file_format(conn: &Connection, id: i64, format: &str) -> Result<()> {
    if !matches!(format, "attlog" | "csv") {
        return Err(StoreError::Invalid {
            field: "import file format",
            reason: format!("'{format}'; expected attlog or csv"),
        });
    }
    let n = conn.execute(
        "UPDATE download_sessions SET file_format = ?1 WHERE id = ?2 AND kind = 'import'",
        params![format, id],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound {
            what: "import session",
            key: format!("#{id}"),
        });
    }
    Ok(())
}

/// The origin of the punches a session stored, from its kind and file format (`None` for a session
/// that cannot store punches, or an import whose file is not known).
pub fn origin_of(kind: &str, file_format: Option<&str>) -> Option<PunchOrigin> {
    match (kind, file_format) {
        ("download", _) => Some(PunchOrigin::Download),
        ("import", Some("attlog")) => Some(PunchOrigin::UsbImport),
        ("import", Some("csv")) => Some(PunchOrigin::CsvImport),
        _ => None,
    }
}

/// The origin of the punches of every session that stored some (session id → origin), for readers
/// that walk the ledger without joining (month runs, reports).
pub fn punch_origins(conn: &Connection) -> Result<HashMap<i64, PunchOrigin>> {
    let mut stmt = conn.prepare(
        "SELECT id, kind, file_format FROM download_sessions WHERE kind IN ('download', 'import')",
    )?;
    let mut rows = stmt.query([])?;
    let mut map = HashMap::new();
    while let Some(r) = rows.next()? {
        let kind: String = r.get(1)?;
        let format: Option<String> = r.get(2)?;
        if let Some(o) = origin_of(&kind, format.as_deref()) {
            map.insert(r.get::<_, i64>(0)?, o);
        }
    }
    Ok(map)
}
