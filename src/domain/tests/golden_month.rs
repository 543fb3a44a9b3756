//! The golden month: one organisation on presets A–D and a night shift through October 2026 (the
//! National Day block with statutory and shifted days, a make-up Saturday), with every rule HR signs
//! by and its boundaries. The expected month CSV below was written by hand, row by row, before the
//! rules were coded; the run must give exactly these bytes, and the same bytes again.

mod common;

use common::*;
use kaoqin_domain::clock::ClockTime as T;
use kaoqin_domain::*;

const NOW: &str = "2026-11-05 10:00";

/// 22:00–06:00+1, sign in 21:00–23:00, sign out 05:00+1–08:00+1; the day changes at 12:00.
fn night() -> Shift {
    let mut s = Session::new("夜班", T::hm(22, 0), T::next_day(6, 0));
    s.sign_in = Some(PunchWindow::new(T::hm(21, 0), T::hm(23, 0)));
    s.sign_out = Some(PunchWindow::new(T::next_day(5, 0), T::next_day(8, 0)));
    let mut n = presets::preset_d();
    n.code = "N".into();
    n.name_zh = "夜班".into();
    n.name_en = "Night".into();
    n.day_changes_at = T::hm(12, 0);
    n.sessions = vec![s];
    n
}

fn book() -> ScheduleBook {
    let mut book = ScheduleBook::with_presets("A");
    book.shifts.insert("N".into(), night());
    for (no, code) in [("1002", "B"), ("1003", "C"), ("1004", "D"), ("1005", "N")] {
        book.assignments.push(Assignment {
            target: Target::Employee(no.into()),
            plan: PlanRef::Shift(code.into()),
            from: None,
            to: None,
        });
    }
    book
}

/// Each employee's ordinary day, and the days that are not ordinary (day of October → punches).
#[allow(clippy::type_complexity)]
fn punch_plan() -> Vec<(
    &'static str,
    &'static [&'static str],
    Vec<(u32, &'static [&'static str])>,
)> {
    vec![
        (
            "1001",
            &["08:50", "13:20"],
            vec![
                (1, &["09:00", "17:30"]),
                (4, &["09:00", "12:10"]),
                (11, &["10:00"]),
                (8, &["08:29", "13:20"]),
                (9, &["09:00", "13:30"]),
                (10, &["09:01", "13:30"]),
                (12, &["10:00", "13:20"]),
                (13, &["10:01", "13:20"]),
                (14, &["08:50", "12:44"]),
                (15, &["08:50", "12:45"]),
                (16, &[]),
                (19, &["08:50", "13:20", "18:00"]),
                (20, &["08:50", "13:20", "17:59"]),
                (21, &["13:20"]),
                (22, &[]),
                (23, &[]),
            ],
        ),
        (
            "1002",
            &["08:50", "18:00"],
            vec![
                (5, &["09:00", "18:00"]),
                (8, &["05:59", "18:00"]),
                (9, &["08:55", "17:55"]),
                (10, &["08:56", "17:55"]),
                (12, &["08:50", "17:54"]),
                (13, &["11:01", "18:00"]),
                (14, &["08:50", "12:29"]),
                (15, &["08:50", "12:30"]),
                (16, &["08:50"]),
                (19, &["18:00"]),
                (20, &["08:50", "19:00"]),
                (21, &["08:50", "18:59"]),
                (22, &["08:50", "12:05"]),
                (23, &["17:56"]),
                (26, &[]),
                (27, &[]),
                (28, &["08:50"]),
            ],
        ),
        (
            "1003",
            &["08:50", "17:35"],
            vec![
                (3, &["09:00", "17:30"]),
                (18, &["09:00", "13:10"]),
                (8, &["08:44", "17:30"]),
                (9, &["09:15", "17:30"]),
                (10, &["09:16", "17:30"]),
                (12, &["11:00", "17:30"]),
                (13, &["11:01", "17:30"]),
                (14, &["08:50", "15:30"]),
                (15, &["08:50", "15:29"]),
                (16, &["08:50", "17:29"]),
                (19, &["12:44", "17:30"]),
                (20, &["12:45", "17:30"]),
                (21, &["08:50", "18:30"]),
                (22, &["08:50", "18:29"]),
                (23, &["09:40"]),
                (26, &["11:05", "17:30"]),
                (27, &["17:40"]),
                (28, &[]),
            ],
        ),
        (
            "1004",
            &["07:25", "12:00", "13:55", "19:00"],
            vec![
                (8, &["06:29", "12:00", "14:00", "19:00"]),
                (9, &["07:31", "12:00", "14:00", "19:00"]),
                (10, &["07:30", "11:59", "14:00", "19:00"]),
                (12, &["07:30", "12:59", "13:00", "19:00"]),
                (13, &["10:00", "14:00", "19:00"]),
                (14, &["10:16", "14:00", "19:00"]),
                (15, &["07:30", "10:30", "14:00", "19:00"]),
                (16, &["10:00", "10:40", "14:00", "19:00"]),
                (19, &["07:30", "12:00"]),
                (20, &["07:30", "14:00", "19:00"]),
                (21, &["07:30", "12:00"]),
                (22, &["14:20", "19:00"]),
                (23, &["07:30", "12:00", "14:00", "19:45"]),
            ],
        ),
        (
            "1005",
            &["21:55", "+1 06:00"],
            vec![
                (8, &["20:59", "+1 06:00"]),
                (9, &["22:10", "+1 06:00"]),
                (12, &["21:55", "+1 05:50"]),
                (13, &["21:55", "+1 07:00"]),
                (14, &["21:55"]),
                (15, &[]),
                (16, &["23:01", "+1 06:00"]),
                (19, &["21:55", "+1 04:59"]),
            ],
        ),
    ]
}

