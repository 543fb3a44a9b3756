//! Sans-IO codec of the ZK pull protocol: bytes in, values out and back. No sockets, no tokio,
//! no clock reads; every decoder returns a value or a [`CodecError`], never panics.

pub mod attendance;
pub mod bulk;
pub mod command;
pub mod commkey;
pub mod error;
pub mod event;
pub mod options;
pub mod packet;
pub mod request;
pub mod serial_profile;
pub mod sizes;
pub mod tcp;
pub mod template;
pub mod text;
pub mod time;
pub mod udp;
pub mod user;

pub use attendance::{
    AttFormat, AttendanceRecord, PunchState, VerifyMode, decode_attendance,
    decode_attendance_table, detect_att_format, encode_attendance, encode_attendance_table,
};
pub use bulk::{PrepareBuffer, ReadChunk};
pub use command::{command_name, is_read_only_command};
pub use commkey::make_commkey;
pub use error::CodecError;
pub use event::{RealtimeEvent, decode_event, encode_attendance_event};
pub use packet::{HEADER_LEN, Packet, checksum};
pub use request::{Request, reply};
pub use serial_profile::SerialProfile;
pub use sizes::FreeSizes;
pub use tcp::{TcpDeframer, decode_tcp_frame, encode_tcp};
pub use template::{FingerTemplate, decode_template_table, encode_template_table};
pub use text::TextEncoding;
pub use time::{decode_time, encode_time};
pub use udp::{ChunkAssembler, TCP_CHUNK, UDP_CHUNK, UDP_DATA_MAX_PAYLOAD, split_udp_data};
pub use user::{
    Privilege, UserFormat, UserRecord, decode_user, decode_user_table, detect_user_format,
    encode_user, encode_user_table,
};
