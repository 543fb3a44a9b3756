//! The report model shared by the Excel and GUI layers: per-day symbols (configurable), the monthly
//! sheet (月度考勤表) with summary columns and department subtotals, the exception list (异常报表) and
//! the publication list (公示) without private details.
//!
//! Produces plain rows and strings only; must not know about xlsx, egui or files.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::calendar::DayKind;
use crate::month::{DepartmentTotals, MonthResult, Totals, month_dates};
use crate::people::{Employee, PunchKind};
use crate::reconcile::{DayResult, Excuse, SessionOutcome};
use crate::request::{LeaveType, Request, RequestKind, Span, default_leave_types};
use crate::timefmt::{fmt_datetime, fmt_time};

pub use crate::daily_detail::{DetailLine, daily_detail, is_non_face, verify_name_zh};
pub use crate::exceptions::{ExceptionEntry, exceptions};

/// The fixed symbols' names, their look-up and their setter, from one list of field names.
macro_rules! fixed_symbols {
    ($($field:ident)*) => {
        /// The names of the fixed symbols (everything but the leave types' own), as settings, the
        /// CLI and the audit log spell them; each is the field of the same name.
        pub const FIXED: [&'static str; 13] = [$(stringify!($field)),*];

        fn fixed_mut(&mut self, name: &str) -> Option<&mut String> {
            match name {
                $(stringify!($field) => Some(&mut self.$field),)*
                _ => None,
            }
        }

        /// The fixed symbol `name` (one of [`SymbolSet::FIXED`]).
        pub fn fixed(&self, name: &str) -> Option<&str> {
            match name {
                $(stringify!($field) => Some(&self.$field),)*
                _ => None,
            }
        }
    };
}

/// The symbols of the sheet; administrators may change any of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbolSet {
    pub present: String,
    pub late: String,
    pub early: String,
    pub absent: String,
    pub missing: String,
    /// For leave types without a symbol of their own.
    pub leave_default: String,
    pub outing: String,
    pub trip: String,
    pub supplement: String,
    pub rest: String,
    pub holiday: String,
    pub overtime: String,
    pub not_employed: String,
    /// Leave type code → symbol.
    pub leave: BTreeMap<String, String>,
}

impl Default for SymbolSet {
    fn default() -> Self {
        SymbolSet::with_leave_types(&default_leave_types())
    }
}

impl SymbolSet {
    pub fn with_leave_types(types: &[LeaveType]) -> Self {
        let s = |x: &str| x.to_string();
        SymbolSet {
            present: s("√"),
            late: s("迟"),
            early: s("退"),
            absent: s("旷"),
            missing: s("缺"),
            leave_default: s("假"),
            outing: s("外"),
            trip: s("差"),
            supplement: s("补"),
            rest: s("休"),
            holiday: s("节"),
            overtime: s("加"),
            not_employed: s("—"),
            leave: types
                .iter()
                .map(|t| (t.code.clone(), t.symbol.clone()))
                .collect(),
        }
    }

    fixed_symbols!(present late early absent missing leave_default outing trip supplement rest
        holiday overtime not_employed);

    /// Sets the fixed symbol `name`; `false` if there is no such symbol. Call [`SymbolSet::check`]
    /// afterwards.
    pub fn set_fixed(&mut self, name: &str, symbol: &str) -> bool {
        match self.fixed_mut(name) {
            Some(slot) => {
                *slot = symbol.trim().to_string();
                true
            }
            None => false,
        }
    }

    /// Whether the sheet can still be read: every symbol filled in (only "not employed" may be
    /// empty), short, without spaces or the half-day separator `/`, and none inside another (cells
    /// are classified by the symbols they contain, so 迟 beside 迟到 would colour wrongly).
    pub fn check(&self) -> Result<(), SymbolProblem> {
        let mut all: Vec<(String, &str)> = Self::FIXED
            .iter()
            .map(|n| (n.to_string(), self.fixed(n).unwrap_or_default()))
            .collect();
        all.extend(
            self.leave
                .iter()
                .map(|(code, s)| (format!("leave:{code}"), s.as_str())),
        );
        for (name, s) in &all {
            if s.is_empty() {
                if name == "not_employed" {
                    continue;
                }
                return Err(SymbolProblem::Empty { name: name.clone() });
            }
            if s.chars().count() > 3 || s.contains(|c: char| c.is_whitespace() || c == '/') {
                return Err(SymbolProblem::Unusable {
                    name: name.clone(),
                    symbol: s.to_string(),
                });
            }
        }
        for (i, (a, sa)) in all.iter().enumerate() {
            for (b, sb) in all.iter().skip(i + 1) {
                if sa.is_empty() || sb.is_empty() {
                    continue;
                }
                // Leave types may share a symbol (all leave is coloured alike).
                let leave_pair = a.starts_with("leave") && b.starts_with("leave");
                if !leave_pair && (sa.contains(sb) || sb.contains(sa)) {
                    return Err(SymbolProblem::Clash {
                        first: a.clone(),
                        second: b.clone(),
                        symbol: if sa.len() <= sb.len() { sa } else { sb }.to_string(),
                    });
                }
            }
        }
        Ok(())
    }

