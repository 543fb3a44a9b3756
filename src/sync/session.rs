//! The supervised session: every connection to a terminal goes through here, whoever asks (CLI, GUI,
//! device administration, auditor snapshots).
//!
//! 1. [`SupervisedSession::open`] checks the connection rules (refusals are recorded and audited;
//!    an override needs the application's grant and a reason, and is audited), then records the session
//!    start (a `running` row + audit entry), so even a killed process leaves a trace of the connection.
//! 2. [`SupervisedSession::run`] connects and runs the caller's work on a [`GuardedLink`] under the
//!    hard time limit (`tokio::time::timeout` around connect + work). On every exit path it re-enables
//!    the terminal if it was disabled (best effort, with its own short timeout) and disconnects. A
//!    failed, cut or cancelled session is finished here in its own transaction, with nothing from the
//!    work's data.
//! 3. On success the caller stores its effect and calls [`SupervisedSession::finish_ok`] in the SAME
//!    transaction (session row, terminal health, audit entry): all or nothing.
//!
//! Must not parse records, run checks or insert punches (that is `download.rs`), nor read the PC
//! clock other than through the injected [`Clock`].

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use kaoqin_store::rusqlite::Connection;
use kaoqin_store::sessions::{self, NewSession, SessionEnd, SessionKind, SessionResult};
use kaoqin_store::terminals::{self, Terminal};
use kaoqin_store::{Role, Store, audit};
use serde::Serialize;
use serde_json::json;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::error::SyncError;
use crate::grant::RulesOverride;
use crate::link::{
    CancellationToken, Connector, DeviceIdentity, LinkError, LinkErrorKind, TerminalLink,
    TerminalPunch, TerminalUser, TransferProgress,
};
use crate::policy::{self, ConnectionRules, Decision, PolicyError};
pub use crate::recovery::{Recovery, recover_interrupted};

/// The PC's local wall clock, injected so rules and tests agree on "now".
pub trait Clock: Send + Sync {
    fn now(&self) -> NaiveDateTime;
}

/// `chrono::Local::now()`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        chrono::Local::now().naive_local()
    }
}

/// Who runs the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

/// What a session is and under which rules it runs.
#[derive(Debug, Clone)]
pub struct SessionSpec {
    pub kind: SessionKind,
    pub actor: Actor,
    pub terminal: Terminal,
    pub rules: ConnectionRules,
    /// `--override "reason"`: used only if the rules refuse; made only from the application's
    /// grant ([`crate::grant`]).
    pub rules_override: Option<RulesOverride>,
}

/// Where a session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    CheckingRules,
    Connecting,
    ReadingDeviceInfo,
    ReadingClock,
    Disabling,
    ReadingUsers,
    ReadingLog,
    Working,
    Enabling,
    Disconnecting,
    Storing,
    Done,
    Cut,
    Failed,
    Cancelled,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::CheckingRules => "checking rules",
            Phase::Connecting => "connecting",
            Phase::ReadingDeviceInfo => "reading device info",
            Phase::ReadingClock => "reading the terminal clock",
            Phase::Disabling => "disabling the terminal",
            Phase::ReadingUsers => "reading users",
            Phase::ReadingLog => "reading the attendance log",
            Phase::Working => "working",
            Phase::Enabling => "enabling the terminal",
            Phase::Disconnecting => "disconnecting",
            Phase::Storing => "storing",
            Phase::Done => "done",
            Phase::Cut => "cut at the time limit",
            Phase::Failed => "failed",
            Phase::Cancelled => "cancelled",
        }
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One progress report: phase, records done of total (of the current bulk read), time left before
/// the hard limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionProgress {
    pub phase: Phase,
    pub records_done: u64,
    pub records_total: u64,
    pub elapsed: Duration,
    pub time_left: Duration,
}

