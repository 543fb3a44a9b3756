//! Taking a snapshot: the connection rules are checked like any connection (an auditor cannot
//! override), the terminal is read through the read-only [`AuditorConnector`] within the hard time
//! limit, the signed file is written, and then ONE transaction stores the auditor's public key (on
//! first use), the snapshot row and its audit entry — nothing else, which the auditor's
//! authorizer-restricted connection allows. A refusal or failure is audited too.
//!
//! Must not disable the terminal (the staff keep punching) nor write to it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDateTime;
use ed25519_dalek::SigningKey;
use kaoqin_store::terminals::Terminal;
use kaoqin_store::{Store, audit, snapshots};
use serde::Serialize;
use serde_json::{Value, json};

use super::file::{self, ClockInfo, DeviceInfo, PunchRow, SnapshotData, UserRow};
use crate::error::SyncError;
use crate::grant::{Grant, TakeSnapshot};
use crate::link::{CancellationToken, Connector, LinkError, TerminalLink};
use crate::policy::{self, ConnectionRules};
use crate::readonly::AuditorConnector;
use crate::session::{Actor, Clock, last_connection_end};

/// What a snapshot holds and where it went.
#[derive(Debug, Clone, Serialize)]
pub struct TakeReport {
    pub snapshot_id: i64,
    pub path: PathBuf,
    pub whole_sha256: String,
    pub public_key: String,
    pub records: usize,
    pub users: usize,
    pub clock_skew_secs: i64,
    pub duration_ms: u64,
}

fn audit_entry(
    actor: &Actor,
    at: NaiveDateTime,
    action: &str,
    target: &str,
    details: Value,
) -> audit::NewEntry {
    audit::NewEntry {
        at,
        actor: actor.name.clone(),
        role: Some(actor.role),
        action: action.into(),
        target: target.into(),
        details,
    }
}

/// Takes a snapshot of `terminal` into `out` (must not exist), signed with `key`.
#[allow(clippy::too_many_arguments)]
pub async fn take_snapshot(
    store: &mut Store,
    grant: &dyn Grant<TakeSnapshot>,
    terminal: &Terminal,
    connector: &AuditorConnector,
    rules: &ConnectionRules,
    clock: Arc<dyn Clock>,
    key: &SigningKey,
    out: &Path,
) -> Result<TakeReport, SyncError> {
    let actor = grant.actor();
    if out.exists() {
        return Err(SyncError::Invalid(format!(
            "{} already exists; choose a new file name (snapshots are never overwritten)",
            out.display()
        )));
    }
    let taking = Taking {
        actor,
        terminal,
        started: clock.now(),
    };
    check_rules(store, &taking, rules)?;
    let (data, duration_ms) =
        read_within_limit(store, &taking, connector, rules, clock.as_ref()).await?;

    let started = taking.started;
    let head = kaoqin_store::evidence::Anchor::of(store.conn(), started, "snapshot.take")?;
    let sealed = file::write_anchored(out, &data, &actor.name, started, key, Some(head))?;
    let snapshot_id = match record_snapshot(store, &taking, out, &sealed, &data, duration_ms) {
        Ok(id) => id,
        Err(e) => {
            // Keep no unrecorded file behind: a snapshot exists only with its audit entry.
            let _ = std::fs::remove_file(out);
            return Err(e);
        }
    };
    Ok(TakeReport {
        snapshot_id,
        path: out.to_path_buf(),
        whole_sha256: sealed.manifest.whole_sha256,
        public_key: sealed.manifest.public_key,
        records: data.log.len(),
        users: data.users.len(),
        clock_skew_secs: data.clock.skew_secs(),
        duration_ms,
    })
}

/// Who takes the snapshot of which terminal, and when it started (the time of the rules' check,
/// the file, the row and the audit entries).
struct Taking<'a> {
    actor: &'a Actor,
    terminal: &'a Terminal,
    started: NaiveDateTime,
}

/// The connection rules at the start, with no override (an auditor cannot give one); a refusal is
/// audited before it is returned.
fn check_rules(
    store: &Store,
    taking: &Taking<'_>,
    rules: &ConnectionRules,
) -> Result<(), SyncError> {
    let (terminal, started) = (taking.terminal, taking.started);
    // The spacing rule counts downloads, device sessions and earlier snapshots alike.
    let last_session = last_connection_end(store.conn(), terminal.id, rules)?.map(|(end, _)| end);
    let last_snapshot = snapshots::list(store.conn(), Some(&terminal.name))?
        .last()
        .map(|s| s.taken_at);
    let last_end = last_session.max(last_snapshot);
    if let Err(e) = policy::decide(rules, last_end, started, None) {
        audit::append(
            store.conn(),
            audit_entry(
                taking.actor,
                started,
                "snapshot.refused",
                &terminal.name,
                json!({ "reason": e.to_string() }),
            ),
        )?;
        return Err(e.into());
    }
    Ok(())
}

