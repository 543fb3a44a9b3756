//! Reads the first sheet of an .xlsx/.xls/.ods file (calamine) or a .csv file (UTF-8 with or without
//! BOM, else GBK) into a plain grid of typed cells with their spreadsheet row numbers.
//!
//! Must not interpret columns; `fields` and the validators do. Never panics on bad bytes.

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use chrono::{NaiveDate, NaiveDateTime};

use crate::ExcelError;

/// One cell as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A real date/time cell.
    Date(NaiveDateTime),
    Bool(bool),
}

impl Cell {
    /// The text a clerk would see (integers without ".0", dates ISO).
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", *x as i64),
            Cell::Number(x) => x.to_string(),
            Cell::Date(d) if d.time() == chrono::NaiveTime::MIN => d.date().to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d %H:%M:%S").to_string(),
            Cell::Bool(b) => b.to_string(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// The rows of one sheet: (1-based row number, cells from column A).
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub sheet: String,
    pub rows: Vec<(usize, Vec<Cell>)>,
}

/// An Excel serial day number (1900 system) as a date-time.
pub fn from_serial(serial: f64) -> Option<NaiveDateTime> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    let ms = (serial * 86_400_000.0).round() as i64;
    epoch.checked_add_signed(chrono::Duration::milliseconds(ms))
}

fn convert(d: &Data) -> Cell {
    match d {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(x) => Cell::Number(*x),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => {
            let (y, mo, da, h, mi, s, ms) = dt.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(da))
                .and_then(|date| {
                    date.and_hms_milli_opt(u32::from(h), u32::from(mi), u32::from(s), u32::from(ms))
                })
                .map_or(Cell::Number(dt.as_f64()), Cell::Date)
        }
        Data::DateTimeIso(s) => parse_iso(s).map_or_else(|| Cell::Text(s.clone()), Cell::Date),
        Data::DurationIso(s) => Cell::Text(s.clone()),
    }
}

fn parse_iso(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

/// Decode CSV bytes: UTF-8 (BOM stripped) when valid, otherwise GBK (the Chinese Excel default).
pub fn decode_text(bytes: &[u8]) -> (String, &'static str) {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(s) => (s.to_string(), "UTF-8"),
        Err(_) => {
            let (text, _) = encoding_rs::GBK.decode_without_bom_handling(body);
            (text.into_owned(), "GBK")
        }
    }
}

fn read_csv(path: &Path) -> Result<Grid, ExcelError> {
    let bytes = std::fs::read(path).map_err(|e| ExcelError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let (text, _) = decode_text(&bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| ExcelError::Read {
            path: path.display().to_string(),
            reason: format!("line {}: {e}", i + 1),
        })?;
        let cells = rec
            .iter()
            .map(|s| {
                if s.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(s.to_string())
                }
            })
            .collect();
        let line = rec.position().map_or(i + 1, |p| p.line() as usize);
        rows.push((line, cells));
    }
    let sheet = path
        .file_name()
        .map_or_else(|| "csv".to_string(), |n| n.to_string_lossy().into_owned());
    Ok(Grid { sheet, rows })
}

fn read_workbook(path: &Path) -> Result<Grid, ExcelError> {
    let err = |reason: String| ExcelError::Read {
        path: path.display().to_string(),
        reason,
    };
    let mut wb = open_workbook_auto(path).map_err(|e| err(e.to_string()))?;
    let sheet = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| err("the workbook has no sheets".into()))?;
    let range = wb.worksheet_range(&sheet).map_err(|e| err(e.to_string()))?;
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let mut cells = vec![Cell::Empty; c0 as usize];
            cells.extend(row.iter().map(convert));
            (r0 as usize + i + 1, cells)
        })
        .collect();
    Ok(Grid { sheet, rows })
}

/// Read a file by its extension.
pub fn read_grid(path: &Path) -> Result<Grid, ExcelError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" => read_csv(path),
        "xlsx" | "xlsm" | "xls" | "ods" | "xlsb" => read_workbook(path),
        _ => Err(ExcelError::UnsupportedType {
            path: path.display().to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_bom_utf8_and_gbk() {
        let (s, enc) = decode_text("\u{feff}工号,姓名".as_bytes());
        assert_eq!((s.as_str(), enc), ("工号,姓名", "UTF-8"));
        let (gbk, _, _) = encoding_rs::GBK.encode("工号,姓名");
        let (s, enc) = decode_text(&gbk);
        assert_eq!((s.as_str(), enc), ("工号,姓名", "GBK"));
        // Garbage never panics.
        let (_, enc) = decode_text(&[0xff, 0xfe, 0x00, 0x81]);
        assert_eq!(enc, "GBK");
    }

    #[test]
    fn serial_dates() {
        assert_eq!(
            from_serial(46296.0).map(|d| d.date().to_string()),
            Some("2026-10-01".into())
        );
        assert_eq!(from_serial(-3.0), None);
    }
}
