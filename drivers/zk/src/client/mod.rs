//! Async ZK client (tokio) over TCP, UDP, serial (tokio-serial) or any byte stream.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kaoqin_zk::client::ZkError> {
//! use kaoqin_zk::client::{ClientOptions, Endpoint, ZkClient};
//! let mut c = ZkClient::connect(
//!     Endpoint::Tcp("192.168.1.201:4370".parse().unwrap()),
//!     ClientOptions { comm_key: Some(12345), ..Default::default() },
//! ).await?;
//! let info = c.device_info().await?;
//! let log = c
//!     .with_disabled(std::time::Duration::from_secs(120), async |c| c.read_attendance().await)
//!     .await?;
//! c.disconnect().await?;
//! # let _ = (info, log); Ok(()) }
//! ```
//!
//! **Disable/enable guarantee.** [`ZkClient::with_disabled`] sends DISABLE_DEVICE with an auto
//! re-enable timeout, runs the closure, and sends ENABLE_DEVICE afterwards whether the closure
//! returned `Ok` or `Err`. If the future is dropped (cancelled) or panics, or the PC crashes, no
//! ENABLE can be sent; the terminal then re-enables itself when the timeout expires. That is why
//! the timeout is mandatory here. [`ZkClient::disable`]/[`ZkClient::enable`] exist for callers
//! who need manual control; they must enable on every path themselves.
//!
//! Bulk reads use the largest chunk per transport (TCP/serial 0xFFC0, UDP 16 KiB reassembled
//! from ≤1024-byte DATA datagrams), report [`Progress`], honour a [`CancellationToken`], and on UDP
//! retry a lost request or chunk up to [`ClientOptions::retries`] times.
//!
//! Must not touch a database or the clock of the PC: times are terminal-local values.

mod error;
mod link;

use std::net::SocketAddr;
use std::time::Duration;

use chrono::NaiveDateTime;
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::Instant;
pub use tokio_util::sync::CancellationToken;

use crate::codec::{
    self, AttFormat, AttendanceRecord, FreeSizes, Packet, PrepareBuffer, ReadChunk, Request,
    SerialProfile, TextEncoding, UserFormat, UserRecord, command as cmd, options,
};
pub use error::ZkError;
pub use link::ByteStream;
use link::Link;

/// Where the terminal is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Tcp(SocketAddr),
    Udp(SocketAddr),
    /// Serial port (RS232/RS485/USB virtual COM); `machine` is the RS485 address (1–254).
    Serial {
        path: String,
        baud: u32,
        machine: u8,
    },
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Tcp(a) => write!(f, "tcp://{a}"),
            Endpoint::Udp(a) => write!(f, "udp://{a}"),
            Endpoint::Serial {
                path,
                baud,
                machine,
            } => write!(f, "serial:{path}@{baud} machine {machine}"),
        }
    }
}

/// Connection settings.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Comm key set on the terminal (0–999999), if any.
    pub comm_key: Option<u32>,
    /// Code page of names on this terminal.
    pub encoding: TextEncoding,
    /// Per-request timeout (each reply, each chunk).
    pub timeout: Duration,
    /// Extra attempts for a lost UDP datagram (request or chunk). TCP/serial never retry.
    pub retries: u32,
    /// Refuse every command that is not [`codec::is_read_only_command`] (auditor sessions).
    pub read_only: bool,
    /// User record layout to use when it cannot be detected (terminal without users). Default 72.
    pub user_format: Option<UserFormat>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            comm_key: None,
            encoding: TextEncoding::Gbk,
            timeout: Duration::from_secs(10),
            retries: 3,
            read_only: false,
            user_format: None,
        }
    }
}

/// Identity and versions of a terminal. Options the terminal does not know are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceInfo {
    pub firmware_version: String,
    pub serial_number: Option<String>,
    pub platform: Option<String>,
    pub device_name: Option<String>,
    pub mac: Option<String>,
    pub fingerprint_version: Option<String>,
    pub face_version: Option<String>,
    /// Maximum digits of a user id (`~PIN2Width`).
    pub pin_width: Option<u32>,
}

/// Bulk-read progress: bytes and records done of the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub records_done: u64,
    pub records_total: u64,
}

/// Users read from a terminal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserTable {
    /// `None` when the terminal has no users.
    pub format: Option<UserFormat>,
    pub users: Vec<UserRecord>,
}

