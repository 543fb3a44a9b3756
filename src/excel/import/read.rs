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

/// How large an import file may be, on disk and unpacked (an .xlsx is a zip of XML parts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// The file itself.
    pub max_file_bytes: u64,
    /// All parts of a zip-based workbook together, unpacked.
    pub max_unpacked_bytes: u64,
}

impl Default for ReadLimits {
    /// 20 MB on disk, 200 MB unpacked: a roster or a year of requests is far below both.
    fn default() -> Self {
        ReadLimits {
            max_file_bytes: 20 * 1024 * 1024,
            max_unpacked_bytes: 200 * 1024 * 1024,
        }
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

fn too_large(path: &Path, what: String) -> ExcelError {
    ExcelError::Read {
        path: path.display().to_string(),
        reason: format!(
            "{what}; nothing was read. Split the data into smaller files, or save the sheet again \
             from Excel and remove pictures and unused sheets"
        ),
    }
}

fn check_file_size(path: &Path, limits: &ReadLimits) -> Result<(), ExcelError> {
    let size = std::fs::metadata(path)
        .map_err(|e| ExcelError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?
        .len();
    if size > limits.max_file_bytes {
        return Err(too_large(
            path,
            format!(
                "the file is {}, more than the {} an import may be",
                mb(size),
                mb(limits.max_file_bytes)
            ),
        ));
    }
    Ok(())
}

/// For a zip-based workbook (.xlsx, .xlsm, .xlsb, .ods): refuses it when its parts unpack to
/// more than `limits.max_unpacked_bytes` — first by the sizes the zip declares, then by inflating
/// each part into nothing with a cap (a part may lie about its size), so memory stays bounded
/// whatever the file holds. Only then may the reader load it.
fn check_unpacked_size(path: &Path, limits: &ReadLimits) -> Result<(), ExcelError> {
    let read_err = |reason: String| ExcelError::Read {
        path: path.display().to_string(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|e| read_err(e.to_string()))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| read_err(format!("not a valid workbook ({e})")))?;
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| read_err(format!("not a valid workbook ({e})")))?;
        declared = declared.saturating_add(entry.size());
    }
    let too_big = |n: u64| {
        too_large(
            path,
            format!(
                "its parts unpack to {}{}, more than the {} an import may use",
                if n > limits.max_unpacked_bytes {
                    ""
                } else {
                    "over "
                },
                mb(n),
                mb(limits.max_unpacked_bytes)
            ),
        )
    };
    if declared > limits.max_unpacked_bytes {
        return Err(too_big(declared));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip
            .by_index(i)
            .map_err(|e| read_err(format!("not a valid workbook ({e})")))?;
        let budget = limits.max_unpacked_bytes - total;
        let n = std::io::copy(
            &mut std::io::Read::take(entry, budget.saturating_add(1)),
            &mut std::io::sink(),
        )
        .map_err(|e| read_err(format!("not a valid workbook ({e})")))?;
        total = total.saturating_add(n);
        if total > limits.max_unpacked_bytes {
            return Err(too_big(total));
        }
    }
    Ok(())
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

/// Read a file by its extension, within the default [`ReadLimits`].
pub fn read_grid(path: &Path) -> Result<Grid, ExcelError> {
    read_grid_within(path, &ReadLimits::default())
}

/// Read a file by its extension; a file over `limits` is refused before it is loaded.
pub fn read_grid_within(path: &Path, limits: &ReadLimits) -> Result<Grid, ExcelError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" => {
            check_file_size(path, limits)?;
            read_csv(path)
        }
        "xlsx" | "xlsm" | "ods" | "xlsb" => {
            check_file_size(path, limits)?;
            check_unpacked_size(path, limits)?;
            read_workbook(path)
        }
        "xls" => {
            check_file_size(path, limits)?;
            read_workbook(path)
        }
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
