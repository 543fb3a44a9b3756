//! Imports of employees, requests and calendars from .xlsx/.xls/.ods/.csv: header mapping (Chinese or
//! English, any order), validation of every row (every problem with sheet, row, column, value and
//! reason), and the error workbook of rejected rows for `--skip-invalid`.
//!
//! Returns typed rows only; must not touch the database. Checks that need it (known departments,
//! employees, leave types) take the known sets in `ImportContext`.

pub mod read;
pub mod template;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use kaoqin_domain::{CalendarEntry, DayKind, LeaveType, PunchKind, RequestKind, Span};

use crate::ExcelError;
use crate::export::tables::{Table, Value};
use crate::locale::{Locale, t};
use read::{Cell, Grid, from_serial, read_grid};

/// What a file imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportKind {
    Employees,
    Requests,
    Calendar,
}

impl ImportKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "employees" | "employee" => Some(ImportKind::Employees),
            "requests" | "request" => Some(ImportKind::Requests),
            "calendar" | "calendars" => Some(ImportKind::Calendar),
            _ => None,
        }
    }
}

/// What the database already knows, for checks a file alone cannot make.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportContext {
    /// Known department names.
    pub departments: BTreeSet<String>,
    /// When true, an unknown department is accepted (it will be created) with a warning.
    pub allow_new_departments: bool,
    /// Existing employee numbers (工号).
    pub employees: BTreeSet<String>,
    pub leave_types: Vec<LeaveType>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found in a file. `row` is the spreadsheet row (1-based; the CSV line), 0 for the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub sheet: String,
    pub row: usize,
    pub column: String,
    pub value: String,
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{sev}: {} row {}", self.sheet, self.row)?;
        if !self.column.is_empty() {
            write!(f, ", column '{}'", self.column)?;
        }
        if !self.value.is_empty() {
            write!(f, ", value '{}'", self.value)?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// A row refused by validation, as written to the error workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub sheet: String,
    pub row: usize,
    /// The row's cells as shown, in the file's column order.
    pub values: Vec<String>,
    pub reasons: Vec<String>,
}

/// The outcome of reading one import file.
#[derive(Debug, Clone, PartialEq)]
pub struct Import<T> {
    pub kind: ImportKind,
    pub sheet: String,
    /// The file's header texts, in its column order.
    pub headers: Vec<String>,
    /// Valid rows only.
    pub rows: Vec<T>,
    pub rejected: Vec<RejectedRow>,
    pub problems: Vec<Problem>,
}

impl<T> Import<T> {
    /// Whether any error was found (then nothing is imported unless the caller skips invalid rows).
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
    }
}

/// An employee row to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeRow {
    /// Source row number.
    pub row: usize,
    pub no: String,
    pub name: String,
    pub department: String,
    pub position: String,
    pub hired: Option<NaiveDate>,
    pub left: Option<NaiveDate>,
    pub card: String,
}

/// A request row (the caller creates it as a draft or approved request and audits it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRow {
    pub row: usize,
    pub employee_no: String,
    pub kind: RequestKind,
    pub reason: String,
}

/// A calendar day to set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarRow {
    pub row: usize,
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name: String,
    pub statutory: bool,
}

impl CalendarRow {
    pub fn entry(&self) -> CalendarEntry {
        CalendarEntry {
            date: self.date,
            kind: self.kind,
            name: self.name.clone(),
            statutory: self.statutory,
        }
    }
}

