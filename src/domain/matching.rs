//! Which punch is which session's sign-in or sign-out: the one place that decides it.
//!
//! The split points give every punch of the work date its session (`Shift::session_at`); the shift's
//! `InOutMode` then says whether it signs in, signs out, is spare (`extra`) or is ignored
//! (`unmatched`, strict windows and unknown state keys only). Day results, the exception list, the
//! daily detail and the window's cell explanation all read this outcome, so they cannot disagree.
//! Pure; must not judge lateness or absence (that is `reconcile`'s job).

use chrono::NaiveDateTime;

use crate::clock::ClockTime;
use crate::people::PunchKind;
use crate::schedule::{InOutMode, Session, Shift};

/// A punch reduced to what matching needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct P {
    pub t: ClockTime,
    pub ts: NaiveDateTime,
    pub state: u8,
}

/// The punches chosen for each session, and what was left over.
#[derive(Debug, Default)]
pub(crate) struct Matched {
    pub ins: Vec<Option<ClockTime>>,
    pub outs: Vec<Option<ClockTime>>,
    /// Ignored punches: outside every window (strict mode) or with an unknown state key.
    pub unmatched: Vec<NaiveDateTime>,
    /// Punches of a session that were not needed (a second sign-in, a noon punch on a sign-in-only
    /// morning), with the session they belong to.
    pub extra: Vec<(NaiveDateTime, usize)>,
}

/// Match the day's punches (sorted, duplicates removed) to the shift's sessions.
pub(crate) fn match_punches(shift: &Shift, ps: &[P]) -> Matched {
    let n = shift.sessions.len();
    let mut m = Matched {
        ins: vec![None; n],
        outs: vec![None; n],
        ..Matched::default()
    };
    match shift.in_out {
        InOutMode::Windows => {
            for (i, s) in shift.sessions.iter().enumerate() {
                let mine: Vec<P> = ps
                    .iter()
                    .copied()
                    .filter(|p| shift.session_at(p.t) == Some(i))
                    .collect();
                let last = (i + 1 == n).then_some(s.end);
                let (inn, out) = lenient_session(s, last, &mine);
                set(&mut m, i, inn, out, &mine);
            }
        }
        InOutMode::StrictWindows => strict(shift, ps, &mut m),
        InOutMode::StateKey => {
            for (i, _) in shift.sessions.iter().enumerate() {
                let mine: Vec<P> = ps
                    .iter()
                    .copied()
                    .filter(|p| shift.session_at(p.t) == Some(i))
                    .collect();
                let mut inn = None;
                let mut out = None;
                for p in &mine {
                    match PunchKind::from_state_key(p.state) {
                        Some(PunchKind::In) => inn = inn.or(Some(p.t)),
                        Some(PunchKind::Out) => out = Some(p.t),
                        None => m.unmatched.push(p.ts),
                    }
                }
                let known: Vec<P> = mine
                    .into_iter()
                    .filter(|p| PunchKind::from_state_key(p.state).is_some())
                    .collect();
                set(&mut m, i, inn, out, &known);
            }
        }
    }
    m
}

/// Record session `i`'s choice; its other punches are extra.
fn set(m: &mut Matched, i: usize, inn: Option<ClockTime>, out: Option<ClockTime>, mine: &[P]) {
    if let Some(slot) = m.ins.get_mut(i) {
        *slot = inn;
    }
    if let Some(slot) = m.outs.get_mut(i) {
        *slot = out;
    }
    for p in mine {
        if Some(p.t) != inn && Some(p.t) != out {
            m.extra.push((p.ts, i));
        }
    }
}

