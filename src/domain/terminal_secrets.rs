//! The two secrets a ZK terminal is set up with, checked in one place for the CLI, the window and
//! the services: [`CommKey`] (the communication key the PC must give to connect) and
//! [`DevicePassword`] (the super admin's password typed on the terminal's keypad).
//!
//! Both are secrets (ARCHITECTURE invariant 9): neither has `Display`, their `Debug` shows no
//! digits, and their errors never quote what was typed, so none can slip into a message, a log or
//! an audit entry by a `format!`. The value is read only on purpose: [`CommKey::get`],
//! [`DevicePassword::expose`].

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// A ZK terminal's communication key (通讯密码): a whole number from 0 to 999999 (0 is the
/// terminal's "no key"). Read ([`FromStr`]) from digits only, spaces around ignored; e.g. `123456`.
/// Empty text is refused here: whether "empty" means "no key" is the caller's decision.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CommKey(u32);

/// Why a text is not a comm key (the text itself is never repeated: it is a secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum CommKeyError {
    #[error(
        "the comm key is empty; give the number set on the terminal as its comm key (通讯密码), 0 to 999999"
    )]
    Empty,
    #[error(
        "the comm key is not a number: a ZK terminal's comm key (通讯密码) is digits only, 0 to 999999"
    )]
    NotANumber,
    #[error(
        "the comm key is larger than 999999: a ZK terminal's comm key (通讯密码) is 0 to 999999"
    )]
    TooLarge,
}

impl CommKey {
    /// The largest comm key a ZK terminal accepts.
    pub const MAX: u32 = 999_999;

    /// `key` when it is at most [`CommKey::MAX`].
    pub const fn new(key: u32) -> Option<CommKey> {
        if key <= Self::MAX {
            Some(CommKey(key))
        } else {
            None
        }
    }

    /// The key, for the protocol (or for sealing it).
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Debug for CommKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CommKey(…)")
    }
}

impl FromStr for CommKey {
    type Err = CommKeyError;

    fn from_str(s: &str) -> Result<CommKey, CommKeyError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(CommKeyError::Empty);
        }
        if !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CommKeyError::NotANumber);
        }
        // Only digits: a parse failure is an overflow, i.e. too large too.
        t.parse::<u32>()
            .ok()
            .and_then(CommKey::new)
            .ok_or(CommKeyError::TooLarge)
    }
}

/// The password of a terminal's super admin (and the hand-over password): 4 to 8 digits, because
/// the terminal's keypad (T9) has digits only. Read ([`FromStr`]) exactly as typed: a space or a
/// letter is refused, not trimmed away.
#[derive(Clone, PartialEq, Eq)]
pub struct DevicePassword(String);

/// Why a text is not a terminal password (the text itself is never repeated: it is a secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum DevicePasswordError {
    #[error(
        "a terminal password is 4 to 8 digits long (the T9 keypad has digits only); type 4 to 8 digits"
    )]
    Length,
    #[error(
        "a terminal password has digits 0–9 only (the T9 keypad has no letters, spaces or signs); type 4 to 8 digits"
    )]
    NotDigits,
}

impl DevicePassword {
    /// The fewest digits.
    pub const MIN_DIGITS: usize = 4;
    /// The most digits.
    pub const MAX_DIGITS: usize = 8;

    /// The digits, to write to the terminal or to seal.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DevicePassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DevicePassword(…)")
    }
}

impl FromStr for DevicePassword {
    type Err = DevicePasswordError;

    fn from_str(s: &str) -> Result<DevicePassword, DevicePasswordError> {
        if !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(DevicePasswordError::NotDigits);
        }
        if !(Self::MIN_DIGITS..=Self::MAX_DIGITS).contains(&s.len()) {
            return Err(DevicePasswordError::Length);
        }
        Ok(DevicePassword(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comm_keys() {
        let accepted: &[(&str, u32)] = &[
            ("0", 0),
            ("123456", 123_456),
            ("999999", 999_999),
            (" 12 ", 12),
            ("000777", 777),
        ];
        for (text, want) in accepted {
            assert_eq!(
                text.parse::<CommKey>().map(CommKey::get),
                Ok(*want),
                "{text}"
            );
        }
        let refused: &[(&str, CommKeyError)] = &[
            ("1000000", CommKeyError::TooLarge),
            ("99999999999999999999", CommKeyError::TooLarge),
            ("abc", CommKeyError::NotANumber),
            ("12 34", CommKeyError::NotANumber),
            ("-1", CommKeyError::NotANumber),
            ("+5", CommKeyError::NotANumber),
            ("１２３", CommKeyError::NotANumber),
            ("", CommKeyError::Empty),
            ("  ", CommKeyError::Empty),
        ];
        for (text, want) in refused {
            assert_eq!(text.parse::<CommKey>(), Err(*want), "{text}");
        }
        assert_eq!(CommKey::new(1_000_000), None);
    }

    #[test]
    fn device_passwords() {
        for text in ["1234", "12345678", "0000", "864209"] {
            let pw = text.parse::<DevicePassword>().expect(text);
            assert_eq!(pw.expose(), text);
        }
        let refused: &[(&str, DevicePasswordError)] = &[
            ("123", DevicePasswordError::Length),
            ("123456789", DevicePasswordError::Length),
            ("", DevicePasswordError::Length),
            ("12a4", DevicePasswordError::NotDigits),
            (" 1234", DevicePasswordError::NotDigits),
            ("1234 ", DevicePasswordError::NotDigits),
            ("１２３４", DevicePasswordError::NotDigits),
        ];
        for (text, want) in refused {
            assert_eq!(text.parse::<DevicePassword>(), Err(*want), "{text:?}");
        }
    }

    #[test]
    fn secrets_never_show_in_debug_or_errors() {
        let key: CommKey = "654321".parse().expect("key");
        let pw: DevicePassword = "97531864".parse().expect("password");
        assert!(!format!("{key:?}").contains("654321"));
        assert!(!format!("{pw:?}").contains("97531864"));
        for text in ["abc987", "9876543"] {
            let e = text.parse::<CommKey>().expect_err(text).to_string();
            assert!(!e.contains(text), "{e}");
        }
        for text in ["12x4", "123456789"] {
            let e = text.parse::<DevicePassword>().expect_err(text).to_string();
            assert!(!e.contains(text), "{e}");
        }
    }
}
