//! The first-run wizard, shown when the database has no organisation and no app user: the
//! organisation's name and the first administrator (name, password twice); then, optionally, the
//! first terminal (the Terminals page's own form), added as that administrator.
//!
//! Checks only what the form itself can know (filled in, passwords equal); everything else is
//! the init service's job, the same one `kaoqin init` calls.
//!
//! Below the form, "try it with a simulated terminal" asks only for a password (shown in clear:
//! it is a sample database) and leaves the rest to `app::demo::create`.

use crate::i18n::Lang;

use super::backend::terminals::TerminalForm;
use super::model::UiError;
use super::pages::terminals_form::{self, FormState as TerminalFormState};
use super::widgets;

/// Where the wizard is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Step {
    /// Organisation and first administrator.
    #[default]
    Organisation,
    /// The organisation exists; the first terminal may be added (or skipped).
    FirstTerminal,
}

#[derive(Debug)]
pub(crate) struct WizardForm {
    pub step: Step,
    pub organisation: String,
    pub admin: String,
    pub password: String,
    pub password_again: String,
    pub error: Option<UiError>,
    /// The password of the sample database's users (admin, supervisor, clerk), shown in clear.
    pub demo_password: String,
    /// The first terminal, on the second step.
    pub terminal: TerminalFormState,
}

/// Pre-filled demo password: the sample database holds no real data.
pub(crate) const DEFAULT_DEMO_PASSWORD: &str = "demo1234";

impl Default for WizardForm {
    fn default() -> Self {
        WizardForm {
            step: Step::Organisation,
            organisation: String::new(),
            admin: String::new(),
            password: String::new(),
            password_again: String::new(),
            error: None,
            demo_password: DEFAULT_DEMO_PASSWORD.to_owned(),
            terminal: TerminalFormState::default(),
        }
    }
}

pub(crate) enum WizardAction {
    Create {
        organisation: String,
        admin: String,
        password: String,
    },
    /// "Try it with a simulated terminal".
    Demo { password: String },
    /// Add the first terminal as the new administrator.
    AddTerminal {
        admin: String,
        password: String,
        terminal: TerminalForm,
    },
    /// No terminal now: go to the log-in screen.
    SkipTerminal,
}

/// The form's own check, before anything is sent to the service.
pub(crate) fn check(form: &WizardForm) -> Result<(), UiError> {
    if form.organisation.trim().is_empty() {
        return Err(UiError::new("wizard.error_org_empty", ""));
    }
    if form.admin.trim().is_empty() {
        return Err(UiError::new("wizard.error_admin_empty", ""));
    }
    if form.password.is_empty() {
        return Err(UiError::new("wizard.error_password_empty", ""));
    }
    if form.password != form.password_again {
        return Err(UiError::new("wizard.error_password_mismatch", ""));
    }
    Ok(())
}

pub(crate) fn show(
    ui: &mut egui::Ui,
    lang: &mut Lang,
    form: &mut WizardForm,
    busy: bool,
) -> Option<WizardAction> {
    if form.step == Step::FirstTerminal {
        return first_terminal(ui, *lang, form, busy);
    }
    let mut action = None;
    egui::CentralPanel::default().show(ui, |ui| {
        widgets::centered_card(ui, 440.0, |ui| {
            ui.heading(tr!(lang, "wizard.title"));
            ui.label(tr!(lang, "wizard.intro"));
            ui.add_space(12.0);
            let nothing_focused = ui.memory(|m| m.focused().is_none());
            let org = widgets::labelled_text(
                ui,
                &tr!(lang, "wizard.organisation"),
                &mut form.organisation,
                false,
            );
            if nothing_focused && form.organisation.is_empty() {
                org.request_focus();
            }
            let admin =
                widgets::labelled_text(ui, &tr!(lang, "wizard.admin"), &mut form.admin, false);
            let p1 =
                widgets::labelled_text(ui, &tr!(lang, "wizard.password"), &mut form.password, true);
            let p2 = widgets::labelled_text(
                ui,
                &tr!(lang, "wizard.password_again"),
                &mut form.password_again,
                true,
            );
            let entered = [&org, &admin, &p1, &p2].iter().any(|r| r.lost_focus())
                && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                let clicked = ui
                    .add_enabled(!busy, egui::Button::new(tr!(lang, "wizard.create")))
                    .clicked();
                if busy {
                    ui.add(egui::Spinner::new());
                }
                if !busy && (clicked || entered) {
                    match check(form) {
                        Ok(()) => {
                            form.error = None;
                            action = Some(WizardAction::Create {
                                organisation: form.organisation.trim().to_owned(),
                                admin: form.admin.trim().to_owned(),
                                password: form.password.clone(),
                            });
                        }
                        Err(e) => form.error = Some(e),
                    }
                }
            });
            if let Some(err) = &form.error {
                ui.add_space(8.0);
                widgets::error_box(ui, *lang, err);
            }
            ui.add_space(16.0);
            ui.separator();
            if let Some(a) = demo_section(ui, *lang, form, busy) {
                action = Some(a);
            }
            ui.separator();
            widgets::language_switch(ui, lang);
        });
    });
    action
}

