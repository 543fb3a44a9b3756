//! Table-driven reconciliation cases: presets A–D at and around every boundary, duplicates, punches
//! outside windows, missed sessions, night and flexible shifts, requests, calendars and employment.

mod common;
#[path = "reconcile_rules/mod.rs"]
mod rules;

use chrono::NaiveDate;
use common::*;
use kaoqin_domain::clock::ClockTime as T;
use kaoqin_domain::*;

/// One case: shift, date, punch times, requests, and the expected outcome.
struct Case {
    name: &'static str,
    shift: Shift,
    date: &'static str,
    times: &'static [&'static str],
    requests: Vec<Request>,
    /// Expected status codes joined by ';'.
    codes: &'static str,
    late: u32,
    early: u32,
    absent: u32,
    overtime: u32,
    unmatched: usize,
    /// Punches that belong to a session but were not needed there.
    extra: usize,
    /// The overtime pay class, where the case is about it.
    ot_kind: Option<OvertimeKind>,
}

const MON: &str = "2026-11-16";

fn case(
    name: &'static str,
    shift: Shift,
    times: &'static [&'static str],
    codes: &'static str,
) -> Case {
    Case {
        name,
        shift,
        date: MON,
        times,
        requests: vec![],
        codes,
        late: 0,
        early: 0,
        absent: 0,
        overtime: 0,
        unmatched: 0,
        extra: 0,
        ot_kind: None,
    }
}

impl Case {
    fn late(mut self, m: u32) -> Self {
        self.late = m;
        self
    }
    fn early(mut self, m: u32) -> Self {
        self.early = m;
        self
    }
    fn absent(mut self, n: u32) -> Self {
        self.absent = n;
        self
    }
    fn ot(mut self, m: u32) -> Self {
        self.overtime = m;
        self
    }
    fn unmatched(mut self, n: usize) -> Self {
        self.unmatched = n;
        self
    }
    fn extra(mut self, n: usize) -> Self {
        self.extra = n;
        self
    }
    fn ot_kind(mut self, k: OvertimeKind) -> Self {
        self.ot_kind = Some(k);
        self
    }
    fn on(mut self, date: &'static str) -> Self {
        self.date = date;
        self
    }
    fn req(mut self, r: Request) -> Self {
        self.requests.push(r);
        self
    }
}

fn a() -> Shift {
    presets::preset_a()
}
fn b() -> Shift {
    presets::preset_b()
}
fn c() -> Shift {
    presets::preset_c()
}
fn dd() -> Shift {
    presets::preset_d()
}

/// 22:00–06:00+1, sign in 21:00–23:00, sign out 05:00+1–08:00+1; the day changes at 12:00.
fn night() -> Shift {
    let mut s = Session::new("夜班", T::hm(22, 0), T::next_day(6, 0));
    s.sign_in = Some(PunchWindow::new(T::hm(21, 0), T::hm(23, 0)));
    s.sign_out = Some(PunchWindow::new(T::next_day(5, 0), T::next_day(8, 0)));
    Shift {
        code: "N".into(),
        name_zh: "夜班".into(),
        name_en: "Night".into(),
        day_changes_at: T::hm(12, 0),
        in_out: InOutMode::Windows,
        sessions: vec![s],
        flexible: None,
        overtime: Some(OvertimeRule {
            starts_after_end: 0,
            min_minutes: 30,
            rounding: Rounding::down(30),
            requires_request: false,
        }),
        rounding: Rounding::EXACT,
    }
}

/// Flexible 07:00–20:00, core 10:00–16:00, at least 8 hours.
fn flex() -> Shift {
    Shift {
        code: "F".into(),
        name_zh: "弹性".into(),
        name_en: "Flexible".into(),
        day_changes_at: T::hm(0, 0),
        in_out: InOutMode::Windows,
        sessions: vec![],
        flexible: Some(FlexRule {
            earliest_in: T::hm(7, 0),
            latest_out: T::hm(20, 0),
            core: Some((T::hm(10, 0), T::hm(16, 0))),
            min_minutes: 480,
        }),
        overtime: Some(OvertimeRule {
            starts_after_end: 0,
            min_minutes: 60,
            rounding: Rounding::down(30),
            requires_request: false,
        }),
        rounding: Rounding::EXACT,
    }
}

