//! Application services for supervisor device administration (docs/domain.md §2.1): clock, super-admin
//! password (stored sealed), policy check/apply, enrollment. Permission first (`device_admin`,
//! plus `override_rules` for an override), audited on refusal; the sessions are
//! `kaoqin_sync::device_admin`'s. Must not print, prompt, log or audit a password.

use kaoqin_store::employees::{self, EmployeeFilter};
use kaoqin_store::terminals::{self, TerminalUpdate};
use kaoqin_sync::SyncError;
use kaoqin_sync::device_admin::{
    self, AdminCtx, ClockReport, DeviceUser, EnrollmentReport, PolicyReport,
};
use kaoqin_sync::grant::{AdministerDevice, OverrideRules, RulesOverride};
use serde_json::json;

use super::permissions::Action;
use super::session::Session;
use super::terminal_sync::OpsResult;

/// An enrollment (hand-over) window opened with `device handover` and not yet closed by
/// `device password`: the supervisor's reminder.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HandoverWindow {
    pub terminal: String,
    pub until: chrono::NaiveDateTime,
    /// The window has ended: the hand-over password is still on the terminal and the supervisor
    /// must set their own again (`kaoqin device password --terminal T`).
    pub expired: bool,
}

impl HandoverWindow {
    /// The reminder sentence shown by the CLI (and usable by the GUI as a fallback text).
    pub fn reminder(&self) -> String {
        if self.expired {
            format!(
                "the enrollment window of terminal '{}' expired at {}; the hand-over password is still \
                 on the terminal: set the supervisor password again with `kaoqin device password --terminal {}`",
                self.terminal,
                self.until.format("%Y-%m-%d %H:%M"),
                self.terminal
            )
        } else {
            format!(
                "the enrollment window of terminal '{}' is open until {}; afterwards run \
                 `kaoqin device password --terminal {}`",
                self.terminal,
                self.until.format("%Y-%m-%d %H:%M"),
                self.terminal
            )
        }
    }
}

impl Session {
    /// Checks permissions and builds what a device-admin session needs, then runs `f` with it.
    fn with_admin<T>(
        &mut self,
        terminal: &str,
        override_reason: Option<String>,
        f: impl for<'a> FnOnce(
            AdminCtx<'a>,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<T, SyncError>> + 'a>,
        >,
    ) -> OpsResult<T> {
        let grant = self.authorize::<AdministerDevice>(terminal)?;
        let rules_override = match override_reason {
            Some(reason) => Some(RulesOverride::new(
                &self.authorize::<OverrideRules>(terminal)?,
                reason,
            )),
            None => None,
        };
        let t = terminals::get_by_name(self.conn(), terminal)?;
        let secret = self.terminal_secret(terminal)?;
        let comm_key = secret
            .as_deref()
            .map(kaoqin_sync::zk::parse_comm_key)
            .transpose()
            .map_err(SyncError::from)?;
        let connector = kaoqin_sync::ZkConnector::for_terminal(&t, comm_key, false)
            .and_then(|c| c.into_admin())
            .map_err(SyncError::from)?;
        let rules = kaoqin_sync::settings::load(self.conn())?.rules;
        let clock = self.sync_clock();
        let rt = Self::runtime()?;
        let store = self.store_mut();
        let ctx = AdminCtx {
            store,
            grant: &grant,
            terminal: &t,
            connector: &connector,
            rules: &rules,
            rules_override,
            clock,
        };
        let done = rt.block_on(f(ctx));
        self.anchor("device");
        Ok(done?)
    }

    /// `device clock [--sync]`.
    pub fn device_clock(
        &mut self,
        terminal: &str,
        sync: bool,
        override_reason: Option<String>,
    ) -> OpsResult<ClockReport> {
        self.with_admin(terminal, override_reason, move |ctx| {
            Box::pin(device_admin::clock(ctx, sync))
        })
    }

    /// `device password`: writes the super admin's password, confirms it by reading back, and
    /// stores it sealed with the terminal (audited without the password). The password is already
    /// one the terminal's keypad takes (`kaoqin_domain::DevicePassword`: 4–8 digits).
    pub fn device_password(
        &mut self,
        terminal: &str,
        password: &kaoqin_domain::DevicePassword,
        override_reason: Option<String>,
    ) -> OpsResult<DeviceUser> {
        let pw = password.expose().to_owned();
        let su = self.with_admin(terminal, override_reason, move |ctx| {
            Box::pin(device_admin::set_admin_password(ctx, pw))
        })?;
        let sealed = self.secret_box()?.seal(password.expose())?;
        self.act(
            Action::DeviceAdmin,
            "device.password.stored",
            terminal,
            |tx| {
                // The supervisor's own password is back: any enrollment window is closed.
                let before = terminals::get_by_name(tx, terminal)?;
                terminals::update(
                    tx,
                    terminal,
                    &TerminalUpdate {
                        admin_secret: Some(Some(sealed)),
                        handover_until: Some(None),
                        ..TerminalUpdate::default()
                    },
                )?;
                Ok((
                    (),
                    json!({
                        "super_admin": su.enrollment_no,
                        "sealed": true,
                        "closed_handover_until": before.handover_until.map(|t| t.to_string()),
                    }),
                ))
            },
        )?;
        Ok(su)
    }

