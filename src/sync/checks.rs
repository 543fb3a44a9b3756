//! Checks on what a download brought (docs/domain.md §2.4): terminal clock skew, signs of clock tampering
//! in the log, non-face verification where the policy is face-only, punches by people who are no
//! employee. Each finding names the records it is about.
//!
//! Pure: the PC time, the terminal clock reading, the log and the employee list are arguments. It
//! must not read the clock, the database or the network. Findings are raised only for records that
//! are new in this download (records already stored were checked when they arrived), except the
//! clock skew, which is about the session itself.

use std::collections::{BTreeMap, HashSet};

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// Thresholds and the credential policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckSettings {
    /// A terminal clock further than this from the PC clock is a finding (120 s).
    pub clock_skew_threshold_secs: u32,
    /// A record earlier than its predecessor in the terminal's log by more than this is a finding
    /// (600 s: punches are written in order; small steps back come from the terminal syncing time).
    pub backwards_threshold_secs: u32,
    /// A record later than the PC time (corrected by nothing) by more than this is in the future
    /// (300 s).
    pub future_tolerance_secs: u32,
    /// A forward gap between two consecutive records longer than this is a sudden jump (30 days:
    /// longer than the Spring Festival break).
    pub jump_threshold_days: u32,
    /// Verification modes the policy accepts; anything else is a finding. ZK: 15 = face.
    /// Empty means no credential policy.
    pub allowed_verify_modes: Vec<u8>,
    /// Flag punches by enrollment numbers that are no employee (only once any employee exists).
    pub flag_unknown_enrollment: bool,
}

impl Default for CheckSettings {
    fn default() -> Self {
        CheckSettings {
            clock_skew_threshold_secs: 120,
            backwards_threshold_secs: 600,
            future_tolerance_secs: 300,
            jump_threshold_days: 30,
            allowed_verify_modes: vec![VERIFY_FACE],
            flag_unknown_enrollment: true,
        }
    }
}

pub const VERIFY_PASSWORD: u8 = 0;
pub const VERIFY_FINGERPRINT: u8 = 1;
pub const VERIFY_CARD: u8 = 2;
pub const VERIFY_FACE: u8 = 15;

/// A verification mode's name for clerks.
pub fn verify_mode_name(mode: u8) -> String {
    match mode {
        VERIFY_PASSWORD => "password".into(),
        VERIFY_FINGERPRINT => "fingerprint".into(),
        VERIFY_CARD => "card".into(),
        VERIFY_FACE => "face".into(),
        other => format!("mode {other}"),
    }
}

/// One record of the terminal's log as the checks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    pub enrollment_no: String,
    pub timestamp: NaiveDateTime,
    pub verify: u8,
    /// True when this download stored it for the first time.
    pub is_new: bool,
}

/// Which record a finding is about: its position in the terminal's log order (0-based) and its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRef {
    pub position: usize,
    pub enrollment_no: String,
    pub timestamp: NaiveDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    ClockSkew,
    TimeBackwards,
    TimeInFuture,
    TimeJump,
    #[serde(rename = "non-face-verify")]
    NonFaceVerification,
    UnknownEnrollment,
    /// Punches imported from a file under a terminal serial that is not registered (a supervisor
    /// allowed it): nothing shows that a terminal ever recorded them.
    UnregisteredTerminal,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::ClockSkew => "clock-skew",
            FindingKind::TimeBackwards => "time-backwards",
            FindingKind::TimeInFuture => "time-in-future",
            FindingKind::TimeJump => "time-jump",
            FindingKind::NonFaceVerification => "non-face-verify",
            FindingKind::UnknownEnrollment => "unknown-enrollment",
            FindingKind::UnregisteredTerminal => "unregistered-terminal",
        }
    }
}

/// At most this many records are listed in one finding; `record_count` keeps the full number.
pub const MAX_RECORDS_PER_FINDING: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// One sentence a clerk can act on.
    pub summary: String,
    /// The records concerned (at most [`MAX_RECORDS_PER_FINDING`]).
    pub records: Vec<RecordRef>,
    /// How many records the finding concerns in total.
    pub record_count: usize,
}

impl Finding {
    fn new(kind: FindingKind, summary: String, mut records: Vec<RecordRef>) -> Self {
        let record_count = records.len();
        records.truncate(MAX_RECORDS_PER_FINDING);
        Finding {
            kind,
            summary,
            records,
            record_count,
        }
    }
}

