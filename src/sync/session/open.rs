//! Opening a session: the end of the terminal's previous connection, the connection rules'
//! decision (with an override only for the actor it was granted to), a refusal recorded as a
//! `refused` session with its audit entry, and otherwise the `running` row, its audit entry and
//! the process's lease, committed before any byte goes to the terminal.
//!
//! Must not connect: a refused attempt never reaches the terminal, and a started one is visible in
//! the database even if the process dies right after.

use std::sync::Arc;

use chrono::NaiveDateTime;
use kaoqin_store::rusqlite::Connection;
use kaoqin_store::sessions::{self, NewSession, SessionEnd, SessionResult};
use kaoqin_store::{Store, audit};
use serde_json::json;
use tokio::time::Instant;

use super::SupervisedSession;
use super::progress::SessionIo;
use super::spec::{Clock, SessionSpec};
use crate::error::SyncError;
use crate::grant::RulesOverride;
use crate::policy::{self, ConnectionRules, Decision, PolicyError};

/// The end of the terminal's previous connection, for the spacing rule, and whether that session
/// never recorded its end: such a session (still running in another process, or its process died)
/// is taken to last its whole time limit.
pub fn last_connection_end(
    conn: &Connection,
    terminal_id: i64,
    rules: &ConnectionRules,
) -> Result<Option<(NaiveDateTime, bool)>, SyncError> {
    Ok(
        sessions::last_connection(conn, terminal_id)?.map(|s| match s.ended_at {
            Some(end) => (end, false),
            None => (s.started_at + rules.time_limit(), true),
        }),
    )
}

fn mark_unfinished(e: PolicyError) -> PolicyError {
    let mark = |mut r: policy::Refusal| {
        if let policy::Rule::Spacing {
            previous_unfinished,
            ..
        } = &mut r.rule
        {
            *previous_unfinished = true;
        }
        r
    };
    match e {
        PolicyError::Refused(r) => PolicyError::Refused(mark(r)),
        PolicyError::OverrideWithoutReason(r) => PolicyError::OverrideWithoutReason(mark(r)),
    }
}

impl SupervisedSession {
    /// Checks the rules and records the session start. A refusal (rule, or an override the actor
    /// may not give) is recorded as a `refused` session with its audit entry, and returned.
    pub fn open(
        store: &mut Store,
        spec: SessionSpec,
        clock: Arc<dyn Clock>,
        io: SessionIo,
        peer: String,
    ) -> Result<SupervisedSession, SyncError> {
        let now = clock.now();
        // The hard limit counts from the recorded start, so the row never shows a longer session.
        let started = Instant::now();
        let decision = decide_rules(store, &spec, &peer, now)?;
        let (session_id, lease) = record_start(store, &spec, &peer, now, &decision)?;
        Ok(SupervisedSession {
            spec,
            clock,
            io,
            session_id,
            started_at: now,
            started,
            decision,
            peer,
            _lease: lease,
        })
    }
}

/// The rules' decision at `now`; a refusal is recorded (row + audit) before it is returned. An
/// override is refused outright when it was granted to someone else.
fn decide_rules(
    store: &mut Store,
    spec: &SessionSpec,
    peer: &str,
    now: NaiveDateTime,
) -> Result<Decision, SyncError> {
    let last = last_connection_end(store.conn(), spec.terminal.id, &spec.rules)?;
    let last_end = last.map(|(end, _)| end);
    let unfinished = last.is_some_and(|(_, u)| u);
    if let Some(o) = &spec.rules_override
        && o.granted_to() != spec.actor.name
    {
        return Err(SyncError::Invalid(format!(
            "the override was granted to '{}', not to '{}' who runs the session",
            o.granted_to(),
            spec.actor.name
        )));
    }
    let reason = spec.rules_override.as_ref().map(RulesOverride::reason);
    match policy::decide(&spec.rules, last_end, now, reason) {
        Ok(d) => Ok(d),
        Err(e) => {
            let e = if unfinished { mark_unfinished(e) } else { e };
            record_refusal(store, spec, peer, now, &e)?;
            Err(SyncError::Policy(e))
        }
    }
}

