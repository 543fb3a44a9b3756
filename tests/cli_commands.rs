//! End-to-end tests, through the real `kaoqin` binary, of the README commands that no other CLI
//! test covers: `template requests|calendar`, `import requests [--dry-run] [--skip-invalid]`,
//! `calendar import` with `calendar list`, `schedule presets`, `request list` / `request reject`, and
//! `report month --xlsx --per-department-sheets`. Each command runs as the role that would use it,
//! with the password in `KAOQIN_PASSWORD`; the expected rows are worked out by hand from the
//! inputs and the rules (presets in `src/domain/presets.rs`, importer columns in `src/excel`), not
//! copied from the program's output. Only fixed dates are used: nothing depends on today.

mod cli_common;
use std::collections::BTreeSet;
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use chrono::{Datelike, NaiveDate, Weekday};
use cli_common::*;

fn clerk(env: &Env, args: &[&str]) -> Run {
    env.run_as("clerk", USER_PW, args, &[])
}

fn sup(env: &Env, args: &[&str]) -> Run {
    env.run_as("sup", USER_PW, args, &[])
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// CSV text as rows of fields (ragged rows allowed: command output mixes CSV and sentences).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("CSV record").iter().map(str::to_string).collect())
        .collect()
}

/// A cell as a clerk reads it; dates as YYYY-MM-DD.
fn cell_text(c: &Data) -> String {
    match c {
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        other => other.to_string(),
    }
}

/// Every sheet of a workbook, in order, as (name, rows of cell texts), read with calamine.
fn read_workbook(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut wb = open_workbook_auto(path).expect("calamine opens the workbook");
    let names = wb.sheet_names().to_vec();
    names
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).expect("sheet range");
            let rows = range
                .rows()
                .map(|r| r.iter().map(cell_text).collect())
                .collect();
            (name, rows)
        })
        .collect()
}

/// `request list --format csv` as the clerk, without its header line.
fn stored_requests(env: &Env) -> Vec<String> {
    let r = clerk(env, &["request", "list", "--format", "csv"]);
    ok(&r);
    let mut lines = r.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("id,employee_no,kind,from,to,state,entered_by,decided_by"),
        "{r:?}"
    );
    lines.map(str::to_string).collect()
}

/// One import template, what its data sheet must hold, and what importing it unchanged stores.
struct TemplateCase {
    kind: &'static str,
    data_sheet: &'static str,
    headers: &'static [&'static str],
    /// Row 2, the example row (empty cells as "").
    example: &'static [&'static str],
    /// A listing command run by the clerk after the import, and the line it must then print.
    listing: &'static [&'static str],
    stored: &'static str,
}

const TEMPLATES: &[TemplateCase] = &[
    TemplateCase {
        kind: "requests",
        data_sheet: "申请",
        headers: &[
            "工号",
            "姓名",
            "类型",
            "假别",
            "开始",
            "结束",
            "原因",
            "地点",
            "签到/签退",
            "证明",
        ],
        // The first known employee, a leave of the first leave type (年假).
        example: &[
            "1001",
            "",
            "请假",
            "年假",
            "2026-10-12",
            "2026-10-13",
            "家中有事",
            "",
            "",
            "",
        ],
        listing: &["request", "list", "--format", "csv"],
        stored: "1,1001,leave,2026-10-12,2026-10-13,submitted,clerk,",
    },
    TemplateCase {
        kind: "calendar",
        data_sheet: "日历",
        headers: &["日期", "类型", "名称", "法定"],
        example: &["2026-10-01", "法定节假日", "国庆节", "是"],
        listing: &[
            "calendar",
            "list",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-01",
            "--format",
            "csv",
        ],
        stored: "2026-10-01,holiday,public_holiday,国庆节,true",
    },
];

