//! Realtime events (cmd 500, event code in the session field, reply id 0): REG_EVENT flags and
//! the ATTLOG event body in the lengths pyzk accepts. Must not acknowledge events (the client does).

use chrono::NaiveDateTime;

use super::attendance::{PunchState, VerifyMode};
use super::command::{EVENT_ATTLOG, REG_EVENT};
use super::error::{CodecError, hex_preview};
use super::packet::Packet;
use super::text::TextEncoding;
use super::time::{decode_event_time, encode_event_time};

/// A realtime event packet, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RealtimeEvent {
    Attendance {
        user_id: String,
        verify: VerifyMode,
        state: PunchState,
        timestamp: NaiveDateTime,
    },
    /// Any other event code, with its raw payload.
    Other { code: u16, payload: Vec<u8> },
}

/// Decodes a cmd-500 packet sent by the terminal.
pub fn decode_event(packet: &Packet, enc: TextEncoding) -> Result<RealtimeEvent, CodecError> {
    if packet.command != REG_EVENT {
        return Err(CodecError::Malformed {
            what: "realtime event (command is not 500)",
            hex: hex_preview(&packet.payload),
        });
    }
    let code = packet.session_id;
    if code != EVENT_ATTLOG {
        return Ok(RealtimeEvent::Other {
            code,
            payload: packet.payload.clone(),
        });
    }
    let p = &packet.payload;
    let bad = || CodecError::Malformed {
        what: "attendance event",
        hex: hex_preview(p),
    };
    // (user id width, then status and punch bytes, then the 6-byte time)
    let id_width = match p.len() {
        10 => 2,
        12 => 4,
        14 => 4,
        32 | 36 | 37 => 24,
        n if n >= 52 => 24,
        _ => return Err(bad()),
    };
    let id = p.get(..id_width).ok_or_else(bad)?;
    let user_id = match id_width {
        2 => u16::from_le_bytes([id[0], id[1]]).to_string(),
        4 => u32::from_le_bytes([id[0], id[1], id[2], id[3]]).to_string(),
        _ => enc.decode_field(id),
    };
    let verify = *p.get(id_width).ok_or_else(bad)?;
    let state = *p.get(id_width + 1).ok_or_else(bad)?;
    let t: [u8; 6] = p
        .get(id_width + 2..id_width + 8)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(bad)?;
    Ok(RealtimeEvent::Attendance {
        user_id,
        verify: VerifyMode::from_u8(verify),
        state: PunchState::from_u8(state),
        timestamp: decode_event_time(t)?,
    })
}

/// The 32-byte ATTLOG event body (F19 layout): user id[24], verify, state, 6-byte time.
pub fn encode_attendance_event(
    user_id: &str,
    verify: VerifyMode,
    state: PunchState,
    timestamp: NaiveDateTime,
    enc: TextEncoding,
) -> Result<Vec<u8>, CodecError> {
    let mut v = vec![0u8; 32];
    enc.write_field_exact("user id", user_id, &mut v[..24])?;
    v[24] = verify.as_u8();
    v[25] = state.as_u8();
    v[26..32].copy_from_slice(&encode_event_time(timestamp)?);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f19_event_roundtrip() {
        let mut payload = b"999111333".to_vec();
        payload.resize(24, 0);
        payload.extend([0x01, 0x00, 0x12, 0x06, 0x19, 0x11, 0x29, 0x05]);
        let p = Packet::new(REG_EVENT, EVENT_ATTLOG, 0, payload.clone());
        let ev = decode_event(&p, TextEncoding::Gbk).unwrap();
        let RealtimeEvent::Attendance {
            user_id,
            verify,
            state,
            timestamp,
        } = ev.clone()
        else {
            panic!("not attendance: {ev:?}");
        };
        assert_eq!(user_id, "999111333");
        assert_eq!(verify, VerifyMode::Fingerprint);
        assert_eq!(state, PunchState::CheckIn);
        assert_eq!(
            encode_attendance_event(&user_id, verify, state, timestamp, TextEncoding::Gbk).unwrap(),
            payload
        );
        let short = Packet::new(REG_EVENT, EVENT_ATTLOG, 0, vec![1, 2, 3]);
        assert!(decode_event(&short, TextEncoding::Gbk).is_err());
    }
}
