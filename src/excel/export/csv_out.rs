//! `--csv DIR`: each table of the month as a UTF-8 CSV file with a byte-order mark.
//!
//! The BOM is deliberate: Excel on Chinese Windows opens BOM-less UTF-8 as GBK and garbles names;
//! with the BOM both Excel and LibreOffice read it as UTF-8 (our own importer strips it).
//! Dates are ISO (2026-10-01), numbers plain, the rate as "88.9%". Must not change any figure.
//! Text cells that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR first) get a
//! leading `'` (`kaoqin_domain::csv_safe`).

use std::path::{Path, PathBuf};

use super::tables::{self, MonthReport, Table};
use super::xlsx::ExportOptions;
use crate::ExcelError;

/// The CSV bytes of one table: BOM, header line, rows (no title line).
pub fn table_csv(table: &Table) -> Result<Vec<u8>, ExcelError> {
    let mut out = Vec::with_capacity(64 * (table.rows.len() + 1));
    out.extend_from_slice("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(&table.headers)
            .map_err(|e| ExcelError::Invalid(e.to_string()))?;
        for row in &table.rows {
            // Text cells are neutralised against formula injection; numbers stay numbers
            // (kaoqin_domain::csv_safe decides by the cell's type).
            w.write_record(row.iter().map(|v| match v {
                tables::Value::Text(t) => kaoqin_domain::csv_safe::text_cell(t).into_owned(),
                v => v.csv_text(),
            }))
            .map_err(|e| ExcelError::Invalid(e.to_string()))?;
        }
        w.flush().map_err(|e| ExcelError::Invalid(e.to_string()))?;
    }
    Ok(out)
}

/// Write month-sheet.csv, summary.csv, exceptions.csv, publication.csv, daily.csv and overtime.csv
/// into `dir` (created if missing). Returns the files written.
pub fn export_month_csv(
    dir: &Path,
    r: &MonthReport<'_>,
    opts: &ExportOptions,
) -> Result<Vec<PathBuf>, ExcelError> {
    std::fs::create_dir_all(dir).map_err(|e| ExcelError::Write {
        path: dir.display().to_string(),
        reason: e.to_string(),
    })?;
    let dept = opts.department.as_deref();
    let l = opts.locale;
    let mut written = Vec::new();
    for table in [
        tables::month_grid_table(r, l, dept),
        tables::summary_table(r, l, dept),
        tables::exceptions_table(r, l, dept),
        tables::publication_table(r, l, dept),
        tables::daily_table(r, l, dept),
        tables::overtime_table(r, l, dept),
    ] {
        let path = dir.join(format!("{}.csv", table.key));
        std::fs::write(&path, table_csv(&table)?).map_err(|e| ExcelError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        written.push(path);
    }
    Ok(written)
}
