//! Lays the month's tables out as a printable .xlsx workbook with rust_xlsxwriter: the 月度考勤表
//! (title, day grid with weekdays, coloured exceptions, summary columns, legend, signature lines,
//! print set-up) and one plain sheet per other table.
//!
//! Writes cells only from `tables`; must not compute attendance figures itself.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use chrono::{Datelike, NaiveDate, Timelike};
use kaoqin_domain::report::MonthSheet;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};

use super::tables::{self, CellClass, MonthReport, Table, Value};
use crate::ExcelError;
use crate::locale::{Locale, t, weekday_label};

/// Paper for printing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    #[default]
    A4,
    A3,
}

impl Paper {
    /// The Excel paper code (A4 = 9, A3 = 8).
    pub fn code(self) -> u8 {
        match self {
            Paper::A4 => 9,
            Paper::A3 => 8,
        }
    }
}

/// How a month is exported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportOptions {
    pub locale: Locale,
    /// Only this department (`--department D`).
    pub department: Option<String>,
    /// One month sheet per department (`--per-department-sheets`).
    pub per_department_sheets: bool,
    pub paper: Paper,
    /// Printed after 制表人 / 审核人 (may be empty: a line to sign on).
    pub prepared_by: String,
    pub checked_by: String,
}

/// Rows of the month sheet layout (0-based), shared with the tests and the benchmark.
pub mod layout {
    pub const TITLE_ROW: u32 = 0;
    pub const SUBTITLE_ROW: u32 = 1;
    pub const HEAD_ROW: u32 = 2;
    pub const WEEKDAY_ROW: u32 = 3;
    pub const FIRST_DATA_ROW: u32 = 4;
    /// Columns 序号, 工号, 姓名, 部门 before the days.
    pub const ID_COLS: u16 = 4;
}

const RED_FILL: u32 = 0xFFC7CE;
const RED_FONT: u32 = 0x9C0006;
const LEAVE_FILL: u32 = 0xFFF2CC;
const OFFICIAL_FILL: u32 = 0xDDEBF7;
const OFF_FILL: u32 = 0xE7E6E6;

fn base() -> Format {
    Format::new()
        .set_font_name("SimSun")
        .set_font_size(9)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
}

/// The formats of one workbook, built once (rust_xlsxwriter de-duplicates them by value).
struct Formats {
    title: Format,
    subtitle: Format,
    head: Format,
    head_off: Format,
    text: Format,
    int: Format,
    num: Format,
    pct: Format,
    date: Format,
    time: Format,
    total_text: Format,
    total_int: Format,
    total_num: Format,
    total_pct: Format,
    classes: HashMap<CellClass, Format>,
    legend: Format,
    footer: Format,
}

impl Formats {
    fn new() -> Self {
        let cls = |fill: Option<u32>, font: Option<u32>| {
            let mut f = base();
            if let Some(c) = fill {
                f = f.set_background_color(Color::RGB(c));
            }
            if let Some(c) = font {
                f = f.set_font_color(Color::RGB(c));
            }
            f.set_shrink()
        };
        let classes = [
            (CellClass::Normal, cls(None, None)),
            (CellClass::Empty, cls(None, None)),
            (CellClass::Exception, cls(Some(RED_FILL), Some(RED_FONT))),
            (CellClass::Leave, cls(Some(LEAVE_FILL), None)),
            (CellClass::Official, cls(Some(OFFICIAL_FILL), None)),
            (CellClass::Off, cls(Some(OFF_FILL), None)),
            (CellClass::NotEmployed, cls(None, Some(0x808080))),
        ]
        .into_iter()
        .collect();
        Formats {
            classes,
            title: Format::new()
                .set_font_name("SimHei")
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            subtitle: Format::new().set_font_size(10).set_align(FormatAlign::Left),
            head: base()
                .set_bold()
                .set_text_wrap()
                .set_background_color(Color::RGB(0xF2F2F2)),
            head_off: base()
                .set_bold()
                .set_text_wrap()
                .set_background_color(Color::RGB(OFF_FILL)),
            text: base(),
            int: base().set_num_format("0"),
            num: base().set_num_format("0.##"),
            pct: base().set_num_format("0.0%"),
            date: base().set_num_format("yyyy-mm-dd"),
            time: base().set_num_format("hh:mm:ss"),
            total_text: base().set_bold(),
            total_int: base().set_bold().set_num_format("0"),
            total_num: base().set_bold().set_num_format("0.##"),
            total_pct: base().set_bold().set_num_format("0.0%"),
            legend: Format::new()
                .set_font_size(9)
                .set_text_wrap()
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::Top),
            footer: Format::new().set_font_size(10).set_align(FormatAlign::Left),
        }
    }
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, ExcelError> {
    let y = u16::try_from(d.year())
        .map_err(|_| ExcelError::Invalid(format!("date out of range: {d}")))?;
    Ok(ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8)?)
}