fn rounded_c() -> Shift {
    let mut s = c();
    s.rounding = Rounding {
        unit: 10,
        cutoff: 5,
    };
    s
}

fn ot_by_request() -> Shift {
    let mut s = b();
    if let Some(ot) = s.overtime.as_mut() {
        ot.requires_request = true;
    }
    s
}

/// The same preset under ZK's strict windows: punches outside a window are ignored.
fn strict(mut s: Shift) -> Shift {
    s.in_out = InOutMode::StrictWindows;
    s
}

/// An approved half-day request for session `i` (0-based) of the case's Monday.
fn half(id: u64, i: usize, leave_type: &str) -> Request {
    approved(
        id,
        "1001",
        RequestKind::Leave {
            leave_type: leave_type.into(),
            span: Span::Session {
                date: d(MON),
                session: i,
            },
        },
    )
}

fn c_with(edit: fn(&mut Shift)) -> Shift {
    let mut s = c();
    edit(&mut s);
    s
}

fn d_keys(split: Option<T>) -> Shift {
    let mut s = dd();
    s.in_out = InOutMode::StateKey;
    s.sessions[0].split_after = split;
    if let (Some(split), Some(w)) = (split, s.sessions[0].sign_out.as_mut()) {
        w.closes = split.plus(-1);
    }
    s
}

