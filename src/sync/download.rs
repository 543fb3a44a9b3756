//! The download service: one supervised session that reads device info, the terminal clock, users
//! and the attendance log (terminal disabled meanwhile), then ONE transaction with the new punches
//! (deduplicated), the findings of the checks, the session row, the terminal's health and the audit
//! entry. A failed or cut session stores nothing from its batch (invariant 5).
//!
//! Must not talk to the terminal outside [`SupervisedSession::run`], nor print anything: progress
//! goes over the session's channel, results come back as a [`DownloadReport`].

use std::collections::HashSet;
use std::sync::Arc;

use chrono::NaiveDateTime;
use kaoqin_store::punches::{self, NewPunch};
use kaoqin_store::rusqlite::{Connection, Transaction};
use kaoqin_store::sessions::SessionKind;
use kaoqin_store::terminals::{self, Terminal};
use kaoqin_store::{Store, employees, findings};
use serde::Serialize;
use serde_json::json;

use crate::checks::{self, CheckSettings, Finding, LogRecord};
use crate::error::SyncError;
use crate::grant::RulesOverride;
use crate::link::{Connector, DeviceIdentity, LinkError, TerminalPunch, TerminalUser};
use crate::session::{
    Actor, Clock, ClockReading, Completed, RecordCounts, SessionIo, SessionSpec, SupervisedSession,
};
use crate::settings::SyncSettings;

/// What a download did.
#[derive(Debug, Clone, Serialize)]
pub struct DownloadReport {
    pub session_id: i64,
    pub terminal_name: String,
    pub terminal_serial: String,
    pub peer: String,
    pub identity: Option<DeviceIdentity>,
    pub clock: Option<ClockReading>,
    pub users_read: usize,
    pub counts: RecordCounts,
    pub findings: Vec<Finding>,
    pub duration_ms: u64,
    /// The rule that was overridden, if any (with the supervisor's reason).
    pub overridden: Option<String>,
    pub warnings: Vec<String>,
}

struct Transfer {
    users: Vec<TerminalUser>,
    log: Vec<TerminalPunch>,
}

/// Downloads one terminal under the connection rules. `rules_override` is `--override "…"`,
/// which only the application's grant makes ([`crate::grant::RulesOverride`]).
///
/// The caller checks the app permission (`download`).
#[allow(clippy::too_many_arguments)]
pub async fn download<C: Connector>(
    store: &mut Store,
    connector: &C,
    actor: &Actor,
    terminal: &Terminal,
    settings: &SyncSettings,
    rules_override: Option<RulesOverride>,
    clock: Arc<dyn Clock>,
    io: SessionIo,
) -> Result<DownloadReport, SyncError> {
    let spec = SessionSpec {
        kind: SessionKind::Download,
        actor: actor.clone(),
        terminal: terminal.clone(),
        rules: settings.rules.clone(),
        rules_override,
    };
    // A session left `running` by a killed process is closed and the terminal enabled first.
    let recovery = crate::session::recover_interrupted(
        store,
        connector,
        actor,
        terminal,
        &settings.rules,
        clock.as_ref(),
    )
    .await?;
    let session = SupervisedSession::open(store, spec, clock, io, connector.peer())?;
    let completed = session
        .run::<C, Transfer, _>(store, connector, |g| {
            Box::pin(async move {
                g.device_identity().await?;
                g.read_clock().await?;
                g.disable().await?;
                let users = g.read_users().await?;
                let log = g.read_attendance().await?;
                g.enable().await?;
                Ok::<_, LinkError>(Transfer { users, log })
            })
        })
        .await?;

    let stored = {
        let tx = store.transaction()?;
        match store_download(&tx, &session, terminal, &settings.checks, &completed) {
            Ok(report) => tx.commit().map(|()| report).map_err(SyncError::from),
            Err(e) => Err(e),
        }
    };
    match stored {
        Ok(mut report) => {
            report.warnings.splice(0..0, recovery_notes(&recovery));
            Ok(report)
        }
        Err(e) => {
            // The batch transaction rolled back; the session still gets its end and audit entry.
            session.finish_failed_after_run(store, &completed, &e.to_string())?;
            Err(e)
        }
    }
}

/// What the user is told about sessions closed by [`crate::session::recover_interrupted`].
pub fn recovery_notes(r: &crate::session::Recovery) -> Vec<String> {
    r.sessions
        .iter()
        .map(|id| {
            format!(
                "session #{id} had been interrupted (its program ended without recording its end); \
                 it is closed as interrupted{}",
                match (&r.enabled, &r.enable_error) {
                    (Some(true), _) => " and the terminal was enabled again".to_string(),
                    (_, Some(e)) => format!("; {e}"),
                    _ => String::new(),
                }
            )
        })
        .collect()
}