fn write_value(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: &Value,
    f: &Formats,
    total: bool,
) -> Result<(), ExcelError> {
    match v {
        Value::Empty => {
            ws.write_blank(row, col, if total { &f.total_text } else { &f.text })?;
        }
        Value::Text(s) => {
            ws.write_string_with_format(row, col, s, if total { &f.total_text } else { &f.text })?;
        }
        Value::Int(i) => {
            ws.write_number_with_format(
                row,
                col,
                *i as f64,
                if total { &f.total_int } else { &f.int },
            )?;
        }
        Value::Num(x) => {
            ws.write_number_with_format(
                row,
                col,
                (*x * 100.0).round() / 100.0,
                if total { &f.total_num } else { &f.num },
            )?;
        }
        Value::Percent(x) => {
            ws.write_number_with_format(row, col, *x, if total { &f.total_pct } else { &f.pct })?;
        }
        Value::Date(d) => {
            ws.write_datetime_with_format(row, col, excel_date(*d)?, &f.date)?;
        }
        Value::DateTime(d) => {
            // A time-of-day cell: the date sits in its own column.
            let tm = ExcelDateTime::from_hms(d.hour() as u16, d.minute() as u8, d.second() as f64)?;
            ws.write_datetime_with_format(row, col, tm, &f.time)?;
        }
    }
    Ok(())
}

fn print_setup(
    ws: &mut Worksheet,
    paper: Paper,
    repeat_last_row: u32,
    locale: Locale,
) -> Result<(), ExcelError> {
    ws.set_landscape();
    ws.set_paper_size(paper.code());
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, repeat_last_row)?;
    ws.set_margins(0.3, 0.3, 0.5, 0.5, 0.2, 0.2);
    ws.set_print_center_horizontally(true);
    ws.set_footer(t(locale, "page_footer"));
    Ok(())
}

/// Sheet names must be unique, ≤ 31 characters, without []:*?/\.
fn sheet_name(wanted: &str, used: &mut BTreeSet<String>) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    let clean = if clean.trim().is_empty() {
        "Sheet".to_string()
    } else {
        clean
    };
    let mut name = clean.clone();
    let mut n = 2;
    while used.contains(&name.to_lowercase()) {
        let suffix = format!("({n})");
        let keep = 31usize.saturating_sub(suffix.chars().count());
        name = format!("{}{suffix}", clean.chars().take(keep).collect::<String>());
        n += 1;
    }
    used.insert(name.to_lowercase());
    name
}

