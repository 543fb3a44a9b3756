//! UDP framing: a datagram is a bare packet. Bulk chunks arrive as several DATA datagrams of at
//! most [`UDP_DATA_MAX_PAYLOAD`] bytes of payload, reassembled here. Must not do I/O.

use super::command;
use super::error::CodecError;
use super::packet::Packet;

/// Largest DATA payload per datagram a terminal sends (pyzk receives `1024 + 8` bytes).
pub const UDP_DATA_MAX_PAYLOAD: usize = 1024;
/// Largest chunk a client asks for in one READ_CHUNK over UDP (pyzk uses 16 KiB).
pub const UDP_CHUNK: u32 = 16 * 1024;
/// Largest chunk over TCP (pyzk uses 0xFFC0).
pub const TCP_CHUNK: u32 = 0xFFC0;

/// Decodes one datagram (alias of [`Packet::decode`], for symmetry with the TCP module).
pub fn decode_datagram(bytes: &[u8]) -> Result<Packet, CodecError> {
    Packet::decode(bytes)
}

/// Encodes one datagram.
pub fn encode_datagram(packet: &Packet) -> Vec<u8> {
    packet.encode()
}

/// Splits a chunk into DATA packets for UDP (terminal side / simulator), each ≤ 1024 bytes of
/// payload, all carrying the request's session and reply id.
pub fn split_udp_data(session_id: u16, reply_id: u16, chunk: &[u8]) -> Vec<Packet> {
    chunk
        .chunks(UDP_DATA_MAX_PAYLOAD)
        .map(|c| Packet::new(command::DATA, session_id, reply_id, c.to_vec()))
        .collect()
}

/// Collects the DATA payloads of one chunk until the announced length is reached.
#[derive(Debug, Clone)]
pub struct ChunkAssembler {
    expected: usize,
    data: Vec<u8>,
}

impl ChunkAssembler {
    /// `expected` is the length from PREPARE_DATA.
    pub fn new(expected: usize) -> Self {
        ChunkAssembler {
            expected,
            data: Vec::with_capacity(expected.min(1 << 20)),
        }
    }

    /// Adds one DATA payload; more bytes than announced is a protocol error.
    pub fn push(&mut self, payload: &[u8]) -> Result<(), CodecError> {
        if self.data.len() + payload.len() > self.expected {
            return Err(CodecError::SizeMismatch {
                declared: self.expected,
                actual: self.data.len() + payload.len(),
            });
        }
        self.data.extend_from_slice(payload);
        Ok(())
    }

    pub fn received(&self) -> usize {
        self.data.len()
    }

    pub fn expected(&self) -> usize {
        self.expected
    }

    pub fn is_complete(&self) -> bool {
        self.data.len() == self.expected
    }

    /// The chunk, or an error if bytes are missing (a datagram was lost).
    pub fn finish(self) -> Result<Vec<u8>, CodecError> {
        if self.is_complete() {
            Ok(self.data)
        } else {
            Err(CodecError::SizeMismatch {
                declared: self.expected,
                actual: self.data.len(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_reassemble() {
        let chunk: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
        let parts = split_udp_data(3, 4, &chunk);
        assert_eq!(parts.len(), 5);
        assert!(
            parts
                .iter()
                .all(|p| p.payload.len() <= UDP_DATA_MAX_PAYLOAD)
        );
        let mut a = ChunkAssembler::new(chunk.len());
        for p in &parts {
            let d = decode_datagram(&encode_datagram(p)).unwrap();
            a.push(&d.payload).unwrap();
        }
        assert_eq!(a.finish().unwrap(), chunk);
    }

    #[test]
    fn missing_or_extra_data_is_an_error() {
        let mut a = ChunkAssembler::new(10);
        a.push(&[0; 6]).unwrap();
        assert!(a.push(&[0; 6]).is_err());
        assert!(a.finish().is_err());
    }
}
