//! Settings: connection rules (`sync_settings` / `set_connection_rules`, as `kaoqin rules`),
//! report symbols (`report_symbols` / `set_report_symbols` / `reset_report_symbols`), backup and
//! restore (`Session::backup` / `restore_in_place`; a backup that does not verify is refused, and
//! the administrator may restore it anyway with a reason, as `kaoqin restore --force-unverified
//! --reason`), app users (`add_user`, `disable_user`, `enable_user`, `set_user_role`,
//! `set_password`). Plain rows, no egui.

use std::path::Path;

use chrono::{NaiveDateTime, NaiveTime};
use kaoqin_domain::report::SymbolSet;
use kaoqin_domain::request::LeaveType;
use kaoqin_sync::ConnectionRules;
use kaoqin_sync::policy::{PeakSession, PeakWindow};

use crate::app::backup::RestoreOutcome;
use crate::app::clock::ThreadSleeper;
use crate::app::error::AppError;
use crate::app::permissions::Role;
use crate::app::report_symbols::{SymbolChanges, named};
use crate::app::session;

use super::super::model::UiError;
use super::dashboard::ops_error;
use super::{Backend, UserSession, app_error};

/// The connection rules as the form edits them (times as "HH:MM").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RulesForm {
    /// (name, latest sign-in, earliest sign-out)
    pub sessions: Vec<(String, String, String)>,
    pub margin_before: String,
    pub margin_after: String,
    pub time_limit: String,
    pub spacing: String,
    /// Also keep clear of the shifts in use (`ConnectionRules::follow_schedules`).
    pub follow_schedules: bool,
    /// Today's peak windows as the rules gave them when loaded ("HH:MM–HH:MM", the window).
    pub today_windows: Vec<(String, PeakWindow)>,
}

impl RulesForm {
    /// The form for `r`, with the peak windows of `now`'s day.
    pub fn from_rules(r: &ConnectionRules, now: NaiveDateTime) -> Self {
        let today_windows = r
            .windows_around(now)
            .into_iter()
            .filter(|w| w.start.date() == now.date() || w.end.date() == now.date())
            .map(|w| {
                (
                    format!("{}–{}", w.start.format("%H:%M"), w.end.format("%H:%M")),
                    w,
                )
            })
            .collect();
        RulesForm {
            follow_schedules: r.follow_schedules,
            today_windows,
            sessions: r
                .sessions
                .iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        s.latest_sign_in.format("%H:%M").to_string(),
                        s.earliest_sign_out.format("%H:%M").to_string(),
                    )
                })
                .collect(),
            margin_before: r.margin_before_sign_in_min.to_string(),
            margin_after: r.margin_after_sign_out_min.to_string(),
            time_limit: r.time_limit_secs.to_string(),
            spacing: r.spacing_min.to_string(),
        }
    }

    /// The rules, or the locale key of the first field that is wrong (the service validates the
    /// rest).
    pub fn to_rules(&self) -> Result<ConnectionRules, UiError> {
        let num = |v: &str, key: &'static str| {
            v.trim()
                .parse::<u32>()
                .map_err(|_| UiError::new(key, v.trim().to_string()))
        };
        let time = |v: &str| {
            NaiveTime::parse_from_str(v.trim(), "%H:%M")
                .map_err(|_| UiError::new("settings.error_time", v.trim().to_string()))
        };
        let mut sessions = Vec::new();
        for (i, (name, a, b)) in self.sessions.iter().enumerate() {
            let (a, b) = (time(a)?, time(b)?);
            if b <= a {
                return Err(UiError::new(
                    "settings.error_session_order",
                    format!("{} – {}", a.format("%H:%M"), b.format("%H:%M")),
                ));
            }
            let name = if name.trim().is_empty() {
                format!("session {}", i + 1)
            } else {
                name.trim().to_string()
            };
            sessions.push(PeakSession {
                name,
                latest_sign_in: a,
                earliest_sign_out: b,
            });
        }
        Ok(ConnectionRules {
            sessions,
            margin_before_sign_in_min: num(&self.margin_before, "settings.error_number")?,
            margin_after_sign_out_min: num(&self.margin_after, "settings.error_number")?,
            time_limit_secs: num(&self.time_limit, "settings.error_number")?,
            spacing_min: num(&self.spacing, "settings.error_number")?,
            follow_schedules: self.follow_schedules,
            schedule: None,
        })
    }
}