fn oct(day: u32) -> chrono::NaiveDate {
    d(&format!("2026-10-{day:02}"))
}

fn punches_of_the_month(cal: &Calendar) -> Vec<Punch> {
    let mut out = Vec::new();
    for (no, ordinary, special) in punch_plan() {
        for day in 1..=31 {
            let date = oct(day);
            let times: &[&str] = match special.iter().find(|(d, _)| *d == day) {
                Some((_, t)) => t,
                None if cal.day(date).kind.is_working() => ordinary,
                None => &[],
            };
            out.extend(punches(no, date, times));
        }
    }
    out
}

/// An approved half-day leave for `session` (0-based) of a day of October.
fn session_of(no: &str, day: u32, session: usize, kind: &str) -> Request {
    let span = Span::Session {
        date: oct(day),
        session,
    };
    let id = u64::from(day) * 10 + session as u64;
    approved(
        id,
        no,
        RequestKind::Leave {
            leave_type: kind.into(),
            span,
        },
    )
}

fn requests() -> Vec<Request> {
    let range = |day: u32, from: &str, to: &str| Span::Range {
        from: at(oct(day), from),
        to: at(oct(day), to),
    };
    vec![
        session_of("1001", 21, 0, "annual"),
        session_of("1001", 22, 0, "annual"),
        // Submitted, never approved: changes nothing.
        with_state(
            approved(
                1,
                "1001",
                leave_days("1001", "annual", "2026-10-23", "2026-10-23"),
            ),
            RequestState::Submitted,
        ),
        session_of("1002", 22, 1, "personal"),
        approved(
            2,
            "1002",
            RequestKind::Outing {
                place: "市局".into(),
                span: range(23, "09:00", "12:00"),
            },
        ),
        approved(
            3,
            "1002",
            RequestKind::Trip {
                destination: "南宁".into(),
                span: Span::Days {
                    from: oct(26),
                    to: oct(27),
                },
            },
        ),
        approved(
            4,
            "1002",
            RequestKind::Supplement {
                at: at(oct(28), "18:00"),
                punch: PunchKind::Out,
                evidence: "同事确认".into(),
            },
        ),
        session_of("1003", 23, 1, "sick"),
        approved(
            5,
            "1003",
            RequestKind::Outing {
                place: "税务局".into(),
                span: range(26, "09:00", "11:00"),
            },
        ),
        session_of("1004", 21, 1, "personal"),
        session_of("1004", 22, 0, "personal"),
    ]
}

