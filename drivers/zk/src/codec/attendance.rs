//! Attendance records in the 8-, 16-, 40- and 49-byte layouts, their value types (in/out state,
//! verify mode), and size detection for a bulk log. Must not interpret punches (that is the
//! domain's job) and must never guess a record size silently.
//!
//! Layouts (byte offsets):
//! - 8 B (ZEM500, pyzk #99): uid u16 @0, packed status byte @2, 0 @3, time u32 @4. pyzk reads
//!   time at @3, which yields dates in the 2080s for the published records; #99's layout yields
//!   2016 and is used here. The packed byte's meaning is unknown, so it is kept as
//!   `VerifyMode::Unknown(b)`/`from_u8` and the state is `Undefined`.
//! - 16 B (official TExtendAttLog): PIN u32 @0, time @4, status (in/out) @8, verified @9,
//!   reserved @10..12, workcode u32 @12. NB: pyzk names @8 "status" and @9 "punch".
//! - 40 B: uid u16 @0, user_id[24] @2, verify @26, time @27, state @31, reserved @32..40.
//!   pyzk: status=@26, punch=@31.
//! - 49 B: as 40 B, then 12 reserved + 5 padding bytes (`<H24sB4sB12s5x`).
//!
//! The work code is only carried by the 16-byte layout.

use chrono::NaiveDateTime;

use super::error::CodecError;
use super::text::TextEncoding;
use super::time::{decode_time, encode_time};

/// In/out state of a punch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PunchState {
    CheckIn,
    CheckOut,
    BreakOut,
    BreakIn,
    OvertimeIn,
    OvertimeOut,
    /// 255: the terminal did not ask.
    Undefined,
    Unknown(u8),
}

impl PunchState {
    pub fn from_u8(v: u8) -> Self {
        match v {
            0 => PunchState::CheckIn,
            1 => PunchState::CheckOut,
            2 => PunchState::BreakOut,
            3 => PunchState::BreakIn,
            4 => PunchState::OvertimeIn,
            5 => PunchState::OvertimeOut,
            255 => PunchState::Undefined,
            n => PunchState::Unknown(n),
        }
    }

    pub fn as_u8(self) -> u8 {
        match self {
            PunchState::CheckIn => 0,
            PunchState::CheckOut => 1,
            PunchState::BreakOut => 2,
            PunchState::BreakIn => 3,
            PunchState::OvertimeIn => 4,
            PunchState::OvertimeOut => 5,
            PunchState::Undefined => 255,
            PunchState::Unknown(n) => n,
        }
    }
}

/// How the person was verified. Codes other than 0/1/2/15 are device-specific.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerifyMode {
    Password,
    Fingerprint,
    Card,
    Face,
    Unknown(u8),
}

impl VerifyMode {
    pub fn from_u8(v: u8) -> Self {
        match v {
            0 => VerifyMode::Password,
            1 => VerifyMode::Fingerprint,
            2 => VerifyMode::Card,
            15 => VerifyMode::Face,
            n => VerifyMode::Unknown(n),
        }
    }

    pub fn as_u8(self) -> u8 {
        match self {
            VerifyMode::Password => 0,
            VerifyMode::Fingerprint => 1,
            VerifyMode::Card => 2,
            VerifyMode::Face => 15,
            VerifyMode::Unknown(n) => n,
        }
    }
}

/// Layout of attendance records on a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttFormat {
    B8,
    B16,
    B40,
    B49,
}

impl AttFormat {
    pub const ALL: [AttFormat; 4] = [
        AttFormat::B8,
        AttFormat::B16,
        AttFormat::B40,
        AttFormat::B49,
    ];

    pub fn size(self) -> usize {
        match self {
            AttFormat::B8 => 8,
            AttFormat::B16 => 16,
            AttFormat::B40 => 40,
            AttFormat::B49 => 49,
        }
    }

    pub fn from_size(size: usize) -> Result<Self, CodecError> {
        match size {
            8 => Ok(AttFormat::B8),
            16 => Ok(AttFormat::B16),
            40 => Ok(AttFormat::B40),
            49 => Ok(AttFormat::B49),
            _ => Err(CodecError::UnsupportedRecordFormat {
                kind: "attendance",
                size,
            }),
        }
    }
}