fn fmt_ts(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn fmt_secs(secs: i64) -> String {
    let a = secs.unsigned_abs();
    if a >= 86_400 {
        format!("{}d {}h", a / 86_400, (a % 86_400) / 3600)
    } else if a >= 3600 {
        format!("{}h {}min", a / 3600, (a % 3600) / 60)
    } else if a >= 60 {
        format!("{}min {}s", a / 60, a % 60)
    } else {
        format!("{a}s")
    }
}

/// The terminal clock against the PC clock, both read at connect. Positive skew: terminal ahead.
pub fn clock_skew(
    settings: &CheckSettings,
    pc_time: NaiveDateTime,
    terminal_time: NaiveDateTime,
) -> Option<Finding> {
    let skew = (terminal_time - pc_time).num_seconds();
    if skew.unsigned_abs() <= u64::from(settings.clock_skew_threshold_secs) {
        return None;
    }
    let dir = if skew > 0 { "ahead of" } else { "behind" };
    Some(Finding::new(
        FindingKind::ClockSkew,
        format!(
            "terminal clock {} is {} {dir} the PC clock {} (threshold {}); \
             someone may have changed it, or it drifted: check and set it",
            fmt_ts(terminal_time),
            fmt_secs(skew),
            fmt_ts(pc_time),
            fmt_secs(i64::from(settings.clock_skew_threshold_secs)),
        ),
        Vec::new(),
    ))
}

fn rref(pos: usize, r: &LogRecord) -> RecordRef {
    RecordRef {
        position: pos,
        enrollment_no: r.enrollment_no.clone(),
        timestamp: r.timestamp,
    }
}

/// Punches stored under `serial`, which no registered terminal has (imported with the supervisor's
/// `--allow-unregistered`): every record is listed, new or not.
pub fn unregistered_terminal(serial: &str, file: &str, log: &[LogRecord]) -> Finding {
    let records: Vec<RecordRef> = log.iter().enumerate().map(|(i, r)| rref(i, r)).collect();
    Finding::new(
        FindingKind::UnregisteredTerminal,
        format!(
            "{} punch(es) imported from {file} under terminal serial {serial}, which is not a registered \
             terminal: no terminal is known to have recorded them; check them before they count",
            records.len()
        ),
        records,
    )
}

/// Tampering signs in log order: steps backwards, forward jumps, records in the future.
pub fn tampering(
    settings: &CheckSettings,
    pc_time: NaiveDateTime,
    log: &[LogRecord],
) -> Vec<Finding> {
    let mut out = Vec::new();
    let back = Duration::seconds(i64::from(settings.backwards_threshold_secs));
    let jump = Duration::days(i64::from(settings.jump_threshold_days));
    for (i, pair) in log.windows(2).enumerate() {
        let [prev, cur] = pair else { continue };
        if !(prev.is_new || cur.is_new) {
            continue;
        }
        let step = cur.timestamp - prev.timestamp;
        if step < -back {
            out.push(Finding::new(
                FindingKind::TimeBackwards,
                format!(
                    "record {} ({} at {}) is {} earlier than the record before it ({} at {}): \
                     the terminal clock was probably set back",
                    i + 1,
                    cur.enrollment_no,
                    fmt_ts(cur.timestamp),
                    fmt_secs(step.num_seconds()),
                    prev.enrollment_no,
                    fmt_ts(prev.timestamp),
                ),
                vec![rref(i, prev), rref(i + 1, cur)],
            ));
        } else if step > jump {
            out.push(Finding::new(
                FindingKind::TimeJump,
                format!(
                    "the log jumps {} forward between record {} ({}) and record {} ({}): \
                     check whether the terminal clock was moved",
                    fmt_secs(step.num_seconds()),
                    i,
                    fmt_ts(prev.timestamp),
                    i + 1,
                    fmt_ts(cur.timestamp),
                ),
                vec![rref(i, prev), rref(i + 1, cur)],
            ));
        }
    }
    let limit = pc_time + Duration::seconds(i64::from(settings.future_tolerance_secs));
    let future: Vec<RecordRef> = log
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_new && r.timestamp > limit)
        .map(|(i, r)| rref(i, r))
        .collect();
    if let Some(first) = future.first() {
        out.push(Finding::new(
            FindingKind::TimeInFuture,
            format!(
                "{} record(s) are dated after the PC time {} (first: {} at {}): \
                 the terminal clock was ahead when they were taken",
                future.len(),
                fmt_ts(pc_time),
                first.enrollment_no,
                fmt_ts(first.timestamp),
            ),
            future,
        ));
    }
    out
}

