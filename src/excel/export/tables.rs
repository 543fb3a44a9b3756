//! The plain tables behind every export (summary, exceptions, publication, daily punches, overtime,
//! and a flat form of the month sheet for CSV): rows of typed values built from the domain's report model.
//!
//! Knows nothing about xlsx or files; the writers in `xlsx` and `csv_out` lay these out.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use kaoqin_domain::month::Totals;
use kaoqin_domain::report::SymbolSet;
use kaoqin_domain::report::{self, DayCell, MonthSheet};
use kaoqin_domain::{DayKind, Employee, LeaveType, MonthResult, Punch, PunchOrigin, Request};

use crate::locale::{Locale, localize_zh, t};

/// One cell value. Numbers and dates stay typed so HR can compute with them.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Int(i64),
    Num(f64),
    /// A fraction shown as a percentage (0.889 → 88.9%).
    Percent(f64),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

impl Value {
    /// The CSV text: ISO dates, plain numbers, percentages as "88.9%".
    pub fn csv_text(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Num(x) => fmt_num(*x),
            Value::Percent(x) => format!("{:.1}%", x * 100.0),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
            Value::DateTime(d) => d.format("%Y-%m-%d %H:%M:%S").to_string(),
        }
    }
}

fn fmt_num(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if (r - r.round()).abs() < 1e-9 {
        format!("{}", r.round() as i64)
    } else {
        format!("{r}")
    }
}

pub(crate) fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// A titled table: one sheet in the workbook, one file in the CSV directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// File stem for CSV (ASCII): `summary`, `exceptions`, …
    pub key: &'static str,
    pub sheet_name: String,
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    /// Indexes into `rows` of subtotal/total rows (printed bold).
    pub total_rows: Vec<usize>,
}

/// One punch as the daily detail (日报) lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PunchRow {
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub ts: NaiveDateTime,
    /// Terminal verification mode (ZK: 0/3 password, 1 fingerprint, 2/4 card, 15 face…).
    pub verify_mode: u8,
    /// Terminal state key (ZK: 0 in, 1 out, 2 break-out, 3 break-in, 4 OT-in, 5 OT-out).
    pub in_out_state: u8,
    /// Terminal name or serial, as the caller wants it printed.
    pub terminal: String,
    /// Where the punch came from (download, USB import, CSV import); `None` prints "unknown".
    pub origin: Option<PunchOrigin>,
}

impl PunchRow {
    /// Rows for raw punches, with names and departments from `employees` (unknown numbers keep blanks).
    pub fn from_punches(punches: &[Punch], employees: &[Employee]) -> Vec<PunchRow> {
        Self::from_punches_with_origins(punches, &[], employees)
    }

    /// [`PunchRow::from_punches`] with each punch's origin (`origins[i]` is that of `punches[i]`;
    /// a shorter slice leaves the rest unknown).
    pub fn from_punches_with_origins(
        punches: &[Punch],
        origins: &[Option<PunchOrigin>],
        employees: &[Employee],
    ) -> Vec<PunchRow> {
        let by_no: BTreeMap<&str, &Employee> =
            employees.iter().map(|e| (e.no.as_str(), e)).collect();
        let mut v: Vec<PunchRow> = punches
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let e = by_no.get(p.enrollment_no.as_str());
                PunchRow {
                    employee_no: p.enrollment_no.clone(),
                    name: e.map_or(String::new(), |e| e.name.clone()),
                    department: e.map_or(String::new(), |e| e.department.clone()),
                    ts: p.ts,
                    verify_mode: p.verify_mode,
                    in_out_state: p.in_out_state,
                    terminal: p.terminal_serial.clone(),
                    origin: origins.get(i).copied().flatten(),
                }
            })
            .collect();
        v.sort_by(|a, b| (a.ts, &a.employee_no).cmp(&(b.ts, &b.employee_no)));
        v
    }
}

/// Everything one month's export needs. Borrowed: the caller keeps ownership.
#[derive(Clone, Copy)]
pub struct MonthReport<'a> {
    /// Printed in titles (单位名称).
    pub organisation: &'a str,
    pub result: &'a MonthResult,
    pub employees: &'a [Employee],
    /// All requests; the publication list keeps the approved ones touching the month.
    pub requests: &'a [Request],
    pub symbols: &'a SymbolSet,
    pub leave_types: &'a [LeaveType],
    /// Punches for the daily detail (may be empty).
    pub punches: &'a [PunchRow],
}

