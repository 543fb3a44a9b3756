//! Reports service (Excel and CSV exports): the month's results (recomputed first if stale, see `month.rs`)
//! handed to `kaoqin-excel` as xlsx or a directory of CSV files. The layout is the excel crate's; this
//! module only loads, checks the permission and audits the export.

use std::path::{Path, PathBuf};

use kaoqin_excel::{ExportOptions, MonthReport, PunchRow};
use serde_json::json;

use super::error::{AppError, AppResult};
use super::month::{Month, load_inputs};
use super::permissions::Action;
use super::requests::leave_types;
use super::session::Session;

/// Where an export goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportTarget {
    Xlsx(PathBuf),
    CsvDir(PathBuf),
}

fn excel_err(path: &Path, e: kaoqin_excel::ExcelError) -> AppError {
    AppError::Invalid {
        field: "export",
        reason: format!("{}: {e}", path.display()),
    }
}

impl Session {
    /// Exports a month; returns the files written.
    pub fn export_month(
        &mut self,
        m: Month,
        target: &ExportTarget,
        opts: &ExportOptions,
    ) -> AppResult<Vec<PathBuf>> {
        self.require(Action::ExportReports, &m.key())?;
        if let Some(d) = &opts.department {
            kaoqin_store::departments::get_by_name(self.conn(), d)?;
        }
        let (result, _) = self.month_result(m)?;
        let inputs = load_inputs(self.conn(), m)?;
        let types = leave_types(self.conn())?;
        let symbols = super::report_symbols::report_symbols(self.conn())?;
        let org = kaoqin_store::org::get_name(self.conn())?.unwrap_or_default();
        let punches = PunchRow::from_punches_with_origins(
            &inputs.punches,
            &inputs.origins,
            &inputs.employees,
        );
        let report = MonthReport {
            organisation: &org,
            result: &result,
            employees: &inputs.employees,
            requests: &inputs.requests,
            symbols: &symbols,
            leave_types: &types,
            punches: &punches,
        };
        let files = match target {
            ExportTarget::Xlsx(p) => {
                // The audit head goes into the workbook's properties: an anchor outside the database.
                let head =
                    kaoqin_store::evidence::Anchor::of(self.conn(), self.now(), "report.export")?
                        .to_workbook_text();
                kaoqin_excel::export_month_xlsx_anchored(p, &report, opts, Some(&head))
                    .map_err(|e| excel_err(p, e))?;
                vec![p.clone()]
            }
            ExportTarget::CsvDir(d) => {
                std::fs::create_dir_all(d).map_err(|e| AppError::Invalid {
                    field: "csv directory",
                    reason: format!("{}: {e}", d.display()),
                })?;
                kaoqin_excel::export_month_csv(d, &report, opts).map_err(|e| excel_err(d, e))?
            }
        };
        // Recorded absolute, so `audit verify` finds the workbooks (anchors) from any directory.
        let names: Vec<String> = files
            .iter()
            .map(|f| {
                std::path::absolute(f)
                    .unwrap_or_else(|_| f.clone())
                    .display()
                    .to_string()
            })
            .collect();
        self.act(Action::ExportReports, "report.export", &m.key(), |_| {
            Ok((
                (),
                json!({ "files": names, "department": opts.department, "per_department_sheets": opts.per_department_sheets }),
            ))
        })?;
        Ok(files)
    }
}
