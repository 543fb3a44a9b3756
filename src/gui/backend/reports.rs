//! What the Reports page reads and changes, through the application services (`Session`),
//! copied into plain row types the page renders. Blocking: called from the page's worker jobs only.
//! Must not hold egui types or decide what the page shows.
//!
//! A month comes from `Session::month_result` (the stored run, recomputed by the service when its
//! inputs changed) or `Session::run_month`; the grid is the domain's `report::month_sheet` with the
//! same `SymbolSet` and the excel crate's cell classes and summary columns as the workbook, so the
//! screen and the printed sheet agree. Exports go through `Session::export_month` (the service of
//! `kaoqin report month --xlsx|--csv`, audited). The month's run info has no service yet and is read
//! with the store's read function (ADAPTER, read-only).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use kaoqin_domain::report::{SymbolSet, daily_detail, month_sheet, verify_name_zh};
use kaoqin_domain::timefmt::fmt_datetime;
use kaoqin_domain::{
    Calendar, DayKind, DayResult, Employee, Excuse, LeaveType, MonthResult, Punch, PunchOrigin,
    Request, RequestKind, ScheduleBook, Span, Totals,
};
use kaoqin_excel::export::tables::{CellClass, SummaryCol, classify, month_sheet_columns};
use kaoqin_excel::{ExportOptions, Locale, Value};

use crate::app::error::AppError;
use crate::app::month::{Month, load_inputs};
use crate::app::reports::ExportTarget;
use crate::i18n::Lang;

use super::super::model::UiError;
use super::{Backend, UserSession, app_error, store_error};

/// How a grid cell is coloured: the workbook's classes.
pub type CellKind = CellClass;

/// A day column of the grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayHead {
    pub date: NaiveDate,
    pub day: u32,
    /// 0 = Monday … 6 = Sunday.
    pub weekday: u32,
    pub kind: DayKind,
}

impl DayHead {
    /// Rest days and holidays are shaded like the sheet's grey columns.
    pub fn is_off(&self) -> bool {
        !self.kind.is_working()
    }
}

/// One employee's row of the grid and the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct GridRow {
    pub no: String,
    pub name: String,
    pub department: String,
    /// One symbol text per day ("√", "迟", "√/迟" for halves, "" when nothing is known yet).
    pub cells: Vec<String>,
    pub kinds: Vec<CellKind>,
    pub totals: Totals,
}

/// Late and absent people on one day (for the chart).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCount {
    pub late: u32,
    pub absent: u32,
}

/// A department's month for the rate chart.
#[derive(Debug, Clone, PartialEq)]
pub struct DepartmentRate {
    pub name: String,
    pub employees: u32,
    /// Attended ÷ required, 0..1.
    pub rate: f64,
}

/// The stored run behind what is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunLine {
    pub at: String,
    pub by: String,
}

/// A month ready to show: the grid, the summary, the chart series, and what a cell's detail needs.
pub struct MonthData {
    pub month: String,
    pub run: Option<RunLine>,
    /// True when the service recomputed because the inputs changed since the stored run.
    pub recomputed: bool,
    pub days: Vec<DayHead>,
    /// By department, then 工号 (the sheet's order).
    pub rows: Vec<GridRow>,
    /// Summary column heads (in the page's language) and the columns behind them.
    pub summary_heads: Vec<String>,
    summary_cols: Vec<SummaryCol>,
    /// Per department ("" = everyone): late and absent people per day.
    pub per_day: HashMap<String, Vec<DayCount>>,
    pub departments: Vec<DepartmentRate>,
    pub organisation_rate: f64,
    /// Working days with no schedule assigned (nothing could be checked).
    pub unassigned_days: usize,
    /// Enrollment numbers with punches but no employee.
    pub unknown_enrollments: Vec<String>,
    /// The symbol legend (symbol, meaning in Chinese, as printed under the sheet).
    pub legend: Vec<(String, String)>,
    // What a cell's detail is computed from.
    result: MonthResult,
    employees: Vec<Employee>,
    /// Each employee's punches in time order, with where each came from.
    punches: HashMap<String, Vec<(Punch, Option<PunchOrigin>)>>,
    requests: Vec<Request>,
    book: ScheduleBook,
    calendar: Calendar,
    types: Vec<LeaveType>,
}

impl std::fmt::Debug for MonthData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MonthData")
            .field("month", &self.month)
            .field("rows", &self.rows.len())
            .finish_non_exhaustive()
    }
}