    pub fn leave_symbol(&self, code: &str) -> &str {
        self.leave
            .get(code)
            .map_or(self.leave_default.as_str(), String::as_str)
    }

    /// The legend printed under the sheet (symbol, meaning).
    pub fn legend(&self, types: &[LeaveType]) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = [
            (&self.present, "出勤"),
            (&self.late, "迟到"),
            (&self.early, "早退"),
            (&self.absent, "旷工"),
            (&self.missing, "缺卡"),
            (&self.outing, "因公外出"),
            (&self.trip, "出差"),
            (&self.supplement, "补签"),
            (&self.rest, "休息日"),
            (&self.holiday, "节假日"),
            (&self.overtime, "加班"),
        ]
        .iter()
        .map(|(s, m)| (s.to_string(), m.to_string()))
        .collect();
        v.extend(
            types
                .iter()
                .map(|t| (self.leave_symbol(&t.code).to_string(), t.name_zh.clone())),
        );
        v
    }
}

/// Why a set of symbols cannot be used on the sheet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SymbolProblem {
    #[error("the symbol for {name} is empty; give it one or two characters")]
    Empty { name: String },
    #[error(
        "the symbol '{symbol}' for {name} cannot be used: at most 3 characters, no spaces and no '/' (it separates half-days)"
    )]
    Unusable { name: String, symbol: String },
    #[error(
        "{first} and {second} would both show '{symbol}', so their cells could not be told apart; choose different characters"
    )]
    Clash {
        first: String,
        second: String,
        symbol: String,
    },
}

/// One day's cell: nothing, one symbol, or morning and afternoon halves when they differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "cell")]
pub enum DayCell {
    Empty,
    Whole { symbol: String },
    Halves { am: String, pm: String },
}

impl DayCell {
    /// Text for a single cell: "√", or "√/迟" for halves.
    pub fn text(&self) -> String {
        match self {
            DayCell::Empty => String::new(),
            DayCell::Whole { symbol } => symbol.clone(),
            DayCell::Halves { am, pm } => format!("{am}/{pm}"),
        }
    }
}

/// The symbol of one session.
pub fn session_symbol(o: &SessionOutcome, sym: &SymbolSet) -> String {
    if o.absent {
        return sym.absent.clone();
    }
    match &o.excused {
        Some(Excuse::Leave(t)) => return sym.leave_symbol(t).to_string(),
        Some(Excuse::Outing) => return sym.outing.clone(),
        Some(Excuse::Trip) => return sym.trip.clone(),
        None => {}
    }
    let mut s = String::new();
    if o.is_late() {
        s.push_str(&sym.late);
    }
    if o.is_early() {
        s.push_str(&sym.early);
    }
    if o.missing_in || o.missing_out {
        s.push_str(&sym.missing);
    }
    if s.is_empty() {
        if o.pending {
            return String::new();
        }
        if o.in_supplemented || o.out_supplemented {
            return sym.supplement.clone();
        }
        if o.partial_outing {
            return sym.outing.clone();
        }
        return sym.present.clone();
    }
    s
}

/// The cell of one employee-day.
pub fn day_cell(d: &DayResult, sym: &SymbolSet) -> DayCell {
    if !d.employed {
        return if sym.not_employed.is_empty() {
            DayCell::Empty
        } else {
            DayCell::Whole {
                symbol: sym.not_employed.clone(),
            }
        };
    }
    let ot = if d.overtime_minutes > 0 {
        sym.overtime.as_str()
    } else {
        ""
    };
    match d.day.kind {
        DayKind::RestDay => {
            return DayCell::Whole {
                symbol: format!("{}{ot}", sym.rest),
            };
        }
        DayKind::PublicHoliday | DayKind::OtherHoliday => {
            return DayCell::Whole {
                symbol: format!("{}{ot}", sym.holiday),
            };
        }
        _ => {}
    }
    let symbols: Vec<String> = d.sessions.iter().map(|s| session_symbol(s, sym)).collect();
    match symbols.as_slice() {
        [] => DayCell::Empty,
        [am, pm] if am != pm => DayCell::Halves {
            am: am.clone(),
            pm: format!("{pm}{ot}"),
        },
        [first, rest @ ..] if rest.iter().all(|x| x == first) => {
            if first.is_empty() && ot.is_empty() {
                DayCell::Empty
            } else {
                DayCell::Whole {
                    symbol: format!("{first}{ot}"),
                }
            }
        }
        many => DayCell::Whole {
            symbol: format!("{}{ot}", many.join("")),
        },
    }
}