/// (field, required, aliases). Aliases are compared after `normalize`.
type FieldSpec = (&'static str, bool, &'static [&'static str]);

const EMPLOYEE_FIELDS: &[FieldSpec] = &[
    (
        "employee_no",
        true,
        &[
            "工号",
            "工號",
            "员工编号",
            "员工号",
            "编号",
            "employee_no",
            "employee no",
            "no",
            "id",
            "enrollment_no",
        ],
    ),
    ("name", true, &["姓名", "名字", "name"]),
    ("department", true, &["部门", "部門", "department", "dept"]),
    (
        "position",
        false,
        &["职位", "職位", "岗位", "职务", "position", "title"],
    ),
    (
        "hired",
        false,
        &["入职日期", "入職日期", "入职", "hired", "hire_date"],
    ),
    (
        "left",
        false,
        &["离职日期", "離職日期", "离职", "left", "leave_date"],
    ),
    ("card", false, &["卡号", "卡號", "card", "card_no"]),
];

const REQUEST_FIELDS: &[FieldSpec] = &[
    (
        "employee_no",
        true,
        &[
            "工号",
            "工號",
            "员工编号",
            "employee_no",
            "employee no",
            "no",
        ],
    ),
    ("name", false, &["姓名", "name"]),
    ("kind", true, &["类型", "類型", "申请类型", "kind", "type"]),
    (
        "leave_type",
        false,
        &["假别", "假別", "请假类型", "leave_type", "leave type"],
    ),
    (
        "start",
        true,
        &["开始", "開始", "开始时间", "开始日期", "start", "from"],
    ),
    (
        "end",
        false,
        &["结束", "結束", "结束时间", "结束日期", "end", "to"],
    ),
    ("reason", false, &["原因", "事由", "reason"]),
    (
        "place",
        false,
        &["地点", "地點", "目的地", "place", "destination"],
    ),
    (
        "punch",
        false,
        &["签到/签退", "簽到/簽退", "方向", "punch", "direction"],
    ),
    ("evidence", false, &["证明", "證明", "证明人", "evidence"]),
];

const CALENDAR_FIELDS: &[FieldSpec] = &[
    ("date", true, &["日期", "date"]),
    ("type", true, &["类型", "類型", "type", "kind"]),
    ("name", false, &["名称", "名稱", "节日", "name"]),
    ("statutory", false, &["法定", "statutory"]),
];

pub(crate) fn fields_of(kind: ImportKind) -> &'static [FieldSpec] {
    match kind {
        ImportKind::Employees => EMPLOYEE_FIELDS,
        ImportKind::Requests => REQUEST_FIELDS,
        ImportKind::Calendar => CALENDAR_FIELDS,
    }
}

/// The locale key of a field's header (for templates and the error workbook).
pub(crate) fn header_key(kind: ImportKind, field: &str) -> &'static str {
    match (kind, field) {
        (_, "employee_no") => "col.employee_no",
        (ImportKind::Calendar, "name") => "col.holiday_name",
        (_, "name") => "col.name",
        (_, "department") => "col.department",
        (_, "position") => "col.position",
        (_, "hired") => "col.hired",
        (_, "left") => "col.left",
        (_, "card") => "col.card",
        (ImportKind::Calendar, "type") => "col.kind",
        (_, "kind") => "col.kind",
        (_, "leave_type") => "col.leave_type",
        (_, "start") => "col.start",
        (_, "end") => "col.end",
        (_, "reason") => "col.reason",
        (_, "place") => "col.place",
        (_, "punch") => "col.punch",
        (_, "evidence") => "col.evidence",
        (_, "date") => "col.date",
        (_, "statutory") => "col.statutory",
        _ => "col.detail",
    }
}

/// Lower-case, without spaces, underscores, dashes, required-markers and full-width parentheses.
fn normalize(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '*' | '\u{3000}'))
        .flat_map(char::to_lowercase)
        .collect()
}

fn field_for(kind: ImportKind, header: &str) -> Option<&'static str> {
    let h = normalize(header);
    if h.is_empty() {
        return None;
    }
    fields_of(kind)
        .iter()
        .find(|(_, _, aliases)| aliases.iter().any(|a| normalize(a) == h))
        .map(|(f, ..)| *f)
}

/// One row's cells by field, with the helpers validators need.
struct Row<'a> {
    cells: &'a [Cell],
    columns: &'a BTreeMap<&'static str, (usize, String)>,
    errors: Vec<(String, String, String)>,
}

