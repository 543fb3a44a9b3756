//! The work calendar: workdays, rest days, holidays (statutory 300% or shifted 200%), make-up workdays.
//!
//! Built from the bundled State Council data (assets/calendar, via `include_str!`) plus local overrides;
//! parses and writes the JSON form and a simple CSV form for import. Must not read files itself.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The bundled Chinese calendars, one JSON document per year.
pub const BUNDLED_CN: [&str; 2] = [
    include_str!("../../assets/calendar/cn-2025.json"),
    include_str!("../../assets/calendar/cn-2026.json"),
];

/// What kind of day a date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Workday,
    #[serde(alias = "restday")]
    RestDay,
    /// A day of a State Council holiday block (法定节假日 or the rest days shifted into it).
    #[serde(alias = "statutory_holiday", alias = "holiday")]
    PublicHoliday,
    /// A local holiday the office adds.
    OtherHoliday,
    /// A weekend day worked in exchange (调休上班).
    #[serde(alias = "makeup")]
    MakeupWorkday,
}

impl DayKind {
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeupWorkday)
    }

    pub fn is_holiday(self) -> bool {
        matches!(self, DayKind::PublicHoliday | DayKind::OtherHoliday)
    }

    /// The name used in files (`public_holiday`, ...).
    pub fn code(self) -> &'static str {
        match self {
            DayKind::Workday => "workday",
            DayKind::RestDay => "rest_day",
            DayKind::PublicHoliday => "public_holiday",
            DayKind::OtherHoliday => "other_holiday",
            DayKind::MakeupWorkday => "makeup_workday",
        }
    }

    /// The `day_type` column of the month CSV: workday, restday, holiday, makeup_workday.
    pub fn csv_code(self) -> &'static str {
        match self {
            DayKind::Workday => "workday",
            DayKind::RestDay => "restday",
            DayKind::PublicHoliday | DayKind::OtherHoliday => "holiday",
            DayKind::MakeupWorkday => "makeup_workday",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "workday" | "work" | "工作日" => DayKind::Workday,
            "rest_day" | "restday" | "rest" | "休息日" => DayKind::RestDay,
            "public_holiday" | "statutory_holiday" | "holiday" | "法定节假日" | "节假日" => {
                DayKind::PublicHoliday
            }
            "other_holiday" | "local_holiday" | "其他假日" => DayKind::OtherHoliday,
            "makeup_workday" | "makeup" | "调休上班" | "补班" => DayKind::MakeupWorkday,
            _ => return None,
        })
    }
}

/// A date's kind as reconciliation needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayInfo {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// For holidays: a statutory day (overtime 300%) rather than a shifted rest day (200%).
    pub statutory: bool,
}

/// One listed day of a calendar file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEntry {
    pub date: NaiveDate,
    #[serde(rename = "type")]
    pub kind: DayKind,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub statutory: bool,
}

/// The JSON document of one year's calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarFile {
    pub year: i32,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub note: String,
    pub days: Vec<CalendarEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    #[error("calendar JSON is not valid: {0}")]
    Json(String),
    #[error("line {line}, field '{field}': {problem}")]
    Csv {
        line: usize,
        field: &'static str,
        problem: String,
    },
    #[error("{date}: a {kind} cannot be statutory; only holidays carry the statutory flag")]
    StatutoryOnNonHoliday { date: NaiveDate, kind: &'static str },
    #[error("the calendar file for {year} lists {date}, which is in another year")]
    WrongYear { year: i32, date: NaiveDate },
}

/// Listed days (bundled years and local overrides) over a Monday–Friday week.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    entries: BTreeMap<NaiveDate, CalendarEntry>,
    /// Years whose official data is loaded, with its source.
    sources: BTreeMap<i32, String>,
}

impl Calendar {
    /// Weekends only, no holidays.
    pub fn empty() -> Self {
        Calendar::default()
    }

    /// The bundled Chinese calendars (2025, 2026).
    pub fn bundled_cn() -> Self {
        let mut cal = Calendar::empty();
        for doc in BUNDLED_CN {
            // The bundled data is checked by the tests; a broken file must not panic a user's run.
            if let Ok(file) = Calendar::parse_json(doc) {
                cal.load_year(&file);
            }
        }
        cal
    }

    /// Add a year's official data (replaces listed days of the same dates).
    pub fn load_year(&mut self, file: &CalendarFile) {
        for e in &file.days {
            self.entries.insert(e.date, e.clone());
        }
        self.sources.insert(file.year, file.source.clone());
    }

    /// Set (add or replace) one day, e.g. a local holiday.
    pub fn set_day(&mut self, entry: CalendarEntry) -> Result<(), CalendarError> {
        check_entry(&entry)?;
        self.entries.insert(entry.date, entry);
        Ok(())
    }

    /// Forget a listed day (it falls back to the weekday rule).
    pub fn remove_day(&mut self, date: NaiveDate) -> Option<CalendarEntry> {
        self.entries.remove(&date)
    }

    /// Whether official data for `year` is loaded (without it only weekends are known).
    pub fn has_year(&self, year: i32) -> bool {
        self.sources.contains_key(&year)
    }

