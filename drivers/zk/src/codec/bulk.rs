//! Payloads of the buffered bulk read (docs/terminal-protocols.md §1 "Bulk read"): prepare-buffer
//! request and reply, read-chunk request, PREPARE_DATA announcement, and the leading u32 size of
//! a table. Must not drive the exchange (the client does) or hold state.

use super::command::{TABLE_ATTLOG, TABLE_USERS};
use super::error::{CodecError, hex_preview};

/// PREPARE_BUFFER request: `i8 1, i16 table, i32 fct, i32 ext` (11 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrepareBuffer {
    /// Table id: 9 users, 13 attendance, 7 templates, 0x22 oplog.
    pub table: u16,
    pub fct: u32,
    pub ext: u32,
}

/// FCT_USER in the users request.
pub const FCT_USER: u32 = 5;

impl PrepareBuffer {
    pub const USERS: PrepareBuffer = PrepareBuffer {
        table: TABLE_USERS as u16,
        fct: FCT_USER,
        ext: 0,
    };
    /// Fingerprint templates (table 7 = DB_RRQ, FCT_FINGERTMP).
    pub const TEMPLATES: PrepareBuffer = PrepareBuffer {
        table: super::command::DB_RRQ,
        fct: super::template::FCT_FINGERTMP,
        ext: 0,
    };
    pub const ATTLOG: PrepareBuffer = PrepareBuffer {
        table: TABLE_ATTLOG as u16,
        fct: 0,
        ext: 0,
    };

    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(11);
        v.push(1);
        v.extend_from_slice(&self.table.to_le_bytes());
        v.extend_from_slice(&self.fct.to_le_bytes());
        v.extend_from_slice(&self.ext.to_le_bytes());
        v
    }

    pub fn decode(p: &[u8]) -> Result<Self, CodecError> {
        match p {
            [_, t0, t1, f0, f1, f2, f3, e0, e1, e2, e3] => Ok(PrepareBuffer {
                table: u16::from_le_bytes([*t0, *t1]),
                fct: u32::from_le_bytes([*f0, *f1, *f2, *f3]),
                ext: u32::from_le_bytes([*e0, *e1, *e2, *e3]),
            }),
            _ => Err(CodecError::Malformed {
                what: "prepare-buffer request (11 bytes)",
                hex: hex_preview(p),
            }),
        }
    }
}

/// ACK_OK payload answering PREPARE_BUFFER: `00, u32 size, u32 size, u32 ?` (13 bytes).
pub fn encode_buffer_ready(size: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity(13);
    v.push(0);
    v.extend_from_slice(&size.to_le_bytes());
    v.extend_from_slice(&size.to_le_bytes());
    v.extend_from_slice(&0u32.to_le_bytes());
    v
}

/// Size of the staged buffer from the ACK_OK payload (bytes 1..5).
pub fn decode_buffer_ready(p: &[u8]) -> Result<u32, CodecError> {
    match p.get(1..5) {
        Some(&[a, b, c, d]) => Ok(u32::from_le_bytes([a, b, c, d])),
        _ => Err(CodecError::Malformed {
            what: "buffer-ready reply (needs 5+ bytes)",
            hex: hex_preview(p),
        }),
    }
}

/// READ_CHUNK request: `u32 offset, u32 len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadChunk {
    pub offset: u32,
    pub len: u32,
}

impl ReadChunk {
    pub fn encode(&self) -> Vec<u8> {
        let mut v = self.offset.to_le_bytes().to_vec();
        v.extend_from_slice(&self.len.to_le_bytes());
        v
    }

    pub fn decode(p: &[u8]) -> Result<Self, CodecError> {
        match p {
            [a, b, c, d, e, f, g, h] => Ok(ReadChunk {
                offset: u32::from_le_bytes([*a, *b, *c, *d]),
                len: u32::from_le_bytes([*e, *f, *g, *h]),
            }),
            _ => Err(CodecError::Malformed {
                what: "read-chunk request (8 bytes)",
                hex: hex_preview(p),
            }),
        }
    }
}

/// PREPARE_DATA payload announcing a chunk: `u32 len, u32 0x10` (exactly 8 bytes; pyzk needs it).
pub fn encode_prepare_data(len: u32) -> Vec<u8> {
    let mut v = len.to_le_bytes().to_vec();
    v.extend_from_slice(&0x10u32.to_le_bytes());
    v
}

/// Chunk length from a PREPARE_DATA payload (first 4 bytes).
pub fn decode_prepare_data(p: &[u8]) -> Result<u32, CodecError> {
    match p.get(..4) {
        Some(&[a, b, c, d]) => Ok(u32::from_le_bytes([a, b, c, d])),
        _ => Err(CodecError::Malformed {
            what: "prepare-data announcement (needs 4+ bytes)",
            hex: hex_preview(p),
        }),
    }
}

/// Splits a downloaded table into its record bytes, checking the leading u32 size.
/// An empty download (no bytes, or just a zero size) yields no records.
pub fn split_table(data: &[u8]) -> Result<&[u8], CodecError> {
    if data.is_empty() {
        return Ok(&[]);
    }
    let Some((size, rest)) = data.split_first_chunk::<4>() else {
        return Err(CodecError::TooShort {
            what: "table size prefix",
            need: 4,
            got: data.len(),
        });
    };
    let declared = u32::from_le_bytes(*size) as usize;
    if declared != rest.len() {
        return Err(CodecError::SizeMismatch {
            declared,
            actual: rest.len(),
        });
    }
    Ok(rest)
}

/// How to split a buffer of `size` bytes into READ_CHUNK requests of at most `max_chunk`.
pub fn plan_chunks(size: u32, max_chunk: u32) -> impl Iterator<Item = ReadChunk> {
    let step = max_chunk.max(1);
    (0..size.div_ceil(step)).map(move |i| {
        let offset = i * step;
        ReadChunk {
            offset,
            len: step.min(size - offset),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_request_bytes() {
        assert_eq!(
            hex::encode(PrepareBuffer::USERS.encode()),
            "0109000500000000000000"
        );
        assert_eq!(
            hex::encode(PrepareBuffer::ATTLOG.encode()),
            "010d000000000000000000"
        );
        let p = PrepareBuffer::decode(&PrepareBuffer::USERS.encode()).unwrap();
        assert_eq!(p, PrepareBuffer::USERS);
        assert_eq!(
            decode_buffer_ready(&encode_buffer_ready(4_000_004)),
            Ok(4_000_004)
        );
        let r = ReadChunk {
            offset: 65472,
            len: 100,
        };
        assert_eq!(ReadChunk::decode(&r.encode()), Ok(r));
        assert_eq!(decode_prepare_data(&encode_prepare_data(77)), Ok(77));
        assert!(decode_prepare_data(&[1, 2]).is_err());
    }

    #[test]
    fn chunk_plan_covers_everything() {
        let chunks: Vec<_> = plan_chunks(4_000_004, 0xFFC0).collect();
        assert_eq!(chunks.len(), 62);
        assert_eq!(chunks.iter().map(|c| c.len as u64).sum::<u64>(), 4_000_004);
        assert_eq!(plan_chunks(0, 0xFFC0).count(), 0);
        assert_eq!(plan_chunks(4_000_004, 16 * 1024).count(), 245);
    }

    #[test]
    fn table_prefix() {
        assert_eq!(split_table(&[]), Ok(&[][..]));
        assert_eq!(split_table(&[2, 0, 0, 0, 9, 9]), Ok(&[9u8, 9][..]));
        assert!(split_table(&[3, 0, 0, 0, 9, 9]).is_err());
        assert!(split_table(&[3, 0]).is_err());
    }
}
