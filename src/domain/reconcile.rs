//! Reconciliation of one employee-day: punches + shift + calendar day + approved requests → `DayResult`.
//!
//! Pure: `now` is an argument (it holds back "missing" until a window has closed). Never drops a punch:
//! one that fits no window is kept in `unmatched`. Must not aggregate months or format reports.

use chrono::{NaiveDate, NaiveDateTime};

use crate::calendar::{DayInfo, DayKind};
use crate::clock::ClockTime;
pub use crate::day_result::{
    CSV_HEADER, DayResult, Excuse, LeaveUse, OvertimeKind, SessionOutcome,
};
use crate::matching::{P, match_punches};
use crate::people::{Employee, Punch, PunchKind};
use crate::request::{Request, RequestKind, Span};
use crate::schedule::{FlexRule, MissingPolicy, OvertimeRule, Session, Shift};

#[derive(Clone, Copy, PartialEq, Eq)]
enum CoverKind {
    Leave,
    Trip,
    Outing,
}

struct Cover<'r> {
    from: ClockTime,
    to: ClockTime,
    kind: CoverKind,
    leave_type: &'r str,
}

/// What the approved requests say about one work date.
struct DayRequests<'r> {
    covers: Vec<Cover<'r>>,
    supplements: Vec<(ClockTime, PunchKind)>,
    overtime_minutes: u32,
}

fn collect_requests<'r>(
    employee: &Employee,
    date: NaiveDate,
    shift: Option<&Shift>,
    requests: &[&'r Request],
) -> DayRequests<'r> {
    let (day_from, day_to) = shift.map_or((ClockTime(0), ClockTime(1440)), |s| {
        (s.day_start(), s.day_end())
    });
    let mut out = DayRequests {
        covers: Vec::new(),
        supplements: Vec::new(),
        overtime_minutes: 0,
    };
    for r in requests {
        if !r.is_approved() || r.employee_no != employee.no {
            continue;
        }
        let (first, last) = r.kind.dates();
        if last < date.pred_opt().unwrap_or(date) || first > date.succ_opt().unwrap_or(date) {
            continue;
        }
        let (kind, leave_type, span) = match &r.kind {
            RequestKind::Leave { leave_type, span } => {
                (CoverKind::Leave, leave_type.as_str(), span)
            }
            RequestKind::Outing { span, .. } => (CoverKind::Outing, "", span),
            RequestKind::Trip { span, .. } => (CoverKind::Trip, "", span),
            RequestKind::Supplement { at, punch, .. } => {
                let t = ClockTime::of(*at, date);
                if day_from <= t && t < day_to {
                    out.supplements.push((t, *punch));
                }
                continue;
            }
            RequestKind::Overtime { from, to } => {
                let a = ClockTime::of(*from, date).max(day_from);
                let b = ClockTime::of(*to, date).min(day_to);
                out.overtime_minutes += u32::try_from(b.0 - a.0).unwrap_or(0);
                continue;
            }
        };
        let range = match span {
            Span::Days { from, to } => (*from <= date && date <= *to).then_some((day_from, day_to)),
            Span::Session { date: d, session } => {
                let s = shift.and_then(|s| s.sessions.get(*session));
                match s {
                    Some(s) if *d == date => Some((s.start, s.end)),
                    _ => None,
                }
            }
            Span::Range { from, to } => {
                let a = ClockTime::of(*from, date).max(day_from);
                let b = ClockTime::of(*to, date).min(day_to);
                (a < b).then_some((a, b))
            }
        };
        if let Some((from, to)) = range {
            out.covers.push(Cover {
                from,
                to,
                kind,
                leave_type,
            });
        }
    }
    // Leave first, then trip, then outing: a day on leave is on leave even if an outing overlaps it.
    // The full key keeps the result independent of the order requests were given in.
    out.covers.sort_by(|a, b| {
        let rank = |c: &Cover<'_>| match c.kind {
            CoverKind::Leave => 0,
            CoverKind::Trip => 1,
            CoverKind::Outing => 2,
        };
        (rank(a), a.from, a.to, a.leave_type).cmp(&(rank(b), b.from, b.to, b.leave_type))
    });
    out
}

