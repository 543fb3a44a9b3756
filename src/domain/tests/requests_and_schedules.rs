//! Request state machine, shift validation, presets, assignments and rotations.

mod common;

use common::*;
use kaoqin_domain::clock::ClockTime as T;
use kaoqin_domain::*;

fn draft() -> Request {
    Request::draft(
        1,
        "1001",
        leave_days("1001", "annual", "2026-11-16", "2026-11-16"),
        "回家",
        ts("2026-11-10 09:00"),
    )
}

#[test]
fn transition_table() {
    let now = ts("2026-11-10 10:00");
    let approve = || Action::Approve {
        comment: "同意".into(),
    };
    let reject = || Action::Reject {
        comment: "不同意".into(),
    };
    let withdraw = || Action::Withdraw {
        comment: String::new(),
    };
    let submitted = transition(&draft(), Action::Submit, "1001", false, now).unwrap();
    let approved_req = transition(&submitted, approve(), "L01", true, now).unwrap();
    let rejected = transition(&submitted, reject(), "L01", true, now).unwrap();
    // (start, action, actor, is_leader, expected state or error)
    type Row<'a> = (
        &'a Request,
        Action,
        &'a str,
        bool,
        Result<RequestState, &'a str>,
    );
    let cases: Vec<Row> = vec![
        (
            &submitted,
            approve(),
            "L01",
            true,
            Ok(RequestState::Approved),
        ),
        (
            &submitted,
            reject(),
            "L01",
            true,
            Ok(RequestState::Rejected),
        ),
        (&submitted, approve(), "1001", true, Err("SelfApproval")),
        (&submitted, approve(), "2002", false, Err("NotLeader")),
        (
            &submitted,
            withdraw(),
            "1001",
            false,
            Ok(RequestState::Withdrawn),
        ),
        (&submitted, withdraw(), "L01", true, Err("NotApplicant")),
        (&submitted, Action::Submit, "1001", false, Err("NotAllowed")),
        (
            &approved_req,
            withdraw(),
            "L01",
            true,
            Ok(RequestState::Withdrawn),
        ),
        (
            &approved_req,
            withdraw(),
            "1001",
            false,
            Err("SelfApproval"),
        ),
        (&approved_req, approve(), "L01", true, Err("NotAllowed")),
        (&rejected, withdraw(), "1001", false, Err("NotAllowed")),
        (&rejected, approve(), "L01", true, Err("NotAllowed")),
        (&submitted, approve(), "  ", true, Err("NoActor")),
    ];
    for (i, (start, action, actor, leader, want)) in cases.into_iter().enumerate() {
        let got = transition(start, action, actor, leader, now);
        match (got, want) {
            (Ok(r), Ok(state)) => {
                assert_eq!(r.state, state, "case {i}");
                let last = r.history.last().unwrap();
                assert_eq!(
                    (last.actor.as_str(), last.to, last.at),
                    (actor.trim(), state, now),
                    "case {i}"
                );
            }
            (Err(e), Err(name)) => assert!(
                format!("{e:?}").starts_with(name),
                "case {i}: {e:?} is not {name}"
            ),
            (got, want) => panic!("case {i}: got {got:?}, want {want:?}"),
        }
    }
    let d0 = draft();
    let w = transition(&d0, withdraw(), "1001", false, now).unwrap();
    assert_eq!(w.state, RequestState::Withdrawn);
    assert_eq!(approved_req.decided_by.as_deref(), Some("L01"));
    assert_eq!(approved_req.history.len(), 2);
}

#[test]
fn presets_are_named_and_valid() {
    let all = presets::all();
    let names: Vec<(&str, &str, &str)> = all
        .iter()
        .map(|s| (s.code.as_str(), s.name_zh.as_str(), s.name_en.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("A", "机关两次签到", "Government office, two sign-ins"),
            ("B", "公司标准", "Company"),
            ("C", "标准工时", "Standard"),
            ("D", "四次打卡", "Four punches"),
        ]
    );
    for s in &all {
        s.validate().unwrap();
        let json = serde_json::to_string(s).unwrap();
        let back: Shift = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, s);
    }
    assert_eq!(presets::preset_b().split_after(0), Some(T::hm(12, 30)));
    assert_eq!(
        presets::by_code("d").map(|s| s.scheduled_minutes()),
        Some(570)
    );
}

