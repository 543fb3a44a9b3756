//! The simulated terminal's mutable state: identity, users, attendance log, clock, enabled/busy
//! flags and injected faults. Pure data and rules; no sockets, and no clock reads (callers pass
//! `Instant`s and host times in).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use crate::clock::Clock;
use crate::model::{Punch, SimUser};

pub use kaoqin_zk::codec::text::TextEncoding;

/// What the terminal says about itself (options, version, capacities, record formats).
#[derive(Debug, Clone)]
pub struct DeviceInfo {
    pub serial_number: String,
    pub platform: String,
    pub firmware: String,
    pub device_name: String,
    pub mac: String,
    pub fp_version: String,
    pub face_version: String,
    pub pin_width: u8,
    /// Attendance record size on the wire: 16, 40 or 49.
    pub att_record_size: usize,
    /// User record size on the wire: 28 or 72.
    pub user_record_size: usize,
    pub encoding: TextEncoding,
    /// 0 = no comm key.
    pub comm_key: u32,
    pub att_capacity: usize,
    pub user_capacity: usize,
    pub fp_capacity: usize,
    pub face_capacity: usize,
}

impl Default for DeviceInfo {
    fn default() -> Self {
        Self {
            serial_number: "KQSIM0000001".into(),
            platform: "ZMM220_TFT".into(),
            firmware: "Ver 6.60 Apr 28 2015".into(),
            device_name: "Kaoqin SimFace".into(),
            mac: "00:17:61:12:34:56".into(),
            fp_version: "10".into(),
            face_version: "7".into(),
            pin_width: 9,
            att_record_size: 40,
            user_record_size: 72,
            encoding: TextEncoding::Gbk,
            comm_key: 0,
            att_capacity: 200_000,
            user_capacity: 30_000,
            fp_capacity: 10_000,
            face_capacity: 10_000,
        }
    }
}

/// Faults injected from the control port, applied by the protocol servers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Close the connection after this many more bulk-read chunks have been sent (one-shot).
    pub drop_after_chunks: Option<u32>,
    /// Delay every reply by this many milliseconds.
    pub delay_ms: u64,
    /// Flip the checksum of the next packet sent (one-shot).
    pub corrupt_next_checksum: bool,
    /// Read requests but never answer them, until cleared.
    pub stall: bool,
    /// Send this many more bulk-read chunks, then hold the transfer ([`Faults::hold_chunks`]):
    /// a session held mid-way, so a test can act on one that is certainly still reading (cancel,
    /// kill) without racing its end.
    pub stall_after_chunks: Option<u32>,
    /// Chunk reads (READ_CHUNK) get no answer until cleared; every other command is answered, so
    /// a client that gives up on the transfer can still enable the terminal and disconnect.
    pub hold_chunks: bool,
}

/// What the servers have done since the simulator started, for tests that wait for a state
/// ("the transfer has started", "a request is being held") instead of sleeping.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Bulk-read chunks sent, over every connection.
    pub chunks_sent: u64,
    /// Requests read and left unanswered by a stall or a held transfer.
    pub requests_stalled: u64,
    /// DISABLEDEVICE commands accepted.
    pub disables: u64,
    /// ENABLEDEVICE commands accepted.
    pub enables: u64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StateError {
    #[error("attendance log is full ({0} records); clear it first")]
    LogFull(usize),
    #[error("user table is full ({0} users)")]
    UsersFull(usize),
    #[error("device is disabled by a connected client; punches are refused")]
    Disabled,
    #[error("no user with uid {0}")]
    NoSuchUser(u16),
    #[error("uid {0} has no fingerprint template for finger {1} (fingers are 0-9)")]
    NoSuchFinger(u16, u8),
    #[error("no punch of {0} at {1}")]
    NoSuchPunch(String, NaiveDateTime),
}

/// Whether the terminal accepts punches at the keypad/camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enabled {
    Yes,
    /// Disabled by DISABLEDEVICE; `Some(deadline)` re-enables itself automatically.
    No(Option<Instant>),
}

#[derive(Debug)]
pub struct Terminal {
    pub info: DeviceInfo,
    /// Writable options (OPTIONS_WRQ) beyond the fixed identity.
    pub options: BTreeMap<String, String>,
    users: BTreeMap<u16, SimUser>,
    /// Fingerprint templates by (uid, finger). A user's `has_fingerprint` is true exactly when
    /// they have at least one.
    templates: BTreeMap<(u16, u8), Vec<u8>>,
    log: Vec<Punch>,
    pub clock: Clock,
    enabled: Enabled,
    busy_until: Option<Option<Instant>>,
    pub faults: Faults,
    pub counters: Counters,
}

