//! The terminal's side of the ZK protocol: one request packet in, the reply packets out, for one
//! session. Sans-IO: transports (TCP, UDP, pty) own the sockets, framing and injected faults.
//! Must never panic on a client's bytes; anything it does not understand gets ACK_ERROR or
//! ACK_UNKNOWN, and a client's ACK_OK is never answered (that makes pyzk's live capture loop).

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use kaoqin_zk::codec::bulk::{PrepareBuffer, ReadChunk, encode_buffer_ready, encode_prepare_data};
use kaoqin_zk::codec::command as cmd;
use kaoqin_zk::codec::commkey::make_commkey;
use kaoqin_zk::codec::options::{
    decode_disable_timeout, decode_option_pair, decode_option_request, encode_option_pair,
};
use kaoqin_zk::codec::packet::Packet;
use kaoqin_zk::codec::sizes::FreeSizes;
use kaoqin_zk::codec::template::decode_delete_template;
use kaoqin_zk::codec::time::{decode_time, encode_time};
use kaoqin_zk::codec::udp::split_udp_data;
use kaoqin_zk::codec::user::{UserFormat, decode_user};

use crate::state::Terminal;
use crate::wire;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Tcp,
    Udp,
    Serial,
}

/// STATE_RRQ values (returned in the session field).
pub const STATE_IDLE: u16 = 0;
pub const STATE_BUSY: u16 = 4;

/// Per-connection protocol state.
#[derive(Debug)]
pub struct Session {
    pub id: u16,
    pub transport: Transport,
    connected: bool,
    authed: bool,
    /// Dataset prepared by PREPARE_BUFFER (1503), read with READ_CHUNK (1504).
    buffer: Option<Vec<u8>>,
    /// REG_EVENT flags (EF_ATTLOG = 1).
    pub event_flags: u32,
    /// Largest dataset returned inline as one DATA reply to 1503 (bigger ones go through chunks).
    pub inline_max: usize,
}

/// What to send back for one request.
#[derive(Debug, Default)]
pub struct Reply {
    pub packets: Vec<Packet>,
    /// Close the connection / forget the session after sending.
    pub close: bool,
    /// This reply carries one bulk-read chunk (counts for `fault drop-after-chunks`).
    pub is_chunk: bool,
}

impl Session {
    pub fn new(id: u16, transport: Transport, inline_max: usize) -> Self {
        Self {
            id,
            transport,
            connected: false,
            authed: false,
            buffer: None,
            event_flags: 0,
            inline_max,
        }
    }

    pub fn is_connected(&self) -> bool {
        self.connected
    }

    fn one(&self, command: u16, reply_id: u16, payload: Vec<u8>) -> Reply {
        Reply {
            packets: vec![Packet::new(command, self.id, reply_id, payload)],
            ..Reply::default()
        }
    }

    fn ok(&self, req: &Packet) -> Reply {
        self.one(cmd::ACK_OK, req.reply_id, Vec::new())
    }

    fn error(&self, req: &Packet) -> Reply {
        self.one(cmd::ACK_ERROR, req.reply_id, Vec::new())
    }

    /// Handle one request. `now`/`host_now` are the monotonic and local wall-clock times.
    pub fn handle(
        &mut self,
        term: &mut Terminal,
        req: &Packet,
        now: Instant,
        host_now: NaiveDateTime,
    ) -> Reply {
        let key = term.info.comm_key;
        match req.command {
            // Never answer an acknowledgement (pyzk acks every event; answering would ping-pong).
            cmd::ACK_OK => return Reply::default(),
            cmd::CONNECT => return self.connect(key, req),
            // AUTH before CONNECT falls through to the ACK_UNAUTH below.
            cmd::AUTH if self.connected => return self.auth(key, req),
            cmd::EXIT => return self.exit(req),
            _ => {}
        }
        if !self.connected || !self.authed {
            return self.one(cmd::ACK_UNAUTH, req.reply_id, Vec::new());
        }
        let busy = term.is_busy(now);
        match req.command {
            cmd::GET_VERSION | cmd::OPTIONS_RRQ | cmd::OPTIONS_WRQ | cmd::GET_FREE_SIZES => {
                self.device_info(term, req)
            }
            cmd::GET_TIME | cmd::SET_TIME => self.clock(term, req, host_now),
            cmd::STATE_RRQ
            | cmd::DISABLE_DEVICE
            | cmd::ENABLE_DEVICE
            | cmd::REFRESH_DATA
            | cmd::REFRESH_OPTION
            | cmd::START_VERIFY
            | cmd::CANCEL_CAPTURE
            | cmd::REG_EVENT => self.device_control(term, req, busy, now),
            cmd::PREPARE_BUFFER
            | cmd::READ_CHUNK
            | cmd::USERTEMP_RRQ
            | cmd::ATTLOG_RRQ
            | cmd::FREE_DATA => self.data_read(term, req, busy),
            cmd::USER_WRQ | cmd::DELETE_USER | cmd::DELETE_USERTEMP => {
                self.user_write(term, req, busy)
            }
            cmd::CLEAR_ATTLOG | cmd::CLEAR_DATA => self.clear(term, req, busy),
            _ => self.unknown(req),
        }
    }