/// Attendance log read from a terminal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttendanceLog {
    /// `None` when the log is empty.
    pub format: Option<AttFormat>,
    pub records: Vec<AttendanceRecord>,
}

/// Terminal state from STATE_RRQ (0 idle … 3 menu, 4 busy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceState(pub u16);

impl DeviceState {
    pub fn is_busy(self) -> bool {
        self.0 == 4
    }
}

/// A connected, authenticated session with one terminal.
pub struct ZkClient {
    link: Link,
    endpoint: String,
    session_id: u16,
    reply_id: u16,
    opts: ClientOptions,
    user_format: Option<UserFormat>,
    serial_profile: Option<SerialProfile>,
}

impl ZkClient {
    /// Opens the transport, sends CONNECT, and authenticates with the comm key if asked to.
    pub async fn connect(endpoint: Endpoint, opts: ClientOptions) -> Result<ZkClient, ZkError> {
        let name = endpoint.to_string();
        let unreachable = |reason: String| ZkError::Unreachable {
            endpoint: name.clone(),
            reason,
        };
        let mut serial_profile = None;
        let link = match &endpoint {
            Endpoint::Tcp(addr) => {
                let s = tokio::time::timeout(opts.timeout, TcpStream::connect(addr))
                    .await
                    .map_err(|_| unreachable(format!("no TCP answer within {:?}", opts.timeout)))?
                    .map_err(|e| unreachable(e.to_string()))?;
                let _ = s.set_nodelay(true);
                Link::stream(Box::new(s))
            }
            Endpoint::Udp(addr) => {
                let local: SocketAddr = if addr.is_ipv4() {
                    ([0, 0, 0, 0], 0).into()
                } else {
                    ([0u16; 8], 0).into()
                };
                let sock = UdpSocket::bind(local)
                    .await
                    .map_err(|e| unreachable(e.to_string()))?;
                sock.connect(addr)
                    .await
                    .map_err(|e| unreachable(e.to_string()))?;
                Link::udp(sock)
            }
            Endpoint::Serial {
                path,
                baud,
                machine,
            } => {
                let profile = SerialProfile::new(*baud, *machine).map_err(ZkError::InvalidInput)?;
                serial_profile = Some(profile);
                let port = serial::open(path, profile).map_err(|e| unreachable(e.to_string()))?;
                Link::stream(Box::new(port))
            }
        };
        let mut c = ZkClient::new(link, name.clone(), opts);
        c.serial_profile = serial_profile;
        match c.handshake().await {
            Err(ZkError::TimedOut { after, .. }) => Err(unreachable(format!(
                "no answer to CONNECT within {after:?}"
            ))),
            Err(e) => Err(e),
            Ok(()) => Ok(c),
        }
    }

    /// Runs the protocol over any byte stream carrying TCP-style frames (a pty, a test pipe).
    pub async fn connect_stream(
        stream: impl ByteStream + 'static,
        name: &str,
        opts: ClientOptions,
    ) -> Result<ZkClient, ZkError> {
        let mut c = ZkClient::new(Link::stream(Box::new(stream)), name.to_string(), opts);
        c.handshake().await?;
        Ok(c)
    }

    fn new(link: Link, endpoint: String, opts: ClientOptions) -> ZkClient {
        ZkClient {
            link,
            endpoint,
            session_id: 0,
            reply_id: 0,
            user_format: opts.user_format,
            opts,
            serial_profile: None,
        }
    }

    async fn handshake(&mut self) -> Result<(), ZkError> {
        // CONNECT goes out with session 0 and reply id 0.
        self.reply_id = u16::MAX;
        let reply = self.exchange(cmd::CONNECT, Vec::new()).await?;
        self.session_id = reply.session_id;
        match reply.command {
            cmd::ACK_OK => Ok(()),
            cmd::ACK_UNAUTH | cmd::ACK_UNAUTH_NEW => {
                let Some(key) = self.opts.comm_key else {
                    return Err(ZkError::CommKeyRequired);
                };
                let payload =
                    codec::make_commkey(key, self.session_id, codec::commkey::DEFAULT_TICKS);
                let r = self.exchange(cmd::AUTH, payload.to_vec()).await?;
                match r.command {
                    cmd::ACK_OK => Ok(()),
                    cmd::ACK_UNAUTH | cmd::ACK_UNAUTH_NEW | cmd::ACK_ERROR => {
                        Err(ZkError::AuthenticationFailed(
                            "the terminal rejected the comm key; check the key in its menu (COMM → Comm Key)".into(),
                        ))
                    }
                    _ => Err(violation("unexpected reply to AUTH", &r)),
                }
            }
            _ => Err(violation("unexpected reply to CONNECT", &reply)),
        }
    }

