//! Connection rules (docs/domain.md §2.3): when a PC may connect to a terminal, and for how long.
//!
//! Pure: every function takes "now" and the terminal's last connection end as arguments, so the rules
//! are table-tested with an injected clock. It must not read the clock, the database or the network;
//! the supervised session (`session/`) feeds it and enforces its answer.
//!
//! Times are the organisation's local wall-clock times without a zone (terminals have none either).

use std::sync::Arc;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use kaoqin_domain::{ClockTime, ScheduleBook};
use serde::{Deserialize, Serialize};

/// One work session's sign-in/sign-out times from which peak windows are derived, as the
/// supervisor enters them in the settings (the shifts in use add their own, see
/// [`ConnectionRules::follow_schedules`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeakSession {
    /// A label for messages, e.g. "morning".
    pub name: String,
    /// The latest allowed sign-in time; the window is the `margin_before_sign_in` before it.
    pub latest_sign_in: NaiveTime,
    /// The earliest allowed sign-out time; the window is the `margin_after_sign_out` after it.
    pub earliest_sign_out: NaiveTime,
}

/// The connection rules. Only a supervisor may change them (the app service checks and audits that).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConnectionRules {
    pub sessions: Vec<PeakSession>,
    /// Minutes before each latest sign-in during which no connection may run (45).
    pub margin_before_sign_in_min: u32,
    /// Minutes after each earliest sign-out during which no connection may run (45).
    pub margin_after_sign_out_min: u32,
    /// Hard limit on one connection, in seconds (180).
    pub time_limit_secs: u32,
    /// Minimum minutes between the end of one connection and the start of the next to the same
    /// terminal (10).
    pub spacing_min: u32,
    /// Also keep clear of the sign-in/sign-out deadlines of every shift in use on the day
    /// (docs/domain.md §2.3: "of each session"), so a shift starting at 08:00 is protected without the
    /// supervisor retyping it here. On by default.
    pub follow_schedules: bool,
    /// The schedule book the shifts in use come from; loaded with the settings, never stored.
    #[serde(skip)]
    pub schedule: Option<Arc<ScheduleBook>>,
}

impl Default for ConnectionRules {
    /// docs/domain.md §2.3 margins with the 机关 schedule (preset A: 09:00–12:00, 13:30–17:30).
    fn default() -> Self {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
        ConnectionRules {
            sessions: vec![
                PeakSession {
                    name: "morning".into(),
                    latest_sign_in: t(9, 0),
                    earliest_sign_out: t(12, 0),
                },
                PeakSession {
                    name: "afternoon".into(),
                    latest_sign_in: t(13, 30),
                    earliest_sign_out: t(17, 30),
                },
            ],
            margin_before_sign_in_min: 45,
            margin_after_sign_out_min: 45,
            time_limit_secs: 180,
            spacing_min: 10,
            follow_schedules: true,
            schedule: None,
        }
    }
}

impl ConnectionRules {
    pub fn time_limit(&self) -> Duration {
        Duration::seconds(i64::from(self.time_limit_secs))
    }

    pub fn spacing(&self) -> Duration {
        Duration::minutes(i64::from(self.spacing_min))
    }

    /// Rules with no peak window and no spacing: for tests and demos that must connect at any time.
    /// The time limit stays.
    pub fn unrestricted() -> Self {
        ConnectionRules {
            sessions: Vec::new(),
            spacing_min: 0,
            follow_schedules: false,
            ..ConnectionRules::default()
        }
    }

    /// The peak windows that touch the day of `at` (and the neighbouring days, so windows crossing
    /// midnight are seen), as absolute half-open intervals `[start, end)`: the configured sessions'
    /// and, with [`follow_schedules`](Self::follow_schedules), those of the shifts in use each day.
    /// A window both give is listed once.
    pub fn windows_around(&self, at: NaiveDateTime) -> Vec<PeakWindow> {
        let before = Duration::minutes(i64::from(self.margin_before_sign_in_min));
        let after = Duration::minutes(i64::from(self.margin_after_sign_out_min));
        let mut out: Vec<PeakWindow> = Vec::new();
        let mut push = |name: &str, shift: Option<&str>, sign_in: bool, at: NaiveDateTime| {
            let what = if sign_in { "sign-in" } else { "sign-out" };
            let label = match shift {
                Some(code) => format!("shift {code} {name} {what}"),
                None => format!("{name} {what}"),
            };
            let (start, end) = if sign_in {
                if before.is_zero() {
                    return;
                }
                (at - before, at)
            } else {
                if after.is_zero() {
                    return;
                }
                (at, at + after)
            };
            if !out.iter().any(|o| o.start == start && o.end == end) {
                out.push(PeakWindow {
                    label,
                    start,
                    end,
                    name: name.to_owned(),
                    shift: shift.map(str::to_owned),
                    sign_in,
                });
            }
        };
        for day_offset in -1..=2 {
            let day = at.date() + Duration::days(day_offset);
            for s in &self.sessions {
                push(&s.name, None, true, day.and_time(s.latest_sign_in));
                push(&s.name, None, false, day.and_time(s.earliest_sign_out));
            }
            for (shift, session, sign_in, when) in self.shift_deadlines(day) {
                push(&session, Some(&shift), sign_in, when);
            }
        }
        out.sort_by_key(|w| w.start);
        out
    }