    fn connect(&mut self, key: u32, req: &Packet) -> Reply {
        self.connected = true;
        self.authed = key == 0;
        self.buffer = None;
        let code = if self.authed {
            cmd::ACK_OK
        } else {
            cmd::ACK_UNAUTH
        };
        self.one(code, req.reply_id, Vec::new())
    }

    fn auth(&mut self, key: u32, req: &Packet) -> Reply {
        let good = key == 0
            || match req.payload.as_slice() {
                [_, _, ticks, _] => make_commkey(key, self.id, *ticks) == req.payload.as_slice(),
                _ => false,
            };
        self.authed = good;
        let code = if good { cmd::ACK_OK } else { cmd::ACK_UNAUTH };
        if !good {
            tracing::warn!(session = self.id, "AUTH with a wrong comm key");
        }
        self.one(code, req.reply_id, Vec::new())
    }

    fn exit(&mut self, req: &Packet) -> Reply {
        let mut r = self.ok(req);
        r.close = true;
        self.connected = false;
        r
    }

    fn device_info(&self, term: &mut Terminal, req: &Packet) -> Reply {
        match req.command {
            cmd::GET_VERSION => self.one(cmd::ACK_OK, req.reply_id, cstr(&term.info.firmware)),
            cmd::OPTIONS_RRQ => match decode_option_request(&req.payload)
                .map(|k| (term.option(&k), k))
            {
                Ok((Some(v), k)) => self.one(cmd::ACK_OK, req.reply_id, encode_option_pair(&k, &v)),
                _ => self.error(req),
            },
            cmd::OPTIONS_WRQ => match decode_option_pair(&req.payload) {
                Ok((k, v)) if term.set_option(&k, &v) => self.ok(req),
                _ => self.error(req),
            },
            cmd::GET_FREE_SIZES => self.one(cmd::ACK_OK, req.reply_id, free_sizes(term)),
            _ => self.unknown(req),
        }
    }

    fn clock(&self, term: &mut Terminal, req: &Packet, host_now: NaiveDateTime) -> Reply {
        match req.command {
            cmd::GET_TIME => match encode_time(term.device_time(host_now)) {
                Ok(t) => self.one(cmd::ACK_OK, req.reply_id, t.to_le_bytes().to_vec()),
                Err(_) => self.error(req),
            },
            cmd::SET_TIME => match u32_at(&req.payload, 0).map(decode_time) {
                Some(Ok(t)) => {
                    term.clock.set_device_time(t, host_now);
                    self.ok(req)
                }
                _ => self.error(req),
            },
            _ => self.unknown(req),
        }
    }

    fn device_control(
        &mut self,
        term: &mut Terminal,
        req: &Packet,
        busy: bool,
        now: Instant,
    ) -> Reply {
        match req.command {
            cmd::STATE_RRQ => {
                // The state travels in the session field (docs/terminal-protocols.md §1).
                let state = if busy { STATE_BUSY } else { STATE_IDLE };
                Reply {
                    packets: vec![Packet::bare(cmd::ACK_OK, state, req.reply_id)],
                    ..Reply::default()
                }
            }
            cmd::DISABLE_DEVICE if busy => self.error(req),
            cmd::DISABLE_DEVICE => {
                let timeout = decode_disable_timeout(&req.payload)
                    .filter(|s| *s > 0)
                    .map(|s| Duration::from_secs(u64::from(s)));
                term.disable(timeout, now);
                term.counters.disables += 1;
                self.ok(req)
            }
            cmd::ENABLE_DEVICE => {
                term.enable();
                term.counters.enables += 1;
                self.ok(req)
            }
            cmd::REFRESH_DATA | cmd::REFRESH_OPTION | cmd::START_VERIFY | cmd::CANCEL_CAPTURE => {
                self.ok(req)
            }
            cmd::REG_EVENT => {
                self.event_flags = u32_at(&req.payload, 0).unwrap_or(0);
                self.ok(req)
            }
            _ => self.unknown(req),
        }
    }

