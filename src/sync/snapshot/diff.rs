//! Comparing two snapshots of one terminal (pure): records removed, records whose time changed,
//! records added back-dated before the first snapshot's terminal time, user and privilege changes,
//! and a change of the clock's skew.
//!
//! Matching heuristic (ZK logs are append-only in log order, and an edit keeps a record's place):
//! 1. records equal in (enrollment, time, verify, state, work code) are the same record (counted
//!    as multisets, so double taps are fine);
//! 2. a left-over record of A and one of B with the same enrollment, verify, state and work code
//!    that follow the same last common record ("anchor") are one record whose time changed;
//! 3. failing that, the same attributes on the same day, when exactly one candidate is left;
//! 4. what is left of A was removed; what is left of B and dated before A's terminal time was added
//!    back-dated (later ones are ordinary new punches, only counted).
//!
//! Must not read files or the database.

use std::collections::HashMap;

use serde::Serialize;

use super::file::{PunchRow, SnapshotData, UserRow};

/// Skew changes at or below this many seconds are network noise, not a clock change.
pub const CLOCK_TOLERANCE_SECS: i64 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeChange {
    pub before: PunchRow,
    pub after: PunchRow,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum UserChange {
    Added(UserRow),
    Removed(UserRow),
    Changed { before: UserRow, after: UserRow },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockChange {
    pub skew_before_secs: i64,
    pub skew_after_secs: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SnapshotDiff {
    pub removed: Vec<PunchRow>,
    pub time_changed: Vec<TimeChange>,
    pub backdated: Vec<PunchRow>,
    /// Ordinary punches after A's time (not suspicious).
    pub new_after: usize,
    pub users: Vec<UserChange>,
    pub clock: Option<ClockChange>,
}

impl SnapshotDiff {
    /// Nothing suspicious (new punches after A are normal).
    pub fn is_clean(&self) -> bool {
        self.removed.is_empty()
            && self.time_changed.is_empty()
            && self.backdated.is_empty()
            && self.users.is_empty()
            && self.clock.is_none()
    }
}

type Key = (String, chrono::NaiveDateTime, u8, u8, u32);
type Attrs = (String, u8, u8, u32);

fn key(p: &PunchRow) -> Key {
    (
        p.enrollment_no.clone(),
        p.timestamp,
        p.verify,
        p.state,
        p.workcode,
    )
}

fn attrs(p: &PunchRow) -> Attrs {
    (p.enrollment_no.clone(), p.verify, p.state, p.workcode)
}

/// Records of `side` not matched in `other` (multiset), each with its anchor (the key of the last
/// common record before it in log order).
fn leftovers(side: &[PunchRow], other: &[PunchRow]) -> Vec<(Option<Key>, PunchRow)> {
    let mut counts: HashMap<Key, usize> = HashMap::new();
    for p in other {
        *counts.entry(key(p)).or_default() += 1;
    }
    let mut anchor = None;
    let mut out = Vec::new();
    for p in side {
        let k = key(p);
        match counts.get_mut(&k) {
            Some(n) if *n > 0 => {
                *n -= 1;
                anchor = Some(k);
            }
            _ => out.push((anchor.clone(), p.clone())),
        }
    }
    out
}

pub fn diff(a: &SnapshotData, b: &SnapshotData) -> SnapshotDiff {
    let mut only_a = leftovers(&a.log, &b.log);
    let mut only_b: Vec<Option<(Option<Key>, PunchRow)>> =
        leftovers(&b.log, &a.log).into_iter().map(Some).collect();
    let mut time_changed = Vec::new();

    // Stage 2: same anchor and attributes.
    only_a.retain(|(anchor, pa)| {
        let hit = only_b.iter_mut().find(|x| {
            x.as_ref()
                .is_some_and(|(ab, pb)| ab == anchor && attrs(pb) == attrs(pa))
        });
        match hit.and_then(Option::take) {
            Some((_, pb)) => {
                time_changed.push(TimeChange {
                    before: pa.clone(),
                    after: pb,
                });
                false
            }
            None => true,
        }
    });
    // Stage 3: same attributes, same day, exactly one candidate.
    only_a.retain(|(_, pa)| {
        let mut cands = only_b.iter_mut().filter(|x| {
            x.as_ref().is_some_and(|(_, pb)| {
                attrs(pb) == attrs(pa) && pb.timestamp.date() == pa.timestamp.date()
            })
        });
        let first = cands.next();
        if cands.next().is_some() {
            return true;
        }
        match first.and_then(Option::take) {
            Some((_, pb)) => {
                time_changed.push(TimeChange {
                    before: pa.clone(),
                    after: pb,
                });
                false
            }
            None => true,
        }
    });

    let cutoff = a.clock.terminal;
    let (mut backdated, mut new_after) = (Vec::new(), 0);
    for (_, pb) in only_b.into_iter().flatten() {
        if pb.timestamp < cutoff {
            backdated.push(pb);
        } else {
            new_after += 1;
        }
    }

    let skew_a = a.clock.skew_secs();
    let skew_b = b.clock.skew_secs();
    let clock = ((skew_b - skew_a).abs() > CLOCK_TOLERANCE_SECS).then_some(ClockChange {
        skew_before_secs: skew_a,
        skew_after_secs: skew_b,
    });

    SnapshotDiff {
        removed: only_a.into_iter().map(|(_, p)| p).collect(),
        time_changed,
        backdated,
        new_after,
        users: user_changes(&a.users, &b.users),
        clock,
    }
}

fn user_changes(a: &[UserRow], b: &[UserRow]) -> Vec<UserChange> {
    let by = |v: &[UserRow]| -> HashMap<String, UserRow> {
        v.iter()
            .map(|u| (u.enrollment_no.clone(), u.clone()))
            .collect()
    };
    let (ma, mb) = (by(a), by(b));
    let mut out = Vec::new();
    for u in a {
        match mb.get(&u.enrollment_no) {
            None => out.push(UserChange::Removed(u.clone())),
            Some(v) if v != u => out.push(UserChange::Changed {
                before: u.clone(),
                after: v.clone(),
            }),
            Some(_) => {}
        }
    }
    for u in b {
        if !ma.contains_key(&u.enrollment_no) {
            out.push(UserChange::Added(u.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::file::{ClockInfo, DeviceInfo};
    use chrono::NaiveDateTime;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap_or_default()
    }

    fn p(pos: u64, no: &str, ts: &str) -> PunchRow {
        PunchRow {
            position: pos,
            enrollment_no: no.into(),
            timestamp: t(ts),
            verify: 15,
            state: 0,
            workcode: 0,
        }
    }

    fn snap(log: Vec<PunchRow>, terminal: &str, pc: &str) -> SnapshotData {
        SnapshotData {
            device: DeviceInfo::default(),
            clock: ClockInfo {
                terminal: t(terminal),
                pc: t(pc),
            },
            users: vec![],
            log,
        }
    }

    #[test]
    fn each_kind_of_change_is_found_and_nothing_else() {
        let base = vec![
            p(0, "1", "2026-03-02 08:50:00"),
            p(1, "2", "2026-03-02 08:51:00"),
            p(2, "1", "2026-03-02 17:40:00"),
            p(3, "2", "2026-03-02 17:41:00"),
        ];
        let a = snap(base.clone(), "2026-03-03 10:00:00", "2026-03-03 10:00:00");
        let mut log = base.clone();
        log.remove(1); // removed
        log[0].timestamp = t("2026-03-02 08:20:00"); // time changed
        log.push(p(4, "3", "2026-03-01 09:00:00")); // back-dated
        log.push(p(5, "3", "2026-03-04 09:00:00")); // ordinary new
        let b = snap(log, "2026-03-04 12:00:00", "2026-03-04 11:00:00");
        let d = diff(&a, &b);
        assert_eq!(d.removed, vec![base[1].clone()]);
        assert_eq!(d.time_changed.len(), 1);
        assert_eq!(d.time_changed[0].before, base[0]);
        assert_eq!(d.backdated.len(), 1);
        assert_eq!(d.new_after, 1);
        assert_eq!(
            d.clock,
            Some(ClockChange {
                skew_before_secs: 0,
                skew_after_secs: 3600
            })
        );
        assert!(diff(&a, &a).is_clean());
    }
}