    /// Endpoint description, for messages.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Session id the terminal assigned.
    pub fn session_id(&self) -> u16 {
        self.session_id
    }

    /// Serial profile (baud, machine number) when connected over a serial port.
    pub fn serial_profile(&self) -> Option<SerialProfile> {
        self.serial_profile
    }

    pub fn options(&self) -> &ClientOptions {
        &self.opts
    }

    fn next_reply_id(&mut self) -> u16 {
        self.reply_id = self.reply_id.wrapping_add(1);
        self.reply_id
    }

    /// Sends one command and returns the first reply with its reply id. UDP retries lost
    /// datagrams; TCP/serial report a timeout.
    async fn exchange(&mut self, command: u16, payload: Vec<u8>) -> Result<Packet, ZkError> {
        if self.opts.read_only && !codec::is_read_only_command(command) {
            return Err(ZkError::ReadOnly {
                command: cmd_name(command),
            });
        }
        let mut attempt = 0;
        loop {
            let rid = self.next_reply_id();
            let packet = Packet::new(command, self.session_id, rid, payload.clone());
            self.link.send(&packet).await?;
            match self.recv_reply(rid, command).await {
                Err(ZkError::TimedOut { .. })
                    if self.link.is_udp() && attempt < self.opts.retries =>
                {
                    attempt += 1;
                    tracing::debug!(command, attempt, "retrying lost UDP request");
                }
                other => return other,
            }
        }
    }

    /// Waits for the next packet answering `rid`, skipping stale replies and realtime events.
    async fn recv_reply(&mut self, rid: u16, command: u16) -> Result<Packet, ZkError> {
        let deadline = Instant::now() + self.opts.timeout;
        loop {
            let Some(p) = self.link.recv(deadline).await? else {
                return Err(ZkError::TimedOut {
                    command: cmd_name(command),
                    after: self.opts.timeout,
                });
            };
            if p.reply_id == rid && p.command != cmd::REG_EVENT {
                return Ok(p);
            }
            tracing::trace!(
                got = p.command,
                reply = p.reply_id,
                want = rid,
                "skipping stale packet"
            );
        }
    }

    /// A command whose only acceptable answer is ACK_OK (or ACK_DATA); returns the payload.
    async fn simple(&mut self, req: Request) -> Result<Vec<u8>, ZkError> {
        let (c, payload) = req.to_parts().map_err(ZkError::from_input)?;
        let r = self.exchange(c, payload).await?;
        self.expect_ok(c, r).await
    }

    async fn expect_ok(&mut self, c: u16, r: Packet) -> Result<Vec<u8>, ZkError> {
        match r.command {
            cmd::ACK_OK | cmd::ACK_DATA => Ok(r.payload),
            cmd::ACK_ERROR => {
                // A refusal while someone is at the terminal is "busy", not an error to report.
                if c != cmd::STATE_RRQ
                    && let Ok(s) = self.state().await
                    && s.is_busy()
                {
                    return Err(ZkError::Busy);
                }
                Err(ZkError::Rejected {
                    command: cmd_name(c),
                })
            }
            cmd::ACK_UNKNOWN => Err(ZkError::UnknownCommand {
                command: cmd_name(c),
            }),
            cmd::ACK_UNAUTH | cmd::ACK_UNAUTH_NEW => Err(ZkError::AuthenticationFailed(format!(
                "the terminal says this session is not authorised for {}",
                cmd_name(c)
            ))),
            _ => Err(violation(
                &format!("unexpected reply to {}", cmd_name(c)),
                &r,
            )),
        }
    }

    /// Firmware version string (e.g. "Ver 6.60 Apr 28 2015").
    pub async fn firmware_version(&mut self) -> Result<String, ZkError> {
        let p = self.simple(Request::GetVersion).await?;
        Ok(options::decode_c_string(&p))
    }

