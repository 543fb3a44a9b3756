//! The 8-byte ZK header (command, checksum, session id, reply id) plus payload, and the exact
//! checksum. A bare packet is also the UDP datagram format. Must not know about TCP/serial framing.

use super::error::{CodecError, hex_preview};

/// Size of the header: four u16 LE words.
pub const HEADER_LEN: usize = 8;

/// One protocol packet: header fields plus payload. The checksum is computed on encode and
/// verified on decode, so it is not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub command: u16,
    pub session_id: u16,
    pub reply_id: u16,
    pub payload: Vec<u8>,
}

/// One's-complement checksum over the header (checksum field zero) and the payload, as u16 LE
/// words with a final odd byte as a low byte (docs/terminal-protocols.md §1).
pub fn checksum(command: u16, session_id: u16, reply_id: u16, payload: &[u8]) -> u16 {
    let mut sum: u32 = u32::from(command) + u32::from(session_id) + u32::from(reply_id);
    let mut words = payload.chunks_exact(2);
    for w in &mut words {
        sum += u32::from(u16::from_le_bytes([w[0], w[1]]));
        // Fold regularly so the u32 can never overflow, whatever the payload length.
        if sum > 0xFFFF_0000 {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
    }
    if let [last] = words.remainder() {
        sum += u32::from(*last);
    }
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    !(sum as u16)
}

/// Checksum of an already serialised packet (header + payload), ignoring the stored checksum.
pub fn checksum_of_bytes(packet: &[u8]) -> Option<u16> {
    let h = packet.get(..HEADER_LEN)?;
    let word = |i: usize| u16::from_le_bytes([h[i], h[i + 1]]);
    Some(checksum(
        word(0),
        word(4),
        word(6),
        packet.get(HEADER_LEN..)?,
    ))
}

impl Packet {
    pub fn new(command: u16, session_id: u16, reply_id: u16, payload: impl Into<Vec<u8>>) -> Self {
        Packet {
            command,
            session_id,
            reply_id,
            payload: payload.into(),
        }
    }

    /// A packet without payload.
    pub fn bare(command: u16, session_id: u16, reply_id: u16) -> Self {
        Packet::new(command, session_id, reply_id, Vec::new())
    }

    /// The checksum this packet will carry on the wire.
    pub fn checksum(&self) -> u16 {
        checksum(self.command, self.session_id, self.reply_id, &self.payload)
    }

    /// Serialised length (header + payload).
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + self.payload.len()
    }

    /// Appends header + payload (no TCP wrapper) to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.reserve(self.encoded_len());
        out.extend_from_slice(&self.command.to_le_bytes());
        out.extend_from_slice(&self.checksum().to_le_bytes());
        out.extend_from_slice(&self.session_id.to_le_bytes());
        out.extend_from_slice(&self.reply_id.to_le_bytes());
        out.extend_from_slice(&self.payload);
    }

    /// Header + payload: the UDP datagram.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut v);
        v
    }

    /// Decodes header + payload and verifies the checksum.
    pub fn decode(bytes: &[u8]) -> Result<Packet, CodecError> {
        let (packet, found) = Packet::decode_unverified(bytes)?;
        let expected = packet.checksum();
        if expected != found {
            return Err(CodecError::BadChecksum { expected, found });
        }
        Ok(packet)
    }

    /// Decodes header + payload without checking the checksum; returns the stored checksum too.
    /// For diagnostics of quirky frames only.
    pub fn decode_unverified(bytes: &[u8]) -> Result<(Packet, u16), CodecError> {
        let Some((h, payload)) = bytes.split_first_chunk::<HEADER_LEN>() else {
            return Err(CodecError::TooShort {
                what: "ZK packet header",
                need: HEADER_LEN,
                got: bytes.len(),
            });
        };
        let word = |i: usize| u16::from_le_bytes([h[i], h[i + 1]]);
        Ok((
            Packet::new(word(0), word(4), word(6), payload.to_vec()),
            word(2),
        ))
    }

    /// Hex of the payload, for error messages.
    pub fn payload_hex(&self) -> String {
        hex_preview(&self.payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_vectors() {
        // (command, session, reply, payload hex, expected): pyzk CONNECT capture and F19 frames.
        let table: &[(u16, u16, u16, &str, u16)] = &[
            (1000, 0, 0, "", 0xfc17),
            (2000, 2, 0x37, "", 0xf7f6),
            (11, 0xc0c5, 5, "7e4f5300", 0xef58),
        ];
        for &(c, s, r, p, want) in table {
            assert_eq!(checksum(c, s, r, &hex::decode(p).unwrap()), want, "cmd {c}");
        }
    }

    #[test]
    fn odd_payload_adds_low_byte() {
        let a = checksum(1, 0, 0, &[0x05]);
        let b = checksum(1, 0, 0, &[0x05, 0x00]);
        assert_eq!(a, b);
        assert_ne!(checksum(1, 0, 0, &[0x00, 0x05]), a);
    }

    #[test]
    fn decode_rejects_short_and_bad_checksum() {
        assert!(matches!(
            Packet::decode(&[1, 2, 3]),
            Err(CodecError::TooShort { got: 3, .. })
        ));
        let mut bytes = Packet::new(GET, 5, 6, vec![1, 2, 3]).encode();
        bytes[2] ^= 1;
        assert!(matches!(
            Packet::decode(&bytes),
            Err(CodecError::BadChecksum { .. })
        ));
    }
    const GET: u16 = super::super::command::GET_TIME;
}
