//! CSV for `kaoqin punches list --format csv` and `kaoqin audit sessions --format csv`, written here
//! so the punches CSV is exactly what `import punches` reads back (`attlog::CSV_HEADER`), and the
//! sessions CSV has one row per session with everything a router log is compared against.
//!
//! Every cell goes through `kaoqin_domain::csv_safe::cell` (plain numbers stay, a formula-leading
//! text cell gets a leading `'`); `import punches` drops that quote again (`csv_safe::unquote`).
//!
//! Reads through the store's listing functions; must not write to the database.

use std::io::Write;

use kaoqin_domain::csv_safe;

use kaoqin_store::punches::{self, PunchFilter};
use kaoqin_store::rusqlite::Connection;
use kaoqin_store::sessions::{self, Session, SessionFilter};

use crate::attlog::CSV_HEADER;
use crate::checks::verify_mode_name;
use crate::error::SyncError;

fn csv_err(e: csv::Error) -> SyncError {
    SyncError::Io {
        path: "output".into(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Writes punches matching `filter` as CSV ([`CSV_HEADER`]: terminal serial, enrollment number,
/// local timestamp `YYYY-MM-DD HH:MM:SS`, verification mode (number), in/out state (number),
/// download session). Returns the number of rows.
pub fn write_punches_csv<W: Write>(
    conn: &Connection,
    filter: &PunchFilter,
    out: W,
) -> Result<u64, SyncError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER).map_err(csv_err)?;
    let mut n = 0u64;
    let mut failed: Option<csv::Error> = None;
    punches::for_each(conn, filter, |p| {
        if failed.is_some() {
            return;
        }
        let row = [
            p.terminal_serial,
            p.enrollment_no,
            p.ts.format(kaoqin_store::PUNCH_TS).to_string(),
            p.verify_mode.to_string(),
            p.in_out_state.to_string(),
            p.session_id.to_string(),
        ];
        match w.write_record(row.iter().map(|c| csv_safe::cell(c).into_owned())) {
            Ok(()) => n += 1,
            Err(e) => failed = Some(e),
        }
    })?;
    if let Some(e) = failed {
        return Err(csv_err(e));
    }
    w.flush().map_err(|e| SyncError::Io {
        path: "output".into(),
        source: e,
    })?;
    Ok(n)
}

/// A verification mode for people (`face`, `password`, …), for table output.
pub fn verify_mode_label(mode: i64) -> String {
    u8::try_from(mode)
        .map(verify_mode_name)
        .unwrap_or_else(|_| format!("mode {mode}"))
}

/// An in/out state for people, for table output.
pub fn state_label(state: i64) -> String {
    match state {
        0 => "in".into(),
        1 => "out".into(),
        2 => "break-out".into(),
        3 => "break-in".into(),
        4 => "overtime-in".into(),
        5 => "overtime-out".into(),
        255 => "-".into(),
        other => format!("state {other}"),
    }
}

/// The columns of the sessions CSV.
pub const SESSIONS_CSV_HEADER: [&str; 17] = [
    "session",
    "kind",
    "terminal",
    "actor",
    "role",
    "peer",
    "started_at",
    "ended_at",
    "duration_s",
    "commands",
    "records_read",
    "records_new",
    "records_already_stored",
    "result",
    "cut",
    "override_reason",
    "error",
];

/// `commands` as `name×count` separated by spaces (easier to read than JSON in a spreadsheet).
pub fn commands_text(commands: &serde_json::Value) -> String {
    match commands {
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}×{}", v.as_u64().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// One session as the CSV row.
pub fn session_row(s: &Session) -> [String; 17] {
    let ts = |t: chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S%.3f").to_string();
    [
        s.id.to_string(),
        s.kind.as_str().to_string(),
        s.terminal_name.clone(),
        s.actor.clone(),
        s.role.clone(),
        s.peer_addr.clone().unwrap_or_default(),
        ts(s.started_at),
        s.ended_at.map(ts).unwrap_or_default(),
        s.duration()
            .map(|d| format!("{:.3}", d.num_milliseconds() as f64 / 1000.0))
            .unwrap_or_default(),
        commands_text(&s.commands),
        s.records_read.to_string(),
        s.records_new.to_string(),
        s.records_dup.to_string(),
        s.result.as_str().to_string(),
        if s.cut { "yes".into() } else { "no".into() },
        s.override_reason.clone().unwrap_or_default(),
        s.error.clone().unwrap_or_default(),
    ]
}

/// Writes sessions matching `filter` as CSV ([`SESSIONS_CSV_HEADER`]). Returns the number of rows.
pub fn write_sessions_csv<W: Write>(
    conn: &Connection,
    filter: &SessionFilter,
    out: W,
) -> Result<u64, SyncError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(SESSIONS_CSV_HEADER).map_err(csv_err)?;
    let list = sessions::list(conn, filter)?;
    for s in &list {
        w.write_record(
            session_row(s)
                .iter()
                .map(|c| csv_safe::cell(c).into_owned()),
        )
        .map_err(csv_err)?;
    }
    w.flush().map_err(|e| SyncError::Io {
        path: "output".into(),
        source: e,
    })?;
    Ok(list.len() as u64)
}
