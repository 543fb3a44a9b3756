//! The dashboard's data: today so far (`Session::today_overview`), each terminal's health
//! (`list_terminals`, `download_sessions`, `findings`) and next allowed connection
//! (`connection_outlook`), requests waiting (`list_requests`), enrollment windows
//! (`handover_windows`). Plain rows, no egui.

use kaoqin_store::requests::RequestFilter;
use kaoqin_store::sessions::SessionFilter;

use crate::app::dashboard::TodayStatus;
use crate::app::permissions::{Action, allowed};
use crate::app::terminal_sync::OpsError;

use super::super::model::UiError;
use super::{Backend, UserSession, app_error, store_error};
use kaoqin_domain::timefmt::fmt_datetime;

/// Maps an error of a sync-backed service (snapshots, rules, findings) to a locale key.
pub(super) fn ops_error(e: OpsError) -> UiError {
    use kaoqin_sync::SyncError;
    match e {
        OpsError::App(e) => app_error(e),
        OpsError::Sync(SyncError::Store(e)) => store_error(e),
        OpsError::Sync(e) => {
            let key = match &e {
                SyncError::Policy(_) => "audit.error_refused",
                SyncError::Terminal { .. } | SyncError::Link(_) | SyncError::Cut { .. } => {
                    "audit.error_terminal"
                }
                SyncError::Invalid(_) => "error.invalid",
                SyncError::Io { .. } => "audit.error_file",
                _ => "error.generic",
            };
            UiError::new(key, e.to_string())
        }
    }
}

/// One person in today's lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub no: String,
    pub name: String,
    pub department: String,
    pub first_sign_in: String,
    pub late_minutes: u32,
}

/// Today so far.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TodayView {
    pub date: String,
    pub as_of: String,
    pub newest_punch: Option<String>,
    pub expected: usize,
    pub signed_in: Vec<PersonRow>,
    pub late: Vec<PersonRow>,
    pub absent: Vec<PersonRow>,
    pub not_yet: usize,
    pub excused: usize,
    pub unassigned: usize,
    /// (department, month-to-date attendance rate 0..=1, required days so far)
    pub departments: Vec<(String, f64, f64)>,
}

/// Why a connection is not allowed now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleRow {
    Peak {
        /// The window's session name, shift and side (see `widgets::peak_window_text`).
        name: String,
        shift: Option<String>,
        sign_in: bool,
        from: String,
        to: String,
    },
    Spacing {
        minutes: u32,
        previous_end: String,
        unfinished: bool,
    },
}

/// The rule in plain values, for `widgets::rule_text`.
pub fn rule_row(rule: &kaoqin_sync::policy::Rule) -> RuleRow {
    use kaoqin_sync::policy::Rule;
    match rule {
        Rule::PeakWindow { window } => RuleRow::Peak {
            name: window.name.clone(),
            shift: window.shift.clone(),
            sign_in: window.sign_in,
            from: kaoqin_domain::timefmt::fmt_time(window.start.time()),
            to: kaoqin_domain::timefmt::fmt_time(window.end.time()),
        },
        Rule::Spacing {
            previous_end,
            spacing_min,
            previous_unfinished,
        } => RuleRow::Spacing {
            minutes: *spacing_min,
            previous_end: fmt_datetime(*previous_end),
            unfinished: *previous_unfinished,
        },
    }
}

/// One terminal's health and next allowed connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalHealth {
    pub name: String,
    pub last_contact: String,
    pub clock_skew_secs: Option<i64>,
    pub open_findings: usize,
    pub last_error: String,
    /// `None`: allowed now; else the earliest allowed time and the rule refusing now.
    pub next: Option<(String, RuleRow)>,
}

/// An enrollment (hand-over) window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoverRow {
    pub terminal: String,
    pub until: String,
    pub expired: bool,
}

/// Everything on the dashboard; each part is `Err` on its own so one failure hides nothing else.
#[derive(Debug, Clone)]
pub struct DashboardData {
    pub today: Result<TodayView, UiError>,
    pub terminals: Result<Vec<TerminalHealth>, UiError>,
    /// `None` when the role approves nothing.
    pub waiting_requests: Option<Result<usize, UiError>>,
    /// `None` when the role does no device administration.
    pub handover: Option<Result<Vec<HandoverRow>, UiError>>,
}

