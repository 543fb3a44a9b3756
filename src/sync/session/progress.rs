//! What a running session tells its caller: the [`Phase`] it is in, records done of total and the
//! time left ([`SessionProgress`] over a watch channel), and the caller's way to cancel
//! ([`SessionIo`]).
//!
//! Must not block or fail the session: nobody listening is normal, so sending never errors.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::link::CancellationToken;

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
pub(super) struct Reporter {
    pub(super) tx: Option<Arc<watch::Sender<SessionProgress>>>,
    pub(super) started: Instant,
    pub(super) deadline: Instant,
}

impl Reporter {
    pub(super) fn send(&self, phase: Phase, done: u64, total: u64) {
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
