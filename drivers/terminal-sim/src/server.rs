//! The I/O shell: TCP, UDP and pseudo-terminal transports for the protocol handler, the control
//! port, realtime event pushes and fault injection. Holds no protocol rules itself (those are in
//! `protocol`), and never binds the control port to anything but loopback.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use kaoqin_zk::codec::command::{EF_ATTLOG, EVENT_ATTLOG, READ_CHUNK, REG_EVENT};
use kaoqin_zk::codec::packet::Packet;
use kaoqin_zk::codec::tcp::{TCP_WRAPPER_LEN, TcpDeframer, encode_tcp_into};
use kaoqin_zk::codec::udp::{decode_datagram, encode_datagram};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::broadcast;

use crate::clock::host_now;
use crate::control;
use crate::model::Punch;
use crate::protocol::{Session, Transport};
use crate::state::Terminal;
use crate::wire;

/// State shared by every transport and the control port.
pub struct Shared {
    term: Mutex<Terminal>,
    /// Punches made at the terminal, for clients that registered for realtime events.
    pub events: broadcast::Sender<Punch>,
    next_session: AtomicU16,
    /// Datasets up to this many bytes are returned inline (1501) by PREPARE_BUFFER.
    pub inline_max: usize,
}

impl Shared {
    pub fn new(term: Terminal, inline_max: usize) -> Arc<Self> {
        let (events, _) = broadcast::channel(1024);
        Arc::new(Self {
            term: Mutex::new(term),
            events,
            next_session: AtomicU16::new(0x4EB0),
            inline_max,
        })
    }

    /// What the servers have done so far (chunks sent, requests held by a stall).
    pub fn counters(&self) -> crate::state::Counters {
        self.term().counters
    }

    /// The terminal state; a panic elsewhere must not take the simulator down, so poisoning is ignored.
    pub fn term(&self) -> MutexGuard<'_, Terminal> {
        self.term.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn new_session(&self, transport: Transport) -> Session {
        let mut id = self.next_session.fetch_add(1, Ordering::Relaxed);
        if id == 0 {
            id = self.next_session.fetch_add(1, Ordering::Relaxed);
        }
        Session::new(id, transport, self.inline_max)
    }
}

/// The outcome of one request after faults were applied.
struct Handled {
    packets: Vec<Packet>,
    close: bool,
    corrupt: bool,
    delay: Duration,
}

/// Run one request through the protocol and the fault switches. `None` = stalled (no answer).
fn handle(shared: &Shared, sess: &mut Session, pkt: &Packet) -> Option<Handled> {
    let mut term = shared.term();
    if term.faults.stall {
        tracing::debug!(command = pkt.command, "stalled: not answering");
        term.counters.requests_stalled += 1;
        return None;
    }
    if term.faults.hold_chunks && pkt.command == READ_CHUNK {
        tracing::debug!(
            session = sess.id,
            "transfer held: not answering a chunk read"
        );
        term.counters.requests_stalled += 1;
        return None;
    }
    let delay = Duration::from_millis(term.faults.delay_ms);
    let reply = sess.handle(&mut term, pkt, Instant::now(), host_now());
    if reply.is_chunk
        && let Some(n) = term.faults.stall_after_chunks
    {
        if n == 0 {
            term.faults.stall_after_chunks = None;
            term.faults.hold_chunks = true;
            term.counters.requests_stalled += 1;
            tracing::info!(session = sess.id, "fault: holding the transfer (stalled)");
            return None;
        }
        term.faults.stall_after_chunks = Some(n - 1);
    }
    if reply.is_chunk
        && let Some(n) = term.faults.drop_after_chunks
    {
        if n == 0 {
            term.faults.drop_after_chunks = None;
            tracing::info!(
                session = sess.id,
                "fault: dropping the connection instead of sending a chunk"
            );
            return Some(Handled {
                packets: Vec::new(),
                close: true,
                corrupt: false,
                delay,
            });
        }
        term.faults.drop_after_chunks = Some(n - 1);
    }
    if reply.is_chunk {
        term.counters.chunks_sent += 1;
    }
    let corrupt =
        !reply.packets.is_empty() && std::mem::take(&mut term.faults.corrupt_next_checksum);
    Some(Handled {
        packets: reply.packets,
        close: reply.close,
        corrupt,
        delay,
    })
}