/// What loading a month found.
#[derive(Debug)]
pub enum MonthLoad {
    /// Nobody has run the month yet.
    NotRun,
    Ready(Arc<MonthData>),
}

/// One session (half day) of a day, explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionLine {
    pub index: usize,
    pub name: String,
    pub start: String,
    pub end: String,
    pub sign_in: Option<String>,
    pub sign_out: Option<String>,
    pub in_supplemented: bool,
    pub out_supplemented: bool,
    pub late_minutes: u32,
    pub early_minutes: u32,
    pub absent: bool,
    pub missing_in: bool,
    pub missing_out: bool,
    /// leave:<type name>, outing, trip
    pub excused: Option<String>,
    pub partial_outing: bool,
    pub pending: bool,
}

/// One punch of the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PunchLine {
    pub time: String,
    pub terminal_serial: String,
    /// face, fingerprint, password, card, other
    pub mode: &'static str,
    pub non_face: bool,
    /// sign_in, sign_out, duplicate, unmatched, other
    pub used_as: String,
    pub session: Option<usize>,
    /// Download, USB import or CSV import (`None`: unknown).
    pub origin: Option<PunchOrigin>,
}

/// A request touching the day (any state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLine {
    pub id: u64,
    /// leave, outing, trip, supplement, overtime
    pub kind: &'static str,
    /// draft, submitted, approved, rejected, withdrawn
    pub state: &'static str,
    pub when: String,
    /// Leave type name, place, destination or the supplemented punch.
    pub detail: String,
    pub reason: String,
}

/// Everything behind one cell of the grid.
#[derive(Debug, Clone, PartialEq)]
pub struct DayDetail {
    pub no: String,
    pub name: String,
    pub department: String,
    pub date: NaiveDate,
    pub weekday: u32,
    pub kind: DayKind,
    pub symbol: String,
    pub cell: CellKind,
    pub employed: bool,
    pub unassigned: bool,
    /// Code and names (zh, en) of the shift in force.
    pub shift: Option<(String, String, String)>,
    pub sessions: Vec<SessionLine>,
    pub punches: Vec<PunchLine>,
    pub requests: Vec<RequestLine>,
    pub overtime_minutes: u32,
    pub unmatched: usize,
}

/// The excel crate's language for the page's language.
pub fn locale(lang: Lang) -> Locale {
    match lang {
        Lang::ZhCn => Locale::ZhCn,
        Lang::ZhTw => Locale::ZhTw,
        Lang::English => Locale::En,
    }
}

/// The month before the one containing `today`, as `YYYY-MM`.
pub fn previous_month(today: NaiveDate) -> String {
    let this = Month::of(today);
    this.plus(-1).unwrap_or(this).to_string()
}

/// `month` moved by `delta` months, as `YYYY-MM` (`None` when `month` is not a month).
pub fn shift_month(month: &str, delta: i32) -> Option<String> {
    Some(month.parse::<Month>().ok()?.plus(delta)?.to_string())
}

/// The file name offered for an export: `考勤月报-2026-03.xlsx`, with the department when filtered;
/// characters a file system refuses become `_`.
pub fn export_file_name(month: &str, department: Option<&str>, csv: bool) -> String {
    let mut stem = format!("考勤月报-{month}");
    if let Some(d) = department {
        stem.push('-');
        stem.push_str(d);
    }
    let stem: String = stem
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if csv {
        format!("{stem}-csv")
    } else {
        format!("{stem}.xlsx")
    }
}

/// The verify mode's name key (the domain's classification).
pub fn verify_code(mode: u8) -> &'static str {
    match verify_name_zh(mode) {
        "人脸" => "face",
        "指纹" => "fingerprint",
        "密码" => "password",
        "刷卡" => "card",
        _ => "other",
    }
}

fn span_when(s: &Span) -> String {
    match s {
        Span::Days { from, to } if from == to => from.to_string(),
        Span::Days { from, to } => format!("{from} – {to}"),
        Span::Session { date, session } => format!("{date} #{}", session + 1),
        Span::Range { from, to } => format!("{} – {}", fmt_datetime(*from), fmt_datetime(*to)),
    }
}

