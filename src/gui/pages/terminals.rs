//! Terminals: the list with status; add / edit / remove (`manage_terminals`); for the selected
//! terminal: Download (progress, phase, countdown, Cancel; refusal and override in
//! `terminals_download`), its findings with "mark explained", the users on the terminal and the raw
//! punches (`terminals_data`); the supervisor's device administration (`terminals_device`), whose
//! "Test connection" reads the terminal clock through a supervised session (it counts as a
//! connection under the rules). Snapshots (auditor) live on the Audit page.

use crate::app::permissions::{Action, allowed};
use crate::i18n::Lang;
use kaoqin_store::{TerminalKind, TextEncoding};

use super::super::backend::terminals::{TerminalDetail, TerminalForm};
use super::super::model::{Lists, UiError};
use super::super::nav::Item;
use super::super::tasks::Tasks;
use super::super::widgets;
use super::PageCtx;
use super::terminals_data::DataState;
use super::terminals_device::DeviceState;
use super::terminals_download::DownloadState;

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

/// The terminal form as typed.
#[derive(Debug, Clone)]
pub(crate) struct FormState {
    /// Editing this terminal; `None` = a new one.
    editing: Option<String>,
    name: String,
    kind: TerminalKind,
    address: String,
    baud: String,
    machine: String,
    encoding: TextEncoding,
    location: String,
    secret: String,
    has_secret: bool,
    clear_secret: bool,
    problem: Option<&'static str>,
}

impl Default for FormState {
    fn default() -> Self {
        FormState {
            editing: None,
            name: String::new(),
            kind: TerminalKind::ZkTcp,
            address: String::new(),
            baud: String::new(),
            machine: "1".into(),
            encoding: TextEncoding::Gbk,
            location: String::new(),
            secret: String::new(),
            has_secret: false,
            clear_secret: false,
            problem: None,
        }
    }
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

/// Checks the form and builds what the service takes.
pub(crate) fn check_form(f: &FormState, lists: &Lists) -> Result<TerminalForm, &'static str> {
    let name = f.name.trim();
    if name.is_empty() {
        return Err("terminals.need_name");
    }
    let renamed = f.editing.as_deref() != Some(name);
    if renamed && lists.terminals.iter().any(|t| t.name == name) {
        return Err("terminals.name_taken");
    }
    if f.address.trim().is_empty() {
        return Err(match f.kind {
            TerminalKind::ZkSerial => "terminals.need_path",
            TerminalKind::Isapi => "terminals.need_url",
            _ => "terminals.need_address",
        });
    }
    let num = |s: &str| -> Result<Option<u32>, ()> {
        let s = s.trim();
        if s.is_empty() {
            Ok(None)
        } else {
            s.parse::<u32>().map(Some).map_err(|_| ())
        }
    };
    let serial = f.kind == TerminalKind::ZkSerial;
    let baud = if serial {
        num(&f.baud).map_err(|()| "terminals.bad_baud")?
    } else {
        None
    };
    let machine = if serial {
        match num(&f.machine).map_err(|()| "terminals.bad_machine")? {
            Some(0) => return Err("terminals.bad_machine"),
            m => m,
        }
    } else {
        None
    };
    let secret = if f.clear_secret {
        Some(String::new())
    } else if f.secret.is_empty() {
        // Adding: no secret; editing: keep the stored one.
        None
    } else {
        if matches!(
            f.kind,
            TerminalKind::ZkTcp | TerminalKind::ZkUdp | TerminalKind::ZkSerial
        ) && !f.secret.trim().parse::<u32>().is_ok_and(|k| k <= 999_999)
        {
            return Err("terminals.bad_comm_key");
        }
        Some(f.secret.clone())
    };
    Ok(TerminalForm {
        name: name.to_owned(),
        kind: f.kind,
        address: f.address.trim().to_owned(),
        baud,
        machine,
        encoding: f.encoding,
        location: f.location.trim().to_owned(),
        secret,
    })
}

