//! 加班明细, the overtime detail: every employee-day with overtime, its pay class (workday 150 %,
//! rest day 200 %, statutory holiday 300 %) and a day type and statutory column that agree with it.
//!
//! Rows only; must not write files (that is `xlsx` and `csv_out`).

use std::collections::BTreeMap;

use kaoqin_domain::{DayKind, Employee, OvertimeKind};

use super::tables::{MonthReport, Table, Value, day_kind_text, in_department, text, title_line};
use crate::locale::{Locale, t};

/// The day type as the overtime detail prints it: a day of a holiday block that is not statutory is
/// a shifted rest day (200 %), so the row never says 法定节假日 beside a "no" in the statutory column.
fn overtime_day_text(locale: Locale, day: &kaoqin_domain::DayInfo) -> String {
    match day.kind {
        DayKind::PublicHoliday | DayKind::OtherHoliday if !day.statutory => {
            t(locale, "day.shifted_rest").to_string()
        }
        DayKind::PublicHoliday | DayKind::OtherHoliday => {
            t(locale, "day.public_holiday").to_string()
        }
        k => day_kind_text(locale, k),
    }
}

/// 加班明细: every employee-day with overtime, with its pay category.
pub fn overtime_table(r: &MonthReport<'_>, locale: Locale, department: Option<&str>) -> Table {
    let headers = [
        "col.seq",
        "col.employee_no",
        "col.name",
        "col.department",
        "col.date",
        "col.day_type",
        "col.ot_kind",
        "col.minutes",
        "col.ot_statutory",
    ]
    .iter()
    .map(|k| t(locale, k).to_string())
    .collect();
    let by_no: BTreeMap<&str, &Employee> = r.employees.iter().map(|e| (e.no.as_str(), e)).collect();
    let mut rows = Vec::new();
    for d in r.result.days.iter().filter(|d| d.overtime_minutes > 0) {
        let (name, dept) = by_no
            .get(d.employee_no.as_str())
            .map_or((String::new(), String::new()), |e| {
                (e.name.clone(), e.department.clone())
            });
        if !in_department(&dept, department) {
            continue;
        }
        let kind = match d.overtime_kind {
            OvertimeKind::Workday => "ot.workday",
            OvertimeKind::RestDay => "ot.rest_day",
            OvertimeKind::Holiday => "ot.holiday",
        };
        rows.push(vec![
            Value::Int(rows.len() as i64 + 1),
            text(&d.employee_no),
            text(name),
            text(dept),
            Value::Date(d.date),
            text(overtime_day_text(locale, &d.day)),
            text(t(locale, kind)),
            Value::Int(i64::from(d.overtime_minutes)),
            // By the pay class, so the two columns cannot disagree.
            text(t(
                locale,
                if d.overtime_kind == OvertimeKind::Holiday {
                    "yes"
                } else {
                    "no"
                },
            )),
        ]);
    }
    Table {
        key: "overtime",
        sheet_name: t(locale, "sheet.overtime").to_string(),
        title: title_line(r, locale, "title.overtime", department),
        headers,
        rows,
        total_rows: Vec::new(),
    }
}
