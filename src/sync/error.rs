//! The errors of the sync services, worded for the clerk or supervisor who reads them.
//! Must not hide the session id of a session that was recorded: the audit trail starts there.

use kaoqin_store::StoreError;

use crate::attlog::LineError;
use crate::link::LinkError;
use crate::policy::PolicyError;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The connection rules refused (recorded as a `refused` session).
    #[error("{0}")]
    Policy(#[from] PolicyError),
    /// The hard time limit cut the session; nothing from it was stored.
    #[error("session #{session_id}: {message}")]
    Cut { session_id: i64, message: String },
    #[error("session #{session_id}: cancelled; nothing was stored")]
    Cancelled { session_id: i64 },
    /// The terminal failed (unreachable, timed out, dropped the connection, …); nothing stored.
    #[error("session #{session_id}: {message}")]
    Terminal { session_id: i64, message: String },
    /// A link error outside a recorded session (e.g. building the connector).
    #[error("{0}")]
    Link(#[from] LinkError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Invalid(String),
    /// Lines of an imported file carry a terminal serial that no registered terminal has; nothing
    /// of the file was stored.
    #[error("{}", unregistered_message(file, serials, lines))]
    Unregistered {
        file: String,
        serials: Vec<String>,
        lines: Vec<LineError>,
    },
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// At most this many lines are named in the message (the error keeps them all).
const NAMED_LINES: usize = 20;

fn unregistered_message(file: &str, serials: &[String], lines: &[LineError]) -> String {
    let mut m = format!(
        "{file}: {} line(s) carry a terminal serial that is not a registered terminal ({}); \
         nothing was imported:",
        lines.len(),
        serials.join(", ")
    );
    for l in lines.iter().take(NAMED_LINES) {
        m.push_str(&format!("\n  {l}"));
    }
    if lines.len() > NAMED_LINES {
        m.push_str(&format!("\n  … and {} more", lines.len() - NAMED_LINES));
    }
    m.push_str(
        "\nRegister the terminal first (kaoqin terminal add NAME … --serial SERIAL), or correct the \
         file; a supervisor may import it anyway with --allow-unregistered (the punches are then \
         stored with a finding).",
    );
    m
}

impl From<kaoqin_store::rusqlite::Error> for SyncError {
    fn from(e: kaoqin_store::rusqlite::Error) -> Self {
        SyncError::Store(StoreError::from(e))
    }
}

impl SyncError {
    /// The recorded session this error belongs to, if any.
    pub fn session_id(&self) -> Option<i64> {
        match self {
            SyncError::Cut { session_id, .. }
            | SyncError::Cancelled { session_id }
            | SyncError::Terminal { session_id, .. } => Some(*session_id),
            _ => None,
        }
    }
}
