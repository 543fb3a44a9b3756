//! The auditor's snapshot comparison as an .xlsx report (docs/domain.md §2.7: `kaoqin snapshot diff A B --xlsx`
//! and `snapshot diff A --against-db --xlsx`): one sheet per kind of difference — removed records,
//! back-dated additions, changed times, user and privilege changes, clock changes; or, against the
//! ledger, records only in Kaoqin and records only on the terminal. Each sheet has a bold header
//! row (frozen), column widths fitted to the content and localized texts (`locale.rs`); a sheet is
//! written even when it has no rows, so "nothing of this kind" is visible too. Timestamps are
//! written as `YYYY-MM-DD HH:MM:SS` text: exact, sortable, and identical to the CLI table.
//!
//! Takes plain rows (the caller converts the sync layer's diff); must not compare anything itself,
//! read files other than writing `path`, or open the database.

use std::path::Path;

use chrono::NaiveDateTime;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};

use crate::ExcelError;
use crate::locale::{Locale, t};

/// One punch as a snapshot holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffPunch {
    /// Position in the terminal's log (None for ledger rows).
    pub position: Option<u64>,
    pub enrollment_no: String,
    pub timestamp: NaiveDateTime,
    pub verify: Option<u8>,
    pub state: Option<u8>,
}

/// A record whose time changed between the snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffTimeChange {
    pub position: Option<u64>,
    pub enrollment_no: String,
    pub before: NaiveDateTime,
    pub after: NaiveDateTime,
    pub verify: u8,
    pub state: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffUserKind {
    Added,
    Removed,
    Changed,
}

/// A terminal user as a snapshot lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffUserState {
    pub name: String,
    pub privilege: u8,
    pub has_password: bool,
    pub card: u32,
}

/// A user added, removed or changed (privilege, password, card, name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffUser {
    pub kind: DiffUserKind,
    pub enrollment_no: String,
    pub before: Option<DiffUserState>,
    pub after: Option<DiffUserState>,
}

/// The terminal clock's skew from the PC in each snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiffClock {
    pub skew_before_secs: i64,
    pub skew_after_secs: i64,
}

/// What the report shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotDiffReport {
    /// Snapshot A against a later snapshot B.
    Snapshots {
        removed: Vec<DiffPunch>,
        backdated: Vec<DiffPunch>,
        time_changed: Vec<DiffTimeChange>,
        users: Vec<DiffUser>,
        clock: Option<DiffClock>,
    },
    /// A snapshot against Kaoqin's ledger for the same terminal serial.
    Ledger {
        /// In the ledger, no longer on the terminal.
        ledger_only: Vec<DiffPunch>,
        /// On the terminal, never downloaded.
        terminal_only: Vec<DiffPunch>,
    },
}

/// A cell of the report.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    Int(i64),
    Empty,
}

struct Sheet {
    name: String,
    headers: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

fn ts(t: NaiveDateTime) -> Cell {
    Cell::Text(t.format("%Y-%m-%d %H:%M:%S").to_string())
}

fn opt_int<T: Into<i64>>(v: Option<T>) -> Cell {
    v.map_or(Cell::Empty, |x| Cell::Int(x.into()))
}

fn heads(locale: Locale, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t(locale, k).to_string()).collect()
}

fn punch_sheet(locale: Locale, name_key: &str, punches: &[DiffPunch]) -> Sheet {
    Sheet {
        name: t(locale, name_key).to_string(),
        headers: heads(
            locale,
            &[
                "col.log_position",
                "col.employee_no",
                "col.time",
                "col.verify",
                "col.state",
            ],
        ),
        rows: punches
            .iter()
            .map(|p| {
                vec![
                    opt_int(p.position.map(|x| i64::try_from(x).unwrap_or(i64::MAX))),
                    Cell::Text(p.enrollment_no.clone()),
                    ts(p.timestamp),
                    opt_int(p.verify),
                    opt_int(p.state),
                ]
            })
            .collect(),
    }
}

fn yes_no(locale: Locale, b: bool) -> Cell {
    Cell::Text(t(locale, if b { "yes" } else { "no" }).to_string())
}

