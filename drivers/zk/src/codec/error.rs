//! Codec errors: every way a byte sequence can fail to be a valid ZK frame, packet or record.
//! Must not carry I/O errors; those belong to the client.

use thiserror::Error;

/// Why bytes could not be decoded (or values encoded). Decoders return this instead of panicking.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CodecError {
    #[error("{what}: need at least {need} bytes, got {got}")]
    TooShort {
        what: &'static str,
        need: usize,
        got: usize,
    },
    #[error("{what}: expected exactly {expected} bytes, got {got}")]
    WrongLength {
        what: &'static str,
        expected: usize,
        got: usize,
    },
    #[error("bad checksum: packet says {found:#06x}, computed {expected:#06x}")]
    BadChecksum { expected: u16, found: u16 },
    #[error("not a ZK TCP frame: expected 50 50 82 7d, got {found}")]
    BadMagic { found: String },
    #[error("frame length {declared} is too small (a packet needs at least 8 header bytes)")]
    LengthTooSmall { declared: u32 },
    #[error("frame length {declared} exceeds the limit of {max} bytes")]
    FrameTooLarge { declared: u32, max: u32 },
    #[error("{count} unexpected bytes after the declared frame length: {hex}")]
    TrailingBytes { count: usize, hex: String },
    #[error("terminal time value {raw} is not a valid date/time")]
    InvalidTime { raw: u32 },
    #[error("date/time {0} cannot be encoded (the terminal encoding covers 2000-01-01 to 2133)")]
    TimeOutOfRange(String),
    #[error("unsupported record format: {size}-byte {kind} records")]
    UnsupportedRecordFormat { kind: &'static str, size: usize },
    #[error("{kind} data of {total} bytes does not divide into {count} records")]
    RecordCountMismatch {
        kind: &'static str,
        total: usize,
        count: usize,
    },
    #[error("data block declares {declared} bytes but carries {actual}")]
    SizeMismatch { declared: usize, actual: usize },
    #[error("text {text:?} cannot be written in {encoding}")]
    TextNotEncodable {
        text: String,
        encoding: &'static str,
    },
    #[error("{field} {value:?} is longer than the {max} bytes the record holds")]
    FieldTooLong {
        field: &'static str,
        value: String,
        max: usize,
    },
    #[error("user id {0:?} must be a number up to 4294967295 in 28-byte user records")]
    NonNumericUserId(String),
    #[error("malformed {what}: {hex}")]
    Malformed { what: &'static str, hex: String },
}

/// Hex of at most the first 64 bytes, for error messages (full dumps of 64 KiB chunks help no one).
pub fn hex_preview(bytes: &[u8]) -> String {
    const MAX: usize = 64;
    if bytes.len() <= MAX {
        hex::encode(bytes)
    } else {
        format!(
            "{}… ({} bytes)",
            hex::encode(bytes.get(..MAX).unwrap_or_default()),
            bytes.len()
        )
    }
}