    /// The punch deadlines of the shifts in use on `day`: (shift, session, sign-in?, when).
    fn shift_deadlines(&self, day: NaiveDate) -> Vec<(String, String, bool, NaiveDateTime)> {
        let Some(book) = self.schedule.as_deref().filter(|_| self.follow_schedules) else {
            return Vec::new();
        };
        let midnight = day.and_time(NaiveTime::MIN);
        let at = |t: ClockTime| midnight + Duration::minutes(i64::from(t.0));
        book.shifts_in_use(day)
            .into_iter()
            .flat_map(|shift| {
                shift
                    .punch_deadlines()
                    .into_iter()
                    .map(|d| (shift.code.clone(), d.session, d.sign_in, at(d.at)))
            })
            .collect()
    }
}

/// One absolute peak window `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeakWindow {
    /// In words, for the CLI, logs and the audit log ("morning sign-in", "shift C 上午 sign-in").
    pub label: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    /// The configured session's or the shift session's name, for a translated label.
    #[serde(default)]
    pub name: String,
    /// The shift whose deadline this is; `None` for a configured session.
    #[serde(default)]
    pub shift: Option<String>,
    /// Before a sign-in deadline (`true`) or after a sign-out one.
    #[serde(default)]
    pub sign_in: bool,
}

/// Which rule refused a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// The connection (now up to now + time limit) would overlap a sign-in/sign-out peak window.
    PeakWindow { window: Box<PeakWindow> },
    /// Less than the spacing since the previous connection to this terminal ended.
    Spacing {
        previous_end: NaiveDateTime,
        spacing_min: u32,
        /// The previous session never recorded its end (still running elsewhere, or its program
        /// was stopped): `previous_end` is its start plus the time limit. Set by the session layer.
        #[serde(default)]
        previous_unfinished: bool,
    },
}

impl Rule {
    /// The stable short name used in audit entries and session rows.
    pub fn name(&self) -> &'static str {
        match self {
            Rule::PeakWindow { .. } => "peak_window",
            Rule::Spacing { .. } => "spacing",
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rule::PeakWindow { window } => write!(
                f,
                "peak window ({}) {}–{}",
                window.label,
                window.start.format("%H:%M"),
                window.end.format("%H:%M")
            ),
            Rule::Spacing {
                previous_end,
                spacing_min,
                previous_unfinished: false,
            } => write!(
                f,
                "at least {spacing_min} min between connections (previous one ended {})",
                previous_end.format("%Y-%m-%d %H:%M:%S")
            ),
            Rule::Spacing {
                previous_end,
                spacing_min,
                previous_unfinished: true,
            } => write!(
                f,
                "at least {spacing_min} min between connections (the previous connection never \
                 recorded its end: it may still be running in another window, or its program was \
                 stopped; it counts as lasting its whole time limit, until {})",
                previous_end.format("%Y-%m-%d %H:%M:%S")
            ),
        }
    }
}

/// A refusal: the rule and the earliest time a connection will be allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub rule: Rule,
    pub earliest_allowed_at: NaiveDateTime,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "connection refused by the rule: {}; the earliest allowed time is {} \
             (a supervisor may override with a reason)",
            self.rule,
            self.earliest_allowed_at.format("%Y-%m-%d %H:%M:%S")
        )
    }
}

/// The answer of [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Allowed,
    Refused(Refusal),
}

