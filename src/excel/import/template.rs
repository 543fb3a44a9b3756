//! `kaoqin template employees|requests|calendar FILE.xlsx`: a workbook to fill in, with the headers
//! the importer maps, one example row, drop-down lists (departments, leave types, kinds, day types)
//! and a notes sheet explaining each column.
//!
//! Must stay readable by our own importer (the data sheet comes first).

use std::path::Path;

use chrono::NaiveDate;
use rust_xlsxwriter::{DataValidation, ExcelDateTime, Format, Formula, Workbook};

use super::{ImportContext, ImportKind, fields_of, header_key};
use crate::ExcelError;
use crate::locale::{Locale, localize_zh, t};

const LAST_ROW: u32 = 10_000;

fn example(
    kind: ImportKind,
    field: &str,
    ctx: &ImportContext,
    locale: Locale,
) -> Option<Result<String, NaiveDate>> {
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).map(Err);
    let s = |x: &str| Some(Ok(x.to_string()));
    match (kind, field) {
        (ImportKind::Employees, "employee_no") => s("1001"),
        (ImportKind::Employees, "name") => s(if locale == Locale::En {
            "Zhang San"
        } else {
            "张三"
        }),
        (_, "department") => Some(Ok(ctx
            .departments
            .iter()
            .next()
            .cloned()
            .unwrap_or_else(|| "办公室".into()))),
        (_, "position") => s(if locale == Locale::En {
            "Clerk"
        } else {
            "科员"
        }),
        (_, "hired") => date(2026, 1, 5),
        (_, "card") => s("12345678"),
        (ImportKind::Requests, "employee_no") => Some(Ok(ctx
            .employees
            .iter()
            .next()
            .cloned()
            .unwrap_or_else(|| "1001".into()))),
        (ImportKind::Requests, "kind") => s(t(locale, "kind.leave")),
        (_, "leave_type") => ctx
            .leave_types
            .first()
            .map(|lt| Ok(localize_zh(locale, &lt.name_zh, &lt.name_en))),
        (_, "start") => s("2026-10-12"),
        (_, "end") => s("2026-10-13"),
        (_, "reason") => s(if locale == Locale::En {
            "family matter"
        } else {
            "家中有事"
        }),
        (ImportKind::Calendar, "date") => date(2026, 10, 1),
        (ImportKind::Calendar, "type") => s(t(locale, "day.public_holiday")),
        (ImportKind::Calendar, "name") => s(if locale == Locale::En {
            "National Day"
        } else {
            "国庆节"
        }),
        (ImportKind::Calendar, "statutory") => s(t(locale, "yes")),
        _ => None,
    }
}

fn note(kind: ImportKind, field: &str) -> &'static str {
    match (kind, field) {
        (_, "employee_no") if kind == ImportKind::Employees => {
            "必填。员工工号，与考勤机登记号一致，不可重复。Required; equals the terminal enrollment number; unique."
        }
        (_, "employee_no") => "必填。已存在员工的工号。Required; an existing employee number.",
        (_, "name") if kind == ImportKind::Calendar => "可选。节日名称。Optional holiday name.",
        (_, "name") if kind == ImportKind::Requests => {
            "可选，仅供核对。Optional, for checking only."
        }
        (_, "name") => "必填。姓名。Required.",
        (_, "department") => "必填。从下拉列表选择已有部门。Required; pick an existing department.",
        (_, "position") => "可选。Optional.",
        (_, "hired") | (_, "left") => "可选。日期，如 2026-10-01 或 2026年10月1日。Optional date.",
        (_, "card") => "可选。仅数字。Optional, digits only.",
        (_, "kind") => {
            "必填。请假/外出/出差/补签/加班 (leave, outing, trip, supplement, overtime)."
        }
        (_, "leave_type") => "请假时必填，从下拉列表选择。Required for leave.",
        (_, "start") => {
            "必填。日期（整天）或日期时间（如 2026-10-12 08:55）。补签填打卡时间。Date or date-time."
        }
        (_, "end") => "结束日期或时间，不早于开始。End, not before start (required for overtime).",
        (_, "reason") => {
            "事由。病假等私人原因不会公示。Reason; private reasons are never published."
        }
        (_, "place") => "外出地点或出差目的地。Place or destination.",
        (_, "punch") => "补签：签到或签退。Supplement: in or out.",
        (_, "evidence") => "补签证明人或材料。Evidence for a supplement.",
        (_, "date") => "必填。日期。Required date.",
        (_, "type") => "必填。工作日/休息日/法定节假日/其他假日/调休上班.",
        (_, "statutory") => {
            "法定节假日（300%加班）填 是。Yes for statutory holidays (300% overtime)."
        }
        _ => "",
    }
}

