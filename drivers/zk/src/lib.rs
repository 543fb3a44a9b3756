//! `kaoqin-zk`: the ZKTeco "pull" protocol (port 4370, TCP/UDP, and serial) for Kaoqin.
//!
//! # API overview
//!
//! **Codec** ([`codec`], sans-IO, usable by the simulator in both directions):
//! - [`codec::Packet`] (`command, session_id, reply_id, payload`): `encode()` = UDP datagram,
//!   `Packet::decode(bytes)` verifies the checksum. [`codec::checksum`].
//! - TCP/serial framing: [`codec::encode_tcp`], [`codec::decode_tcp_frame`] (exactly one frame),
//!   and the streaming [`codec::TcpDeframer`] (`push(bytes)`, `next_packet() -> Option<Result>`).
//!   Serial uses the same frames via [`codec::SerialProfile`] (baud + machine number).
//!   UDP: [`codec::split_udp_data`] (terminal side) and [`codec::ChunkAssembler`] (client side).
//! - Requests: [`codec::Request`] (`to_packet(session, reply)` / `Request::decode(&packet)`),
//!   replies with [`codec::reply`]; command codes in [`codec::command`];
//!   [`codec::is_read_only_command`] is the auditor whitelist.
//! - Payloads: [`codec::bulk`] (prepare buffer, read chunk, PREPARE_DATA, table size prefix),
//!   [`codec::FreeSizes`], [`codec::options`] (`"~Key=Value\0"`), [`codec::encode_time`] /
//!   [`codec::decode_time`], [`codec::make_commkey`], [`codec::event`] (realtime punches).
//! - Records: [`codec::UserRecord`] in [`codec::UserFormat`] 28/72 bytes,
//!   [`codec::AttendanceRecord`] in [`codec::AttFormat`] 8/16/40/49 bytes; single records
//!   (`encode_user`, `decode_attendance`, …) and whole tables with their u32 size prefix
//!   (`encode_attendance_table`, `decode_attendance_table(data, count, enc)`, which detects the
//!   size from total/count and names an unknown size in the error).
//! - Text: [`codec::TextEncoding`] (GBK default, UTF-8), names cut on character boundaries.
//!
//! **Client** ([`client`], tokio):
//! - `ZkClient::connect(Endpoint::Tcp(addr) | Endpoint::Udp(addr) | Endpoint::Serial { path, baud,
//!   machine }, ClientOptions { comm_key, encoding, timeout, retries, read_only, user_format })`,
//!   or `ZkClient::connect_stream(any AsyncRead+AsyncWrite, name, opts)` (pty, tests).
//! - Reads: `device_info()`, `firmware_version()`, `read_option(key)`, `free_sizes()`,
//!   `get_time()`, `state()`, `read_users()` / `read_users_with(progress, cancel)`,
//!   `read_attendance()` / `read_attendance_with(&mut |p: Progress| .., &CancellationToken)`.
//! - Writes: `set_time(t)`, `set_user(&UserRecord)`, `delete_user(uid)`, `remove_password(uid)`,
//!   `remove_admin(uid)`, `clear_attendance()`, `free_data()`, `disconnect()`.
//! - Disable: `with_disabled(timeout, async |c| { .. })` enables again on every return path; the
//!   terminal's own auto re-enable timeout covers drops, panics and crashes. Manual
//!   `disable(timeout)` / `enable()` also exist.
//! - Errors: [`ZkError`] (`Unreachable`, `CommKeyRequired`, `AuthenticationFailed`, `TimedOut`,
//!   `Busy`, `ProtocolViolation { detail, hex }`, `UnsupportedRecordFormat { kind, size }`,
//!   `Rejected`, `UnknownCommand`, `ReadOnly`, `Disconnected`, `Cancelled`, `InvalidInput`, `Io`).

pub mod client;
pub mod codec;

pub use client::{
    AttendanceLog, CancellationToken, ClientOptions, DeviceInfo, Endpoint, Progress, UserTable,
    ZkClient, ZkError,
};
