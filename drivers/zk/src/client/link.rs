//! The byte link under the client: a framed stream (TCP, serial, or any AsyncRead+AsyncWrite)
//! or a UDP socket. Sends packets and receives the next packet before a deadline. Must not know
//! the command flow (reply matching, retries): that is the client's job.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::UdpSocket;
use tokio::time::{Instant, timeout_at};

use super::error::ZkError;
use crate::codec::{Packet, TcpDeframer, error::hex_preview, tcp::encode_tcp_into};

/// Any duplex byte stream carrying TCP-style frames.
pub trait ByteStream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> ByteStream for T {}

pub(crate) enum Link {
    Stream {
        io: Box<dyn ByteStream>,
        deframer: TcpDeframer,
        read_buf: Vec<u8>,
        write_buf: Vec<u8>,
    },
    Udp {
        sock: UdpSocket,
        buf: Vec<u8>,
    },
}

impl Link {
    pub(crate) fn stream(io: Box<dyn ByteStream>) -> Link {
        Link::Stream {
            io,
            deframer: TcpDeframer::new(),
            read_buf: vec![0; 256 * 1024],
            write_buf: Vec::with_capacity(1024),
        }
    }

    pub(crate) fn udp(sock: UdpSocket) -> Link {
        Link::Udp {
            sock,
            buf: vec![0; 65_536],
        }
    }

    pub(crate) fn is_udp(&self) -> bool {
        matches!(self, Link::Udp { .. })
    }

    pub(crate) async fn send(&mut self, packet: &Packet) -> Result<(), ZkError> {
        match self {
            Link::Stream { io, write_buf, .. } => {
                write_buf.clear();
                encode_tcp_into(packet, write_buf);
                io.write_all(write_buf).await.map_err(map_io)?;
                io.flush().await.map_err(map_io)?;
            }
            Link::Udp { sock, .. } => {
                sock.send(&packet.encode()).await.map_err(map_io)?;
            }
        }
        Ok(())
    }

    /// The next packet, `Ok(None)` at the deadline.
    pub(crate) async fn recv(&mut self, deadline: Instant) -> Result<Option<Packet>, ZkError> {
        match self {
            Link::Stream {
                io,
                deframer,
                read_buf,
                ..
            } => loop {
                // Keep the head of the offending bytes for the error message.
                let mut head = [0u8; 64];
                let n = deframer.pending().len().min(head.len());
                head[..n].copy_from_slice(&deframer.pending()[..n]);
                if let Some(r) = deframer.next_packet() {
                    return r.map(Some).map_err(|e| ZkError::ProtocolViolation {
                        detail: e.to_string(),
                        hex: hex_preview(&head[..n]),
                    });
                }
                match timeout_at(deadline, io.read(read_buf)).await {
                    Err(_) => return Ok(None),
                    Ok(Err(e)) => return Err(map_io(e)),
                    Ok(Ok(0)) => return Err(ZkError::Disconnected),
                    Ok(Ok(n)) => deframer.push(read_buf.get(..n).unwrap_or_default()),
                }
            },
            Link::Udp { sock, buf } => match timeout_at(deadline, sock.recv(buf)).await {
                Err(_) => Ok(None),
                Ok(Err(e)) => Err(map_io(e)),
                Ok(Ok(n)) => {
                    let bytes = buf.get(..n).unwrap_or_default();
                    Packet::decode(bytes)
                        .map(Some)
                        .map_err(|e| ZkError::from_codec(e, bytes))
                }
            },
        }
    }

    /// Drops buffered stream bytes (before retrying after a timeout).
    pub(crate) fn reset_buffer(&mut self) {
        if let Link::Stream { deframer, .. } = self {
            deframer.clear();
        }
    }

    pub(crate) async fn shutdown(&mut self) {
        if let Link::Stream { io, .. } = self {
            let _ = tokio::time::timeout(Duration::from_secs(1), io.shutdown()).await;
        }
    }
}

fn map_io(e: std::io::Error) -> ZkError {
    use std::io::ErrorKind::*;
    match e.kind() {
        ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => ZkError::Disconnected,
        ConnectionRefused => ZkError::Unreachable {
            endpoint: "terminal".into(),
            reason: "connection refused".into(),
        },
        _ => ZkError::Io(e),
    }
}