/// One summary column: its heading and how to read it from totals.
#[derive(Debug, Clone, PartialEq)]
pub enum SummaryCol {
    Required,
    Attended,
    LateCount,
    LateMinutes,
    EarlyCount,
    EarlyMinutes,
    Absent,
    Missing,
    Leave(String),
    Outing,
    OutingHours,
    Trip,
    Supplements,
    OtWorkday,
    OtRestday,
    OtHoliday,
    Rate,
}

/// Every summary column in the order of `kaoqin_domain::report::summary_heads`.
pub fn summary_columns(types: &[LeaveType]) -> Vec<SummaryCol> {
    use SummaryCol::*;
    let mut v = vec![
        Required,
        Attended,
        LateCount,
        LateMinutes,
        EarlyCount,
        EarlyMinutes,
        Absent,
        Missing,
    ];
    v.extend(types.iter().map(|t| Leave(t.code.clone())));
    v.extend([
        Outing,
        OutingHours,
        Trip,
        Supplements,
        OtWorkday,
        OtRestday,
        OtHoliday,
        Rate,
    ]);
    v
}

impl SummaryCol {
    pub fn head(&self, locale: Locale, types: &[LeaveType]) -> String {
        use SummaryCol::*;
        let key = match self {
            Required => "sum.required",
            Attended => "sum.attended",
            LateCount => "sum.late_count",
            LateMinutes => "sum.late_minutes",
            EarlyCount => "sum.early_count",
            EarlyMinutes => "sum.early_minutes",
            Absent => "sum.absent",
            Missing => "sum.missing",
            Leave(code) => {
                let name = types
                    .iter()
                    .find(|t| &t.code == code)
                    .map_or(code.clone(), |t| {
                        localize_zh(locale, &t.name_zh, &t.name_en)
                    });
                return t(locale, "sum.leave_days").replace("{name}", &name);
            }
            Outing => "sum.outing",
            OutingHours => "sum.outing_hours",
            Trip => "sum.trip",
            Supplements => "sum.supplements",
            OtWorkday => "sum.ot_workday",
            OtRestday => "sum.ot_restday",
            OtHoliday => "sum.ot_holiday",
            Rate => "sum.rate",
        };
        t(locale, key).to_string()
    }

    pub fn value(&self, x: &Totals) -> Value {
        use SummaryCol::*;
        let i = |n: u32| Value::Int(i64::from(n));
        match self {
            Required => i(x.required_days),
            Attended => Value::Num(x.attended_days),
            LateCount => i(x.late_count),
            LateMinutes => i(x.late_minutes),
            EarlyCount => i(x.early_count),
            EarlyMinutes => i(x.early_minutes),
            Absent => i(x.absent_sessions),
            Missing => i(x.missing_punches()),
            Leave(code) => Value::Num(x.leave.get(code).map_or(0.0, |l| l.days)),
            Outing => Value::Num(x.outing_days),
            OutingHours => Value::Num(f64::from(x.outing_minutes) / 60.0),
            Trip => Value::Num(x.trip_days),
            Supplements => i(x.supplements),
            OtWorkday => i(x.overtime_workday),
            OtRestday => i(x.overtime_restday),
            OtHoliday => i(x.overtime_holiday),
            Rate => Value::Percent(x.attendance_rate()),
        }
    }
}

/// The summary columns printed on the month sheet: all fixed ones, leave types only when used
/// (ten mostly empty leave columns would push the sheet off one printed page width).
pub fn month_sheet_columns(sheet: &MonthSheet, types: &[LeaveType]) -> Vec<SummaryCol> {
    summary_columns(types)
        .into_iter()
        .filter(|c| match c {
            SummaryCol::Leave(code) => sheet
                .total
                .leave
                .get(code)
                .is_some_and(|l| l.days > 0.0 || l.minutes > 0),
            _ => true,
        })
        .collect()
}

/// Which colour a day cell gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CellClass {
    Normal,
    Exception,
    Leave,
    Official,
    Off,
    NotEmployed,
    Empty,
}

