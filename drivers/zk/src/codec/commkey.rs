//! The AUTH payload derived from the comm key and session id (docs/terminal-protocols.md §1).
//! Must not store or log the key.

/// Ticks value pyzk and the SDK use.
pub const DEFAULT_TICKS: u8 = 50;

/// 4-byte AUTH payload for `key` (0–999999 on real terminals) in session `session_id`.
pub fn make_commkey(key: u32, session_id: u16, ticks: u8) -> [u8; 4] {
    let k = key.reverse_bits().wrapping_add(u32::from(session_id));
    let b = k.to_le_bytes();
    let x = [b[0] ^ b'Z', b[1] ^ b'K', b[2] ^ b'S', b[3] ^ b'O'];
    // Swap the two u16 halves.
    let s = [x[2], x[3], x[0], x[1]];
    [s[0] ^ ticks, s[1] ^ ticks, ticks, s[3] ^ ticks]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors() {
        let cases: &[(u32, u16, [u8; 4])] = &[(12345, 0x4EB1, [0x6d, 0xe1, 0x32, 0x37])];
        for &(key, session, want) in cases {
            assert_eq!(make_commkey(key, session, DEFAULT_TICKS), want);
        }
        assert_ne!(make_commkey(12346, 0x4EB1, 50), [0x6d, 0xe1, 0x32, 0x37]);
    }
}