/// Write an import template for `kind`.
pub fn write_template(
    kind: ImportKind,
    path: &Path,
    ctx: &ImportContext,
    locale: Locale,
) -> Result<(), ExcelError> {
    let fields = fields_of(kind);
    let mut wb = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xF2F2F2))
        .set_border(rust_xlsxwriter::FormatBorder::Thin);
    let req_head = head
        .clone()
        .set_font_color(rust_xlsxwriter::Color::RGB(0xC00000));
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let text_fmt = Format::new().set_num_format("@");
    let data_name = match kind {
        ImportKind::Employees => {
            if locale == Locale::En {
                "Employees".to_string()
            } else {
                "员工".to_string()
            }
        }
        ImportKind::Requests => {
            if locale == Locale::En {
                "Requests".into()
            } else {
                "申请".into()
            }
        }
        ImportKind::Calendar => {
            if locale == Locale::En {
                "Calendar".into()
            } else {
                "日历".into()
            }
        }
    };
    let lists_name = t(locale, "sheet.lists").to_string();
    // Lists sheet columns: A departments, B leave types, C request kinds, D day types, E yes/no.
    let depts: Vec<String> = ctx.departments.iter().cloned().collect();
    let leaves: Vec<String> = ctx
        .leave_types
        .iter()
        .map(|lt| localize_zh(locale, &lt.name_zh, &lt.name_en))
        .collect();
    let kinds: Vec<String> = [
        "kind.leave",
        "kind.outing",
        "kind.trip",
        "kind.supplement",
        "kind.overtime",
    ]
    .iter()
    .map(|k| t(locale, k).to_string())
    .collect();
    let days: Vec<String> = [
        "day.workday",
        "day.rest_day",
        "day.public_holiday",
        "day.other_holiday",
        "day.makeup_workday",
    ]
    .iter()
    .map(|k| t(locale, k).to_string())
    .collect();
    let yes_no = vec![t(locale, "yes").to_string(), t(locale, "no").to_string()];
    let lists = [depts, leaves, kinds, days, yes_no];

    let ws = wb.add_worksheet();
    ws.set_name(&data_name)?;
    for (c, (field, required, _)) in fields.iter().enumerate() {
        let c16 = c as u16;
        let header = t(locale, header_key(kind, field));
        ws.write_string_with_format(0, c16, header, if *required { &req_head } else { &head })?;
        ws.set_column_width(c16, 16)?;
        match example(kind, field, ctx, locale) {
            Some(Ok(s)) => {
                ws.write_string_with_format(1, c16, &s, &text_fmt)?;
            }
            Some(Err(d)) => {
                use chrono::Datelike;
                let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                ws.write_datetime_with_format(1, c16, dt, &date_fmt)?;
            }
            None => {}
        }
        let list_col = match *field {
            "department" => Some(0),
            "leave_type" => Some(1),
            "kind" if kind == ImportKind::Requests => Some(2),
            "type" if kind == ImportKind::Calendar => Some(3),
            "statutory" => Some(4),
            _ => None,
        };
        if let Some(lc) = list_col {
            let n = lists.get(lc).map_or(0, Vec::len);
            if n > 0 {
                let letter = ["A", "B", "C", "D", "E"].get(lc).copied().unwrap_or("A");
                let dv = DataValidation::new()
                    .allow_list_formula(Formula::new(format!(
                        "='{lists_name}'!${letter}$1:${letter}${n}"
                    )))
                    .set_error_message(note(kind, field))?;
                ws.add_data_validation(1, c16, LAST_ROW, c16, &dv)?;
            }
        }
        if matches!(*field, "hired" | "left" | "date") {
            ws.set_column_format(c16, &date_fmt)?;
        }
        if matches!(*field, "employee_no" | "card") {
            ws.set_column_format(c16, &text_fmt)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;

    let notes = wb.add_worksheet();
    notes.set_name(t(locale, "sheet.notes"))?;
    notes.write_string_with_format(0, 0, t(locale, "col.item"), &head)?;
    notes.write_string_with_format(0, 1, t(locale, "col.detail"), &head)?;
    notes.set_column_width(0, 16)?;
    notes.set_column_width(1, 90)?;
    for (i, (field, _, _)) in fields.iter().enumerate() {
        notes.write_string(i as u32 + 1, 0, t(locale, header_key(kind, field)))?;
        notes.write_string(i as u32 + 1, 1, note(kind, field))?;
    }
    let after = fields.len() as u32 + 2;
    notes.write_string(after, 1, "第2行为示例，导入前请替换或删除。列的顺序可以调整；中文或英文列名均可。Row 2 is an example: replace or delete it. Column order is free; Chinese or English headers.")?;

    let ls = wb.add_worksheet();
    ls.set_name(&lists_name)?;
    for (c, list) in lists.iter().enumerate() {
        for (r, v) in list.iter().enumerate() {
            ls.write_string(r as u32, c as u16, v)?;
        }
    }
    ls.set_hidden(true);
    wb.save(path).map_err(|e| ExcelError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}