/// A plain table sheet: merged title, header row, rows, totals in bold; printed landscape, one page wide.
fn write_table(
    wb: &mut Workbook,
    table: &Table,
    name: &str,
    f: &Formats,
    opts: &ExportOptions,
) -> Result<(), ExcelError> {
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    let ncols = table.headers.len().max(1) as u16;
    ws.merge_range(0, 0, 0, ncols - 1, &table.title, &f.title)?;
    ws.set_row_height(0, 26)?;
    for (c, h) in table.headers.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, h, &f.head)?;
        let width = table
            .rows
            .iter()
            .take(200)
            .filter_map(|r| r.get(c))
            .map(|v| display_width(&v.csv_text()))
            .chain(std::iter::once(display_width(h)))
            .max()
            .unwrap_or(6)
            .clamp(5, 40);
        ws.set_column_width(c as u16, width as f64 + 1.5)?;
    }
    let totals: BTreeSet<usize> = table.total_rows.iter().copied().collect();
    for (r, row) in table.rows.iter().enumerate() {
        let rr = 2 + r as u32;
        for (c, v) in row.iter().enumerate() {
            write_value(ws, rr, c as u16, v, f, totals.contains(&r))?;
        }
    }
    ws.set_freeze_panes(2, 0)?;
    print_setup(ws, opts.paper, 1, opts.locale)?;
    Ok(())
}

/// Approximate printed width: CJK characters count twice.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) > 0x2E80 { 2 } else { 1 })
        .sum()
}

