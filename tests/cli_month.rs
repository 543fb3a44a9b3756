//! End-to-end for the month and reports through the real `kaoqin` binary: employees, punches imported from a
//! file, a preset assigned to a department, a leave request approved by a supervisor (self-approval and
//! clerk approval refused), `month run` and `month show --format csv` against the rows the rules give,
//! stale results recomputed after a new input, `report month --xlsx` read back with calamine, and
//! imports of a clean employees file and of one with errors (nothing imported).

mod cli_common;
use calamine::{Reader, open_workbook_auto};
use chrono::{Datelike, NaiveDate, Weekday};
use cli_common::*;

fn clerk(env: &Env, args: &[&str]) -> Run {
    env.run_as("clerk", USER_PW, args, &[])
}

fn sup(env: &Env, args: &[&str]) -> Run {
    env.run_as("sup", USER_PW, args, &[])
}

const PUNCHES: &str = "terminal_serial,enrollment_no,timestamp,verify_mode,state,download_session
SN-E2E-1,1001,2026-03-02 08:50:00,15,0,
SN-E2E-1,1001,2026-03-02 18:05:00,15,1,
SN-E2E-1,1001,2026-03-03 09:10:00,15,0,
SN-E2E-1,1001,2026-03-03 18:01:00,15,1,
";

/// A month with 1001 (preset B through the department), punches on 2 and 3 March, annual leave on
/// 4–5 March approved by the supervisor.
fn month_env() -> Env {
    let env = Env::populated();
    let file = env.path("punches.csv");
    std::fs::write(&file, PUNCHES).unwrap();
    // The punches' terminal is registered (a CSV of an unknown serial is refused).
    ok(&env.run_as(
        "sup",
        USER_PW,
        &[
            "terminal",
            "add",
            "--name",
            "大门",
            "--kind",
            "zk-tcp",
            "--address",
            "192.168.1.201",
            "--serial",
            "SN-E2E-1",
        ],
        &[("KAOQIN_TERMINAL_SECRET", "")],
    ));
    ok(&clerk(&env, &["import", "punches", file.to_str().unwrap()]));
    ok(&env.admin(&[
        "schedule",
        "assign",
        "--shift",
        "B",
        "--department",
        "办公室",
        "--from",
        "2026-01-01",
    ]));
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
            "2026-03-04",
            "--to",
            "2026-03-05",
            "--reason",
            "休假",
        ],
    );
    ok(&r);
    assert!(r.stdout.contains("Request 1 submitted"), "{r:?}");
    // A clerk may enter but not approve.
    fails(
        &clerk(&env, &["request", "approve", "1"]),
        3,
        "permission denied",
    );
    let r = sup(&env, &["request", "approve", "1", "--comment", "同意"]);
    ok(&r);
    assert!(r.stdout.contains("approved"), "{r:?}");
    env
}

/// The rows the rules give for 1001 in March 2026 (no holidays that month in the bundled calendar).
fn expected_1001() -> String {
    let mut s = String::from(
        "employee_no,date,day_type,status,late_minutes,early_minutes,absent_sessions,overtime_minutes\n",
    );
    let mut d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    while d.month() == 3 {
        let rest = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        let tail = match (rest, d.day()) {
            (true, _) => "restday,restday,0,0,0,0",
            (false, 2) => "workday,normal,0,0,0,0",
            // Signed in at 09:10; preset B's sign-in is due at 08:55.
            (false, 3) => "workday,late,15,0,0,0",
            (false, 4 | 5) => "workday,leave:annual,0,0,0,0",
            // No punch at all: both sessions absent.
            (false, _) => "workday,absent,0,0,2,0",
        };
        s.push_str(&format!("1001,{d},{tail}\n"));
        d = d.succ_opt().unwrap();
    }
    s
}