#[test]
fn templates_have_the_importers_columns_and_import_their_one_example_row() {
    let env = Env::populated();
    for case in TEMPLATES {
        let file = env.path(&format!("template-{}.xlsx", case.kind));
        let r = clerk(&env, &["template", case.kind, s(&file)]);
        ok(&r);
        assert!(file.is_file(), "{} template written: {r:?}", case.kind);
        let sheets = read_workbook(&file);
        let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
        // The data sheet first (the importer reads the first sheet), then notes, then the lists.
        assert_eq!(
            names,
            [case.data_sheet, "填写说明", "选项"],
            "{}",
            case.kind
        );
        let data = &sheets[0].1;
        assert_eq!(data[0], case.headers, "{} header row", case.kind);
        assert_eq!(data[1], case.example, "{} example row", case.kind);
        assert_eq!(
            data.len(),
            2,
            "{}: only the header and one example",
            case.kind
        );
        // The notes sheet explains every column, in the same order.
        let notes: Vec<&str> = sheets[1].1[1..=case.headers.len()]
            .iter()
            .map(|row| row[0].as_str())
            .collect();
        assert_eq!(notes, case.headers, "{} notes", case.kind);

        // The unchanged template is valid: its one example row imports, nothing is rejected.
        let r = clerk(&env, &["import", case.kind, s(&file), "--dry-run"]);
        ok(&r);
        assert!(
            r.stdout
                .contains("Dry run: 1 row(s) would be imported, 0 rejected; nothing was written.")
                && !r.stdout.contains("severity,"),
            "{}: {r:?}",
            case.kind
        );
        let r = clerk(&env, &["import", case.kind, s(&file)]);
        ok(&r);
        assert!(r.stdout.contains("Imported 1 row(s)"), "{r:?}");
        let listed = clerk(&env, case.listing);
        ok(&listed);
        assert!(
            listed.stdout.lines().any(|l| l == case.stored),
            "{}: expected {:?} in {listed:?}",
            case.kind,
            case.stored
        );
    }
}

/// Requests workbook rows (after the header on row 1): two good ones (rows 2 and 6) and three bad.
const REQUEST_ROWS: &[[&str; 7]] = &[
    // 工号, 类型, 假别, 开始, 结束, 原因, 地点
    [
        "1001",
        "请假",
        "annual",
        "DATE:2026-06-08",
        "2026-06-09",
        "休假",
        "",
    ],
    ["9999", "请假", "年假", "2026-06-10", "", "", ""],
    ["1001", "外出", "", "2026-02-30", "", "办事", "税务局"],
    ["1001", "请假", "事假", "2026-06-12", "2026-06-11", "", ""],
    ["1002", "出差", "", "2026-06-15", "2026-06-17", "", "上海"],
];

/// The three bad rows: (spreadsheet row, column, value, a piece of the reason).
const REQUEST_PROBLEMS: &[(&str, &str, &str, &str)] = &[
    ("3", "工号", "9999", "employee not found"),
    ("4", "开始", "2026-02-30", "not a date"),
    (
        "5",
        "结束",
        "2026-06-11",
        "end 2026-06-11 is before start 2026-06-12",
    ),
];

/// The two good rows as `request list --format csv` prints them once imported by the clerk.
const REQUESTS_STORED: &[&str] = &[
    "1,1001,leave,2026-06-08,2026-06-09,submitted,clerk,",
    "2,1002,trip,2026-06-15,2026-06-17,submitted,clerk,",
];

fn write_requests_workbook(file: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("申请").expect("sheet name");
    let date_fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["工号", "类型", "假别", "开始", "结束", "原因", "地点"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    for (r, row) in REQUEST_ROWS.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            if let Some(d) = v.strip_prefix("DATE:") {
                // A real date cell, as Excel stores a typed date.
                let d = NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("fixture date");
                let dt = rust_xlsxwriter::ExcelDateTime::from_ymd(
                    d.year() as u16,
                    d.month() as u8,
                    d.day() as u8,
                )
                .expect("Excel date");
                ws.write_datetime_with_format(r, c, dt, &date_fmt)
                    .expect("date cell");
            } else if !v.is_empty() {
                ws.write_string(r, c, *v).expect("cell");
            }
        }
    }
    wb.save(file).expect("save the requests workbook");
}

/// The error lines of an import report: (row, column, value, reason).
fn reported_errors(stdout: &str) -> Vec<(String, String, String, String)> {
    csv_rows(stdout)
        .into_iter()
        .filter(|f| f.len() == 6 && f[0] == "error")
        .map(|f| (f[2].clone(), f[3].clone(), f[4].clone(), f[5].clone()))
        .collect()
}

