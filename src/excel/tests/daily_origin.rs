//! The daily detail (日报) prints where each punch came from, in the workbook's language.

mod common;

use kaoqin_domain::PunchOrigin;
use kaoqin_excel::export::tables::daily_table;
use kaoqin_excel::{Locale, PunchRow, Value};

#[test]
fn daily_table_prints_each_punchs_origin() {
    let mut w = common::october(3);
    let origins: Vec<Option<PunchOrigin>> = w
        .punches
        .iter()
        .enumerate()
        .map(|(i, _)| match i % 4 {
            0 => Some(PunchOrigin::Download),
            1 => Some(PunchOrigin::UsbImport),
            2 => Some(PunchOrigin::CsvImport),
            _ => None,
        })
        .collect();
    w.punch_rows = PunchRow::from_punches_with_origins(&w.punches, &origins, &w.employees);
    let report = w.report("测试单位");
    for (locale, head, words) in [
        (
            Locale::ZhCn,
            "来源",
            ["联机下载", "U盘导入", "CSV导入", "未知"],
        ),
        (
            Locale::En,
            "Origin",
            ["download", "USB import", "CSV import", "unknown"],
        ),
    ] {
        let t = daily_table(&report, locale, None);
        assert_eq!(t.headers.last().map(String::as_str), Some(head));
        let col = t.headers.len() - 1;
        let printed: std::collections::BTreeSet<String> = t
            .rows
            .iter()
            .filter_map(|r| match r.get(col) {
                Some(Value::Text(s)) => Some(s.clone()),
                _ => None,
            })
            .collect();
        let want: std::collections::BTreeSet<String> =
            words.iter().map(|s| s.to_string()).collect();
        assert_eq!(printed, want, "{locale:?}");
        assert_eq!(t.rows.len(), w.punches.len());
    }
    // Each row keeps its own punch's origin through the sort by time.
    for (p, o) in w.punches.iter().zip(&origins) {
        let row = w
            .punch_rows
            .iter()
            .find(|r| r.ts == p.ts && r.employee_no == p.enrollment_no)
            .unwrap_or_else(|| panic!("row for {p:?}"));
        assert_eq!(&row.origin, o);
    }
}