    fn data_read(&mut self, term: &Terminal, req: &Packet, busy: bool) -> Reply {
        match req.command {
            // READ_CHUNK and FREE_DATA are answered while busy: a transfer under way can finish.
            cmd::PREPARE_BUFFER | cmd::USERTEMP_RRQ | cmd::ATTLOG_RRQ if busy => self.error(req),
            cmd::PREPARE_BUFFER => self.prepare_buffer(term, req),
            cmd::READ_CHUNK => self.read_chunk(req),
            // Old non-buffered table reads: the whole table as one chunk.
            cmd::USERTEMP_RRQ | cmd::ATTLOG_RRQ => match dataset(term, req.command) {
                Some(data) => self.chunk_reply(req.reply_id, data),
                None => self.error(req),
            },
            cmd::FREE_DATA => {
                self.buffer = None;
                self.ok(req)
            }
            _ => self.unknown(req),
        }
    }

    fn prepare_buffer(&mut self, term: &Terminal, req: &Packet) -> Reply {
        let Ok(prep) = PrepareBuffer::decode(&req.payload) else {
            return self.error(req);
        };
        let Some(data) = dataset(term, prep.table) else {
            return self.error(req);
        };
        if data.len() <= self.inline_max {
            return self.one(cmd::DATA, req.reply_id, data);
        }
        let payload = encode_buffer_ready(data.len() as u32);
        self.buffer = Some(data);
        self.one(cmd::ACK_OK, req.reply_id, payload)
    }

    fn read_chunk(&self, req: &Packet) -> Reply {
        let (Ok(rc), Some(buf)) = (ReadChunk::decode(&req.payload), self.buffer.as_ref()) else {
            return self.error(req);
        };
        let start = rc.offset as usize;
        let end = start.saturating_add(rc.len as usize).min(buf.len());
        match buf.get(start..end) {
            Some(chunk) if !chunk.is_empty() => {
                let chunk = chunk.to_vec();
                let mut r = self.chunk_reply(req.reply_id, chunk);
                r.is_chunk = true;
                r
            }
            _ => self.error(req),
        }
    }

    fn user_write(&self, term: &mut Terminal, req: &Packet, busy: bool) -> Reply {
        if busy {
            return self.error(req);
        }
        match req.command {
            cmd::DELETE_USERTEMP => match decode_delete_template(&req.payload)
                .map(|(uid, finger)| (uid, finger, term.delete_template(uid, finger)))
            {
                Ok((uid, finger, Ok(()))) => {
                    tracing::info!(uid, finger, "fingerprint template deleted by client");
                    self.ok(req)
                }
                _ => self.error(req),
            },
            cmd::USER_WRQ => self.write_user(term, req),
            cmd::DELETE_USER => match u16_at(&req.payload).map(|uid| term.delete_user(uid)) {
                Some(Ok(u)) => {
                    tracing::info!(uid = u.uid, user_id = %u.user_id, "user deleted by client");
                    self.ok(req)
                }
                _ => self.error(req),
            },
            _ => self.unknown(req),
        }
    }

    fn write_user(&self, term: &mut Terminal, req: &Packet) -> Reply {
        let decoded = UserFormat::from_size(req.payload.len())
            .and_then(|f| decode_user(&req.payload, f, term.info.encoding));
        match decoded {
            Ok(r) => {
                let user = wire::from_record(r, term.user(u16_at(&req.payload).unwrap_or(0)));
                tracing::info!(uid = user.uid, user_id = %user.user_id, "user written by client");
                match term.upsert_user(user) {
                    Ok(()) => self.ok(req),
                    Err(_) => self.error(req),
                }
            }
            Err(e) => {
                tracing::warn!("USER_WRQ rejected: {e}");
                self.error(req)
            }
        }
    }

