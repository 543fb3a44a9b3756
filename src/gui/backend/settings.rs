//! Settings: connection rules (`sync_settings` / `set_connection_rules`, as `kaoqin rules`),
//! report symbols (read-only: built from the leave types, `Session::leave_types`), backup and
//! restore (`Session::backup` / `restore`), app users (`add_user`, `disable_user`, `enable_user`,
//! `set_user_role`, `set_password`). Plain rows, no egui.

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveTime;
use kaoqin_domain::report::SymbolSet;
use kaoqin_sync::ConnectionRules;
use kaoqin_sync::policy::PeakSession;

use crate::app::clock::{SystemClock, ThreadSleeper};
use crate::app::permissions::Role;
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
}

impl RulesForm {
    pub fn from_rules(r: &ConnectionRules) -> Self {
        RulesForm {
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
        })
    }
}

/// One symbol of the sheets: (symbol, locale key or leave-type name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolRow {
    pub symbol: String,
    /// A locale key (`settings.sym_*`) for the fixed meanings...
    pub meaning_key: Option<&'static str>,
    /// ...or the leave type's name (zh, en).
    pub leave_name: Option<(String, String)>,
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

    /// The symbols the sheets use: the fixed ones and one per leave type.
    pub fn report_symbols(&self, user: &UserSession) -> Result<Vec<SymbolRow>, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let types = s.leave_types().map_err(app_error)?;
        let sym = SymbolSet::with_leave_types(&types);
        let fixed = [
            (&sym.present, "settings.sym_present"),
            (&sym.late, "settings.sym_late"),
            (&sym.early, "settings.sym_early"),
            (&sym.absent, "settings.sym_absent"),
            (&sym.missing, "settings.sym_missing"),
            (&sym.outing, "settings.sym_outing"),
            (&sym.trip, "settings.sym_trip"),
            (&sym.supplement, "settings.sym_supplement"),
            (&sym.rest, "settings.sym_rest"),
            (&sym.holiday, "settings.sym_holiday"),
            (&sym.overtime, "settings.sym_overtime"),
            (&sym.not_employed, "settings.sym_not_employed"),
        ];
        let mut out: Vec<SymbolRow> = fixed
            .into_iter()
            .map(|(s, k)| SymbolRow {
                symbol: s.clone(),
                meaning_key: Some(k),
                leave_name: None,
            })
            .collect();
        out.extend(types.iter().map(|t| SymbolRow {
            symbol: sym.leave_symbol(&t.code).to_string(),
            meaning_key: None,
            leave_name: Some((t.name_zh.clone(), t.name_en.clone())),
        }));
        Ok(out)
    }

    /// Writes a consistent copy of the database to `dest` (admin; audited). Returns the number of
    /// audit entries and punches in the copy.
    pub fn backup(&self, user: &UserSession, dest: &Path) -> Result<(u64, u64), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let info = s.backup(dest).map_err(app_error)?;
        Ok((info.audit_entries, info.punches))
    }

    /// Replaces the database with the backup `from` (admin; audited). The user confirms with their
    /// password: the service takes the session, so a fresh one is opened to stay in its place
    /// until the window signs out. Returns where the previous database was kept.
    pub fn restore(
        &self,
        user: &UserSession,
        password: &str,
        from: &Path,
    ) -> Result<Option<String>, UiError> {
        let fresh = session::Session::login(
            &self.paths,
            &user.user,
            password,
            Arc::new(SystemClock),
            &ThreadSleeper,
        )
        .map_err(app_error)?;
        let mut guard = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let old = std::mem::replace(&mut *guard, fresh);
        let out = old.restore(from).map_err(app_error)?;
        Ok(out.kept_aside.map(|p| p.display().to_string()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_form_round_trips_and_names_the_wrong_field() {
        let r = ConnectionRules::default();
        let f = RulesForm::from_rules(&r);
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