#[track_caller]
fn assert_bad_rows_named(r: &Run) {
    let got = reported_errors(&r.stdout);
    assert_eq!(
        got.len(),
        REQUEST_PROBLEMS.len(),
        "one error per bad row: {r:?}"
    );
    for ((row, col, value, reason), want) in got.iter().zip(REQUEST_PROBLEMS) {
        assert_eq!(
            (row.as_str(), col.as_str(), value.as_str()),
            (want.0, want.1, want.2)
        );
        assert!(
            reason.contains(want.3),
            "row {row}: {reason:?} lacks {:?}",
            want.3
        );
    }
}

#[test]
fn import_requests_names_bad_rows_and_stores_only_what_the_flags_allow() {
    let env = Env::populated();
    ok(&env.admin(&[
        "employee",
        "add",
        "--no",
        "1002",
        "--name",
        "李四",
        "--department",
        "办公室",
    ]));
    let file = env.path("requests.xlsx");
    write_requests_workbook(&file);
    let path = s(&file);

    // (flags, exit code, what stdout or stderr must say); nothing is stored by any of these.
    let refused = "has 3 invalid row(s); nothing was imported";
    let cases: &[(&[&str], i32, &str)] = &[
        (&["--dry-run"], 1, refused),
        (&[], 1, refused),
        (
            &["--dry-run", "--skip-invalid"],
            0,
            "Dry run: 2 row(s) would be imported, 3 rejected; nothing was written.",
        ),
    ];
    for (flags, code, says) in cases {
        let mut args = vec!["import", "requests", path];
        args.extend_from_slice(flags);
        let r = clerk(&env, &args);
        assert_eq!(r.code, *code, "{flags:?}: {r:?}");
        assert!(
            r.stdout.contains(says) || r.stderr.contains(says),
            "{flags:?}: {r:?}"
        );
        assert_bad_rows_named(&r);
        assert_eq!(
            stored_requests(&env),
            Vec::<String>::new(),
            "{flags:?} stored nothing"
        );
    }
    assert!(
        !env.path("requests.errors.xlsx").exists(),
        "no error workbook yet"
    );

    // Only the clerk enters requests.
    fails(
        &sup(&env, &["import", "requests", path, "--skip-invalid"]),
        3,
        "permission denied",
    );

    let r = clerk(&env, &["import", "requests", path, "--skip-invalid"]);
    ok(&r);
    assert_bad_rows_named(&r);
    assert!(
        r.stdout.contains(&format!("Imported 2 row(s) from {path}")),
        "{r:?}"
    );
    let errors = env.path("requests.errors.xlsx");
    assert!(
        r.stdout
            .contains(&format!("3 rejected row(s) written to {}", s(&errors))),
        "{r:?}"
    );
    assert_eq!(stored_requests(&env), REQUESTS_STORED);

    // The error workbook holds exactly the three rejected rows, by their original row numbers.
    let sheets = read_workbook(&errors);
    let cells: Vec<&String> = sheets[0].1.iter().flatten().collect();
    for (row, _, value, _) in REQUEST_PROBLEMS {
        assert!(cells.iter().any(|c| c == value), "{value} in {cells:?}");
        assert!(cells.iter().any(|c| c == row), "row {row} in {cells:?}");
    }
    assert!(
        !cells.iter().any(|c| *c == "上海" || *c == "休假"),
        "good rows are not in the error workbook: {cells:?}"
    );
}

/// March 2026 as `calendar list --format csv` prints it with `extra` days set over the weekday
/// rule (the bundled calendar lists no day in March 2026).
fn march_2026(extra: &[(u32, &str)]) -> String {
    let mut out = String::from("date,day_type,kind,name,statutory\n");
    let mut d = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
    while d.month() == 3 {
        let line = match extra.iter().find(|(day, _)| *day == d.day()) {
            Some((_, tail)) => tail.to_string(),
            None if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) => {
                "restday,rest_day,,false".to_string()
            }
            None => "workday,workday,,false".to_string(),
        };
        out.push_str(&format!("{d},{line}\n"));
        d = d.succ_opt().expect("next day");
    }
    out
}

fn list_march(env: &Env, who: &str) -> Run {
    let r = env.run_as(
        who,
        USER_PW,
        &[
            "calendar",
            "list",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--format",
            "csv",
        ],
        &[],
    );
    ok(&r);
    r
}