/// Non-face verification (per person and mode) and unknown enrollment numbers (per number).
pub fn credentials(
    settings: &CheckSettings,
    log: &[LogRecord],
    employees: &HashSet<String>,
) -> Vec<Finding> {
    let mut by_mode: BTreeMap<(u8, &str), Vec<RecordRef>> = BTreeMap::new();
    let mut unknown: BTreeMap<&str, Vec<RecordRef>> = BTreeMap::new();
    // With no employee registered yet (first set-up), every punch would be "unknown": noise.
    let flag_unknown = settings.flag_unknown_enrollment && !employees.is_empty();
    for (i, r) in log.iter().enumerate().filter(|(_, r)| r.is_new) {
        if !settings.allowed_verify_modes.is_empty()
            && !settings.allowed_verify_modes.contains(&r.verify)
        {
            by_mode
                .entry((r.verify, r.enrollment_no.as_str()))
                .or_default()
                .push(rref(i, r));
        }
        if flag_unknown && !employees.contains(r.enrollment_no.trim()) {
            unknown
                .entry(r.enrollment_no.as_str())
                .or_default()
                .push(rref(i, r));
        }
    }
    let allowed: Vec<String> = settings
        .allowed_verify_modes
        .iter()
        .map(|m| verify_mode_name(*m))
        .collect();
    let mut out = Vec::new();
    for ((mode, who), recs) in by_mode {
        out.push(Finding::new(
            FindingKind::NonFaceVerification,
            format!(
                "{who} signed {} time(s) by {} where the policy allows only {} (first at {})",
                recs.len(),
                verify_mode_name(mode),
                allowed.join(", "),
                recs.first()
                    .map(|r| fmt_ts(r.timestamp))
                    .unwrap_or_default(),
            ),
            recs,
        ));
    }
    for (who, recs) in unknown {
        out.push(Finding::new(
            FindingKind::UnknownEnrollment,
            format!(
                "enrollment number {who} punched {} time(s) but is no employee \
                 (first at {}): add the employee or check who is enrolled on the terminal",
                recs.len(),
                recs.first()
                    .map(|r| fmt_ts(r.timestamp))
                    .unwrap_or_default(),
            ),
            recs,
        ));
    }
    out
}

