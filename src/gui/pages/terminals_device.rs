//! The supervisor's device administration of the selected terminal (`device_admin`, docs/domain.md §2.1):
//! the super admin's password (typed twice, hidden, 4–8 digits), the hand-over window of N days,
//! the clock (show / set from this PC), the one-super-admin policy (check shows the planned
//! changes; apply asks for confirmation), and the enrollment report. Each act is one supervised
//! session through `app::device` (same rules, time limit and audit as a download), so a refusal
//! shows the rule and the next allowed time, with the override dialog like Download.
//! "Test connection" is the clock reading: it is a session and counts as a connection.

use std::sync::Arc;

use crate::app::permissions::Role;
use crate::i18n::Lang;
use kaoqin_domain::DevicePassword;

use super::super::backend::terminals::{EnrollmentView, OpsFailure, PolicyView};
use super::super::backend::{Backend, UserSession};
use super::super::tasks::Tasks;
use super::super::widgets;
use super::terminals::Msg;

/// One device-admin act (passwords stay in memory only until the act succeeds or is dropped).
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum DeviceAction {
    Test,
    ClockShow,
    ClockSync,
    Password(DevicePassword),
    Handover(DevicePassword, u32),
    PolicyCheck,
    PolicyApply,
    Enrollment,
}

impl DeviceAction {
    fn key(&self) -> &'static str {
        match self {
            DeviceAction::Test => "terminals.test_connection",
            DeviceAction::ClockShow => "terminals.clock_show",
            DeviceAction::ClockSync => "terminals.clock_sync",
            DeviceAction::Password(_) => "terminals.password_set",
            DeviceAction::Handover(..) => "terminals.handover_open",
            DeviceAction::PolicyCheck => "terminals.policy_check",
            DeviceAction::PolicyApply => "terminals.policy_apply",
            DeviceAction::Enrollment => "terminals.enrollment",
        }
    }
}

pub(crate) enum DeviceDone {
    Clock(i64, Option<i64>),
    Password(String),
    Handover(String, String),
    Policy(PolicyView),
    Enrollment(EnrollmentView),
}

pub(crate) struct DeviceMsg {
    terminal: String,
    test: bool,
    result: Result<DeviceDone, OpsFailure>,
}

/// A terminal password typed twice: the same both times, and one the terminal takes
/// (`DevicePassword`: 4–8 digits, the T9 keypad has digits only).
pub(crate) fn check_password(a: &str, b: &str) -> Result<DevicePassword, &'static str> {
    if a != b {
        return Err("terminals.password_mismatch");
    }
    a.parse().map_err(|_| "terminals.password_rule")
}

#[derive(Default)]
pub(crate) struct DeviceState {
    /// The terminal the results below belong to.
    terminal: String,
    running: Option<DeviceAction>,
    /// The last act, kept for an override after a refusal.
    last: Option<DeviceAction>,
    last_result: Option<Result<DeviceDone, OpsFailure>>,
    test_result: Option<(String, Result<DeviceDone, OpsFailure>)>,
    policy: Option<PolicyView>,
    enrollment: Option<EnrollmentView>,
    pw1: String,
    pw2: String,
    ho1: String,
    ho2: String,
    days: String,
    problem: Option<&'static str>,
    confirm_apply: bool,
    override_reason: Option<String>,
}

impl DeviceState {
    pub(crate) fn on_msg(&mut self, m: DeviceMsg) {
        let action = self.running.take();
        if m.test {
            self.test_result = Some((m.terminal, m.result));
            return;
        }
        if m.terminal != self.terminal {
            return;
        }
        match &m.result {
            Ok(DeviceDone::Policy(p)) => self.policy = Some(p.clone()),
            Ok(DeviceDone::Enrollment(e)) => self.enrollment = Some(e.clone()),
            _ => {}
        }
        if m.result.is_ok() {
            // The password is not kept once it is on the terminal.
            self.last = None;
        } else {
            self.last = action;
        }
        self.last_result = Some(m.result);
    }