/// Punches of the work date, sorted, with duplicates (within a minute of the previous kept one) counted.
fn day_punches(
    employee: &Employee,
    date: NaiveDate,
    from: ClockTime,
    to: ClockTime,
    punches: &[&Punch],
) -> (Vec<P>, u32) {
    let (lo, hi) = (from.on(date), to.on(date));
    let mut ps: Vec<P> = punches
        .iter()
        .filter(|p| p.ts >= lo && p.ts < hi && p.enrollment_no == employee.no)
        .map(|p| P {
            t: ClockTime::of(p.ts, date),
            ts: p.ts,
            state: p.in_out_state,
        })
        .collect();
    ps.sort_by_key(|p| (p.ts, p.state));
    let mut kept: Vec<P> = Vec::with_capacity(ps.len());
    let mut dups = 0;
    for p in ps {
        match kept.last() {
            Some(k) if (p.ts - k.ts).num_seconds() < 60 => dups += 1,
            _ => kept.push(p),
        }
    }
    (kept, dups)
}

fn overtime_from(rule: Option<&OvertimeRule>, punched: u32, requested: u32) -> u32 {
    let Some(rule) = rule else { return 0 };
    let minutes = if rule.requires_request {
        requested
    } else {
        punched
    };
    if minutes < rule.min_minutes || minutes == 0 {
        return 0;
    }
    rule.rounding.apply(minutes)
}

/// The pay class of overtime on a day: statutory holidays only are 300 %; every other day off
/// (weekends, the shifted weekend days inside a holiday block, local holidays) is a rest day at 200 %.
fn overtime_kind(day: &DayInfo) -> OvertimeKind {
    match day.kind {
        DayKind::Workday | DayKind::MakeupWorkday => OvertimeKind::Workday,
        DayKind::PublicHoliday | DayKind::OtherHoliday if day.statutory => OvertimeKind::Holiday,
        DayKind::RestDay | DayKind::PublicHoliday | DayKind::OtherHoliday => OvertimeKind::RestDay,
    }
}

/// Minutes of the shift's breaks (the gaps between its sessions, e.g. lunch) inside `from..to`:
/// work on a day off is paid without them.
fn break_minutes(shift: Option<&Shift>, from: ClockTime, to: ClockTime) -> u32 {
    let Some(shift) = shift else { return 0 };
    shift
        .sessions
        .windows(2)
        .map(|w| {
            let (a, b) = (w[0].end.max(from), w[1].start.min(to));
            u32::try_from(b.0 - a.0).unwrap_or(0)
        })
        .sum()
}

/// Reconcile one employee-day.
///
/// `punches` may hold any punches (other days and employees are ignored); `shift` is the shift in force
/// (see `ScheduleBook::plan`), `day` the calendar day as it applies to the employee, `requests` any
/// requests (only the employee's approved ones count), `now` the time of the run.
pub fn reconcile_day(
    employee: &Employee,
    date: NaiveDate,
    punches: &[Punch],
    shift: Option<&Shift>,
    day: &DayInfo,
    requests: &[Request],
    now: NaiveDateTime,
) -> DayResult {
    let punches: Vec<&Punch> = punches.iter().collect();
    let requests: Vec<&Request> = requests.iter().collect();
    reconcile_day_refs(employee, date, &punches, shift, day, &requests, now)
}