fn kind_key(k: TerminalKind) -> &'static str {
    match k {
        TerminalKind::ZkTcp => "terminals.kind_zk_tcp",
        TerminalKind::ZkUdp => "terminals.kind_zk_udp",
        TerminalKind::ZkSerial => "terminals.kind_zk_serial",
        TerminalKind::Isapi => "terminals.kind_isapi",
    }
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
                state.form = Some(FormState {
                    editing: Some(d.name.clone()),
                    name: d.name.clone(),
                    kind: d.kind,
                    address: d.address.clone(),
                    baud: d.baud.map(|b| b.to_string()).unwrap_or_default(),
                    machine: d.machine.to_string(),
                    encoding: d.encoding,
                    location: d.location.clone(),
                    has_secret: d.has_secret,
                    ..FormState::default()
                });
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
    egui::Window::new(title)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            ui.set_width(380.0);
            widgets::labelled_text(ui, &tr!(lang, "terminals.form_name"), &mut form.name, false);
            let l = ui.label(tr!(lang, "terminals.form_kind"));
            egui::ComboBox::from_id_salt("terminal-kind")
                .selected_text(tr!(lang, kind_key(form.kind)))
                .width(360.0)
                .show_ui(ui, |ui| {
                    for k in TerminalKind::ALL {
                        ui.selectable_value(&mut form.kind, k, tr!(lang, kind_key(k)));
                    }
                })
                .response
                .labelled_by(l.id);
            let (addr_key, hint_key) = match form.kind {
                TerminalKind::ZkSerial => ("terminals.form_path", "terminals.hint_path"),
                TerminalKind::Isapi => ("terminals.form_url", "terminals.hint_url"),
                _ => ("terminals.form_address", "terminals.hint_address"),
            };
            widgets::labelled_text(ui, &tr!(lang, addr_key), &mut form.address, false);
            ui.small(tr!(lang, hint_key));
            if form.kind == TerminalKind::ZkSerial {
                ui.horizontal(|ui| {
                    ui.vertical(|ui| {
                        ui.set_width(170.0);
                        widgets::labelled_text(
                            ui,
                            &tr!(lang, "terminals.form_baud"),
                            &mut form.baud,
                            false,
                        );
                    });
                    ui.vertical(|ui| {
                        ui.set_width(170.0);
                        widgets::labelled_text(
                            ui,
                            &tr!(lang, "terminals.form_machine"),
                            &mut form.machine,
                            false,
                        );
                    });
                });
            }
            let l = ui.label(tr!(lang, "terminals.form_encoding"));
            ui.horizontal(|ui| {
                ui.radio_value(
                    &mut form.encoding,
                    TextEncoding::Gbk,
                    tr!(lang, "terminals.enc_gbk"),
                )
                .labelled_by(l.id);
                ui.radio_value(&mut form.encoding, TextEncoding::Utf8, "UTF-8");
            });
            widgets::labelled_text(
                ui,
                &tr!(lang, "terminals.form_location"),
                &mut form.location,
                false,
            );
            let secret_key = if form.kind == TerminalKind::Isapi {
                "terminals.form_isapi_password"
            } else {
                "terminals.form_comm_key"
            };
            widgets::labelled_text(ui, &tr!(lang, secret_key), &mut form.secret, true);
            if form.editing.is_some() {
                if form.has_secret {
                    ui.small(tr!(lang, "terminals.secret_kept"));
                    ui.checkbox(&mut form.clear_secret, tr!(lang, "terminals.secret_clear"));
                } else {
                    ui.small(tr!(lang, "terminals.secret_none"));
                }
            }
            let error = match &state.notice {
                Some(Err(e)) => Some(e),
                _ => None,
            };
            let f = widgets::form_footer(
                ui,
                lang,
                form.problem,
                error,
                busy,
                "terminals.save",
                "terminals.cancel",
            );
            submit |= f.submit;
            close |= f.close;
        });
    if close {
        state.form = None;
        state.notice = None;
        return;
    }
    if submit {
        match check_form(form, cx.lists) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_checks_by_kind() {
        let lists = Lists::default();
        let tcp = FormState {
            name: "大厅".into(),
            address: "192.168.1.201:4370".into(),
            ..FormState::default()
        };
        let f = check_form(&tcp, &lists).expect("valid");
        assert_eq!((f.baud, f.machine, f.secret), (None, None, None));
        let serial = FormState {
            kind: TerminalKind::ZkSerial,
            address: "/dev/ttyUSB0".into(),
            baud: "9600".into(),
            machine: "2".into(),
            secret: "1234".into(),
            ..tcp.clone()
        };
        let f = check_form(&serial, &lists).expect("valid");
        assert_eq!(
            (f.baud, f.machine, f.secret),
            (Some(9600), Some(2), Some("1234".into()))
        );
        let cases = [
            (
                FormState {
                    name: " ".into(),
                    ..tcp.clone()
                },
                "terminals.need_name",
            ),
            (
                FormState {
                    address: "".into(),
                    ..tcp.clone()
                },
                "terminals.need_address",
            ),
            (
                FormState {
                    baud: "fast".into(),
                    ..serial.clone()
                },
                "terminals.bad_baud",
            ),
            (
                FormState {
                    machine: "0".into(),
                    ..serial.clone()
                },
                "terminals.bad_machine",
            ),
            (
                FormState {
                    secret: "abc".into(),
                    ..tcp.clone()
                },
                "terminals.bad_comm_key",
            ),
        ];
        for (f, want) in cases {
            assert_eq!(check_form(&f, &lists).unwrap_err(), want);
        }
        let isapi = FormState {
            kind: TerminalKind::Isapi,
            address: "http://10.0.0.9".into(),
            secret: "pass word".into(),
            ..tcp
        };
        assert!(check_form(&isapi, &lists).is_ok());
    }
}
