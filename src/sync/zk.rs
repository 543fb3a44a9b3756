//! [`TerminalLink`] for ZK terminals through the real `kaoqin_zk` client (TCP, UDP, serial).
//!
//! Only translation: endpoints from the stored terminal, driver errors into [`LinkError`], driver
//! records into the session's plain types. It must not decide rules, time limits or storage.
//! The link offers no write operation; a read-only connector (auditor) also makes the driver refuse
//! any command outside the read whitelist, including DISABLE/ENABLE. Device administration uses
//! [`ZkAdminConnector`], the only type whose links reach the driver's write operations.

use std::time::Duration;

use chrono::NaiveDateTime;
use kaoqin_store::terminals::Terminal;
use kaoqin_store::{TerminalKind, TextEncoding};
use kaoqin_zk::client::{ClientOptions, Endpoint, ZkClient, ZkError};
use kaoqin_zk::codec::TextEncoding as ZkEncoding;

use crate::link::{
    CancellationToken, Connector, DeviceIdentity, LinkError, LinkErrorKind, TerminalLink,
    TerminalPunch, TerminalUser, TransferProgress,
};

impl From<ZkError> for LinkError {
    fn from(e: ZkError) -> Self {
        let kind = match &e {
            ZkError::Unreachable { .. } => LinkErrorKind::Unreachable,
            ZkError::CommKeyRequired | ZkError::AuthenticationFailed(_) => {
                LinkErrorKind::Authentication
            }
            ZkError::TimedOut { .. } => LinkErrorKind::TimedOut,
            ZkError::Busy => LinkErrorKind::Busy,
            ZkError::Disconnected => LinkErrorKind::Disconnected,
            ZkError::ProtocolViolation { .. } | ZkError::UnsupportedRecordFormat { .. } => {
                LinkErrorKind::Protocol
            }
            ZkError::ReadOnly { .. } => LinkErrorKind::ReadOnly,
            ZkError::Cancelled => LinkErrorKind::Cancelled,
            _ => LinkErrorKind::Other,
        };
        LinkError::new(kind, e.to_string())
    }
}

/// Where and how to reach a ZK terminal.
#[derive(Debug, Clone)]
pub struct ZkConnector {
    target: ZkTarget,
    options: ClientOptions,
}

#[derive(Debug, Clone)]
enum ZkTarget {
    Tcp(String),
    Udp(String),
    Serial {
        path: String,
        baud: u32,
        machine: u8,
    },
}

impl ZkConnector {
    /// A TCP connector to `host:port` (tests, the technician's tools).
    pub fn tcp(addr: impl Into<String>, options: ClientOptions) -> Self {
        ZkConnector {
            target: ZkTarget::Tcp(addr.into()),
            options,
        }
    }

    /// The connector for a stored terminal. `comm_key` is the opened secret (the caller unseals it
    /// with the `SecretBox`; see [`parse_comm_key`]). `read_only` makes the driver refuse every
    /// command outside the read whitelist (auditor sessions).
    pub fn for_terminal(
        t: &Terminal,
        comm_key: Option<u32>,
        read_only: bool,
    ) -> Result<Self, LinkError> {
        let options = ClientOptions {
            comm_key,
            encoding: match t.encoding {
                TextEncoding::Gbk => ZkEncoding::Gbk,
                TextEncoding::Utf8 => ZkEncoding::Utf8,
            },
            read_only,
            ..ClientOptions::default()
        };
        let host_port = |t: &Terminal| match t.port {
            Some(p) => format!("{}:{p}", t.address),
            None => t.address.clone(),
        };
        let target = match t.kind {
            TerminalKind::ZkTcp => ZkTarget::Tcp(host_port(t)),
            TerminalKind::ZkUdp => ZkTarget::Udp(host_port(t)),
            TerminalKind::ZkSerial => ZkTarget::Serial {
                path: t.address.clone(),
                baud: t.baud.unwrap_or(115_200),
                machine: u8::try_from(t.machine_no).map_err(|_| {
                    LinkError::new(
                        LinkErrorKind::Other,
                        format!(
                            "terminal '{}': machine number {} is not 1–254",
                            t.name, t.machine_no
                        ),
                    )
                })?,
            },
            other => {
                return Err(LinkError::new(
                    LinkErrorKind::Other,
                    format!(
                        "terminal '{}' is of kind {other}, which this version cannot download yet",
                        t.name
                    ),
                ));
            }
        };
        Ok(ZkConnector { target, options })
    }

    /// Per-request timeout of the driver (each reply, each chunk).
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = timeout;
        self
    }

    async fn endpoint(&self) -> Result<Endpoint, LinkError> {
        let resolve = |addr: &str| {
            let addr = addr.to_string();
            async move {
                tokio::net::lookup_host(&addr)
                    .await
                    .ok()
                    .and_then(|mut it| it.next())
                    .ok_or_else(|| {
                        LinkError::new(
                            LinkErrorKind::Unreachable,
                            format!("cannot resolve the terminal address '{addr}' (HOST:PORT)"),
                        )
                    })
            }
        };
        Ok(match &self.target {
            ZkTarget::Tcp(a) => Endpoint::Tcp(resolve(a).await?),
            ZkTarget::Udp(a) => Endpoint::Udp(resolve(a).await?),
            ZkTarget::Serial {
                path,
                baud,
                machine,
            } => Endpoint::Serial {
                path: path.clone(),
                baud: *baud,
                machine: *machine,
            },
        })
    }
}