    /// `device handover --days N`: puts the hand-over password on the super admin for enrolling
    /// new staff and records until when the window is open (`terminal list` / the dashboard show
    /// it; afterwards `device password` sets the supervisor's own password again).
    pub fn device_handover(
        &mut self,
        terminal: &str,
        handover_password: &kaoqin_domain::DevicePassword,
        days: u32,
        override_reason: Option<String>,
    ) -> OpsResult<(DeviceUser, chrono::NaiveDateTime)> {
        if !(1..=30).contains(&days) {
            return Err(super::error::AppError::Invalid {
                field: "days",
                reason: format!("{days} days; an enrollment window is 1 to 30 days"),
            }
            .into());
        }
        let pw = handover_password.expose().to_owned();
        let su = self.with_admin(terminal, override_reason, move |ctx| {
            Box::pin(device_admin::set_admin_password(ctx, pw))
        })?;
        let until = self.now() + chrono::Duration::days(i64::from(days));
        self.act(Action::DeviceAdmin, "device.handover", terminal, |tx| {
            terminals::update(
                tx,
                terminal,
                &TerminalUpdate {
                    handover_until: Some(Some(until)),
                    ..TerminalUpdate::default()
                },
            )?;
            Ok((
                (),
                json!({ "super_admin": su.enrollment_no, "days": days, "until": until.to_string() }),
            ))
        })?;
        Ok((su, until))
    }

    /// The open and expired enrollment windows, soonest first (supervisor: `device_admin`).
    /// Reads only the database; nothing is audited.
    pub fn handover_windows(&self) -> OpsResult<Vec<HandoverWindow>> {
        self.require(Action::DeviceAdmin, "handover windows")?;
        let now = self.now();
        let mut out: Vec<HandoverWindow> = terminals::list(self.conn())?
            .into_iter()
            .filter_map(|t| {
                t.handover_until.map(|until| HandoverWindow {
                    terminal: t.name,
                    until,
                    expired: until <= now,
                })
            })
            .collect();
        out.sort_by(|a, b| a.until.cmp(&b.until).then(a.terminal.cmp(&b.terminal)));
        Ok(out)
    }

    /// The window of one terminal, if any (for the reminder after a `device` command).
    pub fn handover_window(&self, terminal: &str) -> OpsResult<Option<HandoverWindow>> {
        Ok(self
            .handover_windows()?
            .into_iter()
            .find(|w| w.terminal == terminal))
    }

    /// `device policy check|apply`. Fingerprint templates are violations when the credential
    /// policy (the `sync.checks` setting's allowed verification modes) is face-only.
    pub fn device_policy(
        &mut self,
        terminal: &str,
        apply: bool,
        override_reason: Option<String>,
    ) -> OpsResult<PolicyReport> {
        let face_only = self.terminal_is_face_only()?;
        self.with_admin(terminal, override_reason, move |ctx| {
            Box::pin(device_admin::policy(ctx, apply, face_only))
        })
    }

    /// Whether the credential policy accepts face verification only (the default): then
    /// fingerprint templates on a terminal violate the device policy.
    pub fn terminal_is_face_only(&self) -> OpsResult<bool> {
        let modes = kaoqin_sync::settings::load(self.conn())?
            .checks
            .allowed_verify_modes;
        Ok(!modes.is_empty() && modes.iter().all(|m| *m == kaoqin_sync::checks::VERIFY_FACE))
    }

    /// `device enrollment`: terminal users against active employees.
    pub fn device_enrollment(
        &mut self,
        terminal: &str,
        override_reason: Option<String>,
    ) -> OpsResult<EnrollmentReport> {
        let users = self.with_admin(terminal, override_reason, |ctx| {
            Box::pin(device_admin::read_users(ctx))
        })?;
        let staff = employees::list(
            self.conn(),
            &EmployeeFilter {
                active_only: true,
                ..EmployeeFilter::default()
            },
        )?;
        Ok(device_admin::enrollment_report(&users, &staff))
    }
}
