//! Terminal time encodings: the packed u32 (local time, no zone, 2000–2133) used by GET/SET_TIME
//! and records, and the 6-byte realtime-event time. Must not read the clock.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use super::error::CodecError;

/// `((Y-2000)*12*31 + (M-1)*31 + D-1)*86400 + (h*60+m)*60 + s`. Identical to the documented
/// `Y % 100` form for 2000–2099 and continues the same way up to the u32 limit in 2133.
pub fn encode_time(t: NaiveDateTime) -> Result<u32, CodecError> {
    let year = t.year();
    if !(2000..=2133).contains(&year) {
        return Err(CodecError::TimeOutOfRange(t.to_string()));
    }
    let days = u64::from((year - 2000) as u32) * 12 * 31
        + u64::from(t.month() - 1) * 31
        + u64::from(t.day() - 1);
    let secs = days * 86_400 + u64::from(t.hour() * 3600 + t.minute() * 60 + t.second());
    u32::try_from(secs).map_err(|_| CodecError::TimeOutOfRange(t.to_string()))
}

/// Inverse of [`encode_time`]; impossible dates (e.g. 31 February) are errors.
pub fn decode_time(raw: u32) -> Result<NaiveDateTime, CodecError> {
    let secs = raw % 86_400;
    let days = raw / 86_400;
    let day = days % 31 + 1;
    let month = (days / 31) % 12 + 1;
    let year = (days / (31 * 12)) as i32 + 2000;
    NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|d| d.and_hms_opt(secs / 3600, (secs / 60) % 60, secs % 60))
        .ok_or(CodecError::InvalidTime { raw })
}

/// Realtime events: `YY-2000, M, D, h, m, s`.
pub fn decode_event_time(b: [u8; 6]) -> Result<NaiveDateTime, CodecError> {
    NaiveDate::from_ymd_opt(2000 + i32::from(b[0]), u32::from(b[1]), u32::from(b[2]))
        .and_then(|d| d.and_hms_opt(u32::from(b[3]), u32::from(b[4]), u32::from(b[5])))
        .ok_or(CodecError::Malformed {
            what: "event time",
            hex: hex::encode(b),
        })
}

/// Encodes the 6-byte realtime-event time (years 2000–2255).
pub fn encode_event_time(t: NaiveDateTime) -> Result<[u8; 6], CodecError> {
    let y = u8::try_from(t.year() - 2000).map_err(|_| CodecError::TimeOutOfRange(t.to_string()))?;
    Ok([
        y,
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn table() {
        let cases: &[(&str, u32)] = &[
            (
                "2024-03-01 12:00:00",
                u32::from_le_bytes([0xc0, 0xb5, 0x4c, 0x2e]),
            ),
            ("2000-01-01 00:00:00", 0),
            ("2021-10-24 13:42:16", 0x29c9_ebb8),
        ];
        for &(s, raw) in cases {
            assert_eq!(encode_time(dt(s)).unwrap(), raw, "{s}");
            assert_eq!(decode_time(raw).unwrap(), dt(s), "{s}");
        }
    }

    #[test]
    fn impossible_dates_and_ranges() {
        // 2001-02-31 would be day index 30 of month 1.
        let raw = ((12 * 31 + 31 + 30) * 86_400) as u32;
        assert_eq!(decode_time(raw), Err(CodecError::InvalidTime { raw }));
        assert!(encode_time(dt("1999-12-31 23:59:59")).is_err());
        assert!(encode_time(dt("2134-01-01 00:00:00")).is_err());
        // The encoding runs out in 2133.
        assert_eq!(decode_time(u32::MAX).unwrap(), dt("2133-08-18 06:28:15"));
    }

    #[test]
    fn event_time() {
        let t = decode_event_time([0x12, 0x06, 0x19, 0x11, 0x29, 0x05]).unwrap();
        assert_eq!(t, dt("2018-06-25 17:41:05"));
        assert_eq!(
            encode_event_time(t).unwrap(),
            [0x12, 0x06, 0x19, 0x11, 0x29, 0x05]
        );
        assert!(decode_event_time([0, 13, 1, 0, 0, 0]).is_err());
    }
}