    fn clear(&self, term: &mut Terminal, req: &Packet, busy: bool) -> Reply {
        if busy {
            return self.error(req);
        }
        match req.command {
            cmd::CLEAR_ATTLOG => {
                let n = term.clear_log();
                tracing::info!(removed = n, "attendance log cleared by client");
                self.ok(req)
            }
            cmd::CLEAR_DATA => {
                // Without a payload: everything; with a table id: that table only.
                match req.payload.first() {
                    Some(&t) if u16::from(t) == cmd::ATTLOG_RRQ || t == 1 => {
                        term.clear_log();
                    }
                    _ => {
                        term.clear_log();
                        let uids: Vec<u16> = term.users().map(|u| u.uid).collect();
                        for uid in uids {
                            let _ = term.delete_user(uid);
                        }
                    }
                }
                self.ok(req)
            }
            _ => self.unknown(req),
        }
    }

    fn unknown(&self, req: &Packet) -> Reply {
        match req.command {
            // pyzk "clears" an ACK_ERROR by sending 2001 and 0xFFFF and waits for some answer.
            cmd::ACK_ERROR | cmd::ACK_UNKNOWN => {
                self.one(cmd::ACK_UNKNOWN, req.reply_id, Vec::new())
            }
            other => {
                tracing::debug!(command = other, "unknown command");
                self.one(cmd::ACK_UNKNOWN, req.reply_id, Vec::new())
            }
        }
    }

    /// PREPARE_DATA (u32 length, u32 0x10), the data (one DATA packet over TCP/serial, DATA
    /// datagrams of ≤ 1024 bytes over UDP), then ACK_OK; all with the request's reply id.
    fn chunk_reply(&self, reply_id: u16, chunk: Vec<u8>) -> Reply {
        let prep = encode_prepare_data(chunk.len() as u32);
        let mut packets = vec![Packet::new(cmd::PREPARE_DATA, self.id, reply_id, prep)];
        match self.transport {
            Transport::Udp => packets.extend(split_udp_data(self.id, reply_id, &chunk)),
            Transport::Tcp | Transport::Serial => {
                packets.push(Packet::new(cmd::DATA, self.id, reply_id, chunk))
            }
        }
        packets.push(Packet::bare(cmd::ACK_OK, self.id, reply_id));
        Reply {
            packets,
            ..Reply::default()
        }
    }
}

/// The bulk dataset of a table id (users 9, attendance 13, fingerprint templates 7).
fn dataset(term: &Terminal, table: u16) -> Option<Vec<u8>> {
    let result = match table {
        cmd::USERTEMP_RRQ => wire::user_table(term),
        cmd::ATTLOG_RRQ => wire::att_table(term),
        cmd::DB_RRQ => wire::template_table(term),
        _ => return None,
    };
    result
        .map_err(|e| tracing::error!("cannot encode table {table}: {e}"))
        .ok()
}

/// GET_FREE_SIZES reply, consistent with what the bulk reads will return.
pub fn free_sizes(term: &Terminal) -> Vec<u8> {
    let i = &term.info;
    let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
    FreeSizes {
        users: n(term.user_count()),
        fingerprints: n(term.fingerprint_count()),
        records: n(term.log().len()),
        oplog: 0,
        admins: n(term.admin_count()),
        passwords: n(term.password_count()),
        fingerprint_capacity: n(i.fp_capacity),
        user_capacity: n(i.user_capacity),
        record_capacity: n(i.att_capacity),
        fingerprints_free: n(i.fp_capacity.saturating_sub(term.fingerprint_count())),
        users_free: n(i.user_capacity.saturating_sub(term.user_count())),
        records_free: n(i.att_capacity.saturating_sub(term.log().len())),
        faces: Some(n(term.face_count())),
        face_capacity: Some(n(i.face_capacity)),
    }
    .encode()
}

fn cstr(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    b.get(i..i + 4)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_le_bytes)
}

fn u16_at(b: &[u8]) -> Option<u16> {
    b.get(..2)
        .and_then(|s| s.try_into().ok())
        .map(u16::from_le_bytes)
}
