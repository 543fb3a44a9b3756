//! Month runs: summaries, department totals, CSV, the sheet model, exceptions and publication.

mod common;

use common::*;
use kaoqin_domain::report::{self, DayCell, SymbolSet};
use kaoqin_domain::request::default_leave_types;
use kaoqin_domain::*;

struct World {
    employees: Vec<Employee>,
    punches: Vec<Punch>,
    requests: Vec<Request>,
    book: ScheduleBook,
    cal: Calendar,
}

/// October 2026 (holidays 1–7, make-up Saturday 10th) for three employees on preset C.
fn october() -> World {
    let mut employees = vec![emp("1001"), emp("1002"), emp("2001")];
    employees[1].hired = Some(d("2026-10-15"));
    employees[2].department = "财务处".into();
    employees[2].left = Some(d("2026-10-20"));
    let cal = Calendar::bundled_cn();
    let mut punches = Vec::new();
    for day in 1..=31 {
        let date = d(&format!("2026-10-{day:02}"));
        if !cal.day(date).kind.is_working() {
            continue;
        }
        for e in &employees {
            // 1001 is late on the 12th; everyone punches normally otherwise.
            let first = if e.no == "1001" && day == 12 {
                "09:20"
            } else {
                "08:50"
            };
            punches.extend(punches_for(&e.no, date, &[first, "17:35"]));
        }
    }
    // 2001 worked on the statutory holiday, 09:00–12:00.
    punches.extend(punches_for("2001", d("2026-10-01"), &["09:00", "12:00"]));
    // An enrollment number nobody has.
    punches.push(punch("9999", at(d("2026-10-12"), "08:00"), 0));
    // 1001: annual leave 2026-10-05..10-09 (spans the holiday; only the 8th and 9th are working days).
    let requests = vec![approved(
        1,
        "1001",
        leave_days("1001", "annual", "2026-10-05", "2026-10-09"),
    )];
    // 1001's leave days must have no punches.
    punches.retain(|p| {
        !(p.enrollment_no == "1001"
            && (p.ts.date() == d("2026-10-08") || p.ts.date() == d("2026-10-09")))
    });
    World {
        employees,
        punches,
        requests,
        book: ScheduleBook::with_presets("C"),
        cal,
    }
}

fn punches_for(no: &str, date: chrono::NaiveDate, t: &[&str]) -> Vec<Punch> {
    punches(no, date, t)
}

fn run(w: &World) -> MonthResult {
    reconcile_month(&MonthInput {
        year: 2026,
        month: 10,
        employees: &w.employees,
        punches: &w.punches,
        requests: &w.requests,
        book: &w.book,
        calendar: &w.cal,
        now: ts("2026-11-05 10:00"),
    })
}

#[test]
fn october_summaries() {
    let w = october();
    let m = run(&w);
    assert_eq!(m.days.len(), 93);
    // October 2026: 31 days − 9 weekend days − 7 holiday days (1st–7th, of which 3 weekend) + 1 make-up = 17+... computed:
    // workdays Mon–Fri outside 1–7: 8,9,12–16,19–23,26–30 = 2+5+5+5 = 17, plus make-up 10th = 18.
    let s1 = m.summary_of("1001").unwrap();
    assert_eq!(s1.totals.required_days, 18);
    assert_eq!(s1.totals.late_count, 1);
    assert_eq!(s1.totals.late_minutes, 20);
    assert_eq!(
        s1.totals.leave.get("annual").map(|l| l.days),
        Some(2.0),
        "leave spanning the holiday consumes only working days"
    );
    assert_eq!(s1.totals.attended_days, 16.0);
    assert!((s1.totals.attendance_rate() - 16.0 / 18.0).abs() < 1e-9);
    // 1002 joined on the 15th: working days 15,16,19–23,26–30 = 12.
    let s2 = m.summary_of("1002").unwrap();
    assert_eq!(
        (s2.totals.required_days, s2.totals.attended_days),
        (12, 12.0)
    );
    assert_eq!(codes(&m.days_of("1002")[0]), "not_employed");
    // 2001 left on the 20th: 8,9,10,12–16,19,20 = 10; statutory holiday overtime 180.
    let s3 = m.summary_of("2001").unwrap();
    assert_eq!(s3.totals.required_days, 10);
    assert_eq!(
        (s3.totals.overtime_holiday, s3.totals.overtime_restday),
        (180, 0)
    );
    assert_eq!(m.unknown_enrollments, vec!["9999".to_string()]);
    // Department totals.
    let names: Vec<(&str, u32, u32)> = m
        .departments
        .iter()
        .map(|d| (d.department.as_str(), d.employees, d.totals.required_days))
        .collect();
    assert_eq!(names, vec![("办公室", 2, 30), ("财务处", 1, 10)]);
    assert_eq!(m.organisation.required_days, 40);
}

