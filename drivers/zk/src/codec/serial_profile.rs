//! Serial (RS232/RS485) frame profile. No public source documents the real serial framing, so
//! per docs/terminal-protocols.md §6 serial carries the same frames as TCP (wrapper + length), 8N1.
//! Everything serial-specific lives here so a real framing (e.g. one using the machine number on
//! the wire) can replace it without touching the codec or the client. Tested against the
//! simulator only. Must not do I/O.

use super::error::CodecError;
use super::packet::Packet;
use super::tcp::{TcpDeframer, decode_tcp_frame, encode_tcp};

/// Default baud rate (USB virtual COM ports run at 115200).
pub const DEFAULT_BAUD: u32 = 115_200;
/// Baud rates the terminal's `RS232BaudRate` option accepts.
pub const SUPPORTED_BAUDS: [u32; 8] = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115_200];

/// Serial line settings and RS485 address of one terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SerialProfile {
    pub baud: u32,
    /// RS485 machine number (DeviceID, 1–254). Kept here because the real framing presumably
    /// addresses it; the TCP-style framing used today does not put it on the wire.
    pub machine: u8,
}

impl Default for SerialProfile {
    fn default() -> Self {
        SerialProfile {
            baud: DEFAULT_BAUD,
            machine: 1,
        }
    }
}

impl SerialProfile {
    /// Validates baud (one of [`SUPPORTED_BAUDS`]) and machine number (1–254).
    pub fn new(baud: u32, machine: u8) -> Result<Self, String> {
        if !SUPPORTED_BAUDS.contains(&baud) {
            return Err(format!(
                "baud rate {baud} is not one a ZK terminal supports ({SUPPORTED_BAUDS:?})"
            ));
        }
        if !(1..=254).contains(&machine) {
            return Err(format!(
                "machine number {machine} must be between 1 and 254"
            ));
        }
        Ok(SerialProfile { baud, machine })
    }

    /// Bytes to write for one packet.
    pub fn encode(&self, packet: &Packet) -> Vec<u8> {
        encode_tcp(packet)
    }

    /// Decodes exactly one frame.
    pub fn decode(&self, bytes: &[u8]) -> Result<Packet, CodecError> {
        decode_tcp_frame(bytes)
    }

    /// A streaming deframer for this profile.
    pub fn deframer(&self) -> TcpDeframer {
        TcpDeframer::new()
    }
}
