//! Fixed (not flexible) shifts on a working day: matched punches and approved supplements per
//! session, each session judged against its due times as moved by leave, outings and trips, then the
//! day's absence and overtime. Kept apart from `reconcile` so the day's flow reads on one screen.

use chrono::{NaiveDate, NaiveDateTime};

use super::{CoverKind, DayRequests, add_leave, overtime_from};
use crate::clock::{ClockTime, Rounding};
use crate::day_result::{DayResult, Excuse, SessionOutcome};
use crate::matching::{P, match_punches};
use crate::people::PunchKind;
use crate::schedule::{MissingPolicy, PunchWindow, Session, Shift};

/// A working day on a fixed (not flexible) shift: what each of its sessions is judged against.
pub(super) struct ShiftDay<'a, 'r> {
    pub(super) shift: &'a Shift,
    pub(super) date: NaiveDate,
    pub(super) reqs: &'a DayRequests<'r>,
    pub(super) now: NaiveDateTime,
}

impl ShiftDay<'_, '_> {
    /// A fully covered session counts as one in this many of a day's leave, outing or trip.
    fn sessions(&self) -> usize {
        self.shift.sessions.len()
    }

    /// Still inside the window (to its closing minute), so a missing punch may yet come.
    fn open(&self, window: Option<PunchWindow>) -> bool {
        window.is_some_and(|w| self.now < w.closes.plus(1).on(self.date))
    }
}

/// A sign-in or sign-out time, and whether an approved supplement gave it.
type Mark = (ClockTime, bool);

pub(super) fn reconcile_sessions(result: &mut DayResult, day: &ShiftDay<'_, '_>, ps: &[P]) {
    // Match punches to sessions (the one rule, in `matching`), then add approved supplements.
    let matched = match_punches(day.shift, ps);
    result.unmatched = matched.unmatched;
    result.extra = matched.extra;
    let (ins, outs) = with_supplements(day, &matched.ins, &matched.outs);
    for (i, s) in day.shift.sessions.iter().enumerate() {
        let inn = ins.get(i).copied().flatten();
        let out = outs.get(i).copied().flatten();
        let o = evaluate_session(day, i, s, inn, out, result);
        result.sessions.push(o);
    }
    absent_without_any_punch(result, day.shift);
    result.supplements = result
        .sessions
        .iter()
        .map(|s| u32::from(s.in_supplemented) + u32::from(s.out_supplemented))
        .sum();
    result.overtime_minutes = overtime_after_end(day, result);
}

/// The earliest sign-in and the latest sign-out of a session count, punched or supplemented.
fn with_supplements(
    day: &ShiftDay<'_, '_>,
    matched_ins: &[Option<ClockTime>],
    matched_outs: &[Option<ClockTime>],
) -> (Vec<Option<Mark>>, Vec<Option<Mark>>) {
    let mut ins: Vec<Option<Mark>> = matched_ins.iter().map(|t| t.map(|t| (t, false))).collect();
    let mut outs: Vec<Option<Mark>> = matched_outs.iter().map(|t| t.map(|t| (t, false))).collect();
    for &(t, kind) in &day.reqs.supplements {
        let Some(i) = day.shift.session_at(t) else {
            continue;
        };
        match kind {
            PunchKind::In => {
                if let Some(slot) = ins.get_mut(i)
                    && slot.is_none_or(|(c, _)| t < c)
                {
                    *slot = Some((t, true));
                }
            }
            PunchKind::Out => {
                if let Some(slot) = outs.get_mut(i)
                    && slot.is_none_or(|(c, _)| t > c)
                {
                    *slot = Some((t, true));
                }
            }
        }
    }
    (ins, outs)
}

/// No punch at all on a working day: every session that needed one is absent, not just "missing".
fn absent_without_any_punch(result: &mut DayResult, shift: &Shift) {
    if !result
        .sessions
        .iter()
        .all(|s| s.sign_in.is_none() && s.sign_out.is_none())
    {
        return;
    }
    for (o, s) in result.sessions.iter_mut().zip(&shift.sessions) {
        let needs = s.sign_in.is_some() || s.sign_out.is_some();
        if o.excused.is_none() && !o.pending && needs {
            o.absent = true;
            o.missing_in = false;
            o.missing_out = false;
            o.late_minutes = 0;
            o.early_minutes = 0;
        }
    }
}

/// Overtime after the end, measured from the last sign-out.
fn overtime_after_end(day: &ShiftDay<'_, '_>, result: &DayResult) -> u32 {
    let ot_rule = day.shift.overtime.as_ref();
    let last_end = day.shift.last_end().unwrap_or(day.shift.day_end());
    let last_out = result.sessions.last().and_then(|s| s.sign_out);
    let punched = match last_out {
        Some(t) => {
            let base = last_end.plus(ot_rule.map_or(0, |r| r.starts_after_end as i32));
            u32::try_from(t.0 - base.0).unwrap_or(0)
        }
        None => 0,
    };
    overtime_from(ot_rule, punched, day.reqs.overtime_minutes)
}