impl Default for SessionProgress {
    fn default() -> Self {
        SessionProgress {
            phase: Phase::CheckingRules,
            records_done: 0,
            records_total: 0,
            elapsed: Duration::ZERO,
            time_left: Duration::ZERO,
        }
    }
}

/// A progress channel: `let (tx, rx) = progress_channel();` pass `tx` in, watch `rx`.
pub fn progress_channel() -> (
    watch::Sender<SessionProgress>,
    watch::Receiver<SessionProgress>,
) {
    watch::channel(SessionProgress::default())
}

/// Progress and cancellation for a session. `Default` = no progress, never cancelled.
#[derive(Debug, Clone, Default)]
pub struct SessionIo {
    pub progress: Option<Arc<watch::Sender<SessionProgress>>>,
    pub cancel: CancellationToken,
}

impl SessionIo {
    pub fn new(progress: watch::Sender<SessionProgress>, cancel: CancellationToken) -> Self {
        SessionIo {
            progress: Some(Arc::new(progress)),
            cancel,
        }
    }
}

#[derive(Debug, Clone)]
struct Reporter {
    tx: Option<Arc<watch::Sender<SessionProgress>>>,
    started: Instant,
    deadline: Instant,
}

impl Reporter {
    fn send(&self, phase: Phase, done: u64, total: u64) {
        if let Some(tx) = &self.tx {
            let now = Instant::now();
            // send_replace never fails, even when nobody listens any more.
            tx.send_replace(SessionProgress {
                phase,
                records_done: done,
                records_total: total,
                elapsed: now.saturating_duration_since(self.started),
                time_left: self.deadline.saturating_duration_since(now),
            });
        }
    }
}

/// The clock reading taken at connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClockReading {
    pub pc_time: NaiveDateTime,
    pub terminal_time: NaiveDateTime,
}

impl ClockReading {
    /// Terminal minus PC, seconds.
    pub fn skew_secs(&self) -> i64 {
        (self.terminal_time - self.pc_time).num_seconds()
    }
}

/// The link as the session's work sees it: every call is counted (names and counts for the
/// session row), reports its phase and progress, and the session knows whether the terminal is
/// disabled so it can enable it again on every exit path.
pub struct GuardedLink<L: TerminalLink> {
    link: L,
    disabled: bool,
    phase: Phase,
    commands: BTreeMap<String, u64>,
    reporter: Reporter,
    cancel: CancellationToken,
    clock: Arc<dyn Clock>,
    clock_reading: Option<ClockReading>,
    identity: Option<DeviceIdentity>,
    cleanup_budget: Duration,
}

impl<L: TerminalLink> GuardedLink<L> {
    fn step(&mut self, phase: Phase, command: &str) {
        self.phase = phase;
        *self.commands.entry(command.to_string()).or_insert(0) += 1;
        self.reporter.send(phase, 0, 0);
    }

    /// Records a command sent through [`GuardedLink::link_mut`] (device administration).
    pub fn note_command(&mut self, name: &str) {
        self.step(Phase::Working, name);
    }

    /// The underlying link, for session kinds that add their own operations (issue 8). Call
    /// [`GuardedLink::note_command`] for each command sent so the session row lists it.
    pub fn link_mut(&mut self) -> &mut L {
        &mut self.link
    }

    /// The PC's time by the session's injected clock.
    pub fn now(&self) -> NaiveDateTime {
        self.clock.now()
    }

    pub fn cancel_token(&self) -> &CancellationToken {
        &self.cancel
    }

    pub async fn device_identity(&mut self) -> Result<DeviceIdentity, LinkError> {
        self.step(Phase::ReadingDeviceInfo, "device_info");
        let id = self.link.device_identity().await?;
        self.identity = Some(id.clone());
        Ok(id)
    }

    /// Reads the terminal clock and the PC clock together.
    pub async fn read_clock(&mut self) -> Result<ClockReading, LinkError> {
        self.step(Phase::ReadingClock, "get_time");
        let terminal_time = self.link.read_clock().await?;
        let reading = ClockReading {
            pc_time: self.clock.now(),
            terminal_time,
        };
        self.clock_reading = Some(reading);
        Ok(reading)
    }

