//! Reconciliation of one employee-day: punches + shift + calendar day + approved requests → `DayResult`.
//!
//! Pure: `now` is an argument (it holds back "missing" until a window has closed). Never drops a punch:
//! one that fits no window is kept in `unmatched`. Must not aggregate months or format reports.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::calendar::{DayInfo, DayKind};
use crate::clock::ClockTime;
use crate::people::{Employee, Punch, PunchKind};
use crate::request::{Request, RequestKind, Span};
use crate::schedule::{FlexRule, InOutMode, MissingPolicy, OvertimeRule, Session, Shift};

/// Why a session needs no punches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by", content = "leave_type")]
pub enum Excuse {
    Leave(String),
    Outing,
    Trip,
}

/// The outcome of one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SessionOutcome {
    pub index: usize,
    pub sign_in: Option<ClockTime>,
    pub sign_out: Option<ClockTime>,
    pub in_supplemented: bool,
    pub out_supplemented: bool,
    pub late_minutes: u32,
    pub early_minutes: u32,
    pub absent: bool,
    pub missing_in: bool,
    pub missing_out: bool,
    /// Fully covered by an approved leave, outing or trip.
    pub excused: Option<Excuse>,
    /// Partly covered by an outing (the rest was checked against punches).
    pub partial_outing: bool,
    /// A required punch may still come (its window has not closed at `now`).
    pub pending: bool,
}

impl SessionOutcome {
    pub fn is_late(&self) -> bool {
        self.late_minutes > 0 && !self.absent
    }

    pub fn is_early(&self) -> bool {
        self.early_minutes > 0 && !self.absent
    }

    /// Present in person or on official business (outing / trip), and not absent.
    pub fn attended(&self) -> bool {
        match &self.excused {
            Some(Excuse::Leave(_)) => false,
            Some(_) => true,
            None => !self.absent && !self.pending,
        }
    }

    /// Attended on the strength of punches (including supplements), with nothing wrong.
    fn clean(&self) -> bool {
        self.excused.is_none()
            && !self.absent
            && !self.pending
            && !self.missing_in
            && !self.missing_out
            && self.late_minutes == 0
            && self.early_minutes == 0
    }
}

/// Leave taken on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaveUse {
    pub leave_type: String,
    /// Minutes of scheduled time covered.
    pub minutes: u32,
    /// Sessions fully covered.
    pub sessions: u32,
    /// Days (sessions fully covered ÷ sessions of the day).
    pub days: f64,
}

/// Which pay rate overtime falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OvertimeKind {
    Workday,
    RestDay,
    Holiday,
}

/// The result of one employee-day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayResult {
    pub employee_no: String,
    pub date: NaiveDate,
    pub day: DayInfo,
    pub employed: bool,
    pub shift_code: Option<String>,
    /// A working day with no shift assigned: nothing could be checked.
    pub unassigned: bool,
    pub sessions: Vec<SessionOutcome>,
    /// Punches that fit no window (kept, never dropped).
    pub unmatched: Vec<NaiveDateTime>,
    /// Punches within a minute of the previous one, counted once.
    pub duplicates: u32,
    pub overtime_minutes: u32,
    pub overtime_kind: OvertimeKind,
    pub leave: Vec<LeaveUse>,
    pub outing: bool,
    pub trip: bool,
    /// Punch slots filled by supplements (补签).
    pub supplements: u32,
}

impl DayResult {
    pub fn is_working_day(&self) -> bool {
        self.employed && self.day.kind.is_working()
    }

    pub fn late_minutes(&self) -> u32 {
        self.sessions
            .iter()
            .filter(|s| s.is_late())
            .map(|s| s.late_minutes)
            .sum()
    }

    pub fn early_minutes(&self) -> u32 {
        self.sessions
            .iter()
            .filter(|s| s.is_early())
            .map(|s| s.early_minutes)
            .sum()
    }

    pub fn late_count(&self) -> u32 {
        self.sessions.iter().filter(|s| s.is_late()).count() as u32
    }

    pub fn early_count(&self) -> u32 {
        self.sessions.iter().filter(|s| s.is_early()).count() as u32
    }

    pub fn absent_sessions(&self) -> u32 {
        self.sessions.iter().filter(|s| s.absent).count() as u32
    }

    pub fn missing_in_count(&self) -> u32 {
        self.sessions.iter().filter(|s| s.missing_in).count() as u32
    }

    pub fn missing_out_count(&self) -> u32 {
        self.sessions.iter().filter(|s| s.missing_out).count() as u32
    }

    /// Every session is still waiting for punches (a day that has not happened yet).
    pub fn pending(&self) -> bool {
        !self.sessions.is_empty() && self.sessions.iter().all(|s| s.pending)
    }

    /// Fraction of the day attended (0 on non-working days).
    pub fn attended_days(&self) -> f64 {
        if !self.is_working_day() || self.sessions.is_empty() {
            return 0.0;
        }
        let n = self.sessions.len() as f64;
        self.sessions.iter().filter(|s| s.attended()).count() as f64 / n
    }

    /// Fraction of the day absent.
    pub fn absent_days(&self) -> f64 {
        if self.sessions.is_empty() {
            return 0.0;
        }
        f64::from(self.absent_sessions()) / self.sessions.len() as f64
    }