fn run() -> MonthResult {
    let cal = Calendar::bundled_cn();
    let employees: Vec<Employee> = ["1001", "1002", "1003", "1004", "1005"]
        .into_iter()
        .map(emp)
        .collect();
    let punches = punches_of_the_month(&cal);
    let requests = requests();
    let book = book();
    assert_eq!(book.validate(), Ok(()));
    reconcile_month(&MonthInput {
        year: 2026,
        month: 10,
        employees: &employees,
        punches: &punches,
        requests: &requests,
        book: &book,
        calendar: &cal,
        now: ts(NOW),
    })
}

/// Written by hand: A = 1001, B = 1002, C = 1003, D = 1004, night = 1005.
const EXPECTED: &str = "\
employee_no,date,day_type,status,late_minutes,early_minutes,absent_sessions,overtime_minutes
1001,2026-10-01,holiday,overtime;holiday,0,0,0,420
1001,2026-10-02,holiday,holiday,0,0,0,0
1001,2026-10-03,holiday,holiday,0,0,0,0
1001,2026-10-04,holiday,overtime;holiday,0,0,0,180
1001,2026-10-05,holiday,holiday,0,0,0,0
1001,2026-10-06,holiday,holiday,0,0,0,0
1001,2026-10-07,holiday,holiday,0,0,0,0
1001,2026-10-08,workday,normal,0,0,0,0
1001,2026-10-09,workday,normal,0,0,0,0
1001,2026-10-10,makeup_workday,late,1,0,0,0
1001,2026-10-11,restday,restday,0,0,0,0
1001,2026-10-12,workday,late,60,0,0,0
1001,2026-10-13,workday,absent,0,0,1,0
1001,2026-10-14,workday,absent,0,0,1,0
1001,2026-10-15,workday,normal,0,0,0,0
1001,2026-10-16,workday,absent,0,0,2,0
1001,2026-10-17,restday,restday,0,0,0,0
1001,2026-10-18,restday,restday,0,0,0,0
1001,2026-10-19,workday,normal;overtime,0,0,0,30
1001,2026-10-20,workday,normal,0,0,0,0
1001,2026-10-21,workday,normal;leave:annual,0,0,0,0
1001,2026-10-22,workday,absent;leave:annual,0,0,1,0
1001,2026-10-23,workday,absent,0,0,2,0
1001,2026-10-24,restday,restday,0,0,0,0
1001,2026-10-25,restday,restday,0,0,0,0
1001,2026-10-26,workday,normal,0,0,0,0
1001,2026-10-27,workday,normal,0,0,0,0
1001,2026-10-28,workday,normal,0,0,0,0
1001,2026-10-29,workday,normal,0,0,0,0
1001,2026-10-30,workday,normal,0,0,0,0
1001,2026-10-31,restday,restday,0,0,0,0
1002,2026-10-01,holiday,holiday,0,0,0,0
1002,2026-10-02,holiday,holiday,0,0,0,0
1002,2026-10-03,holiday,holiday,0,0,0,0
1002,2026-10-04,holiday,holiday,0,0,0,0
1002,2026-10-05,holiday,overtime;holiday,0,0,0,480
1002,2026-10-06,holiday,holiday,0,0,0,0
1002,2026-10-07,holiday,holiday,0,0,0,0
1002,2026-10-08,workday,normal,0,0,0,0
1002,2026-10-09,workday,normal,0,0,0,0
1002,2026-10-10,makeup_workday,late,1,0,0,0
1002,2026-10-11,restday,restday,0,0,0,0
1002,2026-10-12,workday,early,0,1,0,0
1002,2026-10-13,workday,late,126,0,0,0
1002,2026-10-14,workday,missing_out,0,0,0,0
1002,2026-10-15,workday,early,0,325,0,0
1002,2026-10-16,workday,missing_out,0,0,0,0
1002,2026-10-17,restday,restday,0,0,0,0
1002,2026-10-18,restday,restday,0,0,0,0
1002,2026-10-19,workday,missing_in,0,0,0,0
1002,2026-10-20,workday,normal;overtime,0,0,0,60
1002,2026-10-21,workday,normal,0,0,0,0
1002,2026-10-22,workday,normal;leave:personal,0,0,0,0
1002,2026-10-23,workday,normal;outing,0,0,0,0
1002,2026-10-24,restday,restday,0,0,0,0
1002,2026-10-25,restday,restday,0,0,0,0
1002,2026-10-26,workday,trip,0,0,0,0
1002,2026-10-27,workday,trip,0,0,0,0
1002,2026-10-28,workday,normal;supplement,0,0,0,0
1002,2026-10-29,workday,normal,0,0,0,0
1002,2026-10-30,workday,normal,0,0,0,0
1002,2026-10-31,restday,restday,0,0,0,0
1003,2026-10-01,holiday,holiday,0,0,0,0
1003,2026-10-02,holiday,holiday,0,0,0,0
1003,2026-10-03,holiday,overtime;holiday,0,0,0,420
1003,2026-10-04,holiday,holiday,0,0,0,0
1003,2026-10-05,holiday,holiday,0,0,0,0
1003,2026-10-06,holiday,holiday,0,0,0,0
1003,2026-10-07,holiday,holiday,0,0,0,0
1003,2026-10-08,workday,normal,0,0,0,0
1003,2026-10-09,workday,normal,0,0,0,0
1003,2026-10-10,makeup_workday,late,16,0,0,0
1003,2026-10-11,restday,restday,0,0,0,0
1003,2026-10-12,workday,late,120,0,0,0
1003,2026-10-13,workday,absent,0,0,1,0
1003,2026-10-14,workday,early,0,120,0,0
1003,2026-10-15,workday,absent,0,0,1,0
1003,2026-10-16,workday,early,0,1,0,0
1003,2026-10-17,restday,restday,0,0,0,0
1003,2026-10-18,restday,overtime;restday,0,0,0,180
1003,2026-10-19,workday,absent,0,0,1,0
1003,2026-10-20,workday,missing_in,0,0,0,0
1003,2026-10-21,workday,normal;overtime,0,0,0,30
1003,2026-10-22,workday,normal,0,0,0,0
1003,2026-10-23,workday,late;leave:sick,40,0,0,0
1003,2026-10-24,restday,restday,0,0,0,0
1003,2026-10-25,restday,restday,0,0,0,0
1003,2026-10-26,workday,normal;outing,0,0,0,0
1003,2026-10-27,workday,missing_in,0,0,0,0
1003,2026-10-28,workday,absent,0,0,2,0
1003,2026-10-29,workday,normal,0,0,0,0
1003,2026-10-30,workday,normal,0,0,0,0
1003,2026-10-31,restday,restday,0,0,0,0
1004,2026-10-01,holiday,holiday,0,0,0,0
1004,2026-10-02,holiday,holiday,0,0,0,0
1004,2026-10-03,holiday,holiday,0,0,0,0
1004,2026-10-04,holiday,holiday,0,0,0,0
1004,2026-10-05,holiday,holiday,0,0,0,0
1004,2026-10-06,holiday,holiday,0,0,0,0
1004,2026-10-07,holiday,holiday,0,0,0,0
1004,2026-10-08,workday,normal,0,0,0,0
1004,2026-10-09,workday,late,1,0,0,0
1004,2026-10-10,makeup_workday,early,0,1,0,0
1004,2026-10-11,restday,restday,0,0,0,0
1004,2026-10-12,workday,normal,0,0,0,0
1004,2026-10-13,workday,late;missing_out,150,0,0,0
1004,2026-10-14,workday,early;missing_in,0,104,0,0
1004,2026-10-15,workday,early,0,90,0,0
1004,2026-10-16,workday,late;early,150,80,0,0
1004,2026-10-17,restday,restday,0,0,0,0
1004,2026-10-18,restday,restday,0,0,0,0
1004,2026-10-19,workday,absent,0,0,1,0
1004,2026-10-20,workday,missing_out,0,0,0,0
1004,2026-10-21,workday,normal;leave:personal,0,0,0,0
1004,2026-10-22,workday,late;leave:personal,20,0,0,0
1004,2026-10-23,workday,normal;overtime,0,0,0,30
1004,2026-10-24,restday,restday,0,0,0,0
1004,2026-10-25,restday,restday,0,0,0,0
1004,2026-10-26,workday,normal,0,0,0,0
1004,2026-10-27,workday,normal,0,0,0,0
1004,2026-10-28,workday,normal,0,0,0,0
1004,2026-10-29,workday,normal,0,0,0,0
1004,2026-10-30,workday,normal,0,0,0,0
1004,2026-10-31,restday,restday,0,0,0,0
1005,2026-10-01,holiday,holiday,0,0,0,0
1005,2026-10-02,holiday,holiday,0,0,0,0
1005,2026-10-03,holiday,holiday,0,0,0,0
1005,2026-10-04,holiday,holiday,0,0,0,0
1005,2026-10-05,holiday,holiday,0,0,0,0
1005,2026-10-06,holiday,holiday,0,0,0,0
1005,2026-10-07,holiday,holiday,0,0,0,0
1005,2026-10-08,workday,normal,0,0,0,0
1005,2026-10-09,workday,late,10,0,0,0
1005,2026-10-10,makeup_workday,normal,0,0,0,0
1005,2026-10-11,restday,restday,0,0,0,0
1005,2026-10-12,workday,early,0,10,0,0
1005,2026-10-13,workday,normal;overtime,0,0,0,60
1005,2026-10-14,workday,missing_out,0,0,0,0
1005,2026-10-15,workday,absent,0,0,1,0
1005,2026-10-16,workday,late,61,0,0,0
1005,2026-10-17,restday,restday,0,0,0,0
1005,2026-10-18,restday,restday,0,0,0,0
1005,2026-10-19,workday,early,0,61,0,0
1005,2026-10-20,workday,normal,0,0,0,0
1005,2026-10-21,workday,normal,0,0,0,0
1005,2026-10-22,workday,normal,0,0,0,0
1005,2026-10-23,workday,normal,0,0,0,0
1005,2026-10-24,restday,restday,0,0,0,0
1005,2026-10-25,restday,restday,0,0,0,0
1005,2026-10-26,workday,normal,0,0,0,0
1005,2026-10-27,workday,normal,0,0,0,0
1005,2026-10-28,workday,normal,0,0,0,0
1005,2026-10-29,workday,normal,0,0,0,0
1005,2026-10-30,workday,normal,0,0,0,0
1005,2026-10-31,restday,restday,0,0,0,0
";