/// The second step: the first terminal, or "later".
fn first_terminal(
    ui: &mut egui::Ui,
    lang: Lang,
    form: &mut WizardForm,
    busy: bool,
) -> Option<WizardAction> {
    let mut action = None;
    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            widgets::centered_card(ui, 440.0, |ui| {
                ui.heading(tr!(lang, "wizard.terminal_title"));
                ui.label(tr!(lang, "wizard.terminal_intro"));
                ui.add_space(12.0);
                terminals_form::fields(ui, lang, &mut form.terminal);
                if let Some(p) = form.terminal.problem {
                    ui.colored_label(ui.visuals().error_fg_color, tr!(lang, p));
                }
                if let Some(err) = &form.error {
                    widgets::error_box(ui, lang, err);
                }
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    let add = ui
                        .add_enabled(!busy, egui::Button::new(tr!(lang, "wizard.terminal_add")))
                        .clicked();
                    let skip = ui
                        .add_enabled(!busy, egui::Button::new(tr!(lang, "wizard.terminal_skip")))
                        .clicked();
                    if busy {
                        ui.add(egui::Spinner::new());
                    }
                    if add {
                        match terminals_form::check_form(&form.terminal, &[]) {
                            Ok(terminal) => {
                                form.terminal.problem = None;
                                form.error = None;
                                action = Some(WizardAction::AddTerminal {
                                    admin: form.admin.trim().to_owned(),
                                    password: form.password.clone(),
                                    terminal,
                                });
                            }
                            Err(k) => form.terminal.problem = Some(k),
                        }
                    } else if skip {
                        action = Some(WizardAction::SkipTerminal);
                    }
                });
            });
        });
    });
    action
}

/// "Try it with a simulated terminal": a sample organisation on an in-process simulator.
fn demo_section(
    ui: &mut egui::Ui,
    lang: Lang,
    form: &mut WizardForm,
    busy: bool,
) -> Option<WizardAction> {
    ui.label(egui::RichText::new(tr!(lang, "wizard.demo_title")).strong());
    ui.label(tr!(lang, "wizard.demo_intro"));
    widgets::labelled_text(
        ui,
        &tr!(lang, "wizard.demo_password"),
        &mut form.demo_password,
        false,
    );
    ui.label(tr!(lang, "wizard.demo_users"));
    let clicked = ui
        .add_enabled(!busy, egui::Button::new(tr!(lang, "wizard.demo_button")))
        .clicked();
    if !clicked || busy {
        return None;
    }
    if form.demo_password.is_empty() {
        form.error = Some(UiError::new("wizard.error_password_empty", ""));
        return None;
    }
    form.error = None;
    Some(WizardAction::Demo {
        password: form.demo_password.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_checks() {
        let ok = || WizardForm {
            organisation: "某某局".into(),
            admin: "admin".into(),
            password: "s3cret-pass".into(),
            password_again: "s3cret-pass".into(),
            ..WizardForm::default()
        };
        assert_eq!(check(&ok()), Ok(()));
        let cases: Vec<(WizardForm, &str)> = vec![
            (
                WizardForm {
                    organisation: "  ".into(),
                    ..ok()
                },
                "wizard.error_org_empty",
            ),
            (
                WizardForm {
                    admin: "".into(),
                    ..ok()
                },
                "wizard.error_admin_empty",
            ),
            (
                WizardForm {
                    password: "".into(),
                    password_again: "".into(),
                    ..ok()
                },
                "wizard.error_password_empty",
            ),
            (
                WizardForm {
                    password_again: "other".into(),
                    ..ok()
                },
                "wizard.error_password_mismatch",
            ),
        ];
        for (form, key) in cases {
            assert_eq!(check(&form).map_err(|e| e.key), Err(key));
        }
    }
}