fn sheets(report: &SnapshotDiffReport, locale: Locale) -> Vec<Sheet> {
    match report {
        SnapshotDiffReport::Snapshots {
            removed,
            backdated,
            time_changed,
            users,
            clock,
        } => vec![
            punch_sheet(locale, "sheet.diff_removed", removed),
            punch_sheet(locale, "sheet.diff_backdated", backdated),
            Sheet {
                name: t(locale, "sheet.diff_time_changed").to_string(),
                headers: heads(
                    locale,
                    &[
                        "col.log_position",
                        "col.employee_no",
                        "col.time_before",
                        "col.time_after",
                        "col.verify",
                        "col.state",
                    ],
                ),
                rows: time_changed
                    .iter()
                    .map(|c| {
                        vec![
                            opt_int(c.position.map(|x| i64::try_from(x).unwrap_or(i64::MAX))),
                            Cell::Text(c.enrollment_no.clone()),
                            ts(c.before),
                            ts(c.after),
                            Cell::Int(c.verify.into()),
                            Cell::Int(c.state.into()),
                        ]
                    })
                    .collect(),
            },
            Sheet {
                name: t(locale, "sheet.diff_users").to_string(),
                headers: heads(
                    locale,
                    &[
                        "col.change",
                        "col.employee_no",
                        "col.name_before",
                        "col.name_after",
                        "col.privilege_before",
                        "col.privilege_after",
                        "col.password_before",
                        "col.password_after",
                        "col.card_before",
                        "col.card_after",
                    ],
                ),
                rows: users
                    .iter()
                    .map(|u| {
                        let kind = match u.kind {
                            DiffUserKind::Added => "diff.added",
                            DiffUserKind::Removed => "diff.removed",
                            DiffUserKind::Changed => "diff.changed",
                        };
                        let side = |s: &Option<DiffUserState>| match s {
                            Some(s) => [
                                Cell::Text(s.name.clone()),
                                Cell::Int(s.privilege.into()),
                                yes_no(locale, s.has_password),
                                Cell::Int(s.card.into()),
                            ],
                            None => [Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty],
                        };
                        let [nb, pb, wb, cb] = side(&u.before);
                        let [na, pa, wa, ca] = side(&u.after);
                        vec![
                            Cell::Text(t(locale, kind).to_string()),
                            Cell::Text(u.enrollment_no.clone()),
                            nb,
                            na,
                            pb,
                            pa,
                            wb,
                            wa,
                            cb,
                            ca,
                        ]
                    })
                    .collect(),
            },
            Sheet {
                name: t(locale, "sheet.diff_clock").to_string(),
                headers: heads(
                    locale,
                    &["col.skew_before", "col.skew_after", "col.skew_change"],
                ),
                rows: clock
                    .iter()
                    .map(|c| {
                        vec![
                            Cell::Int(c.skew_before_secs),
                            Cell::Int(c.skew_after_secs),
                            Cell::Int(c.skew_after_secs.saturating_sub(c.skew_before_secs)),
                        ]
                    })
                    .collect(),
            },
        ],
        SnapshotDiffReport::Ledger {
            ledger_only,
            terminal_only,
        } => vec![
            punch_sheet(locale, "sheet.diff_ledger_only", ledger_only),
            punch_sheet(locale, "sheet.diff_terminal_only", terminal_only),
        ],
    }
}

/// Approximate printed width: CJK characters count twice.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) > 0x2E80 { 2 } else { 1 })
        .sum()
}

/// The report as a workbook (for callers that stream or test it).
pub fn snapshot_diff_workbook(
    report: &SnapshotDiffReport,
    locale: Locale,
) -> Result<Workbook, ExcelError> {
    let head = Format::new()
        .set_bold()
        .set_font_size(10)
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let text = Format::new()
        .set_font_size(10)
        .set_border(FormatBorder::Thin);
    let int = text.clone().set_num_format("0");
    let mut wb = Workbook::new();
    for sheet in sheets(report, locale) {
        let ws = wb.add_worksheet();
        ws.set_name(&sheet.name)?;
        for (c, h) in sheet.headers.iter().enumerate() {
            let col =
                u16::try_from(c).map_err(|_| ExcelError::Invalid("too many columns".into()))?;
            ws.write_string_with_format(0, col, h, &head)?;
            let w = sheet
                .rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|v| match v {
                    Cell::Text(s) => width(s),
                    Cell::Int(i) => i.to_string().len(),
                    Cell::Empty => 0,
                })
                .chain(std::iter::once(width(h)))
                .max()
                .unwrap_or(6)
                .clamp(6, 40);
            ws.set_column_width(col, w as f64 + 2.0)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let rr = u32::try_from(r + 1)
                .map_err(|_| ExcelError::Invalid("too many rows for one sheet".into()))?;
            for (c, v) in row.iter().enumerate() {
                let col =
                    u16::try_from(c).map_err(|_| ExcelError::Invalid("too many columns".into()))?;
                match v {
                    Cell::Text(s) => {
                        ws.write_string_with_format(rr, col, s, &text)?;
                    }
                    Cell::Int(i) => {
                        ws.write_number_with_format(rr, col, *i as f64, &int)?;
                    }
                    Cell::Empty => {
                        ws.write_blank(rr, col, &text)?;
                    }
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
        ws.autofilter(0, 0, 0, sheet.headers.len().saturating_sub(1) as u16)?;
    }
    Ok(wb)
}

/// Writes the report to `path` (.xlsx).
pub fn export_snapshot_diff_xlsx(
    path: &Path,
    report: &SnapshotDiffReport,
    locale: Locale,
) -> Result<(), ExcelError> {
    let mut wb = snapshot_diff_workbook(report, locale)?;
    wb.save(path).map_err(|e| ExcelError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}
