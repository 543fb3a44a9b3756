//! Recovery of a supervised session whose process died (SIGKILL, power cut): the abandoned
//! `running` row is closed as interrupted and the terminal enabled again at once.
//!
//! Must not open ordinary sessions (that is `session/`) nor store punches.

use std::collections::BTreeMap;
use std::time::Duration;

use kaoqin_store::sessions;
use kaoqin_store::terminals::Terminal;
use kaoqin_store::{Store, audit};
use serde::Serialize;
use serde_json::json;

use crate::error::SyncError;
use crate::link::{Connector, TerminalLink};
use crate::policy::ConnectionRules;
use crate::session::{Actor, Clock, cleanup_budget};

/// What [`recover_interrupted`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Recovery {
    /// The sessions closed as `interrupted`.
    pub sessions: Vec<i64>,
    /// Whether the terminal answered ENABLE_DEVICE (None: not tried, no session was found).
    pub enabled: Option<bool>,
    /// Why enabling failed, if it did.
    pub enable_error: Option<String>,
}

/// Closes the terminal's `running` sessions whose process is gone, and enables the terminal at
/// once. Called at the start of every supervised connection (a download from the CLI or the GUI,
/// device administration), before its rules are checked.
///
/// A session is abandoned when its lease is no longer locked ([`crate::lease`]: the OS released
/// it when the process died), or, for a row without a lease, when its time limit has passed.
///
/// The killed process may have left the terminal disabled (DISABLEDEVICE during a transfer: it
/// shows "工作中" and takes no punches until its auto-enable timeout). docs/domain.md §2.3 counts
/// exactly that — a terminal people could not punch on — as the harm the connection rules exist
/// to prevent, and ARCHITECTURE.md ("enable-on-every-path") and docs/terminal-protocols.md §2 ("always
/// ENABLEDEVICE in a `finally`") make the enable part of every session's exit path. So the enable
/// sent here is the interrupted session's own missing clean-up, not a new connection: one short
/// connection (connect, ENABLE_DEVICE, disconnect; the cleanup budget of the time limit, at most
/// 5 s) sent whatever the peak and spacing rules say, recorded in that session's row (its
/// commands) and audit entry, with its time, so it can be set beside the router log. The
/// session's end is then the end of this clean-up, but never later than its start plus the time
/// limit (nothing can have lasted longer; the terminal re-enabled itself by then): the spacing
/// rule counts the next connection from there.
///
/// The row, and the audit entry `<kind>.interrupted`, are written in one transaction after the
/// enable, so a process killed during the recovery leaves the session to the next start. An
/// auditor's read-only connection cannot change a session: nothing is done for it.
pub async fn recover_interrupted<C: Connector>(
    store: &mut Store,
    connector: &C,
    actor: &Actor,
    terminal: &Terminal,
    rules: &ConnectionRules,
    clock: &dyn Clock,
) -> Result<Recovery, SyncError> {
    if store.is_auditor() {
        return Ok(Recovery::default());
    }
    let limit = rules.time_limit();
    let found_at = clock.now();
    let stale: Vec<(sessions::Session, &str)> = sessions::running(store.conn(), terminal.id)?
        .into_iter()
        .filter_map(|s| match crate::lease::owner(store, s.id) {
            crate::lease::Owner::Alive => None,
            crate::lease::Owner::Gone => Some((s, "its process is gone (lease no longer held)")),
            crate::lease::Owner::Unknown => (s.started_at + limit <= found_at)
                .then_some((s, "no lease, and its time limit has passed")),
        })
        .collect();
    if stale.is_empty() {
        return Ok(Recovery::default());
    }

    // One short connection that only enables the terminal.
    let budget = cleanup_budget(Duration::from_secs(
        u64::try_from(limit.num_seconds()).unwrap_or(0),
    ))
    .max(Duration::from_secs(1));
    let mut commands: BTreeMap<String, u64> = BTreeMap::new();
    let mut peer = connector.peer();
    let attempt = tokio::time::timeout(budget, async {
        *commands.entry("connect".into()).or_insert(0) += 1;
        let mut link = connector.connect().await?;
        peer = link.peer();
        *commands.entry("enable_device".into()).or_insert(0) += 1;
        let enabled = link.enable().await;
        *commands.entry("disconnect".into()).or_insert(0) += 1;
        let _ = link.disconnect().await;
        enabled
    })
    .await;
    let enable_error = match attempt {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(format!("enabling the terminal failed: {e}")),
        Err(_) => Some(format!(
            "the terminal did not answer within {budget:?}; it re-enables itself when its \
             auto-enable timeout expires"
        )),
    };
    let enabled = enable_error.is_none();
    let recovered_at = clock.now();

    let tx = store.transaction()?;
    let mut closed = Vec::new();
    for (s, why) in &stale {
        let ended_at = recovered_at.min(s.started_at + limit);
        let message = format!(
            "interrupted: the program running this session ended without recording its end \
             (found by {} at {}); nothing from it was stored; {}",
            actor.name,
            found_at.format("%Y-%m-%d %H:%M:%S"),
            match &enable_error {
                None => "the terminal was enabled again".to_string(),
                Some(e) => e.clone(),
            }
        );
        let mut session_commands = s.commands.clone();
        session_commands["recovery"] = json!(commands);
        if !sessions::finish_interrupted(&tx, s.id, ended_at, &session_commands, &message)? {
            continue; // another process closed it first
        }
        audit::append(
            &tx,
            audit::NewEntry {
                at: recovered_at,
                actor: actor.name.clone(),
                role: Some(actor.role),
                action: format!("{}.interrupted", s.kind.as_str()),
                target: terminal.name.clone(),
                details: json!({
                    "session": s.id,
                    "started_at": s.started_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                    "recorded_end": ended_at.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
                    "found_at": found_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                    "owner": why,
                    "peer": peer,
                    "recovery_commands": commands,
                    "terminal_reenabled": enabled,
                    "error": enable_error,
                }),
            },
        )?;
        closed.push(s.id);
    }
    tx.commit()?;
    for id in &closed {
        crate::lease::remove(store, *id);
    }
    Ok(Recovery {
        sessions: closed,
        enabled: Some(enabled),
        enable_error,
    })
}
