//! The log-in screen: user name and password, the language switch, and the last error.
//!
//! Emits [`LoginAction::SignIn`]; checking the password is the services' job.

use crate::i18n::Lang;

use super::model::UiError;
use super::widgets;

#[derive(Debug, Default)]
pub(crate) struct LoginForm {
    pub user: String,
    pub password: String,
    pub error: Option<UiError>,
    /// A locale key shown as a friendly notice (e.g. after the wizard).
    pub notice: Option<&'static str>,
}

impl LoginForm {
    pub fn new(last_user: &str) -> Self {
        LoginForm {
            user: last_user.to_owned(),
            ..Default::default()
        }
    }
}

pub(crate) enum LoginAction {
    SignIn { user: String, password: String },
}

pub(crate) fn show(
    ui: &mut egui::Ui,
    lang: &mut Lang,
    organisation: Option<&str>,
    form: &mut LoginForm,
    busy: bool,
) -> Option<LoginAction> {
    let mut action = None;
    egui::CentralPanel::default().show(ui, |ui| {
        widgets::centered_card(ui, 380.0, |ui| {
            ui.heading(tr!(lang, "app.title"));
            if let Some(org) = organisation {
                ui.label(egui::RichText::new(org).strong());
            }
            ui.add_space(12.0);
            if let Some(key) = form.notice {
                ui.colored_label(ui.visuals().hyperlink_color, tr!(lang, key));
                ui.add_space(6.0);
            }
            let nothing_focused = ui.memory(|m| m.focused().is_none());
            let user = widgets::labelled_text(ui, &tr!(lang, "login.user"), &mut form.user, false);
            let pass =
                widgets::labelled_text(ui, &tr!(lang, "login.password"), &mut form.password, true);
            if nothing_focused {
                if form.user.is_empty() {
                    user.request_focus();
                } else if form.password.is_empty() {
                    pass.request_focus();
                }
            }
            let entered = (user.lost_focus() || pass.lost_focus())
                && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.add_space(8.0);
            let ready = !busy && !form.user.trim().is_empty() && !form.password.is_empty();
            ui.horizontal(|ui| {
                let clicked = ui
                    .add_enabled(ready, egui::Button::new(tr!(lang, "login.sign_in")))
                    .clicked();
                if busy {
                    ui.add(egui::Spinner::new());
                }
                if ready && (clicked || entered) {
                    form.error = None;
                    form.notice = None;
                    action = Some(LoginAction::SignIn {
                        user: form.user.trim().to_owned(),
                        password: std::mem::take(&mut form.password),
                    });
                }
            });
            if let Some(err) = &form.error {
                ui.add_space(8.0);
                widgets::error_box(ui, *lang, err);
            }
            ui.add_space(16.0);
            ui.separator();
            widgets::language_switch(ui, lang);
        });
    });
    action
}
