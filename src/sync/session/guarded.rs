//! The link as a session's work sees it ([`GuardedLink`]): every command counted for the session
//! row, every step reported as progress, and whether the terminal is disabled remembered so the
//! session can enable it again on every exit path. Also the clock reading taken at connect
//! ([`ClockReading`]) and the shape of the caller's work ([`Work`]).
//!
//! Must not enforce the time limit, clean up or store anything: the session around it does
//! (`run.rs`, `teardown.rs`, `finish.rs`).

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use serde::Serialize;
use tokio::time::Instant;

use super::progress::{Phase, Reporter};
use super::spec::Clock;
use crate::link::{
    CancellationToken, DeviceIdentity, LinkError, LinkErrorKind, TerminalLink, TerminalPunch,
    TerminalUser, TransferProgress,
};

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
    pub(super) link: L,
    pub(super) disabled: bool,
    pub(super) phase: Phase,
    pub(super) commands: BTreeMap<String, u64>,
    pub(super) reporter: Reporter,
    pub(super) cancel: CancellationToken,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) clock_reading: Option<ClockReading>,
    pub(super) identity: Option<DeviceIdentity>,
    pub(super) cleanup_budget: Duration,
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

    /// The underlying link, for session kinds that add their own operations (device
    /// administration). Call [`GuardedLink::note_command`] for each command sent so the session row
    /// lists it.
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

/// An error the link itself could not classify, for callers building their own work.
pub fn work_error(message: impl Into<String>) -> LinkError {
    LinkError::new(LinkErrorKind::Other, message)
}
