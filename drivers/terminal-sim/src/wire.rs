//! Converts the simulator's records to and from the `kaoqin-zk` codec's record types and builds
//! the bulk tables. All byte layouts live in the codec; this module must not encode bytes itself.

use std::collections::HashMap;

use kaoqin_zk::codec::attendance::{
    AttFormat, AttendanceRecord, PunchState, VerifyMode, encode_attendance_table,
};
use kaoqin_zk::codec::error::CodecError;
use kaoqin_zk::codec::event::encode_attendance_event;
use kaoqin_zk::codec::template::{FingerTemplate, encode_template_table};
use kaoqin_zk::codec::user::{Privilege, UserFormat, UserRecord, encode_user_table};

use crate::model::{Punch, SimUser};
use crate::state::Terminal;

pub fn to_record(u: &SimUser) -> UserRecord {
    UserRecord {
        uid: u.uid,
        privilege: Privilege(u.privilege),
        password: u.password.clone(),
        name: u.name.clone(),
        card: u.card,
        group: u.group,
        user_id: u.user_id.clone(),
        ..UserRecord::default()
    }
}

/// A user written by a client (USER_WRQ); biometric flags are kept from the slot's previous user.
pub fn from_record(r: UserRecord, previous: Option<&SimUser>) -> SimUser {
    SimUser {
        uid: r.uid,
        user_id: if r.user_id.is_empty() {
            r.uid.to_string()
        } else {
            r.user_id
        },
        name: r.name,
        privilege: r.privilege.0,
        password: r.password,
        card: r.card,
        group: r.group,
        has_fingerprint: previous.is_some_and(|p| p.has_fingerprint),
        has_face: previous.is_some_and(|p| p.has_face),
    }
}

pub fn att_format(term: &Terminal) -> Result<AttFormat, CodecError> {
    AttFormat::from_size(term.info.att_record_size)
}

pub fn user_format(term: &Terminal) -> Result<UserFormat, CodecError> {
    UserFormat::from_size(term.info.user_record_size)
}

/// The user table as the bulk read returns it (u32 size, then records).
pub fn user_table(term: &Terminal) -> Result<Vec<u8>, CodecError> {
    let users: Vec<UserRecord> = term.users().map(to_record).collect();
    encode_user_table(&users, user_format(term)?, term.info.encoding)
}

/// The fingerprint templates as the bulk read of table 7 returns them (u32 size, then records).
pub fn template_table(term: &Terminal) -> Result<Vec<u8>, CodecError> {
    let templates: Vec<FingerTemplate> = term
        .templates()
        .map(|(uid, finger, t)| FingerTemplate {
            uid,
            finger,
            valid: 1,
            template: t.to_vec(),
        })
        .collect();
    encode_template_table(&templates)
}

/// The attendance log as the bulk read returns it (u32 size, then records).
pub fn att_table(term: &Terminal) -> Result<Vec<u8>, CodecError> {
    let uids: HashMap<&str, u16> = term.users().map(|u| (u.user_id.as_str(), u.uid)).collect();
    let records: Vec<AttendanceRecord> = term
        .log()
        .iter()
        .map(|p| punch_record(p, uids.get(p.user_id.as_str()).copied()))
        .collect();
    encode_attendance_table(&records, att_format(term)?, term.info.encoding)
}

fn punch_record(p: &Punch, uid: Option<u16>) -> AttendanceRecord {
    AttendanceRecord {
        // A punch of an unknown (deleted) user keeps its enrollment number as uid when it fits.
        uid: uid.or_else(|| p.user_id.parse().ok()),
        user_id: p.user_id.clone(),
        timestamp: p.time,
        verify: VerifyMode::from_u8(p.verify),
        state: PunchState::from_u8(p.state),
        work_code: p.workcode,
    }
}

/// Body of the realtime ATTLOG event pushed to clients that sent REG_EVENT.
pub fn event_body(term: &Terminal, p: &Punch) -> Result<Vec<u8>, CodecError> {
    encode_attendance_event(
        &p.user_id,
        VerifyMode::from_u8(p.verify),
        PunchState::from_u8(p.state),
        p.time,
        term.info.encoding,
    )
}
