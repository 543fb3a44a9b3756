//! Excel and CSV for Kaoqin (docs/domain.md §6): exports of a month's reports with rust_xlsxwriter and imports of
//! employees, requests and calendars with calamine. Free of SQLite: imports return validated rows plus
//! problems; the caller applies them in one transaction with one audit entry.
//!
//! Public API for the CLI (`kaoqin report month`, `kaoqin import`, `kaoqin template`) and the GUI:
//!
//! ```text
//! // report month YYYY-MM --xlsx FILE [--department D] [--per-department-sheets] [--csv DIR]
//! export_month_xlsx(path: &Path, report: &MonthReport<'_>, opts: &ExportOptions) -> Result<(), ExcelError>
//! export_month_csv(dir: &Path, report: &MonthReport<'_>, opts: &ExportOptions) -> Result<Vec<PathBuf>, ExcelError>
//! month_workbook(report: &MonthReport<'_>, opts: &ExportOptions) -> Result<rust_xlsxwriter::Workbook, ExcelError>
//! month_sheet_workbook(report: &MonthReport<'_>, opts: &ExportOptions) -> Result<rust_xlsxwriter::Workbook, ExcelError> // sheet only
//! PunchRow::from_punches(punches: &[Punch], employees: &[Employee]) -> Vec<PunchRow>   // 日报 rows
//!
//! // import employees|requests|calendar FILE [--dry-run] [--skip-invalid]
//! read_employees(path: &Path, ctx: &ImportContext) -> Result<Import<EmployeeRow>, ExcelError>
//! read_requests(path: &Path, ctx: &ImportContext) -> Result<Import<RequestRow>, ExcelError>
//! read_calendar(path: &Path, ctx: &ImportContext) -> Result<Import<CalendarRow>, ExcelError>
//! write_error_workbook(path: &Path, import_headers: &[String], rejected: &[RejectedRow], locale: Locale) -> Result<(), ExcelError>
//!
//! // snapshot diff A B --xlsx FILE | snapshot diff A --against-db --xlsx FILE (auditor)
//! export_snapshot_diff_xlsx(path: &Path, report: &SnapshotDiffReport, locale: Locale) -> Result<(), ExcelError>
//!
//! // template employees|requests|calendar FILE.xlsx
//! write_template(kind: ImportKind, path: &Path, ctx: &ImportContext, locale: Locale) -> Result<(), ExcelError>
//!
//! // audit verify --reports-dir DIR: the audit head an exported workbook carries (AUDIT_HEAD_PROPERTY)
//! read_audit_head(path: &Path) -> Result<Option<String>, ExcelError>
//! ```
//!
//! `Import::has_errors()` tells whether anything must be refused (without `--skip-invalid`); `Import::rows`
//! holds only valid rows, `Import::rejected` the invalid ones with their reasons, `Import::problems` every
//! problem (errors and warnings such as unknown columns) with sheet, row, column, value and reason.
//!
//! Header texts come from a small table in `locale` (zh-CN default, en, zh-TW) rather than the GUI's
//! rust-i18n files, so a library call gives the same workbook in any process. CSV output is UTF-8 with
//! a BOM (Excel on Chinese Windows needs it). Must not open databases or read the clock.

pub mod audit_head;
pub mod export;
pub mod import;
pub mod locale;

pub use audit_head::read_audit_head;
pub use export::csv_out::{export_month_csv, table_csv};
pub use export::snapshot_diff::{
    DiffClock, DiffPunch, DiffTimeChange, DiffUser, DiffUserKind, DiffUserState,
    SnapshotDiffReport, export_snapshot_diff_xlsx, snapshot_diff_workbook,
};
pub use export::tables::{MonthReport, PunchRow, Table, Value};
pub use export::xlsx::{
    AUDIT_HEAD_PROPERTY, ExportOptions, Paper, export_month_xlsx, export_month_xlsx_anchored,
    month_sheet_workbook, month_workbook, set_workbook_properties,
};
pub use import::template::write_template;
pub use import::{
    CalendarRow, EmployeeRow, Import, ImportContext, ImportKind, Problem, RejectedRow, RequestRow,
    Severity, read_calendar, read_employees, read_requests, write_error_workbook,
};
pub use locale::Locale;

use thiserror::Error;

/// What went wrong with a file as a whole (row-level problems are `Problem`s, not errors).
#[derive(Debug, Error)]
pub enum ExcelError {
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: unsupported file type; use .xlsx, .xls, .ods or .csv")]
    UnsupportedType { path: String },
    #[error("{0}")]
    Invalid(String),
    #[error("workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}