#[test]
fn validation_errors_table() {
    type Edit = fn(&mut Shift);
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "end before start",
            |s| s.sessions[0].end = T::hm(8, 0),
            "EndNotAfterStart",
        ),
        (
            "sessions overlap",
            |s| s.sessions[1].start = T::hm(11, 0),
            "SessionsOverlap",
        ),
        (
            "inverted window",
            |s| s.sessions[0].sign_in = Some(PunchWindow::new(T::hm(9, 0), T::hm(8, 0))),
            "WindowInverted",
        ),
        (
            "overlapping windows",
            |s| s.sessions[0].sign_out = Some(PunchWindow::new(T::hm(8, 45), T::hm(12, 0))),
            "WindowsOverlap",
        ),
        (
            "window across the split",
            |s| s.sessions[0].sign_out = Some(PunchWindow::new(T::hm(11, 30), T::hm(13, 10))),
            "WindowCrossesSplit",
        ),
        (
            "split outside the gap",
            |s| s.sessions[0].split_after = Some(T::hm(14, 0)),
            "SplitOutsideGap",
        ),
        ("no sessions", |s| s.sessions.clear(), "NoSessions"),
        (
            "bad rounding",
            |s| s.rounding = Rounding { unit: 0, cutoff: 0 },
            "BadRounding",
        ),
        (
            "window before the day starts",
            |s| s.day_changes_at = T::hm(9, 0),
            "OutsideDay",
        ),
    ];
    for (name, edit, want) in cases {
        let mut s = presets::preset_c();
        edit(&mut s);
        let err = s.validate().expect_err(name);
        assert!(format!("{err:?}").starts_with(want), "{name}: {err:?}");
        assert!(
            err.to_string().contains("shift C"),
            "{name}: message names the shift: {err}"
        );
    }
}

#[test]
fn assignments_by_level_and_date() {
    let cal = Calendar::bundled_cn();
    let mut book = ScheduleBook::with_presets("C");
    book.assignments.push(Assignment {
        target: Target::Department("车间".into()),
        plan: PlanRef::Shift("D".into()),
        from: None,
        to: None,
    });
    book.assignments.push(Assignment {
        target: Target::Employee("1001".into()),
        plan: PlanRef::Shift("A".into()),
        from: Some(d("2026-11-10")),
        to: Some(d("2026-11-20")),
    });
    book.rotations.insert(
        "R3".into(),
        Rotation {
            code: "R3".into(),
            name: "两班一休".into(),
            start: d("2026-11-01"),
            cycle: vec![Some("D".into()), Some("D".into()), None],
        },
    );
    book.assignments.push(Assignment {
        target: Target::Employee("3003".into()),
        plan: PlanRef::Rotation("R3".into()),
        from: None,
        to: None,
    });
    book.validate().unwrap();
    let idx = book.index();
    let mut e1 = emp("1001");
    e1.department = "车间".into();
    let cases = [
        (&e1, "2026-11-09", Some("D"), DayKind::Workday),
        (&e1, "2026-11-10", Some("A"), DayKind::Workday),
        (&e1, "2026-11-20", Some("A"), DayKind::Workday),
        (&e1, "2026-11-23", Some("D"), DayKind::Workday),
    ];
    for (e, date, code, kind) in cases {
        let p = idx.plan(e, d(date), &cal);
        assert_eq!(
            (p.shift.map(|s| s.code.as_str()), p.day.kind),
            (code, kind),
            "{date}"
        );
    }
    let other = emp("2002");
    assert_eq!(
        idx.plan(&other, d("2026-11-16"), &cal)
            .shift
            .map(|s| s.code.clone()),
        Some("C".into())
    );
    // Rotation: day 0 and 1 work, day 2 rest, even on a Saturday; holidays stay holidays.
    let r = emp("3003");
    let rot = [
        ("2026-11-01", DayKind::Workday),
        ("2026-11-02", DayKind::Workday),
        ("2026-11-03", DayKind::RestDay),
        ("2026-11-07", DayKind::Workday),
    ];
    for (date, kind) in rot {
        assert_eq!(idx.plan(&r, d(date), &cal).day.kind, kind, "{date}");
    }
    assert_eq!(
        idx.plan(&r, d("2026-10-01"), &cal).day.kind,
        DayKind::PublicHoliday
    );
    let mut broken = book.clone();
    broken.assignments.push(Assignment {
        target: Target::Organisation,
        plan: PlanRef::Shift("Z".into()),
        from: None,
        to: None,
    });
    assert!(
        broken
            .validate()
            .unwrap_err()
            .to_string()
            .contains("no shift 'Z'")
    );
    let json = serde_json::to_string(&book).unwrap();
    assert_eq!(serde_json::from_str::<ScheduleBook>(&json).unwrap(), book);
}