/// Reads the terminal within the hard time limit; returns what was read and how long it took. A
/// failure or a cut is audited and nothing is written.
async fn read_within_limit(
    store: &mut Store,
    taking: &Taking<'_>,
    connector: &AuditorConnector,
    rules: &ConnectionRules,
    clock: &dyn Clock,
) -> Result<(SnapshotData, u64), SyncError> {
    let terminal = taking.terminal;
    let t0 = std::time::Instant::now();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(u64::from(rules.time_limit_secs)),
        read_terminal(connector, clock, terminal),
    )
    .await;
    let data = match read {
        Ok(Ok(d)) => d,
        failed => {
            let message = match failed {
                Ok(Err(e)) => format!("the terminal failed: {e}; no snapshot was written"),
                _ => format!(
                    "cut at the time limit of {} s; no snapshot was written",
                    rules.time_limit_secs
                ),
            };
            audit::append(
                store.conn(),
                audit_entry(
                    taking.actor,
                    clock.now(),
                    "snapshot.failed",
                    &terminal.name,
                    json!({ "peer": connector.peer(), "error": message }),
                ),
            )?;
            return Err(SyncError::Invalid(format!(
                "snapshot of '{}': {message}",
                terminal.name
            )));
        }
    };
    let duration_ms = u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok((data, duration_ms))
}

/// ONE transaction: the auditor's public key (on first use), the snapshot row and its audit entry.
/// Returns the snapshot's id.
fn record_snapshot(
    store: &mut Store,
    taking: &Taking<'_>,
    out: &Path,
    sealed: &file::Sealed,
    data: &SnapshotData,
    duration_ms: u64,
) -> Result<i64, SyncError> {
    let (actor, terminal, started) = (taking.actor, taking.terminal, taking.started);
    let tx = store.transaction()?;
    snapshots::register_auditor_key(&tx, &actor.name, &sealed.manifest.public_key, started)?;
    let row = snapshots::add(
        &tx,
        &snapshots::NewSnapshot {
            terminal_id: Some(terminal.id),
            terminal_name: terminal.name.clone(),
            taken_by: actor.name.clone(),
            taken_at: started,
            file_path: out.display().to_string(),
            sha256: sealed.manifest.whole_sha256.clone(),
            signature: sealed.signature.clone(),
            public_key: sealed.manifest.public_key.clone(),
        },
    )?;
    audit::append(
        &tx,
        audit_entry(
            actor,
            started,
            "snapshot.take",
            &terminal.name,
            json!({
                "snapshot": row.id,
                "file": out.display().to_string(),
                "sha256": sealed.manifest.whole_sha256,
                "peer": data.device.peer,
                "records": data.log.len(),
                "users": data.users.len(),
                "clock_skew_secs": data.clock.skew_secs(),
                "duration_ms": duration_ms,
            }),
        ),
    )?;
    tx.commit()?;
    Ok(row.id)
}

async fn read_terminal(
    connector: &AuditorConnector,
    clock: &dyn Clock,
    terminal: &Terminal,
) -> Result<SnapshotData, LinkError> {
    let mut link = connector.connect().await?;
    let id = link.device_identity().await?;
    let terminal_time = link.read_clock().await?;
    let pc = clock.now();
    let cancel = CancellationToken::new();
    let users = link.read_users(&mut |_| {}, &cancel).await?;
    let log = link.read_attendance(&mut |_| {}, &cancel).await?;
    let peer = link.peer();
    link.disconnect().await?;
    Ok(SnapshotData {
        device: DeviceInfo {
            terminal_name: terminal.name.clone(),
            serial_number: id.serial_number,
            firmware_version: id.firmware_version,
            platform: id.platform,
            device_name: id.device_name,
            peer,
        },
        clock: ClockInfo {
            terminal: terminal_time,
            pc,
        },
        users: users
            .into_iter()
            .map(|u| UserRow {
                enrollment_no: u.enrollment_no,
                name: u.name,
                privilege: u.privilege,
                has_password: u.has_password,
                card: u.card,
            })
            .collect(),
        log: log
            .into_iter()
            .enumerate()
            .map(|(i, p)| PunchRow {
                position: i as u64,
                enrollment_no: p.enrollment_no,
                timestamp: p.timestamp,
                verify: p.verify,
                state: p.state,
                workcode: p.workcode,
            })
            .collect(),
    })
}
