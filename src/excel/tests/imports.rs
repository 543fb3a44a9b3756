//! Imports: clean files in every format (.xlsx, .xls, .ods, UTF-8 and GBK .csv), Chinese headers in
//! another order, each kind of error with sheet/row/column/value/reason, the error workbook, templates,
//! and 10,000 employees.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use calamine::{Reader, open_workbook_auto};
use chrono::NaiveDate;
use kaoqin_domain::request::default_leave_types;
use kaoqin_domain::{DayKind, PunchKind, RequestKind, Span};
use kaoqin_excel::{
    ImportContext, ImportKind, Locale, Problem, Severity, read_calendar, read_employees,
    read_requests, write_error_workbook, write_template,
};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn ctx() -> ImportContext {
    ImportContext {
        departments: ["办公室", "财务处"].iter().map(|s| s.to_string()).collect(),
        allow_new_departments: false,
        employees: ["1001", "1002", "9001"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        leave_types: default_leave_types(),
    }
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Write a sheet of string cells (empty strings are left blank).
fn xlsx(dir: &Path, name: &str, rows: &[Vec<&str>]) -> PathBuf {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    let p = dir.join(name);
    wb.save(&p).unwrap();
    p
}

fn errors(p: &[Problem]) -> Vec<(usize, String, String, String)> {
    p.iter()
        .filter(|x| x.severity == Severity::Error)
        .map(|x| (x.row, x.column.clone(), x.value.clone(), x.reason.clone()))
        .collect()
}

#[test]
fn clean_employee_files_in_every_format_give_the_same_rows() {
    let c = ImportContext {
        employees: BTreeSet::new(),
        ..ctx()
    };
    let mut seen = Vec::new();
    for name in ["employees-clean.xls", "employees-clean.ods"] {
        let imp = read_employees(&data(name), &c).unwrap();
        assert!(!imp.has_errors(), "{name}: {:?}", imp.problems);
        let rows: Vec<(String, String, String, String, Option<NaiveDate>, String)> = imp
            .rows
            .iter()
            .map(|r| {
                (
                    r.no.clone(),
                    r.name.clone(),
                    r.department.clone(),
                    r.position.clone(),
                    r.hired,
                    r.card.clone(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                (
                    "1001".into(),
                    "张三".into(),
                    "办公室".into(),
                    "科员".into(),
                    Some(d("2020-03-01")),
                    "12345".into()
                ),
                (
                    "1002".into(),
                    "李四".into(),
                    "财务处".into(),
                    "会计".into(),
                    Some(d("2021-07-15")),
                    String::new()
                ),
                (
                    "1003".into(),
                    "王五".into(),
                    "办公室".into(),
                    String::new(),
                    Some(d("2022-01-05")),
                    "7788".into()
                ),
            ],
            "{name}"
        );
        // Chinese headers in another order, plus an unknown column reported as a warning.
        let w: Vec<&Problem> = imp.warnings().collect();
        assert_eq!(w.len(), 1, "{name}: {w:?}");
        assert_eq!(
            (w[0].row, w[0].column.as_str(), w[0].reason.as_str()),
            (1, "备注", "unknown column, ignored")
        );
        assert_eq!(imp.rows[0].row, 2, "spreadsheet row numbers");
        seen.push(rows);
    }
    assert_eq!(seen[0], seen[1]);
}

#[test]
fn gbk_and_utf8_csv() {
    let imp = read_employees(&data("employees-gbk.csv"), &ctx()).unwrap();
    assert!(!imp.has_errors(), "{:?}", imp.problems);
    assert_eq!(imp.headers, ["工号", "姓名", "部门", "职位", "入职日期"]);
    assert_eq!(
        imp.rows
            .iter()
            .map(|r| (r.name.as_str(), r.hired))
            .collect::<Vec<_>>(),
        [
            ("赵六", Some(d("2019-05-06"))),
            ("钱七", Some(d("2023-02-01")))
        ]
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("utf8.csv");
    std::fs::write(&p, "\u{feff}employee_no,name,department,hired,left\n3001,Li Lei,办公室,2020-01-01,2024-12-31\n").unwrap();
    let imp = read_employees(&p, &ctx()).unwrap();
    assert!(!imp.has_errors(), "{:?}", imp.problems);
    assert_eq!(
        (imp.rows[0].name.as_str(), imp.rows[0].left),
        ("Li Lei", Some(d("2024-12-31")))
    );
}

#[test]
fn every_kind_of_employee_error_is_listed_with_row_column_value_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let p = xlsx(
        dir.path(),
        "bad.xlsx",
        &[
            vec!["工号", "姓名", "部门", "入职日期", "离职日期", "卡号"],
            vec!["2001", "好人", "办公室", "2024-01-01", "", ""],
            vec!["2002", "某", "后勤处", "", "", ""],
            vec!["2001", "重复", "办公室", "", "", ""],
            vec!["1001", "已有", "办公室", "", "", ""],
            vec!["2003", "", "办公室", "明天", "", "12a"],
            vec!["2004", "早走", "财务处", "2024-05-01", "2024-04-30", ""],
        ],
    );
    let imp = read_employees(&p, &ctx()).unwrap();
    assert!(imp.has_errors());
    assert_eq!(imp.rows.len(), 1);
    let e = errors(&imp.problems);
    let want = [
        (
            3,
            "部门",
            "后勤处",
            "unknown department; create it first or correct the name",
        ),
        (4, "工号", "2001", "duplicate 工号: also on row 2"),
        (
            5,
            "工号",
            "1001",
            "duplicate 工号: an employee with this number already exists",
        ),
        (6, "姓名", "", "required value is empty"),
        (
            6,
            "入职日期",
            "明天",
            "not a date; use a date cell or text like 2026-10-01, 2026/10/01 or 2026年10月1日",
        ),
        (6, "卡号", "12a", "card number must be digits only"),
        (
            7,
            "离职日期",
            "2024-04-30",
            "离职日期 2024-04-30 is before 入职日期 2024-05-01",
        ),
    ];
    let want: Vec<(usize, String, String, String)> = want
        .iter()
        .map(|(r, c, v, m)| (*r, c.to_string(), v.to_string(), m.to_string()))
        .collect();
    assert_eq!(e, want);
    assert!(imp.problems.iter().all(|p| p.sheet == "Sheet1"));
    assert_eq!(
        imp.rejected.iter().map(|r| r.row).collect::<Vec<_>>(),
        [3, 4, 5, 6, 7]
    );

    // --skip-invalid: rejected rows go to an error workbook with their reasons.
    let out = dir.path().join("errors.xlsx");
    write_error_workbook(&out, &imp.headers, &imp.rejected, Locale::ZhCn).unwrap();
    let mut wb = open_workbook_auto(&out).unwrap();
    let r = wb.worksheet_range("错误行").unwrap();
    let rows: Vec<Vec<String>> = r
        .rows()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(
        rows[1],
        [
            "原行号",
            "工号",
            "姓名",
            "部门",
            "入职日期",
            "离职日期",
            "卡号",
            "错误原因"
        ]
    );
    assert_eq!(rows.len(), 2 + 5);
    assert_eq!((rows[2][0].as_str(), rows[2][1].as_str()), ("3", "2002"));
    assert_eq!(
        rows[2][7],
        "部门: unknown department; create it first or correct the name"
    );
    assert!(rows[5][7].contains("姓名: required value is empty") && rows[5][7].contains("卡号"));
}

#[test]
fn missing_required_columns_and_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    let p = xlsx(
        dir.path(),
        "cols.xlsx",
        &[vec!["姓名", "职位"], vec!["张三", "科员"]],
    );
    let imp = read_employees(&p, &ctx()).unwrap();
    assert!(imp.rows.is_empty());
    assert_eq!(
        errors(&imp.problems),
        vec![(
            1,
            String::new(),
            String::new(),
            "required column(s) missing: 工号 (employee_no), 部门 (department)".to_string()
        )]
    );
    let e = dir.path().join("empty.csv");
    std::fs::write(&e, "").unwrap();
    assert!(read_employees(&e, &ctx()).unwrap().has_errors());
    let txt = dir.path().join("x.docx");
    std::fs::write(&txt, "x").unwrap();
    assert!(read_employees(&txt, &ctx()).is_err());
}

#[test]
fn requests_in_chinese_and_english_with_each_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = xlsx(
        dir.path(),
        "req.xlsx",
        &[
            vec![
                "结束",
                "工号",
                "类型",
                "假别",
                "开始",
                "原因",
                "地点",
                "签到/签退",
                "证明",
            ],
            vec![
                "2026-10-13",
                "1001",
                "请假",
                "年假",
                "2026-10-12",
                "休息",
                "",
                "",
                "",
            ],
            vec![
                "",
                "1002",
                "外出",
                "",
                "2026/10/14",
                "送文件",
                "市局",
                "",
                "",
            ],
            vec![
                "2026-10-16 18:00",
                "1001",
                "出差",
                "",
                "2026-10-15 08:00",
                "培训",
                "北京",
                "",
                "",
            ],
            vec![
                "",
                "1001",
                "补签",
                "",
                "2026-10-12 08:55",
                "忘打卡",
                "",
                "签到",
                "王科长",
            ],
            vec![
                "2026-10-17 12:00",
                "1002",
                "加班",
                "",
                "2026-10-17 09:00",
                "值班",
                "",
                "",
                "",
            ],
            vec![
                "2026-10-11",
                "1001",
                "请假",
                "病假",
                "2026-10-12",
                "",
                "",
                "",
                "",
            ],
            vec![
                "2026-10-12",
                "8888",
                "请假",
                "婚假",
                "2026-10-12",
                "",
                "",
                "",
                "",
            ],
            vec![
                "2026-10-12",
                "1001",
                "请假",
                "公休",
                "2026-10-12",
                "",
                "",
                "",
                "",
            ],
            vec!["", "1001", "调岗", "", "2026-10-12", "", "", "", ""],
            vec!["", "1001", "外出", "", "十月", "", "", "", ""],
        ],
    );
    let imp = read_requests(&p, &ctx()).unwrap();
    let kinds: Vec<&RequestKind> = imp.rows.iter().map(|r| &r.kind).collect();
    let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    assert_eq!(
        kinds,
        vec![
            &RequestKind::Leave {
                leave_type: "annual".into(),
                span: Span::Days {
                    from: d("2026-10-12"),
                    to: d("2026-10-13")
                }
            },
            &RequestKind::Outing {
                place: "市局".into(),
                span: Span::Days {
                    from: d("2026-10-14"),
                    to: d("2026-10-14")
                }
            },
            &RequestKind::Trip {
                destination: "北京".into(),
                span: Span::Range {
                    from: at("2026-10-15 08:00"),
                    to: at("2026-10-16 18:00")
                }
            },
            &RequestKind::Supplement {
                at: at("2026-10-12 08:55"),
                punch: PunchKind::In,
                evidence: "王科长".into()
            },
            &RequestKind::Overtime {
                from: at("2026-10-17 09:00"),
                to: at("2026-10-17 12:00")
            },
        ]
    );
    let e = errors(&imp.problems);
    let reasons: Vec<(usize, &str, &str)> = e
        .iter()
        .map(|(r, c, _, m)| (*r, c.as_str(), m.as_str()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (7, "结束", "end 2026-10-11 is before start 2026-10-12"),
            (8, "工号", "employee not found"),
            (9, "假别", "unknown leave type"),
            (
                10,
                "类型",
                "unknown kind; use 请假, 外出, 出差, 补签 or 加班 (leave, outing, trip, supplement, overtime)"
            ),
            (
                11,
                "开始",
                "not a date; use a date cell or text like 2026-10-01, 2026/10/01 or 2026年10月1日"
            ),
        ]
    );
    // English headers.
    let p = xlsx(
        dir.path(),
        "req-en.xlsx",
        &[
            vec!["employee_no", "kind", "leave_type", "start", "end"],
            vec!["9001", "leave", "sick", "2026-10-12", ""],
        ],
    );
    let imp = read_requests(&p, &ctx()).unwrap();
    assert!(!imp.has_errors(), "{:?}", imp.problems);
    assert_eq!(
        imp.rows[0].kind,
        RequestKind::Leave {
            leave_type: "sick".into(),
            span: Span::Days {
                from: d("2026-10-12"),
                to: d("2026-10-12")
            }
        }
    );
}

#[test]
fn calendar_rows_with_date_cells_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let df = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["日期", "类型", "名称", "法定"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_datetime_with_format(1, 0, ExcelDateTime::from_ymd(2027, 1, 1).unwrap(), &df)
        .unwrap();
    ws.write_string(1, 1, "法定节假日").unwrap();
    ws.write_string(1, 2, "元旦").unwrap();
    ws.write_string(1, 3, "是").unwrap();
    ws.write_string(2, 0, "2027年2月6日").unwrap();
    ws.write_string(2, 1, "调休上班").unwrap();
    ws.write_string(3, 0, "2027-01-01").unwrap();
    ws.write_string(3, 1, "休息日").unwrap();
    ws.write_string(4, 0, "2027-03-01").unwrap();
    ws.write_string(4, 1, "workday").unwrap();
    ws.write_string(4, 3, "是").unwrap();
    ws.write_string(5, 0, "2027-03-02").unwrap();
    ws.write_string(5, 1, "半天").unwrap();
    let p = dir.path().join("cal.xlsx");
    wb.save(&p).unwrap();
    let imp = read_calendar(&p, &ctx()).unwrap();
    let rows: Vec<(NaiveDate, DayKind, bool)> = imp
        .rows
        .iter()
        .map(|r| (r.date, r.kind, r.statutory))
        .collect();
    assert_eq!(
        rows,
        vec![
            (d("2027-01-01"), DayKind::PublicHoliday, true),
            (d("2027-02-06"), DayKind::MakeupWorkday, false)
        ]
    );
    assert_eq!(imp.rows[0].entry().name, "元旦");
    let e: Vec<(usize, String, String)> = errors(&imp.problems)
        .into_iter()
        .map(|(r, c, _, m)| (r, c, m))
        .collect();
    assert_eq!(
        e,
        vec![
            (4, "日期".into(), "date listed twice: also on row 2".into()),
            (5, "法定".into(), "only holidays can be statutory".into()),
            (
                6,
                "类型".into(),
                "unknown day type; use 工作日, 休息日, 法定节假日, 其他假日 or 调休上班".into()
            ),
        ]
    );
}

#[test]
fn templates_have_lists_notes_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let c = ctx();
    for (kind, locale) in [
        (ImportKind::Employees, Locale::ZhCn),
        (ImportKind::Requests, Locale::ZhCn),
        (ImportKind::Calendar, Locale::En),
    ] {
        let p = dir.path().join(format!("{kind:?}.xlsx"));
        write_template(kind, &p, &c, locale).unwrap();
        let mut wb = open_workbook_auto(&p).unwrap();
        let names = wb.sheet_names();
        assert_eq!(names.len(), 3, "{names:?}");
        let lists = wb.worksheet_range(&names[2]).unwrap();
        assert_eq!(
            lists.get_value((0, 0)).map(|d| d.to_string()),
            Some("办公室".into())
        );
        assert_eq!(
            lists.get_value((0, 1)).map(|d| d.to_string()),
            Some(if locale == Locale::En {
                "annual leave".into()
            } else {
                "年假".into()
            })
        );
        // The example row imports cleanly (the 工号 of a new employee must not exist yet).
        let mut c2 = c.clone();
        if kind == ImportKind::Employees {
            c2.employees.clear();
        }
        let problems = match kind {
            ImportKind::Employees => {
                let i = read_employees(&p, &c2).unwrap();
                assert_eq!(i.rows.len(), 1, "{:?}", i.problems);
                i.problems
            }
            ImportKind::Requests => {
                let i = read_requests(&p, &c2).unwrap();
                assert_eq!(i.rows.len(), 1, "{:?}", i.problems);
                i.problems
            }
            ImportKind::Calendar => {
                let i = read_calendar(&p, &c2).unwrap();
                assert_eq!(i.rows.len(), 1, "{:?}", i.problems);
                i.problems
            }
        };
        assert!(problems.is_empty(), "{kind:?}: {problems:?}");
    }
    // Data validation lists are in the sheet XML.
    let bytes = std::fs::read(dir.path().join("Employees.xlsx")).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut z.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut s)
        .unwrap();
    assert!(
        s.contains(r#"<dataValidation type="list""#) && s.contains("'选项'!$A$1:$A$2"),
        "{s}"
    );
}

#[test]
fn ten_thousand_employees() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let df = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["部门", "工号", "姓名", "入职日期", "职位"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..10_000u32 {
        let r = i + 1;
        ws.write_string(r, 0, if i % 2 == 0 { "办公室" } else { "财务处" })
            .unwrap();
        ws.write_number(r, 1, f64::from(100_000 + i)).unwrap();
        ws.write_string(r, 2, format!("员工{i}")).unwrap();
        ws.write_datetime_with_format(
            r,
            3,
            ExcelDateTime::from_ymd(2020, (i % 12 + 1) as u8, 1).unwrap(),
            &df,
        )
        .unwrap();
        ws.write_string(r, 4, "科员").unwrap();
    }
    let p = dir.path().join("big.xlsx");
    wb.save(&p).unwrap();
    let imp = read_employees(&p, &ctx()).unwrap();
    assert!(imp.problems.is_empty(), "{:?}", imp.problems.first());
    assert_eq!(imp.rows.len(), 10_000);
    assert_eq!(
        (imp.rows[9_999].no.as_str(), imp.rows[9_999].hired),
        ("109999", Some(d("2020-04-01")))
    );
}