#[test]
fn month_run_and_show_csv_give_the_rules_rows() {
    let env = month_env();
    let r = clerk(&env, &["month", "run", "2026-03"]);
    ok(&r);
    assert!(
        r.stdout
            .contains("2026-03 reconciled: 1 employees, 31 employee-days"),
        "{r:?}"
    );
    let r = clerk(&env, &["month", "show", "2026-03", "--format", "csv"]);
    ok(&r);
    assert_eq!(r.stdout, expected_1001());
    // Filters, and the auditor may read results.
    let r = env.run_as(
        "aud",
        USER_PW,
        &[
            "month",
            "show",
            "2026-03",
            "--format",
            "csv",
            "--employee",
            "1001",
        ],
        &[],
    );
    ok(&r);
    assert_eq!(r.stdout, expected_1001());
    let r = clerk(
        &env,
        &[
            "month",
            "show",
            "2026-03",
            "--format",
            "csv",
            "--department",
            "办公室",
        ],
    );
    assert_eq!(r.stdout, expected_1001());
    // Re-running gives identical output.
    ok(&clerk(&env, &["month", "run", "2026-03"]));
    assert_eq!(
        clerk(&env, &["month", "show", "2026-03", "--format", "csv"]).stdout,
        expected_1001()
    );
    // The month is read as the window reads it: 2026-3, 2026/3 and 2026.03 are March 2026 too.
    for month in ["2026-3", "2026/3", "2026.03"] {
        let r = clerk(&env, &["month", "show", month, "--format", "csv"]);
        ok(&r);
        assert_eq!(r.stdout, expected_1001(), "{month}");
    }
    // The run is audited.
    let r = env.admin(&["audit", "log", "--format", "csv"]);
    assert!(
        r.stdout.contains("month.run") && r.stdout.contains("request.approve"),
        "{r:?}"
    );
}

#[test]
fn results_are_recomputed_when_an_input_changes() {
    let env = month_env();
    ok(&clerk(&env, &["month", "run", "2026-03"]));
    // A new employee hired mid-month: `month show` sees it without another `month run`.
    ok(&env.admin(&[
        "employee",
        "add",
        "--no",
        "1002",
        "--name",
        "李四",
        "--department",
        "办公室",
        "--hired",
        "2026-03-16",
    ]));
    let r = clerk(
        &env,
        &[
            "month",
            "show",
            "2026-03",
            "--format",
            "csv",
            "--employee",
            "1002",
        ],
    );
    ok(&r);
    assert!(
        r.stdout
            .contains("1002,2026-03-13,workday,not_employed,0,0,0,0\n"),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("1002,2026-03-16,workday,absent,0,0,2,0\n"),
        "{r:?}"
    );
    // A rest day set on the calendar changes the day type.
    ok(&env.admin(&[
        "calendar",
        "set",
        "2026-03-06",
        "other_holiday",
        "--name",
        "单位活动日",
    ]));
    let r = clerk(
        &env,
        &[
            "month",
            "show",
            "2026-03",
            "--format",
            "csv",
            "--employee",
            "1001",
        ],
    );
    assert!(
        r.stdout
            .contains("1001,2026-03-06,holiday,holiday,0,0,0,0\n"),
        "{r:?}"
    );
}

#[test]
fn nobody_approves_their_own_request() {
    let env = month_env();
    ok(&env.admin(&[
        "employee",
        "add",
        "--no",
        "2001",
        "--name",
        "王五",
        "--department",
        "办公室",
    ]));
    ok(&env.admin(&["request", "link-user", "sup", "2001"]));
    ok(&clerk(
        &env,
        &[
            "request",
            "add",
            "--employee",
            "2001",
            "--kind",
            "leave",
            "--type",
            "sick",
            "--date",
            "2026-03-09",
            "--session",
            "1",
        ],
    ));
    // A permission refusal: exit 3, like every other.
    fails(
        &sup(&env, &["request", "approve", "2"]),
        3,
        "nobody may approve or reject their own request",
    );
    let r = sup(&env, &["request", "show", "2"]);
    assert!(r.stdout.contains("· submitted"), "{r:?}");
    // Withdrawn by the clerk on the employee's behalf; then final.
    ok(&clerk(&env, &["request", "withdraw", "2"]));
    fails(&sup(&env, &["request", "approve", "2"]), 1, "withdrawn");
}

#[test]
fn bad_input_names_the_field() {
    let env = month_env();
    let add = |extra: &[&str]| {
        let mut a = vec!["request", "add", "--kind", "leave", "--type", "annual"];
        a.extend_from_slice(extra);
        clerk(&env, &a)
    };
    fails(
        &add(&["--employee", "1001", "--from", "2026-02-30"]),
        1,
        "'2026-02-30' is not a real calendar date",
    );
    fails(
        &add(&["--employee", "9999", "--from", "2026-03-04"]),
        1,
        "no employee with 工号 '9999'",
    );
    fails(
        &add(&[
            "--employee",
            "1001",
            "--from",
            "2026-03-05",
            "--to",
            "2026-03-04",
        ]),
        1,
        "invalid --to",
    );
    fails(
        &clerk(&env, &["month", "run", "2026-13"]),
        1,
        "invalid month",
    );
    fails(
        &clerk(&env, &["month", "run", "2026-13"]),
        1,
        "2026-13 is not a month: the month is 1–12",
    );
    fails(
        &clerk(&env, &["month", "show", "March"]),
        1,
        "'March' is not a month; write it as YYYY-MM, e.g. 2026-03",
    );
    fails(
        &add(&[
            "--employee",
            "1001",
            "--from",
            "2026-03-05",
            "--to",
            "2062-03-05",
        ]),
        1,
        "invalid --to: from 2026-03-05 to 2062-03-05 is 13150 days; a request covers at most 366 days",
    );
    fails(
        &add(&[
            "--employee",
            "1001",
            "--from",
            "2026-03-05",
            "--to",
            "2026-03-05 12:00",
        ]),
        1,
        "invalid --to: write both ends as dates",
    );
    fails(
        &clerk(&env, &["month", "show", "2026-03", "--employee", "9999"]),
        1,
        "no employee with 工号 '9999'",
    );
    fails(
        &env.admin(&["schedule", "assign", "--shift", "Z", "--org"]),
        1,
        "no shift with code 'Z'",
    );
    fails(
        &env.admin(&["calendar", "set", "2026-02-30", "restday"]),
        2,
        "not a real calendar date",
    );
}

