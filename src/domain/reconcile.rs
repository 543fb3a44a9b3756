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
use crate::matching::P;
use crate::people::{Employee, Punch, PunchKind};
use crate::request::{Request, RequestKind, Span};
use crate::schedule::{FlexRule, OvertimeRule, Shift};

mod sessions;

use sessions::{ShiftDay, reconcile_sessions};

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
    let (day_from, day_to) = day_bounds(shift);
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

/// The stretch of clock time that belongs to the work date: the shift's day, else midnight to midnight.
fn day_bounds(shift: Option<&Shift>) -> (ClockTime, ClockTime) {
    shift.map_or((ClockTime(0), ClockTime(1440)), |s| {
        (s.day_start(), s.day_end())
    })
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
    let mut result = empty_result(employee, date, shift, day);
    if !result.employed {
        return result;
    }
    let (day_from, day_to) = day_bounds(shift);
    let (ps, dups) = day_punches(employee, date, day_from, day_to, punches);
    result.duplicates = dups;
    let reqs = collect_requests(employee, date, shift, requests);

    let Some(shift) = shift.filter(|_| day.kind.is_working()) else {
        reconcile_day_off(&mut result, shift, &ps, &reqs);
        return result;
    };
    if let Some(flex) = &shift.flexible {
        reconcile_flex(&mut result, shift, flex, date, &ps, &reqs, now);
        return result;
    }
    let day = ShiftDay {
        shift,
        date,
        reqs: &reqs,
        now,
    };
    reconcile_sessions(&mut result, &day, &ps);
    result
}

/// The result before any punch is looked at; a day outside employment stays like this.
fn empty_result(
    employee: &Employee,
    date: NaiveDate,
    shift: Option<&Shift>,
    day: &DayInfo,
) -> DayResult {
    DayResult {
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
    }
}

/// Rest day, holiday or nothing assigned: punches are overtime evidence; leave is not consumed.
fn reconcile_day_off(
    result: &mut DayResult,
    shift: Option<&Shift>,
    ps: &[P],
    reqs: &DayRequests<'_>,
) {
    let ot_rule = shift.and_then(|s| s.overtime.as_ref());
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