#[test]
fn month_csv_rows() {
    let w = october();
    let m = run(&w);
    let csv = m.csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "employee_no,date,day_type,status,late_minutes,early_minutes,absent_sessions,overtime_minutes"
    );
    assert_eq!(lines.len(), 94);
    let want = [
        "1001,2026-10-01,holiday,holiday,0,0,0,0",
        "1001,2026-10-04,holiday,holiday,0,0,0,0",
        "1001,2026-10-08,workday,leave:annual,0,0,0,0",
        "1001,2026-10-10,makeup_workday,normal,0,0,0,0",
        "1001,2026-10-11,restday,restday,0,0,0,0",
        "1001,2026-10-12,workday,late,20,0,0,0",
        "1002,2026-10-14,workday,not_employed,0,0,0,0",
        "2001,2026-10-01,holiday,overtime;holiday,0,0,0,180",
        "2001,2026-10-21,workday,not_employed,0,0,0,0",
    ];
    for row in want {
        assert!(lines.contains(&row), "missing row {row}");
    }
    let allowed = [
        "normal",
        "late",
        "early",
        "absent",
        "missing_in",
        "missing_out",
        "outing",
        "trip",
        "supplement",
        "overtime",
        "restday",
        "holiday",
        "not_employed",
    ];
    for l in &lines[1..] {
        let cols: Vec<&str> = l.split(',').collect();
        assert_eq!(cols.len(), 8, "{l}");
        assert!(
            ["workday", "restday", "holiday", "makeup_workday"].contains(&cols[2]),
            "{l}"
        );
        for code in cols[3].split(';').filter(|c| !c.is_empty()) {
            assert!(allowed.contains(&code) || code.starts_with("leave:"), "{l}");
        }
    }
}

