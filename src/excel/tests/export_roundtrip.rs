//! Round trip: export a month built by the domain, read it back with calamine, and compare every
//! employee row, day symbol and summary number with the report model.

mod common;

use calamine::{Data, Reader, open_workbook_auto};
use kaoqin_domain::report::{self, summary_cells, summary_heads};
use kaoqin_excel::export::xlsx::layout::*;
use kaoqin_excel::{ExportOptions, Locale, export_month_csv, export_month_xlsx};

fn text(d: Option<&Data>) -> String {
    match d {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(x)) => format!("{x}"),
        Some(Data::Int(i)) => i.to_string(),
        Some(other) => format!("{other:?}"),
    }
}

fn number(d: Option<&Data>) -> f64 {
    match d {
        Some(Data::Float(x)) => *x,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("expected a number cell, found {other:?}"),
    }
}

/// The domain's summary text for a number we wrote (same rounding as `summary_cells`).
fn as_summary_text(head: &str, x: f64) -> String {
    if head == "出勤率" {
        format!("{:.1}%", x * 100.0)
    } else {
        let r = (x * 100.0).round() / 100.0;
        if (r - r.round()).abs() < 1e-9 {
            format!("{}", r.round() as i64)
        } else {
            format!("{r}")
        }
    }
}

#[test]
fn month_sheet_round_trips_every_row_symbol_and_number() {
    let w = common::october(40);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("month.xlsx");
    let opts = ExportOptions::default();
    export_month_xlsx(&path, &w.report("某某市某某局"), &opts).unwrap();

    let model = report::month_sheet(&w.result, &w.employees, &w.symbols, &w.types, None);
    let heads = summary_heads(&w.types);
    let mut wb = open_workbook_auto(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec![
            "月度考勤表",
            "考勤汇总表",
            "异常报表",
            "公示",
            "日报",
            "加班明细"
        ]
    );
    let range = wb.worksheet_range("月度考勤表").unwrap();
    let cell = |r: u32, c: u16| range.get_value((r, u32::from(c)));
    assert_eq!(
        text(cell(TITLE_ROW, 0)),
        "某某市某某局 全部部门 2026年10月 考勤表"
    );
    // Day heads: number and weekday beneath.
    for (i, day) in model.days.iter().enumerate() {
        let c = ID_COLS + i as u16;
        assert_eq!(number(cell(HEAD_ROW, c)), f64::from(day.day_of_month));
        assert_eq!(text(cell(WEEKDAY_ROW, c)), day.weekday_zh);
    }
    let first_sum = ID_COLS + model.days.len() as u16;
    // Summary columns on the sheet, located by their heads.
    let mut sum_cols = Vec::new();
    let mut c = first_sum;
    while let Some(h) = Some(text(cell(HEAD_ROW, c))).filter(|h| !h.is_empty() && h != "员工签字")
    {
        let k = heads
            .iter()
            .position(|x| *x == h)
            .unwrap_or_else(|| panic!("unknown head {h}"));
        sum_cols.push((c, k));
        c += 1;
    }
    assert!(
        sum_cols.len() >= 15,
        "fixed summary columns present: {}",
        sum_cols.len()
    );
    assert_eq!(text(cell(HEAD_ROW, c)), "员工签字");
    let mut symbols_checked = 0;
    for (i, row) in model.rows.iter().enumerate() {
        let r = FIRST_DATA_ROW + i as u32;
        assert_eq!(number(cell(r, 0)), f64::from(row.seq));
        assert_eq!(text(cell(r, 1)), row.employee_no);
        assert_eq!(text(cell(r, 2)), row.name);
        assert_eq!(text(cell(r, 3)), row.department);
        for (d, want) in row.cells.iter().enumerate() {
            assert_eq!(
                text(cell(r, ID_COLS + d as u16)),
                want.text(),
                "{} day {}",
                row.employee_no,
                d + 1
            );
            symbols_checked += 1;
        }
        let want = summary_cells(&row.totals, &w.types);
        for &(c, k) in &sum_cols {
            assert_eq!(
                as_summary_text(&heads[k], number(cell(r, c))),
                want[k],
                "{} {}",
                row.employee_no,
                heads[k]
            );
        }
    }
    assert_eq!(symbols_checked, 40 * 31);
    // The total row follows the employees and equals the model's total.
    let total_row = FIRST_DATA_ROW + model.rows.len() as u32;
    assert!(text(cell(total_row, 0)).starts_with("合计"));
    let want = summary_cells(&model.total, &w.types);
    for &(c, k) in &sum_cols {
        assert_eq!(
            as_summary_text(&heads[k], number(cell(total_row, c))),
            want[k],
            "total {}",
            heads[k]
        );
    }
    // The data has every kind of symbol we colour.
    let all: String = model
        .rows
        .iter()
        .flat_map(|r| r.cells.iter().map(|c| c.text()))
        .collect();
    for s in [
        "√", "迟", "退", "旷", "缺", "年", "病", "外", "差", "补", "休", "节", "加", "—",
    ] {
        assert!(all.contains(s), "test month lacks symbol {s}");
    }
}