impl Row<'_> {
    fn cell(&self, field: &str) -> (&Cell, String) {
        match self.columns.get(field) {
            Some((i, header)) => (self.cells.get(*i).unwrap_or(&Cell::Empty), header.clone()),
            None => (&Cell::Empty, field.to_string()),
        }
    }

    fn text(&self, field: &str) -> String {
        self.cell(field).0.display()
    }

    fn fail(&mut self, field: &str, reason: impl Into<String>) {
        let (c, header) = self.cell(field);
        let value = c.display();
        self.errors.push((header, value, reason.into()));
    }

    fn required(&mut self, field: &str) -> Option<String> {
        let v = self.text(field);
        if v.is_empty() {
            self.fail(field, "required value is empty");
            None
        } else {
            Some(v)
        }
    }

    /// A date cell or text YYYY-MM-DD, YYYY/MM/DD, YYYY年M月D日 (with an optional time).
    fn datetime(&mut self, field: &str) -> Option<Option<(NaiveDateTime, bool)>> {
        let c = self.cell(field).0.clone();
        match parse_when(&c) {
            Ok(v) => Some(v),
            Err(()) => {
                self.fail(field, "not a date; use a date cell or text like 2026-10-01, 2026/10/01 or 2026年10月1日");
                None
            }
        }
    }

    fn date(&mut self, field: &str) -> Option<Option<NaiveDate>> {
        self.datetime(field).map(|o| o.map(|(d, _)| d.date()))
    }
}

/// Ok(None) for empty; Ok(Some((when, has_time))).
fn parse_when(c: &Cell) -> Result<Option<(NaiveDateTime, bool)>, ()> {
    match c {
        Cell::Empty => Ok(None),
        Cell::Date(d) => Ok(Some((*d, d.time() != NaiveTime::MIN))),
        Cell::Number(x) => from_serial(*x)
            .map(|d| Some((d, d.time() != NaiveTime::MIN)))
            .ok_or(()),
        Cell::Bool(_) => Err(()),
        Cell::Text(s) => {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            for f in [
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%d %H:%M",
                "%Y/%m/%d %H:%M:%S",
                "%Y/%m/%d %H:%M",
                "%Y年%m月%d日 %H:%M",
                "%Y年%m月%d日%H:%M",
                "%Y-%m-%dT%H:%M:%S",
            ] {
                if let Ok(d) = NaiveDateTime::parse_from_str(s, f) {
                    return Ok(Some((d, true)));
                }
            }
            for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d"] {
                if let Ok(d) = NaiveDate::parse_from_str(s, f) {
                    return Ok(Some((d.and_time(NaiveTime::MIN), false)));
                }
            }
            Err(())
        }
    }
}

