//! Terminals: the list with status. Role-only sections (device admin for the supervisor,
//! snapshots for the auditor) appear only for those roles; their content arrives with issue 8.
//! Roles that may download get a Download button per terminal (see `terminals_download`).

use super::super::nav::Item;
use super::super::widgets;
use super::PageCtx;
use super::terminals_download::DownloadState;

/// The page's state across frames.
#[derive(Default)]
pub(crate) struct State {
    /// The running download and the last results per terminal.
    pub downloads: DownloadState,
}

pub(crate) fn show(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let (lang, who, lists) = (cx.lang, cx.who, cx.lists);
    let downloads = &mut state.downloads;
    if Item::EditTerminals.visible_to(who.role) {
        ui.label(tr!(lang, "terminals.add_hint"));
    }
    if Item::DeviceAdmin.visible_to(who.role) {
        egui::CollapsingHeader::new(tr!(lang, "terminals.device_admin"))
            .id_salt("device-admin")
            .show(ui, |ui| ui.label(tr!(lang, "terminals.device_admin_later")));
    }
    if Item::Snapshots.visible_to(who.role) {
        egui::CollapsingHeader::new(tr!(lang, "terminals.snapshots"))
            .id_salt("snapshots")
            .show(ui, |ui| ui.label(tr!(lang, "terminals.snapshots_later")));
    }
    ui.add_space(6.0);
    if lists.terminals.is_empty() {
        ui.label(tr!(lang, "terminals.empty"));
        return;
    }
    let headers = [
        tr!(lang, "terminals.col_name"),
        tr!(lang, "terminals.col_kind"),
        tr!(lang, "terminals.col_address"),
        tr!(lang, "terminals.col_location"),
        tr!(lang, "terminals.col_serial"),
        tr!(lang, "terminals.col_last_contact"),
        tr!(lang, "terminals.col_last_error"),
    ];
    let rows = &lists.terminals;
    // Above the table: the table takes the rest of the page's height.
    if Item::Download.visible_to(who.role) {
        ui.label(egui::RichText::new(tr!(lang, "download.heading")).strong());
        let may_override = Item::OverrideRules.visible_to(who.role);
        for t in rows {
            downloads.show_terminal(ui, lang, &t.name, may_override);
            ui.add_space(4.0);
        }
        downloads.show_dialog(ui.ctx(), lang);
        ui.separator();
    }
    widgets::table(ui, "terminals", &headers, rows.len(), |ui, r, c| {
        let Some(t) = rows.get(r) else { return };
        let text = match c {
            0 => &t.name,
            1 => &t.kind,
            2 => &t.address,
            3 => &t.location,
            4 => &t.serial,
            5 => &t.last_contact,
            _ => &t.last_error,
        };
        ui.label(text);
    });
}
