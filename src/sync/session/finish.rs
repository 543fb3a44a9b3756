//! Finishing a session that ran: the session row's end, the terminal's health and the audit entry.
//! A success is finished inside the caller's transaction, beside its effect ([`RecordCounts`] for
//! the row); a failure after `run` (storing failed) and a failed, cut or cancelled run each in
//! their own transaction.
//!
//! Must not commit the caller's transaction (all or nothing is the caller's), and must not mark the
//! terminal unhealthy for a failure that was ours, not the terminal's.

use kaoqin_store::rusqlite::Connection;
use kaoqin_store::sessions::{self, SessionEnd, SessionResult};
use kaoqin_store::{Store, audit, terminals};
use serde::Serialize;
use serde_json::json;

use super::SupervisedSession;
use super::run::Completed;
use crate::error::SyncError;

/// Counts for the session row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RecordCounts {
    pub read: u64,
    pub new: u64,
    pub already_stored: u64,
}

impl SupervisedSession {
    /// Finishes a successful session inside the caller's transaction (with its effect): session row,
    /// terminal health (success), audit entry with `details` merged in.
    pub fn finish_ok<T>(
        &self,
        conn: &Connection,
        completed: &Completed<T>,
        counts: RecordCounts,
        extra: serde_json::Value,
    ) -> Result<(), SyncError> {
        let warnings = completed.cleanup_warnings.join("; ");
        let end = SessionEnd {
            ended_at: completed.ended_at,
            commands: completed.commands_json(),
            records_read: counts.read,
            records_new: counts.new,
            records_dup: counts.already_stored,
            result: SessionResult::Ok,
            error: (!warnings.is_empty()).then_some(warnings),
            cut: false,
            clock_skew_secs: completed.clock.map(|c| c.skew_secs()),
        };
        sessions::finish(conn, self.session_id, &end)?;
        terminals::record_contact_ok(conn, self.spec.terminal.id, completed.ended_at)?;
        let mut details = json!({
            "session": self.session_id,
            "peer": completed.peer,
            "result": "ok",
            "records_read": counts.read,
            "records_new": counts.new,
            "records_already_stored": counts.already_stored,
            "commands": completed.commands,
            "duration_ms": u64::try_from(completed.duration.as_millis()).unwrap_or(u64::MAX),
            "clock_skew_secs": completed.clock.map(|c| c.skew_secs()),
        });
        if let (Some(obj), serde_json::Value::Object(more)) = (details.as_object_mut(), extra) {
            obj.extend(more);
        }
        audit::append(
            conn,
            audit::NewEntry {
                at: completed.ended_at,
                actor: self.spec.actor.name.clone(),
                role: Some(self.spec.actor.role),
                action: self.spec.kind.as_str().to_string(),
                target: self.spec.terminal.name.clone(),
                details,
            },
        )?;
        Ok(())
    }

    /// Finishes the session as failed after `run` succeeded but storing did not (e.g. a database
    /// error): own transaction, nothing from the batch.
    pub fn finish_failed_after_run<T>(
        &self,
        store: &mut Store,
        completed: &Completed<T>,
        error: &str,
    ) -> Result<(), SyncError> {
        let message = format!("storing failed, nothing was stored: {error}");
        let end = SessionEnd {
            ended_at: completed.ended_at,
            commands: completed.commands_json(),
            records_read: 0,
            records_new: 0,
            records_dup: 0,
            result: SessionResult::Error,
            error: Some(message.clone()),
            cut: false,
            clock_skew_secs: completed.clock.map(|c| c.skew_secs()),
        };
        let details = json!({
            "session": self.session_id,
            "peer": completed.peer,
            "result": "error",
            "error": message,
            "commands": completed.commands,
        });
        // The terminal answered; the failure is ours, so its health is not touched.
        self.record_end_inner(store, &end, details, None)
    }

    pub(super) fn record_end(
        &self,
        store: &mut Store,
        end: &SessionEnd,
        details: serde_json::Value,
        health_error: Option<&str>,
    ) -> Result<(), SyncError> {
        self.record_end_inner(store, end, details, health_error)
    }

    fn record_end_inner(
        &self,
        store: &mut Store,
        end: &SessionEnd,
        details: serde_json::Value,
        health_error: Option<&str>,
    ) -> Result<(), SyncError> {
        let tx = store.transaction()?;
        sessions::finish(&tx, self.session_id, end)?;
        if let Some(err) = health_error {
            terminals::record_contact_error(&tx, self.spec.terminal.id, end.ended_at, err)?;
        }
        audit::append(
            &tx,
            audit::NewEntry {
                at: end.ended_at,
                actor: self.spec.actor.name.clone(),
                role: Some(self.spec.actor.role),
                action: self.spec.kind.as_str().to_string(),
                target: self.spec.terminal.name.clone(),
                details,
            },
        )?;
        tx.commit()?;
        Ok(())
    }
}
