//! The Terminals page's door to the services: terminal definitions (`app::terminals`), the
//! supervised download with cancel (`app::terminal_sync`), findings and their explanation, the raw
//! punches, and the supervisor's device administration (`app::device`). Every call that connects
//! to a terminal goes through a supervised session of the sync layer (rules, time limit, audit);
//! a refusal comes back as [`OpsFailure::Refused`] with the rule and the next allowed time.

use kaoqin_store::{TerminalKind, TextEncoding};
use kaoqin_sync::device_admin::{PolicyChange, Violation, policy_violation_list};

use crate::app::terminal_sync::{OpsError, PunchQuery};
use crate::app::terminals::{TerminalChanges, TerminalInput};

use super::super::model::UiError;
use super::{Backend, UserSession, app_error};
use kaoqin_domain::DevicePassword;
use kaoqin_domain::timefmt::fmt_datetime;

/// A terminal as the edit form needs it (no secret: only whether one is set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalDetail {
    pub name: String,
    pub kind: TerminalKind,
    pub address: String,
    pub baud: Option<u32>,
    pub machine: u32,
    pub encoding: TextEncoding,
    pub location: String,
    pub serial_no: Option<String>,
    pub has_secret: bool,
    pub handover_until: Option<String>,
}

/// The terminal form as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalForm {
    pub name: String,
    pub kind: TerminalKind,
    pub address: String,
    pub baud: Option<u32>,
    pub machine: Option<u32>,
    pub encoding: TextEncoding,
    pub location: String,
    /// The serial number, for a terminal that has none yet (`None`: unchanged / learned later).
    pub serial: Option<String>,
    /// The comm key / ISAPI password; on edit, `None` keeps the stored one.
    pub secret: Option<String>,
}

/// One finding for the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingRow {
    pub id: i64,
    pub kind: String,
    pub details: String,
    pub found_at: String,
    pub session: Option<i64>,
    /// "note — by, at" when explained.
    pub explained: Option<String>,
}

/// One raw punch, as the table shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PunchRow {
    pub ts: chrono::NaiveDateTime,
    pub enrollment_no: String,
    pub verify_mode: i64,
    pub in_out_state: i64,
    pub session_id: i64,
}

/// A user on the terminal, as the last policy check read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceUserRow {
    pub uid: u16,
    pub enrollment_no: String,
    pub name: String,
    pub privilege: u8,
    pub has_password: bool,
    pub card: u32,
}

/// A policy check (and apply) result: users, violations, the planned changes. Structured, so the
/// page can say them in the user's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyView {
    pub users: Vec<DeviceUserRow>,
    pub violations: Vec<Violation>,
    /// What `apply` would change (check) or changed (apply).
    pub changes: Vec<PolicyChange>,
    /// The terminal refused a change (the change and its answer); nothing after it was tried.
    pub apply_error: Option<String>,
    /// After apply: violations left on re-reading.
    pub violations_after: Option<Vec<Violation>>,
}

/// The enrollment report in plain rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnrollmentView {
    pub not_enrolled: Vec<(String, String)>,
    pub not_employees: Vec<(String, String)>,
    pub name_mismatches: Vec<(String, String, String)>,
}

/// Why a terminal session did not do its work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpsFailure {
    /// The connection rules refused: which rule (locale key, its values for `widgets::rule_text`,
    /// the service's own words) and when it may go.
    Refused {
        rule_key: &'static str,
        rule: Box<super::dashboard::RuleRow>,
        words: String,
        earliest: String,
    },
    Failed(UiError),
}