#[test]
fn the_golden_month_matches_byte_for_byte_and_again() {
    let first = run().csv();
    let wrong: Vec<String> = EXPECTED
        .lines()
        .zip(first.lines())
        .filter(|(want, got)| want != got)
        .map(|(want, got)| format!("want {want}\n got {got}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} rows differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(first, EXPECTED);
    assert_eq!(run().csv(), first, "a second run gives other bytes");
}

#[test]
fn the_golden_month_totals_by_real_length_and_pay_class() {
    let m = run();
    let t = |no: &str| {
        m.summary_of(no)
            .map(|s| s.totals.clone())
            .unwrap_or_default()
    };
    for no in ["1001", "1002", "1003", "1004", "1005"] {
        assert_eq!(t(no).required_days, 18, "{no}");
    }
    // Half a day excused is half a day; an outing counts by its length.
    let b = t("1002");
    assert_eq!(
        (b.outing_days, b.outing_minutes, b.trip_days),
        (0.5, 180, 2.0)
    );
    assert_eq!(b.leave.get("personal").map(|l| l.days), Some(0.5));
    let c = t("1003");
    assert_eq!((c.outing_days, c.outing_minutes), (0.0, 120));
    assert_eq!(c.leave.get("sick").map(|l| l.days), Some(0.5));
    assert_eq!(t("1001").leave.get("annual").map(|l| l.days), Some(1.0));
    assert_eq!(t("1004").leave.get("personal").map(|l| l.days), Some(1.0));
    // Overtime classes (workday 150 %, rest day 200 %, statutory holiday 300 %), kept apart.
    let classes = |no: &str| {
        let x = t(no);
        (x.overtime_workday, x.overtime_restday, x.overtime_holiday)
    };
    assert_eq!(
        classes("1001"),
        (30, 180, 420),
        "Oct 1 statutory, Oct 4 shifted"
    );
    assert_eq!(classes("1002"), (60, 480, 0), "Oct 5 is a shifted day off");
    assert_eq!(
        classes("1003"),
        (30, 180, 420),
        "Oct 3 statutory, Oct 18 a Sunday"
    );
    assert_eq!(classes("1004"), (30, 0, 0));
    assert_eq!(classes("1005"), (60, 0, 0));
}