/// The lenient window rule for one session's punches (sorted). `last_end` is the session's end when
/// it is the last session of the day: a punch after it is overtime evidence and signs out.
fn lenient_session(
    s: &Session,
    last_end: Option<ClockTime>,
    mine: &[P],
) -> (Option<ClockTime>, Option<ClockTime>) {
    let in_zone = |t: ClockTime| s.sign_in.is_some_and(|w| t <= w.closes);
    let out_zone = |t: ClockTime| !in_zone(t) && s.sign_out.is_some_and(|w| t >= w.opens);
    let ins: Vec<ClockTime> = mine.iter().map(|p| p.t).filter(|&t| in_zone(t)).collect();
    let outs: Vec<ClockTime> = mine.iter().map(|p| p.t).filter(|&t| out_zone(t)).collect();
    let gap: Vec<ClockTime> = mine
        .iter()
        .map(|p| p.t)
        .filter(|&t| !in_zone(t) && !out_zone(t))
        .collect();
    // Earliest sign-in, latest sign-out: arriving twice or leaving twice keeps the honest ends.
    let mut inn = ins.first().copied();
    let mut out = outs.last().copied();
    match (s.sign_in, s.sign_out) {
        (Some(iw), Some(ow)) => match (inn, out, gap.as_slice()) {
            (None, None, [only]) => {
                // One punch between the windows: the nearer side (the midpoint between them).
                let divider = ClockTime((iw.closes.0 + ow.opens.0).div_euclid(2));
                if *only <= divider {
                    inn = Some(*only);
                } else {
                    out = Some(*only);
                }
            }
            (None, None, [first, .., last]) => {
                inn = Some(*first);
                out = Some(*last);
            }
            (Some(_), None, [.., last]) => out = Some(*last),
            (None, Some(_), [first, ..]) => inn = Some(*first),
            _ => {}
        },
        // Sign-in only: after the window closes is a late sign-in.
        (Some(_), None) => {
            if inn.is_none() {
                inn = gap.first().copied();
            }
        }
        // Sign-out only: before the window opens is an early sign-out.
        (None, Some(_)) => {
            if out.is_none() {
                out = gap.last().copied();
            }
        }
        (None, None) => {}
    }
    // After the day's last session: the latest punch past the end is overtime evidence and the
    // session's sign-out, whatever the windows say.
    if let Some(end) = last_end
        && let Some(t) = mine.iter().map(|p| p.t).rfind(|&t| t > end)
        && Some(t) != inn
        && out.is_none_or(|o| t > o)
    {
        out = Some(t);
    }
    (inn, out)
}

/// ZK's strict mode: a punch counts only inside a window; after the last session it is overtime.
fn strict(shift: &Shift, ps: &[P], m: &mut Matched) {
    let n = shift.sessions.len();
    let last_end = shift.last_end().unwrap_or(shift.day_end());
    for p in ps {
        let hit = shift.sessions.iter().enumerate().find_map(|(i, s)| {
            if s.sign_in.is_some_and(|w| w.contains(p.t)) {
                Some((i, PunchKind::In))
            } else if s.sign_out.is_some_and(|w| w.contains(p.t)) {
                Some((i, PunchKind::Out))
            } else {
                None
            }
        });
        match hit {
            Some((i, PunchKind::In)) => {
                if let Some(slot) = m.ins.get_mut(i)
                    && slot.is_none()
                {
                    *slot = Some(p.t);
                }
            }
            Some((i, PunchKind::Out)) => {
                if let Some(slot) = m.outs.get_mut(i) {
                    *slot = Some(p.t);
                }
            }
            None if p.t > last_end && n > 0 => {
                if let Some(slot) = m.outs.last_mut() {
                    *slot = Some(p.t);
                }
            }
            None => m.unmatched.push(p.ts),
        }
    }
    // Everything inside a window but not chosen is extra (a second sign-in, an earlier sign-out).
    for p in ps {
        if m.unmatched.contains(&p.ts) {
            continue;
        }
        let chosen = m.ins.iter().chain(m.outs.iter()).any(|c| *c == Some(p.t));
        if !chosen {
            let i = shift.session_at(p.t).unwrap_or(n.saturating_sub(1));
            m.extra.push((p.ts, i));
        }
    }
}