impl Backend {
    /// The dashboard's data for `user`.
    pub fn dashboard(&self, user: &UserSession) -> DashboardData {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let today = s.today_overview().map_err(app_error).map(|o| {
            let row = |p: &crate::app::dashboard::TodayPerson, late| PersonRow {
                no: p.no.clone(),
                name: p.name.clone(),
                department: p.department.clone(),
                first_sign_in: p.first_sign_in.clone().unwrap_or_default(),
                late_minutes: late,
            };
            let mut v = TodayView {
                date: o.date.to_string(),
                as_of: fmt_datetime(o.now),
                newest_punch: o.newest_punch.map(fmt_datetime),
                ..TodayView::default()
            };
            for p in &o.people {
                match p.status {
                    TodayStatus::Off => continue,
                    TodayStatus::Unassigned => v.unassigned += 1,
                    TodayStatus::Excused => v.excused += 1,
                    TodayStatus::NotYet => v.not_yet += 1,
                    TodayStatus::Absent => v.absent.push(row(p, 0)),
                    TodayStatus::SignedIn { late_minutes } => {
                        v.signed_in.push(row(p, late_minutes));
                        if late_minutes > 0 {
                            v.late.push(row(p, late_minutes));
                        }
                    }
                }
                v.expected += 1;
            }
            v.expected -= v.unassigned;
            v.departments = o
                .departments
                .iter()
                .filter(|d| d.required_days > 0.0)
                .map(|d| (d.department.clone(), d.rate(), d.required_days))
                .collect();
            v
        });
        let terminals = (|| -> Result<Vec<TerminalHealth>, UiError> {
            let list = s.list_terminals().map_err(app_error)?;
            let outlook = s.connection_outlook().map_err(ops_error)?;
            let sessions = s
                .download_sessions(&SessionFilter::default())
                .map_err(ops_error)?;
            let findings = s.findings(None, true).map_err(ops_error)?;
            let ids = kaoqin_store::terminals::list(s.conn()).map_err(store_error)?;
            Ok(list
                .into_iter()
                .map(|t| {
                    let id = ids.iter().find(|x| x.name == t.name).map(|x| x.id);
                    let skew = sessions
                        .iter()
                        .filter(|x| x.terminal_name == t.name && x.clock_skew_secs.is_some())
                        .max_by_key(|x| (x.started_at, x.id))
                        .and_then(|x| x.clock_skew_secs);
                    let open_findings = findings
                        .iter()
                        .filter(|f| f.terminal_id.is_some() && f.terminal_id == id)
                        .count();
                    let next = outlook
                        .iter()
                        .find(|o| o.terminal == t.name)
                        .and_then(|o| o.refusal.as_ref())
                        .map(|r| {
                            let rule = rule_row(&r.rule);
                            (fmt_datetime(r.earliest_allowed_at), rule)
                        });
                    TerminalHealth {
                        name: t.name,
                        last_contact: t.last_contact_at.map(fmt_datetime).unwrap_or_default(),
                        clock_skew_secs: skew,
                        open_findings,
                        last_error: t.last_error.unwrap_or_default(),
                        next,
                    }
                })
                .collect())
        })();
        let waiting_requests = allowed(user.role, Action::ApproveRequests).then(|| {
            s.list_requests(&RequestFilter {
                state: Some("submitted".into()),
                ..RequestFilter::default()
            })
            .map(|v| v.len())
            .map_err(app_error)
        });
        let handover = allowed(user.role, Action::DeviceAdmin).then(|| {
            s.handover_windows()
                .map(|v| {
                    v.into_iter()
                        .map(|w| HandoverRow {
                            terminal: w.terminal,
                            until: fmt_datetime(w.until),
                            expired: w.expired,
                        })
                        .collect()
                })
                .map_err(ops_error)
        });
        DashboardData {
            today,
            terminals,
            waiting_requests,
            handover,
        }
    }
}