/// Maps a sync service's error to a refusal (rule + next allowed time) or a localized error.
pub fn ops_failure(e: OpsError) -> OpsFailure {
    use kaoqin_sync::SyncError;
    use kaoqin_sync::policy::{PolicyError, Rule};
    match e {
        OpsError::Sync(SyncError::Policy(
            PolicyError::Refused(refusal) | PolicyError::OverrideWithoutReason(refusal),
        )) => OpsFailure::Refused {
            rule_key: match refusal.rule {
                Rule::PeakWindow { .. } => "download.rule_peak_window",
                Rule::Spacing { .. } => "download.rule_spacing",
            },
            rule: Box::new(super::dashboard::rule_row(&refusal.rule)),
            words: refusal.rule.to_string(),
            earliest: kaoqin_domain::timefmt::fmt_datetime_secs(refusal.earliest_allowed_at),
        },
        OpsError::Sync(e) => {
            let key = match &e {
                SyncError::Cut { .. } => "download.error_cut",
                SyncError::Cancelled { .. } => "download.error_cancelled",
                SyncError::Terminal { .. } | SyncError::Link(_) => "download.error_terminal",
                SyncError::Invalid(_) => "error.invalid",
                _ => "error.generic",
            };
            OpsFailure::Failed(UiError::new(key, e.to_string()))
        }
        OpsError::App(e) => OpsFailure::Failed(app_error(e)),
    }
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl Backend {
    /// A supervised download through `Session::download` (rules, time limit, audit); progress goes
    /// to `progress`; `cancel` stops it (the session is then stored as cancelled, with nothing of
    /// the batch). Blocks up to the session's time limit: call it from a worker thread.
    pub fn download(
        &self,
        user: &UserSession,
        terminal: &str,
        override_reason: Option<String>,
        progress: tokio::sync::watch::Sender<kaoqin_sync::SessionProgress>,
        cancel: kaoqin_sync::CancellationToken,
    ) -> super::super::pages::DownloadOutcome {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let io = kaoqin_sync::SessionIo::new(progress, cancel);
        super::super::pages::download_outcome(s.download(terminal, override_reason, io))
    }

    /// The terminals with what the edit form needs (`Session::list_terminals`).
    pub fn terminal_details(&self, user: &UserSession) -> Result<Vec<TerminalDetail>, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let list = s.list_terminals().map_err(app_error)?;
        // The hand-over window has no service field yet: read with the store (read-only).
        let stored = kaoqin_store::terminals::list(s.conn()).map_err(super::store_error)?;
        Ok(list
            .into_iter()
            .map(|t| {
                let handover_until = stored
                    .iter()
                    .find(|x| x.name == t.name)
                    .and_then(|x| x.handover_until)
                    .map(fmt_datetime);
                TerminalDetail {
                    address: t.address,
                    kind: t.kind,
                    baud: t.baud,
                    machine: t.machine,
                    encoding: t.encoding,
                    location: t.location.unwrap_or_default(),
                    serial_no: t.serial_no,
                    has_secret: t.has_secret,
                    name: t.name,
                    handover_until,
                }
            })
            .collect())
    }

    /// `Session::add_terminal` (the address is parsed per kind by the service).
    pub fn add_terminal(&self, user: &UserSession, f: &TerminalForm) -> Result<(), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let input = TerminalInput {
            name: f.name.trim().to_owned(),
            kind: f.kind,
            address: f.address.trim().to_owned(),
            baud: f.baud,
            machine: f.machine,
            encoding: f.encoding,
            location: opt(&f.location),
            serial: f.serial.clone(),
        };
        s.add_terminal(&input, f.secret.as_deref().unwrap_or(""))
            .map_err(app_error)?;
        Ok(())
    }

    /// `Session::update_terminal`: every field of the form; the secret only when typed.
    pub fn update_terminal(
        &self,
        user: &UserSession,
        old_name: &str,
        f: &TerminalForm,
    ) -> Result<(), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let rename = Some(f.name.trim().to_owned()).filter(|n| n != old_name);
        let changes = TerminalChanges {
            rename,
            kind: Some(f.kind),
            address: Some(f.address.trim().to_owned()),
            baud: f.baud,
            machine: f.machine,
            encoding: Some(f.encoding),
            location: Some(f.location.trim().to_owned()),
            secret: f.secret.clone(),
            serial: f.serial.clone(),
        };
        s.update_terminal(old_name, &changes).map_err(app_error)?;
        Ok(())
    }

    /// `Session::remove_terminal` (punches, sessions and snapshots stay).
    pub fn remove_terminal(&self, user: &UserSession, name: &str) -> Result<(), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        s.remove_terminal(name).map_err(app_error)
    }

    /// `Session::findings` of one terminal, open and explained.
    pub fn findings(&self, user: &UserSession, terminal: &str) -> Result<Vec<FindingRow>, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let list = s.findings(Some(terminal), false).map_err(failed)?;
        Ok(list
            .into_iter()
            .map(|f| FindingRow {
                id: f.id,
                kind: f.kind,
                details: match f.details.get("summary").and_then(|s| s.as_str()) {
                    Some(summary) => summary.to_owned(),
                    None if f.details.is_null() => String::new(),
                    None => f.details.to_string(),
                },
                found_at: fmt_datetime(f.found_at),
                session: f.session_id,
                explained: f.explained_note.map(|n| {
                    format!(
                        "{n} — {} {}",
                        f.explained_by.unwrap_or_default(),
                        f.explained_at.map(fmt_datetime).unwrap_or_default()
                    )
                }),
            })
            .collect())
    }

    /// `Session::explain_finding` (supervisor; audited with the note).
    pub fn explain_finding(&self, user: &UserSession, id: i64, note: &str) -> Result<(), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        s.explain_finding(id, note).map_err(failed)?;
        Ok(())
    }

    /// `Session::punches`: the raw punches of `terminal`, filtered, in time order. Loaded once on
    /// a worker thread; the table draws only the visible rows.
    pub fn punches(
        &self,
        user: &UserSession,
        terminal: &str,
        employee: Option<String>,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
    ) -> Result<Vec<PunchRow>, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let q = PunchQuery {
            terminal: Some(terminal.to_owned()),
            employee,
            from: from.and_then(|d| d.and_hms_opt(0, 0, 0)),
            to: to.and_then(|d| d.and_hms_opt(23, 59, 59)),
        };
        let rows = s.punches(&q).map_err(failed)?;
        Ok(rows
            .into_iter()
            .map(|p| PunchRow {
                ts: p.ts,
                enrollment_no: p.enrollment_no,
                verify_mode: p.verify_mode,
                in_out_state: p.in_out_state,
                session_id: p.session_id,
            })
            .collect())
    }

    /// `Session::device_clock`: the skew, or sets the clock from this PC. A supervised session.
    pub fn device_clock(
        &self,
        user: &UserSession,
        terminal: &str,
        sync: bool,
        override_reason: Option<String>,
    ) -> Result<(i64, Option<i64>), OpsFailure> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let r = s
            .device_clock(terminal, sync, override_reason)
            .map_err(ops_failure)?;
        Ok((r.skew_before_secs, r.skew_after_secs))
    }

    /// `Session::device_password`: returns the super admin's 工号.
    pub fn device_password(
        &self,
        user: &UserSession,
        terminal: &str,
        password: &DevicePassword,
        override_reason: Option<String>,
    ) -> Result<String, OpsFailure> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let su = s
            .device_password(terminal, password, override_reason)
            .map_err(ops_failure)?;
        Ok(su.enrollment_no)
    }

    /// `Session::device_handover`: returns the super admin's 工号 and the window's end.
    pub fn device_handover(
        &self,
        user: &UserSession,
        terminal: &str,
        password: &DevicePassword,
        days: u32,
        override_reason: Option<String>,
    ) -> Result<(String, String), OpsFailure> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let (su, until) = s
            .device_handover(terminal, password, days, override_reason)
            .map_err(ops_failure)?;
        Ok((su.enrollment_no, fmt_datetime(until)))
    }

    /// `Session::device_policy`: check (with the planned changes) or apply.
    pub fn device_policy(
        &self,
        user: &UserSession,
        terminal: &str,
        apply: bool,
        override_reason: Option<String>,
    ) -> Result<PolicyView, OpsFailure> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let r = s
            .device_policy(terminal, apply, override_reason)
            .map_err(ops_failure)?;
        let changes = if apply {
            r.applied.clone()
        } else {
            r.planned.clone()
        };
        let violations = policy_violation_list(&r.users, r.face_only);
        let violations_after = r
            .users_after
            .as_deref()
            .map(|after| policy_violation_list(after, r.face_only));
        Ok(PolicyView {
            users: r
                .users
                .into_iter()
                .map(|u| DeviceUserRow {
                    uid: u.uid,
                    enrollment_no: u.enrollment_no,
                    name: u.name,
                    privilege: u.privilege,
                    has_password: u.has_password,
                    card: u.card,
                })
                .collect(),
            violations,
            changes,
            apply_error: r.apply_error,
            violations_after,
        })
    }

    /// `Session::device_enrollment`: terminal users against active employees.
    pub fn device_enrollment(
        &self,
        user: &UserSession,
        terminal: &str,
        override_reason: Option<String>,
    ) -> Result<EnrollmentView, OpsFailure> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let r = s
            .device_enrollment(terminal, override_reason)
            .map_err(ops_failure)?;
        Ok(EnrollmentView {
            not_enrolled: r.not_enrolled,
            not_employees: r.not_employees,
            name_mismatches: r.name_mismatches,
        })
    }
}

/// A listing's error (no terminal session): always a plain error.
fn failed(e: OpsError) -> UiError {
    match ops_failure(e) {
        OpsFailure::Failed(e) => e,
        OpsFailure::Refused { words, .. } => UiError::new("error.generic", words),
    }
}