    /// One option value, `None` if the terminal does not know the key.
    pub async fn read_option(&mut self, key: &str) -> Result<Option<String>, ZkError> {
        let (c, payload) = Request::ReadOption(key.to_string())
            .to_parts()
            .map_err(ZkError::from_input)?;
        let r = self.exchange(c, payload).await?;
        match r.command {
            cmd::ACK_OK | cmd::ACK_DATA => {
                let (_, v) = options::decode_option_pair(&r.payload)
                    .map_err(|e| ZkError::from_codec(e, &r.payload))?;
                Ok(Some(v))
            }
            cmd::ACK_ERROR | cmd::ACK_UNKNOWN => Ok(None),
            _ => self.expect_ok(c, r).await.map(|_| None),
        }
    }

    /// Serial number, platform, name, MAC, firmware, face/fingerprint versions, PIN width.
    pub async fn device_info(&mut self) -> Result<DeviceInfo, ZkError> {
        Ok(DeviceInfo {
            firmware_version: self.firmware_version().await?,
            serial_number: self.read_option(options::OPT_SERIAL_NUMBER).await?,
            platform: self.read_option(options::OPT_PLATFORM).await?,
            device_name: self.read_option(options::OPT_DEVICE_NAME).await?,
            mac: self.read_option(options::OPT_MAC).await?,
            fingerprint_version: self.read_option(options::OPT_FP_VERSION).await?,
            face_version: self.read_option(options::OPT_FACE_VERSION).await?,
            pin_width: self
                .read_option(options::OPT_PIN_WIDTH)
                .await?
                .and_then(|v| v.trim().parse().ok()),
        })
    }

    /// Counts and capacities (users, records, fingerprints, faces).
    pub async fn free_sizes(&mut self) -> Result<FreeSizes, ZkError> {
        let p = self.simple(Request::GetFreeSizes).await?;
        FreeSizes::decode(&p).map_err(|e| ZkError::from_codec(e, &p))
    }

    /// Terminal-local time.
    pub async fn get_time(&mut self) -> Result<NaiveDateTime, ZkError> {
        let p = self.simple(Request::GetTime).await?;
        match p.get(..4) {
            Some(&[a, b, c, d]) => codec::decode_time(u32::from_le_bytes([a, b, c, d]))
                .map_err(|e| ZkError::from_codec(e, &p)),
            _ => Err(ZkError::ProtocolViolation {
                detail: "GET_TIME reply shorter than 4 bytes".into(),
                hex: hex::encode(&p),
            }),
        }
    }

    /// Sets the terminal clock (local time), then REFRESH_DATA.
    pub async fn set_time(&mut self, t: NaiveDateTime) -> Result<(), ZkError> {
        self.simple(Request::SetTime(t)).await?;
        self.simple(Request::RefreshData).await?;
        Ok(())
    }

    /// STATE_RRQ (state is carried in the session field of the reply).
    pub async fn state(&mut self) -> Result<DeviceState, ZkError> {
        let r = self.exchange(cmd::STATE_RRQ, Vec::new()).await?;
        match r.command {
            cmd::ACK_OK => Ok(DeviceState(r.session_id)),
            _ => Err(violation("unexpected reply to STATE_RRQ", &r)),
        }
    }

    /// Stops the terminal taking punches; it re-enables itself after `auto_enable` (whole
    /// seconds, at least 1). Prefer [`ZkClient::with_disabled`].
    pub async fn disable(&mut self, auto_enable: Duration) -> Result<(), ZkError> {
        let secs = u32::try_from(auto_enable.as_secs().max(1)).unwrap_or(u32::MAX);
        self.simple(Request::Disable(Some(secs))).await.map(drop)
    }

    pub async fn enable(&mut self) -> Result<(), ZkError> {
        self.simple(Request::Enable).await.map(drop)
    }

    /// Disables the terminal (auto re-enable after `auto_enable`), runs `f`, and enables it again
    /// whatever `f` returned. The closure's error wins over an enable error.
    pub async fn with_disabled<T, F>(&mut self, auto_enable: Duration, f: F) -> Result<T, ZkError>
    where
        F: AsyncFnOnce(&mut ZkClient) -> Result<T, ZkError>,
    {
        self.disable(auto_enable).await?;
        let result = f(self).await;
        let enabled = self.enable().await;
        match (result, enabled) {
            (Ok(v), Ok(())) => Ok(v),
            (Ok(_), Err(e)) => Err(e),
            (Err(e), enabled) => {
                if let Err(ee) = enabled {
                    tracing::warn!(error = %ee, "enable after failure also failed; the terminal re-enables itself after the timeout");
                }
                Err(e)
            }
        }
    }

