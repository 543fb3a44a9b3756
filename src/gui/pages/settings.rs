//! Settings: the interface language (live), and the role-only sections: app users (admin),
//! connection rules (supervisor), backup (admin).

use super::super::nav::Item;
use super::super::shell::role_key;
use super::super::widgets;
use super::PageCtx;

/// The page's state across frames.
#[derive(Default)]
pub(crate) struct State {}

pub(crate) fn show(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, _state: &mut State) {
    let (lang, who, lists) = (cx.lang, cx.who, cx.lists);
    let mut chosen = lang;
    widgets::language_switch(ui, &mut chosen);
    if chosen != lang {
        cx.new_lang = Some(chosen);
    }
    ui.add_space(10.0);
    if Item::AppUsers.visible_to(who.role) {
        ui.strong(tr!(lang, "settings.app_users"));
        ui.label(tr!(lang, "settings.app_users_hint"));
        let headers = [
            tr!(lang, "settings.col_user"),
            tr!(lang, "settings.col_role"),
            tr!(lang, "settings.col_status"),
        ];
        let users = &lists.users;
        ui.push_id("users", |ui| {
            ui.set_max_height(220.0);
            widgets::table(ui, "users", &headers, users.len(), |ui, r, c| {
                let Some(u) = users.get(r) else { return };
                match c {
                    0 => ui.label(&u.name),
                    1 => ui.label(tr!(lang, role_key(u.role))),
                    _ => ui.label(if u.disabled {
                        tr!(lang, "settings.disabled")
                    } else {
                        tr!(lang, "settings.enabled")
                    }),
                };
            });
        });
        ui.add_space(10.0);
    }
    if Item::ConnectionRules.visible_to(who.role) {
        ui.strong(tr!(lang, "settings.connection_rules"));
        ui.label(tr!(lang, "settings.connection_rules_later"));
        ui.add_space(10.0);
    }
    if Item::Backup.visible_to(who.role) {
        ui.strong(tr!(lang, "settings.backup"));
        ui.label(tr!(lang, "settings.backup_hint"));
    }
}
