//! Minutes on a work date's clock (`ClockTime`) and the rounding rule for reported minutes.
//!
//! A work date's clock may run past midnight ("06:00+1") so night shifts stay one value type.
//! Must not read the system clock or know about calendars.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Minutes since 00:00 of the work date; values of 1440 and more are on the next calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ClockTime(pub i32);

impl ClockTime {
    /// `hh:mm` on the work date itself.
    pub const fn hm(h: i32, m: i32) -> Self {
        ClockTime(h * 60 + m)
    }

    /// `hh:mm` on the calendar day after the work date.
    pub const fn next_day(h: i32, m: i32) -> Self {
        ClockTime(1440 + h * 60 + m)
    }

    pub const fn minutes(self) -> i32 {
        self.0
    }

    pub const fn plus(self, minutes: i32) -> Self {
        ClockTime(self.0 + minutes)
    }

    /// The timestamp this clock time denotes for `date`.
    pub fn on(self, date: NaiveDate) -> NaiveDateTime {
        let base = date.and_time(NaiveTime::MIN);
        base + chrono::Duration::minutes(i64::from(self.0))
    }

    /// Clock time of `ts` relative to the start of `date` (seconds are dropped: punches count by the minute).
    pub fn of(ts: NaiveDateTime, date: NaiveDate) -> Self {
        let base = date.and_time(NaiveTime::MIN);
        let mins = (ts - base).num_seconds().div_euclid(60);
        ClockTime(i32::try_from(mins).unwrap_or(if mins < 0 { i32::MIN } else { i32::MAX }))
    }

    /// Parse `HH:MM` or `HH:MM+1` (next day).
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (body, next) = match s.strip_suffix("+1") {
            Some(b) => (b, true),
            None => (s, false),
        };
        let bad = || format!("'{s}' is not a time of day like 08:30 or 06:00+1");
        let (h, m) = body.split_once(':').ok_or_else(bad)?;
        let h: i32 = h.trim().parse().map_err(|_| bad())?;
        let m: i32 = m.trim().parse().map_err(|_| bad())?;
        if !(0..24).contains(&h) || !(0..60).contains(&m) {
            return Err(bad());
        }
        Ok(ClockTime(h * 60 + m + if next { 1440 } else { 0 }))
    }

    pub fn from_time(t: NaiveTime) -> Self {
        ClockTime((t.hour() * 60 + t.minute()) as i32)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = self.0.div_euclid(1440);
        let rem = self.0.rem_euclid(1440);
        write!(f, "{:02}:{:02}", rem / 60, rem % 60)?;
        match day {
            0 => Ok(()),
            d if d > 0 => write!(f, "+{d}"),
            d => write!(f, "{d}"),
        }
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ClockTime::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Rounding of reported minutes: a remainder of at least `cutoff` rounds up to the next `unit`, else down.
/// `unit` 1 (the default) reports exact minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rounding {
    pub unit: u32,
    pub cutoff: u32,
}

impl Default for Rounding {
    fn default() -> Self {
        Rounding { unit: 1, cutoff: 1 }
    }
}

impl Rounding {
    pub const EXACT: Rounding = Rounding { unit: 1, cutoff: 1 };

    /// Always down to whole units (typical for overtime).
    pub const fn down(unit: u32) -> Self {
        Rounding { unit, cutoff: unit }
    }

    pub fn apply(self, minutes: u32) -> u32 {
        if self.unit <= 1 {
            return minutes;
        }
        let rem = minutes % self.unit;
        let base = minutes - rem;
        if rem >= self.cutoff && self.cutoff > 0 {
            base + self.unit
        } else {
            base
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_round_trip() {
        for s in ["00:00", "08:30", "23:59", "06:00+1"] {
            assert_eq!(
                ClockTime::parse(s).map(|c| c.to_string()),
                Ok(s.to_string())
            );
        }
        assert!(ClockTime::parse("24:00").is_err());
        assert!(ClockTime::parse("8h").is_err());
    }

    #[test]
    fn rounding_table() {
        let cases = [
            (Rounding::EXACT, 17, 17),
            (Rounding::down(30), 59, 30),
            (
                Rounding {
                    unit: 30,
                    cutoff: 15,
                },
                44,
                30,
            ),
            (
                Rounding {
                    unit: 30,
                    cutoff: 15,
                },
                45,
                60,
            ),
        ];
        for (r, input, want) in cases {
            assert_eq!(r.apply(input), want, "{r:?} {input}");
        }
    }
}