/// A stored comm key (0–999999) from its unsealed text.
pub fn parse_comm_key(plain: &str) -> Result<u32, LinkError> {
    plain
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|k| *k <= 999_999)
        .ok_or_else(|| {
            LinkError::new(
                LinkErrorKind::Authentication,
                "the stored comm key is not a number 0–999999; set it again with `terminal update`",
            )
        })
}

impl Connector for ZkConnector {
    type Link = ZkLink;

    fn peer(&self) -> String {
        match &self.target {
            ZkTarget::Tcp(a) => format!("tcp://{a}"),
            ZkTarget::Udp(a) => format!("udp://{a}"),
            ZkTarget::Serial {
                path,
                baud,
                machine,
            } => format!("serial:{path}@{baud} machine {machine}"),
        }
    }

    async fn connect(&self) -> Result<ZkLink, LinkError> {
        let endpoint = self.endpoint().await?;
        let client = ZkClient::connect(endpoint, self.options.clone()).await?;
        Ok(ZkLink { client })
    }
}

/// A connected ZK terminal.
pub struct ZkLink {
    client: ZkClient,
}

fn progress_adapter(
    progress: &mut (dyn FnMut(TransferProgress) + Send),
) -> impl FnMut(kaoqin_zk::client::Progress) + Send + '_ {
    move |p| {
        progress(TransferProgress {
            records_done: p.records_done,
            records_total: p.records_total,
        })
    }
}

impl TerminalLink for ZkLink {
    fn peer(&self) -> String {
        self.client.endpoint().to_string()
    }

    async fn device_identity(&mut self) -> Result<DeviceIdentity, LinkError> {
        let info = self.client.device_info().await?;
        Ok(DeviceIdentity {
            serial_number: info.serial_number.filter(|s| !s.trim().is_empty()),
            firmware_version: info.firmware_version,
            platform: info.platform,
            device_name: info.device_name,
        })
    }

    async fn read_clock(&mut self) -> Result<NaiveDateTime, LinkError> {
        Ok(self.client.get_time().await?)
    }

    async fn disable(&mut self, auto_enable: Duration) -> Result<(), LinkError> {
        Ok(self.client.disable(auto_enable).await?)
    }

    async fn enable(&mut self) -> Result<(), LinkError> {
        Ok(self.client.enable().await?)
    }

    async fn read_users(
        &mut self,
        progress: &mut (dyn FnMut(TransferProgress) + Send),
        cancel: &CancellationToken,
    ) -> Result<Vec<TerminalUser>, LinkError> {
        let mut adapt = progress_adapter(progress);
        let table = self.client.read_users_with(&mut adapt, cancel).await?;
        Ok(table
            .users
            .into_iter()
            .map(|u| TerminalUser {
                has_password: u.has_password(),
                enrollment_no: u.user_id,
                name: u.name,
                privilege: u.privilege.0,
                card: u.card,
            })
            .collect())
    }

    async fn read_attendance(
        &mut self,
        progress: &mut (dyn FnMut(TransferProgress) + Send),
        cancel: &CancellationToken,
    ) -> Result<Vec<TerminalPunch>, LinkError> {
        let mut adapt = progress_adapter(progress);
        let log = self.client.read_attendance_with(&mut adapt, cancel).await?;
        Ok(log
            .records
            .into_iter()
            .map(|r| TerminalPunch {
                enrollment_no: r.user_id,
                timestamp: r.timestamp,
                verify: r.verify.as_u8(),
                state: r.state.as_u8(),
                workcode: r.work_code,
            })
            .collect())
    }

    async fn disconnect(self) -> Result<(), LinkError> {
        Ok(self.client.disconnect().await?)
    }
}

/// The connector for supervisor device administration (docs/domain.md §2.1): the same terminal, but its links
/// give access to the driver's write operations through [`ZkAdminLink::client_mut`]. Only device
/// administration sessions use it; downloads and auditor snapshots use [`ZkConnector`], whose
/// links cannot reach a write command at all.
#[derive(Debug, Clone)]
pub struct ZkAdminConnector(ZkConnector);

impl ZkConnector {
    /// This terminal for device administration (never for an auditor: refuses a read-only one).
    pub fn into_admin(self) -> Result<ZkAdminConnector, LinkError> {
        if self.options.read_only {
            return Err(LinkError::new(
                LinkErrorKind::ReadOnly,
                "a read-only (auditor) connection cannot be used for device administration",
            ));
        }
        Ok(ZkAdminConnector(self))
    }
}

impl Connector for ZkAdminConnector {
    type Link = ZkAdminLink;

    fn peer(&self) -> String {
        self.0.peer()
    }

    async fn connect(&self) -> Result<ZkAdminLink, LinkError> {
        Ok(ZkAdminLink(self.0.connect().await?))
    }
}

/// A connected terminal with the driver's write operations (set user, set time, …) reachable.
pub struct ZkAdminLink(ZkLink);

impl ZkAdminLink {
    /// The driver client, for write commands; record each with `GuardedLink::note_command`.
    pub fn client_mut(&mut self) -> &mut ZkClient {
        &mut self.0.client
    }
}

impl TerminalLink for ZkAdminLink {
    fn peer(&self) -> String {
        self.0.peer()
    }

    async fn device_identity(&mut self) -> Result<DeviceIdentity, LinkError> {
        self.0.device_identity().await
    }

    async fn read_clock(&mut self) -> Result<NaiveDateTime, LinkError> {
        self.0.read_clock().await
    }

    async fn disable(&mut self, auto_enable: Duration) -> Result<(), LinkError> {
        self.0.disable(auto_enable).await
    }

    async fn enable(&mut self) -> Result<(), LinkError> {
        self.0.enable().await
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

    async fn disconnect(self) -> Result<(), LinkError> {
        self.0.disconnect().await
    }
}