/// The first rule that refuses a connection starting at `t`, if any.
fn first_refusal(
    rules: &ConnectionRules,
    last_end: Option<NaiveDateTime>,
    t: NaiveDateTime,
) -> Option<(Rule, NaiveDateTime)> {
    // The whole possible session [t, t + limit] must stay outside every window: a session that
    // starts one minute before the window and runs to its limit would keep the terminal busy in it.
    // Peak windows are named first: they are the rule that protects the people punching.
    let session_end = t + rules.time_limit();
    if let Some(w) = rules
        .windows_around(t)
        .into_iter()
        .find(|w| t < w.end && session_end > w.start)
    {
        let end = w.end;
        return Some((
            Rule::PeakWindow {
                window: Box::new(w),
            },
            end,
        ));
    }
    if let Some(prev) = last_end {
        let free_at = prev + rules.spacing();
        if t < free_at {
            return Some((
                Rule::Spacing {
                    previous_end: prev,
                    spacing_min: rules.spacing_min,
                    previous_unfinished: false,
                },
                free_at,
            ));
        }
    }
    None
}

/// Checks the rules for a connection to a terminal whose previous connection ended at
/// `last_connection_end` (None if never connected), starting at `now`.
///
/// The refusal names the first rule that refuses `now` and the earliest time at which *no* rule
/// refuses, found by moving past each obstacle in turn (a spacing end may fall into a window, a
/// window's end may be followed by an adjacent one).
pub fn check(
    rules: &ConnectionRules,
    last_connection_end: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Check {
    let Some((rule, mut next)) = first_refusal(rules, last_connection_end, now) else {
        return Check::Allowed;
    };
    // Each step moves strictly forward to the end of an obstacle; windows are finite per day, so
    // this converges. The bound guards against pathological settings (e.g. windows covering the
    // whole day), where no time is ever free.
    for _ in 0..1000 {
        match first_refusal(rules, last_connection_end, next) {
            None => break,
            Some((_, later)) if later > next => next = later,
            Some(_) => break,
        }
    }
    Check::Refused(Refusal {
        rule,
        earliest_allowed_at: next,
    })
}

/// The decision after an optional override.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    Allowed,
    /// The rules refused, a supervisor overrode with `reason`.
    Overridden {
        refusal: Refusal,
        reason: String,
    },
}

/// Why a connection may not go ahead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("{0}")]
    Refused(Refusal),
    #[error("an override needs a reason (say why the rule must be broken); {0}")]
    OverrideWithoutReason(Refusal),
}