/// The one call for the app service behind `kaoqin download --terminal NAME [--override "…"]`:
/// loads the terminal and the stored settings, connects with the real ZK driver and downloads.
/// `comm_secret` is the terminal's unsealed comm key text, if it has one.
#[allow(clippy::too_many_arguments)]
pub async fn download_terminal(
    store: &mut Store,
    actor: &Actor,
    terminal_name: &str,
    comm_secret: Option<&str>,
    rules_override: Option<RulesOverride>,
    clock: Arc<dyn Clock>,
    io: SessionIo,
) -> Result<DownloadReport, SyncError> {
    let terminal = terminals::get_by_name(store.conn(), terminal_name)?;
    let settings = crate::settings::load(store.conn())?;
    let comm_key = comm_secret.map(crate::zk::parse_comm_key).transpose()?;
    let connector = crate::zk::ZkConnector::for_terminal(&terminal, comm_key, false)?;
    download(
        store,
        &connector,
        actor,
        &terminal,
        &settings,
        rules_override,
        clock,
        io,
    )
    .await
}

/// The serial the punches are keyed by: the terminal's own, checked against the stored one.
fn resolve_serial(
    terminal: &Terminal,
    identity: Option<&DeviceIdentity>,
) -> Result<String, SyncError> {
    let reported = identity.and_then(|i| i.serial_number.clone());
    match (&terminal.serial_no, reported) {
        (Some(stored), Some(rep)) if stored != &rep => Err(SyncError::Invalid(format!(
            "the terminal at {} reports serial number {rep}, but '{}' is registered with {stored}: \
             check the address, or update the terminal if it was replaced",
            terminal.address, terminal.name
        ))),
        (_, Some(rep)) => Ok(rep),
        (Some(stored), None) => Ok(stored.clone()),
        (None, None) => Err(SyncError::Invalid(format!(
            "terminal '{}' did not report a serial number and none is stored; punches cannot be \
             attributed",
            terminal.name
        ))),
    }
}

