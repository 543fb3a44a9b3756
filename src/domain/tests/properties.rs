//! Property tests: an approved leave never makes a day worse; moving a sign-in earlier never makes it
//! later; the overtime classes partition the overtime minutes; reconciliation is deterministic.

mod common;

use common::*;
use kaoqin_domain::*;
use proptest::prelude::*;

fn shift_of(i: u8) -> Shift {
    presets::all().swap_remove(usize::from(i % 4))
}

/// How bad a day is: (absent sessions, missing punches, late + early minutes).
fn badness(r: &DayResult) -> (u32, u32, u32) {
    (
        r.absent_sessions(),
        r.missing_in_count() + r.missing_out_count(),
        r.late_minutes() + r.early_minutes(),
    )
}

prop_compose! {
    fn day_punches()(mins in proptest::collection::vec(300u32..1439, 0..8), states in proptest::collection::vec(0u8..6, 8)) -> Vec<(u32, u8)> {
        mins.into_iter().zip(states).collect()
    }
}

fn span_strategy() -> impl Strategy<Value = Span> {
    let date = d("2026-11-16");
    prop_oneof![
        Just(Span::Days {
            from: date,
            to: date
        }),
        (0usize..2).prop_map(move |s| Span::Session { date, session: s }),
        (300u32..1400, 10u32..600).prop_map(move |(a, len)| {
            let from = date.and_hms_opt(0, 0, 0).unwrap() + chrono::Duration::minutes(i64::from(a));
            Span::Range {
                from,
                to: from + chrono::Duration::minutes(i64::from(len)),
            }
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn approved_leave_never_makes_a_day_worse(shift_i in 0u8..4, ps in day_punches(), span in span_strategy(), state_key in any::<bool>()) {
        let date = d("2026-11-16");
        let mut shift = shift_of(shift_i);
        if state_key { shift.in_out = InOutMode::StateKey; }
        let punches: Vec<Punch> = ps.iter().map(|&(m, s)| punch("1001", date.and_hms_opt(m / 60, m % 60, 0).unwrap(), s)).collect();
        let cal = Calendar::bundled_cn();
        let day = cal.day(date);
        let now = ts("2026-12-01 00:00");
        let e = emp("1001");
        let before = reconcile_day(&e, date, &punches, Some(&shift), &day, &[], now);
        let leave = approved(1, "1001", RequestKind::Leave { leave_type: "annual".into(), span });
        let after = reconcile_day(&e, date, &punches, Some(&shift), &day, &[leave], now);
        let (b, a) = (badness(&before), badness(&after));
        // Worse = more absence; at equal absence, more missing punches; then more late/early minutes.
        prop_assert!(a <= b, "(absent, missing, late+early) {:?} -> {:?}", b, a);
        prop_assert!(after.attended_days() + after.leave.iter().map(|l| l.days).sum::<f64>() >= before.attended_days() - 1e-9);
    }

    #[test]
    fn reconciliation_is_deterministic(shift_i in 0u8..4, ps in day_punches()) {
        let date = d("2026-11-16");
        let shift = shift_of(shift_i);
        let mut punches: Vec<Punch> = ps.iter().map(|&(m, s)| punch("1001", date.and_hms_opt(m / 60, m % 60, 0).unwrap(), s)).collect();
        let cal = Calendar::bundled_cn();
        let now = ts("2026-12-01 00:00");
        let a = reconcile_day(&emp("1001"), date, &punches, Some(&shift), &cal.day(date), &[], now);
        let b = reconcile_day(&emp("1001"), date, &punches, Some(&shift), &cal.day(date), &[], now);
        punches.reverse();
        let c = reconcile_day(&emp("1001"), date, &punches, Some(&shift), &cal.day(date), &[], now);
        prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
        prop_assert_eq!(a.csv_row(), c.csv_row());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn moving_a_sign_in_earlier_never_makes_the_day_worse(shift_i in 0u8..4, ps in day_punches(), which in 0usize..2, by in 1i32..240) {
        let date = d("2026-11-16");
        let shift = shift_of(shift_i);
        let at = |m: i32| date.and_hms_opt(0, 0, 0).unwrap() + chrono::Duration::minutes(i64::from(m));
        let punches: Vec<Punch> = ps.iter().map(|&(m, s)| punch("1001", at(m as i32), s)).collect();
        let cal = Calendar::bundled_cn();
        let now = ts("2026-12-01 00:00");
        let e = emp("1001");
        let before = reconcile_day(&e, date, &punches, Some(&shift), &cal.day(date), &[], now);
        let Some(t) = before.sessions.get(which).and_then(|o| o.sign_in) else { return Ok(()); };
        // Earlier, but still in the same session (the split points decide which session a punch is).
        let (from, _) = shift.territory(which);
        let moved_to = (t.0 - by).max(from.0);
        let moved: Vec<Punch> = punches.iter().map(|p| {
            let mut p = p.clone();
            if ClockTime::of(p.ts, date) == t { p.ts = at(moved_to); }
            p
        }).collect();
        let after = reconcile_day(&e, date, &moved, Some(&shift), &cal.day(date), &[], now);
        let (b, a) = (&before.sessions[which], &after.sessions[which]);
        prop_assert!(a.late_minutes <= b.late_minutes || b.absent, "late {} -> {}", b.late_minutes, a.late_minutes);
        prop_assert!(!a.absent || b.absent, "an earlier sign-in made the session absent");
        prop_assert!(badness(&after) <= badness(&before), "{:?} -> {:?}", badness(&before), badness(&after));
    }

    #[test]
    fn overtime_classes_partition_the_overtime(shift_i in 0u8..4, ps in day_punches(), offset in 0u64..61) {
        // 2026-09-15 .. 2026-11-14 holds workdays, weekends, a make-up Sunday, statutory and shifted holiday days.
        let date = d("2026-09-15") + chrono::Days::new(offset);
        let shift = shift_of(shift_i);
        let punches: Vec<Punch> = ps.iter().map(|&(m, s)| punch("1001", date.and_hms_opt(m / 60, m % 60, 0).unwrap(), s)).collect();
        let cal = Calendar::bundled_cn();
        let day = cal.day(date);
        let r = reconcile_day(&emp("1001"), date, &punches, Some(&shift), &day, &[], ts("2026-12-01 00:00"));
        let want = if day.kind.is_working() {
            OvertimeKind::Workday
        } else if day.kind.is_holiday() && day.statutory {
            OvertimeKind::Holiday
        } else {
            OvertimeKind::RestDay
        };
        prop_assert_eq!(r.overtime_kind, want);
        let mut t = Totals::default();
        t.add_day(&r);
        let classes = [t.overtime_workday, t.overtime_restday, t.overtime_holiday];
        prop_assert_eq!(classes.iter().sum::<u32>(), r.overtime_minutes);
        prop_assert!(classes.iter().filter(|&&m| m > 0).count() <= 1);
    }
}

fn any_window() -> impl Strategy<Value = Option<PunchWindow>> {
    proptest::option::of((-100i32..3000, -100i32..3000).prop_map(|(a, b)| {
        PunchWindow::new(kaoqin_domain::ClockTime(a), kaoqin_domain::ClockTime(b))
    }))
}

prop_compose! {
    /// Any shift at all, valid or not: reconciliation must never panic on stored rules.
    fn any_shift()(
        starts in proptest::collection::vec((-100i32..3000, -100i32..3000, any_window(), any_window()), 0..4),
        day_change in -100i32..1500,
        unit in 0u32..40,
        cutoff in 0u32..40,
        state_key in any::<bool>(),
        flex in proptest::option::of((0i32..2000, 0i32..2000, 0u32..2000)),
    ) -> Shift {
        let mut s = presets::preset_c();
        s.day_changes_at = kaoqin_domain::ClockTime(day_change);
        s.rounding = Rounding { unit, cutoff };
        s.in_out = if state_key { InOutMode::StateKey } else { InOutMode::Windows };
        s.sessions = starts.into_iter().map(|(a, b, i, o)| {
            let mut x = Session::new("x", kaoqin_domain::ClockTime(a), kaoqin_domain::ClockTime(b));
            x.sign_in = i;
            x.sign_out = o;
            x.late_absent_after = Some(unit);
            x
        }).collect();
        s.flexible = flex.map(|(a, b, m)| FlexRule {
            earliest_in: kaoqin_domain::ClockTime(a),
            latest_out: kaoqin_domain::ClockTime(b),
            core: Some((kaoqin_domain::ClockTime(b), kaoqin_domain::ClockTime(a))),
            min_minutes: m,
        });
        s
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn never_panics_on_any_shift(shift in any_shift(), ps in day_punches(), span in span_strategy()) {
        let date = d("2026-11-16");
        let punches: Vec<Punch> = ps.iter().map(|&(m, s)| punch("1001", date.and_hms_opt(m / 60, m % 60, 0).unwrap(), s)).collect();
        let cal = Calendar::bundled_cn();
        let leave = approved(1, "1001", RequestKind::Leave { leave_type: "annual".into(), span });
        let r = reconcile_day(&emp("1001"), date, &punches, Some(&shift), &cal.day(date), &[leave], ts("2026-12-01 00:00"));
        // Every punch of the work date is accounted for: used, duplicate, or kept as unmatched.
        prop_assert!(r.unmatched.len() + r.duplicates as usize <= punches.len());
        let _ = shift.validate();
        let _ = r.csv_row();
    }
}