fn request_line(r: &Request, types: &[LeaveType], lang: Lang) -> RequestLine {
    let type_name = |code: &str| {
        types.iter().find(|t| t.code == code).map_or_else(
            || code.to_string(),
            |t| {
                if lang == Lang::English {
                    t.name_en.clone()
                } else {
                    t.name_zh.clone()
                }
            },
        )
    };
    let (when, detail) = match &r.kind {
        RequestKind::Leave { leave_type, span } => (span_when(span), type_name(leave_type)),
        RequestKind::Outing { place, span } => (span_when(span), place.clone()),
        RequestKind::Trip { destination, span } => (span_when(span), destination.clone()),
        RequestKind::Supplement { at, punch, .. } => (
            fmt_datetime(*at),
            match punch {
                kaoqin_domain::PunchKind::In => "in".to_string(),
                kaoqin_domain::PunchKind::Out => "out".to_string(),
            },
        ),
        RequestKind::Overtime { from, to } => (
            format!("{} – {}", fmt_datetime(*from), fmt_datetime(*to)),
            String::new(),
        ),
    };
    RequestLine {
        id: r.id,
        kind: r.kind.code(),
        state: r.state.code(),
        when,
        detail,
        reason: r.reason.clone(),
    }
}

fn count_day(d: &DayResult) -> DayCount {
    DayCount {
        late: u32::from(d.late_count() > 0),
        absent: u32::from(d.absent_sessions() > 0),
    }
}

impl MonthData {
    /// Builds the screen's month from a result and its inputs (pure; 10,000 employees in well
    /// under a second).
    #[allow(clippy::too_many_arguments)]
    fn build(
        m: Month,
        run: Option<RunLine>,
        recomputed: bool,
        result: MonthResult,
        inputs: crate::app::month::MonthInputs,
        types: Vec<LeaveType>,
        sym: SymbolSet,
        lang: Lang,
    ) -> MonthData {
        let sheet = month_sheet(&result, &inputs.employees, &sym, &types, None);
        // The sheet's column choice: leave types only when used in the month.
        let cols = month_sheet_columns(&sheet, &types);
        let days: Vec<DayHead> = sheet
            .days
            .iter()
            .map(|d| DayHead {
                date: d.date,
                day: d.day_of_month,
                weekday: d.date.weekday().num_days_from_monday(),
                kind: d.kind,
            })
            .collect();
        let rows: Vec<GridRow> = sheet
            .rows
            .into_iter()
            .map(|r| {
                let kinds = r
                    .cells
                    .iter()
                    .zip(&days)
                    .map(|(c, d)| classify(c, d.kind, &sym))
                    .collect();
                GridRow {
                    cells: r.cells.iter().map(|c| c.text()).collect(),
                    kinds,
                    no: r.employee_no,
                    name: r.name,
                    department: r.department,
                    totals: r.totals,
                }
            })
            .collect();
        let loc = locale(lang);
        let summary_heads = cols.iter().map(|c| c.head(loc, &types)).collect();
        let n = days.len();
        let mut per_day: HashMap<String, Vec<DayCount>> = HashMap::new();
        let dept_of: HashMap<&str, &str> = result
            .summaries
            .iter()
            .map(|s| (s.employee_no.as_str(), s.department.as_str()))
            .collect();
        let mut unassigned_days = 0;
        for d in &result.days {
            let i = d.date.day0() as usize;
            if i >= n {
                continue;
            }
            if d.unassigned && d.employed {
                unassigned_days += 1;
            }
            let c = count_day(d);
            let dept = dept_of.get(d.employee_no.as_str()).copied().unwrap_or("");
            for key in ["", dept] {
                let v = per_day
                    .entry(key.to_string())
                    .or_insert_with(|| vec![DayCount::default(); n]);
                if let Some(x) = v.get_mut(i) {
                    x.late += c.late;
                    x.absent += c.absent;
                }
                if dept.is_empty() {
                    break;
                }
            }
        }
        let departments = result
            .departments
            .iter()
            .map(|d| DepartmentRate {
                name: d.department.clone(),
                employees: d.employees,
                rate: d.totals.attendance_rate(),
            })
            .collect();
        let mut punches: HashMap<String, Vec<(Punch, Option<PunchOrigin>)>> = HashMap::new();
        for (i, p) in inputs.punches.into_iter().enumerate() {
            let origin = inputs.origins.get(i).copied().flatten();
            let v = punches.entry(p.enrollment_no.clone()).or_default();
            v.push((p, origin));
        }
        for v in punches.values_mut() {
            v.sort_by_key(|(p, _)| p.ts);
        }
        MonthData {
            month: m.key(),
            run,
            recomputed,
            days,
            rows,
            summary_heads,
            summary_cols: cols,
            per_day,
            departments,
            organisation_rate: result.organisation.attendance_rate(),
            unassigned_days,
            unknown_enrollments: result.unknown_enrollments.clone(),
            legend: sheet.legend,
            result,
            employees: inputs.employees,
            punches,
            requests: inputs.requests,
            book: inputs.book,
            calendar: inputs.calendar,
            types,
        }
    }

