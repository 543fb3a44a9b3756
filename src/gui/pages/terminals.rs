//! Terminals: the list with status; add / edit / remove (`manage_terminals`); for the selected
//! terminal: Download (progress, phase, countdown, Cancel; refusal and override in
//! `terminals_download`), its findings with "mark explained", the users on the terminal and the raw
//! punches (`terminals_data`); the supervisor's device administration (`terminals_device`), whose
//! "Test connection" reads the terminal clock through a supervised session (it counts as a
//! connection under the rules). Snapshots (auditor) live on the Audit page.

use crate::app::permissions::{Action, allowed};
use crate::i18n::Lang;

use super::super::backend::terminals::TerminalDetail;
use super::super::model::{Lists, UiError};
use super::super::nav::Item;
use super::super::tasks::Tasks;
use super::super::widgets;
use super::PageCtx;
use super::terminals_data::DataState;
use super::terminals_device::DeviceState;
use super::terminals_download::DownloadState;
use super::terminals_form::{self, FormState, check_form};

/// What a background job of this page reports.
pub(crate) enum Msg {
    Details(Result<Vec<TerminalDetail>, UiError>),
    /// A terminal was saved or removed (success text's key), or why not.
    Saved(Result<&'static str, UiError>),
    Data(super::terminals_data::DataMsg),
    Device(super::terminals_device::DeviceMsg),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Tab {
    #[default]
    Download,
    Findings,
    Users,
    Punches,
}

/// The page's state across frames.
#[derive(Default)]
pub(crate) struct State {
    /// The running download and the last results per terminal.
    pub downloads: DownloadState,
    tasks: Tasks<Msg>,
    details: Vec<TerminalDetail>,
    /// The lists' generation the details were loaded for (reload after a change).
    loaded_for: Option<usize>,
    selected: Option<String>,
    tab: Tab,
    form: Option<FormState>,
    confirm_remove: Option<String>,
    notice: Option<Result<&'static str, UiError>>,
    data: DataState,
    device: DeviceState,
    was_downloading: bool,
}

pub(crate) fn show(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    let role = cx.who.role;
    for msg in state.tasks.poll() {
        match msg {
            Msg::Details(Ok(d)) => state.details = d,
            Msg::Details(Err(e)) => state.notice = Some(Err(e)),
            Msg::Saved(r) => {
                if r.is_ok() {
                    state.form = None;
                    state.confirm_remove = None;
                    state.loaded_for = None;
                    cx.reload_lists = true;
                }
                state.notice = Some(r);
            }
            Msg::Data(m) => state.data.on_msg(m),
            Msg::Device(m) => state.device.on_msg(m),
        }
    }
    // The details (kind, machine, encoding, secret set) follow the shared list.
    let generation = cx.lists.terminals.len()
        ^ cx.lists
            .terminals
            .iter()
            .map(|t| t.name.len() + t.last_contact.len())
            .sum::<usize>();
    if state.loaded_for != Some(generation) {
        state.loaded_for = Some(generation);
        let (b, s) = (cx.backend.clone(), cx.session.clone());
        state.tasks.spawn(ui.ctx(), "terminal-details", move || {
            Msg::Details(b.terminal_details(&s))
        });
    }
    // Keep the selection on an existing terminal; the first one by default.
    if !state
        .selected
        .as_ref()
        .is_some_and(|n| cx.lists.terminals.iter().any(|t| &t.name == n))
    {
        state.selected = cx.lists.terminals.first().map(|t| t.name.clone());
    }
    // After a download: findings and punches changed.
    let downloading = state.downloads.running(None);
    if state.was_downloading && !downloading {
        state.data.invalidate();
    }
    state.was_downloading = downloading;

    let busy = state.tasks.busy();
    let may_manage = allowed(role, Action::ManageTerminals);
    ui.horizontal(|ui| {
        if may_manage {
            if ui
                .add_enabled(!busy, egui::Button::new(tr!(lang, "terminals.add")))
                .clicked()
            {
                state.form = Some(FormState::default());
                state.notice = None;
            }
            let sel = state
                .selected
                .as_ref()
                .and_then(|n| state.details.iter().find(|d| &d.name == n));
            if ui
                .add_enabled(
                    sel.is_some() && !busy,
                    egui::Button::new(tr!(lang, "terminals.edit")),
                )
                .clicked()
                && let Some(d) = sel
            {
                state.form = Some(FormState::edit(d));
                state.notice = None;
            }
            if ui
                .add_enabled(
                    sel.is_some() && !busy && !downloading,
                    egui::Button::new(tr!(lang, "terminals.remove")),
                )
                .clicked()
            {
                state.confirm_remove = state.selected.clone();
            }
        }
        if Item::DeviceAdmin.visible_to(role)
            && let Some(t) = &state.selected
        {
            state
                .device
                .test_button(ui, lang, t, cx.backend, cx.session, &mut state.tasks);
        }
        if busy {
            ui.add(egui::Spinner::new());
        }
    });
    match &state.notice {
        Some(Ok(key)) => {
            ui.label(egui::RichText::new(tr!(lang, *key)).color(ui.visuals().hyperlink_color));
        }
        Some(Err(e)) if state.form.is_none() => widgets::error_box(ui, lang, e),
        _ => {}
    }
    if let Some(t) = &state.selected {
        state.device.show_test_result(ui, lang, t);
    }

    if Item::DeviceAdmin.visible_to(role) {
        egui::CollapsingHeader::new(tr!(lang, "terminals.device_admin"))
            .id_salt("device-admin")
            .show(ui, |ui| match &state.selected {
                None => {
                    ui.label(tr!(lang, "terminals.select_first"));
                }
                Some(t) => {
                    let handover = state
                        .details
                        .iter()
                        .find(|d| &d.name == t)
                        .and_then(|d| d.handover_until.clone());
                    state.device.show(
                        ui,
                        lang,
                        t,
                        handover.as_deref(),
                        cx.backend,
                        cx.session,
                        &mut state.tasks,
                    );
                }
            });
    }
    ui.add_space(4.0);
    if cx.lists.terminals.is_empty() {
        ui.label(tr!(lang, "terminals.empty"));
    } else {
        terminal_list(ui, lang, cx.lists, state);
        ui.separator();
        if let Some(t) = state.selected.clone() {
            terminal_detail(ui, cx, state, &t);
        }
    }
    state.downloads.show_dialog(ui.ctx(), lang);
    state
        .device
        .show_dialogs(ui.ctx(), lang, cx.backend, cx.session, &mut state.tasks);
    terminal_form(ui.ctx(), cx, state);
    remove_dialog(ui.ctx(), cx, state);
}

fn terminal_list(ui: &mut egui::Ui, lang: Lang, lists: &Lists, state: &mut State) {
    let headers = [
        tr!(lang, "terminals.col_name"),
        tr!(lang, "terminals.col_status"),
        tr!(lang, "terminals.col_kind"),
        tr!(lang, "terminals.col_address"),
        tr!(lang, "terminals.col_location"),
        tr!(lang, "terminals.col_serial"),
        tr!(lang, "terminals.col_last_contact"),
        tr!(lang, "terminals.col_last_error"),
    ];
    let rows = &lists.terminals;
    let mut selected = state.selected.clone();
    let height = (rows.len() as f32 * 20.0 + 8.0).min(140.0);
    super::employees_import::small_table(
        ui,
        "terminals",
        &headers,
        rows.len(),
        height,
        |ui, r, c| {
            let Some(t) = rows.get(r) else { return };
            match c {
                0 => {
                    let sel = selected.as_deref() == Some(t.name.as_str());
                    if ui.selectable_label(sel, &t.name).clicked() {
                        selected = Some(t.name.clone());
                    }
                }
                1 => {
                    if !t.last_error.is_empty() {
                        ui.colored_label(
                            ui.visuals().error_fg_color,
                            tr!(lang, "terminals.status_error"),
                        );
                    } else if t.last_contact.is_empty() {
                        ui.label(tr!(lang, "terminals.status_never"));
                    } else {
                        ui.label(tr!(lang, "terminals.status_ok"));
                    }
                }
                2 => {
                    ui.label(&t.kind);
                }
                3 => {
                    ui.label(&t.address);
                }
                4 => {
                    ui.label(&t.location);
                }
                5 => {
                    ui.label(&t.serial);
                }
                6 => {
                    ui.label(&t.last_contact);
                }
                _ => {
                    ui.label(&t.last_error);
                }
            }
        },
    );
    state.selected = selected;
}

fn terminal_detail(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State, terminal: &str) {
    let lang = cx.lang;
    let role = cx.who.role;
    ui.horizontal(|ui| {
        ui.strong(terminal);
        ui.separator();
        for (tab, key) in [
            (Tab::Download, "terminals.tab_download"),
            (Tab::Findings, "terminals.tab_findings"),
            (Tab::Users, "terminals.tab_users"),
            (Tab::Punches, "terminals.tab_punches"),
        ] {
            if tab == Tab::Download && !Item::Download.visible_to(role) {
                continue;
            }
            ui.selectable_value(&mut state.tab, tab, tr!(lang, key));
        }
    });
    if state.tab == Tab::Download && !Item::Download.visible_to(role) {
        state.tab = Tab::Findings;
    }
    ui.add_space(4.0);
    match state.tab {
        Tab::Download => {
            ui.label(egui::RichText::new(tr!(lang, "download.heading")).strong());
            let may_override = Item::OverrideRules.visible_to(role);
            state
                .downloads
                .show_terminal(ui, lang, terminal, may_override);
        }
        Tab::Findings => state.data.show_findings(
            ui,
            lang,
            role,
            terminal,
            cx.backend,
            cx.session,
            &mut state.tasks,
        ),
        Tab::Users => state.device.show_users(ui, lang, terminal, role),
        Tab::Punches => {
            state
                .data
                .show_punches(ui, lang, terminal, cx.backend, cx.session, &mut state.tasks)
        }
    }
}

fn terminal_form(ctx: &egui::Context, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    let Some(form) = &mut state.form else { return };
    let busy = state.tasks.busy();
    let mut submit = false;
    let mut close = false;
    let title = if form.editing.is_some() {
        tr!(lang, "terminals.edit_title")
    } else {
        tr!(lang, "terminals.add_title")
    };
    let error = match &state.notice {
        Some(Err(e)) => Some(e),
        _ => None,
    };
    let f = widgets::EditWindow {
        title,
        width: 380.0,
        problem: form.problem,
        error,
        busy,
        save_key: "terminals.save",
        cancel_key: "terminals.cancel",
    }
    .show(ctx, lang, |ui| {
        terminals_form::fields(ui, lang, form);
    });
    submit |= f.submit;
    close |= f.close;
    if close {
        state.form = None;
        state.notice = None;
        return;
    }
    if submit {
        let existing: Vec<&str> = cx.lists.terminals.iter().map(|t| t.name.as_str()).collect();
        match check_form(form, &existing) {
            Err(k) => form.problem = Some(k),
            Ok(f) => {
                form.problem = None;
                state.notice = None;
                let editing = form.editing.clone();
                let (b, s) = (cx.backend.clone(), cx.session.clone());
                let new_name = f.name.clone();
                state.selected = Some(new_name);
                state.tasks.spawn(ctx, "terminal-save", move || {
                    Msg::Saved(match editing {
                        Some(old) => b
                            .update_terminal(&s, &old, &f)
                            .map(|()| "terminals.updated"),
                        None => b.add_terminal(&s, &f).map(|()| "terminals.added"),
                    })
                });
            }
        }
    }
}

fn remove_dialog(ctx: &egui::Context, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    let Some(name) = state.confirm_remove.clone() else {
        return;
    };
    let mut go = false;
    let mut close = false;
    egui::Window::new(tr!(lang, "terminals.remove_title"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            ui.label(tr!(lang, "terminals.remove_confirm", name = &name));
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(
                        !state.tasks.busy(),
                        egui::Button::new(tr!(lang, "terminals.remove_ok")),
                    )
                    .clicked()
                {
                    go = true;
                }
                if ui.button(tr!(lang, "terminals.cancel")).clicked() {
                    close = true;
                }
            });
        });
    if close {
        state.confirm_remove = None;
    }
    if go {
        let (b, s) = (cx.backend.clone(), cx.session.clone());
        state.tasks.spawn(ctx, "terminal-remove", move || {
            Msg::Saved(b.remove_terminal(&s, &name).map(|()| "terminals.removed"))
        });
    }
}