/// The 月度考勤表 of one scope (all, or one department).
fn write_month_sheet(
    wb: &mut Workbook,
    r: &MonthReport<'_>,
    sheet: &MonthSheet,
    name: &str,
    department: Option<&str>,
    f: &Formats,
    opts: &ExportOptions,
) -> Result<(), ExcelError> {
    use layout::*;
    let locale = opts.locale;
    let cols = tables::month_sheet_columns(sheet, r.leave_types);
    let ndays = sheet.days.len() as u16;
    let first_sum = ID_COLS + ndays;
    let sign_col = first_sum + cols.len() as u16;
    let last_col = sign_col;
    let ws = wb.add_worksheet();
    ws.set_name(name)?;

    ws.merge_range(
        TITLE_ROW,
        0,
        TITLE_ROW,
        last_col,
        &tables::month_title(r, locale, department),
        &f.title,
    )?;
    ws.set_row_height(TITLE_ROW, 28)?;
    let (first, last) = (
        sheet.days.first().map(|d| d.date),
        sheet.days.last().map(|d| d.date),
    );
    let period = match (first, last) {
        (Some(a), Some(b)) => format!("{}：{a} — {b}", t(locale, "period")),
        _ => String::new(),
    };
    let dept = department.map_or_else(|| t(locale, "all_departments").to_string(), str::to_string);
    let subtitle = format!("{}：{dept}    {period}", t(locale, "col.department"));
    ws.merge_range(
        SUBTITLE_ROW,
        0,
        SUBTITLE_ROW,
        last_col,
        &subtitle,
        &f.subtitle,
    )?;

    // Header: ids and summary heads span the day-number and weekday rows.
    for (c, key) in ["col.seq", "col.employee_no", "col.name", "col.department"]
        .iter()
        .enumerate()
    {
        ws.merge_range(
            HEAD_ROW,
            c as u16,
            WEEKDAY_ROW,
            c as u16,
            t(locale, key),
            &f.head,
        )?;
    }
    for (i, d) in sheet.days.iter().enumerate() {
        let c = ID_COLS + i as u16;
        let hf = if d.kind.is_working() {
            &f.head
        } else {
            &f.head_off
        };
        ws.write_number_with_format(HEAD_ROW, c, f64::from(d.day_of_month), hf)?;
        ws.write_string_with_format(WEEKDAY_ROW, c, weekday_label(locale, d.date.weekday()), hf)?;
    }
    for (i, c) in cols.iter().enumerate() {
        ws.merge_range(
            HEAD_ROW,
            first_sum + i as u16,
            WEEKDAY_ROW,
            first_sum + i as u16,
            &c.head(locale, r.leave_types),
            &f.head,
        )?;
    }
    ws.merge_range(
        HEAD_ROW,
        sign_col,
        WEEKDAY_ROW,
        sign_col,
        t(locale, "signature"),
        &f.head,
    )?;
    ws.set_row_height(HEAD_ROW, 52)?;
    ws.set_row_height(WEEKDAY_ROW, 14)?;

    // Widths (character units): narrow day and number columns keep 31 days + summary on one page width.
    ws.set_column_width(0, 4)?;
    ws.set_column_width(1, 8)?;
    ws.set_column_width(2, 7)?;
    ws.set_column_width(3, 8)?;
    ws.set_column_range_width(ID_COLS, first_sum.saturating_sub(1).max(ID_COLS), 3.6)?;
    if !cols.is_empty() {
        ws.set_column_range_width(first_sum, sign_col - 1, 4.6)?;
    }
    ws.set_column_width(sign_col, 8)?;

    let mut row = FIRST_DATA_ROW;
    for sr in &sheet.rows {
        ws.write_number_with_format(row, 0, f64::from(sr.seq), &f.int)?;
        ws.write_string_with_format(row, 1, &sr.employee_no, &f.text)?;
        ws.write_string_with_format(row, 2, &sr.name, &f.text)?;
        ws.write_string_with_format(row, 3, &sr.department, &f.text)?;
        for (i, (cell, day)) in sr.cells.iter().zip(&sheet.days).enumerate() {
            let class = tables::classify(cell, day.kind, r.symbols);
            let fmt = f.classes.get(&class).unwrap_or(&f.text);
            let c = ID_COLS + i as u16;
            match cell.text() {
                s if s.is_empty() => ws.write_blank(row, c, fmt)?,
                s => ws.write_string_with_format(row, c, &s, fmt)?,
            };
        }
        for (i, col) in cols.iter().enumerate() {
            write_value(
                ws,
                row,
                first_sum + i as u16,
                &col.value(&sr.totals),
                f,
                false,
            )?;
        }
        ws.write_blank(row, sign_col, &f.text)?;
        row += 1;
    }
    // Grand total of the scope.
    ws.merge_range(
        row,
        0,
        row,
        first_sum - 1,
        &format!(
            "{}（{} {}）",
            t(locale, "total"),
            t(locale, "employees_count"),
            sheet.rows.len()
        ),
        &f.total_text,
    )?;
    for (i, col) in cols.iter().enumerate() {
        write_value(
            ws,
            row,
            first_sum + i as u16,
            &col.value(&sheet.total),
            f,
            true,
        )?;
    }
    ws.write_blank(row, sign_col, &f.total_text)?;
    row += 2;

    // Legend: one wrapped line across the sheet.
    let legend_text = tables::legend(r.symbols, r.leave_types, locale)
        .iter()
        .map(|(s, m)| format!("{s} {m}"))
        .collect::<Vec<_>>()
        .join("　");
    ws.merge_range(
        row,
        0,
        row,
        last_col,
        &format!("{}：{legend_text}", t(locale, "legend")),
        &f.legend,
    )?;
    ws.set_row_height(row, 30)?;
    row += 2;
    // Signature lines.
    let third = (last_col + 1) / 3;
    let line = |label: &str, who: &str| {
        format!(
            "{label}{}",
            if who.is_empty() {
                "________________".to_string()
            } else {
                who.to_string()
            }
        )
    };
    ws.merge_range(
        row,
        0,
        row,
        third.saturating_sub(1),
        &line(t(locale, "prepared_by"), &opts.prepared_by),
        &f.footer,
    )?;
    ws.merge_range(
        row,
        third,
        row,
        2 * third - 1,
        &line(t(locale, "checked_by"), &opts.checked_by),
        &f.footer,
    )?;
    ws.merge_range(
        row,
        2 * third,
        row,
        last_col,
        &line(t(locale, "date_line"), ""),
        &f.footer,
    )?;

    ws.set_freeze_panes(FIRST_DATA_ROW, ID_COLS)?;
    print_setup(ws, opts.paper, WEEKDAY_ROW, locale)?;
    Ok(())
}

/// The departments of a month, in sheet order.
fn departments(r: &MonthReport<'_>) -> Vec<String> {
    r.result
        .departments
        .iter()
        .map(|d| d.department.clone())
        .collect()
}

