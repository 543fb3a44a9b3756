//! The four shift presets of docs/domain.md §3 (A–D), named in Chinese and English.
//!
//! The windows say which punches sign in and which sign out (lenient `InOutMode::Windows`): a punch
//! before a sign-in window opens is an early, on-time sign-in; after it closes, a late one; the split
//! points say which session a punch belongs to. Offices edit a copy where they want more (ZK's strict
//! windows are an explicit option, used by no preset). Must not hold any other rules.

use crate::clock::{ClockTime as T, Rounding};
use crate::schedule::{MissingPolicy, OvertimeRule, PunchWindow as W, Session, Shift};

/// All four presets, A to D.
pub fn all() -> Vec<Shift> {
    vec![preset_a(), preset_b(), preset_c(), preset_d()]
}

/// The preset with code `A`..`D` (case-insensitive).
pub fn by_code(code: &str) -> Option<Shift> {
    all()
        .into_iter()
        .find(|s| s.code.eq_ignore_ascii_case(code))
}

fn shift(code: &str, zh: &str, en: &str, sessions: Vec<Session>, overtime: OvertimeRule) -> Shift {
    Shift {
        code: code.to_string(),
        name_zh: zh.to_string(),
        name_en: en.to_string(),
        day_changes_at: T::hm(0, 0),
        in_out: Default::default(),
        sessions,
        flexible: None,
        overtime: Some(overtime),
        rounding: Rounding::EXACT,
    }
}

/// A: 机关 two sign-ins. 09:00–12:00 and 13:30–17:30; sign in 08:30–09:00 and 13:00–13:30;
/// no sign-out; staying late is signed after the extra work. A sign-in is the only proof of presence,
/// so a missing one makes the session absent; late by more than 60 minutes is absent too.
pub fn preset_a() -> Shift {
    let mut am = Session::new("上午", T::hm(9, 0), T::hm(12, 0));
    am.sign_in = Some(W::new(T::hm(8, 30), T::hm(12, 0)));
    am.late_absent_after = Some(60);
    am.missing_in = MissingPolicy::Absent;
    let mut pm = Session::new("下午", T::hm(13, 30), T::hm(17, 30));
    pm.sign_in = Some(W::new(T::hm(13, 0), T::hm(17, 30)));
    pm.late_absent_after = Some(60);
    pm.missing_in = MissingPolicy::Absent;
    let ot = OvertimeRule {
        starts_after_end: 0,
        min_minutes: 30,
        rounding: Rounding::down(30),
        requires_request: false,
    };
    shift(
        "A",
        "机关两次签到",
        "Government office, two sign-ins",
        vec![am, pm],
        ot,
    )
}

/// B: company. 09:00–12:00 and 13:00–18:00 (1 h lunch); sign in before 08:55; a sign-out after 17:55
/// is a normal departure; overtime is signed when it ends.
pub fn preset_b() -> Shift {
    let mut am = Session::new("上午", T::hm(9, 0), T::hm(12, 0));
    am.sign_in = Some(W::new(T::hm(6, 0), T::hm(11, 0)));
    am.due_in = Some(T::hm(8, 55));
    let mut pm = Session::new("下午", T::hm(13, 0), T::hm(18, 0));
    pm.sign_out = Some(W::new(T::hm(13, 0), T::hm(23, 59)));
    pm.due_out = Some(T::hm(17, 55));
    let ot = OvertimeRule {
        starts_after_end: 0,
        min_minutes: 60,
        rounding: Rounding::down(30),
        requires_request: false,
    };
    shift("B", "公司标准", "Company", vec![am, pm], ot)
}

/// C: standard five-day week. 09:00–12:00 and 13:30–17:30; sign in 08:45–09:15 (after 09:15 is late,
/// counted from 09:00); sign out 17:30–18:00, earlier is early leave. Overtime starts 30 minutes after
/// the end.
pub fn preset_c() -> Shift {
    let mut am = Session::new("上午", T::hm(9, 0), T::hm(12, 0));
    am.sign_in = Some(W::new(T::hm(8, 45), T::hm(11, 0)));
    am.late_grace_minutes = 15;
    am.late_absent_after = Some(120);
    let mut pm = Session::new("下午", T::hm(13, 30), T::hm(17, 30));
    pm.sign_out = Some(W::new(T::hm(15, 30), T::hm(18, 0)));
    pm.early_absent_after = Some(120);
    let ot = OvertimeRule {
        starts_after_end: 30,
        min_minutes: 30,
        rounding: Rounding::down(30),
        requires_request: false,
    };
    shift("C", "标准工时", "Standard", vec![am, pm], ot)
}

/// D: four punches. 07:30–12:00 and 14:00–19:00; punch at each start and at each end.
pub fn preset_d() -> Shift {
    let mut am = Session::new("上午", T::hm(7, 30), T::hm(12, 0));
    am.sign_in = Some(W::new(T::hm(6, 30), T::hm(9, 30)));
    am.sign_out = Some(W::new(T::hm(11, 0), T::hm(12, 59)));
    let mut pm = Session::new("下午", T::hm(14, 0), T::hm(19, 0));
    pm.sign_in = Some(W::new(T::hm(13, 0), T::hm(16, 0)));
    pm.sign_out = Some(W::new(T::hm(17, 0), T::hm(23, 59)));
    let ot = OvertimeRule {
        starts_after_end: 0,
        min_minutes: 30,
        rounding: Rounding::down(30),
        requires_request: false,
    };
    shift("D", "四次打卡", "Four punches", vec![am, pm], ot)
}

#[cfg(test)]
mod tests {
    #[test]
    fn presets_validate() {
        for s in super::all() {
            assert_eq!(s.validate(), Ok(()), "preset {}", s.code);
        }
    }
}
