//! Local calendar days: overrides and additions over the bundled holiday calendar (the domain's
//! `Calendar::bundled_cn`). The kind is stored as the domain's code text; the store does not interpret it.

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use crate::error::Result;
use crate::timefmt;

/// One stored day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub kind: String,
    pub name: String,
    pub statutory: bool,
}

/// Sets (inserts or replaces) a day.
pub fn set(conn: &Connection, d: &CalendarDay) -> Result<()> {
    conn.execute(
        "INSERT INTO calendar_days (date, kind, name, statutory) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT(date) DO UPDATE SET kind = excluded.kind, name = excluded.name, \
         statutory = excluded.statutory",
        params![timefmt::date(d.date), d.kind, d.name, d.statutory],
    )?;
    Ok(())
}

/// Removes a local day (back to the bundled calendar); true if one was stored.
pub fn remove(conn: &Connection, date: NaiveDate) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM calendar_days WHERE date = ?1",
        [timefmt::date(date)],
    )? > 0)
}

/// All local days by date.
pub fn list(conn: &Connection) -> Result<Vec<CalendarDay>> {
    let mut stmt =
        conn.prepare("SELECT date, kind, name, statutory FROM calendar_days ORDER BY date")?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(d, kind, name, statutory)| {
            Ok(CalendarDay {
                date: timefmt::parse_date(&d)?,
                kind,
                name,
                statutory,
            })
        })
        .collect()
}