    /// The summary cell texts of `row`, in the order of `summary_heads`.
    pub fn summary_cells(&self, row: usize) -> Vec<String> {
        let Some(r) = self.rows.get(row) else {
            return Vec::new();
        };
        self.summary_cols
            .iter()
            .map(|c| match c.value(&r.totals) {
                Value::Percent(x) => format!("{:.1}%", x * 100.0),
                v => v.csv_text(),
            })
            .collect()
    }

    /// Everything behind the cell of `row` on day `day` (0-based), or `None` out of range.
    pub fn detail(&self, row: usize, day: usize, lang: Lang) -> Option<DayDetail> {
        let r = self.rows.get(row)?;
        let head = self.days.get(day)?;
        let d = self
            .result
            .days_of(&r.no)
            .iter()
            .find(|d| d.date == head.date)?;
        let emp = self.employees.iter().find(|e| e.no == r.no);
        let plan = emp.map(|e| self.book.plan(e, head.date, &self.calendar));
        let shift = plan.and_then(|p| p.shift);
        // The punches of the work date: the shift's day (day_changes_at to the same time the
        // next day), as reconciliation sliced them.
        let (from, to) = shift.map_or((0, 1440), |s| (s.day_start().0, s.day_end().0));
        let lo = kaoqin_domain::ClockTime(from).on(head.date);
        let hi = kaoqin_domain::ClockTime(to).on(head.date);
        let of_day: Vec<&(Punch, Option<PunchOrigin>)> = self
            .punches
            .get(&r.no)
            .map(|v| v.iter().filter(|(p, _)| p.ts >= lo && p.ts < hi).collect())
            .unwrap_or_default();
        let day_punches: Vec<Punch> = of_day.iter().map(|(p, _)| p.clone()).collect();
        // The domain's punches do not carry their origin: it comes from the ledger, by punch key.
        let origin_of = |l: &kaoqin_domain::report::DetailLine| {
            of_day
                .iter()
                .find(|(p, _)| p.ts == l.ts && p.terminal_serial == l.terminal_serial)
                .and_then(|(_, o)| *o)
        };
        let punches = daily_detail(&day_punches, d)
            .into_iter()
            .map(|l| PunchLine {
                origin: l.origin.or_else(|| origin_of(&l)),
                time: l.ts.format("%H:%M:%S").to_string(),
                terminal_serial: l.terminal_serial,
                mode: verify_code(l.verify_mode),
                non_face: l.non_face,
                used_as: l.used_as,
                session: l.session,
            })
            .collect();
        let type_name = |code: &str| {
            self.types.iter().find(|t| t.code == code).map_or_else(
                || code.to_string(),
                |t| {
                    if lang == Lang::English {
                        t.name_en.clone()
                    } else {
                        t.name_zh.clone()
                    }
                },
            )
        };
        let sessions = d
            .sessions
            .iter()
            .map(|s| {
                let def = shift.and_then(|sh| sh.sessions.get(s.index));
                SessionLine {
                    index: s.index,
                    name: def.map(|x| x.name.clone()).unwrap_or_default(),
                    start: def.map(|x| x.start.to_string()).unwrap_or_default(),
                    end: def.map(|x| x.end.to_string()).unwrap_or_default(),
                    sign_in: s.sign_in.map(|t| t.to_string()),
                    sign_out: s.sign_out.map(|t| t.to_string()),
                    in_supplemented: s.in_supplemented,
                    out_supplemented: s.out_supplemented,
                    late_minutes: if s.is_late() { s.late_minutes } else { 0 },
                    early_minutes: if s.is_early() { s.early_minutes } else { 0 },
                    absent: s.absent,
                    missing_in: s.missing_in,
                    missing_out: s.missing_out,
                    excused: s.excused.as_ref().map(|e| match e {
                        Excuse::Leave(t) => type_name(t),
                        Excuse::Outing => "outing".to_string(),
                        Excuse::Trip => "trip".to_string(),
                    }),
                    partial_outing: s.partial_outing,
                    pending: s.pending,
                }
            })
            .collect();
        let requests = self
            .requests
            .iter()
            .filter(|q| q.employee_no == r.no)
            .filter(|q| {
                let (a, b) = q.kind.dates();
                a <= head.date && head.date <= b
            })
            .map(|q| request_line(q, &self.types, lang))
            .collect();
        Some(DayDetail {
            no: r.no.clone(),
            name: r.name.clone(),
            department: r.department.clone(),
            date: head.date,
            weekday: head.weekday,
            kind: d.day.kind,
            symbol: r.cells.get(day).cloned().unwrap_or_default(),
            cell: r.kinds.get(day).copied().unwrap_or(CellClass::Empty),
            employed: d.employed,
            unassigned: d.unassigned,
            shift: shift.map(|s| (s.code.clone(), s.name_zh.clone(), s.name_en.clone())),
            sessions,
            punches,
            requests,
            overtime_minutes: d.overtime_minutes,
            unmatched: d.unmatched.len(),
        })
    }
}