/// The clerk exports March 2026 to `name`; the first sheet's cells as text, row by row (calamine).
fn export_first_sheet(env: &Env, name: &str) -> Vec<Vec<String>> {
    let xlsx = env.path(name);
    ok(&clerk(
        env,
        &[
            "report",
            "month",
            "2026-03",
            "--xlsx",
            xlsx.to_str().unwrap(),
        ],
    ));
    let mut wb = open_workbook_auto(&xlsx).expect("calamine opens the export");
    let first = wb.sheet_names().first().expect("a sheet").clone();
    let range = wb.worksheet_range(&first).expect("the first sheet");
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[test]
fn report_month_xlsx_reads_back() {
    let env = month_env();
    let rows = export_first_sheet(&env, "2026-03.xlsx");
    let texts: Vec<String> = rows.iter().flatten().cloned().collect();
    assert!(
        texts.iter().any(|t| t == "1001"),
        "工号 in the sheet: {texts:?}"
    );
    assert!(texts.iter().any(|t| t == "张三"));
    let dir = env.path("csv");
    ok(&clerk(
        &env,
        &["report", "month", "2026-03", "--csv", dir.to_str().unwrap()],
    ));
    assert!(std::fs::read_dir(&dir).unwrap().count() > 0);
    // The auditor may not export.
    fails(
        &env.run_as(
            "aud",
            USER_PW,
            &["report", "month", "2026-03", "--xlsx", "x.xlsx"],
            &[],
        ),
        3,
        "permission denied",
    );
}

#[test]
fn the_admin_changes_report_symbols_and_the_export_prints_them() {
    let env = month_env();
    let r = env.admin(&[
        "report",
        "symbols",
        "--set",
        "late=L",
        "--set",
        "leave:annual=A",
        "--set",
        "absent=X",
    ]);
    ok(&r);
    assert!(
        r.stdout.contains("late") && r.stdout.contains(" L"),
        "{r:?}"
    );
    // A clash, an unknown name and a clerk are refused; nothing changes.
    fails(
        &env.admin(&["report", "symbols", "--set", "early=L"]),
        1,
        "both show 'L'",
    );
    fails(
        &env.admin(&["report", "symbols", "--set", "tardy=T"]),
        1,
        "there is no symbol 'tardy'",
    );
    fails(
        &clerk(&env, &["report", "symbols", "--set", "late=T"]),
        3,
        "permission denied",
    );
    let shown = clerk(&env, &["report", "symbols", "--format", "csv"]);
    ok(&shown);
    assert!(shown.stdout.contains("late,L\n"), "{shown:?}");
    assert!(shown.stdout.contains("early,退\n"), "{shown:?}");

    let rows = export_first_sheet(&env, "symbols.xlsx");
    let cells = rows
        .iter()
        .find(|r| r.iter().any(|c| c == "1001"))
        .expect("1001's row")
        .clone();
    // Day columns follow 序号, 工号, 姓名, 部门: 3 March late in the morning (halves), 4–5 annual
    // leave, 6 absent.
    let day = |d: usize| cells[3 + d].clone();
    assert_eq!(
        (day(3), day(4), day(5), day(6)),
        ("L/√".into(), "A".into(), "A".into(), "X".into()),
        "{cells:?}"
    );
    let all: Vec<String> = rows.iter().flatten().cloned().collect();
    assert!(
        !all.iter().any(|t| t == "迟" || t == "旷"),
        "old symbols gone, legend included"
    );

    ok(&env.admin(&["report", "symbols", "--reset"]));
    let shown = clerk(&env, &["report", "symbols", "--format", "csv"]);
    assert!(shown.stdout.contains("late,迟\n"), "{shown:?}");
}

#[test]
fn employee_imports_are_all_or_nothing() {
    let env = Env::populated();
    let clean = env.path("clean.csv");
    std::fs::write(
        &clean,
        "姓名,工号,部门\n赵六,3001,办公室\n钱七,3002,办公室\n",
    )
    .unwrap();
    let r = env.admin(&["import", "employees", clean.to_str().unwrap(), "--dry-run"]);
    ok(&r);
    assert!(r.stdout.contains("2 row(s) would be imported"), "{r:?}");
    let r = env.admin(&["import", "employees", clean.to_str().unwrap()]);
    ok(&r);
    assert!(r.stdout.contains("Imported 2 row(s)"), "{r:?}");
    let listed = env.admin(&["employee", "list", "--format", "csv"]).stdout;
    assert!(
        listed.contains("3001") && listed.contains("钱七"),
        "{listed}"
    );

    let bad = env.path("bad.csv");
    std::fs::write(
        &bad,
        "工号,姓名,部门\n4001,孙八,办公室\n4002,周九,没有这个处室\n1001,重复,办公室\n",
    )
    .unwrap();
    let r = env.admin(&["import", "employees", bad.to_str().unwrap()]);
    fails(&r, 1, "nothing was imported");
    assert!(r.stdout.contains("没有这个处室"), "{r:?}");
    let listed = env.admin(&["employee", "list", "--format", "csv"]).stdout;
    assert!(!listed.contains("4001"), "nothing imported: {listed}");
    // --skip-invalid imports the valid row and says where the rejected ones went.
    let r = env.admin(&[
        "import",
        "employees",
        bad.to_str().unwrap(),
        "--skip-invalid",
    ]);
    ok(&r);
    let errors = env.path("bad.errors.xlsx");
    assert!(
        r.stdout.contains(errors.to_str().unwrap()) && errors.is_file(),
        "{r:?}"
    );
    assert!(
        env.admin(&["employee", "list", "--format", "csv"])
            .stdout
            .contains("4001")
    );
    let tpl = env.path("tpl.xlsx");
    ok(&env.admin(&["template", "employees", tpl.to_str().unwrap()]));
    assert!(open_workbook_auto(&tpl).is_ok());
}

#[test]
fn shifts_rotations_and_leave_types_are_editable() {
    let env = Env::populated();
    let b = env.admin(&["schedule", "show", "B"]);
    ok(&b);
    let x = b.stdout.replacen("\"code\": \"B\"", "\"code\": \"X\"", 1);
    let file = env.path("x.json");
    std::fs::write(&file, &x).unwrap();
    ok(&env.admin(&["schedule", "add", file.to_str().unwrap()]));
    let listed = env.admin(&["schedule", "list", "--format", "csv"]).stdout;
    assert!(listed.lines().any(|l| l.starts_with("X,")), "{listed}");
    assert_eq!(env.admin(&["schedule", "show", "X"]).stdout, x);
    std::fs::write(&file, "{\"code\": \"Y\"}").unwrap();
    fails(
        &env.admin(&["schedule", "add", file.to_str().unwrap()]),
        1,
        "invalid shift",
    );
    let rot = env.path("rot.json");
    std::fs::write(
        &rot,
        r#"{"code":"R2","name":"两班倒","start":"2026-03-01","cycle":["X",null]}"#,
    )
    .unwrap();
    ok(&env.admin(&["schedule", "add-rotation", rot.to_str().unwrap()]));
    ok(&env.admin(&[
        "schedule",
        "assign",
        "--rotation",
        "R2",
        "--employee",
        "1001",
        "--from",
        "2026-03-01",
    ]));
    let a = env
        .admin(&["schedule", "assignments", "--format", "csv"])
        .stdout;
    assert!(a.contains("employee,1001,rotation,R2,2026-03-01,"), "{a}");
    ok(&env.admin(&[
        "request",
        "set-leave-type",
        "study",
        "--zh",
        "学习假",
        "--symbol",
        "学",
    ]));
    let types = env
        .admin(&["request", "leave-types", "--format", "csv"])
        .stdout;
    assert!(
        types.contains("study,学习假,,学,false") && types.contains("annual,"),
        "{types}"
    );
    ok(&env.run_as(
        "clerk",
        USER_PW,
        &[
            "request",
            "add",
            "--employee",
            "1001",
            "--kind",
            "leave",
            "--type",
            "study",
            "--from",
            "2026-03-02",
        ],
        &[],
    ));
}
