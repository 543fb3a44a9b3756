//! The auditor's terminal session type (docs/domain.md §1): a connector whose links can only read.
//!
//! Two guarantees, one per layer:
//! - compile time: [`AuditorLink`] implements [`TerminalLink`] (reads only) and has no other
//!   method — no `client_mut`, no conversion to the admin link — so code holding it cannot name a
//!   write command;
//! - run time: [`AuditorConnector`] always opens the driver with `read_only: true`, so the driver
//!   refuses any command outside `codec::is_read_only_command` before a byte is sent.
//!
//! Must not offer any way to reach the driver client or to build a connector without `read_only`.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::NaiveDateTime;
use kaoqin_store::terminals::Terminal;
use kaoqin_zk::client::ClientOptions;

use crate::link::{
    CancellationToken, Connector, DeviceIdentity, LinkError, LinkErrorKind, TerminalLink,
    TerminalPunch, TerminalUser, TransferProgress,
};
use crate::zk::{ZkConnector, ZkLink};

/// Opens read-only links for an auditor's snapshot session.
#[derive(Debug, Clone)]
pub struct AuditorConnector(ZkConnector);

impl AuditorConnector {
    /// The read-only connector for a stored terminal (`comm_key` already unsealed).
    pub fn for_terminal(t: &Terminal, comm_key: Option<u32>) -> Result<Self, LinkError> {
        ZkConnector::for_terminal(t, comm_key, true).map(AuditorConnector)
    }

    /// A read-only TCP connector (tests, tools); `read_only` is forced on whatever is passed.
    pub fn tcp(addr: impl Into<String>, options: ClientOptions) -> Self {
        AuditorConnector(ZkConnector::tcp(
            addr,
            ClientOptions {
                read_only: true,
                ..options
            },
        ))
    }
}

impl Connector for AuditorConnector {
    type Link = AuditorLink;

    fn peer(&self) -> String {
        self.0.peer()
    }

    async fn connect(&self) -> Result<AuditorLink, LinkError> {
        Ok(AuditorLink(self.0.connect().await?))
    }
}

/// A connected terminal that can only be read. Deliberately nothing beyond [`TerminalLink`].
pub struct AuditorLink(ZkLink);

impl TerminalLink for AuditorLink {
    fn peer(&self) -> String {
        self.0.peer()
    }

    async fn device_identity(&mut self) -> Result<DeviceIdentity, LinkError> {
        self.0.device_identity().await
    }

    async fn read_clock(&mut self) -> Result<NaiveDateTime, LinkError> {
        self.0.read_clock().await
    }

    /// An auditor never stops the terminal taking punches.
    async fn disable(&mut self, _auto_enable: Duration) -> Result<(), LinkError> {
        Err(LinkError::new(
            LinkErrorKind::ReadOnly,
            "an auditor's session does not disable the terminal",
        ))
    }

    async fn enable(&mut self) -> Result<(), LinkError> {
        Err(LinkError::new(
            LinkErrorKind::ReadOnly,
            "an auditor's session does not enable the terminal",
        ))
    }

    async fn read_users(
        &mut self,
        progress: &mut (dyn FnMut(TransferProgress) + Send),
        cancel: &CancellationToken,
    ) -> Result<Vec<TerminalUser>, LinkError> {
        self.0.read_users(progress, cancel).await
    }

    async fn read_attendance(
        &mut self,
        progress: &mut (dyn FnMut(TransferProgress) + Send),
        cancel: &CancellationToken,
    ) -> Result<Vec<TerminalPunch>, LinkError> {
        self.0.read_attendance(progress, cancel).await
    }

    fn protocol_commands(&self) -> Option<BTreeMap<String, u64>> {
        self.0.protocol_commands()
    }

    async fn disconnect(self) -> Result<(), LinkError> {
        self.0.disconnect().await
    }
}
