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
//! **Client** ([`client`], tokio): see the module documentation.

pub mod client;
pub mod codec;

pub use client::{
    AttendanceLog, CancellationToken, ClientOptions, DeviceInfo, Endpoint, Progress, UserTable,
    ZkClient, ZkError,
};