#[test]
fn calendar_import_then_list_shows_the_holiday_and_the_makeup_day() {
    let env = Env::populated();
    assert_eq!(list_march(&env, "aud").stdout, march_2026(&[]));

    // 6 March 2026 is a Friday, 7 March a Saturday.
    let file = env.path("days.csv");
    std::fs::write(
        &file,
        "date,type,name,statutory\n2026-03-06,public_holiday,校庆,true\n2026-03-07,makeup_workday,补班,false\n",
    )
    .expect("write calendar CSV");
    let r = clerk(&env, &["calendar", "import", s(&file)]);
    ok(&r);
    assert!(r.stdout.contains("Imported 2 calendar days"), "{r:?}");
    let want = march_2026(&[
        (6, "holiday,public_holiday,校庆,true"),
        (7, "makeup_workday,makeup_workday,补班,false"),
    ]);
    // Everyone may read the calendar; the auditor sees what the clerk imported.
    assert_eq!(list_march(&env, "aud").stdout, want);

    // An impossible date: the file is refused with its line, and its good line is not stored.
    let bad = env.path("bad-days.csv");
    std::fs::write(
        &bad,
        "date,type,name,statutory\n2026-03-09,other_holiday,单位活动日,false\n2026-02-30,restday,,false\n",
    )
    .expect("write bad calendar CSV");
    let r = clerk(&env, &["calendar", "import", s(&bad)]);
    fails(&r, 1, "line 3, field 'date': '2026-02-30' is not a date");
    assert_eq!(list_march(&env, "clerk").stdout, want, "nothing stored");

    // The same date twice (a holiday, then a workday): which was meant cannot be guessed, so the
    // file is refused at the second line and neither is stored.
    let twice = env.path("twice.csv");
    std::fs::write(
        &twice,
        "date,type,name,statutory\n2026-03-13,other_holiday,x,false\n2026-03-13,workday,y,false\n",
    )
    .expect("write calendar CSV");
    let r = clerk(&env, &["calendar", "import", s(&twice)]);
    fails(
        &r,
        1,
        "line 3, field 'date': 2026-03-13 is listed twice: also on line 2",
    );
    assert_eq!(list_march(&env, "clerk").stdout, want, "nothing stored");

    // The supervisor does not edit the calendar.
    fails(
        &sup(&env, &["calendar", "import", s(&file)]),
        3,
        "permission denied",
    );
}

#[test]
fn schedule_presets_lists_a_to_d_with_their_hours() {
    let env = Env::populated();
    let r = clerk(&env, &["schedule", "presets", "--format", "csv"]);
    ok(&r);
    // From src/domain/presets.rs: the two sessions of each preset, start–end.
    let want = [
        ["code", "name", "name_en", "hours"],
        [
            "A",
            "机关两次签到",
            "Government office, two sign-ins",
            "09:00–12:00, 13:30–17:30",
        ],
        ["B", "公司标准", "Company", "09:00–12:00, 13:00–18:00"],
        ["C", "标准工时", "Standard", "09:00–12:00, 13:30–17:30"],
        ["D", "四次打卡", "Four punches", "07:30–12:00, 14:00–19:00"],
    ];
    assert_eq!(csv_rows(&r.stdout), want, "{r:?}");
    // The table form lists the same four codes.
    let r = env.run_as("aud", USER_PW, &["schedule", "presets"], &[]);
    ok(&r);
    let codes: Vec<&str> = r
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| c.len() == 1)
        .collect();
    assert_eq!(codes, ["A", "B", "C", "D"], "{r:?}");
}