    /// Disables the terminal with an auto re-enable timeout that ends before the session's hard
    /// limit (minus the time kept for clean-up), so a crashed PC never leaves it disabled past it.
    pub async fn disable(&mut self) -> Result<(), LinkError> {
        self.step(Phase::Disabling, "disable_device");
        let left = self
            .reporter
            .deadline
            .saturating_duration_since(Instant::now())
            .saturating_sub(self.cleanup_budget);
        let auto_enable = Duration::from_secs(left.as_secs().max(1));
        // Marked before the reply: if the reply is lost the terminal may still be disabled.
        self.disabled = true;
        self.link.disable(auto_enable).await
    }

    pub async fn enable(&mut self) -> Result<(), LinkError> {
        self.step(Phase::Enabling, "enable_device");
        self.link.enable().await?;
        self.disabled = false;
        Ok(())
    }

    pub async fn read_users(&mut self) -> Result<Vec<TerminalUser>, LinkError> {
        self.step(Phase::ReadingUsers, "read_users");
        let reporter = self.reporter.clone();
        let mut progress = |p: TransferProgress| {
            reporter.send(Phase::ReadingUsers, p.records_done, p.records_total)
        };
        self.link.read_users(&mut progress, &self.cancel).await
    }

    pub async fn read_attendance(&mut self) -> Result<Vec<TerminalPunch>, LinkError> {
        self.step(Phase::ReadingLog, "read_attendance");
        let reporter = self.reporter.clone();
        let mut progress =
            |p: TransferProgress| reporter.send(Phase::ReadingLog, p.records_done, p.records_total);
        self.link.read_attendance(&mut progress, &self.cancel).await
    }

    pub fn is_disabled(&self) -> bool {
        self.disabled
    }
}

/// The caller's work inside a session.
pub type Work<'a, T> = Pin<Box<dyn Future<Output = Result<T, LinkError>> + Send + 'a>>;

/// What a successful `run` hands back; nothing is stored yet.
#[derive(Debug, Clone)]
pub struct Completed<T> {
    pub value: T,
    pub identity: Option<DeviceIdentity>,
    pub clock: Option<ClockReading>,
    pub peer: String,
    pub ended_at: NaiveDateTime,
    pub duration: Duration,
    pub commands: BTreeMap<String, u64>,
    /// Problems during enable/disconnect after the work succeeded (the terminal re-enables itself
    /// after the auto-enable timeout anyway).
    pub cleanup_warnings: Vec<String>,
}

impl<T> Completed<T> {
    /// The commands as the session row stores them.
    pub fn commands_json(&self) -> serde_json::Value {
        json!(self.commands)
    }
}

/// Counts for the session row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RecordCounts {
    pub read: u64,
    pub new: u64,
    pub already_stored: u64,
}

enum Failure {
    Cut,
    Cancelled,
    Link(LinkError),
}

/// A session that passed the rules and was recorded as started.
#[derive(Debug)]
pub struct SupervisedSession {
    spec: SessionSpec,
    clock: Arc<dyn Clock>,
    io: SessionIo,
    session_id: i64,
    started_at: NaiveDateTime,
    started: Instant,
    decision: Decision,
    peer: String,
    /// This process's claim on the `running` row ([`crate::lease`]); released when dropped.
    _lease: Option<crate::lease::Lease>,
}

