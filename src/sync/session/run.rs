//! Running an opened session: connect and run the caller's work under the hard time limit (less the
//! clean-up budget), clean up on every path (`teardown.rs`), then either hand back what the work
//! read ([`Completed`], nothing stored yet) or finish the session as failed, cut or cancelled in its
//! own transaction.
//!
//! Must not store anything from the work's data: on success that is the caller's, in the same
//! transaction as [`SupervisedSession::finish_ok`].

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::NaiveDateTime;
use kaoqin_store::Store;
use kaoqin_store::sessions::{SessionEnd, SessionResult};
use serde_json::json;
use tokio::time::Instant;

use super::SupervisedSession;
use super::guarded::{ClockReading, GuardedLink, Work};
use super::progress::{Phase, Reporter};
use super::teardown::{Teardown, tear_down};
use crate::error::SyncError;
use crate::link::{Connector, DeviceIdentity, LinkError, LinkErrorKind};

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

enum Failure {
    Cut,
    Cancelled,
    Link(LinkError),
}

/// Part of the time limit kept for enabling and disconnecting after a cut: a tenth of it, between
/// 1 s and 5 s, never more than half (180 s → 5 s; the work gets the rest).
pub fn cleanup_budget(limit: Duration) -> Duration {
    (limit / 10)
        .clamp(Duration::from_secs(1), Duration::from_secs(5))
        .min(limit / 2)
}

impl SupervisedSession {
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
        let (cleanup, deadline, work_deadline) = self.deadlines();
        let reporter = Reporter {
            tx: self.io.progress.clone(),
            started: self.started,
            deadline,
        };
        let mut slot: Option<GuardedLink<C::Link>> = None;
        let outcome = self
            .connect_and_work(
                connector,
                work,
                &reporter,
                cleanup,
                work_deadline,
                &mut slot,
            )
            .await;

        // Clean-up on every path: enable if disabled, then disconnect, each with a short timeout.
        let end = tear_down(slot.take(), &reporter, cleanup, &self.peer).await;
        let ended_at = self.clock.now();
        let duration = self.started.elapsed();

        match outcome {
            Ok(value) => {
                reporter.send(Phase::Storing, 0, 0);
                Ok(Completed {
                    value,
                    identity: end.identity,
                    clock: end.clock_reading,
                    peer: end.peer,
                    ended_at,
                    duration,
                    commands: end.commands,
                    cleanup_warnings: end.warnings,
                })
            }
            Err(failure) => {
                Err(self.record_failure(store, failure, end, ended_at, duration, &reporter)?)
            }
        }
    }

    /// The clean-up budget, the hard deadline (from the recorded start) and the work's deadline,
    /// which ends the clean-up budget earlier so enabling and disconnecting still fit.
    fn deadlines(&self) -> (Duration, Instant, Instant) {
        let limit = self.spec.rules.time_limit();
        let limit = Duration::from_secs(u64::try_from(limit.num_seconds()).unwrap_or(0));
        let cleanup = cleanup_budget(limit);
        let deadline = self.started + limit;
        let work_deadline = deadline.checked_sub(cleanup).unwrap_or(deadline);
        (cleanup, deadline, work_deadline)
    }

    /// Connects and runs `work` until `work_deadline` or the caller's cancellation, whichever comes
    /// first. The link is left in `slot` (if connecting got that far) for the clean-up.
    async fn connect_and_work<C, T, F>(
        &self,
        connector: &C,
        work: F,
        reporter: &Reporter,
        cleanup: Duration,
        work_deadline: Instant,
        slot: &mut Option<GuardedLink<C::Link>>,
    ) -> Result<T, Failure>
    where
        C: Connector,
        T: Send,
        F: for<'a> FnOnce(&'a mut GuardedLink<C::Link>) -> Work<'a, T> + Send,
    {
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
    }

    /// Finishes a failed, cut or cancelled session (row, terminal health, audit) in its own
    /// transaction, with nothing from the work's data. `Ok` is the session's error for the caller;
    /// `Err` is a failure to record it.
    fn record_failure(
        &self,
        store: &mut Store,
        failure: Failure,
        end: Teardown,
        ended_at: NaiveDateTime,
        duration: Duration,
        reporter: &Reporter,
    ) -> Result<SyncError, SyncError> {
        let (result, cut, final_phase, message) = self.describe_failure(failure, &end);
        let row = SessionEnd {
            ended_at,
            commands: json!(end.commands),
            records_read: 0,
            records_new: 0,
            records_dup: 0,
            result,
            error: Some(message.clone()),
            cut,
            clock_skew_secs: end.clock_reading.map(|c| c.skew_secs()),
        };
        let details = json!({
            "session": self.session_id,
            "peer": end.peer,
            "result": result.as_str(),
            "cut": cut,
            "error": message,
            "phase": end.phase_at_end.as_str(),
            "terminal_reenabled": end.reenabled,
            "commands": end.commands,
            "duration_ms": u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
        });
        self.record_end(store, &row, details, Some(&message))?;
        reporter.send(final_phase, 0, 0);
        Ok(match result {
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

    /// The stored result, whether it was a cut, the final phase to report and the message (naming
    /// the phase the work was in, whether the terminal was enabled again, and every clean-up
    /// warning).
    fn describe_failure(
        &self,
        failure: Failure,
        end: &Teardown,
    ) -> (SessionResult, bool, Phase, String) {
        let phase_at_end = end.phase_at_end;
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
        match end.reenabled {
            Some(true) => message.push_str("; the terminal was enabled again"),
            Some(false) => message.push_str("; enabling the terminal failed"),
            None => {}
        }
        for w in &end.warnings {
            message.push_str("; ");
            message.push_str(w);
        }
        (result, cut, final_phase, message)
    }
}