/// One symbol of the sheets: (symbol, locale key or leave-type name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolRow {
    /// The name the service takes (`late`, `leave:sick`, …).
    pub name: String,
    pub symbol: String,
    /// A locale key (`settings.sym_*`) for the fixed meanings...
    pub meaning_key: Option<&'static str>,
    /// ...or the leave type's name (zh, en).
    pub leave_name: Option<(String, String)>,
}

/// What a restore did, for the window to say before the user signs in again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreDone {
    /// Where the previous database was kept.
    pub kept_aside: Option<String>,
    /// Why the backup did not verify (empty unless the administrator overrode the refusal).
    pub unverified: Vec<String>,
    /// Protections (triggers) put back because the backup lacked them.
    pub reinstated: Vec<String>,
}

impl RestoreDone {
    fn of(out: RestoreOutcome) -> Self {
        RestoreDone {
            kept_aside: out.kept_aside.map(|p| p.display().to_string()),
            unverified: out.unverified,
            reinstated: out.reinstated,
        }
    }
}

/// Why a restore did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreFailure {
    /// The backup does not verify (schema, triggers, chain, manifest, batches, administrator):
    /// nothing was changed, the refusal is in the audit log. Only an administrator may restore it
    /// anyway, with a reason.
    Refused { problems: Vec<String> },
    /// Any other error (wrong password, not a Kaoqin database, no permission, …).
    Failed(UiError),
}

impl From<UiError> for RestoreFailure {
    fn from(e: UiError) -> Self {
        RestoreFailure::Failed(e)
    }
}

impl Backend {
    /// The stored connection rules (defaults where unset), as `kaoqin rules show` prints them.
    pub fn connection_rules(&self, user: &UserSession) -> Result<ConnectionRules, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        Ok(s.sync_settings().map_err(ops_error)?.rules)
    }

    /// Changes the connection rules (supervisor; validated and audited by the service).
    pub fn set_connection_rules(
        &self,
        user: &UserSession,
        rules: &ConnectionRules,
    ) -> Result<(), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        s.set_connection_rules(rules).map_err(ops_error)
    }

    /// The symbols the sheets use (`Session::report_symbols`): the fixed ones and one per leave
    /// type, with the administrator's changes.
    pub fn report_symbols(&self, user: &UserSession) -> Result<Vec<SymbolRow>, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let types = s.leave_types().map_err(app_error)?;
        let sym = s.report_symbols().map_err(app_error)?;
        Ok(symbol_rows(&sym, &types))
    }

    /// Changes symbols (administrator; checked and audited by `Session::set_report_symbols`).
    pub fn set_report_symbols(
        &self,
        user: &UserSession,
        changes: &SymbolChanges,
    ) -> Result<Vec<SymbolRow>, UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let sym = s.set_report_symbols(changes).map_err(app_error)?;
        let types = s.leave_types().map_err(app_error)?;
        Ok(symbol_rows(&sym, &types))
    }

    /// Back to the default symbols (administrator; audited).
    pub fn reset_report_symbols(&self, user: &UserSession) -> Result<Vec<SymbolRow>, UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let sym = s.reset_report_symbols().map_err(app_error)?;
        let types = s.leave_types().map_err(app_error)?;
        Ok(symbol_rows(&sym, &types))
    }

    /// Writes a consistent copy of the database to `dest` (admin; audited). Returns the number of
    /// audit entries and punches in the copy.
    pub fn backup(&self, user: &UserSession, dest: &Path) -> Result<(u64, u64), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let info = s.backup(dest).map_err(app_error)?;
        Ok((info.audit_entries, info.punches))
    }

    /// Replaces the database with the backup `from` (admin; audited), after the service verified
    /// it. The user confirms with their password. A backup that does not verify is refused
    /// ([`RestoreFailure::Refused`]) unless `override_reason` gives the administrator's reason to
    /// restore it anyway (the service checks the permission and records the reason and the
    /// problems in the restore entry). The session stays in place on the restored database until
    /// the window signs out.
    pub fn restore(
        &self,
        user: &UserSession,
        password: &str,
        from: &Path,
        override_reason: Option<&str>,
    ) -> Result<RestoreDone, RestoreFailure> {
        // The password again, as for any irreversible act; the check opens and closes its own
        // connection before the restore starts.
        drop(
            session::Session::login(
                &self.paths,
                &user.user,
                password,
                self.clock(),
                &ThreadSleeper,
            )
            .map_err(app_error)?,
        );
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let result = s.restore_in_place_checked(from, override_reason);
        match result {
            Ok(out) => Ok(RestoreDone::of(out)),
            Err(AppError::RestoreRefused { problems, .. }) => {
                Err(RestoreFailure::Refused { problems })
            }
            Err(e) => Err(RestoreFailure::Failed(app_error(e))),
        }
    }

    pub fn add_user(
        &self,
        user: &UserSession,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<(), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        s.add_user(name, role, password)
            .map(|_| ())
            .map_err(app_error)
    }

    pub fn set_user_disabled(
        &self,
        user: &UserSession,
        name: &str,
        disabled: bool,
    ) -> Result<(), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        if disabled {
            s.disable_user(name)
        } else {
            s.enable_user(name)
        }
        .map_err(app_error)
    }

    /// Clears a user's failed log-ins (`Session::unlock_login`, audited).
    pub fn unlock_login(&self, user: &UserSession, name: &str) -> Result<(), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        s.unlock_login(name).map(drop).map_err(app_error)
    }

    pub fn set_user_role(&self, user: &UserSession, name: &str, role: Role) -> Result<(), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        s.set_user_role(name, role).map_err(app_error)
    }

    pub fn reset_password(
        &self,
        user: &UserSession,
        name: &str,
        password: &str,
    ) -> Result<(), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        s.set_password(name, password).map_err(app_error)
    }
}