#[test]
fn state_key_mode_uses_the_terminal_key() {
    let mut s = presets::preset_d();
    s.in_out = InOutMode::StateKey;
    let date = d("2026-11-16");
    // 11:50 keyed as check-out, 12:40 keyed check-out too (before the 13:00 split), 14:05 check-in, 19:00 out.
    let ps = vec![
        punch("1001", at(date, "07:25"), 0),
        punch("1001", at(date, "11:50"), 1),
        punch("1001", at(date, "12:40"), 1),
        punch("1001", at(date, "14:05"), 0),
        punch("1001", at(date, "19:00"), 1),
        punch("1001", at(date, "15:00"), 9),
    ];
    let cal = Calendar::bundled_cn();
    let r = reconcile_day(
        &emp("1001"),
        date,
        &ps,
        Some(&s),
        &cal.day(date),
        &[],
        ts("2026-12-01 00:00"),
    );
    assert_eq!(codes(&r), "late");
    assert_eq!(r.late_minutes(), 5);
    assert_eq!(r.sessions[0].sign_out, Some(T::hm(12, 40)));
    assert_eq!(
        r.unmatched.len(),
        1,
        "an unknown state key is kept as unmatched"
    );
}

#[test]
fn missing_sign_out_waits_until_the_window_closes() {
    let s = presets::preset_d();
    let date = d("2026-11-16");
    let ps = punches("1001", date, &["07:30", "12:00", "14:00"]);
    let cal = Calendar::bundled_cn();
    let cases = [
        ("2026-11-16 17:00", "normal", 0),
        ("2026-11-16 23:59", "normal", 0),
        ("2026-11-17 00:00", "missing_out", 1),
    ];
    for (now, want, missing) in cases {
        let r = reconcile_day(
            &emp("1001"),
            date,
            &ps,
            Some(&s),
            &cal.day(date),
            &[],
            ts(now),
        );
        assert_eq!(
            (codes(&r), r.missing_out_count()),
            (want.to_string(), missing),
            "{now}"
        );
    }
    // A day that has not started yet is all pending: no codes, nothing absent.
    let r = reconcile_day(
        &emp("1001"),
        d("2026-11-17"),
        &[],
        Some(&s),
        &cal.day(d("2026-11-17")),
        &[],
        ts("2026-11-16 12:00"),
    );
    assert!(r.pending() && r.status_codes().is_empty() && r.absent_sessions() == 0);
}

#[test]
fn employment_limits() {
    let s = presets::preset_c();
    let cal = Calendar::bundled_cn();
    let mut e = emp("1001");
    e.hired = Some(d("2026-11-10"));
    e.left = Some(d("2026-11-20"));
    let cases = [
        ("2026-11-09", "not_employed"),
        ("2026-11-10", "absent"),
        ("2026-11-20", "absent"),
        ("2026-11-23", "not_employed"),
    ];
    for (date, want) in cases {
        let r = reconcile_day(
            &e,
            d(date),
            &[],
            Some(&s),
            &cal.day(d(date)),
            &[],
            ts("2026-12-01 00:00"),
        );
        assert_eq!(codes(&r), want, "{date}");
    }
}

