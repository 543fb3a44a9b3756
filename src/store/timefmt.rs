//! The text forms times and dates take in the database. One place, so that the audit hash, the ledger key
//! and the filters agree byte for byte. No clock reads here.

use chrono::{NaiveDate, NaiveDateTime};

use crate::error::{Result, StoreError};

/// Punch timestamps: terminal local time to the second.
pub const PUNCH_TS: &str = "%Y-%m-%d %H:%M:%S";
/// Event times (audit, sessions, findings): local PC time with milliseconds.
pub const EVENT_TS: &str = "%Y-%m-%d %H:%M:%S%.3f";
/// Dates.
pub const DATE: &str = "%Y-%m-%d";

/// Formats a punch timestamp (sub-second part dropped: terminals store seconds).
pub fn punch_ts(t: NaiveDateTime) -> String {
    t.format(PUNCH_TS).to_string()
}

/// Formats an event time.
pub fn event_ts(t: NaiveDateTime) -> String {
    t.format(EVENT_TS).to_string()
}

/// Formats a date.
pub fn date(d: NaiveDate) -> String {
    d.format(DATE).to_string()
}

/// Parses an event time written by [`event_ts`] (also accepts whole seconds).
pub fn parse_event_ts(s: &str) -> Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, EVENT_TS)
        .or_else(|_| NaiveDateTime::parse_from_str(s, PUNCH_TS))
        .map_err(|e| StoreError::Invalid {
            field: "stored time",
            reason: format!("'{s}': {e}"),
        })
}

/// Parses a punch timestamp.
pub fn parse_punch_ts(s: &str) -> Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, PUNCH_TS).map_err(|e| StoreError::Invalid {
        field: "punch timestamp",
        reason: format!("'{s}': {e}"),
    })
}

/// Parses a date.
pub fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, DATE).map_err(|e| StoreError::Invalid {
        field: "stored date",
        reason: format!("'{s}': {e}"),
    })
}

pub(crate) fn opt_event(s: Option<String>) -> Result<Option<NaiveDateTime>> {
    s.as_deref().map(parse_event_ts).transpose()
}

pub(crate) fn opt_date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.as_deref().map(parse_date).transpose()
}

/// SQLite integers are i64; counts are never negative.
pub(crate) fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

pub(crate) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