/// `reconcile_day` over borrowed slices (what `reconcile_month` uses to avoid copying).
pub fn reconcile_day_refs(
    employee: &Employee,
    date: NaiveDate,
    punches: &[&Punch],
    shift: Option<&Shift>,
    day: &DayInfo,
    requests: &[&Request],
    now: NaiveDateTime,
) -> DayResult {
    let mut result = DayResult {
        employee_no: employee.no.clone(),
        date,
        day: *day,
        employed: employee.employed_on(date),
        shift_code: shift.map(|s| s.code.clone()),
        unassigned: shift.is_none() && day.kind.is_working(),
        sessions: Vec::new(),
        unmatched: Vec::new(),
        extra: Vec::new(),
        duplicates: 0,
        overtime_minutes: 0,
        overtime_kind: overtime_kind(day),
        leave: Vec::new(),
        outing: false,
        trip: false,
        outing_days: 0.0,
        outing_minutes: 0,
        trip_days: 0.0,
        supplements: 0,
    };
    if !result.employed {
        return result;
    }
    let (day_from, day_to) = shift.map_or((ClockTime(0), ClockTime(1440)), |s| {
        (s.day_start(), s.day_end())
    });
    let (ps, dups) = day_punches(employee, date, day_from, day_to, punches);
    result.duplicates = dups;
    let reqs = collect_requests(employee, date, shift, requests);
    let ot_rule = shift.and_then(|s| s.overtime.as_ref());

    let Some(shift) = shift.filter(|_| day.kind.is_working()) else {
        // Rest day, holiday or nothing assigned: punches are overtime evidence; leave is not consumed.
        let span = match (ps.first(), ps.last()) {
            (Some(a), Some(b)) if ps.len() >= 2 => u32::try_from(b.t.0 - a.t.0)
                .unwrap_or(0)
                .saturating_sub(break_minutes(shift, a.t, b.t)),
            _ => 0,
        };
        if ps.len() == 1 || ot_rule.is_none() {
            result.unmatched = ps.iter().map(|p| p.ts).collect();
        }
        result.overtime_minutes = overtime_from(ot_rule, span, reqs.overtime_minutes);
        return result;
    };

    if let Some(flex) = &shift.flexible {
        reconcile_flex(&mut result, shift, flex, date, &ps, &reqs, now);
        return result;
    }

    // Match punches to sessions (the one rule, in `matching`), then add approved supplements.
    let n = shift.sessions.len();
    let last_end = shift.last_end().unwrap_or(day_to);
    let matched = match_punches(shift, &ps);
    result.unmatched = matched.unmatched;
    result.extra = matched.extra;
    let mut ins: Vec<Option<(ClockTime, bool)>> =
        matched.ins.iter().map(|t| t.map(|t| (t, false))).collect();
    let mut outs: Vec<Option<(ClockTime, bool)>> =
        matched.outs.iter().map(|t| t.map(|t| (t, false))).collect();
    for &(t, kind) in &reqs.supplements {
        let Some(i) = shift.session_at(t) else {
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

    let mut leave_acc: Vec<LeaveUse> = Vec::new();
    for (i, s) in shift.sessions.iter().enumerate() {
        let inn = ins.get(i).copied().flatten();
        let out = outs.get(i).copied().flatten();
        let o = evaluate_session(
            i,
            s,
            shift,
            date,
            inn,
            out,
            &reqs,
            now,
            n,
            &mut leave_acc,
            &mut result,
        );
        result.sessions.push(o);
    }
    result.leave = leave_acc;
    // No punch at all on a working day: every session that needed one is absent, not just "missing".
    if result
        .sessions
        .iter()
        .all(|s| s.sign_in.is_none() && s.sign_out.is_none())
    {
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
    result.supplements = result
        .sessions
        .iter()
        .map(|s| u32::from(s.in_supplemented) + u32::from(s.out_supplemented))
        .sum();

    // Overtime after the end, measured from the last sign-out.
    let last_out = result.sessions.last().and_then(|s| s.sign_out);
    let punched = match last_out {
        Some(t) => {
            let base = last_end.plus(ot_rule.map_or(0, |r| r.starts_after_end as i32));
            u32::try_from(t.0 - base.0).unwrap_or(0)
        }
        None => 0,
    };
    result.overtime_minutes = overtime_from(ot_rule, punched, reqs.overtime_minutes);
    result
}

fn add_leave(acc: &mut Vec<LeaveUse>, leave_type: &str, minutes: u32, full: bool, n: usize) {
    let idx = match acc.iter().position(|l| l.leave_type == leave_type) {
        Some(i) => i,
        None => {
            acc.push(LeaveUse {
                leave_type: leave_type.to_string(),
                minutes: 0,
                sessions: 0,
                days: 0.0,
            });
            acc.len() - 1
        }
    };
    if let Some(l) = acc.get_mut(idx) {
        l.minutes += minutes;
        l.sessions += u32::from(full);
        l.days = f64::from(l.sessions) / n.max(1) as f64;
    }
}

#[allow(clippy::too_many_arguments)]
fn evaluate_session(
    index: usize,
    s: &Session,
    shift: &Shift,
    date: NaiveDate,
    inn: Option<(ClockTime, bool)>,
    out: Option<(ClockTime, bool)>,
    reqs: &DayRequests<'_>,
    now: NaiveDateTime,
    n: usize,
    leave_acc: &mut Vec<LeaveUse>,
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
    if let Some(c) = reqs
        .covers
        .iter()
        .find(|c| c.from <= s.start && c.to >= s.end)
    {
        match c.kind {
            CoverKind::Leave => {
                add_leave(leave_acc, c.leave_type, s.minutes(), true, n);
                o.excused = Some(Excuse::Leave(c.leave_type.to_string()));
            }
            CoverKind::Outing => {
                result.outing = true;
                result.outing_days += 1.0 / n.max(1) as f64;
                result.outing_minutes += s.minutes();
                o.excused = Some(Excuse::Outing);
            }
            CoverKind::Trip => {
                result.trip = true;
                result.trip_days += 1.0 / n.max(1) as f64;
                o.excused = Some(Excuse::Trip);
            }
        }
        return o;
    }
    let mut due_in = s.due_in();
    let mut due_out = s.due_out();
    for c in &reqs.covers {
        let overlap = c.to.0.min(s.end.0) - c.from.0.max(s.start.0);
        if overlap <= 0 {
            continue;
        }
        match c.kind {
            CoverKind::Leave => add_leave(leave_acc, c.leave_type, overlap as u32, false, n),
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
    let in_required = s.sign_in.is_some();
    // Someone on leave or an outing until the end cannot sign out; arriving after a morning leave still needs a sign-in.
    let out_required = s.sign_out.is_some()
        && !reqs
            .covers
            .iter()
            .any(|c| c.from < s.due_out() && c.to >= s.end);
    let pending_in =
        in_required && inn.is_none() && s.sign_in.is_some_and(|w| now < w.closes.plus(1).on(date));
    let pending_out = out_required
        && out.is_none()
        && s.sign_out.is_some_and(|w| now < w.closes.plus(1).on(date));
    o.pending = pending_in || pending_out;
    if inn.is_none() && out.is_none() && in_required && out_required {
        // Both required punches missing: the session did not happen.
        o.absent = !o.pending;
        return o;
    }
    let rounding = shift.rounding;
    if let Some((t, _)) = inn {
        let late = t.0 - due_in.0;
        if late > s.late_grace_minutes as i32 {
            o.late_minutes = rounding.apply(late as u32);
            if s.late_absent_after.is_some_and(|m| late > m as i32) {
                o.absent = true;
            }
        }
    } else if in_required && !pending_in {
        match s.missing_in {
            MissingPolicy::Flag => o.missing_in = true,
            MissingPolicy::Absent => o.absent = true,
            MissingPolicy::Minutes(m) => o.late_minutes = m,
        }
    }
    if let Some((t, _)) = out {
        let early = due_out.0 - t.0;
        if early > s.early_grace_minutes as i32 {
            o.early_minutes = rounding.apply(early as u32);
            if s.early_absent_after.is_some_and(|m| early > m as i32) {
                o.absent = true;
            }
        }
    } else if out_required && !pending_out {
        match s.missing_out {
            MissingPolicy::Flag => o.missing_out = true,
            MissingPolicy::Absent => o.absent = true,
            MissingPolicy::Minutes(m) => o.early_minutes = m,
        }
    }
    if o.absent {
        // Absence supersedes lateness, early leaving and missing punches of the same session.
        o.late_minutes = 0;
        o.early_minutes = 0;
        o.missing_in = false;
        o.missing_out = false;
    }
    o
}

fn reconcile_flex(
    result: &mut DayResult,
    shift: &Shift,
    flex: &FlexRule,
    date: NaiveDate,
    ps: &[P],
    reqs: &DayRequests<'_>,
    now: NaiveDateTime,
) {
    let mut times: Vec<(ClockTime, bool)> = Vec::new();
    for p in ps {
        if flex.earliest_in <= p.t && p.t <= flex.latest_out {
            times.push((p.t, false));
        } else {
            result.unmatched.push(p.ts);
        }
    }
    times.extend(reqs.supplements.iter().map(|&(t, _)| (t, true)));
    times.sort();
    let (core_from, core_to) = flex.core.unwrap_or((flex.earliest_in, flex.latest_out));
    let mut o = SessionOutcome::default();
    let mut acc = Vec::new();
    if let Some(c) = reqs
        .covers
        .iter()
        .find(|c| c.from <= core_from && c.to >= core_to)
    {
        match c.kind {
            CoverKind::Leave => {
                add_leave(&mut acc, c.leave_type, flex.min_minutes, true, 1);
                o.excused = Some(Excuse::Leave(c.leave_type.to_string()));
            }
            CoverKind::Outing => {
                result.outing = true;
                result.outing_days = 1.0;
                result.outing_minutes = flex.min_minutes;
                o.excused = Some(Excuse::Outing);
            }
            CoverKind::Trip => {
                result.trip = true;
                result.trip_days = 1.0;
                o.excused = Some(Excuse::Trip);
            }
        }
        result.leave = acc;
        result.sessions.push(o);
        return;
    }
    let first = times.first().copied();
    let last = if times.len() >= 2 {
        times.last().copied()
    } else {
        None
    };
    o.sign_in = first.map(|x| x.0);
    o.sign_out = last.map(|x| x.0);
    o.in_supplemented = first.is_some_and(|x| x.1);
    o.out_supplemented = last.is_some_and(|x| x.1);
    let open = now < flex.latest_out.plus(1).on(date);
    match (first, last) {
        (None, _) => {
            o.pending = open;
            o.absent = !open;
        }
        (Some(_), None) => {
            o.pending = open;
            o.missing_out = !open;
        }
        (Some((a, _)), Some((b, _))) => {
            if flex.core.is_some() && a > core_from {
                o.late_minutes = shift.rounding.apply((a.0 - core_from.0) as u32);
            }
            let worked = u32::try_from(b.0 - a.0).unwrap_or(0);
            let short = flex.min_minutes.saturating_sub(worked);
            let before_core = if flex.core.is_some() {
                u32::try_from(core_to.0 - b.0).unwrap_or(0)
            } else {
                0
            };
            let early = short.max(before_core);
            if early > 0 {
                o.early_minutes = shift.rounding.apply(early);
            }
            let extra = worked.saturating_sub(flex.min_minutes);
            let extra = extra.saturating_sub(shift.overtime.map_or(0, |r| r.starts_after_end));
            result.overtime_minutes =
                overtime_from(shift.overtime.as_ref(), extra, reqs.overtime_minutes);
        }
    }
    result.supplements = u32::from(o.in_supplemented) + u32::from(o.out_supplemented);
    result.sessions.push(o);
}
