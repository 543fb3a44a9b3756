//! CLI for reports and spreadsheet imports: `report month`, `import employees|requests|calendar` (flattened into `kaoqin
//! import` beside `import punches`), `template`. Parsing and printing only: the services in
//! `app::{reports, imports}` check permissions, write files and audit.

use super::out::{out_raw, outln};
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow};
use clap::{Args, Subcommand, ValueEnum};
use kaoqin_excel::{ExportOptions, ImportKind, Locale, Paper, Severity};

use crate::app::Session;
use crate::app::month::Month;
use crate::app::report_symbols::{SymbolChanges, named};
use crate::app::reports::ExportTarget;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PaperArg {
    A4,
    A3,
}

/// `kaoqin report`.
#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// The month's workbook (月度考勤表, 汇总, 异常, 公示, 日报, 加班) or its tables as CSV files.
    Month(ReportMonthArgs),
    /// Show the sheet's symbols; an administrator changes them with --set or --reset.
    Symbols(ReportSymbolsArgs),
}

#[derive(Debug, Args)]
pub struct ReportSymbolsArgs {
    /// NAME=SYMBOL, e.g. late=迟 or leave:sick=病 (repeatable; names as listed).
    #[arg(long = "set", value_name = "NAME=SYMBOL")]
    pub set: Vec<String>,
    /// Back to the default symbols.
    #[arg(long, conflicts_with = "set")]
    pub reset: bool,
    #[arg(long, value_enum, default_value_t = crate::cli::args::Format::Table)]
    pub format: crate::cli::args::Format,
}

#[derive(Debug, Args)]
pub struct ReportMonthArgs {
    /// The month: YYYY-MM (also YYYY-M, YYYY/M, YYYY.M).
    #[arg(value_name = "YYYY-MM")]
    pub month: String,
    /// Write an .xlsx workbook.
    #[arg(long, value_name = "FILE", required_unless_present = "csv")]
    pub xlsx: Option<PathBuf>,
    /// Write one CSV per table into DIR.
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,
    /// Only this department.
    #[arg(long)]
    pub department: Option<String>,
    /// One month sheet per department.
    #[arg(long)]
    pub per_department_sheets: bool,
    #[arg(long, value_enum, default_value_t = PaperArg::A4)]
    pub paper: PaperArg,
    /// Text language of the workbook: zh-CN (default), en, zh-TW.
    #[arg(long = "report-lang", value_name = "LANG")]
    pub report_lang: Option<String>,
}

/// `kaoqin import employees|requests|calendar` (beside `import punches`).
#[derive(Debug, Subcommand)]
pub enum DataImportCmd {
    /// Employees from .xlsx/.xls/.ods/.csv (工号, 姓名, 部门, …; headers in Chinese or English).
    Employees(DataImportArgs),
    /// Requests (entered and submitted; approval is separate).
    Requests(DataImportArgs),
    /// Calendar days.
    Calendar(DataImportArgs),
}