fn problem(
    sev: Severity,
    sheet: &str,
    row: usize,
    column: &str,
    value: &str,
    reason: impl Into<String>,
) -> Problem {
    Problem {
        severity: sev,
        sheet: sheet.to_string(),
        row,
        column: column.to_string(),
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// Map headers, then validate each data row with `check` (which also sees the rows accepted so far).
fn run<T>(
    grid: Grid,
    kind: ImportKind,
    mut check: impl FnMut(&mut Row<'_>, usize) -> Option<T>,
) -> Import<T> {
    let mut problems = Vec::new();
    let sheet = grid.sheet.clone();
    let mut rows_iter = grid
        .rows
        .iter()
        .skip_while(|(_, cells)| cells.iter().all(Cell::is_empty));
    let Some((head_row, head_cells)) = rows_iter.next() else {
        problems.push(problem(
            Severity::Error,
            &sheet,
            0,
            "",
            "",
            "the sheet is empty: expected a header row",
        ));
        return Import {
            kind,
            sheet,
            headers: Vec::new(),
            rows: Vec::new(),
            rejected: Vec::new(),
            problems,
        };
    };
    let headers: Vec<String> = head_cells.iter().map(Cell::display).collect();
    let mut columns: BTreeMap<&'static str, (usize, String)> = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            continue;
        }
        match field_for(kind, h) {
            Some(f) if columns.contains_key(f) => problems.push(problem(
                Severity::Warning,
                &sheet,
                *head_row,
                h,
                h,
                format!("second column for '{f}' is ignored"),
            )),
            Some(f) => {
                columns.insert(f, (i, h.clone()));
            }
            None => problems.push(problem(
                Severity::Warning,
                &sheet,
                *head_row,
                h,
                h,
                "unknown column, ignored",
            )),
        }
    }
    let missing: Vec<&str> = fields_of(kind)
        .iter()
        .filter(|(f, req, _)| *req && !columns.contains_key(f))
        .map(|(f, ..)| *f)
        .collect();
    if !missing.is_empty() {
        let names: Vec<String> = missing
            .iter()
            .map(|f| format!("{} ({})", t(Locale::ZhCn, header_key(kind, f)), f))
            .collect();
        problems.push(problem(
            Severity::Error,
            &sheet,
            *head_row,
            "",
            "",
            format!("required column(s) missing: {}", names.join(", ")),
        ));
        return Import {
            kind,
            sheet,
            headers,
            rows: Vec::new(),
            rejected: Vec::new(),
            problems,
        };
    }
    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    for (n, cells) in rows_iter {
        if cells.iter().all(Cell::is_empty) {
            continue;
        }
        let mut row = Row {
            cells,
            columns: &columns,
            errors: Vec::new(),
        };
        let out = check(&mut row, *n);
        match out {
            Some(v) if row.errors.is_empty() => rows.push(v),
            _ => {
                let reasons: Vec<String> = row
                    .errors
                    .iter()
                    .map(|(c, _, r)| format!("{c}: {r}"))
                    .collect();
                for (c, v, r) in row.errors {
                    problems.push(problem(Severity::Error, &sheet, *n, &c, &v, r));
                }
                let mut values: Vec<String> = cells.iter().map(Cell::display).collect();
                values.resize(headers.len().max(values.len()), String::new());
                rejected.push(RejectedRow {
                    sheet: sheet.clone(),
                    row: *n,
                    values,
                    reasons,
                });
            }
        }
    }
    Import {
        kind,
        sheet,
        headers,
        rows,
        rejected,
        problems,
    }
}

/// Read and validate an employee file.
pub fn read_employees(path: &Path, ctx: &ImportContext) -> Result<Import<EmployeeRow>, ExcelError> {
    Ok(validate_employees(read_grid(path)?, ctx))
}

fn validate_employees(grid: Grid, ctx: &ImportContext) -> Import<EmployeeRow> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut warnings = Vec::new();
    let sheet = grid.sheet.clone();
    let mut imp = run(grid, ImportKind::Employees, |r, n| {
        let no = r.required("employee_no");
        if let Some(no) = &no {
            if let Some(first) = seen.get(no) {
                r.fail(
                    "employee_no",
                    format!("duplicate 工号: also on row {first}"),
                );
            } else if ctx.employees.contains(no) {
                r.fail(
                    "employee_no",
                    "duplicate 工号: an employee with this number already exists",
                );
            } else {
                seen.insert(no.clone(), n);
            }
        }
        let name = r.required("name");
        let dept = r.required("department");
        if let Some(d) = &dept
            && !ctx.departments.contains(d)
        {
            if ctx.allow_new_departments {
                warnings.push(problem(
                    Severity::Warning,
                    &sheet,
                    n,
                    "department",
                    d,
                    "new department will be created",
                ));
            } else {
                r.fail(
                    "department",
                    "unknown department; create it first or correct the name",
                );
            }
        }
        let hired = r.date("hired").flatten();
        let left = r.date("left").flatten();
        if let (Some(h), Some(l)) = (hired, left)
            && l < h
        {
            r.fail("left", format!("离职日期 {l} is before 入职日期 {h}"));
        }
        let card = r.text("card");
        if !card.chars().all(|c| c.is_ascii_digit()) {
            r.fail("card", "card number must be digits only");
        }
        Some(EmployeeRow {
            row: n,
            no: no?,
            name: name?,
            department: dept?,
            position: r.text("position"),
            hired,
            left,
            card,
        })
    });
    imp.problems.extend(warnings);
    imp
}