/// [`check`] followed by the override: an override (its `reason`) is used only when the rules
/// refuse, and needs a non-blank reason. Who may override is the application's permission table;
/// the caller holds a [`crate::grant::RulesOverride`] only if it was granted.
pub fn decide(
    rules: &ConnectionRules,
    last_connection_end: Option<NaiveDateTime>,
    now: NaiveDateTime,
    override_reason: Option<&str>,
) -> Result<Decision, PolicyError> {
    match check(rules, last_connection_end, now) {
        Check::Allowed => Ok(Decision::Allowed),
        Check::Refused(refusal) => match override_reason {
            None => Err(PolicyError::Refused(refusal)),
            Some(reason) if reason.trim().is_empty() => {
                Err(PolicyError::OverrideWithoutReason(refusal))
            }
            Some(reason) => Ok(Decision::Overridden {
                refusal,
                reason: reason.trim().to_string(),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 2)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .unwrap_or_default()
    }

    fn next_day(h: u32, m: u32) -> NaiveDateTime {
        at(h, m) + Duration::days(1)
    }

    /// Expected outcome: None = allowed, Some((rule name, earliest allowed)).
    type Expect = Option<(&'static str, NaiveDateTime)>;

    #[test]
    fn peak_window_boundaries_with_default_rules() {
        let rules = ConnectionRules::default();
        // Windows: 08:15–09:00, 12:00–12:45 + 12:45–13:30 (adjacent), 17:30–18:15. Limit 3 min.
        let cases: Vec<(&str, NaiveDateTime, Expect)> = vec![
            ("night", at(3, 0), None),
            ("limit + 1 min before morning window", at(8, 11), None),
            ("exactly limit before window", at(8, 12), None),
            (
                "session would run into window",
                at(8, 13),
                Some(("peak_window", at(9, 0))),
            ),
            (
                "one minute before window start",
                at(8, 14),
                Some(("peak_window", at(9, 0))),
            ),
            (
                "one minute inside morning window",
                at(8, 16),
                Some(("peak_window", at(9, 0))),
            ),
            (
                "one minute before latest sign-in",
                at(8, 59),
                Some(("peak_window", at(9, 0))),
            ),
            ("at latest sign-in", at(9, 0), None),
            ("one minute after morning window", at(9, 1), None),
            ("mid-morning", at(10, 30), None),
            (
                "one minute before sign-out window",
                at(11, 59),
                Some(("peak_window", at(13, 30))),
            ),
            (
                "one minute inside sign-out window: adjacent windows skipped",
                at(12, 1),
                Some(("peak_window", at(13, 30))),
            ),
            (
                "one minute inside afternoon sign-in window",
                at(13, 29),
                Some(("peak_window", at(13, 30))),
            ),
            (
                "one minute after afternoon sign-in window",
                at(13, 31),
                None,
            ),
            ("limit + 1 min before evening window", at(17, 26), None),
            (
                "one minute inside evening window",
                at(17, 31),
                Some(("peak_window", at(18, 15))),
            ),
            (
                "one minute before evening window end",
                at(18, 14),
                Some(("peak_window", at(18, 15))),
            ),
            ("at evening window end", at(18, 15), None),
            ("one minute after evening window", at(18, 16), None),
        ];
        for (what, now, expect) in cases {
            let got = match check(&rules, None, now) {
                Check::Allowed => None,
                Check::Refused(r) => Some((r.rule.name(), r.earliest_allowed_at)),
            };
            assert_eq!(got, expect, "{what} at {now}");
        }
    }

    #[test]
    fn spacing_boundaries_and_interaction_with_windows() {
        let rules = ConnectionRules::default();
        let cases: Vec<(&str, NaiveDateTime, NaiveDateTime, Expect)> = vec![
            (
                "one minute inside spacing",
                at(10, 0),
                at(10, 9),
                Some(("spacing", at(10, 10))),
            ),
            ("exactly spacing", at(10, 0), at(10, 10), None),
            ("one minute after spacing", at(10, 0), at(10, 11), None),
            (
                "spacing ends where the session would run into a window",
                at(8, 5),
                at(8, 6),
                Some(("spacing", at(9, 0))),
            ),
            (
                "spacing ends inside a window, then adjacent windows",
                at(11, 55),
                at(11, 56),
                Some(("spacing", at(13, 30))),
            ),
            (
                "window refuses first, spacing ends before window end",
                at(8, 20),
                at(8, 25),
                Some(("peak_window", at(9, 0))),
            ),
            (
                "window end still inside spacing",
                at(8, 55),
                at(8, 56),
                Some(("peak_window", at(9, 5))),
            ),
            (
                "a connection the previous day is irrelevant",
                at(10, 0) - Duration::days(1),
                at(10, 1),
                None,
            ),
        ];
        for (what, last_end, now, expect) in cases {
            let got = match check(&rules, Some(last_end), now) {
                Check::Allowed => None,
                Check::Refused(r) => Some((r.rule.name(), r.earliest_allowed_at)),
            };
            assert_eq!(got, expect, "{what}: last end {last_end}, now {now}");
        }
    }

    #[test]
    fn windows_crossing_midnight() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
        let rules = ConnectionRules {
            sessions: vec![PeakSession {
                name: "night shift".into(),
                latest_sign_in: t(0, 20),
                earliest_sign_out: t(23, 40),
            }],
            ..ConnectionRules::default()
        };
        // Windows: 23:35 (prev day)–00:20 and 23:40–00:25 (next day).
        let cases: Vec<(&str, NaiveDateTime, Expect)> = vec![
            (
                "just before midnight",
                at(23, 50),
                Some(("peak_window", next_day(0, 25))),
            ),
            (
                "just after midnight: two overlapping windows",
                next_day(0, 10),
                Some(("peak_window", next_day(0, 25))),
            ),
            ("after both", next_day(0, 26), None),
            ("afternoon", at(15, 0), None),
        ];
        for (what, now, expect) in cases {
            let got = match check(&rules, None, now) {
                Check::Allowed => None,
                Check::Refused(r) => Some((r.rule.name(), r.earliest_allowed_at)),
            };
            assert_eq!(got, expect, "{what} at {now}");
        }
    }

    #[test]
    fn override_needs_a_reason_and_is_used_only_when_refused() {
        let rules = ConnectionRules::default();
        let inside = at(8, 30);
        let sup = |reason: &'static str| reason;
        // Allowed time: the override is not used.
        assert_eq!(
            decide(&rules, None, at(10, 0), Some(sup("x"))),
            Ok(Decision::Allowed)
        );
        // Refused without override.
        match decide(&rules, None, inside, None) {
            Err(PolicyError::Refused(r)) => assert_eq!(r.earliest_allowed_at, at(9, 0)),
            other => panic!("expected refusal, got {other:?}"),
        }
        // Supervisor without reason.
        assert!(matches!(
            decide(&rules, None, inside, Some(sup("  "))),
            Err(PolicyError::OverrideWithoutReason(_))
        ));
        // Supervisor with reason, for a peak window and for spacing.
        match decide(&rules, None, inside, Some(sup(" terminal replaced "))) {
            Ok(Decision::Overridden { refusal, reason }) => {
                assert_eq!(refusal.rule.name(), "peak_window");
                assert_eq!(reason, "terminal replaced");
            }
            other => panic!("expected override, got {other:?}"),
        }
        match decide(&rules, Some(at(10, 0)), at(10, 5), Some(sup("retry"))) {
            Ok(Decision::Overridden { refusal, .. }) => {
                assert_eq!(refusal.rule.name(), "spacing");
                assert_eq!(refusal.earliest_allowed_at, at(10, 10));
            }
            other => panic!("expected override, got {other:?}"),
        }
    }

    #[test]
    fn unrestricted_rules_allow_anything_and_messages_name_the_rule() {
        let rules = ConnectionRules::unrestricted();
        assert_eq!(check(&rules, Some(at(8, 29)), at(8, 30)), Check::Allowed);
        let Check::Refused(r) = check(&ConnectionRules::default(), None, at(8, 30)) else {
            panic!("08:30 must be refused by default rules");
        };
        let msg = r.to_string();
        assert!(
            msg.contains("peak window (morning sign-in) 08:15–09:00"),
            "{msg}"
        );
        assert!(msg.contains("2026-03-02 09:00:00"), "{msg}");
    }

    #[test]
    fn rules_round_trip_through_json_with_defaults() {
        let parsed: ConnectionRules =
            serde_json::from_str(r#"{"spacing_min": 15}"#).unwrap_or_default();
        assert_eq!(parsed.spacing_min, 15);
        assert_eq!(parsed.margin_before_sign_in_min, 45);
        assert_eq!(parsed.time_limit_secs, 180);
        let json = serde_json::to_string(&ConnectionRules::default()).unwrap_or_default();
        let back: ConnectionRules =
            serde_json::from_str(&json).unwrap_or_else(|_| ConnectionRules {
                spacing_min: 999,
                ..ConnectionRules::default()
            });
        assert_eq!(back, ConnectionRules::default());
    }

    #[test]
    fn the_shifts_in_use_add_their_own_windows() {
        use kaoqin_domain::{Assignment, PlanRef, Target};
        // The organisation works A (inside the configured 09:00/13:30 sessions); the guards work D
        // from 2 March (07:30 in, 12:00 out, 14:00 in, 19:00 out).
        let mut book = ScheduleBook::with_presets("A");
        book.assignments.push(Assignment {
            target: Target::Department("保卫处".into()),
            plan: PlanRef::Shift("D".into()),
            from: NaiveDate::from_ymd_opt(2026, 3, 2),
            to: None,
        });
        let rules = ConnectionRules {
            schedule: Some(Arc::new(book)),
            ..ConnectionRules::default()
        };
        let today: Vec<(String, String, String)> = rules
            .windows_around(at(12, 0))
            .into_iter()
            .filter(|w| w.start.date() == at(0, 0).date())
            .map(|w| {
                (
                    w.start.format("%H:%M").to_string(),
                    w.end.format("%H:%M").to_string(),
                    w.label,
                )
            })
            .collect();
        let want = [
            ("06:45", "07:30", "shift D 上午 sign-in"),
            ("08:15", "09:00", "morning sign-in"),
            ("12:00", "12:45", "morning sign-out"),
            ("12:45", "13:30", "afternoon sign-in"),
            ("13:15", "14:00", "shift D 下午 sign-in"),
            ("17:30", "18:15", "afternoon sign-out"),
            ("19:00", "19:45", "shift D 下午 sign-out"),
        ];
        let want: Vec<(String, String, String)> = want
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        assert_eq!(
            today, want,
            "A's windows are the configured ones, listed once"
        );
        // D's morning sign-out 12:00 gives the same window as the configured one: listed once.
        assert!(matches!(
            check(&rules, None, at(7, 0)),
            Check::Refused(Refusal { earliest_allowed_at, .. }) if earliest_allowed_at == at(7, 30)
        ));
        // The day before D starts, and with the option off, 07:00 is free.
        let day_before = at(7, 0) - Duration::days(1);
        assert_eq!(check(&rules, None, day_before), Check::Allowed);
        let off = ConnectionRules {
            follow_schedules: false,
            ..rules.clone()
        };
        assert_eq!(check(&off, None, at(7, 0)), Check::Allowed);
        // The book is never stored with the settings.
        let json = serde_json::to_string(&rules).unwrap_or_default();
        assert!(!json.contains("保卫处") && json.contains("\"follow_schedules\":true"));
    }
}