/// All checks of one download, in a stable order.
pub fn run_all(
    settings: &CheckSettings,
    pc_time: NaiveDateTime,
    terminal_time: Option<NaiveDateTime>,
    log: &[LogRecord],
    employees: &HashSet<String>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(t) = terminal_time {
        out.extend(clock_skew(settings, pc_time, t));
    }
    out.extend(tampering(settings, pc_time, log));
    out.extend(credentials(settings, log, employees));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn ts(d: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, d)
            .and_then(|x| x.and_hms_opt(h, m, 0))
            .unwrap_or_default()
    }

    fn rec(no: &str, t: NaiveDateTime, verify: u8) -> LogRecord {
        LogRecord {
            enrollment_no: no.into(),
            timestamp: t,
            verify,
            is_new: true,
        }
    }

    #[test]
    fn clock_skew_threshold_table() {
        let s = CheckSettings::default();
        let pc = ts(10, 10, 0);
        let cases = [
            (0i64, false),
            (120, false),
            (-120, false),
            (121, true),
            (-121, true),
            (3600, true),
        ];
        for (skew, found) in cases {
            let f = clock_skew(&s, pc, pc + Duration::seconds(skew));
            assert_eq!(f.is_some(), found, "skew {skew}");
            if let Some(f) = f {
                assert_eq!(f.kind, FindingKind::ClockSkew);
                let dir = if skew > 0 { "ahead" } else { "behind" };
                assert!(f.summary.contains(dir), "{}", f.summary);
            }
        }
    }

    #[test]
    fn tampering_table() {
        let s = CheckSettings::default();
        let pc = ts(20, 12, 0);
        type Case = (&'static str, Vec<LogRecord>, Vec<(FindingKind, Vec<usize>)>);
        let cases: Vec<Case> = vec![
            (
                "ordered log",
                vec![rec("1", ts(1, 8, 50), 15), rec("2", ts(1, 8, 55), 15)],
                vec![],
            ),
            (
                "small step back within threshold",
                vec![rec("1", ts(1, 8, 50), 15), rec("2", ts(1, 8, 41), 15)],
                vec![],
            ),
            (
                "step back beyond threshold",
                vec![
                    rec("1", ts(1, 8, 50), 15),
                    rec("2", ts(1, 8, 39), 15),
                    rec("3", ts(1, 8, 40), 15),
                ],
                vec![(FindingKind::TimeBackwards, vec![0, 1])],
            ),
            (
                "jump forward beyond threshold",
                vec![
                    rec("1", ts(1, 8, 50), 15),
                    rec("2", ts(1, 8, 50) + Duration::days(31), 15),
                ],
                vec![
                    (FindingKind::TimeJump, vec![0, 1]),
                    (FindingKind::TimeInFuture, vec![1]),
                ],
            ),
            (
                "record in the future",
                vec![rec("1", ts(20, 8, 50), 15), rec("2", ts(20, 12, 6), 15)],
                vec![(FindingKind::TimeInFuture, vec![1])],
            ),
            (
                "record within future tolerance",
                vec![rec("1", ts(20, 12, 4), 15)],
                vec![],
            ),
        ];
        for (what, log, expect) in cases {
            let got: Vec<(FindingKind, Vec<usize>)> = tampering(&s, pc, &log)
                .into_iter()
                .map(|f| (f.kind, f.records.iter().map(|r| r.position).collect()))
                .collect();
            assert_eq!(got, expect, "{what}");
        }
    }

    #[test]
    fn old_records_are_not_reported_again() {
        let s = CheckSettings::default();
        let mut log = vec![
            rec("1", ts(1, 8, 50), 0),
            rec("2", ts(1, 7, 0), 15),
            rec("99", ts(1, 9, 0), 15),
        ];
        for r in &mut log {
            r.is_new = false;
        }
        let emps: HashSet<String> = ["1", "2"].iter().map(|s| s.to_string()).collect();
        assert!(run_all(&s, ts(20, 0, 0), None, &log, &emps).is_empty());
        // The step back touches a new record: reported.
        if let Some(r) = log.get_mut(1) {
            r.is_new = true;
        }
        let kinds: Vec<FindingKind> = run_all(&s, ts(20, 0, 0), None, &log, &emps)
            .into_iter()
            .map(|f| f.kind)
            .collect();
        assert_eq!(kinds, vec![FindingKind::TimeBackwards]);
    }

    #[test]
    fn credentials_table() {
        let s = CheckSettings::default();
        let emps: HashSet<String> = ["1001", "1002"].iter().map(|s| s.to_string()).collect();
        let log = vec![
            rec("1001", ts(1, 8, 50), VERIFY_FACE),
            rec("1001", ts(1, 17, 50), VERIFY_PASSWORD),
            rec("1002", ts(1, 8, 40), VERIFY_FINGERPRINT),
            rec("1002", ts(2, 8, 40), VERIFY_FINGERPRINT),
            rec("7777", ts(2, 8, 41), VERIFY_FACE),
        ];
        let got: Vec<(FindingKind, Vec<usize>, bool)> = credentials(&s, &log, &emps)
            .into_iter()
            .map(|f| {
                let names = f.summary.contains("password")
                    || f.summary.contains("fingerprint")
                    || f.summary.contains("7777");
                (
                    f.kind,
                    f.records.iter().map(|r| r.position).collect(),
                    names,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (FindingKind::NonFaceVerification, vec![1], true),
                (FindingKind::NonFaceVerification, vec![2, 3], true),
                (FindingKind::UnknownEnrollment, vec![4], true),
            ]
        );
        // No policy: no credential findings, unknown still found.
        let open = CheckSettings {
            allowed_verify_modes: vec![],
            ..CheckSettings::default()
        };
        let kinds: Vec<FindingKind> = credentials(&open, &log, &emps)
            .into_iter()
            .map(|f| f.kind)
            .collect();
        assert_eq!(kinds, vec![FindingKind::UnknownEnrollment]);
        // No employee registered yet: unknown numbers are not flagged.
        let kinds: Vec<FindingKind> = credentials(&open, &log, &HashSet::new())
            .into_iter()
            .map(|f| f.kind)
            .collect();
        assert!(kinds.is_empty(), "{kinds:?}");
    }

    #[test]
    fn long_findings_are_capped_but_counted() {
        let s = CheckSettings::default();
        let log: Vec<LogRecord> = (0..500)
            .map(|i| rec("1", ts(1, 8, 0) + Duration::seconds(i), VERIFY_PASSWORD))
            .collect();
        let emps: HashSet<String> = ["1".to_string()].into_iter().collect();
        let f = credentials(&s, &log, &emps);
        assert_eq!(f.len(), 1);
        assert_eq!(f.first().map(|f| f.record_count), Some(500));
        assert_eq!(
            f.first().map(|f| f.records.len()),
            Some(MAX_RECORDS_PER_FINDING)
        );
    }
}