/// The meaning of a fixed symbol, as a locale key.
fn meaning_key(name: &str) -> Option<&'static str> {
    Some(match name {
        "present" => "settings.sym_present",
        "late" => "settings.sym_late",
        "early" => "settings.sym_early",
        "absent" => "settings.sym_absent",
        "missing" => "settings.sym_missing",
        "leave_default" => "settings.sym_leave_default",
        "outing" => "settings.sym_outing",
        "trip" => "settings.sym_trip",
        "supplement" => "settings.sym_supplement",
        "rest" => "settings.sym_rest",
        "holiday" => "settings.sym_holiday",
        "overtime" => "settings.sym_overtime",
        "not_employed" => "settings.sym_not_employed",
        _ => return None,
    })
}

/// The rows of the symbols table, in the sheet legend's order.
fn symbol_rows(sym: &SymbolSet, types: &[LeaveType]) -> Vec<SymbolRow> {
    named(sym)
        .into_iter()
        .map(|(name, symbol)| {
            let leave_name = name.strip_prefix("leave:").and_then(|code| {
                types
                    .iter()
                    .find(|t| t.code == code)
                    .map(|t| (t.name_zh.clone(), t.name_en.clone()))
            });
            SymbolRow {
                meaning_key: meaning_key(&name),
                leave_name: leave_name.or_else(|| {
                    meaning_key(&name)
                        .is_none()
                        .then(|| (name.clone(), name.clone()))
                }),
                name,
                symbol,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_form_round_trips_and_names_the_wrong_field() {
        let r = ConnectionRules::default();
        let f = RulesForm::from_rules(
            &r,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
                .and_then(|d| d.and_hms_opt(10, 0, 0))
                .unwrap_or_default(),
        );
        assert_eq!(f.to_rules(), Ok(r));
        let mut bad = f.clone();
        bad.spacing = "ten".into();
        assert_eq!(
            bad.to_rules().map_err(|e| e.key),
            Err("settings.error_number")
        );
        let mut bad = f.clone();
        bad.sessions[0].1 = "9h".into();
        assert_eq!(
            bad.to_rules().map_err(|e| e.key),
            Err("settings.error_time")
        );
        let mut bad = f;
        bad.sessions[0].2 = "08:00".into();
        assert_eq!(
            bad.to_rules().map_err(|e| e.key),
            Err("settings.error_session_order")
        );
    }
}