/// The `running` row and its `<kind>.start` audit entry in one transaction, with the lease taken
/// before the commit. Returns the session id and the lease (none if the lock file failed).
fn record_start(
    store: &mut Store,
    spec: &SessionSpec,
    peer: &str,
    now: NaiveDateTime,
    decision: &Decision,
) -> Result<(i64, Option<crate::lease::Lease>), SyncError> {
    let db_path = store.path().to_path_buf();
    let tx = store.transaction()?;
    let override_reason = match decision {
        Decision::Overridden { reason, .. } => Some(reason.clone()),
        Decision::Allowed => None,
    };
    let session_id = sessions::start(
        &tx,
        &NewSession {
            kind: spec.kind,
            terminal_id: Some(spec.terminal.id),
            terminal_name: spec.terminal.name.clone(),
            actor: spec.actor.name.clone(),
            role: spec.actor.role,
            peer_addr: Some(peer.to_string()),
            started_at: now,
            override_reason,
        },
    )?;
    let mut details = json!({
        "session": session_id,
        "peer": peer,
        "time_limit_secs": spec.rules.time_limit_secs,
    });
    if let Decision::Overridden { refusal, reason } = decision {
        details["override"] = json!({
            "rule": refusal.rule.name(),
            "refusal": refusal.to_string(),
            "reason": reason,
        });
    }
    audit::append(
        &tx,
        audit::NewEntry {
            at: now,
            actor: spec.actor.name.clone(),
            role: Some(spec.actor.role),
            action: format!("{}.start", spec.kind.as_str()),
            target: spec.terminal.name.clone(),
            details,
        },
    )?;
    // The lease is locked before the row becomes visible, so a `running` row of this version
    // whose lease is unlocked can only belong to a process that is gone.
    let lease = match crate::lease::take(&db_path, session_id, now) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(
                session = session_id,
                "no lease for the session ({e}); if this process dies, the next start \
                 waits for its time limit before closing it"
            );
            None
        }
    };
    tx.commit()?;
    Ok((session_id, lease))
}

/// A refused attempt: a `refused` session row (not a connection: the spacing rule ignores it) and
/// its audit entry, in one transaction.
fn record_refusal(
    store: &mut Store,
    spec: &SessionSpec,
    peer: &str,
    now: NaiveDateTime,
    e: &PolicyError,
) -> Result<(), SyncError> {
    let (rule, earliest) = match e {
        PolicyError::Refused(r) | PolicyError::OverrideWithoutReason(r) => {
            (r.rule.name(), r.earliest_allowed_at)
        }
    };
    let tx = store.transaction()?;
    let id = sessions::start(
        &tx,
        &NewSession {
            kind: spec.kind,
            terminal_id: Some(spec.terminal.id),
            terminal_name: spec.terminal.name.clone(),
            actor: spec.actor.name.clone(),
            role: spec.actor.role,
            peer_addr: Some(peer.to_string()),
            started_at: now,
            override_reason: spec.rules_override.as_ref().map(|o| o.reason().to_string()),
        },
    )?;
    sessions::finish(
        &tx,
        id,
        &SessionEnd {
            ended_at: now,
            commands: json!({}),
            records_read: 0,
            records_new: 0,
            records_dup: 0,
            result: SessionResult::Refused,
            error: Some(e.to_string()),
            cut: false,
            clock_skew_secs: None,
        },
    )?;
    audit::append(
        &tx,
        audit::NewEntry {
            at: now,
            actor: spec.actor.name.clone(),
            role: Some(spec.actor.role),
            action: format!("{}.refused", spec.kind.as_str()),
            target: spec.terminal.name.clone(),
            details: json!({
                "session": id,
                "rule": rule,
                "earliest_allowed_at": earliest.format("%Y-%m-%d %H:%M:%S").to_string(),
                "message": e.to_string(),
                "override_requested": spec.rules_override.is_some(),
            }),
        },
    )?;
    tx.commit()?;
    Ok(())
}