#[test]
fn summary_sheet_has_department_subtotals_equal_to_the_model() {
    let w = common::october(30);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.xlsx");
    export_month_xlsx(&path, &w.report("单位"), &ExportOptions::default()).unwrap();
    let mut wb = open_workbook_auto(&path).unwrap();
    let range = wb.worksheet_range("考勤汇总表").unwrap();
    let heads = summary_heads(&w.types);
    let rows: Vec<&[Data]> = range.rows().collect();
    let header: Vec<String> = rows[1].iter().map(|d| text(Some(d))).collect();
    assert_eq!(&header[..4], ["序号", "工号", "姓名", "部门"]);
    assert_eq!(&header[4..], heads.as_slice());
    let mut subtotals = 0;
    for dept in &w.result.departments {
        let row = rows
            .iter()
            .find(|r| text(r.get(1)) == "小计" && text(r.get(3)) == dept.department)
            .unwrap_or_else(|| panic!("no subtotal for {}", dept.department));
        let want = summary_cells(&dept.totals, &w.types);
        for (k, h) in heads.iter().enumerate() {
            assert_eq!(
                as_summary_text(h, number(row.get(4 + k))),
                want[k],
                "{} {h}",
                dept.department
            );
        }
        assert_eq!(text(row.get(2)), format!("人数 {}", dept.employees));
        subtotals += 1;
    }
    assert_eq!(subtotals, 3);
    // Employee rows: 30, each followed in its department block by the subtotal.
    let employee_rows = rows
        .iter()
        .filter(|r| matches!(r.first(), Some(Data::Float(_))))
        .count();
    assert_eq!(employee_rows, 30);
    let total = rows.iter().find(|r| text(r.get(1)) == "合计").unwrap();
    assert_eq!(
        number(total.get(4)),
        f64::from(w.result.organisation.required_days)
    );
}

#[test]
fn dates_are_date_cells_and_numbers_are_numbers() {
    let w = common::october(12);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.xlsx");
    export_month_xlsx(&path, &w.report("单位"), &ExportOptions::default()).unwrap();
    let mut wb = open_workbook_auto(&path).unwrap();
    let ex = wb.worksheet_range("异常报表").unwrap();
    let model = report::exceptions(&w.result, &w.employees, &w.requests, &w.punches);
    assert_eq!(ex.height() - 2, model.len());
    for (i, e) in model.iter().enumerate() {
        let r = i as u32 + 2;
        match ex.get_value((r, 4)) {
            Some(Data::DateTime(dt)) => {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                assert_eq!(format!("{y}-{m:02}-{d:02}"), e.date.to_string());
            }
            other => panic!("date cell expected, got {other:?}"),
        }
        assert_eq!(number(ex.get_value((r, 7))), f64::from(e.minutes));
    }
    let daily = wb.worksheet_range("日报").unwrap();
    assert_eq!(daily.height() - 2, w.punch_rows.len());
    assert!(matches!(daily.get_value((2, 4)), Some(Data::DateTime(_))));
    assert!(matches!(daily.get_value((2, 5)), Some(Data::DateTime(_))));
    assert_eq!(text(daily.get_value((2, 7))), "人脸");
    assert_eq!(text(daily.get_value((2, 8))), "CKUJ2024");
    let ot = wb.worksheet_range("加班明细").unwrap();
    let want: u32 = w.result.days.iter().map(|d| d.overtime_minutes).sum();
    let got: f64 = (2..ot.height() as u32)
        .map(|r| number(ot.get_value((r, 7))))
        .sum();
    assert!(want > 0);
    assert_eq!(got, f64::from(want));
    // The pay class, the day type and the statutory column of every row agree.
    for r in 2..ot.height() as u32 {
        let (day_type, kind, statutory) = (
            text(ot.get_value((r, 5))),
            text(ot.get_value((r, 6))),
            text(ot.get_value((r, 8))),
        );
        let want = match kind.as_str() {
            "法定节假日加班 300%" => ("法定节假日", "是"),
            "休息日加班 200%" if day_type == "休息日" => ("休息日", "否"),
            "休息日加班 200%" => ("节假日（调休休息日）", "否"),
            "工作日加班 150%" if day_type == "工作日" => ("工作日", "否"),
            _ => ("调休上班", "否"),
        };
        assert_eq!(
            (day_type.as_str(), statutory.as_str()),
            want,
            "row {r}: {kind}"
        );
    }
}

