//! Calendar service: the bundled Chinese calendar (2025, 2026) with local days stored over it.
//! Parsing of calendar files and day kinds are the domain's; this module maps, checks and audits.

use chrono::NaiveDate;
use kaoqin_domain::{Calendar, CalendarEntry, DayKind};
use kaoqin_store::calendar_days::{self, CalendarDay};
use kaoqin_store::rusqlite::Connection;
use serde_json::json;

use super::error::{AppError, AppResult};
use super::permissions::Action;
use super::session::Session;

fn invalid(field: &'static str, reason: impl ToString) -> AppError {
    AppError::Invalid {
        field,
        reason: reason.to_string(),
    }
}

/// Parses a day kind as the CLI and files name it (`workday`, `restday`, `holiday`, `other_holiday`,
/// `makeup_workday`, and the domain's own codes).
pub fn parse_kind(s: &str) -> AppResult<DayKind> {
    DayKind::parse(s.trim()).ok_or_else(|| {
        invalid(
            "day type",
            format!("'{s}' is not a day type; use workday, restday, holiday, other_holiday or makeup_workday"),
        )
    })
}

/// The bundled calendar with the stored local days applied.
pub fn load_calendar(conn: &Connection) -> AppResult<Calendar> {
    let mut cal = Calendar::bundled_cn();
    for d in calendar_days::list(conn)? {
        let kind = parse_kind(&d.kind)?;
        cal.set_day(CalendarEntry {
            date: d.date,
            kind,
            name: d.name,
            statutory: d.statutory,
        })
        .map_err(|e| invalid("calendar day", e))?;
    }
    Ok(cal)
}

fn row(e: &CalendarEntry) -> CalendarDay {
    CalendarDay {
        date: e.date,
        kind: e.kind.code().to_string(),
        name: e.name.clone(),
        statutory: e.statutory,
    }
}

impl Session {
    /// Days of [from, to] with their type (bundled + local).
    pub fn calendar_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Vec<(NaiveDate, DayKind, String, bool)>> {
        self.require(Action::ViewReports, "calendar")?;
        if to < from {
            return Err(invalid(
                "to",
                format!("the end {to} is before the start {from}"),
            ));
        }
        let cal = load_calendar(self.conn())?;
        Ok(from
            .iter_days()
            .take_while(|d| *d <= to)
            .map(|d| {
                let info = cal.day(d);
                let name = cal.entry(d).map(|e| e.name.clone()).unwrap_or_default();
                (d, info.kind, name, info.statutory)
            })
            .collect())
    }

    /// Sets one local day.
    pub fn set_calendar_day(&mut self, entry: CalendarEntry) -> AppResult<()> {
        let mut probe = Calendar::empty();
        probe
            .set_day(entry.clone())
            .map_err(|e| invalid("calendar day", e))?;
        let r = row(&entry);
        self.act(
            Action::ManageSchedules,
            "calendar.set",
            &r.date.to_string(),
            |tx| {
                calendar_days::set(tx, &r)?;
                Ok((
                    (),
                    json!({ "kind": r.kind, "name": r.name, "statutory": r.statutory }),
                ))
            },
        )
    }

    /// Imports a calendar file (the domain's JSON year file or CSV `date,type,name,statutory`), all days
    /// in one transaction and one audit entry. Returns the number of days stored.
    pub fn import_calendar_text(&mut self, file_name: &str, text: &str) -> AppResult<usize> {
        let entries: Vec<CalendarEntry> = if text.trim_start().starts_with('{') {
            Calendar::parse_json(text)
                .map_err(|e| invalid("calendar file", format!("{file_name}: {e}")))?
                .days
        } else {
            Calendar::parse_csv(text)
                .map_err(|e| invalid("calendar file", format!("{file_name}: {e}")))?
        };
        let rows: Vec<CalendarDay> = entries.iter().map(row).collect();
        let n = rows.len();
        self.act(
            Action::ManageSchedules,
            "calendar.import",
            file_name,
            |tx| {
                for r in &rows {
                    calendar_days::set(tx, r)?;
                }
                Ok((n, json!({ "days": n })))
            },
        )
    }
}
