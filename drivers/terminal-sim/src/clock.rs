//! The terminal's clock: the host's local time plus an offset that a technician (SET_TIME) or a
//! tampering test (control port `set-clock-offset`) can change. Takes "now" as an argument so the
//! arithmetic is testable; it must not read the system clock itself.

use chrono::{Duration, NaiveDateTime};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    /// Seconds added to the host's local time.
    pub offset_secs: i64,
}

impl Clock {
    /// The time the terminal shows when the host's local time is `host_now`.
    pub fn device_time(&self, host_now: NaiveDateTime) -> NaiveDateTime {
        host_now
            .checked_add_signed(Duration::seconds(self.offset_secs))
            .unwrap_or(host_now)
    }

    /// Make the terminal show `wanted` at host time `host_now` (what SET_TIME does).
    pub fn set_device_time(&mut self, wanted: NaiveDateTime, host_now: NaiveDateTime) {
        self.offset_secs = (wanted - host_now).num_seconds();
    }
}

/// The host's local wall-clock time; the only place the simulator reads it.
pub fn host_now() -> NaiveDateTime {
    chrono::Local::now().naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 1)
            .and_then(|d| d.and_hms_opt(h, m, s))
            .unwrap_or_default()
    }

    #[test]
    fn offsets_apply_both_ways() {
        let cases = [
            (0, at(12, 0, 0)),
            (3600, at(13, 0, 0)),
            (-90, at(11, 58, 30)),
        ];
        for (offset, want) in cases {
            let c = Clock {
                offset_secs: offset,
            };
            assert_eq!(c.device_time(at(12, 0, 0)), want, "offset {offset}");
        }
    }

    #[test]
    fn set_device_time_round_trips() {
        let mut c = Clock::default();
        c.set_device_time(at(8, 15, 0), at(12, 0, 0));
        assert_eq!(c.offset_secs, -(3 * 3600 + 45 * 60));
        assert_eq!(c.device_time(at(12, 0, 0)), at(8, 15, 0));
    }
}
