//! The terminal as the session layer sees it: a small trait with the read operations a supervised
//! session needs, whatever the protocol (ZK now, ISAPI later). Implemented for the real ZK client
//! in `zk.rs`.
//!
//! The trait deliberately has no method that writes users, logs, options or the clock: a session
//! built on it cannot change a terminal's data (the auditor's read-only sessions rely on that). The only
//! state changes are `disable`/`enable`, which keep people from punching during a transfer; a
//! read-only link refuses them. This module must not know about the database.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use chrono::NaiveDateTime;
use serde::Serialize;
pub use tokio_util::sync::CancellationToken;

/// Identity and versions read at connect.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeviceIdentity {
    pub serial_number: Option<String>,
    pub firmware_version: String,
    pub platform: Option<String>,
    pub device_name: Option<String>,
}

/// A user enrolled on the terminal, without secrets (only whether a password is set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TerminalUser {
    pub enrollment_no: String,
    pub name: String,
    /// ZK privilege byte: 0 user, 2 enroller, 6 admin, 14 super admin; bit 0 = disabled.
    pub privilege: u8,
    pub has_password: bool,
    pub card: u32,
}

/// One attendance record, in the terminal's log order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TerminalPunch {
    pub enrollment_no: String,
    /// Terminal-local time as read (no zone).
    pub timestamp: NaiveDateTime,
    /// 0 password, 1 fingerprint, 2 card, 15 face, others device-specific.
    pub verify: u8,
    /// 0 in, 1 out, 2 break-out, 3 break-in, 4 OT-in, 5 OT-out, 255 undefined.
    pub state: u8,
    pub workcode: u32,
}

/// Records done of total during a bulk read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransferProgress {
    pub records_done: u64,
    pub records_total: u64,
}

/// What went wrong on the link, classified for the session's result and the terminal's health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkErrorKind {
    Unreachable,
    Authentication,
    TimedOut,
    Busy,
    Disconnected,
    Protocol,
    ReadOnly,
    Cancelled,
    Other,
}

/// A link failure with a message a clerk or technician can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LinkError {
    pub kind: LinkErrorKind,
    pub message: String,
}

impl LinkError {
    pub fn new(kind: LinkErrorKind, message: impl Into<String>) -> Self {
        LinkError {
            kind,
            message: message.into(),
        }
    }
}

/// One connected terminal. Every method sends at least one command; the supervised session wraps
/// calls to count them and enforce the time limit.
///
/// Futures are `Send` so a session can run on a background runtime (the GUI's).
pub trait TerminalLink: Send {
    /// The peer address as the router would log it (e.g. `tcp://192.168.1.201:4370`).
    fn peer(&self) -> String;

    fn device_identity(&mut self)
    -> impl Future<Output = Result<DeviceIdentity, LinkError>> + Send;

    /// The terminal's clock (local time).
    fn read_clock(&mut self) -> impl Future<Output = Result<NaiveDateTime, LinkError>> + Send;

    /// Stops the terminal taking punches; it re-enables itself after `auto_enable`.
    fn disable(
        &mut self,
        auto_enable: Duration,
    ) -> impl Future<Output = Result<(), LinkError>> + Send;

    fn enable(&mut self) -> impl Future<Output = Result<(), LinkError>> + Send;

    fn read_users(
        &mut self,
        progress: &mut (dyn FnMut(TransferProgress) + Send),
        cancel: &CancellationToken,
    ) -> impl Future<Output = Result<Vec<TerminalUser>, LinkError>> + Send;

    fn read_attendance(
        &mut self,
        progress: &mut (dyn FnMut(TransferProgress) + Send),
        cancel: &CancellationToken,
    ) -> impl Future<Output = Result<Vec<TerminalPunch>, LinkError>> + Send;

    /// Protocol commands sent so far, by name, if the driver counts them.
    fn protocol_commands(&self) -> Option<BTreeMap<String, u64>> {
        None
    }

    /// Says goodbye and closes the link.
    fn disconnect(self) -> impl Future<Output = Result<(), LinkError>> + Send;
}

/// Opens links to one terminal.
pub trait Connector: Send + Sync {
    type Link: TerminalLink;

    /// Where it connects to (for the session row when the connection fails).
    fn peer(&self) -> String;

    fn connect(&self) -> impl Future<Output = Result<Self::Link, LinkError>> + Send;
}