#[derive(Debug, Args)]
pub struct DataImportArgs {
    pub file: PathBuf,
    /// Validate and show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the valid rows; write the rejected ones to FILE.errors.xlsx next to the file.
    #[arg(long)]
    pub skip_invalid: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateKind {
    Employees,
    Requests,
    Calendar,
}

/// `kaoqin template KIND FILE.xlsx`.
#[derive(Debug, Args)]
pub struct TemplateArgs {
    #[arg(value_enum)]
    pub kind: TemplateKind,
    pub file: PathBuf,
}

fn locale(s: Option<&str>) -> Result<Locale> {
    match s {
        None => Ok(Locale::default()),
        Some(v) => Locale::parse(v)
            .ok_or_else(|| anyhow!("unknown language '{v}'; use zh-CN, en or zh-TW")),
    }
}

pub fn report(s: &mut Session, c: ReportCmd) -> Result<()> {
    match c {
        ReportCmd::Month(a) => report_month(s, a),
        ReportCmd::Symbols(a) => symbols(s, a),
    }
}

fn symbols(s: &mut Session, a: ReportSymbolsArgs) -> Result<()> {
    let set = if a.reset {
        s.reset_report_symbols()
            .context("cannot reset the report symbols")?
    } else if a.set.is_empty() {
        s.report_symbols()?
    } else {
        let mut changes = SymbolChanges::new();
        for pair in &a.set {
            let (name, symbol) = pair.split_once('=').ok_or_else(|| {
                anyhow!("'{pair}' is not NAME=SYMBOL; e.g. --set late=迟 (names: `kaoqin report symbols`)")
            })?;
            changes.insert(name.trim().to_string(), symbol.trim().to_string());
        }
        s.set_report_symbols(&changes)
            .context("the report symbols were not changed")?
    };
    let rows: Vec<Vec<String>> = named(&set)
        .into_iter()
        .map(|(name, symbol)| vec![name, symbol])
        .collect();
    out_raw!(
        "{}",
        crate::cli::table::render(a.format, &["name", "symbol"], &rows)?
    );
    Ok(())
}

fn report_month(s: &mut Session, a: ReportMonthArgs) -> Result<()> {
    let m = Month::parse(&a.month).map_err(crate::app::AppError::from)?;
    let opts = ExportOptions {
        locale: locale(a.report_lang.as_deref())?,
        department: a.department.clone(),
        per_department_sheets: a.per_department_sheets,
        paper: match a.paper {
            PaperArg::A4 => Paper::A4,
            PaperArg::A3 => Paper::A3,
        },
        ..Default::default()
    };
    let mut targets = Vec::new();
    if let Some(x) = a.xlsx {
        targets.push(ExportTarget::Xlsx(x));
    }
    if let Some(d) = a.csv {
        targets.push(ExportTarget::CsvDir(d));
    }
    for t in targets {
        let files = s
            .export_month(m, &t, &opts)
            .with_context(|| format!("cannot export {m}"))?;
        for f in files {
            outln!("Wrote {}", f.display());
        }
    }
    Ok(())
}

pub fn import_data(s: &mut Session, c: DataImportCmd) -> Result<()> {
    let (kind, a) = match c {
        DataImportCmd::Employees(a) => (ImportKind::Employees, a),
        DataImportCmd::Requests(a) => (ImportKind::Requests, a),
        DataImportCmd::Calendar(a) => (ImportKind::Calendar, a),
    };
    let out = s
        .import_file(kind, &a.file, a.dry_run, a.skip_invalid)
        .with_context(|| format!("cannot import {}", a.file.display()))?;
    if !out.problems.is_empty() {
        outln!("severity,sheet,row,column,value,reason");
        for p in &out.problems {
            let sev = if p.severity == Severity::Error {
                "error"
            } else {
                "warning"
            };
            let cells = [
                sev,
                &p.sheet,
                &p.row.to_string(),
                &p.column,
                &p.value,
                &p.reason,
            ]
            .iter()
            .map(|c| {
                let c = kaoqin_domain::csv_safe::cell(c);
                if c.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(",");
            outln!("{cells}");
        }
    }
    if out.refused {
        return Err(anyhow!(
            "{} has {} invalid row(s); nothing was imported (fix them, or use --skip-invalid to import the {} valid row(s))",
            a.file.display(),
            out.rejected,
            out.valid
        ));
    }
    if out.dry_run {
        outln!(
            "Dry run: {} row(s) would be imported, {} rejected; nothing was written.",
            out.valid,
            out.rejected
        );
        return Ok(());
    }
    outln!(
        "Imported {} row(s) from {}.",
        out.imported,
        a.file.display()
    );
    if let Some(w) = out.error_workbook {
        outln!(
            "{} rejected row(s) written to {}",
            out.rejected,
            w.display()
        );
    }
    Ok(())
}

pub fn template(s: &Session, a: TemplateArgs) -> Result<()> {
    let kind = match a.kind {
        TemplateKind::Employees => ImportKind::Employees,
        TemplateKind::Requests => ImportKind::Requests,
        TemplateKind::Calendar => ImportKind::Calendar,
    };
    s.write_template(kind, &a.file, Locale::default())
        .with_context(|| format!("cannot write {}", a.file.display()))?;
    outln!("Wrote template {}", a.file.display());
    Ok(())
}