/// Classify a day cell by its symbols (exceptions win over everything).
pub fn classify(cell: &DayCell, kind: DayKind, sym: &SymbolSet) -> CellClass {
    let text = cell.text();
    if text.is_empty() {
        return CellClass::Empty;
    }
    let has = |s: &str| !s.is_empty() && text.contains(s);
    if text == sym.not_employed {
        return CellClass::NotEmployed;
    }
    if has(&sym.absent) || has(&sym.late) || has(&sym.early) || has(&sym.missing) {
        return CellClass::Exception;
    }
    if !kind.is_working() {
        return CellClass::Off;
    }
    if sym.leave.values().any(|s| has(s)) || has(&sym.leave_default) {
        return CellClass::Leave;
    }
    if has(&sym.outing) || has(&sym.trip) || has(&sym.supplement) {
        return CellClass::Official;
    }
    CellClass::Normal
}

/// Legend pairs (symbol, meaning) in the locale, including the leave types and the half-day form.
pub fn legend(sym: &SymbolSet, types: &[LeaveType], locale: Locale) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = [
        (&sym.present, "leg.present"),
        (&sym.late, "leg.late"),
        (&sym.early, "leg.early"),
        (&sym.absent, "leg.absent"),
        (&sym.missing, "leg.missing"),
        (&sym.outing, "leg.outing"),
        (&sym.trip, "leg.trip"),
        (&sym.supplement, "leg.supplement"),
        (&sym.rest, "leg.rest"),
        (&sym.holiday, "leg.holiday"),
        (&sym.overtime, "leg.overtime"),
        (&sym.not_employed, "leg.not_employed"),
    ]
    .iter()
    .filter(|(s, _)| !s.is_empty())
    .map(|(s, k)| (s.to_string(), t(locale, k).to_string()))
    .collect();
    v.extend(types.iter().map(|lt| {
        (
            sym.leave_symbol(&lt.code).to_string(),
            localize_zh(locale, &lt.name_zh, &lt.name_en),
        )
    }));
    v.push((
        format!("{}/{}", sym.present, sym.late),
        t(locale, "leg.halves").to_string(),
    ));
    v
}

pub(crate) fn day_kind_text(locale: Locale, k: DayKind) -> String {
    t(locale, &format!("day.{}", k.code())).to_string()
}

/// The domain's sheet for the options' department (or everyone).
pub fn build_sheet(r: &MonthReport<'_>, department: Option<&str>) -> MonthSheet {
    report::month_sheet(r.result, r.employees, r.symbols, r.leave_types, department)
}

pub(crate) fn title_line(
    r: &MonthReport<'_>,
    locale: Locale,
    key: &str,
    department: Option<&str>,
) -> String {
    let dept = department.map_or_else(|| t(locale, "all_departments").to_string(), str::to_string);
    let month = crate::locale::month_label(locale, r.result.year, r.result.month);
    let org = r.organisation.trim();
    let sep = " ";
    [org, dept.as_str(), month.as_str(), t(locale, key)]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(sep)
}

/// Title of the month sheet: organisation, department, month.
pub fn month_title(r: &MonthReport<'_>, locale: Locale, department: Option<&str>) -> String {
    title_line(r, locale, "title.month", department)
}

fn id_heads(locale: Locale) -> Vec<String> {
    ["col.seq", "col.employee_no", "col.name", "col.department"]
        .iter()
        .map(|k| t(locale, k).to_string())
        .collect()
}

/// 考勤汇总表: one row per employee, a subtotal row after each department, a grand total.
pub fn summary_table(r: &MonthReport<'_>, locale: Locale, department: Option<&str>) -> Table {
    let sheet = build_sheet(r, department);
    let cols = summary_columns(r.leave_types);
    let mut headers = id_heads(locale);
    headers.extend(cols.iter().map(|c| c.head(locale, r.leave_types)));
    let mut rows = Vec::new();
    let mut total_rows = Vec::new();
    let mut i = 0;
    while i < sheet.rows.len() {
        let dept = sheet
            .rows
            .get(i)
            .map_or(String::new(), |x| x.department.clone());
        while let Some(row) = sheet.rows.get(i).filter(|x| x.department == dept) {
            let mut v = vec![
                Value::Int(i64::from(row.seq)),
                text(&row.employee_no),
                text(&row.name),
                text(&row.department),
            ];
            v.extend(cols.iter().map(|c| c.value(&row.totals)));
            rows.push(v);
            i += 1;
        }
        if let Some(sub) = sheet.subtotals.iter().find(|s| s.department == dept) {
            let mut v = vec![
                Value::Empty,
                text(t(locale, "subtotal")),
                text(format!(
                    "{} {}",
                    t(locale, "employees_count"),
                    sub.employees
                )),
                text(&dept),
            ];
            v.extend(cols.iter().map(|c| c.value(&sub.totals)));
            total_rows.push(rows.len());
            rows.push(v);
        }
    }
    let mut v = vec![
        Value::Empty,
        text(t(locale, "total")),
        text(format!(
            "{} {}",
            t(locale, "employees_count"),
            sheet.rows.len()
        )),
        Value::Empty,
    ];
    v.extend(cols.iter().map(|c| c.value(&sheet.total)));
    total_rows.push(rows.len());
    rows.push(v);
    Table {
        key: "summary",
        sheet_name: t(locale, "sheet.summary").to_string(),
        title: title_line(r, locale, "title.summary", department),
        headers,
        rows,
        total_rows,
    }
}