    /// Releases the terminal's read buffer.
    pub async fn free_data(&mut self) -> Result<(), ZkError> {
        self.simple(Request::FreeData).await.map(drop)
    }

    /// All users.
    pub async fn read_users(&mut self) -> Result<UserTable, ZkError> {
        self.read_users_with(&mut |_| {}, &CancellationToken::new())
            .await
    }

    pub async fn read_users_with(
        &mut self,
        progress: &mut (dyn FnMut(Progress) + Send),
        cancel: &CancellationToken,
    ) -> Result<UserTable, ZkError> {
        let count = self.free_sizes().await?.users as usize;
        let data = self
            .read_buffer(PrepareBuffer::USERS, count as u64, progress, cancel)
            .await?;
        let (format, users) = codec::decode_user_table(&data, count, self.opts.encoding)
            .map_err(|e| ZkError::from_codec(e, &data))?;
        if format.is_some() {
            self.user_format = format;
        }
        Ok(UserTable { format, users })
    }

    /// The whole attendance log (the protocol has no date filter).
    pub async fn read_attendance(&mut self) -> Result<AttendanceLog, ZkError> {
        self.read_attendance_with(&mut |_| {}, &CancellationToken::new())
            .await
    }

    pub async fn read_attendance_with(
        &mut self,
        progress: &mut (dyn FnMut(Progress) + Send),
        cancel: &CancellationToken,
    ) -> Result<AttendanceLog, ZkError> {
        let count = self.free_sizes().await?.records as usize;
        let data = self
            .read_buffer(PrepareBuffer::ATTLOG, count as u64, progress, cancel)
            .await?;
        let (format, records) = codec::decode_attendance_table(&data, count, self.opts.encoding)
            .map_err(|e| ZkError::from_codec(e, data.get(..64).unwrap_or(&data)))?;
        Ok(AttendanceLog { format, records })
    }

    /// Buffered bulk read of one table: PREPARE_BUFFER, READ_CHUNK × n, FREE_DATA.
    /// Returns the raw table (u32 size prefix + records). FREE_DATA is sent on errors too.
    pub async fn read_buffer(
        &mut self,
        table: PrepareBuffer,
        records_total: u64,
        progress: &mut (dyn FnMut(Progress) + Send),
        cancel: &CancellationToken,
    ) -> Result<Vec<u8>, ZkError> {
        if cancel.is_cancelled() {
            return Err(ZkError::Cancelled);
        }
        let r = self.exchange(cmd::PREPARE_BUFFER, table.encode()).await?;
        let size = match r.command {
            // Small tables come inline.
            cmd::DATA => {
                let n = r.payload.len() as u64;
                progress(Progress {
                    bytes_done: n,
                    bytes_total: n,
                    records_done: records_total,
                    records_total,
                });
                let _ = self.free_data().await;
                return Ok(r.payload);
            }
            cmd::ACK_OK => codec::bulk::decode_buffer_ready(&r.payload)
                .map_err(|e| ZkError::from_codec(e, &r.payload))?,
            _ => {
                self.expect_ok(cmd::PREPARE_BUFFER, r).await?;
                return Err(ZkError::ProtocolViolation {
                    detail: "PREPARE_BUFFER acknowledged without a size".into(),
                    hex: String::new(),
                });
            }
        };
        let result = self
            .read_chunks(size, records_total, progress, cancel)
            .await;
        let freed = self.free_data().await;
        let data = result?;
        freed?;
        Ok(data)
    }