#[test]
fn shift_json_form_round_trips_and_is_validated() {
    let c = presets::preset_c();
    let text = c.to_json();
    assert!(text.contains("\"08:45\"") && text.contains("\"day_changes_at\": \"00:00\""));
    assert_eq!(Shift::from_json(&text), Ok(c));
    let night = text.replace("\"17:30\"", "\"06:00+1\"");
    assert!(matches!(
        Shift::from_json(&night),
        Err(ShiftError::OutsideDay { .. })
            | Err(ShiftError::WindowInverted { .. })
            | Err(ShiftError::WindowCrossesSplit { .. })
    ));
    let err = Shift::from_json("{\"code\": 1}").unwrap_err();
    assert!(matches!(err, ShiftError::Json(_)), "{err:?}");
    let bad_time = text.replacen("\"08:45\"", "\"8h45\"", 1);
    assert!(
        Shift::from_json(&bad_time)
            .unwrap_err()
            .to_string()
            .contains("8h45")
    );
}

#[test]
fn punch_deadlines_of_the_presets() {
    let deadlines = |s: Shift| -> Vec<(bool, T)> {
        s.punch_deadlines()
            .into_iter()
            .map(|d| (d.sign_in, d.at))
            .collect()
    };
    let cases: Vec<(Shift, Vec<(bool, T)>)> = vec![
        // A: two sign-ins, no sign-out.
        (
            presets::preset_a(),
            vec![(true, T::hm(9, 0)), (true, T::hm(13, 30))],
        ),
        // B: sign in by 08:55, sign out from 17:55.
        (
            presets::preset_b(),
            vec![(true, T::hm(8, 55)), (false, T::hm(17, 55))],
        ),
        // C: 15 minutes' grace on the sign-in.
        (
            presets::preset_c(),
            vec![(true, T::hm(9, 15)), (false, T::hm(17, 30))],
        ),
        // D: four punches.
        (
            presets::preset_d(),
            vec![
                (true, T::hm(7, 30)),
                (false, T::hm(12, 0)),
                (true, T::hm(14, 0)),
                (false, T::hm(19, 0)),
            ],
        ),
    ];
    for (shift, want) in cases {
        let code = shift.code.clone();
        assert_eq!(deadlines(shift), want, "preset {code}");
    }
}

#[test]
fn shifts_in_use_follow_assignment_dates_and_rotations() {
    let mut book = ScheduleBook::with_presets("A");
    book.rotations.insert(
        "R".into(),
        Rotation {
            code: "R".into(),
            name: "两班倒".into(),
            start: d("2026-03-02"),
            cycle: vec![Some("D".into()), None],
        },
    );
    book.assignments.push(Assignment {
        target: Target::Department("保卫处".into()),
        plan: PlanRef::Rotation("R".into()),
        from: Some(d("2026-03-01")),
        to: None,
    });
    book.assignments.push(Assignment {
        target: Target::Employee("1001".into()),
        plan: PlanRef::Shift("C".into()),
        from: Some(d("2026-03-03")),
        to: Some(d("2026-03-03")),
    });
    let codes = |date: &str| -> Vec<String> {
        book.shifts_in_use(d(date))
            .into_iter()
            .map(|s| s.code.clone())
            .collect()
    };
    let cases = [
        ("2026-02-28", vec!["A"]),
        ("2026-03-02", vec!["A", "D"]),
        // The rotation's rest day; 1001's one day on C.
        ("2026-03-03", vec!["A", "C"]),
        ("2026-03-04", vec!["A", "D"]),
    ];
    for (date, want) in cases {
        assert_eq!(codes(date), want, "{date}");
    }
}