/// The month sheet as a flat table (CSV form): ids, one column per day, the summary columns.
pub fn month_grid_table(r: &MonthReport<'_>, locale: Locale, department: Option<&str>) -> Table {
    let sheet = build_sheet(r, department);
    let cols = month_sheet_columns(&sheet, r.leave_types);
    let mut headers = id_heads(locale);
    headers.extend(sheet.days.iter().map(|d| {
        format!(
            "{}({})",
            d.day_of_month,
            crate::locale::weekday_label(locale, d.date.weekday())
        )
    }));
    headers.extend(cols.iter().map(|c| c.head(locale, r.leave_types)));
    let rows = sheet
        .rows
        .iter()
        .map(|row| {
            let mut v = vec![
                Value::Int(i64::from(row.seq)),
                text(&row.employee_no),
                text(&row.name),
                text(&row.department),
            ];
            v.extend(row.cells.iter().map(|c| text(c.text())));
            v.extend(cols.iter().map(|c| c.value(&row.totals)));
            v
        })
        .collect();
    Table {
        key: "month-sheet",
        sheet_name: t(locale, "sheet.month").to_string(),
        title: month_title(r, locale, department),
        headers,
        rows,
        total_rows: Vec::new(),
    }
}

pub(crate) fn in_department(dept: &str, department: Option<&str>) -> bool {
    department.is_none_or(|d| d == dept)
}

/// 异常报表: every late, early, absent, missing punch and stray punch of the month.
pub fn exceptions_table(r: &MonthReport<'_>, locale: Locale, department: Option<&str>) -> Table {
    let headers = [
        "col.seq",
        "col.employee_no",
        "col.name",
        "col.department",
        "col.date",
        "col.kind",
        "col.session",
        "col.minutes",
        "col.detail",
    ]
    .iter()
    .map(|k| t(locale, k).to_string())
    .collect();
    let punches: Vec<kaoqin_domain::Punch> = r
        .punches
        .iter()
        .map(|p| kaoqin_domain::Punch {
            enrollment_no: p.employee_no.clone(),
            ts: p.ts,
            verify_mode: p.verify_mode,
            in_out_state: p.in_out_state,
            terminal_serial: p.terminal.clone(),
        })
        .collect();
    let rows = report::exceptions(r.result, r.employees, r.requests, &punches)
        .into_iter()
        .filter(|e| in_department(&e.department, department))
        .enumerate()
        .map(|(i, e)| {
            let detail = match locale {
                Locale::ZhCn => e.detail_zh.clone(),
                Locale::ZhTw => crate::locale::to_traditional(&e.detail_zh),
                Locale::En => match e.session {
                    Some(s) => format!(
                        "session {}: {}",
                        s + 1,
                        t(locale, &format!("exc.{}", e.code)).to_lowercase()
                    ),
                    None => t(locale, &format!("exc.{}", e.code)).to_string(),
                },
            };
            vec![
                Value::Int(i as i64 + 1),
                text(e.employee_no),
                text(e.name),
                text(e.department),
                Value::Date(e.date),
                text(t(locale, &format!("exc.{}", e.code))),
                e.session.map_or(Value::Empty, |s| Value::Int(s as i64 + 1)),
                Value::Int(i64::from(e.minutes)),
                text(detail),
            ]
        })
        .collect();
    Table {
        key: "exceptions",
        sheet_name: t(locale, "sheet.exceptions").to_string(),
        title: title_line(r, locale, "title.exceptions", department),
        headers,
        rows,
        total_rows: Vec::new(),
    }
}

