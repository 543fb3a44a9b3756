//! TCP framing: the `50 50 82 7D` + u32 LE length wrapper around a packet, and a streaming
//! deframer (push bytes, pop packets) that reports garbage as errors and resynchronises.
//! Must not do I/O; the serial profile reuses it.

use super::error::{CodecError, hex_preview};
use super::packet::{HEADER_LEN, Packet};

/// The 4 magic bytes in front of every TCP frame (u16 0x5050, u16 0x7D82, little endian).
pub const TCP_MAGIC: [u8; 4] = [0x50, 0x50, 0x82, 0x7D];
/// Wrapper size: magic + u32 length.
pub const TCP_WRAPPER_LEN: usize = 8;
/// Default largest packet (header + payload) the deframer accepts. An inline DATA reply can carry
/// a whole table, so this is generous; anything larger is treated as garbage.
pub const DEFAULT_MAX_FRAME: u32 = 64 * 1024 * 1024;

/// Appends the TCP wrapper and the packet to `out`.
pub fn encode_tcp_into(packet: &Packet, out: &mut Vec<u8>) {
    out.reserve(TCP_WRAPPER_LEN + packet.encoded_len());
    out.extend_from_slice(&TCP_MAGIC);
    // A payload beyond u32 cannot be sent; callers never build such packets (chunks are ≤ 64 KiB).
    let len = u32::try_from(packet.encoded_len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    packet.encode_into(out);
}

/// The packet with its TCP wrapper.
pub fn encode_tcp(packet: &Packet) -> Vec<u8> {
    let mut v = Vec::new();
    encode_tcp_into(packet, &mut v);
    v
}

/// Decodes exactly one wrapped frame. Trailing bytes after the declared length are an error
/// (quirk of some documentation frames), as is a bad checksum.
pub fn decode_tcp_frame(bytes: &[u8]) -> Result<Packet, CodecError> {
    let mut d = TcpDeframer::new();
    d.push(bytes);
    match d.next_packet() {
        Some(Ok(p)) => {
            if d.buffered() > 0 {
                return Err(CodecError::TrailingBytes {
                    count: d.buffered(),
                    hex: hex_preview(d.pending()),
                });
            }
            Ok(p)
        }
        Some(Err(e)) => Err(e),
        None => {
            let need = match bytes.get(4..8) {
                Some(l) => TCP_WRAPPER_LEN + u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize,
                None => TCP_WRAPPER_LEN + HEADER_LEN,
            };
            Err(CodecError::TooShort {
                what: "ZK TCP frame",
                need,
                got: bytes.len(),
            })
        }
    }
}

/// Streaming deframer for TCP and serial byte streams.
///
/// Push whatever arrived, then call [`TcpDeframer::next_packet`] until it returns `None`.
/// On garbage it returns one error and skips ahead to the next magic, so a caller may keep going
/// (the simulator) or give up (the client treats any error as a protocol violation).
#[derive(Debug, Clone)]
pub struct TcpDeframer {
    buf: Vec<u8>,
    start: usize,
    max_frame: u32,
}

impl Default for TcpDeframer {
    fn default() -> Self {
        Self::new()
    }
}

impl TcpDeframer {
    pub fn new() -> Self {
        Self::with_max_frame(DEFAULT_MAX_FRAME)
    }

    pub fn with_max_frame(max_frame: u32) -> Self {
        TcpDeframer {
            buf: Vec::new(),
            start: 0,
            max_frame,
        }
    }

    /// Adds received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start >= self.buf.len() / 2 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes received but not yet returned as packets.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// The bytes not yet consumed.
    pub fn pending(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or_default()
    }

    /// Drops everything buffered (e.g. after a timeout, before a retry).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.start = 0;
    }

    /// The next complete packet, an error for garbage, or `None` if more bytes are needed.
    pub fn next_packet(&mut self) -> Option<Result<Packet, CodecError>> {
        let pending = self.pending();
        if pending.is_empty() {
            return None;
        }
        // Check the magic as far as we have it, so garbage is reported without waiting.
        let have = pending.len().min(TCP_MAGIC.len());
        if pending.get(..have) != TCP_MAGIC.get(..have) {
            return Some(Err(self.skip_garbage()));
        }
        let len_bytes = pending.get(4..8)?;
        let declared = u32::from_le_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]);
        if (declared as usize) < HEADER_LEN {
            self.start += TCP_MAGIC.len();
            return Some(Err(CodecError::LengthTooSmall { declared }));
        }
        if declared > self.max_frame {
            self.start += TCP_MAGIC.len();
            return Some(Err(CodecError::FrameTooLarge {
                declared,
                max: self.max_frame,
            }));
        }
        let total = TCP_WRAPPER_LEN + declared as usize;
        let frame = pending.get(TCP_WRAPPER_LEN..total)?;
        let result = Packet::decode(frame);
        self.start += total;
        if self.start == self.buf.len() {
            self.clear();
        }
        Some(result)
    }

    /// Skips to the next possible magic and describes what was skipped.
    fn skip_garbage(&mut self) -> CodecError {
        let pending = self.pending();
        // Resume at the next 0x50 that could start a frame (never at offset 0: that one failed).
        let skip = pending
            .iter()
            .skip(1)
            .position(|&b| b == TCP_MAGIC[0])
            .map_or(pending.len(), |p| p + 1);
        let found = hex_preview(pending.get(..skip).unwrap_or_default());
        self.start += skip;
        if self.start >= self.buf.len() {
            self.clear();
        }
        CodecError::BadMagic { found }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_byte_by_byte() {
        let packets = [
            Packet::new(1000, 0, 0, vec![]),
            Packet::new(1501, 0x1234, 7, vec![9; 300]),
        ];
        let mut wire = Vec::new();
        for p in &packets {
            encode_tcp_into(p, &mut wire);
        }
        let mut d = TcpDeframer::new();
        let mut out = Vec::new();
        for b in wire {
            d.push(&[b]);
            while let Some(r) = d.next_packet() {
                out.push(r.unwrap());
            }
        }
        assert_eq!(out, packets);
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn garbage_then_frame_resyncs() {
        let p = Packet::new(2000, 1, 2, vec![]);
        let mut wire = vec![0x00, 0x50, 0x11];
        wire.extend(encode_tcp(&p));
        let mut d = TcpDeframer::new();
        d.push(&wire);
        let mut errors = 0;
        let mut got = None;
        while let Some(r) = d.next_packet() {
            match r {
                Ok(p) => got = Some(p),
                Err(CodecError::BadMagic { .. }) => errors += 1,
                Err(e) => panic!("unexpected {e}"),
            }
        }
        assert_eq!(got, Some(p));
        assert_eq!(errors, 2);
    }

    #[test]
    fn bad_lengths_are_errors() {
        let mut d = TcpDeframer::with_max_frame(1000);
        d.push(&[0x50, 0x50, 0x82, 0x7d, 4, 0, 0, 0]);
        assert_eq!(
            d.next_packet(),
            Some(Err(CodecError::LengthTooSmall { declared: 4 }))
        );
        d.clear();
        d.push(&[0x50, 0x50, 0x82, 0x7d, 0xff, 0xff, 0, 0]);
        assert!(matches!(
            d.next_packet(),
            Some(Err(CodecError::FrameTooLarge {
                declared: 65535,
                max: 1000
            }))
        ));
    }
}