/// Read and validate a request file.
pub fn read_requests(path: &Path, ctx: &ImportContext) -> Result<Import<RequestRow>, ExcelError> {
    Ok(validate_requests(read_grid(path)?, ctx))
}

fn request_kind_code(s: &str) -> Option<&'static str> {
    Some(match normalize(s).as_str() {
        "leave" | "请假" | "請假" | "假" => "leave",
        "outing" | "外出" | "因公外出" | "公出" => "outing",
        "trip" | "出差" | "businesstrip" => "trip",
        "supplement" | "补签" | "補簽" | "补卡" => "supplement",
        "overtime" | "加班" => "overtime",
        _ => return None,
    })
}

fn validate_requests(grid: Grid, ctx: &ImportContext) -> Import<RequestRow> {
    run(grid, ImportKind::Requests, |r, n| {
        let no = r.required("employee_no");
        if let Some(no) = &no
            && !ctx.employees.contains(no)
        {
            r.fail("employee_no", "employee not found");
        }
        let kind_text = r.required("kind");
        let code = kind_text.as_deref().and_then(|k| request_kind_code(k));
        if kind_text.is_some() && code.is_none() {
            r.fail("kind", "unknown kind; use 请假, 外出, 出差, 补签 or 加班 (leave, outing, trip, supplement, overtime)");
        }
        let start = r.datetime("start").flatten();
        if start.is_none() && r.text("start").is_empty() {
            r.fail("start", "required value is empty");
        }
        let end = r.datetime("end").flatten();
        let reason = r.text("reason");
        let place = r.text("place");
        let span = |r: &mut Row<'_>| -> Option<Span> {
            let (s, s_time) = start?;
            let (e, e_time) = end.unwrap_or((s, s_time));
            if !s_time && !e_time {
                if e.date() < s.date() {
                    r.fail(
                        "end",
                        format!("end {} is before start {}", e.date(), s.date()),
                    );
                    return None;
                }
                Some(Span::Days {
                    from: s.date(),
                    to: e.date(),
                })
            } else {
                if e <= s {
                    r.fail("end", format!("end {e} is not after start {s}"));
                    return None;
                }
                Some(Span::Range { from: s, to: e })
            }
        };
        let kind = match code? {
            "leave" => {
                let lt = r.text("leave_type");
                let found = ctx.leave_types.iter().find(|t| {
                    let l = normalize(&lt);
                    [&t.code, &t.name_zh, &t.name_en, &t.symbol]
                        .iter()
                        .any(|x| normalize(x) == l)
                });
                let span = span(r);
                match found {
                    Some(t) => RequestKind::Leave {
                        leave_type: t.code.clone(),
                        span: span?,
                    },
                    None => {
                        r.fail(
                            "leave_type",
                            if lt.is_empty() {
                                "leave needs a leave type (假别)".to_string()
                            } else {
                                "unknown leave type".to_string()
                            },
                        );
                        return None;
                    }
                }
            }
            "outing" => RequestKind::Outing {
                place,
                span: span(r)?,
            },
            "trip" => RequestKind::Trip {
                destination: place,
                span: span(r)?,
            },
            "supplement" => {
                let (at, has_time) = start?;
                if !has_time {
                    r.fail("start", "补签 needs the punch time, e.g. 2026-10-12 08:55");
                    return None;
                }
                let p = normalize(&r.text("punch"));
                let punch = match p.as_str() {
                    "" => {
                        if at.hour() < 12 {
                            PunchKind::In
                        } else {
                            PunchKind::Out
                        }
                    }
                    "in" | "签到" | "簽到" | "上班" => PunchKind::In,
                    "out" | "签退" | "簽退" | "下班" => PunchKind::Out,
                    _ => {
                        r.fail("punch", "use 签到 or 签退 (in or out)");
                        return None;
                    }
                };
                RequestKind::Supplement {
                    at,
                    punch,
                    evidence: r.text("evidence"),
                }
            }
            _ => {
                let (Some((s, st)), Some((e, et))) = (start, end) else {
                    r.fail("end", "加班 needs a start and an end time");
                    return None;
                };
                if !st || !et {
                    r.fail("start", "加班 needs times, e.g. 2026-10-17 09:00");
                    return None;
                }
                if e <= s {
                    r.fail("end", format!("end {e} is not after start {s}"));
                    return None;
                }
                RequestKind::Overtime { from: s, to: e }
            }
        };
        Some(RequestRow {
            row: n,
            employee_no: no?,
            kind,
            reason,
        })
    })
}

