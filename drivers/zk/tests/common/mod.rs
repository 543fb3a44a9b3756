//! A small in-test ZK terminal built from the crate's own codec, served over real loopback
//! TCP/UDP sockets or any byte stream (a pty pair). Only what the client tests need; the full
//! simulator is `kaoqin-sim`. Must not be used outside tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;
use kaoqin_zk::codec::{
    self, AttFormat, AttendanceRecord, FreeSizes, Packet, Privilege, PunchState, Request,
    TcpDeframer, TextEncoding, UserFormat, UserRecord, VerifyMode, bulk, command as cmd, options,
    reply,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

pub fn dt(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

/// Terminal state, shared with the test so it can inspect effects.
pub struct Term {
    pub comm_key: Option<u32>,
    pub enc: TextEncoding,
    pub user_format: UserFormat,
    pub att_format: AttFormat,
    pub users: Vec<UserRecord>,
    pub records: Vec<AttendanceRecord>,
    /// Replaces the encoded attendance table (to test unsupported sizes).
    pub raw_attlog: Option<(Vec<u8>, u32)>,
    pub time: NaiveDateTime,
    pub busy: bool,
    pub disabled: Option<Option<u32>>,
    pub enable_count: u32,
    pub inline_tables: bool,
    /// Drop the n-th DATA datagram sent over UDP (1-based), once.
    pub drop_udp_data: Option<u32>,
    pub udp_data_sent: u32,
    /// Every READ_CHUNK asked for, as (offset, length), in order: what the client requested.
    pub chunk_requests: Vec<(u32, u32)>,
    /// Offsets of the chunks whose answer lost a datagram: what the client had to make up for.
    pub lost_in_chunks: Vec<u32>,
    pub session: u16,
    pub authed: bool,
    pub buffer: Vec<u8>,
    pub seen: Vec<u16>,
    pub options: BTreeMap<String, String>,
    /// Corrupt the checksum of the next reply to this command (stream transports).
    pub corrupt_reply_to: Option<u16>,
    /// Close the stream after answering this many READ_CHUNK requests.
    pub close_after_chunks: Option<u32>,
    pub chunks_answered: u32,
}

impl Default for Term {
    fn default() -> Self {
        let options = [
            ("~SerialNumber", "KQ-SIM-0001"),
            ("~Platform", "ZEM760_TFT"),
            ("~DeviceName", "F22"),
            ("MAC", "00:17:61:12:34:56"),
            ("~ZKFPVersion", "10"),
            ("ZKFaceVersion", "7"),
            ("~PIN2Width", "9"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        Term {
            comm_key: None,
            enc: TextEncoding::Gbk,
            user_format: UserFormat::B72,
            att_format: AttFormat::B40,
            users: sample_users(),
            records: sample_records(250, AttFormat::B40),
            raw_attlog: None,
            time: dt("2024-03-01 12:00:00"),
            busy: false,
            disabled: None,
            enable_count: 0,
            inline_tables: false,
            drop_udp_data: None,
            udp_data_sent: 0,
            chunk_requests: Vec::new(),
            lost_in_chunks: Vec::new(),
            session: 0x4EB1,
            authed: false,
            buffer: Vec::new(),
            seen: Vec::new(),
            options,
            corrupt_reply_to: None,
            close_after_chunks: None,
            chunks_answered: 0,
        }
    }
}

pub fn sample_users() -> Vec<UserRecord> {
    vec![
        UserRecord {
            uid: 1,
            privilege: Privilege::SUPER_ADMIN,
            password: "1234".into(),
            name: "李四".into(),
            card: 0,
            group: 1,
            timezones: [0; 4],
            user_id: "1".into(),
        },
        UserRecord {
            uid: 2,
            privilege: Privilege::USER,
            password: String::new(),
            name: "王小明".into(),
            card: 123_456,
            group: 1,
            timezones: [0; 4],
            user_id: "2".into(),
        },
        UserRecord {
            uid: 3,
            privilege: Privilege::ADMIN,
            password: "99".into(),
            name: "Alice".into(),
            card: 7,
            group: 2,
            timezones: [0; 4],
            user_id: "10036".into(),
        },
    ]
}

/// `n` records that survive a round trip through `format` unchanged.
pub fn sample_records(n: u32, format: AttFormat) -> Vec<AttendanceRecord> {
    (0..n)
        .map(|i| {
            let uid = (i % 3 + 1) as u16;
            let verify = [
                VerifyMode::Face,
                VerifyMode::Fingerprint,
                VerifyMode::Password,
            ][i as usize % 3];
            let state = if i % 2 == 0 {
                PunchState::CheckIn
            } else {
                PunchState::CheckOut
            };
            let t = dt("2024-03-01 08:00:00") + chrono::Duration::minutes(i64::from(i) * 7);
            let mut r = AttendanceRecord {
                uid: Some(uid),
                user_id: uid.to_string(),
                timestamp: t,
                verify,
                state,
                work_code: i % 5,
            };
            match format {
                AttFormat::B8 => {
                    r.state = PunchState::Undefined;
                    r.work_code = 0;
                }
                AttFormat::B16 => r.uid = None,
                AttFormat::B40 | AttFormat::B49 => r.work_code = 0,
            }
            r
        })
        .collect()
}

impl Term {
    fn free_sizes(&self) -> FreeSizes {
        FreeSizes {
            users: self.users.len() as u32,
            records: self
                .raw_attlog
                .as_ref()
                .map_or(self.records.len() as u32, |(_, n)| *n),
            user_capacity: 3000,
            record_capacity: 200_000,
            users_free: 3000 - self.users.len() as u32,
            records_free: 200_000 - self.records.len() as u32,
            faces: Some(2),
            face_capacity: Some(1000),
            ..FreeSizes::default()
        }
    }

    /// Reply packets for one request (several for a chunk).
    pub fn handle(&mut self, req: &Packet, udp: bool) -> Vec<Packet> {
        self.seen.push(req.command);
        let ok = |p: Vec<u8>| vec![reply(cmd::ACK_OK, req, p)];
        let Ok(r) = Request::decode(req) else {
            return vec![reply(cmd::ACK_ERROR, req, vec![])];
        };
        if !matches!(r, Request::Connect | Request::Auth(_))
            && self.comm_key.is_some()
            && !self.authed
        {
            return vec![reply(cmd::ACK_UNAUTH, req, vec![])];
        }
        let with_session = |c: u16, payload: Vec<u8>, session: u16| {
            vec![Packet::new(c, session, req.reply_id, payload)]
        };
        match r {
            Request::Connect => {
                let c = if self.comm_key.is_some() {
                    cmd::ACK_UNAUTH
                } else {
                    cmd::ACK_OK
                };
                with_session(c, vec![], self.session)
            }
            Request::Auth(k) => {
                let want = self
                    .comm_key
                    .map(|key| codec::make_commkey(key, self.session, 50));
                if want == Some(k) {
                    self.authed = true;
                    ok(vec![])
                } else {
                    vec![reply(cmd::ACK_UNAUTH, req, vec![])]
                }
            }
            Request::GetVersion => ok(b"Ver 6.60 Apr 28 2015\0".to_vec()),
            Request::ReadOption(k) => match self.options.get(&k) {
                Some(v) => ok(options::encode_option_pair(&k, v)),
                None => vec![reply(cmd::ACK_ERROR, req, vec![])],
            },
            Request::GetFreeSizes => ok(self.free_sizes().encode()),
            Request::GetTime => ok(codec::encode_time(self.time)
                .unwrap()
                .to_le_bytes()
                .to_vec()),
            Request::SetTime(t) => {
                self.time = t;
                ok(vec![])
            }
            Request::GetState => with_session(cmd::ACK_OK, vec![], if self.busy { 4 } else { 0 }),
            Request::Disable(t) => {
                if self.busy {
                    return vec![reply(cmd::ACK_ERROR, req, vec![])];
                }
                self.disabled = Some(t);
                ok(vec![])
            }
            Request::Enable => {
                self.disabled = None;
                self.enable_count += 1;
                ok(vec![])
            }
            Request::PrepareBuffer(p) => {
                self.buffer = if p.table == u16::from(cmd::TABLE_USERS) {
                    codec::encode_user_table(&self.users, self.user_format, self.enc).unwrap()
                } else if let Some((raw, _)) = &self.raw_attlog {
                    raw.clone()
                } else {
                    codec::encode_attendance_table(&self.records, self.att_format, self.enc)
                        .unwrap()
                };
                if self.inline_tables {
                    vec![reply(cmd::DATA, req, self.buffer.clone())]
                } else {
                    ok(bulk::encode_buffer_ready(self.buffer.len() as u32))
                }
            }
            Request::ReadChunk(c) => {
                self.chunk_requests.push((c.offset, c.len));
                let s = c.offset as usize;
                let e = (s + c.len as usize).min(self.buffer.len());
                let chunk = self.buffer.get(s..e).unwrap_or_default().to_vec();
                let mut out = vec![reply(
                    cmd::PREPARE_DATA,
                    req,
                    bulk::encode_prepare_data(chunk.len() as u32),
                )];
                if udp {
                    for d in codec::split_udp_data(req.session_id, req.reply_id, &chunk) {
                        self.udp_data_sent += 1;
                        if self.drop_udp_data == Some(self.udp_data_sent) {
                            self.drop_udp_data = None;
                            self.lost_in_chunks.push(c.offset);
                            continue;
                        }
                        out.push(d);
                    }
                } else {
                    out.push(reply(cmd::DATA, req, chunk));
                }
                out.push(reply(cmd::ACK_OK, req, vec![]));
                out
            }
            Request::FreeData | Request::RefreshData | Request::RefreshOption => ok(vec![]),
            Request::SetUser(rec) => {
                let Ok(fmt) = UserFormat::from_size(rec.len()) else {
                    return vec![reply(cmd::ACK_ERROR, req, vec![])];
                };
                let u = codec::decode_user(&rec, fmt, self.enc).unwrap();
                self.users.retain(|x| x.uid != u.uid);
                self.users.push(u);
                self.users.sort_by_key(|u| u.uid);
                ok(vec![])
            }
            Request::DeleteUser(uid) => {
                self.users.retain(|u| u.uid != uid);
                ok(vec![])
            }
            Request::ClearAttendance => {
                self.records.clear();
                ok(vec![])
            }
            Request::Exit => ok(vec![]),
            Request::AckOk => vec![],
            _ => vec![reply(cmd::ACK_UNKNOWN, req, vec![])],
        }
    }
}

pub type Shared = Arc<Mutex<Term>>;

pub fn shared(t: Term) -> Shared {
    Arc::new(Mutex::new(t))
}

/// Serves one byte stream (TCP connection or pty end) until it closes.
pub async fn serve_stream<S: AsyncRead + AsyncWrite + Unpin>(mut io: S, term: Shared) {
    let mut d = TcpDeframer::new();
    let mut buf = vec![0u8; 65_536];
    loop {
        let n = match io.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        d.push(&buf[..n]);
        while let Some(r) = d.next_packet() {
            let Ok(p) = r else { continue };
            let (replies, corrupt, close) = {
                let mut t = term.lock().unwrap();
                let replies = t.handle(&p, false);
                let corrupt = t.corrupt_reply_to == Some(p.command);
                if corrupt {
                    t.corrupt_reply_to = None;
                }
                if p.command == cmd::READ_CHUNK {
                    t.chunks_answered += 1;
                }
                let close = t.close_after_chunks.is_some_and(|n| t.chunks_answered >= n);
                (replies, corrupt, close)
            };
            if close {
                return;
            }
            let mut out = Vec::new();
            for rp in replies {
                codec::tcp::encode_tcp_into(&rp, &mut out);
            }
            if corrupt {
                // Checksum field: wrapper (8) + command (2).
                out[10] ^= 0x5a;
            }
            if io.write_all(&out).await.is_err() {
                return;
            }
            if p.command == cmd::EXIT {
                return;
            }
        }
    }
}

/// A TCP terminal on 127.0.0.1 (free port).
pub async fn tcp_terminal(term: Shared) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            term.lock().unwrap().authed = false;
            tokio::spawn(serve_stream(s, term.clone()));
        }
    });
    addr
}

/// A UDP terminal on 127.0.0.1 (free port).
pub async fn udp_terminal(term: Shared) -> SocketAddr {
    let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = s.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65_536];
        while let Ok((n, peer)) = s.recv_from(&mut buf).await {
            let Ok(p) = Packet::decode(&buf[..n]) else {
                continue;
            };
            let replies = term.lock().unwrap().handle(&p, true);
            for rp in replies {
                let _ = s.send_to(&rp.encode(), peer).await;
            }
        }
    });
    addr
}