    pub fn sources(&self) -> &BTreeMap<i32, String> {
        &self.sources
    }

    pub fn day_type(&self, date: NaiveDate) -> DayKind {
        self.day(date).kind
    }

    pub fn day(&self, date: NaiveDate) -> DayInfo {
        match self.entries.get(&date) {
            Some(e) => DayInfo {
                date,
                kind: e.kind,
                statutory: e.statutory && e.kind.is_holiday(),
            },
            None => {
                let kind = match date.weekday() {
                    Weekday::Sat | Weekday::Sun => DayKind::RestDay,
                    _ => DayKind::Workday,
                };
                DayInfo {
                    date,
                    kind,
                    statutory: false,
                }
            }
        }
    }

    /// The listed entry for a date (holiday name etc.), if any.
    pub fn entry(&self, date: NaiveDate) -> Option<&CalendarEntry> {
        self.entries.get(&date)
    }

    /// Listed days within `from..=to`.
    pub fn entries_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> impl Iterator<Item = &CalendarEntry> {
        self.entries.range(from..=to).map(|(_, e)| e)
    }

    /// Parse one year's JSON document.
    pub fn parse_json(text: &str) -> Result<CalendarFile, CalendarError> {
        let file: CalendarFile =
            serde_json::from_str(text).map_err(|e| CalendarError::Json(e.to_string()))?;
        for e in &file.days {
            if e.date.year() != file.year {
                return Err(CalendarError::WrongYear {
                    year: file.year,
                    date: e.date,
                });
            }
            check_entry(e)?;
        }
        Ok(file)
    }

    /// The listed days of `year` as a JSON document.
    pub fn to_json(&self, year: i32) -> String {
        let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
        let to = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
        let file = CalendarFile {
            year,
            country: String::new(),
            source: self.sources.get(&year).cloned().unwrap_or_default(),
            note: String::new(),
            days: self.entries_between(from, to).cloned().collect(),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// Parse `date,type,name,statutory` lines (a header line starting with `date` is skipped;
    /// `statutory` is true/false/1/0/yes/no/是/否 or empty).
    pub fn parse_csv(text: &str) -> Result<Vec<CalendarEntry>, CalendarError> {
        let mut out = Vec::new();
        // A date listed twice is a mistake in the file, not "the last line wins": which of the
        // two the office meant cannot be guessed (the spreadsheet import refuses it too).
        let mut first_line = std::collections::BTreeMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let raw = raw.trim_start_matches('\u{feff}').trim();
            if raw.is_empty()
                || raw.starts_with('#')
                || (i == 0 && raw.to_ascii_lowercase().starts_with("date"))
            {
                continue;
            }
            let fields: Vec<&str> = raw.split(',').map(str::trim).collect();
            let get = |n: usize| fields.get(n).copied().unwrap_or("");
            let date =
                NaiveDate::parse_from_str(get(0), "%Y-%m-%d").map_err(|_| CalendarError::Csv {
                    line,
                    field: "date",
                    problem: format!("'{}' is not a date like 2026-10-01", get(0)),
                })?;
            let kind = DayKind::parse(get(1)).ok_or_else(|| CalendarError::Csv {
                line,
                field: "type",
                problem: format!(
                    "'{}' is not one of workday, rest_day, public_holiday, other_holiday, makeup_workday",
                    get(1)
                ),
            })?;
            let statutory = match get(3).to_ascii_lowercase().as_str() {
                "" | "false" | "0" | "no" | "n" | "否" => false,
                "true" | "1" | "yes" | "y" | "是" => true,
                other => {
                    return Err(CalendarError::Csv {
                        line,
                        field: "statutory",
                        problem: format!("'{other}' is not true or false"),
                    });
                }
            };
            let entry = CalendarEntry {
                date,
                kind,
                name: crate::csv_safe::unquote(get(2)).to_string(),
                statutory,
            };
            check_entry(&entry).map_err(|e| CalendarError::Csv {
                line,
                field: "statutory",
                problem: e.to_string(),
            })?;
            if let Some(first) = first_line.insert(date, line) {
                return Err(CalendarError::Csv {
                    line,
                    field: "date",
                    problem: format!("{date} is listed twice: also on line {first}"),
                });
            }
            out.push(entry);
        }
        Ok(out)
    }

    /// The listed days within `from..=to` as CSV with a header line.
    pub fn to_csv(&self, from: NaiveDate, to: NaiveDate) -> String {
        let mut s = String::from("date,type,name,statutory\n");
        for e in self.entries_between(from, to) {
            let name = crate::csv_safe::text_cell(&e.name).replace([',', '\n', '\r'], " ");
            s.push_str(&format!(
                "{},{},{},{}\n",
                e.date,
                e.kind.code(),
                name,
                e.statutory
            ));
        }
        s
    }
}

fn check_entry(e: &CalendarEntry) -> Result<(), CalendarError> {
    if e.statutory && !e.kind.is_holiday() {
        return Err(CalendarError::StatutoryOnNonHoliday {
            date: e.date,
            kind: e.kind.code(),
        });
    }
    Ok(())
}