/// One punch.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttendanceRecord {
    /// Internal slot number, present in 8/40/49-byte records.
    pub uid: Option<u16>,
    /// Enrollment number (the user id people know). 8-byte records only have the uid, which is
    /// used here as text.
    pub user_id: String,
    /// Terminal-local time (no zone).
    pub timestamp: NaiveDateTime,
    pub verify: VerifyMode,
    pub state: PunchState,
    pub work_code: u32,
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    match b.get(i..i + 4) {
        Some(&[a, c, d, e]) => u32::from_le_bytes([a, c, d, e]),
        _ => 0,
    }
}

/// Decodes one record; `bytes` must be exactly the record size.
pub fn decode_attendance(
    bytes: &[u8],
    format: AttFormat,
    enc: TextEncoding,
) -> Result<AttendanceRecord, CodecError> {
    if bytes.len() != format.size() {
        return Err(CodecError::WrongLength {
            what: "attendance record",
            expected: format.size(),
            got: bytes.len(),
        });
    }
    let b = bytes;
    let uid16 = u16::from_le_bytes([b[0], b[1]]);
    Ok(match format {
        AttFormat::B8 => AttendanceRecord {
            uid: Some(uid16),
            user_id: uid16.to_string(),
            timestamp: decode_time(u32_at(b, 4))?,
            verify: VerifyMode::from_u8(b[2]),
            state: PunchState::Undefined,
            work_code: 0,
        },
        AttFormat::B16 => AttendanceRecord {
            uid: None,
            user_id: u32_at(b, 0).to_string(),
            timestamp: decode_time(u32_at(b, 4))?,
            state: PunchState::from_u8(b[8]),
            verify: VerifyMode::from_u8(b[9]),
            work_code: u32_at(b, 12),
        },
        AttFormat::B40 | AttFormat::B49 => AttendanceRecord {
            uid: Some(uid16),
            user_id: enc.decode_field(b.get(2..26).unwrap_or_default()),
            verify: VerifyMode::from_u8(b[26]),
            timestamp: decode_time(u32_at(b, 27))?,
            state: PunchState::from_u8(b[31]),
            work_code: 0,
        },
    })
}

/// Appends one encoded record to `out`. Fields the layout cannot carry are dropped
/// (8 B: state, work code; 40/49 B: work code); a user id that does not fit is an error.
pub fn encode_attendance_into(
    r: &AttendanceRecord,
    format: AttFormat,
    enc: TextEncoding,
    out: &mut Vec<u8>,
) -> Result<(), CodecError> {
    let t = encode_time(r.timestamp)?.to_le_bytes();
    // Validate the id before touching `out`, so an error leaves it unchanged.
    let mut id_field = [0u8; 24];
    let mut pin = 0u32;
    match format {
        AttFormat::B16 => {
            pin = r
                .user_id
                .parse()
                .map_err(|_| CodecError::NonNumericUserId(r.user_id.clone()))?;
        }
        AttFormat::B40 | AttFormat::B49 => {
            enc.write_field_exact("user id", &r.user_id, &mut id_field)?;
        }
        AttFormat::B8 => {}
    }
    let start = out.len();
    out.resize(start + format.size(), 0);
    let b = &mut out[start..];
    let uid = r.uid.unwrap_or(0).to_le_bytes();
    match format {
        AttFormat::B8 => {
            b[0..2].copy_from_slice(&uid);
            b[2] = r.verify.as_u8();
            b[4..8].copy_from_slice(&t);
        }
        AttFormat::B16 => {
            b[0..4].copy_from_slice(&pin.to_le_bytes());
            b[4..8].copy_from_slice(&t);
            b[8] = r.state.as_u8();
            b[9] = r.verify.as_u8();
            b[12..16].copy_from_slice(&r.work_code.to_le_bytes());
        }
        AttFormat::B40 | AttFormat::B49 => {
            b[0..2].copy_from_slice(&uid);
            b[2..26].copy_from_slice(&id_field);
            b[26] = r.verify.as_u8();
            b[27..31].copy_from_slice(&t);
            b[31] = r.state.as_u8();
        }
    }
    Ok(())
}

