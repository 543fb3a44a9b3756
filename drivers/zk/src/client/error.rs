//! Typed errors of the async client, worded so a technician knows what to do next.
//! Must not wrap codec errors blindly: record-format problems stay distinguishable.

use std::time::Duration;

use thiserror::Error;

use crate::codec::CodecError;

/// Everything that can go wrong talking to a terminal.
#[derive(Debug, Error)]
pub enum ZkError {
    #[error(
        "terminal {endpoint} is unreachable: {reason} (check the address/port or cable, that the terminal is on, and that it allows this transport)"
    )]
    Unreachable { endpoint: String, reason: String },
    #[error("the terminal requires a comm key; supply the key set in its menu (COMM → Comm Key)")]
    CommKeyRequired,
    #[error("authentication failed: {0}")]
    AuthenticationFailed(String),
    #[error(
        "no answer to {command} within {after:?} (terminal busy, overloaded or the link dropped packets)"
    )]
    TimedOut { command: String, after: Duration },
    #[error("the terminal is busy (someone is using it); try again in a few seconds")]
    Busy,
    #[error("protocol violation: {detail} (bytes: {hex})")]
    ProtocolViolation { detail: String, hex: String },
    #[error(
        "unsupported record format: {size}-byte {kind} records (known: users 28/72, attendance 8/16/40/49)"
    )]
    UnsupportedRecordFormat { kind: &'static str, size: usize },
    #[error("the terminal refused {command}")]
    Rejected { command: String },
    #[error("the terminal does not know {command}")]
    UnknownCommand { command: String },
    #[error("{command} is not allowed on a read-only connection")]
    ReadOnly { command: String },
    #[error("the terminal closed the connection")]
    Disconnected,
    #[error("cancelled")]
    Cancelled,
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl ZkError {
    /// Maps a decoding failure of terminal bytes; `bytes` is what failed (hex in the message).
    pub(crate) fn from_codec(e: CodecError, bytes: &[u8]) -> ZkError {
        match e {
            CodecError::UnsupportedRecordFormat { kind, size } => {
                ZkError::UnsupportedRecordFormat { kind, size }
            }
            other => ZkError::ProtocolViolation {
                detail: other.to_string(),
                hex: crate::codec::error::hex_preview(bytes),
            },
        }
    }

    /// Maps an encoding failure of caller-supplied values.
    pub(crate) fn from_input(e: CodecError) -> ZkError {
        ZkError::InvalidInput(e.to_string())
    }
}