/// 公示: approved non-routine cases; the domain already leaves private reasons out.
pub fn publication_table(r: &MonthReport<'_>, locale: Locale, department: Option<&str>) -> Table {
    let headers = [
        "col.seq",
        "col.employee_no",
        "col.name",
        "col.department",
        "col.item",
        "col.when",
        "col.content",
        "col.reason",
        "col.approved_by",
    ]
    .iter()
    .map(|k| t(locale, k).to_string())
    .collect();
    let list = report::publication_list(
        r.requests,
        r.employees,
        r.result.year,
        r.result.month,
        r.leave_types,
    );
    let rows = list
        .into_iter()
        .filter(|p| in_department(&p.department, department))
        .enumerate()
        .map(|(i, p)| {
            let detail = match (locale, p.kind.as_str()) {
                (Locale::ZhCn, _) => p.detail.clone(),
                (_, "leave") => r
                    .leave_types
                    .iter()
                    .find(|lt| lt.name_zh == p.detail)
                    .map_or(p.detail.clone(), |lt| {
                        localize_zh(locale, &lt.name_zh, &lt.name_en)
                    }),
                (Locale::ZhTw, _) => crate::locale::to_traditional(&p.detail),
                _ => p.detail.clone(),
            };
            vec![
                Value::Int(i as i64 + 1),
                text(p.employee_no),
                text(p.name),
                text(p.department),
                text(t(locale, &format!("kind.{}", p.kind))),
                text(p.when),
                text(detail),
                text(p.reason),
                text(p.approved_by),
            ]
        })
        .collect();
    Table {
        key: "publication",
        sheet_name: t(locale, "sheet.publication").to_string(),
        title: title_line(r, locale, "title.publication", department),
        headers,
        rows,
        total_rows: Vec::new(),
    }
}

fn verify_text(locale: Locale, mode: u8) -> String {
    let key = match mode {
        0 | 3 => "verify.password",
        1 => "verify.fingerprint",
        2 | 4 => "verify.card",
        15 => "verify.face",
        25 => "verify.palm",
        _ => return t(locale, "verify.other").replace("{n}", &mode.to_string()),
    };
    t(locale, key).to_string()
}

fn state_text(locale: Locale, state: u8) -> String {
    let key = match state {
        0 => "state.in",
        1 => "state.out",
        2 => "state.break_out",
        3 => "state.break_in",
        4 => "state.ot_in",
        5 => "state.ot_out",
        _ => return t(locale, "state.other").replace("{n}", &state.to_string()),
    };
    t(locale, key).to_string()
}

/// 日报: every punch with date, time, terminal and verification mode.
pub fn daily_table(r: &MonthReport<'_>, locale: Locale, department: Option<&str>) -> Table {
    let headers = [
        "col.seq",
        "col.employee_no",
        "col.name",
        "col.department",
        "col.date",
        "col.time",
        "col.state",
        "col.verify",
        "col.terminal",
        "col.origin",
    ]
    .iter()
    .map(|k| t(locale, k).to_string())
    .collect();
    let rows = r
        .punches
        .iter()
        .filter(|p| in_department(&p.department, department))
        .enumerate()
        .map(|(i, p)| {
            vec![
                Value::Int(i as i64 + 1),
                text(&p.employee_no),
                text(&p.name),
                text(&p.department),
                Value::Date(p.ts.date()),
                Value::DateTime(p.ts),
                text(state_text(locale, p.in_out_state)),
                text(verify_text(locale, p.verify_mode)),
                text(&p.terminal),
                text(t(
                    locale,
                    p.origin.map_or("origin.unknown", |o| match o {
                        PunchOrigin::Download => "origin.download",
                        PunchOrigin::UsbImport => "origin.usb_import",
                        PunchOrigin::CsvImport => "origin.csv_import",
                    }),
                )),
            ]
        })
        .collect();
    Table {
        key: "daily",
        sheet_name: t(locale, "sheet.daily").to_string(),
        title: title_line(r, locale, "title.daily", department),
        headers,
        rows,
        total_rows: Vec::new(),
    }
}

pub use super::overtime::overtime_table;