/// One session of a fixed shift. Leave goes to `result.leave`, outings and trips to their totals,
/// as the covers are met.
fn evaluate_session(
    day: &ShiftDay<'_, '_>,
    index: usize,
    s: &Session,
    inn: Option<Mark>,
    out: Option<Mark>,
    result: &mut DayResult,
) -> SessionOutcome {
    let mut o = SessionOutcome {
        index,
        sign_in: inn.map(|x| x.0),
        sign_out: out.map(|x| x.0),
        in_supplemented: inn.is_some_and(|x| x.1),
        out_supplemented: out.is_some_and(|x| x.1),
        ..SessionOutcome::default()
    };
    // Full cover excuses the session; partial cover moves the due times.
    if let Some(excuse) = excuse_full_cover(day, s, result) {
        o.excused = Some(excuse);
        return o;
    }
    let (due_in, due_out) = apply_partial_covers(day, s, &mut o, result);
    let in_required = s.sign_in.is_some();
    // Someone on leave or an outing until the end cannot sign out; arriving after a morning leave still needs a sign-in.
    let out_required = s.sign_out.is_some()
        && !day
            .reqs
            .covers
            .iter()
            .any(|c| c.from < s.due_out() && c.to >= s.end);
    let pending_in = in_required && inn.is_none() && day.open(s.sign_in);
    let pending_out = out_required && out.is_none() && day.open(s.sign_out);
    o.pending = pending_in || pending_out;
    if inn.is_none() && out.is_none() && in_required && out_required {
        // Both required punches missing: the session did not happen.
        o.absent = !o.pending;
        return o;
    }
    let rounding = day.shift.rounding;
    judge_sign_in(&mut o, s, rounding, inn, due_in, in_required && !pending_in);
    judge_sign_out(
        &mut o,
        s,
        rounding,
        out,
        due_out,
        out_required && !pending_out,
    );
    if o.absent {
        // Absence supersedes lateness, early leaving and missing punches of the same session.
        o.late_minutes = 0;
        o.early_minutes = 0;
        o.missing_in = false;
        o.missing_out = false;
    }
    o
}

/// The excuse of a cover spanning the whole session; its time is counted here.
fn excuse_full_cover(
    day: &ShiftDay<'_, '_>,
    s: &Session,
    result: &mut DayResult,
) -> Option<Excuse> {
    let c = day
        .reqs
        .covers
        .iter()
        .find(|c| c.from <= s.start && c.to >= s.end)?;
    let n = day.sessions();
    Some(match c.kind {
        CoverKind::Leave => {
            add_leave(&mut result.leave, c.leave_type, s.minutes(), true, n);
            Excuse::Leave(c.leave_type.to_string())
        }
        CoverKind::Outing => {
            result.outing = true;
            result.outing_days += 1.0 / n.max(1) as f64;
            result.outing_minutes += s.minutes();
            Excuse::Outing
        }
        CoverKind::Trip => {
            result.trip = true;
            result.trip_days += 1.0 / n.max(1) as f64;
            Excuse::Trip
        }
    })
}

/// Counts the covered part of the session and returns the due times (sign-in, sign-out) moved
/// past it: nobody is late for the hours they were excused.
fn apply_partial_covers(
    day: &ShiftDay<'_, '_>,
    s: &Session,
    o: &mut SessionOutcome,
    result: &mut DayResult,
) -> (ClockTime, ClockTime) {
    let mut due_in = s.due_in();
    let mut due_out = s.due_out();
    for c in &day.reqs.covers {
        let overlap = c.to.0.min(s.end.0) - c.from.0.max(s.start.0);
        if overlap <= 0 {
            continue;
        }
        match c.kind {
            CoverKind::Leave => add_leave(
                &mut result.leave,
                c.leave_type,
                overlap as u32,
                false,
                day.sessions(),
            ),
            CoverKind::Outing => {
                result.outing = true;
                result.outing_minutes += overlap as u32;
                o.partial_outing = true;
            }
            CoverKind::Trip => result.trip = true,
        }
        if c.from <= due_in && due_in < c.to {
            due_in = c.to;
        }
        if c.from < due_out && due_out <= c.to {
            due_out = c.from;
        }
    }
    (due_in, due_out)
}

/// Lateness of the sign-in, or the session's policy for a missing one once it `counts` as missing
/// (required, and its window closed).
fn judge_sign_in(
    o: &mut SessionOutcome,
    s: &Session,
    rounding: Rounding,
    inn: Option<Mark>,
    due_in: ClockTime,
    counts: bool,
) {
    if let Some((t, _)) = inn {
        let late = t.0 - due_in.0;
        if late > s.late_grace_minutes as i32 {
            o.late_minutes = rounding.apply(late as u32);
            if s.late_absent_after.is_some_and(|m| late > m as i32) {
                o.absent = true;
            }
        }
    } else if counts {
        match s.missing_in {
            MissingPolicy::Flag => o.missing_in = true,
            MissingPolicy::Absent => o.absent = true,
            MissingPolicy::Minutes(m) => o.late_minutes = m,
        }
    }
}

/// Early leaving at the sign-out, or the session's policy for a missing one once it `counts`.
fn judge_sign_out(
    o: &mut SessionOutcome,
    s: &Session,
    rounding: Rounding,
    out: Option<Mark>,
    due_out: ClockTime,
    counts: bool,
) {
    if let Some((t, _)) = out {
        let early = due_out.0 - t.0;
        if early > s.early_grace_minutes as i32 {
            o.early_minutes = rounding.apply(early as u32);
            if s.early_absent_after.is_some_and(|m| early > m as i32) {
                o.absent = true;
            }
        }
    } else if counts {
        match s.missing_out {
            MissingPolicy::Flag => o.missing_out = true,
            MissingPolicy::Absent => o.absent = true,
            MissingPolicy::Minutes(m) => o.early_minutes = m,
        }
    }
}