impl Terminal {
    pub fn new(info: DeviceInfo) -> Self {
        let mut options = BTreeMap::new();
        for (k, v) in [
            ("DeviceID", "1"),
            ("RS232BaudRate", "115200"),
            ("IPAddress", "127.0.0.1"),
            ("NetMask", "255.0.0.0"),
            ("GATEIPAddress", "0.0.0.0"),
            ("LockOn", "5"),
            ("Language", "83"),
        ] {
            options.insert(k.to_string(), v.to_string());
        }
        Self {
            info,
            options,
            users: BTreeMap::new(),
            templates: BTreeMap::new(),
            log: Vec::new(),
            clock: Clock::default(),
            enabled: Enabled::Yes,
            busy_until: None,
            faults: Faults::default(),
            counters: Counters::default(),
        }
    }

    /// Value of an option key as OPTIONS_RRQ returns it, or None (→ ACK_ERROR).
    pub fn option(&self, key: &str) -> Option<String> {
        let i = &self.info;
        let fixed = match key {
            "~SerialNumber" => Some(i.serial_number.clone()),
            "~Platform" => Some(i.platform.clone()),
            "~DeviceName" => Some(i.device_name.clone()),
            "MAC" => Some(i.mac.clone()),
            "~ZKFPVersion" => Some(i.fp_version.clone()),
            "ZKFaceVersion" => Some(i.face_version.clone()),
            "~OS" => Some("1".into()),
            "~ExtendFmt" | "~UserExtFmt" => {
                Some(if i.user_record_size == 72 { "1" } else { "0" }.into())
            }
            "FaceFunOn" => Some("1".into()),
            "CompatOldFirmware" => Some("0".into()),
            "~PIN2Width" => Some(i.pin_width.to_string()),
            "~MaxUserCount" => Some((i.user_capacity / 100).to_string()),
            "~MaxAttLogCount" => Some((i.att_capacity / 10_000).to_string()),
            "~AttLogRecordSize" => Some(i.att_record_size.to_string()),
            "~UserRecordSize" => Some(i.user_record_size.to_string()),
            "Encoding" => Some(i.encoding.name().into()),
            _ => None,
        };
        fixed.or_else(|| self.options.get(key).cloned())
    }

    /// OPTIONS_WRQ: only existing writable keys are accepted (identity keys starting with `~` are
    /// read-only). Returns false for unknown or read-only keys (→ ACK_ERROR).
    pub fn set_option(&mut self, key: &str, value: &str) -> bool {
        match self.options.get_mut(key) {
            Some(v) => {
                *v = value.to_string();
                true
            }
            None => false,
        }
    }

    // ---- users -------------------------------------------------------------------------------

    pub fn users(&self) -> impl ExactSizeIterator<Item = &SimUser> {
        self.users.values()
    }

    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    pub fn user(&self, uid: u16) -> Option<&SimUser> {
        self.users.get(&uid)
    }

    pub fn user_by_id(&self, user_id: &str) -> Option<&SimUser> {
        self.users.values().find(|u| u.user_id == user_id)
    }

    pub fn user_mut(&mut self, uid: u16) -> Result<&mut SimUser, StateError> {
        self.users.get_mut(&uid).ok_or(StateError::NoSuchUser(uid))
    }

    /// Insert or replace the user in slot `user.uid` (what USER_WRQ does).
    pub fn upsert_user(&mut self, user: SimUser) -> Result<(), StateError> {
        if !self.users.contains_key(&user.uid) && self.users.len() >= self.info.user_capacity {
            return Err(StateError::UsersFull(self.info.user_capacity));
        }
        // A user loaded or written with the fingerprint flag gets one template (finger 0) if they
        // have none; without the flag they keep none.
        let uid = user.uid;
        if user.has_fingerprint {
            if !self.has_templates(uid) {
                self.templates.insert((uid, 0), synthetic_template(uid, 0));
            }
        } else {
            self.templates.retain(|(u, _), _| *u != uid);
        }
        self.users.insert(uid, user);
        Ok(())
    }

    pub fn delete_user(&mut self, uid: u16) -> Result<SimUser, StateError> {
        let u = self.users.remove(&uid).ok_or(StateError::NoSuchUser(uid))?;
        self.templates.retain(|(t, _), _| *t != uid);
        Ok(u)
    }

    // ---- fingerprint templates ---------------------------------------------------------------

    fn has_templates(&self, uid: u16) -> bool {
        self.templates
            .range((uid, 0)..=(uid, u8::MAX))
            .next()
            .is_some()
    }

    /// All templates as (uid, finger, bytes), by uid then finger.
    pub fn templates(&self) -> impl Iterator<Item = (u16, u8, &[u8])> {
        self.templates
            .iter()
            .map(|((uid, f), t)| (*uid, *f, t.as_slice()))
    }