impl std::fmt::Debug for dyn Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// Part of the time limit kept for enabling and disconnecting after a cut: a tenth of it, between
/// 1 s and 5 s, never more than half (180 s → 5 s; the work gets the rest).
pub fn cleanup_budget(limit: Duration) -> Duration {
    (limit / 10)
        .clamp(Duration::from_secs(1), Duration::from_secs(5))
        .min(limit / 2)
}

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
        let decision = match policy::decide(&spec.rules, last_end, now, reason) {
            Ok(d) => d,
            Err(e) => {
                let e = if unfinished { mark_unfinished(e) } else { e };
                record_refusal(store, &spec, &peer, now, &e)?;
                return Err(SyncError::Policy(e));
            }
        };
        let db_path = store.path().to_path_buf();
        let tx = store.transaction()?;
        let override_reason = match &decision {
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
                peer_addr: Some(peer.clone()),
                started_at: now,
                override_reason,
            },
        )?;
        let mut details = json!({
            "session": session_id,
            "peer": peer,
            "time_limit_secs": spec.rules.time_limit_secs,
        });
        if let Decision::Overridden { refusal, reason } = &decision {
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

    pub fn id(&self) -> i64 {
        self.session_id
    }

    pub fn spec(&self) -> &SessionSpec {
        &self.spec
    }

    pub fn started_at(&self) -> NaiveDateTime {
        self.started_at
    }

    pub fn decision(&self) -> &Decision {
        &self.decision
    }

    /// Connects and runs `work` under the hard time limit. On failure, cut or cancellation the
    /// session is finished (row, health, audit) in its own transaction and the error returned.
    pub async fn run<C, T, F>(
        &self,
        store: &mut Store,
        connector: &C,
        work: F,
    ) -> Result<Completed<T>, SyncError>
    where
        C: Connector,
        T: Send,
        F: for<'a> FnOnce(&'a mut GuardedLink<C::Link>) -> Work<'a, T> + Send,
    {
        let limit = self.spec.rules.time_limit();
        let limit = Duration::from_secs(u64::try_from(limit.num_seconds()).unwrap_or(0));
        let cleanup = cleanup_budget(limit);
        let deadline = self.started + limit;
        let work_deadline = deadline.checked_sub(cleanup).unwrap_or(deadline);
        let reporter = Reporter {
            tx: self.io.progress.clone(),
            started: self.started,
            deadline,
        };
        let mut slot: Option<GuardedLink<C::Link>> = None;
        let outcome: Result<T, Failure> = {
            let fut = async {
                reporter.send(Phase::Connecting, 0, 0);
                let link = connector.connect().await?;
                let g = slot.insert(GuardedLink {
                    link,
                    disabled: false,
                    phase: Phase::Connecting,
                    commands: BTreeMap::from([("connect".to_string(), 1)]),
                    reporter: reporter.clone(),
                    cancel: self.io.cancel.clone(),
                    clock: self.clock.clone(),
                    clock_reading: None,
                    identity: None,
                    cleanup_budget: cleanup,
                });
                work(g).await
            };
            tokio::select! {
                r = tokio::time::timeout_at(work_deadline, fut) => match r {
                    Ok(Ok(v)) => Ok(v),
                    Ok(Err(e)) if e.kind == LinkErrorKind::Cancelled => Err(Failure::Cancelled),
                    Ok(Err(e)) => Err(Failure::Link(e)),
                    Err(_) => Err(Failure::Cut),
                },
                _ = self.io.cancel.cancelled() => Err(Failure::Cancelled),
            }
        };

        // Clean-up on every path: enable if disabled, then disconnect, each with a short timeout.
        let mut warnings = Vec::new();
        let mut phase_at_end = Phase::Connecting;
        let mut commands = BTreeMap::from([("connect".to_string(), 1)]);
        let mut identity = None;
        let mut clock_reading = None;
        let mut peer = self.peer.clone();
        let mut reenabled = None;
        if let Some(mut g) = slot.take() {
            phase_at_end = g.phase;
            peer = g.link.peer();
            if g.disabled {
                reporter.send(Phase::Enabling, 0, 0);
                *g.commands.entry("enable_device".into()).or_insert(0) += 1;
                match tokio::time::timeout(cleanup / 2, g.link.enable()).await {
                    Ok(Ok(())) => {
                        g.disabled = false;
                        reenabled = Some(true);
                    }
                    Ok(Err(e)) => {
                        reenabled = Some(false);
                        warnings.push(format!("enabling the terminal failed: {e}"));
                    }
                    Err(_) => {
                        reenabled = Some(false);
                        warnings.push(format!(
                            "enabling the terminal got no answer within {:?}",
                            cleanup / 2
                        ));
                    }
                }
                if g.disabled {
                    warnings.push(
                        "the terminal re-enables itself when its auto-enable timeout expires"
                            .into(),
                    );
                }
            }
            reporter.send(Phase::Disconnecting, 0, 0);
            *g.commands.entry("disconnect".into()).or_insert(0) += 1;
            if let Some(proto) = g.link.protocol_commands() {
                for (k, v) in proto {
                    g.commands.insert(format!("protocol:{k}"), v);
                }
            }
            commands = std::mem::take(&mut g.commands);
            identity = g.identity.take();
            clock_reading = g.clock_reading.take();
            match tokio::time::timeout(cleanup / 2, g.link.disconnect()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => warnings.push(format!("disconnect: {e}")),
                Err(_) => warnings.push("disconnect got no answer; the link was closed".into()),
            }
        }
        let ended_at = self.clock.now();
        let duration = self.started.elapsed();

        match outcome {
            Ok(value) => {
                reporter.send(Phase::Storing, 0, 0);
                Ok(Completed {
                    value,
                    identity,
                    clock: clock_reading,
                    peer,
                    ended_at,
                    duration,
                    commands,
                    cleanup_warnings: warnings,
                })
            }
            Err(failure) => {
                let (result, cut, final_phase, mut message) = match failure {
                    Failure::Cut => (
                        SessionResult::Cut,
                        true,
                        Phase::Cut,
                        format!(
                            "cut at the time limit of {} s while {phase_at_end}; nothing from this \
                             session was stored",
                            self.spec.rules.time_limit_secs
                        ),
                    ),
                    Failure::Cancelled => (
                        SessionResult::Error,
                        false,
                        Phase::Cancelled,
                        format!("cancelled by the user while {phase_at_end}; nothing was stored"),
                    ),
                    Failure::Link(e) => (
                        SessionResult::Error,
                        false,
                        Phase::Failed,
                        format!("{e} (while {phase_at_end}); nothing was stored"),
                    ),
                };
                match reenabled {
                    Some(true) => message.push_str("; the terminal was enabled again"),
                    Some(false) => message.push_str("; enabling the terminal failed"),
                    None => {}
                }
                for w in &warnings {
                    message.push_str("; ");
                    message.push_str(w);
                }
                let end = SessionEnd {
                    ended_at,
                    commands: json!(commands),
                    records_read: 0,
                    records_new: 0,
                    records_dup: 0,
                    result,
                    error: Some(message.clone()),
                    cut,
                    clock_skew_secs: clock_reading.map(|c| c.skew_secs()),
                };
                let details = json!({
                    "session": self.session_id,
                    "peer": peer,
                    "result": result.as_str(),
                    "cut": cut,
                    "error": message,
                    "phase": phase_at_end.as_str(),
                    "terminal_reenabled": reenabled,
                    "commands": commands,
                    "duration_ms": u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
                });
                self.record_end(store, &end, details, Some(&message))?;
                reporter.send(final_phase, 0, 0);
                Err(match result {
                    SessionResult::Cut => SyncError::Cut {
                        session_id: self.session_id,
                        message,
                    },
                    _ if final_phase == Phase::Cancelled => SyncError::Cancelled {
                        session_id: self.session_id,
                    },
                    _ => SyncError::Terminal {
                        session_id: self.session_id,
                        message,
                    },
                })
            }
        }
    }

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

    fn record_end(
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

/// An error the link itself could not classify, for callers building their own work.
pub fn work_error(message: impl Into<String>) -> LinkError {
    LinkError::new(LinkErrorKind::Other, message)
}
