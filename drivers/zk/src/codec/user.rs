//! User records in the 28- and 72-byte layouts (docs/terminal-protocols.md §1 "User records"), and
//! the privilege byte. Encode and decode, plus size detection for a bulk user table.
//! Must not decide business rules (who may be admin); it only maps bytes.

use super::error::CodecError;
use super::text::TextEncoding;

/// Layout of user records on a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserFormat {
    /// Old firmware: numeric user id, 5-byte password, 8-byte name.
    B28,
    /// Current firmware: string user id, 8-byte password, 24-byte name (12 GBK hanzi).
    B72,
}

impl UserFormat {
    pub fn size(self) -> usize {
        match self {
            UserFormat::B28 => 28,
            UserFormat::B72 => 72,
        }
    }

    pub fn from_size(size: usize) -> Result<Self, CodecError> {
        match size {
            28 => Ok(UserFormat::B28),
            72 => Ok(UserFormat::B72),
            _ => Err(CodecError::UnsupportedRecordFormat { kind: "user", size }),
        }
    }

    /// Name field width in bytes.
    pub fn name_width(self) -> usize {
        match self {
            UserFormat::B28 => 8,
            UserFormat::B72 => 24,
        }
    }

    /// Password field width in bytes.
    pub fn password_width(self) -> usize {
        match self {
            UserFormat::B28 => 5,
            UserFormat::B72 => 8,
        }
    }
}

/// The privilege byte: bit 0 = disabled, bits 1–3 = level (0 user, 2 enroller, 6 admin,
/// 14 super admin when read as the whole byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Privilege(pub u8);

impl Privilege {
    pub const USER: Privilege = Privilege(0);
    pub const ENROLLER: Privilege = Privilege(2);
    pub const ADMIN: Privilege = Privilege(6);
    pub const SUPER_ADMIN: Privilege = Privilege(14);

    pub fn is_disabled(self) -> bool {
        self.0 & 1 == 1
    }

    /// Level bits (the byte without the disabled flag).
    pub fn level(self) -> u8 {
        self.0 & 0b1110
    }

    /// Admin or super admin: may open the terminal menu.
    pub fn is_admin(self) -> bool {
        matches!(self.level(), 6 | 14)
    }

    /// Same disabled flag, plain user level (used to remove admin rights).
    pub fn demoted(self) -> Privilege {
        Privilege(self.0 & 1)
    }
}

/// One user as stored on the terminal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserRecord {
    /// Internal slot number (what DELETE_USER takes).
    pub uid: u16,
    pub privilege: Privilege,
    /// Empty = no password.
    pub password: String,
    pub name: String,
    /// Card number, 0 = none.
    pub card: u32,
    pub group: u8,
    /// 28-byte: `[tz, 0, 0, 0]`; 72-byte: `[flag, tz1, tz2, tz3]` read as u16 LE from bytes 40–47.
    pub timezones: [u16; 4],
    /// Enrollment number shown to people; numeric in 28-byte records.
    pub user_id: String,
}

impl UserRecord {
    pub fn has_password(&self) -> bool {
        !self.password.is_empty()
    }
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    match b.get(i..i + 2) {
        Some(&[a, c]) => u16::from_le_bytes([a, c]),
        _ => 0,
    }
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    match b.get(i..i + 4) {
        Some(&[a, c, d, e]) => u32::from_le_bytes([a, c, d, e]),
        _ => 0,
    }
}

fn field(b: &[u8], start: usize, len: usize) -> &[u8] {
    b.get(start..start + len).unwrap_or_default()
}

/// Decodes one record; `bytes` must be exactly the record size.
pub fn decode_user(
    bytes: &[u8],
    format: UserFormat,
    enc: TextEncoding,
) -> Result<UserRecord, CodecError> {
    if bytes.len() != format.size() {
        return Err(CodecError::WrongLength {
            what: "user record",
            expected: format.size(),
            got: bytes.len(),
        });
    }
    let b = bytes;
    Ok(match format {
        UserFormat::B28 => UserRecord {
            uid: u16_at(b, 0),
            privilege: Privilege(b[2]),
            password: enc.decode_field(field(b, 3, 5)),
            name: enc.decode_field(field(b, 8, 8)),
            card: u32_at(b, 16),
            group: b[21],
            timezones: [u16_at(b, 22), 0, 0, 0],
            user_id: u32_at(b, 24).to_string(),
        },
        UserFormat::B72 => {
            let tz_bytes = field(b, 40, 8);
            // pyzk writes the group as a decimal string at byte 40 (byte 39 zero); accept that
            // so users written by pyzk read back with their group instead of a bogus timezone.
            let pyzk_group = (b[39] == 0)
                .then(|| {
                    let s = std::str::from_utf8(
                        &tz_bytes[..tz_bytes.iter().position(|&c| c == 0).unwrap_or(7).min(7)],
                    )
                    .ok()?;
                    if s.is_empty() {
                        return None;
                    }
                    s.parse::<u8>().ok()
                })
                .flatten();
            let (group, timezones) = match pyzk_group {
                Some(g) => (g, [0; 4]),
                None => (
                    b[39],
                    [u16_at(b, 40), u16_at(b, 42), u16_at(b, 44), u16_at(b, 46)],
                ),
            };
            UserRecord {
                uid: u16_at(b, 0),
                privilege: Privilege(b[2]),
                password: enc.decode_field(field(b, 3, 8)),
                name: enc.decode_field(field(b, 11, 24)),
                card: u32_at(b, 35),
                group,
                timezones,
                user_id: enc.decode_field(field(b, 48, 24)),
            }
        }
    })
}