    /// Enrolls a (synthetic) fingerprint of `finger` 0..=9 for an existing user.
    pub fn add_template(&mut self, uid: u16, finger: u8) -> Result<(), StateError> {
        if finger > 9 {
            return Err(StateError::NoSuchFinger(uid, finger));
        }
        let u = self
            .users
            .get_mut(&uid)
            .ok_or(StateError::NoSuchUser(uid))?;
        u.has_fingerprint = true;
        self.templates
            .insert((uid, finger), synthetic_template(uid, finger));
        Ok(())
    }

    /// DELETE_USERTEMP: removes one template; the user's flag follows.
    pub fn delete_template(&mut self, uid: u16, finger: u8) -> Result<(), StateError> {
        self.templates
            .remove(&(uid, finger))
            .ok_or(StateError::NoSuchFinger(uid, finger))?;
        if !self.has_templates(uid)
            && let Some(u) = self.users.get_mut(&uid)
        {
            u.has_fingerprint = false;
        }
        Ok(())
    }

    pub fn admin_count(&self) -> usize {
        self.users
            .values()
            .filter(|u| u.privilege & 0x0e != 0)
            .count()
    }

    pub fn password_count(&self) -> usize {
        self.users
            .values()
            .filter(|u| !u.password.is_empty())
            .count()
    }

    /// Stored templates (what GET_FREE_SIZES reports as fingerprints).
    pub fn fingerprint_count(&self) -> usize {
        self.templates.len()
    }

    pub fn face_count(&self) -> usize {
        self.users.values().filter(|u| u.has_face).count()
    }

    // ---- attendance log ----------------------------------------------------------------------

    pub fn log(&self) -> &[Punch] {
        &self.log
    }

    /// Load records at start-up (generator or CSV), ignoring the enabled flag but not capacity.
    pub fn load_log(&mut self, punches: Vec<Punch>) -> Result<(), StateError> {
        if self.log.len() + punches.len() > self.info.att_capacity {
            return Err(StateError::LogFull(self.info.att_capacity));
        }
        self.log.extend(punches);
        Ok(())
    }

    /// A person punches at the terminal (control port `add-punch`).
    pub fn add_punch(&mut self, punch: Punch, now: Instant) -> Result<(), StateError> {
        if !self.is_enabled(now) {
            return Err(StateError::Disabled);
        }
        if self.log.len() >= self.info.att_capacity {
            return Err(StateError::LogFull(self.info.att_capacity));
        }
        self.log.push(punch);
        Ok(())
    }

    /// Remove every punch of `user_id` at `time`; returns how many were removed.
    pub fn delete_punch(
        &mut self,
        user_id: &str,
        time: NaiveDateTime,
    ) -> Result<usize, StateError> {
        let before = self.log.len();
        self.log
            .retain(|p| !(p.user_id == user_id && p.time == time));
        match before - self.log.len() {
            0 => Err(StateError::NoSuchPunch(user_id.to_string(), time)),
            n => Ok(n),
        }
    }

    /// Change the time of the first punch of `user_id` at `old` (simulates a tampered record).
    pub fn alter_punch_time(
        &mut self,
        user_id: &str,
        old: NaiveDateTime,
        new: NaiveDateTime,
    ) -> Result<(), StateError> {
        let p = self
            .log
            .iter_mut()
            .find(|p| p.user_id == user_id && p.time == old)
            .ok_or_else(|| StateError::NoSuchPunch(user_id.to_string(), old))?;
        p.time = new;
        Ok(())
    }

    pub fn clear_log(&mut self) -> usize {
        let n = self.log.len();
        self.log.clear();
        n
    }

    // ---- enabled / busy ----------------------------------------------------------------------

    /// DISABLEDEVICE, optionally re-enabling itself after `timeout`.
    pub fn disable(&mut self, timeout: Option<Duration>, now: Instant) {
        self.enabled = Enabled::No(timeout.map(|t| now + t));
    }

    pub fn enable(&mut self) {
        self.enabled = Enabled::Yes;
    }

    pub fn is_enabled(&mut self, now: Instant) -> bool {
        if let Enabled::No(Some(deadline)) = self.enabled
            && now >= deadline
        {
            self.enabled = Enabled::Yes;
        }
        self.enabled == Enabled::Yes
    }

    /// Someone is punching: the terminal is busy until `until` (None = until `set_busy(false)`).
    pub fn set_busy(&mut self, busy: bool, until: Option<Instant>) {
        self.busy_until = busy.then_some(until);
    }

    pub fn is_busy(&mut self, now: Instant) -> bool {
        if let Some(Some(deadline)) = self.busy_until
            && now >= deadline
        {
            self.busy_until = None;
        }
        self.busy_until.is_some()
    }

    pub fn device_time(&self, host_now: NaiveDateTime) -> NaiveDateTime {
        self.clock.device_time(host_now)
    }
}