/// Read and validate a calendar file.
pub fn read_calendar(path: &Path, ctx: &ImportContext) -> Result<Import<CalendarRow>, ExcelError> {
    let _ = ctx;
    Ok(validate_calendar(read_grid(path)?))
}

fn validate_calendar(grid: Grid) -> Import<CalendarRow> {
    let mut seen: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    run(grid, ImportKind::Calendar, |r, n| {
        let date = r.date("date").flatten();
        if date.is_none() && r.text("date").is_empty() {
            r.fail("date", "required value is empty");
        }
        if let Some(d) = date {
            if let Some(first) = seen.get(&d) {
                r.fail("date", format!("date listed twice: also on row {first}"));
            } else {
                seen.insert(d, n);
            }
        }
        let kind = r.required("type").and_then(|k| {
            let parsed = DayKind::parse(&k).or_else(|| day_kind_by_label(&k));
            if parsed.is_none() {
                r.fail(
                    "type",
                    "unknown day type; use 工作日, 休息日, 法定节假日, 其他假日 or 调休上班",
                );
            }
            parsed
        });
        let st = normalize(&r.text("statutory"));
        let statutory = match st.as_str() {
            "" | "false" | "0" | "no" | "n" | "否" => false,
            "true" | "1" | "yes" | "y" | "是" => true,
            _ => {
                r.fail("statutory", "use 是 or 否 (true or false)");
                false
            }
        };
        if let Some(k) = kind
            && statutory
            && !k.is_holiday()
        {
            r.fail("statutory", "only holidays can be statutory");
        }
        Some(CalendarRow {
            row: n,
            date: date?,
            kind: kind?,
            name: r.text("name"),
            statutory,
        })
    })
}

/// A day type by its label in any of our locales ("Public holiday", "法定節假日", …).
fn day_kind_by_label(s: &str) -> Option<DayKind> {
    let n = normalize(s);
    [
        DayKind::Workday,
        DayKind::RestDay,
        DayKind::PublicHoliday,
        DayKind::OtherHoliday,
        DayKind::MakeupWorkday,
    ]
    .into_iter()
    .find(|k| {
        [Locale::ZhCn, Locale::En, Locale::ZhTw]
            .iter()
            .any(|l| normalize(t(*l, &format!("day.{}", k.code()))) == n)
    })
}

/// The rejected rows as a workbook: the file's own columns plus the reasons (`--skip-invalid`).
pub fn write_error_workbook(
    path: &Path,
    import_headers: &[String],
    rejected: &[RejectedRow],
    locale: Locale,
) -> Result<(), ExcelError> {
    let mut headers = vec![t(locale, "col.row").to_string()];
    headers.extend(import_headers.iter().cloned());
    headers.push(t(locale, "col.error").to_string());
    let rows = rejected
        .iter()
        .map(|r| {
            let mut v = vec![Value::Int(r.row as i64)];
            let mut vals = r.values.clone();
            vals.resize(import_headers.len(), String::new());
            v.extend(vals.into_iter().map(Value::Text));
            v.push(Value::Text(r.reasons.join("; ")));
            v
        })
        .collect();
    let table = Table {
        key: "errors",
        sheet_name: t(locale, "sheet.errors").to_string(),
        title: t(locale, "sheet.errors").to_string(),
        headers,
        rows,
        total_rows: Vec::new(),
    };
    let mut wb = crate::export::xlsx::table_workbook(&table, locale)?;
    wb.save(path).map_err(|e| ExcelError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}