#[test]
fn publication_sheet_never_shows_private_reasons() {
    let w = common::october(12);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.xlsx");
    export_month_xlsx(&path, &w.report("单位"), &ExportOptions::default()).unwrap();
    let mut wb = open_workbook_auto(&path).unwrap();
    let p = wb.worksheet_range("公示").unwrap();
    let all: Vec<String> = p
        .rows()
        .flat_map(|r| r.iter().map(|d| text(Some(d))))
        .collect();
    assert!(all.iter().any(|s| s == "病假"), "sick leave is listed");
    assert!(
        !all.iter().any(|s| s.contains("住院检查")),
        "its reason is not"
    );
    assert!(
        all.iter().any(|s| s.contains("送文件")),
        "official business keeps its reason"
    );
}

#[test]
fn per_department_sheets_and_one_department() {
    let w = common::october(9);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.xlsx");
    let opts = ExportOptions {
        per_department_sheets: true,
        ..ExportOptions::default()
    };
    export_month_xlsx(&path, &w.report("单位"), &opts).unwrap();
    let mut wb = open_workbook_auto(&path).unwrap();
    let names = wb.sheet_names();
    assert_eq!(
        &names[..3],
        [
            "月度考勤表-信息中心",
            "月度考勤表-办公室",
            "月度考勤表-财务处"
        ]
    );
    let r = wb.worksheet_range("月度考勤表-财务处").unwrap();
    assert_eq!(text(r.get_value((0, 0))), "单位 财务处 2026年10月 考勤表");
    let depts: Vec<String> = (FIRST_DATA_ROW..FIRST_DATA_ROW + 3)
        .map(|row| text(r.get_value((row, 3))))
        .collect();
    assert_eq!(depts, vec!["财务处"; 3]);

    let one = dir.path().join("one.xlsx");
    let opts = ExportOptions {
        department: Some("办公室".into()),
        ..ExportOptions::default()
    };
    export_month_xlsx(&one, &w.report("单位"), &opts).unwrap();
    let mut wb = open_workbook_auto(&one).unwrap();
    let r = wb.worksheet_range("考勤汇总表").unwrap();
    let others = r
        .rows()
        .filter(|row| ["财务处", "信息中心"].contains(&text(row.get(3)).as_str()))
        .count();
    assert_eq!(others, 0);
}

#[test]
fn english_and_traditional_headers() {
    let w = common::october(6);
    let dir = tempfile::tempdir().unwrap();
    for (locale, sheet, head, leave) in [
        (
            Locale::En,
            "Monthly attendance",
            "Employee no.",
            "annual leave (days)",
        ),
        (Locale::ZhTw, "月度考勤表", "工號", "年假(天)"),
    ] {
        let path = dir.path().join(format!("{}.xlsx", locale.code()));
        export_month_xlsx(
            &path,
            &w.report("Org"),
            &ExportOptions {
                locale,
                ..ExportOptions::default()
            },
        )
        .unwrap();
        let mut wb = open_workbook_auto(&path).unwrap();
        let r = wb.worksheet_range(sheet).unwrap();
        assert_eq!(text(r.get_value((HEAD_ROW, 1))), head);
        let names = wb.sheet_names();
        let summary = wb.worksheet_range(&names[1]).unwrap();
        let heads: Vec<String> = summary
            .rows()
            .nth(1)
            .unwrap()
            .iter()
            .map(|d| text(Some(d)))
            .collect();
        assert!(heads.iter().any(|h| h == leave), "{locale:?}: {heads:?}");
    }
}

#[test]
fn csv_dir_has_bom_headers_and_every_row() {
    let w = common::october(10);
    let dir = tempfile::tempdir().unwrap();
    let files = export_month_csv(dir.path(), &w.report("单位"), &ExportOptions::default()).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "month-sheet.csv",
            "summary.csv",
            "exceptions.csv",
            "publication.csv",
            "daily.csv",
            "overtime.csv"
        ]
    );
    let bytes = std::fs::read(dir.path().join("month-sheet.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr.headers().unwrap().clone();
    assert_eq!(
        &header.iter().take(5).collect::<Vec<_>>(),
        &["序号", "工号", "姓名", "部门", "1(四)"]
    );
    let model = report::month_sheet(&w.result, &w.employees, &w.symbols, &w.types, None);
    let recs: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(recs.len(), model.rows.len());
    for (rec, row) in recs.iter().zip(&model.rows) {
        assert_eq!(rec.get(1), Some(row.employee_no.as_str()));
        for (d, c) in row.cells.iter().enumerate() {
            assert_eq!(rec.get(4 + d), Some(c.text().as_str()));
        }
    }
    let daily = std::fs::read_to_string(dir.path().join("daily.csv")).unwrap();
    assert_eq!(daily.lines().count(), w.punch_rows.len() + 1);
    assert!(daily.contains(",2026-10-08,"), "ISO dates in CSV");
}
