//! Dashboard: the organisation at a glance. At this stage: who is signed in, the sizes of the
//! lists, and the audit chain's state; today's attendance arrives with the download issue.

use super::super::shell::role_key;
use super::PageCtx;

/// The page's state across frames.
#[derive(Default)]
pub(crate) struct State {}

pub(crate) fn show(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, _state: &mut State) {
    let (lang, who, lists) = (cx.lang, cx.who, cx.lists);
    ui.label(tr!(
        lang,
        "dashboard.welcome",
        user = who.user.as_str(),
        role = tr!(lang, role_key(who.role))
    ));
    ui.add_space(10.0);
    egui::Grid::new("dashboard-counts")
        .num_columns(2)
        .spacing([24.0, 8.0])
        .show(ui, |ui| {
            ui.label(tr!(lang, "dashboard.organisation"));
            ui.strong(&lists.organisation);
            ui.end_row();
            ui.label(tr!(lang, "dashboard.departments"));
            ui.strong(lists.departments.len().to_string());
            ui.end_row();
            ui.label(tr!(lang, "dashboard.employees"));
            let active = lists.employees.iter().filter(|e| e.active).count();
            ui.strong(tr!(
                lang,
                "dashboard.employees_count",
                active = active,
                total = lists.employees.len()
            ));
            ui.end_row();
            ui.label(tr!(lang, "dashboard.terminals"));
            ui.strong(lists.terminals.len().to_string());
            ui.end_row();
            if let Some(chain) = &lists.chain {
                ui.label(tr!(lang, "dashboard.audit_chain"));
                super::audit::chain_label(ui, lang, chain);
                ui.end_row();
            }
        });
    ui.add_space(12.0);
    if lists.terminals.is_empty() {
        ui.label(tr!(lang, "dashboard.no_terminals"));
    }
    if lists.employees.is_empty() {
        ui.label(tr!(lang, "dashboard.no_employees"));
    }
}
