//! The main window's frame: top bar (organisation, refresh, sign out), navigation by role,
//! status bar (user, role, database, last download), and the current page in the middle.

use std::sync::Arc;

use super::app::{MainState, Prefs};
use super::backend::Backend;
use super::nav::{self, Page};
use super::{pages, widgets};

pub(crate) enum ShellAction {
    Refresh,
    SignOut,
}

/// The locale key of a role's display name.
pub(crate) fn role_key(role: crate::app::permissions::Role) -> &'static str {
    use crate::app::permissions::Role;
    match role {
        Role::Admin => "role.admin",
        Role::Supervisor => "role.supervisor",
        Role::HrClerk => "role.hr_clerk",
        Role::Auditor => "role.auditor",
    }
}

pub(crate) fn show(
    ui: &mut egui::Ui,
    prefs: &mut Prefs,
    main: &mut MainState,
    backend: &Arc<Backend>,
    busy: bool,
) -> Option<ShellAction> {
    let db_path = backend.db_path().display().to_string();
    let db_path = db_path.as_str();
    let mut action = None;
    let lang = prefs.lang;
    let role = main.who.role;
    let org = main
        .lists
        .as_ref()
        .map(|l| l.organisation.clone())
        .unwrap_or_default();

    egui::Panel::top("top").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.heading(tr!(lang, "app.title"));
            ui.separator();
            ui.label(egui::RichText::new(&org).strong());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button(tr!(lang, "shell.sign_out")).clicked() {
                    action = Some(ShellAction::SignOut);
                }
                if ui
                    .add_enabled(!busy, egui::Button::new(tr!(lang, "shell.refresh")))
                    .clicked()
                {
                    action = Some(ShellAction::Refresh);
                }
                if busy {
                    ui.add(egui::Spinner::new());
                }
            });
        });
    });

    egui::Panel::bottom("status").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(tr!(lang, "status.user", user = main.who.user.as_str()));
            ui.separator();
            ui.label(tr!(lang, "status.role", role = tr!(lang, role_key(role))));
            if nav::is_read_only(role) {
                ui.separator();
                ui.colored_label(ui.visuals().warn_fg_color, tr!(lang, "status.read_only"));
            }
            ui.separator();
            ui.label(tr!(lang, "status.database", path = db_path));
            ui.separator();
            let last = main
                .lists
                .as_ref()
                .and_then(|l| l.last_download.clone())
                .unwrap_or_else(|| tr!(lang, "status.never"));
            ui.label(tr!(lang, "status.last_download", when = last));
        });
    });

    egui::Panel::left("nav")
        .resizable(false)
        .exact_size(168.0)
        .show(ui, |ui| {
            ui.add_space(8.0);
            for page in nav::pages_for(role) {
                let selected = main.page == page;
                let resp = ui.add_sized(
                    [ui.available_width(), 30.0],
                    egui::Button::selectable(selected, tr!(lang, page.label_key())),
                );
                if resp.clicked() && !selected {
                    main.page = page;
                    prefs.last_page = page;
                }
            }
        });

    egui::CentralPanel::default().show(ui, |ui| {
        if let Some(err) = &main.error {
            widgets::error_box(ui, lang, err);
            ui.add_space(8.0);
        }
        match &main.lists {
            None => {
                ui.add(egui::Spinner::new());
            }
            Some(lists) => {
                let page = if main.page.visible_to(role) {
                    main.page
                } else {
                    Page::Dashboard
                };
                let mut cx = pages::PageCtx {
                    lang,
                    who: &main.who,
                    lists,
                    backend,
                    session: &main.session,
                    reload_lists: false,
                    new_lang: None,
                    goto: None,
                    sign_out: false,
                };
                pages::show(ui, page, &mut cx, &mut main.pages);
                if cx.reload_lists {
                    action = Some(ShellAction::Refresh);
                }
                if let Some(l) = cx.new_lang {
                    prefs.lang = l;
                }
                if let Some(p) = cx.goto.filter(|p| p.visible_to(role)) {
                    main.page = p;
                    prefs.last_page = p;
                }
                if cx.sign_out {
                    action = Some(ShellAction::SignOut);
                }
            }
        }
    });
    action
}