fn cases() -> Vec<Case> {
    vec![
        // Preset A: two sign-ins, 08:30–09:00 and 13:00–13:30.
        case("A normal", a(), &["08:50", "13:20"], "normal"),
        case("A window opens exactly", a(), &["08:30", "13:00"], "normal"),
        case(
            "A arriving before the window opens is on time, never absent",
            a(),
            &["08:29", "13:20"],
            "normal",
        ),
        case(
            "A arriving at 06:00 is on time",
            a(),
            &["06:00", "12:59"],
            "normal",
        ),
        case("A exactly at start", a(), &["09:00", "13:30"], "normal"),
        case("A one minute late", a(), &["09:01", "13:30"], "late").late(1),
        case(
            "A afternoon one minute late",
            a(),
            &["08:59", "13:31"],
            "late",
        )
        .late(1),
        case(
            "A late exactly at the absence threshold",
            a(),
            &["10:00", "13:20"],
            "late",
        )
        .late(60),
        case(
            "A late beyond the absence threshold",
            a(),
            &["10:01", "13:20"],
            "absent",
        )
        .absent(1),
        case("A no punches", a(), &[], "absent").absent(2),
        case("A afternoon session missed", a(), &["08:50"], "absent").absent(1),
        case(
            "A overtime 40 min rounds down to 30",
            a(),
            &["08:50", "13:20", "18:10"],
            "normal;overtime",
        )
        .ot(30),
        case(
            "A overtime 29 min is below the minimum",
            a(),
            &["08:50", "13:20", "17:59"],
            "normal",
        ),
        case(
            "A overtime exactly 30 min",
            a(),
            &["08:50", "13:20", "18:00"],
            "normal;overtime",
        )
        .ot(30),
        case(
            "A duplicate within a minute counts once",
            a(),
            &["08:50:00", "08:50:30", "13:20"],
            "normal",
        ),
        case(
            "A noon punch is a spare punch of the morning, kept",
            a(),
            &["08:50", "12:30", "13:20"],
            "normal",
        )
        .extra(1),
        // Preset B: sign in before 08:55, sign out after 17:55.
        case("B normal", b(), &["08:54", "17:56"], "normal"),
        case(
            "B both exactly on the limits",
            b(),
            &["08:55", "17:55"],
            "normal",
        ),
        case("B one minute late", b(), &["08:56", "17:55"], "late").late(1),
        case("B one minute early", b(), &["08:50", "17:54"], "early").early(1),
        case("B no sign-out", b(), &["08:50"], "missing_out"),
        case("B no sign-in", b(), &["17:56"], "missing_in"),
        case(
            "B sign-in before the window opens is on time",
            b(),
            &["05:59", "17:56"],
            "normal",
        ),
        case(
            "B overtime 60 min",
            b(),
            &["08:50", "19:00"],
            "normal;overtime",
        )
        .ot(60),
        case(
            "B overtime 59 min below minimum",
            b(),
            &["08:50", "18:59"],
            "normal",
        ),
        case(
            "B sign-in after its window closes is late, not missing",
            b(),
            &["11:01", "17:56"],
            "late",
        )
        .late(126),
        // Preset C: 08:45–09:15 on time, 17:30–18:00 sign out.
        case("C window opens exactly", c(), &["08:45", "17:30"], "normal"),
        case(
            "C one minute before the window is on time",
            c(),
            &["08:44", "17:30"],
            "normal",
        ),
        case(
            "C end of grace 09:15 is on time",
            c(),
            &["09:15", "17:30"],
            "normal",
        ),
        case(
            "C 09:16 is late 16 minutes from 09:00",
            c(),
            &["09:16", "17:30"],
            "late",
        )
        .late(16),
        case("C one minute early", c(), &["08:50", "17:29"], "early").early(1),
        case(
            "C leaving one minute before the sign-out window is early beyond the threshold",
            c(),
            &["08:50", "15:29"],
            "absent",
        )
        .absent(1),
        case(
            "C early exactly at the absence threshold",
            c(),
            &["08:50", "15:30"],
            "early",
        )
        .early(120),
        case(
            "C late exactly 120 is late",
            c(),
            &["11:00", "17:30"],
            "late",
        )
        .late(120),
        case(
            "C overtime 30 after the 30 min break",
            c(),
            &["08:50", "18:30"],
            "normal;overtime",
        )
        .ot(30),
        case(
            "C overtime 29 after the break",
            c(),
            &["08:50", "18:29"],
            "normal",
        ),
        case(
            "C two sessions, morning missed",
            c(),
            &["17:40"],
            "missing_in",
        ),
        case(
            "C late minutes rounded down below the cut-off",
            rounded_c(),
            &["09:24", "17:30"],
            "late",
        )
        .late(20),
        case(
            "C late minutes rounded up at the cut-off",
            rounded_c(),
            &["09:35", "17:30"],
            "late",
        )
        .late(40),
        // Preset D: four punches.
        case(
            "D normal on every boundary",
            dd(),
            &["07:30", "12:00", "14:00", "19:00"],
            "normal",
        ),
        case(
            "D morning one minute late",
            dd(),
            &["07:31", "12:00", "14:00", "19:00"],
            "late",
        )
        .late(1),
        case(
            "D morning one minute early",
            dd(),
            &["07:30", "11:59", "14:00", "19:00"],
            "early",
        )
        .early(1),
        case(
            "D afternoon one minute late",
            dd(),
            &["07:30", "12:00", "14:01", "19:00"],
            "late",
        )
        .late(1),
        case(
            "D afternoon one minute early",
            dd(),
            &["07:30", "12:00", "14:00", "18:59"],
            "early",
        )
        .early(1),
        case(
            "D afternoon session missed",
            dd(),
            &["07:30", "12:00"],
            "absent",
        )
        .absent(1),
        case(
            "D morning sign-out forgotten",
            dd(),
            &["07:30", "14:00", "19:00"],
            "missing_out",
        ),
        case(
            "D one minute before the first window is on time",
            dd(),
            &["06:29", "12:00", "14:00", "19:00"],
            "normal",
        ),
        case(
            "D windows' last and first minutes",
            dd(),
            &["09:30", "12:59", "13:00", "23:59"],
            "late;overtime",
        )
        .late(120)
        .ot(270),
        case(
            "D overtime 45 rounds to 30",
            dd(),
            &["07:30", "12:00", "14:00", "19:45"],
            "normal;overtime",
        )
        .ot(30),
        case(
            "D duplicates at every punch",
            dd(),
            &[
                "07:30", "07:30:59", "12:00", "12:00:10", "14:00", "19:00", "19:00:01",
            ],
            "normal",
        ),
        // Policies for missing punches, and the terminal's state key with the split point.
        case(
            "missing sign-in counts as 30 minutes late",
            c_with(|s| s.sessions[0].missing_in = MissingPolicy::Minutes(30)),
            &["17:35"],
            "late",
        )
        .late(30),
        case(
            "missing sign-out counts as absent",
            c_with(|s| s.sessions[1].missing_out = MissingPolicy::Absent),
            &["08:50"],
            "absent",
        )
        .absent(1),
        case(
            "missing sign-out counts as 60 minutes early",
            c_with(|s| s.sessions[1].missing_out = MissingPolicy::Minutes(60)),
            &["08:50"],
            "early",
        )
        .early(60),
        case(
            "state key: 12:40 check-in before the 13:00 split is a morning punch",
            d_keys(None),
            &["07:30/0", "12:00/1", "12:40/0", "19:00/1"],
            "missing_in",
        )
        .extra(1),
        case(
            "state key: split moved to 12:30 makes 12:40 the afternoon sign-in",
            d_keys(Some(T::hm(12, 30))),
            &["07:30/0", "12:00/1", "12:40/0", "19:00/1"],
            "normal",
        ),
        case(
            "state key: a check-in key at noon is not a sign-out",
            d_keys(None),
            &["07:25/0", "12:00/0", "14:00/0", "19:00/1"],
            "missing_out",
        )
        .extra(1),
        // Night shift across midnight.
        case("night normal", night(), &["21:55", "+1 06:02"], "normal"),
        case(
            "night early by 10",
            night(),
            &["21:55", "+1 05:50"],
            "early",
        )
        .early(10),
        case("night late by 10", night(), &["22:10", "+1 06:00"], "late").late(10),
        case(
            "night overtime after 06:00",
            night(),
            &["21:55", "+1 07:00"],
            "normal;overtime",
        )
        .ot(60),
        case(
            "night the previous night's sign-out is not today's",
            night(),
            &["06:00", "21:58", "+1 06:00"],
            "normal",
        ),
        // Flexible.
        case("flex normal", flex(), &["08:00", "16:30"], "normal"),
        case(
            "flex arrives after core start",
            flex(),
            &["10:30", "19:00"],
            "late",
        )
        .late(30),
        case(
            "flex short day and leaves before core end",
            flex(),
            &["08:00", "15:00"],
            "early",
        )
        .early(60),
        case("flex only one punch", flex(), &["08:00"], "missing_out"),
        case(
            "flex overtime beyond the minimum",
            flex(),
            &["07:00", "17:00"],
            "normal;overtime",
        )
        .ot(120),
    ]
    .into_iter()
    .chain(rules::request_and_calendar_cases())
    .chain(rules::rule_cases())
    .collect()
}

#[test]
fn reconciliation_table() {
    let cal = Calendar::bundled_cn();
    let employee = emp("1001");
    let now = ts("2026-12-01 09:00");
    let all = cases();
    assert!(all.len() >= 110, "only {} cases", all.len());
    let mut failures = Vec::new();
    for c in &all {
        assert_eq!(
            c.shift.validate(),
            Ok(()),
            "{}: the shift itself must be valid",
            c.name
        );
        let date: NaiveDate = d(c.date);
        let ps = punches("1001", date, c.times);
        let day = cal.day(date);
        let r = reconcile_day(&employee, date, &ps, Some(&c.shift), &day, &c.requests, now);
        let got = (
            codes(&r),
            r.late_minutes(),
            r.early_minutes(),
            r.absent_sessions(),
            r.overtime_minutes,
            r.unmatched.len(),
            r.extra.len(),
            c.ot_kind.map(|_| r.overtime_kind),
        );
        let want = (
            c.codes.to_string(),
            c.late,
            c.early,
            c.absent,
            c.overtime,
            c.unmatched,
            c.extra,
            c.ot_kind,
        );
        if got != want {
            failures.push(format!("{}: got {:?}, want {:?}", c.name, got, want));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