/// One encoded record.
pub fn encode_attendance(
    r: &AttendanceRecord,
    format: AttFormat,
    enc: TextEncoding,
) -> Result<Vec<u8>, CodecError> {
    let mut v = Vec::with_capacity(format.size());
    encode_attendance_into(r, format, enc, &mut v)?;
    Ok(v)
}

/// Record size from the log's byte length and the record count from GET_FREE_SIZES.
/// An unknown size is an error naming the size; a length that does not divide is an error too.
pub fn detect_att_format(total: usize, count: usize) -> Result<AttFormat, CodecError> {
    if count == 0 || !total.is_multiple_of(count) {
        return Err(CodecError::RecordCountMismatch {
            kind: "attendance",
            total,
            count,
        });
    }
    AttFormat::from_size(total / count)
}

/// Decodes a bulk attendance log (leading u32 size, then records).
pub fn decode_attendance_table(
    data: &[u8],
    count: usize,
    enc: TextEncoding,
) -> Result<(Option<AttFormat>, Vec<AttendanceRecord>), CodecError> {
    let records = super::bulk::split_table(data)?;
    if records.is_empty() {
        return Ok((None, Vec::new()));
    }
    let format = detect_att_format(records.len(), count)?;
    let out = records
        .chunks_exact(format.size())
        .map(|r| decode_attendance(r, format, enc))
        .collect::<Result<_, _>>()?;
    Ok((Some(format), out))
}

/// Encodes a bulk attendance log (leading u32 size, then records).
pub fn encode_attendance_table(
    records: &[AttendanceRecord],
    format: AttFormat,
    enc: TextEncoding,
) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(4 + records.len() * format.size());
    out.extend_from_slice(&((records.len() * format.size()) as u32).to_le_bytes());
    for r in records {
        encode_attendance_into(r, format, enc, &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn roundtrip_all_formats() {
        let full = AttendanceRecord {
            uid: Some(7),
            user_id: "10036".into(),
            timestamp: dt("2024-03-01 08:59:30"),
            verify: VerifyMode::Face,
            state: PunchState::CheckOut,
            work_code: 42,
        };
        for format in AttFormat::ALL {
            let bytes = encode_attendance(&full, format, TextEncoding::Gbk).unwrap();
            assert_eq!(bytes.len(), format.size());
            let back = decode_attendance(&bytes, format, TextEncoding::Gbk).unwrap();
            let mut want = full.clone();
            match format {
                AttFormat::B8 => {
                    want.user_id = "7".into();
                    want.state = PunchState::Undefined;
                    want.work_code = 0;
                }
                AttFormat::B16 => want.uid = None,
                AttFormat::B40 | AttFormat::B49 => want.work_code = 0,
            }
            assert_eq!(back, want, "{format:?}");
        }
    }

    #[test]
    fn detection_names_the_size() {
        for (total, count, want) in [
            (80, 10, Ok(AttFormat::B8)),
            (160, 10, Ok(AttFormat::B16)),
            (400, 10, Ok(AttFormat::B40)),
            (490, 10, Ok(AttFormat::B49)),
            (
                360,
                10,
                Err(CodecError::UnsupportedRecordFormat {
                    kind: "attendance",
                    size: 36,
                }),
            ),
        ] {
            assert_eq!(detect_att_format(total, count), want);
        }
        assert!(detect_att_format(401, 10).is_err());
        assert!(detect_att_format(400, 0).is_err());
    }

    #[test]
    fn enums_keep_unknown_values() {
        for v in 0..=255u8 {
            assert_eq!(PunchState::from_u8(v).as_u8(), v);
            assert_eq!(VerifyMode::from_u8(v).as_u8(), v);
        }
        assert_eq!(VerifyMode::from_u8(4), VerifyMode::Unknown(4));
    }
}