#[test]
fn rerun_is_byte_identical() {
    let w = october();
    let a = serde_json::to_string(&run(&w)).unwrap();
    let mut shuffled = october();
    shuffled.punches.reverse();
    shuffled.employees.reverse();
    let b = serde_json::to_string(&run(&shuffled)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn sheet_cells_and_legend() {
    let w = october();
    let m = run(&w);
    let sym = SymbolSet::default();
    let types = default_leave_types();
    let sheet = report::month_sheet(&m, &w.employees, &sym, &types, None);
    assert_eq!(sheet.days.len(), 31);
    assert_eq!(sheet.days[0].weekday_zh, "四");
    assert_eq!(sheet.rows.len(), 3);
    let r1 = sheet.rows.iter().find(|r| r.employee_no == "1001").unwrap();
    let cell = |day: usize| r1.cells[day - 1].text();
    assert_eq!(
        (cell(1), cell(8), cell(10), cell(11), cell(12), cell(13)),
        (
            "节".into(),
            "年".into(),
            "√".into(),
            "休".into(),
            "迟/√".into(),
            "√".into()
        )
    );
    assert_eq!(
        r1.cells[11],
        DayCell::Halves {
            am: "迟".into(),
            pm: "√".into()
        }
    );
    let r3 = sheet.rows.iter().find(|r| r.employee_no == "2001").unwrap();
    assert_eq!(r3.cells[0].text(), "节加");
    assert_eq!(r3.cells[30].text(), "—");
    assert_eq!(
        sheet.summary_heads.len(),
        report::summary_cells(&r1.totals, &types).len()
    );
    assert_eq!(report::summary_cells(&r1.totals, &types)[0], "18");
    assert!(sheet.legend.iter().any(|(s, m)| s == "病" && m == "病假"));
    let one = report::month_sheet(&m, &w.employees, &sym, &types, Some("财务处"));
    assert_eq!((one.rows.len(), one.subtotals.len()), (1, 1));
    // Symbols are configurable.
    let mut custom = sym.clone();
    custom.present = "✓".into();
    let s2 = report::month_sheet(&m, &w.employees, &custom, &types, None);
    assert_eq!(s2.rows[0].cells[12].text(), "✓");
}

#[test]
fn exceptions_and_publication_without_private_details() {
    let mut w = october();
    let day = d("2026-10-13");
    w.requests.push(approved(
        2,
        "1002",
        RequestKind::Outing {
            place: "市局".into(),
            span: Span::Days {
                from: d("2026-10-16"),
                to: d("2026-10-16"),
            },
        },
    ));
    let mut sick = approved(
        3,
        "2001",
        leave_days("2001", "sick", "2026-10-14", "2026-10-14"),
    );
    sick.reason = "住院检查".into();
    w.requests.push(sick);
    w.requests.push(approved(
        4,
        "2001",
        RequestKind::Supplement {
            at: at(day, "08:50"),
            punch: PunchKind::In,
            evidence: "王五证明".into(),
        },
    ));
    let m = run(&w);
    let ex = report::exceptions(&m, &w.employees, &w.requests, &w.punches);
    let late: Vec<_> = ex.iter().filter(|e| e.code == "late").collect();
    assert_eq!(late.len(), 1);
    assert_eq!(
        (
            late[0].employee_no.as_str(),
            late[0].minutes,
            late[0].detail_zh.as_str()
        ),
        ("1001", 20, "第1时段迟到20分钟")
    );
    let pubs =
        report::publication_list(&w.requests, &w.employees, 2026, 10, &default_leave_types());
    assert_eq!(pubs.len(), 4);
    let sick = pubs
        .iter()
        .find(|p| p.employee_no == "2001" && p.kind == "leave")
        .unwrap();
    assert_eq!((sick.detail.as_str(), sick.reason.as_str()), ("病假", ""));
    let sup = pubs.iter().find(|p| p.kind == "supplement").unwrap();
    assert!(sup.reason.contains("王五证明"));
    assert_eq!(sup.approved_by, "leader");
}

#[test]
fn daily_detail_marks_use_and_non_face() {
    let date = d("2026-11-16");
    let mut ps = punches(
        "1001",
        date,
        &["07:30", "07:30:20", "10:00", "12:00", "14:00", "19:00"],
    );
    ps[2].verify_mode = 1; // fingerprint
    let cal = Calendar::bundled_cn();
    let shift = presets::preset_d();
    let r = reconcile_day(
        &emp("1001"),
        date,
        &ps,
        Some(&shift),
        &cal.day(date),
        &[],
        ts("2026-12-01 00:00"),
    );
    let lines = report::daily_detail(&ps, &r);
    let got: Vec<(&str, Option<usize>, bool)> = lines
        .iter()
        .map(|l| (l.used_as.as_str(), l.session, l.non_face))
        .collect();
    assert_eq!(
        got,
        vec![
            ("sign_in", Some(0), false),
            ("duplicate", None, false),
            ("extra", Some(0), true),
            ("sign_out", Some(0), false),
            ("sign_in", Some(1), false),
            ("sign_out", Some(1), false),
        ]
    );
    assert_eq!(lines[2].verify_zh, "指纹");
}

#[test]
fn request_validation_table() {
    let types = default_leave_types();
    let now = ts("2026-11-10 09:00");
    let day = d("2026-11-16");
    let cases: Vec<(RequestKind, &str, Result<(), &str>)> = vec![
        (
            leave_days("1001", "annual", "2026-11-16", "2026-11-17"),
            "x",
            Ok(()),
        ),
        (
            leave_days("1001", "holiday", "2026-11-16", "2026-11-17"),
            "x",
            Err("UnknownLeaveType"),
        ),
        (
            leave_days("1001", "sick", "2026-11-17", "2026-11-16"),
            "x",
            Err("EndBeforeStart"),
        ),
        (
            RequestKind::Outing {
                place: "".into(),
                span: Span::Days { from: day, to: day },
            },
            "开会",
            Err("Missing"),
        ),
        (
            RequestKind::Outing {
                place: "市局".into(),
                span: Span::Days { from: day, to: day },
            },
            "开会",
            Ok(()),
        ),
        (
            RequestKind::Supplement {
                at: at(day, "08:50"),
                punch: PunchKind::In,
                evidence: "".into(),
            },
            "忘记",
            Err("Missing"),
        ),
        (
            RequestKind::Overtime {
                from: at(day, "19:00"),
                to: at(day, "19:00"),
            },
            "x",
            Err("EmptyRange"),
        ),
    ];
    for (i, (kind, reason, want)) in cases.into_iter().enumerate() {
        let r = Request::draft(1, "1001", kind, reason, now);
        match (r.validate(&types), want) {
            (Ok(()), Ok(())) => {}
            (Err(e), Err(name)) => assert!(format!("{e:?}").starts_with(name), "case {i}: {e:?}"),
            (got, want) => panic!("case {i}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn request_order_does_not_change_results() {
    let date = d("2026-11-16");
    let shift = presets::preset_a();
    let cal = Calendar::bundled_cn();
    let a = approved(
        1,
        "1001",
        leave_days("1001", "annual", "2026-11-16", "2026-11-16"),
    );
    let b = approved(
        2,
        "1001",
        leave_days("1001", "sick", "2026-11-16", "2026-11-16"),
    );
    let now = ts("2026-12-01 00:00");
    let r1 = reconcile_day(
        &emp("1001"),
        date,
        &[],
        Some(&shift),
        &cal.day(date),
        &[a.clone(), b.clone()],
        now,
    );
    let r2 = reconcile_day(
        &emp("1001"),
        date,
        &[],
        Some(&shift),
        &cal.day(date),
        &[b, a],
        now,
    );
    assert_eq!(r1, r2);
    assert_eq!(codes(&r1), "leave:annual");
}

#[test]
fn csv_filtered_by_department_and_employee() {
    let w = october();
    let m = run(&w);
    let dept = m.csv_filtered(Some("财务处"), None);
    assert_eq!(dept.lines().count(), 32);
    assert!(dept.lines().skip(1).all(|l| l.starts_with("2001,")));
    let one = m.csv_filtered(None, Some("1002"));
    assert_eq!(one.lines().count(), 32);
    assert_eq!(m.csv_filtered(None, None), m.csv());
    assert_eq!(presets::preset_a().hours_text(), "09:00–12:00, 13:30–17:30");
}

#[test]
fn symbol_sets_are_checked_before_use() {
    use report::SymbolProblem;
    assert_eq!(SymbolSet::default().check(), Ok(()));
    let with = |name: &str, value: &str| {
        let mut s = SymbolSet::default();
        assert!(s.set_fixed(name, value), "{name} is a fixed symbol");
        s
    };
    let cases: Vec<(SymbolSet, Result<(), SymbolProblem>)> = vec![
        (with("late", "L"), Ok(())),
        (with("present", "✓"), Ok(())),
        (with("not_employed", ""), Ok(())),
        (
            with("late", " "),
            Err(SymbolProblem::Empty {
                name: "late".into(),
            }),
        ),
        (
            with("absent", "旷/工"),
            Err(SymbolProblem::Unusable {
                name: "absent".into(),
                symbol: "旷/工".into(),
            }),
        ),
        (
            with("trip", "出 差"),
            Err(SymbolProblem::Unusable {
                name: "trip".into(),
                symbol: "出 差".into(),
            }),
        ),
        (
            with("early", "迟到"),
            Err(SymbolProblem::Clash {
                first: "late".into(),
                second: "early".into(),
                symbol: "迟".into(),
            }),
        ),
        (
            with("outing", "病"),
            Err(SymbolProblem::Clash {
                first: "outing".into(),
                second: "leave:sick".into(),
                symbol: "病".into(),
            }),
        ),
        // All leave may print as 假.
        (
            {
                let mut s = SymbolSet::default();
                s.leave.insert("sick".into(), "假".into());
                s
            },
            Ok(()),
        ),
    ];
    for (set, want) in cases {
        assert_eq!(set.check(), want, "{set:?}");
    }
    let mut s = SymbolSet::default();
    assert!(!s.set_fixed("lateness", "L"), "unknown names are refused");
    assert_eq!(s.fixed("late"), Some("迟"));
    assert_eq!(s.fixed("lateness"), None);
}