    #[allow(clippy::too_many_arguments)]
    fn start(
        &mut self,
        ctx: &egui::Context,
        terminal: &str,
        action: DeviceAction,
        override_reason: Option<String>,
        backend: &Arc<Backend>,
        session: &Arc<UserSession>,
        tasks: &mut Tasks<Msg>,
    ) {
        if self.running.is_some() {
            return;
        }
        self.running = Some(action.clone());
        self.last = Some(action.clone());
        let test = action == DeviceAction::Test;
        if !test {
            self.last_result = None;
        }
        let (b, s, t) = (backend.clone(), session.clone(), terminal.to_owned());
        tasks.spawn(ctx, "device-admin", move || {
            let o = override_reason;
            let result = match action {
                DeviceAction::Test | DeviceAction::ClockShow => b
                    .device_clock(&s, &t, false, o)
                    .map(|(a, b)| DeviceDone::Clock(a, b)),
                DeviceAction::ClockSync => b
                    .device_clock(&s, &t, true, o)
                    .map(|(a, b)| DeviceDone::Clock(a, b)),
                DeviceAction::Password(pw) => {
                    b.device_password(&s, &t, &pw, o).map(DeviceDone::Password)
                }
                DeviceAction::Handover(pw, days) => b
                    .device_handover(&s, &t, &pw, days, o)
                    .map(|(su, until)| DeviceDone::Handover(su, until)),
                DeviceAction::PolicyCheck => {
                    b.device_policy(&s, &t, false, o).map(DeviceDone::Policy)
                }
                DeviceAction::PolicyApply => {
                    b.device_policy(&s, &t, true, o).map(DeviceDone::Policy)
                }
                DeviceAction::Enrollment => {
                    b.device_enrollment(&s, &t, o).map(DeviceDone::Enrollment)
                }
            };
            Msg::Device(DeviceMsg {
                terminal: t,
                test,
                result,
            })
        });
    }

    /// "Test connection" in the page's toolbar (supervisor).
    pub(crate) fn test_button(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        terminal: &str,
        backend: &Arc<Backend>,
        session: &Arc<UserSession>,
        tasks: &mut Tasks<Msg>,
    ) {
        if ui
            .add_enabled(
                self.running.is_none(),
                egui::Button::new(tr!(lang, "terminals.test_connection")),
            )
            .on_hover_text(tr!(lang, "terminals.test_hint"))
            .clicked()
        {
            self.test_result = None;
            self.start(
                ui.ctx(),
                terminal,
                DeviceAction::Test,
                None,
                backend,
                session,
                tasks,
            );
        }
    }

    pub(crate) fn show_test_result(&mut self, ui: &mut egui::Ui, lang: Lang, terminal: &str) {
        if self.running == Some(DeviceAction::Test) {
            ui.horizontal(|ui| {
                ui.add(egui::Spinner::new());
                ui.label(tr!(lang, "terminals.testing"));
            });
        }
        let Some((t, r)) = &self.test_result else {
            return;
        };
        if t != terminal {
            return;
        }
        match r {
            Ok(DeviceDone::Clock(skew, _)) => {
                ui.label(tr!(lang, "terminals.test_ok", terminal = t, skew = skew));
            }
            Ok(_) => {}
            Err(f) => {
                if show_failure(ui, lang, f) {
                    self.last = Some(DeviceAction::Test);
                    self.override_reason = Some(String::new());
                    self.terminal = t.clone();
                }
            }
        }
    }