/// Build the whole month workbook in memory (month sheet(s), summary, exceptions, publication,
/// daily detail, overtime detail).
pub fn month_workbook(r: &MonthReport<'_>, opts: &ExportOptions) -> Result<Workbook, ExcelError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    let mut used = BTreeSet::new();
    let dept = opts.department.as_deref();
    if opts.per_department_sheets && dept.is_none() {
        for d in departments(r) {
            let sheet = tables::build_sheet(r, Some(&d));
            let name = sheet_name(&format!("{}-{d}", t(opts.locale, "sheet.month")), &mut used);
            write_month_sheet(&mut wb, r, &sheet, &name, Some(&d), &f, opts)?;
        }
    } else {
        let sheet = tables::build_sheet(r, dept);
        let name = sheet_name(t(opts.locale, "sheet.month"), &mut used);
        write_month_sheet(&mut wb, r, &sheet, &name, dept, &f, opts)?;
    }
    for table in [
        tables::summary_table(r, opts.locale, dept),
        tables::exceptions_table(r, opts.locale, dept),
        tables::publication_table(r, opts.locale, dept),
        tables::daily_table(r, opts.locale, dept),
        tables::overtime_table(r, opts.locale, dept),
    ] {
        let name = sheet_name(&table.sheet_name, &mut used);
        write_table(&mut wb, &table, &name, &f, opts)?;
    }
    Ok(wb)
}

/// Only the 月度考勤表 sheet(s), without the other tables (the benchmark's unit of work, and for callers
/// that print the sheet alone).
pub fn month_sheet_workbook(
    r: &MonthReport<'_>,
    opts: &ExportOptions,
) -> Result<Workbook, ExcelError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    let mut used = BTreeSet::new();
    let dept = opts.department.as_deref();
    let sheet = tables::build_sheet(r, dept);
    let name = sheet_name(t(opts.locale, "sheet.month"), &mut used);
    write_month_sheet(&mut wb, r, &sheet, &name, dept, &f, opts)?;
    Ok(wb)
}

/// Write the month workbook to `path` (`kaoqin report month YYYY-MM --xlsx FILE`).
pub fn export_month_xlsx(
    path: &Path,
    r: &MonthReport<'_>,
    opts: &ExportOptions,
) -> Result<(), ExcelError> {
    let mut wb = month_workbook(r, opts)?;
    wb.save(path).map_err(|e| ExcelError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// Custom document property of an exported workbook holding the Kaoqin database's audit head at
/// the time of the export ("entry N of TIME: HASH"): an anchor kept outside the database.
pub const AUDIT_HEAD_PROPERTY: &str = "kaoqin.audit_head";

/// Sets the workbook's document properties: the audit head as the custom property
/// [`AUDIT_HEAD_PROPERTY`] and in the comment. Without a head the defaults stay.
pub fn set_workbook_properties(wb: &mut Workbook, audit_head: Option<&str>) {
    if let Some(h) = audit_head {
        let p = DocProperties::new()
            .set_comment(format!("Kaoqin audit head: {h}"))
            .set_custom_property(AUDIT_HEAD_PROPERTY, h);
        wb.set_properties(&p);
    }
}

/// [`export_month_xlsx`] with the database's audit head in the workbook's properties
/// ([`set_workbook_properties`]).
pub fn export_month_xlsx_anchored(
    path: &Path,
    r: &MonthReport<'_>,
    opts: &ExportOptions,
    audit_head: Option<&str>,
) -> Result<(), ExcelError> {
    let mut wb = month_workbook(r, opts)?;
    set_workbook_properties(&mut wb, audit_head);
    wb.save(path).map_err(|e| ExcelError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// Write one plain table as its own workbook (used for the rejected rows of an import).
pub(crate) fn table_workbook(table: &Table, locale: Locale) -> Result<Workbook, ExcelError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    let opts = ExportOptions {
        locale,
        ..ExportOptions::default()
    };
    write_table(
        &mut wb,
        table,
        &sheet_name(&table.sheet_name, &mut BTreeSet::new()),
        &f,
        &opts,
    )?;
    Ok(wb)
}