fn event_packet(shared: &Shared, punch: &Punch) -> Option<Packet> {
    let term = shared.term();
    match wire::event_body(&term, punch) {
        Ok(body) => Some(Packet::new(REG_EVENT, EVENT_ATTLOG, 0, body)),
        Err(e) => {
            tracing::warn!("cannot encode realtime event for {}: {e}", punch.user_id);
            None
        }
    }
}

// ---- TCP and pty (same frames) -----------------------------------------------------------------

pub async fn serve_tcp(shared: Arc<Shared>, listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                tokio::spawn(async move {
                    tracing::debug!(%peer, "tcp connection");
                    let mut stream = stream;
                    serve_stream(shared, &mut stream, Transport::Tcp, peer.to_string()).await;
                    tracing::debug!(%peer, "tcp connection closed");
                });
            }
            Err(e) => {
                tracing::warn!("tcp accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// Serve one byte stream (a TCP connection or the pty master) until it closes.
pub async fn serve_stream<S: AsyncRead + AsyncWrite + Unpin>(
    shared: Arc<Shared>,
    stream: &mut S,
    transport: Transport,
    peer: String,
) {
    let mut sess = shared.new_session(transport);
    let mut deframer = TcpDeframer::new();
    let mut events = shared.events.subscribe();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        tokio::select! {
            read = stream.read(&mut buf) => {
                let n = match read {
                    Ok(0) => return, // includes pyzk's data-less probe connection
                    Ok(n) => n,
                    Err(e) => {
                        tracing::debug!(%peer, "read failed: {e}");
                        return;
                    }
                };
                deframer.push(buf.get(..n).unwrap_or_default());
                while let Some(next) = deframer.next_packet() {
                    let pkt = match next {
                        Ok(p) => p,
                        Err(e) => {
                            tracing::warn!(%peer, "ignoring bad frame: {e}");
                            continue;
                        }
                    };
                    let Some(h) = handle(&shared, &mut sess, &pkt) else { continue };
                    if !h.delay.is_zero() {
                        tokio::time::sleep(h.delay).await;
                    }
                    let mut out = Vec::with_capacity(h.packets.iter().map(|p| p.payload.len() + 16).sum());
                    for p in &h.packets {
                        encode_tcp_into(p, &mut out);
                    }
                    if h.corrupt && let Some(b) = out.get_mut(TCP_WRAPPER_LEN + 2) {
                        *b ^= 0xFF;
                    }
                    if !out.is_empty() && stream.write_all(&out).await.is_err() {
                        return;
                    }
                    if h.close {
                        let _ = stream.flush().await;
                        return;
                    }
                }
            }
            ev = events.recv() => {
                match ev {
                    Ok(punch) if sess.event_flags & EF_ATTLOG != 0 && sess.is_connected() => {
                        if let Some(p) = event_packet(&shared, &punch) {
                            let mut out = Vec::new();
                            encode_tcp_into(&p, &mut out);
                            if stream.write_all(&out).await.is_err() {
                                return;
                            }
                        }
                    }
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(n)) => tracing::warn!(%peer, "dropped {n} realtime events"),
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        }
    }
}

// ---- UDP ---------------------------------------------------------------------------------------

pub async fn serve_udp(shared: Arc<Shared>, socket: UdpSocket) {
    let mut sessions: HashMap<u16, (Session, SocketAddr)> = HashMap::new();
    let mut events = shared.events.subscribe();
    let mut buf = vec![0u8; 65536];
    loop {
        tokio::select! {
            got = socket.recv_from(&mut buf) => {
                let (n, peer) = match got {
                    Ok(x) => x,
                    Err(e) => {
                        tracing::debug!("udp recv failed: {e}");
                        continue;
                    }
                };
                let pkt = match decode_datagram(buf.get(..n).unwrap_or_default()) {
                    Ok(p) => p,
                    Err(e) => {
                        tracing::warn!(%peer, "ignoring bad datagram: {e}");
                        continue;
                    }
                };
                let key = if pkt.command == kaoqin_zk::codec::command::CONNECT {
                    let s = shared.new_session(Transport::Udp);
                    let id = s.id;
                    sessions.insert(id, (s, peer));
                    id
                } else {
                    pkt.session_id
                };
                let mut stray;
                let sess = match sessions.get_mut(&key) {
                    Some((s, addr)) => {
                        *addr = peer;
                        s
                    }
                    None => {
                        // Unknown session: answer as an unconnected session would (ACK_UNAUTH).
                        stray = Session::new(pkt.session_id, Transport::Udp, shared.inline_max);
                        &mut stray
                    }
                };
                let Some(h) = handle(&shared, sess, &pkt) else { continue };
                if !h.delay.is_zero() {
                    tokio::time::sleep(h.delay).await;
                }
                for (i, p) in h.packets.iter().enumerate() {
                    let mut d = encode_datagram(p);
                    if h.corrupt && i == 0 && let Some(b) = d.get_mut(2) {
                        *b ^= 0xFF;
                    }
                    if let Err(e) = socket.send_to(&d, peer).await {
                        tracing::debug!(%peer, "udp send failed: {e}");
                        break;
                    }
                }
                if h.close {
                    sessions.remove(&key);
                }
            }
            ev = events.recv() => {
                let punch = match ev {
                    Ok(p) => p,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                let Some(p) = event_packet(&shared, &punch) else { continue };
                let d = encode_datagram(&p);
                for (s, addr) in sessions.values() {
                    if s.event_flags & EF_ATTLOG != 0 && s.is_connected() {
                        let _ = socket.send_to(&d, *addr).await;
                    }
                }
            }
        }
    }
}

// ---- pseudo-terminal ---------------------------------------------------------------------------

/// Open a pseudo-terminal pair; returns the path a client opens (the slave side) and a task that
/// serves the master side with TCP framing (docs/terminal-protocols.md §6). Unix only: Windows has no
/// pseudo-terminals (see the other `open_pty`).
#[cfg(unix)]
pub fn open_pty(shared: Arc<Shared>) -> anyhow::Result<(String, tokio::task::JoinHandle<()>)> {
    use tokio_serial::SerialPort;
    let (master, slave) = tokio_serial::SerialStream::pair()
        .map_err(|e| anyhow::anyhow!("cannot open a pseudo-terminal: {e}"))?;
    let path = slave
        .name()
        .ok_or_else(|| anyhow::anyhow!("the pseudo-terminal has no path"))?;
    let task = tokio::spawn(async move {
        // Holding the slave open keeps the master readable between client sessions (no EIO
        // when the last client closes its side).
        let _slave = slave;
        let mut master = master;
        loop {
            // A client closing its side can make the master report EOF/EIO; the terminal's
            // serial port stays there for the next client, with a fresh session.
            serve_stream(shared.clone(), &mut master, Transport::Serial, "pty".into()).await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    Ok((path, task))
}

/// Windows has no pseudo-terminals: say so, and what to use instead.
#[cfg(not(unix))]
pub fn open_pty(_shared: Arc<Shared>) -> anyhow::Result<(String, tokio::task::JoinHandle<()>)> {
    anyhow::bail!(
        "--pty needs Linux or macOS (Windows has no pseudo-terminals); on Windows serve TCP or UDP, \
         or connect a real serial cable or a virtual COM-port pair to a terminal"
    )
}

// ---- control port ------------------------------------------------------------------------------

pub async fn serve_control(shared: Arc<Shared>, listener: TcpListener) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        if !peer.ip().is_loopback() {
            tracing::warn!(%peer, "refusing a non-loopback control connection");
            continue;
        }
        let shared = shared.clone();
        tokio::spawn(async move {
            if let Err(e) = control_session(shared, stream).await {
                tracing::debug!(%peer, "control connection ended: {e}");
            }
        });
    }
}

async fn control_session(shared: Arc<Shared>, stream: TcpStream) -> std::io::Result<()> {
    let (rd, mut wr) = stream.into_split();
    let mut lines = BufReader::new(rd).lines();
    while let Some(line) = lines.next_line().await? {
        if line.trim().is_empty() {
            continue;
        }
        let outcome = match control::parse(&line) {
            Ok(cmd) => {
                let mut term = shared.term();
                control::execute(&mut term, cmd, Instant::now(), host_now())
            }
            Err(e) => control::Outcome {
                reply: format!("err {e}"),
                ..Default::default()
            },
        };
        tracing::info!(command = %line.trim(), reply = %outcome.reply.lines().last().unwrap_or(""), "control");
        if let Some(p) = outcome.event {
            let _ = shared.events.send(p);
        }
        let mut reply = outcome.reply;
        reply.push('\n');
        wr.write_all(reply.as_bytes()).await?;
        if outcome.quit {
            break;
        }
    }
    Ok(())
}