    /// The `status` codes, in a fixed order: normal, late, early, absent, missing_in, missing_out,
    /// leave:<type>, outing, trip, supplement, overtime, restday, holiday, not_employed.
    /// A working day still waiting for its punches yields none.
    pub fn status_codes(&self) -> Vec<String> {
        let mut codes: Vec<String> = Vec::new();
        if !self.employed {
            return vec!["not_employed".to_string()];
        }
        if self.day.kind.is_working() {
            let exception = self
                .sessions
                .iter()
                .any(|s| s.is_late() || s.is_early() || s.absent || s.missing_in || s.missing_out);
            if !exception && self.sessions.iter().any(SessionOutcome::clean) {
                codes.push("normal".into());
            }
            let flags = [
                (self.late_count() > 0, "late"),
                (self.early_count() > 0, "early"),
                (self.absent_sessions() > 0, "absent"),
                (self.missing_in_count() > 0, "missing_in"),
                (self.missing_out_count() > 0, "missing_out"),
            ];
            codes.extend(
                flags
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, c)| c.to_string()),
            );
            for l in &self.leave {
                codes.push(format!("leave:{}", l.leave_type));
            }
            if self.outing {
                codes.push("outing".into());
            }
            if self.trip {
                codes.push("trip".into());
            }
            if self.supplements > 0 {
                codes.push("supplement".into());
            }
        }
        if self.overtime_minutes > 0 {
            codes.push("overtime".into());
        }
        match self.day.kind {
            DayKind::RestDay => codes.push("restday".into()),
            DayKind::PublicHoliday | DayKind::OtherHoliday => codes.push("holiday".into()),
            _ => {}
        }
        codes
    }

    /// One line of the month CSV (no trailing newline), columns as `CSV_HEADER`.
    pub fn csv_row(&self) -> String {
        format!(
            "{},{},{},{},{},{},{},{}",
            csv_field(&self.employee_no),
            self.date.format("%Y-%m-%d"),
            self.day.kind.csv_code(),
            self.status_codes().join(";"),
            self.late_minutes(),
            self.early_minutes(),
            self.absent_sessions(),
            self.overtime_minutes
        )
    }
}

/// Header of the month CSV.
pub const CSV_HEADER: &str =
    "employee_no,date,day_type,status,late_minutes,early_minutes,absent_sessions,overtime_minutes";

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

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

/// A punch reduced to what matching needs.
#[derive(Clone, Copy)]
struct P {
    t: ClockTime,
    ts: NaiveDateTime,
    state: u8,
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

fn overtime_kind(kind: DayKind) -> OvertimeKind {
    match kind {
        DayKind::Workday | DayKind::MakeupWorkday => OvertimeKind::Workday,
        DayKind::RestDay => OvertimeKind::RestDay,
        DayKind::PublicHoliday | DayKind::OtherHoliday => OvertimeKind::Holiday,
    }
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
        duplicates: 0,
        overtime_minutes: 0,
        overtime_kind: overtime_kind(day.kind),
        leave: Vec::new(),
        outing: false,
        trip: false,
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
            (Some(a), Some(b)) if ps.len() >= 2 => u32::try_from(b.t.0 - a.t.0).unwrap_or(0),
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

    // Match punches to sessions.
    let n = shift.sessions.len();
    let mut ins: Vec<Option<(ClockTime, bool)>> = vec![None; n];
    let mut outs: Vec<Option<(ClockTime, bool)>> = vec![None; n];
    let last_end = shift.last_end().unwrap_or(day_to);
    let mut ot_last: Option<ClockTime> = None;
    let take_in = |slot: &mut Option<(ClockTime, bool)>, t: ClockTime, sup: bool| {
        if slot.is_none_or(|(c, _)| t < c) {
            *slot = Some((t, sup));
        }
    };
    let take_out = |slot: &mut Option<(ClockTime, bool)>, t: ClockTime, sup: bool| {
        if slot.is_none_or(|(c, _)| t > c) {
            *slot = Some((t, sup));
        }
    };
    for p in &ps {
        let hit = match shift.in_out {
            InOutMode::Windows => shift.sessions.iter().enumerate().find_map(|(i, s)| {
                if s.sign_in.is_some_and(|w| w.contains(p.t)) {
                    Some((i, PunchKind::In))
                } else if s.sign_out.is_some_and(|w| w.contains(p.t)) {
                    Some((i, PunchKind::Out))
                } else {
                    None
                }
            }),
            InOutMode::StateKey => {
                match (shift.session_at(p.t), PunchKind::from_state_key(p.state)) {
                    (Some(i), Some(k)) => Some((i, k)),
                    _ => None,
                }
            }
        };
        match hit {
            Some((i, PunchKind::In)) => {
                if let Some(slot) = ins.get_mut(i) {
                    take_in(slot, p.t, false);
                }
            }
            Some((i, PunchKind::Out)) => {
                if let Some(slot) = outs.get_mut(i) {
                    take_out(slot, p.t, false);
                }
                if i + 1 == n && p.t > last_end {
                    ot_last = Some(p.t);
                }
            }
            None if p.t > last_end => {
                ot_last = Some(p.t);
            }
            None => result.unmatched.push(p.ts),
        }
    }
    for &(t, kind) in &reqs.supplements {
        let Some(i) = shift.session_at(t) else {
            continue;
        };
        match kind {
            PunchKind::In => {
                if let Some(slot) = ins.get_mut(i) {
                    take_in(slot, t, true);
                }
            }
            PunchKind::Out => {
                if let Some(slot) = outs.get_mut(i) {
                    take_out(slot, t, true);
                }
            }
        }
    }
    // An overtime punch after the end also serves as the last session's sign-out.
    if let (Some(t), Some(slot)) = (ot_last, outs.last_mut())
        && slot.is_none_or(|(c, _)| t > c)
    {
        *slot = Some((t, false));
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
                o.excused = Some(Excuse::Outing);
            }
            CoverKind::Trip => {
                result.trip = true;
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
                o.excused = Some(Excuse::Outing);
            }
            CoverKind::Trip => {
                result.trip = true;
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
