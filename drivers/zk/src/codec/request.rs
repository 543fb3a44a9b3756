//! Typed client requests: build the packet a client sends, and decode a received packet into a
//! request (what the simulator does). Must not hold session state: session and reply ids are
//! passed in.

use chrono::NaiveDateTime;

use super::bulk::{PrepareBuffer, ReadChunk};
use super::command as cmd;
use super::error::{CodecError, hex_preview};
use super::options::{
    decode_disable_timeout, decode_option_pair, decode_option_request, encode_disable_timeout,
    encode_option_pair, encode_option_request,
};
use super::packet::Packet;
use super::time::{decode_time, encode_time};

/// Everything a client asks of a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Connect,
    Exit,
    /// 4-byte payload from [`super::commkey::make_commkey`].
    Auth([u8; 4]),
    GetVersion,
    ReadOption(String),
    WriteOption {
        key: String,
        value: String,
    },
    GetFreeSizes,
    GetTime,
    SetTime(NaiveDateTime),
    GetState,
    /// `None` = stay disabled until ENABLE; `Some(s)` = re-enable automatically after s seconds.
    Disable(Option<u32>),
    Enable,
    RefreshData,
    RefreshOption,
    PrepareBuffer(PrepareBuffer),
    ReadChunk(ReadChunk),
    FreeData,
    /// One bare 28- or 72-byte user record (decode with [`super::user::decode_user`]).
    SetUser(Vec<u8>),
    DeleteUser(u16),
    /// DELETE_USERTEMP: one fingerprint template of a user.
    DeleteTemplate {
        uid: u16,
        finger: u8,
    },
    ClearAttendance,
    ClearData,
    RegisterEvents(u32),
    StartVerify,
    CancelCapture,
    /// A client's ACK_OK (acknowledging a realtime event). Terminals never answer it.
    AckOk,
    /// Anything else, kept raw (the terminal answers ACK_UNKNOWN).
    Other {
        command: u16,
        payload: Vec<u8>,
    },
}

impl Request {
    /// The command code and payload.
    pub fn to_parts(&self) -> Result<(u16, Vec<u8>), CodecError> {
        Ok(match self {
            Request::Connect => (cmd::CONNECT, vec![]),
            Request::Exit => (cmd::EXIT, vec![]),
            Request::Auth(k) => (cmd::AUTH, k.to_vec()),
            Request::GetVersion => (cmd::GET_VERSION, vec![]),
            Request::ReadOption(k) => (cmd::OPTIONS_RRQ, encode_option_request(k)),
            Request::WriteOption { key, value } => {
                (cmd::OPTIONS_WRQ, encode_option_pair(key, value))
            }
            Request::GetFreeSizes => (cmd::GET_FREE_SIZES, vec![]),
            Request::GetTime => (cmd::GET_TIME, vec![]),
            Request::SetTime(t) => (cmd::SET_TIME, encode_time(*t)?.to_le_bytes().to_vec()),
            Request::GetState => (cmd::STATE_RRQ, vec![]),
            Request::Disable(t) => (cmd::DISABLE_DEVICE, encode_disable_timeout(*t)),
            Request::Enable => (cmd::ENABLE_DEVICE, vec![]),
            Request::RefreshData => (cmd::REFRESH_DATA, vec![]),
            Request::RefreshOption => (cmd::REFRESH_OPTION, vec![]),
            Request::PrepareBuffer(p) => (cmd::PREPARE_BUFFER, p.encode()),
            Request::ReadChunk(r) => (cmd::READ_CHUNK, r.encode()),
            Request::FreeData => (cmd::FREE_DATA, vec![]),
            Request::SetUser(rec) => (cmd::USER_WRQ, rec.clone()),
            Request::DeleteUser(uid) => (cmd::DELETE_USER, uid.to_le_bytes().to_vec()),
            Request::DeleteTemplate { uid, finger } => (
                cmd::DELETE_USERTEMP,
                super::template::encode_delete_template(*uid, *finger),
            ),
            Request::ClearAttendance => (cmd::CLEAR_ATTLOG, vec![]),
            Request::ClearData => (cmd::CLEAR_DATA, vec![]),
            Request::RegisterEvents(f) => (cmd::REG_EVENT, f.to_le_bytes().to_vec()),
            Request::StartVerify => (cmd::START_VERIFY, vec![]),
            Request::CancelCapture => (cmd::CANCEL_CAPTURE, vec![]),
            Request::AckOk => (cmd::ACK_OK, vec![]),
            Request::Other { command, payload } => (*command, payload.clone()),
        })
    }

    /// The packet for this request.
    pub fn to_packet(&self, session_id: u16, reply_id: u16) -> Result<Packet, CodecError> {
        let (c, p) = self.to_parts()?;
        Ok(Packet::new(c, session_id, reply_id, p))
    }

    /// The command code.
    pub fn command(&self) -> u16 {
        self.to_parts().map_or(0, |(c, _)| c)
    }