#[test]
fn a_supervisor_rejects_a_clerks_request_with_a_note() {
    let env = Env::populated();
    let r = clerk(
        &env,
        &[
            "request",
            "add",
            "--employee",
            "1001",
            "--kind",
            "leave",
            "--type",
            "annual",
            "--from",
            "2026-03-09",
            "--to",
            "2026-03-10",
            "--reason",
            "探亲",
        ],
    );
    ok(&r);
    assert!(r.stdout.contains("Request 1 submitted for 1001"), "{r:?}");
    assert_eq!(
        stored_requests(&env),
        ["1,1001,leave,2026-03-09,2026-03-10,submitted,clerk,"]
    );

    // The clerk enters requests but does not decide them.
    fails(
        &clerk(&env, &["request", "reject", "1", "--comment", "不行"]),
        3,
        "permission denied",
    );
    assert_eq!(
        stored_requests(&env),
        ["1,1001,leave,2026-03-09,2026-03-10,submitted,clerk,"]
    );

    let r = sup(&env, &["request", "reject", "1", "--comment", "材料不全"]);
    ok(&r);
    assert!(r.stdout.contains("Request 1 is rejected."), "{r:?}");
    let rejected = "1,1001,leave,2026-03-09,2026-03-10,rejected,clerk,sup";
    assert_eq!(stored_requests(&env), [rejected]);
    // The state filter, as the auditor.
    let by_state = |state: &str| {
        let r = env.run_as(
            "aud",
            USER_PW,
            &["request", "list", "--state", state, "--format", "csv"],
            &[],
        );
        ok(&r);
        r.stdout
            .lines()
            .skip(1)
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(by_state("rejected"), [rejected]);
    assert_eq!(by_state("submitted"), Vec::<String>::new());
    // The note is in the request's history (the list has no note column).
    let r = sup(&env, &["request", "show", "1"]);
    ok(&r);
    assert!(
        r.stdout.contains("request 1 · 1001 · leave · rejected"),
        "{r:?}"
    );
    assert!(
        r.stdout
            .lines()
            .any(|l| l.ends_with("  sup (app user)  reject  submitted -> rejected  材料不全")),
        "{r:?}"
    );

    // A decided request stays decided; an unknown id is named.
    let r = sup(&env, &["request", "reject", "1"]);
    fails(&r, 1, "cannot reject request 1");
    assert_eq!(stored_requests(&env), [rejected]);
    fails(
        &sup(&env, &["request", "reject", "99", "--comment", "x"]),
        1,
        "cannot reject request 99: no request named '99'",
    );
}

/// The 工号 on each month sheet of the workbook: sheet name → employee numbers found on it.
fn employees_by_month_sheet(file: &Path, known: &[&str]) -> Vec<(String, BTreeSet<String>)> {
    read_workbook(file)
        .into_iter()
        .filter(|(name, _)| name.starts_with("月度考勤表"))
        .map(|(name, rows)| {
            let found = rows
                .iter()
                .flatten()
                .filter(|c| known.contains(&c.as_str()))
                .cloned()
                .collect();
            (name, found)
        })
        .collect()
}

#[test]
fn report_month_per_department_sheets_puts_each_employee_on_their_department() {
    let env = Env::populated();
    ok(&env.admin(&["department", "add", "财务处"]));
    for (no, name, dept) in [("1002", "李四", "办公室"), ("2001", "王五", "财务处")] {
        ok(&env.admin(&[
            "employee",
            "add",
            "--no",
            no,
            "--name",
            name,
            "--department",
            dept,
            "--hired",
            "2025-01-06",
        ]));
    }
    ok(&env.admin(&[
        "schedule",
        "assign",
        "--shift",
        "B",
        "--org",
        "--from",
        "2026-01-01",
    ]));
    ok(&clerk(&env, &["month", "run", "2026-03"]));
    let known = ["1001", "1002", "2001"];
    let set = |nos: &[&str]| nos.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>();

    let split = env.path("split.xlsx");
    let r = sup(
        &env,
        &[
            "report",
            "month",
            "2026-03",
            "--xlsx",
            s(&split),
            "--per-department-sheets",
        ],
    );
    ok(&r);
    let mut got = employees_by_month_sheet(&split, &known);
    got.sort();
    assert_eq!(
        got,
        [
            ("月度考勤表-办公室".to_string(), set(&["1001", "1002"])),
            ("月度考勤表-财务处".to_string(), set(&["2001"])),
        ],
        "one month sheet per department, each with its own employees only"
    );

    // Without the flag: one month sheet with everyone.
    let whole = env.path("whole.xlsx");
    ok(&sup(
        &env,
        &["report", "month", "2026-03", "--xlsx", s(&whole)],
    ));
    assert_eq!(
        employees_by_month_sheet(&whole, &known),
        [("月度考勤表".to_string(), set(&known))]
    );
}