/// A column head of the day grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetDay {
    pub date: NaiveDate,
    pub day_of_month: u32,
    /// 一 … 日
    pub weekday_zh: String,
    pub kind: DayKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetRow {
    /// 序号, from 1.
    pub seq: u32,
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub cells: Vec<DayCell>,
    pub totals: Totals,
}

/// The monthly attendance sheet (月度考勤表).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthSheet {
    pub title: String,
    pub year: i32,
    pub month: u32,
    pub days: Vec<SheetDay>,
    /// By department, then employee number.
    pub rows: Vec<SheetRow>,
    pub subtotals: Vec<DepartmentTotals>,
    pub total: Totals,
    pub legend: Vec<(String, String)>,
    /// Summary column heads (Chinese) matching `summary_cells`.
    pub summary_heads: Vec<String>,
    /// 制表人 / 审核人 lines and the signature line, as printed.
    pub footer: Vec<String>,
}

pub fn weekday_zh(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "一",
        Weekday::Tue => "二",
        Weekday::Wed => "三",
        Weekday::Thu => "四",
        Weekday::Fri => "五",
        Weekday::Sat => "六",
        Weekday::Sun => "日",
    }
}

/// Summary column heads: fixed columns, then one per leave type, then overtime and rate.
pub fn summary_heads(types: &[LeaveType]) -> Vec<String> {
    let mut v: Vec<String> = [
        "应出勤天数",
        "实际出勤",
        "迟到次数",
        "迟到分钟",
        "早退次数",
        "早退分钟",
        "旷工(半天)",
        "缺卡次数",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend(types.iter().map(|t| format!("{}(天)", t.name_zh)));
    v.extend(
        [
            "外出(天)",
            "外出(小时)",
            "出差(天)",
            "补签次数",
            "工作日加班(分钟)",
            "休息日加班(分钟)",
            "法定节假日加班(分钟)",
            "出勤率",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    v
}

fn fmt_days(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if (r - r.round()).abs() < 1e-9 {
        format!("{}", r.round() as i64)
    } else {
        format!("{r}")
    }
}

/// Summary cell texts in the order of `summary_heads`.
pub fn summary_cells(t: &Totals, types: &[LeaveType]) -> Vec<String> {
    let mut v = vec![
        t.required_days.to_string(),
        fmt_days(t.attended_days),
        t.late_count.to_string(),
        t.late_minutes.to_string(),
        t.early_count.to_string(),
        t.early_minutes.to_string(),
        t.absent_sessions.to_string(),
        t.missing_punches().to_string(),
    ];
    v.extend(
        types
            .iter()
            .map(|lt| fmt_days(t.leave.get(&lt.code).map_or(0.0, |l| l.days))),
    );
    v.extend([
        fmt_days(t.outing_days),
        fmt_days(f64::from(t.outing_minutes) / 60.0),
        fmt_days(t.trip_days),
        t.supplements.to_string(),
        t.overtime_workday.to_string(),
        t.overtime_restday.to_string(),
        t.overtime_holiday.to_string(),
        format!("{:.1}%", t.attendance_rate() * 100.0),
    ]);
    v
}

/// Build the month sheet, optionally for one department.
pub fn month_sheet(
    result: &MonthResult,
    employees: &[Employee],
    sym: &SymbolSet,
    types: &[LeaveType],
    department: Option<&str>,
) -> MonthSheet {
    let days: Vec<SheetDay> = month_dates(result.year, result.month)
        .into_iter()
        .map(|date| {
            let kind = result
                .days
                .iter()
                .find(|d| d.date == date)
                .map_or(DayKind::Workday, |d| d.day.kind);
            SheetDay {
                date,
                day_of_month: date.day(),
                weekday_zh: weekday_zh(date.weekday()).to_string(),
                kind,
            }
        })
        .collect();
    let by_no: BTreeMap<&str, &Employee> = employees.iter().map(|e| (e.no.as_str(), e)).collect();
    let mut summaries: Vec<_> = result
        .summaries
        .iter()
        .filter(|s| department.is_none_or(|d| s.department == d))
        .collect();
    summaries.sort_by(|a, b| (&a.department, &a.employee_no).cmp(&(&b.department, &b.employee_no)));
    let mut rows = Vec::with_capacity(summaries.len());
    let mut total = Totals::default();
    for (i, s) in summaries.iter().enumerate() {
        let cells = result
            .days_of(&s.employee_no)
            .iter()
            .map(|d| day_cell(d, sym))
            .collect();
        total.merge(&s.totals);
        rows.push(SheetRow {
            seq: i as u32 + 1,
            employee_no: s.employee_no.clone(),
            name: by_no
                .get(s.employee_no.as_str())
                .map_or(s.name.clone(), |e| e.name.clone()),
            department: s.department.clone(),
            cells,
            totals: s.totals.clone(),
        });
    }
    let subtotals = result
        .departments
        .iter()
        .filter(|d| department.is_none_or(|x| d.department == x))
        .cloned()
        .collect();
    let scope = department.map_or(String::new(), |d| format!("{d} "));
    MonthSheet {
        title: format!("{scope}{}年{}月 考勤表", result.year, result.month),
        year: result.year,
        month: result.month,
        days,
        rows,
        subtotals,
        total,
        legend: sym.legend(types),
        summary_heads: summary_heads(types),
        footer: vec!["制表人：".into(), "审核人：".into(), "员工签字：".into()],
    }
}

/// One line of the publication list (公示): non-routine cases without private details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicationEntry {
    pub employee_no: String,
    pub name: String,
    pub department: String,
    /// leave, outing, trip, supplement, overtime
    pub kind: String,
    pub kind_zh: String,
    pub when: String,
    /// Place, destination, leave type or the supplemented punch.
    pub detail: String,
    /// Reason and evidence for official business; always empty for leave (private).
    pub reason: String,
    pub approved_by: String,
}

/// A request's span as the lists print it: a date, 第N时段 of a date, or a range.
pub(crate) fn span_text(s: &Span) -> String {
    match s {
        Span::Days { from, to } if from == to => from.to_string(),
        Span::Days { from, to } => format!("{from} 至 {to}"),
        Span::Session { date, session } => format!("{date} 第{}时段", session + 1),
        Span::Range { from, to } => format!("{} 至 {}", fmt_datetime(*from), fmt_datetime(*to)),
    }
}

/// Approved requests touching the month, for publication. Leave reasons are never included.
pub fn publication_list(
    requests: &[Request],
    employees: &[Employee],
    year: i32,
    month: u32,
    types: &[LeaveType],
) -> Vec<PublicationEntry> {
    let dates = month_dates(year, month);
    let (Some(&first), Some(&last)) = (dates.first(), dates.last()) else {
        return Vec::new();
    };
    let by_no: BTreeMap<&str, &Employee> = employees.iter().map(|e| (e.no.as_str(), e)).collect();
    let mut reqs: Vec<&Request> = requests
        .iter()
        .filter(|r| r.is_approved())
        .filter(|r| {
            let (a, b) = r.kind.dates();
            a <= last && b >= first
        })
        .collect();
    reqs.sort_by(|a, b| {
        (a.kind.dates().0, &a.employee_no, a.id).cmp(&(b.kind.dates().0, &b.employee_no, b.id))
    });
    reqs.into_iter()
        .map(|r| {
            let (name, department) = by_no
                .get(r.employee_no.as_str())
                .map_or((String::new(), String::new()), |e| {
                    (e.name.clone(), e.department.clone())
                });
            let (kind_zh, when, detail, reason) = match &r.kind {
                RequestKind::Leave { leave_type, span } => {
                    let t = types
                        .iter()
                        .find(|t| &t.code == leave_type)
                        .map_or(leave_type.clone(), |t| t.name_zh.clone());
                    ("请假", span_text(span), t, String::new())
                }
                RequestKind::Outing { place, span } => {
                    ("因公外出", span_text(span), place.clone(), r.reason.clone())
                }
                RequestKind::Trip { destination, span } => (
                    "出差",
                    span_text(span),
                    destination.clone(),
                    r.reason.clone(),
                ),
                RequestKind::Supplement {
                    at,
                    punch,
                    evidence,
                } => {
                    let which = match punch {
                        PunchKind::In => "补签到",
                        PunchKind::Out => "补签退",
                    };
                    let reason = if evidence.is_empty() {
                        r.reason.clone()
                    } else {
                        format!("{}（证明：{}）", r.reason, evidence)
                    };
                    ("补签", fmt_datetime(*at), which.to_string(), reason)
                }
                RequestKind::Overtime { from, to } => (
                    "加班",
                    format!("{} 至 {}", fmt_datetime(*from), fmt_time(to.time())),
                    String::new(),
                    r.reason.clone(),
                ),
            };
            PublicationEntry {
                employee_no: r.employee_no.clone(),
                name,
                department,
                kind: r.kind.code().to_string(),
                kind_zh: kind_zh.to_string(),
                when,
                detail,
                reason,
                approved_by: r.decided_by.clone().unwrap_or_default(),
            }
        })
        .collect()
}
