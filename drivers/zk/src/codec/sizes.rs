//! GET_FREE_SIZES reply: counts and capacities as i32 LE at fixed offsets. Must not compute
//! business warnings (e.g. "log 90% full"); callers do.

use super::error::CodecError;

/// Counts and capacities reported by the terminal. Negative values are clamped to 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FreeSizes {
    pub users: u32,
    pub fingerprints: u32,
    pub records: u32,
    pub oplog: u32,
    pub admins: u32,
    pub passwords: u32,
    pub fingerprint_capacity: u32,
    pub user_capacity: u32,
    pub record_capacity: u32,
    pub fingerprints_free: u32,
    pub users_free: u32,
    pub records_free: u32,
    /// Only in replies of 92+ bytes (face terminals).
    pub faces: Option<u32>,
    pub face_capacity: Option<u32>,
}

/// Minimum reply length carrying all non-face fields.
pub const FREE_SIZES_MIN: usize = 80;
/// Length of a reply with face fields, as [`FreeSizes::encode`] produces.
pub const FREE_SIZES_LEN: usize = 92;

fn at(p: &[u8], off: usize) -> Option<u32> {
    match p.get(off..off + 4) {
        Some(&[a, b, c, d]) => Some(i32::from_le_bytes([a, b, c, d]).max(0) as u32),
        _ => None,
    }
}

impl FreeSizes {
    pub fn decode(p: &[u8]) -> Result<Self, CodecError> {
        if p.len() < FREE_SIZES_MIN {
            return Err(CodecError::TooShort {
                what: "free-sizes reply",
                need: FREE_SIZES_MIN,
                got: p.len(),
            });
        }
        let g = |off| at(p, off).unwrap_or(0);
        Ok(FreeSizes {
            users: g(16),
            fingerprints: g(24),
            records: g(32),
            oplog: g(40),
            admins: g(48),
            passwords: g(52),
            fingerprint_capacity: g(56),
            user_capacity: g(60),
            record_capacity: g(64),
            fingerprints_free: g(68),
            users_free: g(72),
            records_free: g(76),
            faces: at(p, 80),
            face_capacity: at(p, 88),
        })
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut v = vec![0u8; FREE_SIZES_LEN];
        let mut put = |off: usize, val: u32| {
            v[off..off + 4].copy_from_slice(&val.to_le_bytes());
        };
        put(16, self.users);
        put(24, self.fingerprints);
        put(32, self.records);
        put(40, self.oplog);
        put(48, self.admins);
        put(52, self.passwords);
        put(56, self.fingerprint_capacity);
        put(60, self.user_capacity);
        put(64, self.record_capacity);
        put(68, self.fingerprints_free);
        put(72, self.users_free);
        put(76, self.records_free);
        put(80, self.faces.unwrap_or(0));
        put(88, self.face_capacity.unwrap_or(0));
        v
    }
}