/// `YYYY-MM-DD HH:MM:SS` (the ledger's text form, `kaoqin_store::PUNCH_TS`) without a format
/// string parser per record: this runs for every record of every download.
fn ts_key(t: NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write;
    let mut s = String::with_capacity(19);
    let _ = write!(
        s,
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    s
}

/// (timestamp text, enrollment number) of the punches already in the ledger for `serial` between
/// `from` and `to` inclusive. Reads the ledger's key columns directly (covered by its primary key)
/// because the session needs per-record "new" flags for the checks, not only counts.
pub(crate) fn existing_keys(
    conn: &Connection,
    serial: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<HashSet<(String, String)>, SyncError> {
    let mut stmt = conn.prepare_cached(
        "SELECT ts, enrollment_no FROM raw_punches
         WHERE terminal_serial = ?1 AND ts >= ?2 AND ts <= ?3",
    )?;
    let rows = stmt.query_map(
        kaoqin_store::rusqlite::params![serial, ts_key(from), ts_key(to)],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
    )?;
    let mut set = HashSet::new();
    for r in rows {
        set.insert(r?);
    }
    Ok(set)
}

/// Splits a log into new punches (first occurrence, not in the ledger) and per-record flags.
pub(crate) struct Classified {
    pub new_punches: Vec<NewPunch>,
    pub is_new: Vec<bool>,
}

pub(crate) fn classify(
    conn: &Connection,
    serial: &str,
    log: &[TerminalPunch],
) -> Result<Classified, SyncError> {
    let (Some(from), Some(to)) = (
        log.iter().map(|p| p.timestamp).min(),
        log.iter().map(|p| p.timestamp).max(),
    ) else {
        return Ok(Classified {
            new_punches: Vec::new(),
            is_new: Vec::new(),
        });
    };
    let mut seen = existing_keys(conn, serial, from, to)?;
    let mut new_punches = Vec::new();
    let mut is_new = Vec::with_capacity(log.len());
    for p in log {
        let fresh = !p.enrollment_no.is_empty()
            && seen.insert((ts_key(p.timestamp), p.enrollment_no.clone()));
        is_new.push(fresh);
        if fresh {
            new_punches.push(NewPunch {
                enrollment_no: p.enrollment_no.clone(),
                ts: p.timestamp,
                verify_mode: i64::from(p.verify),
                in_out_state: i64::from(p.state),
                work_code: i64::from(p.workcode),
            });
        }
    }
    Ok(Classified {
        new_punches,
        is_new,
    })
}

/// The first and last timestamps of a batch (None when empty): where [`kaoqin_store::evidence::batch_hash`]
/// looks for what the batch stored.
pub(crate) fn batch_range(
    batch: &[NewPunch],
) -> Option<(chrono::NaiveDateTime, chrono::NaiveDateTime)> {
    Some((
        batch.iter().map(|p| p.ts).min()?,
        batch.iter().map(|p| p.ts).max()?,
    ))
}

/// All enrollment numbers that are (or were) employees.
pub(crate) fn employee_numbers(conn: &Connection) -> Result<HashSet<String>, SyncError> {
    Ok(
        employees::list(conn, &employees::EmployeeFilter::default())?
            .into_iter()
            .map(|e| e.enrollment_no)
            .collect(),
    )
}

/// Stores the findings of one session; returns them.
pub(crate) fn store_findings(
    conn: &Connection,
    session_id: i64,
    terminal_id: Option<i64>,
    found_at: NaiveDateTime,
    list: &[Finding],
) -> Result<(), SyncError> {
    for f in list {
        findings::add(
            conn,
            &findings::NewFinding {
                session_id: Some(session_id),
                terminal_id,
                kind: f.kind.as_str().to_string(),
                details: json!({
                    "summary": f.summary,
                    "record_count": f.record_count,
                    "records": f.records,
                }),
                found_at,
            },
        )?;
    }
    Ok(())
}

fn store_download(
    tx: &Transaction<'_>,
    session: &SupervisedSession,
    terminal: &Terminal,
    check_settings: &CheckSettings,
    completed: &Completed<Transfer>,
) -> Result<DownloadReport, SyncError> {
    let serial = resolve_serial(terminal, completed.identity.as_ref())?;
    let log = &completed.value.log;
    let t0 = std::time::Instant::now();
    let classified = classify(tx, &serial, log)?;
    let t_classify = t0.elapsed();
    let stats = punches::insert_batch(
        tx,
        session.id(),
        &serial,
        completed.ended_at,
        &classified.new_punches,
    )?;
    let read = log.len() as u64;
    let counts = RecordCounts {
        read,
        new: stats.new,
        already_stored: read.saturating_sub(stats.new),
    };
    // What this batch stored, hashed into its audit entry (the chain then vouches for the punches).
    let batch = kaoqin_store::evidence::batch_hash(
        tx,
        session.id(),
        &serial,
        batch_range(&classified.new_punches),
    )?;
    let t_insert = t0.elapsed() - t_classify;

    let records: Vec<LogRecord> = log
        .iter()
        .zip(&classified.is_new)
        .map(|(p, n)| LogRecord {
            enrollment_no: p.enrollment_no.clone(),
            timestamp: p.timestamp,
            verify: p.verify,
            is_new: *n,
        })
        .collect();
    let employees = employee_numbers(tx)?;
    let pc_time = completed
        .clock
        .map(|c| c.pc_time)
        .unwrap_or(completed.ended_at);
    let found = checks::run_all(
        check_settings,
        pc_time,
        completed.clock.map(|c| c.terminal_time),
        &records,
        &employees,
    );
    store_findings(
        tx,
        session.id(),
        Some(terminal.id),
        completed.ended_at,
        &found,
    )?;
    tracing::debug!(
        classify_ms = t_classify.as_millis() as u64,
        insert_ms = t_insert.as_millis() as u64,
        checks_and_findings_ms = (t0.elapsed() - t_classify - t_insert).as_millis() as u64,
        findings = found.len(),
        "download stored"
    );
    if terminal.serial_no.is_none() {
        terminals::set_serial_no(tx, terminal.id, &serial)?;
    }
    let overridden = match session.decision() {
        crate::policy::Decision::Overridden { refusal, reason } => {
            Some(format!("{} (reason: {reason})", refusal.rule))
        }
        crate::policy::Decision::Allowed => None,
    };
    session.finish_ok(
        tx,
        completed,
        counts,
        json!({
            "terminal_serial": serial,
            "users_read": completed.value.users.len(),
            "findings": found.iter().map(|f| f.kind.as_str()).collect::<Vec<_>>(),
            "terminal_time": completed.clock.map(|c| c.terminal_time.format("%Y-%m-%d %H:%M:%S").to_string()),
            "pc_time": completed.clock.map(|c| c.pc_time.format("%Y-%m-%d %H:%M:%S").to_string()),
            kaoqin_store::evidence::BATCH_COUNT_KEY: batch.punches,
            kaoqin_store::evidence::BATCH_HASH_KEY: batch.sha256,
        }),
    )?;
    Ok(DownloadReport {
        session_id: session.id(),
        terminal_name: terminal.name.clone(),
        terminal_serial: serial,
        peer: completed.peer.clone(),
        identity: completed.identity.clone(),
        clock: completed.clock,
        users_read: completed.value.users.len(),
        counts,
        findings: found,
        duration_ms: u64::try_from(completed.duration.as_millis()).unwrap_or(u64::MAX),
        overridden,
        warnings: completed.cleanup_warnings.clone(),
    })
}

/// A one-line human summary of a report (for the CLI and logs).
pub fn summary(r: &DownloadReport) -> String {
    let skew = r
        .clock
        .map(|c| {
            let s = c.skew_secs();
            if s == 0 {
                String::new()
            } else {
                format!(", terminal clock {s:+} s")
            }
        })
        .unwrap_or_default();
    format!(
        "{}: read {} records, {} new, {} already stored, {} users, {} finding(s){skew}, {:.1} s (session #{})",
        r.terminal_name,
        r.counts.read,
        r.counts.new,
        r.counts.already_stored,
        r.users_read,
        r.findings.len(),
        r.duration_ms as f64 / 1000.0,
        r.session_id
    )
}