/// Encodes one record. Names are cut on a character boundary; a password or user id that does
/// not fit is an error (cutting it would silently change it).
pub fn encode_user(
    user: &UserRecord,
    format: UserFormat,
    enc: TextEncoding,
) -> Result<Vec<u8>, CodecError> {
    let mut b = vec![0u8; format.size()];
    b[0..2].copy_from_slice(&user.uid.to_le_bytes());
    b[2] = user.privilege.0;
    match format {
        UserFormat::B28 => {
            enc.write_field_exact("password", &user.password, &mut b[3..8])?;
            enc.write_field_truncated(&user.name, &mut b[8..16])?;
            b[16..20].copy_from_slice(&user.card.to_le_bytes());
            b[21] = user.group;
            b[22..24].copy_from_slice(&user.timezones[0].to_le_bytes());
            let id: u32 = if user.user_id.is_empty() {
                0
            } else {
                user.user_id
                    .parse()
                    .map_err(|_| CodecError::NonNumericUserId(user.user_id.clone()))?
            };
            b[24..28].copy_from_slice(&id.to_le_bytes());
        }
        UserFormat::B72 => {
            enc.write_field_exact("password", &user.password, &mut b[3..11])?;
            enc.write_field_truncated(&user.name, &mut b[11..35])?;
            b[35..39].copy_from_slice(&user.card.to_le_bytes());
            b[39] = user.group;
            for (i, tz) in user.timezones.iter().enumerate() {
                b[40 + 2 * i..42 + 2 * i].copy_from_slice(&tz.to_le_bytes());
            }
            enc.write_field_exact("user id", &user.user_id, &mut b[48..72])?;
        }
    }
    Ok(b)
}

/// Record size from a table's byte length and the user count from GET_FREE_SIZES.
pub fn detect_user_format(total: usize, count: usize) -> Result<UserFormat, CodecError> {
    if count == 0 || !total.is_multiple_of(count) {
        return Err(CodecError::RecordCountMismatch {
            kind: "user",
            total,
            count,
        });
    }
    UserFormat::from_size(total / count)
}

/// Decodes a bulk user table (leading u32 size, then records). `count` is the number of users
/// from GET_FREE_SIZES; the record size is derived from it, never guessed.
pub fn decode_user_table(
    data: &[u8],
    count: usize,
    enc: TextEncoding,
) -> Result<(Option<UserFormat>, Vec<UserRecord>), CodecError> {
    let records = super::bulk::split_table(data)?;
    if records.is_empty() {
        return Ok((None, Vec::new()));
    }
    let format = detect_user_format(records.len(), count)?;
    let users = records
        .chunks_exact(format.size())
        .map(|r| decode_user(r, format, enc))
        .collect::<Result<_, _>>()?;
    Ok((Some(format), users))
}

/// Encodes a bulk user table (leading u32 size, then records).
pub fn encode_user_table(
    users: &[UserRecord],
    format: UserFormat,
    enc: TextEncoding,
) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(4 + users.len() * format.size());
    out.extend_from_slice(&((users.len() * format.size()) as u32).to_le_bytes());
    for u in users {
        out.extend(encode_user(u, format, enc)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> UserRecord {
        UserRecord {
            uid: 3,
            privilege: Privilege::SUPER_ADMIN,
            password: "1234".into(),
            name: "李四".into(),
            card: 6543,
            group: 1,
            timezones: [0; 4],
            user_id: "88".into(),
        }
    }

    #[test]
    fn roundtrip_both_formats() {
        for format in [UserFormat::B28, UserFormat::B72] {
            let u = sample();
            let bytes = encode_user(&u, format, TextEncoding::Gbk).unwrap();
            assert_eq!(bytes.len(), format.size());
            assert_eq!(decode_user(&bytes, format, TextEncoding::Gbk).unwrap(), u);
        }
    }

    #[test]
    fn pyzk_group_string_is_understood() {
        let mut b = encode_user(&sample(), UserFormat::B72, TextEncoding::Gbk).unwrap();
        b[39] = 0;
        b[40] = b'7';
        let u = decode_user(&b, UserFormat::B72, TextEncoding::Gbk).unwrap();
        assert_eq!(u.group, 7);
    }

    #[test]
    fn detection() {
        assert_eq!(detect_user_format(72 * 3, 3), Ok(UserFormat::B72));
        assert_eq!(detect_user_format(28 * 3, 3), Ok(UserFormat::B28));
        assert_eq!(
            detect_user_format(30 * 2, 2),
            Err(CodecError::UnsupportedRecordFormat {
                kind: "user",
                size: 30
            })
        );
        assert!(matches!(
            detect_user_format(73, 2),
            Err(CodecError::RecordCountMismatch { .. })
        ));
    }

    #[test]
    fn privilege_bits() {
        assert!(Privilege(15).is_disabled());
        assert!(Privilege(15).is_admin());
        assert_eq!(Privilege(15).demoted(), Privilege(1));
        assert!(!Privilege::ENROLLER.is_admin());
    }
}
