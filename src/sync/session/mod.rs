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
//!
//! # Layout
//! - `spec.rs`: who runs the session, on which terminal under which rules, and the injected clock.
//! - `progress.rs`: phases, progress reports and cancellation for the caller.
//! - `guarded.rs`: the link as the work sees it (commands counted, disabled state remembered).
//! - `open.rs`: the rules' decision, a refusal recorded, the start recorded with its lease.
//! - `run.rs`: connect + work under the time limit; a failed, cut or cancelled run recorded.
//! - `teardown.rs`: enable and disconnect on every exit path.
//! - `finish.rs`: the end of a session that ran (success in the caller's transaction).
//!
//! Recovery of a session whose process died is `recovery.rs` beside this module, re-exported here.

use std::sync::Arc;

use chrono::NaiveDateTime;
use tokio::time::Instant;

use crate::policy::Decision;

mod finish;
mod guarded;
mod open;
mod progress;
mod run;
mod spec;
mod teardown;

pub use crate::recovery::{Recovery, recover_interrupted};
pub use finish::RecordCounts;
pub use guarded::{ClockReading, GuardedLink, Work, work_error};
pub use open::last_connection_end;
pub use progress::{Phase, SessionIo, SessionProgress, progress_channel};
pub use run::{Completed, cleanup_budget};
pub use spec::{Actor, Clock, SessionSpec, SystemClock};

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

impl SupervisedSession {
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
}