/// A deterministic stand-in for a template (real ones are ~500 opaque bytes).
fn synthetic_template(uid: u16, finger: u8) -> Vec<u8> {
    let mut t = b"KQSIMFP".to_vec();
    t.extend_from_slice(&uid.to_le_bytes());
    t.push(finger);
    let seed = u32::from(uid) * 31 + u32::from(finger);
    t.extend((0..502u32).map(|i| ((seed.wrapping_mul(2_654_435_761) >> 7) as u8) ^ (i as u8)));
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 2)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .unwrap_or_default()
    }

    fn punch(user: &str, h: u32, m: u32) -> Punch {
        Punch {
            user_id: user.into(),
            time: t(h, m),
            verify: 15,
            state: 0,
            workcode: 0,
        }
    }

    #[test]
    fn disabled_terminal_refuses_punches_until_timeout() {
        let mut term = Terminal::new(DeviceInfo::default());
        let now = Instant::now();
        term.disable(Some(Duration::from_secs(60)), now);
        assert_eq!(
            term.add_punch(punch("1", 8, 0), now),
            Err(StateError::Disabled)
        );
        assert!(
            term.add_punch(punch("1", 8, 0), now + Duration::from_secs(61))
                .is_ok()
        );
        assert_eq!(term.log().len(), 1);
    }

    #[test]
    fn capacity_is_enforced() {
        let info = DeviceInfo {
            att_capacity: 2,
            ..DeviceInfo::default()
        };
        let mut term = Terminal::new(info);
        let now = Instant::now();
        assert!(term.add_punch(punch("1", 8, 0), now).is_ok());
        assert!(term.add_punch(punch("1", 9, 0), now).is_ok());
        assert_eq!(
            term.add_punch(punch("1", 10, 0), now),
            Err(StateError::LogFull(2))
        );
    }

    #[test]
    fn delete_and_alter_punches() {
        let mut term = Terminal::new(DeviceInfo::default());
        let now = Instant::now();
        for p in [punch("1", 8, 0), punch("2", 8, 5), punch("1", 18, 0)] {
            assert!(term.add_punch(p, now).is_ok());
        }
        assert_eq!(term.delete_punch("2", t(8, 5)), Ok(1));
        assert!(term.delete_punch("2", t(8, 5)).is_err());
        assert!(term.alter_punch_time("1", t(8, 0), t(7, 0)).is_ok());
        let times: Vec<_> = term.log().iter().map(|p| p.time).collect();
        assert_eq!(times, vec![t(7, 0), t(18, 0)]);
    }

    #[test]
    fn templates_follow_the_fingerprint_flag() {
        let mut term = Terminal::new(DeviceInfo::default());
        let user = |uid: u16, fp: bool| SimUser {
            uid,
            user_id: uid.to_string(),
            name: format!("u{uid}"),
            privilege: 0,
            password: String::new(),
            card: 0,
            group: 1,
            has_fingerprint: fp,
            has_face: true,
        };
        assert!(term.upsert_user(user(1, true)).is_ok());
        assert!(term.upsert_user(user(2, false)).is_ok());
        assert_eq!(term.fingerprint_count(), 1);
        assert!(term.add_template(2, 6).is_ok());
        assert!(term.add_template(2, 10).is_err());
        assert!(term.user(2).is_some_and(|u| u.has_fingerprint));
        let t: Vec<_> = term.templates().map(|(u, f, _)| (u, f)).collect();
        assert_eq!(t, vec![(1, 0), (2, 6)]);
        assert!(term.delete_template(2, 6).is_ok());
        assert!(term.delete_template(2, 6).is_err());
        assert!(term.user(2).is_some_and(|u| !u.has_fingerprint));
        assert!(term.delete_user(1).is_ok());
        assert_eq!(term.fingerprint_count(), 0);
    }

    #[test]
    fn busy_expires() {
        let mut term = Terminal::new(DeviceInfo::default());
        let now = Instant::now();
        term.set_busy(true, Some(now + Duration::from_millis(10)));
        assert!(term.is_busy(now));
        assert!(!term.is_busy(now + Duration::from_millis(11)));
        term.set_busy(true, None);
        assert!(term.is_busy(now + Duration::from_secs(3600)));
    }

    #[test]
    fn options_known_unknown_and_read_only() {
        let mut term = Terminal::new(DeviceInfo::default());
        assert_eq!(
            term.option("~SerialNumber").as_deref(),
            Some("KQSIM0000001")
        );
        assert_eq!(term.option("NoSuchKey"), None);
        assert!(!term.set_option("~SerialNumber", "X"));
        assert!(term.set_option("LockOn", "3"));
        assert_eq!(term.option("LockOn").as_deref(), Some("3"));
    }
}