    async fn read_chunks(
        &mut self,
        size: u32,
        records_total: u64,
        progress: &mut (dyn FnMut(Progress) + Send),
        cancel: &CancellationToken,
    ) -> Result<Vec<u8>, ZkError> {
        let max = if self.link.is_udp() {
            codec::UDP_CHUNK
        } else {
            codec::TCP_CHUNK
        };
        let mut data = Vec::with_capacity(size as usize);
        let report = |done: usize| {
            // The first 4 bytes are the table's size prefix, not records.
            let payload = (size as u64).saturating_sub(4);
            let records_done = ((done as u64).saturating_sub(4) * records_total)
                .checked_div(payload)
                .unwrap_or(records_total);
            Progress {
                bytes_done: done as u64,
                bytes_total: size as u64,
                records_done,
                records_total,
            }
        };
        progress(report(0));
        for chunk in codec::bulk::plan_chunks(size, max) {
            if cancel.is_cancelled() {
                return Err(ZkError::Cancelled);
            }
            let before = data.len();
            let mut attempt = 0;
            loop {
                let read = tokio::select! {
                    r = self.read_chunk(chunk, &mut data) => r,
                    () = cancel.cancelled() => Err(ZkError::Cancelled),
                };
                match read {
                    Ok(()) => break,
                    Err(ZkError::TimedOut { .. } | ZkError::ProtocolViolation { .. })
                        if self.link.is_udp() && attempt < self.opts.retries =>
                    {
                        attempt += 1;
                        data.truncate(before);
                        tracing::debug!(offset = chunk.offset, attempt, "retrying lost UDP chunk");
                    }
                    Err(e) => return Err(e),
                }
            }
            progress(report(data.len()));
        }
        Ok(data)
    }

    /// One READ_CHUNK: PREPARE_DATA then DATA packet(s) (ACK_OK follows and is skipped later), or
    /// a single DATA packet.
    async fn read_chunk(&mut self, chunk: ReadChunk, out: &mut Vec<u8>) -> Result<(), ZkError> {
        let rid = self.next_reply_id();
        let req = Packet::new(cmd::READ_CHUNK, self.session_id, rid, chunk.encode());
        self.link.send(&req).await?;
        let first = self.recv_reply(rid, cmd::READ_CHUNK).await?;
        let want = chunk.len as usize;
        let start = out.len();
        match first.command {
            cmd::DATA => {
                if first.payload.len() != want {
                    return Err(violation(
                        &format!("chunk at {} should have {want} bytes", chunk.offset),
                        &first,
                    ));
                }
                out.extend_from_slice(&first.payload);
                Ok(())
            }
            cmd::PREPARE_DATA => {
                let len = codec::bulk::decode_prepare_data(&first.payload)
                    .map_err(|e| ZkError::from_codec(e, &first.payload))?;
                if len as usize != want {
                    return Err(violation(
                        &format!("terminal announced {len} bytes for a {want}-byte chunk"),
                        &first,
                    ));
                }
                while out.len() - start < want {
                    let p = self.recv_reply(rid, cmd::READ_CHUNK).await?;
                    match p.command {
                        cmd::DATA if out.len() - start + p.payload.len() <= want => {
                            out.extend_from_slice(&p.payload)
                        }
                        cmd::DATA => return Err(violation("more chunk data than announced", &p)),
                        cmd::ACK_OK => {
                            return Err(ZkError::ProtocolViolation {
                                detail: format!(
                                    "chunk at {} ended after {} of {want} bytes (a datagram was lost)",
                                    chunk.offset,
                                    out.len() - start
                                ),
                                hex: String::new(),
                            });
                        }
                        _ => return Err(violation("unexpected packet inside a chunk", &p)),
                    }
                }
                Ok(())
            }
            _ => {
                self.expect_ok(cmd::READ_CHUNK, first).await?;
                Err(ZkError::ProtocolViolation {
                    detail: "READ_CHUNK acknowledged without data".into(),
                    hex: String::new(),
                })
            }
        }
    }

    /// Record layout for writes: the one seen in the last user read, else detected by reading
    /// users, else [`ClientOptions::user_format`] or 72 bytes.
    pub async fn user_format(&mut self) -> Result<UserFormat, ZkError> {
        if let Some(f) = self.user_format {
            return Ok(f);
        }
        let t = self.read_users().await?;
        Ok(t.format.unwrap_or(UserFormat::B72))
    }

    /// Creates or replaces the user in slot `user.uid`, then REFRESH_DATA.
    pub async fn set_user(&mut self, user: &UserRecord) -> Result<(), ZkError> {
        let format = self.user_format().await?;
        let rec =
            codec::encode_user(user, format, self.opts.encoding).map_err(ZkError::from_input)?;
        self.simple(Request::SetUser(rec)).await?;
        self.simple(Request::RefreshData).await?;
        Ok(())
    }