    /// The device-admin section's content for `terminal`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn show(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        terminal: &str,
        handover_until: Option<&str>,
        backend: &Arc<Backend>,
        session: &Arc<UserSession>,
        tasks: &mut Tasks<Msg>,
    ) {
        if self.terminal != terminal {
            *self = DeviceState {
                terminal: terminal.to_owned(),
                test_result: self.test_result.take(),
                running: self.running.take(),
                ..DeviceState::default()
            };
        }
        if self.days.is_empty() {
            self.days = "2".into();
        }
        let idle = self.running.is_none();
        let mut go: Option<DeviceAction> = None;
        ui.label(tr!(lang, "terminals.device_intro", terminal = terminal));
        if let Some(until) = handover_until {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                tr!(lang, "terminals.handover_open_until", until = until),
            );
        }
        ui.horizontal(|ui| {
            ui.strong(tr!(lang, "terminals.clock"));
            if ui
                .add_enabled(idle, egui::Button::new(tr!(lang, "terminals.clock_show")))
                .clicked()
            {
                go = Some(DeviceAction::ClockShow);
            }
            if ui
                .add_enabled(idle, egui::Button::new(tr!(lang, "terminals.clock_sync")))
                .clicked()
            {
                go = Some(DeviceAction::ClockSync);
            }
        });
        ui.horizontal(|ui| {
            ui.strong(tr!(lang, "terminals.policy"));
            if ui
                .add_enabled(idle, egui::Button::new(tr!(lang, "terminals.policy_check")))
                .clicked()
            {
                go = Some(DeviceAction::PolicyCheck);
            }
            let planned = self.policy.as_ref().is_some_and(|p| !p.changes.is_empty())
                && !matches!(self.last_result, Some(Ok(DeviceDone::Policy(ref p))) if p.violations_after.is_some());
            if ui
                .add_enabled(
                    idle && planned,
                    egui::Button::new(tr!(lang, "terminals.policy_apply")),
                )
                .on_disabled_hover_text(tr!(lang, "terminals.policy_apply_hint"))
                .clicked()
            {
                self.confirm_apply = true;
            }
            ui.strong(tr!(lang, "terminals.enrollment_heading"));
            if ui
                .add_enabled(idle, egui::Button::new(tr!(lang, "terminals.enrollment")))
                .clicked()
            {
                go = Some(DeviceAction::Enrollment);
            }
        });
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(260.0);
                ui.strong(tr!(lang, "terminals.password_heading"));
                widgets::labelled_text(
                    ui,
                    &tr!(lang, "terminals.password_new"),
                    &mut self.pw1,
                    true,
                );
                widgets::labelled_text(
                    ui,
                    &tr!(lang, "terminals.password_again"),
                    &mut self.pw2,
                    true,
                );
                if ui
                    .add_enabled(idle, egui::Button::new(tr!(lang, "terminals.password_set")))
                    .clicked()
                {
                    match check_password(&self.pw1, &self.pw2) {
                        Ok(pw) => {
                            self.problem = None;
                            go = Some(DeviceAction::Password(pw));
                            self.pw1.clear();
                            self.pw2.clear();
                        }
                        Err(k) => self.problem = Some(k),
                    }
                }
            });
            ui.add_space(16.0);
            ui.vertical(|ui| {
                ui.set_width(260.0);
                ui.strong(tr!(lang, "terminals.handover_heading"));
                widgets::labelled_text(
                    ui,
                    &tr!(lang, "terminals.handover_password"),
                    &mut self.ho1,
                    true,
                );
                widgets::labelled_text(
                    ui,
                    &tr!(lang, "terminals.password_again"),
                    &mut self.ho2,
                    true,
                );
                widgets::labelled_text(
                    ui,
                    &tr!(lang, "terminals.handover_days"),
                    &mut self.days,
                    false,
                );
                if ui
                    .add_enabled(
                        idle,
                        egui::Button::new(tr!(lang, "terminals.handover_open")),
                    )
                    .clicked()
                {
                    let days = self
                        .days
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|d| (1..=30).contains(d));
                    match (check_password(&self.ho1, &self.ho2), days) {
                        (Err(k), _) => self.problem = Some(k),
                        (Ok(_), None) => self.problem = Some("terminals.handover_days_rule"),
                        (Ok(pw), Some(d)) => {
                            self.problem = None;
                            go = Some(DeviceAction::Handover(pw, d));
                            self.ho1.clear();
                            self.ho2.clear();
                        }
                    }
                }
            });
        });
        ui.small(tr!(lang, "terminals.password_rule"));
        if let Some(p) = self.problem {
            ui.colored_label(ui.visuals().error_fg_color, tr!(lang, p));
        }
        if let Some(a) = &self.running
            && *a != DeviceAction::Test
        {
            ui.horizontal(|ui| {
                ui.add(egui::Spinner::new());
                ui.label(tr!(
                    lang,
                    "terminals.device_running",
                    what = tr!(lang, a.key())
                ));
            });
        }
        self.show_result(ui, lang);
        if let Some(a) = go {
            self.start(ui.ctx(), terminal, a, None, backend, session, tasks);
        }
    }

    fn show_result(&mut self, ui: &mut egui::Ui, lang: Lang) {
        let Some(r) = &self.last_result else { return };
        let mut want_override = false;
        egui::Frame::group(ui.style()).show(ui, |ui| match r {
            Ok(DeviceDone::Clock(before, after)) => {
                ui.label(tr!(lang, "terminals.clock_result", skew = before));
                if let Some(a) = after {
                    ui.label(tr!(lang, "terminals.clock_synced", skew = a));
                }
            }
            Ok(DeviceDone::Password(su)) => {
                ui.label(tr!(lang, "terminals.password_done", admin = su));
            }
            Ok(DeviceDone::Handover(su, until)) => {
                ui.label(tr!(
                    lang,
                    "terminals.handover_done",
                    admin = su,
                    until = until
                ));
            }
            Ok(DeviceDone::Policy(p)) => show_policy(ui, lang, p),
            Ok(DeviceDone::Enrollment(e)) => show_enrollment(ui, lang, e),
            Err(f) => want_override = show_failure(ui, lang, f),
        });
        if want_override {
            self.override_reason = Some(String::new());
        }
    }

    /// The users tab: the users on the terminal as the last policy check read them.
    pub(crate) fn show_users(&mut self, ui: &mut egui::Ui, lang: Lang, terminal: &str, role: Role) {
        let users = self
            .policy
            .as_ref()
            .filter(|_| self.terminal == terminal)
            .map(|p| &p.users);
        let Some(users) = users else {
            ui.label(tr!(lang, "terminals.users_none"));
            if role == Role::Supervisor {
                ui.small(tr!(lang, "terminals.users_how"));
            }
            return;
        };
        ui.label(tr!(lang, "terminals.users_count", count = users.len()));
        if let Some(e) = self.enrollment.as_ref() {
            show_enrollment(ui, lang, e);
        }
        user_table(ui, lang, users);
    }

    /// The override dialog and the policy-apply confirmation.
    pub(crate) fn show_dialogs(
        &mut self,
        ctx: &egui::Context,
        lang: Lang,
        backend: &Arc<Backend>,
        session: &Arc<UserSession>,
        tasks: &mut Tasks<Msg>,
    ) {
        if self.confirm_apply {
            let mut close = false;
            let mut apply = false;
            egui::Window::new(tr!(lang, "terminals.policy_apply_title"))
                .collapsible(false)
                .resizable(false)
                .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
                .show(ctx, |ui| {
                    ui.label(tr!(
                        lang,
                        "terminals.policy_apply_intro",
                        terminal = &self.terminal
                    ));
                    if let Some(p) = &self.policy {
                        for c in &p.changes {
                            ui.label(format!("· {}", change_text(lang, c)));
                        }
                    }
                    ui.horizontal(|ui| {
                        if ui.button(tr!(lang, "terminals.policy_apply_ok")).clicked() {
                            apply = true;
                        }
                        if ui.button(tr!(lang, "terminals.cancel")).clicked() {
                            close = true;
                        }
                    });
                });
            if apply {
                self.confirm_apply = false;
                let t = self.terminal.clone();
                self.start(
                    ctx,
                    &t,
                    DeviceAction::PolicyApply,
                    None,
                    backend,
                    session,
                    tasks,
                );
            } else if close {
                self.confirm_apply = false;
            }
        }
        let Some(reason) = &mut self.override_reason else {
            return;
        };
        let Some(action) = self.last.clone() else {
            self.override_reason = None;
            return;
        };
        let intro = tr!(
            lang,
            "terminals.override_intro",
            terminal = &self.terminal,
            what = tr!(lang, action.key())
        );
        match widgets::override_dialog(ctx, lang, &intro, reason, "terminals.override_ok") {
            widgets::OverrideChoice::Open => {}
            widgets::OverrideChoice::Go(r) => {
                self.override_reason = None;
                let t = self.terminal.clone();
                if action == DeviceAction::Test {
                    self.test_result = None;
                }
                self.start(ctx, &t, action, Some(r), backend, session, tasks);
            }
            widgets::OverrideChoice::Cancel => {
                self.override_reason = None;
                self.last = None;
            }
        }
    }
}

#[path = "terminals_device_views.rs"]
mod views;
use views::{change_text, show_enrollment, show_failure, show_policy, user_table};

#[cfg(test)]
#[path = "terminals_device_tests.rs"]
mod tests;