    /// Decodes a packet received by a terminal.
    pub fn decode(packet: &Packet) -> Result<Request, CodecError> {
        let p = &packet.payload;
        let fixed = |what: &'static str, n: usize| -> Result<&[u8], CodecError> {
            if p.len() == n {
                Ok(p.as_slice())
            } else {
                Err(CodecError::Malformed {
                    what,
                    hex: hex_preview(p),
                })
            }
        };
        Ok(match packet.command {
            cmd::CONNECT => Request::Connect,
            cmd::EXIT => Request::Exit,
            cmd::AUTH => {
                let b = fixed("auth payload (4 bytes)", 4)?;
                Request::Auth([b[0], b[1], b[2], b[3]])
            }
            cmd::GET_VERSION => Request::GetVersion,
            cmd::OPTIONS_RRQ => Request::ReadOption(decode_option_request(p)?),
            cmd::OPTIONS_WRQ => {
                let (key, value) = decode_option_pair(p)?;
                Request::WriteOption { key, value }
            }
            cmd::GET_FREE_SIZES => Request::GetFreeSizes,
            cmd::GET_TIME => Request::GetTime,
            cmd::SET_TIME => {
                let b = fixed("set-time payload (4 bytes)", 4)?;
                Request::SetTime(decode_time(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))?)
            }
            cmd::STATE_RRQ => Request::GetState,
            cmd::DISABLE_DEVICE => Request::Disable(decode_disable_timeout(p)),
            cmd::ENABLE_DEVICE => Request::Enable,
            cmd::REFRESH_DATA => Request::RefreshData,
            cmd::REFRESH_OPTION => Request::RefreshOption,
            cmd::PREPARE_BUFFER => Request::PrepareBuffer(PrepareBuffer::decode(p)?),
            cmd::READ_CHUNK => Request::ReadChunk(ReadChunk::decode(p)?),
            cmd::FREE_DATA => Request::FreeData,
            cmd::USER_WRQ => match p.len() {
                28 | 72 => Request::SetUser(p.clone()),
                size => {
                    return Err(CodecError::UnsupportedRecordFormat { kind: "user", size });
                }
            },
            cmd::DELETE_USER => {
                let b = p.get(..2).ok_or_else(|| CodecError::Malformed {
                    what: "delete-user payload (u16 uid)",
                    hex: hex_preview(p),
                })?;
                Request::DeleteUser(u16::from_le_bytes([b[0], b[1]]))
            }
            cmd::DELETE_USERTEMP => {
                let (uid, finger) = super::template::decode_delete_template(p)?;
                Request::DeleteTemplate { uid, finger }
            }
            cmd::CLEAR_ATTLOG => Request::ClearAttendance,
            cmd::CLEAR_DATA => Request::ClearData,
            cmd::REG_EVENT => {
                let b = fixed("register-events payload (u32 flags)", 4)?;
                Request::RegisterEvents(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            }
            cmd::START_VERIFY => Request::StartVerify,
            cmd::CANCEL_CAPTURE => Request::CancelCapture,
            cmd::ACK_OK => Request::AckOk,
            other => Request::Other {
                command: other,
                payload: p.clone(),
            },
        })
    }
}

/// A reply packet from the terminal side: `command` (ACK_OK, DATA, …) echoing session and reply.
pub fn reply(command: u16, request: &Packet, payload: impl Into<Vec<u8>>) -> Packet {
    Packet::new(command, request.session_id, request.reply_id, payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_roundtrip_through_packets() {
        let t = NaiveDateTime::parse_from_str("2024-03-01 12:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let all = vec![
            Request::Connect,
            Request::Exit,
            Request::Auth([1, 2, 3, 4]),
            Request::GetVersion,
            Request::ReadOption("~SerialNumber".into()),
            Request::WriteOption {
                key: "LockOn".into(),
                value: "5".into(),
            },
            Request::GetFreeSizes,
            Request::GetTime,
            Request::SetTime(t),
            Request::GetState,
            Request::Disable(Some(60)),
            Request::Disable(None),
            Request::Enable,
            Request::RefreshData,
            Request::RefreshOption,
            Request::PrepareBuffer(PrepareBuffer::ATTLOG),
            Request::ReadChunk(ReadChunk { offset: 3, len: 4 }),
            Request::FreeData,
            Request::SetUser(vec![0; 72]),
            Request::DeleteUser(3),
            Request::DeleteTemplate { uid: 3, finger: 6 },
            Request::ClearAttendance,
            Request::ClearData,
            Request::RegisterEvents(1),
            Request::StartVerify,
            Request::CancelCapture,
            Request::AckOk,
            Request::Other {
                command: 4242,
                payload: vec![1],
            },
        ];
        for r in all {
            let p = r.to_packet(0x1234, 9).unwrap();
            let wire = Packet::decode(&p.encode()).unwrap();
            assert_eq!(Request::decode(&wire).unwrap(), r);
        }
    }

    #[test]
    fn malformed_payloads_are_errors() {
        for (c, payload) in [
            (cmd::AUTH, vec![1, 2]),
            (cmd::SET_TIME, vec![1]),
            (cmd::READ_CHUNK, vec![0; 7]),
            (cmd::USER_WRQ, vec![0; 30]),
            (cmd::DELETE_USER, vec![1]),
            (cmd::DELETE_USERTEMP, vec![1, 0]),
        ] {
            assert!(
                Request::decode(&Packet::new(c, 0, 0, payload)).is_err(),
                "cmd {c}"
            );
        }
    }
}