fn bad_month(e: AppError) -> UiError {
    UiError::new("reports.error_bad_month", e.to_string())
}

/// An export error: a file that cannot be written gets its own message (choose another folder).
fn export_error(e: AppError) -> UiError {
    match &e {
        AppError::Invalid { field, .. } if *field == "export" || *field == "csv directory" => {
            UiError::new("reports.error_not_writable", e.to_string())
        }
        AppError::Invalid { field, .. } if *field == "month" => bad_month(e),
        _ => app_error(e),
    }
}

impl Backend {
    /// The month as stored (recomputed by the service when its inputs changed), or
    /// [`MonthLoad::NotRun`] when nobody has run it yet.
    pub fn month_report(
        &self,
        user: &UserSession,
        m: Month,
        lang: Lang,
    ) -> Result<MonthLoad, UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let stored =
            kaoqin_store::month_results::run_info(s.conn(), &m.key()).map_err(store_error)?;
        if stored.is_none() {
            return Ok(MonthLoad::NotRun);
        }
        let (result, recomputed) = s.month_result(m).map_err(app_error)?;
        let run = kaoqin_store::month_results::run_info(s.conn(), &m.key())
            .map_err(store_error)?
            .map(|r| RunLine {
                at: fmt_datetime(r.run_at),
                by: r.run_by,
            });
        let inputs = load_inputs(s.conn(), m).map_err(app_error)?;
        let types = crate::app::requests::leave_types(s.conn()).map_err(app_error)?;
        let sym = crate::app::report_symbols::report_symbols(s.conn()).map_err(app_error)?;
        Ok(MonthLoad::Ready(Arc::new(MonthData::build(
            m, run, recomputed, result, inputs, types, sym, lang,
        ))))
    }

    /// Runs the month through `Session::run_month` (permission, audit) and returns it.
    pub fn run_month(
        &self,
        user: &UserSession,
        m: Month,
        lang: Lang,
    ) -> Result<Arc<MonthData>, UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let (info, result) = s.run_month(m).map_err(app_error)?;
        let inputs = load_inputs(s.conn(), m).map_err(app_error)?;
        let types = crate::app::requests::leave_types(s.conn()).map_err(app_error)?;
        let sym = crate::app::report_symbols::report_symbols(s.conn()).map_err(app_error)?;
        let run = Some(RunLine {
            at: fmt_datetime(info.run_at),
            by: info.run_by,
        });
        Ok(Arc::new(MonthData::build(
            m, run, false, result, inputs, types, sym, lang,
        )))
    }

    /// Where exports are offered: the user's Documents folder, else the data directory.
    pub fn export_dir(&self) -> PathBuf {
        directories::UserDirs::new()
            .and_then(|u| u.document_dir().map(Path::to_path_buf))
            .filter(|d| d.is_dir())
            .unwrap_or_else(|| self.paths.data_dir.clone())
    }

    /// Exports the month through `Session::export_month` (the service of `kaoqin report month
    /// --xlsx|--csv`, audited); creates a missing parent folder. Returns the files written.
    pub fn export_month(
        &self,
        user: &UserSession,
        m: Month,
        department: Option<String>,
        target: ExportTarget,
        lang: Lang,
    ) -> Result<Vec<PathBuf>, UiError> {
        let folder = match &target {
            ExportTarget::Xlsx(p) => p.parent().map(Path::to_path_buf),
            ExportTarget::CsvDir(d) => d.parent().map(Path::to_path_buf),
        };
        if let Some(dir) = folder.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
            std::fs::create_dir_all(&dir).map_err(|e| {
                UiError::new(
                    "reports.error_not_writable",
                    format!("{}: {e}", dir.display()),
                )
            })?;
        }
        let opts = ExportOptions {
            locale: locale(lang),
            department,
            ..Default::default()
        };
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        s.export_month(m, &target, &opts).map_err(export_error)
    }
}

#[cfg(test)]
#[path = "reports_tests.rs"]
mod tests;