    /// Every fingerprint template (table 7). None when the terminal reports no fingerprints
    /// (some firmware refuses the read of an empty table).
    pub async fn read_templates(&mut self) -> Result<Vec<codec::FingerTemplate>, ZkError> {
        let count = self.free_sizes().await?.fingerprints as usize;
        if count == 0 {
            return Ok(Vec::new());
        }
        let data = self
            .read_buffer(
                PrepareBuffer::TEMPLATES,
                count as u64,
                &mut |_| {},
                &CancellationToken::new(),
            )
            .await?;
        codec::decode_template_table(&data).map_err(|e| ZkError::from_codec(e, &data))
    }

    /// Deletes one fingerprint template (DELETE_USERTEMP), then REFRESH_DATA.
    pub async fn delete_template(&mut self, uid: u16, finger: u8) -> Result<(), ZkError> {
        self.simple(Request::DeleteTemplate { uid, finger }).await?;
        self.simple(Request::RefreshData).await?;
        Ok(())
    }

    /// Deletes the user in slot `uid`, then REFRESH_DATA.
    pub async fn delete_user(&mut self, uid: u16) -> Result<(), ZkError> {
        self.simple(Request::DeleteUser(uid)).await?;
        self.simple(Request::RefreshData).await?;
        Ok(())
    }

    async fn modify_user(
        &mut self,
        uid: u16,
        change: impl FnOnce(&mut UserRecord),
    ) -> Result<UserRecord, ZkError> {
        let table = self.read_users().await?;
        let mut user = table
            .users
            .into_iter()
            .find(|u| u.uid == uid)
            .ok_or_else(|| {
                ZkError::InvalidInput(format!("no user with uid {uid} on the terminal"))
            })?;
        change(&mut user);
        self.set_user(&user).await?;
        Ok(user)
    }

    /// Clears a user's password (keeps everything else). Returns the updated user.
    pub async fn remove_password(&mut self, uid: u16) -> Result<UserRecord, ZkError> {
        self.modify_user(uid, |u| u.password.clear()).await
    }

    /// Demotes a user to a plain user (keeps the disabled flag). Returns the updated user.
    pub async fn remove_admin(&mut self, uid: u16) -> Result<UserRecord, ZkError> {
        self.modify_user(uid, |u| u.privilege = u.privilege.demoted())
            .await
    }

    /// Deletes every attendance record on the terminal.
    pub async fn clear_attendance(&mut self) -> Result<(), ZkError> {
        self.simple(Request::ClearAttendance).await.map(drop)
    }

    /// Sends EXIT and closes the link. A missing EXIT acknowledgement is not an error.
    pub async fn disconnect(mut self) -> Result<(), ZkError> {
        let r = self.exchange(cmd::EXIT, Vec::new()).await;
        self.link.shutdown().await;
        match r {
            Ok(_) | Err(ZkError::Disconnected | ZkError::TimedOut { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Sends any request and returns the raw reply. Crate-internal on purpose: callers get
    /// typed operations, and the auditor relies on [`codec::is_read_only_command`].
    #[allow(dead_code)]
    pub(crate) async fn send_raw(
        &mut self,
        command: u16,
        payload: Vec<u8>,
    ) -> Result<Packet, ZkError> {
        self.link.reset_buffer();
        self.exchange(command, payload).await
    }
}

fn cmd_name(c: u16) -> String {
    codec::command_name(c).map_or_else(|| format!("command {c}"), str::to_string)
}

fn violation(detail: &str, p: &Packet) -> ZkError {
    ZkError::ProtocolViolation {
        detail: format!(
            "{detail}: got {} ({} payload bytes)",
            cmd_name(p.command),
            p.payload.len()
        ),
        hex: hex::encode(p.encode().get(..64).unwrap_or(&p.encode())),
    }
}

mod serial {
    //! Opens a serial port with the profile's line settings (8N1). Only this function knows
    //! tokio-serial.
    use tokio_serial::{DataBits, Parity, SerialPortBuilderExt, SerialStream, StopBits};

    use crate::codec::SerialProfile;

    pub(super) fn open(
        path: &str,
        profile: SerialProfile,
    ) -> Result<SerialStream, tokio_serial::Error> {
        tokio_serial::new(path, profile.baud)
            .data_bits(DataBits::Eight)
            .parity(Parity::None)
            .stop_bits(StopBits::One)
            .open_native_async()
    }
}
