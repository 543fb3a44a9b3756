//! The records a simulated terminal holds: enrolled users and attendance punches.
//! Plain data only; no encoding to wire bytes (that is the `kaoqin-zk` codec's job).

use chrono::NaiveDateTime;

/// An enrolled user as the terminal stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimUser {
    /// Internal slot number (1..=65535), the `uid` of the ZK protocol.
    pub uid: u16,
    /// Enrollment number shown on the terminal (digits, ≤ 24 bytes).
    pub user_id: String,
    pub name: String,
    /// ZK privilege byte: 0 user, 2 enroller, 6 admin, 14 super admin; bit 0 = disabled.
    pub privilege: u8,
    pub password: String,
    pub card: u32,
    pub group: u8,
    pub has_fingerprint: bool,
    pub has_face: bool,
}

/// One attendance punch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Punch {
    /// Enrollment number of the person who punched.
    pub user_id: String,
    /// Terminal-local time, no time zone (as the device stores it).
    pub time: NaiveDateTime,
    /// Verification mode: 0 password, 1 fingerprint, 2 card, 15 face.
    pub verify: u8,
    /// In/out state: 0 in, 1 out, 2 break-out, 3 break-in, 4 OT-in, 5 OT-out, 255 undefined.
    pub state: u8,
    pub workcode: u32,
}

pub const VERIFY_PASSWORD: u8 = 0;
pub const VERIFY_FINGERPRINT: u8 = 1;
pub const VERIFY_FACE: u8 = 15;
pub const PRIV_USER: u8 = 0;
pub const PRIV_SUPER_ADMIN: u8 = 14;
