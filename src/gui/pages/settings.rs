//! Settings: the interface language (live) for everyone; connection rules (supervisor: peak
//! sessions, margins, time limit, spacing; same service as `kaoqin rules set`); the report
//! symbols (everyone sees them, the administrator edits them as `kaoqin report symbols`); backup
//! and restore (admin, `settings_backup`); app users (admin: add, role, disable/enable, reset
//! password). Changes run as background jobs through `Backend` (services check and audit).

use kaoqin_sync::ConnectionRules;

use super::super::backend::settings::{RestoreDone, RestoreFailure, RulesForm, SymbolRow};
use super::super::model::UiError;
use super::super::nav::Item;
use super::super::shell::role_key;
use super::super::tasks::Tasks;
use super::super::widgets;
use super::PageCtx;
use super::audit_files::Picked;
use super::settings_backup::{self, BackupState};
use crate::app::permissions::Role;
use crate::i18n::Lang;

/// What a finished change says.
pub(crate) enum Notice {
    RulesSaved,
    SymbolsSaved,
    BackedUp {
        path: String,
        entries: u64,
        punches: u64,
    },
    UserAdded(String),
    UserChanged(String),
    PasswordReset(String),
}

pub(crate) enum Msg {
    Rules(Result<ConnectionRules, UiError>),
    Symbols(Result<Vec<SymbolRow>, UiError>),
    /// The symbols after a change or a reset, or why not.
    SymbolsSaved(Result<Vec<SymbolRow>, UiError>),
    Done(Result<Notice, UiError>),
    Restored(Result<RestoreDone, RestoreFailure>),
}

/// The page's state across frames.
pub(crate) struct State {
    pub(super) tasks: Tasks<Msg>,
    pub(super) files: Tasks<Picked>,
    loaded: bool,
    rules: Option<RulesForm>,
    symbols: Vec<SymbolRow>,
    /// The administrator's edits, one per row of `symbols`.
    symbol_edits: Vec<String>,
    symbols_error: Option<UiError>,
    error: Option<UiError>,
    notice: Option<Notice>,
    /// Backup and restore (the administrator's section).
    pub(super) backup: BackupState,
    new_user: String,
    new_role: Role,
    new_password: String,
    new_password_again: String,
    reset_for: Option<String>,
    reset_password: String,
    reset_password_again: String,
}

impl Default for State {
    fn default() -> Self {
        State {
            tasks: Tasks::new(),
            files: Tasks::new(),
            loaded: false,
            rules: None,
            symbols: Vec::new(),
            symbol_edits: Vec::new(),
            symbols_error: None,
            error: None,
            notice: None,
            backup: BackupState::default(),
            new_user: String::new(),
            new_role: Role::HrClerk,
            new_password: String::new(),
            new_password_again: String::new(),
            reset_for: None,
            reset_password: String::new(),
            reset_password_again: String::new(),
        }
    }
}

impl State {
    fn set_symbols(&mut self, rows: Vec<SymbolRow>) {
        self.symbol_edits = rows.iter().map(|r| r.symbol.clone()).collect();
        self.symbols = rows;
    }

    fn load(&mut self, ctx: &egui::Context, cx: &PageCtx<'_>) {
        self.loaded = true;
        if Item::ConnectionRules.visible_to(cx.who.role) {
            let (b, s) = (cx.backend.clone(), cx.session.clone());
            self.tasks
                .spawn(ctx, "rules", move || Msg::Rules(b.connection_rules(&s)));
        }
        let (b, s) = (cx.backend.clone(), cx.session.clone());
        self.tasks
            .spawn(ctx, "symbols", move || Msg::Symbols(b.report_symbols(&s)));
        settings_backup::load(&mut self.backup, cx);
    }

    /// Runs a change; its notice or error shows at the top of the page.
    pub(super) fn change(
        &mut self,
        ctx: &egui::Context,
        cx: &PageCtx<'_>,
        job: impl FnOnce(
            &super::super::backend::Backend,
            &super::super::backend::UserSession,
        ) -> Result<Notice, UiError>
        + Send
        + 'static,
    ) {
        let (b, s) = (cx.backend.clone(), cx.session.clone());
        self.error = None;
        self.notice = None;
        self.tasks
            .spawn(ctx, "settings-change", move || Msg::Done(job(&b, &s)));
    }
}

pub(crate) fn show(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    for msg in state.tasks.poll() {
        match msg {
            Msg::Rules(Ok(r)) => {
                state.rules = Some(RulesForm::from_rules(&r, cx.backend.now()));
            }
            Msg::Rules(Err(e)) | Msg::Symbols(Err(e)) => state.error = Some(e),
            Msg::Symbols(Ok(s)) => state.set_symbols(s),
            Msg::SymbolsSaved(Ok(s)) => {
                state.set_symbols(s);
                state.symbols_error = None;
                state.notice = Some(Notice::SymbolsSaved);
            }
            Msg::SymbolsSaved(Err(e)) => state.symbols_error = Some(e),
            Msg::Done(Ok(n)) => {
                if matches!(
                    n,
                    Notice::UserAdded(_) | Notice::UserChanged(_) | Notice::PasswordReset(_)
                ) {
                    cx.reload_lists = true;
                }
                if matches!(n, Notice::UserAdded(_)) {
                    state.new_user.clear();
                    state.new_password.clear();
                    state.new_password_again.clear();
                }
                if matches!(n, Notice::PasswordReset(_)) {
                    state.reset_for = None;
                }
                if matches!(n, Notice::RulesSaved) {
                    // Show what the service stored after saving.
                    let (b, s) = (cx.backend.clone(), cx.session.clone());
                    state.tasks.spawn(ui.ctx(), "rules", move || {
                        Msg::Rules(b.connection_rules(&s))
                    });
                }
                if matches!(n, Notice::BackedUp { .. }) {
                    cx.reload_lists = true;
                }
                state.notice = Some(n);
            }
            Msg::Done(Err(e)) => state.error = Some(e),
            Msg::Restored(r) => settings_backup::on_restored(&mut state.backup, r),
        }
    }
    for p in state.files.poll() {
        if let Some(path) = p.path {
            let path = path.display().to_string();
            match p.field {
                "backup" => state.backup.backup_path = path,
                _ => state.backup.restore_path = path,
            }
        }
    }
    if !state.loaded {
        state.load(ui.ctx(), cx);
    }
    settings_backup::dialogs(ui, cx, state);
    let mut chosen = lang;
    widgets::language_switch(ui, &mut chosen);
    if chosen != lang {
        cx.new_lang = Some(chosen);
    }
    if let Some(e) = &state.error {
        widgets::error_box(ui, lang, e);
    }
    if let Some(n) = &state.notice {
        ui.colored_label(
            egui::Color32::from_rgb(0x2e, 0x9d, 0x4f),
            notice_text(lang, n),
        );
    }
    if state.tasks.busy() {
        ui.add(egui::Spinner::new());
    }
    ui.add_space(8.0);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if Item::ConnectionRules.visible_to(cx.who.role) {
                rules_section(ui, cx, state);
                ui.separator();
            }
            if Item::Backup.visible_to(cx.who.role) {
                settings_backup::section(ui, cx, state);
                ui.separator();
            }
            if Item::AppUsers.visible_to(cx.who.role) {
                users_section(ui, cx, state);
                ui.separator();
            }
            symbols_section(ui, cx, state);
        });
}

fn notice_text(lang: Lang, n: &Notice) -> String {
    match n {
        Notice::RulesSaved => tr!(lang, "settings.rules_saved"),
        Notice::SymbolsSaved => tr!(lang, "settings.symbols_saved"),
        Notice::BackedUp {
            path,
            entries,
            punches,
        } => tr!(
            lang,
            "settings.backup_done",
            path = path.as_str(),
            entries = entries,
            punches = punches
        ),
        Notice::UserAdded(u) => tr!(lang, "settings.user_added", user = u.as_str()),
        Notice::UserChanged(u) => tr!(lang, "settings.user_changed", user = u.as_str()),
        Notice::PasswordReset(u) => tr!(lang, "settings.password_reset_done", user = u.as_str()),
    }
}

fn text_row(ui: &mut egui::Ui, label: &str, value: &mut String, width: f32) -> egui::Response {
    let l = ui.label(label);
    ui.add(egui::TextEdit::singleline(value).desired_width(width))
        .labelled_by(l.id)
}

fn rules_section(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    ui.heading(tr!(lang, "settings.connection_rules"));
    ui.label(tr!(lang, "settings.rules_hint"));
    let Some(form) = &mut state.rules else {
        return;
    };
    let mut submit = false;
    let mut remove = None;
    egui::Grid::new("rules-sessions")
        .num_columns(4)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            ui.strong(tr!(lang, "settings.peak_name"));
            ui.strong(tr!(lang, "settings.latest_sign_in"));
            ui.strong(tr!(lang, "settings.earliest_sign_out"));
            ui.label("");
            ui.end_row();
            for (i, (name, a, b)) in form.sessions.iter_mut().enumerate() {
                ui.add_sized([140.0, 20.0], egui::TextEdit::singleline(name));
                let ra = ui.add(egui::TextEdit::singleline(a).desired_width(70.0));
                let rb = ui.add(egui::TextEdit::singleline(b).desired_width(70.0));
                for r in [ra, rb] {
                    submit |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                }
                if ui.button(tr!(lang, "settings.remove")).clicked() {
                    remove = Some(i);
                }
                ui.end_row();
            }
        });
    if let Some(i) = remove {
        form.sessions.remove(i);
    }
    if ui.button(tr!(lang, "settings.add_peak")).clicked() {
        form.sessions
            .push((String::new(), "09:00".into(), "17:00".into()));
    }
    ui.checkbox(
        &mut form.follow_schedules,
        tr!(lang, "settings.follow_schedules"),
    );
    if !form.today_windows.is_empty() {
        ui.label(tr!(lang, "settings.today_windows"));
        egui::Grid::new("rules-today")
            .num_columns(2)
            .spacing([12.0, 2.0])
            .show(ui, |ui| {
                for (span, w) in &form.today_windows {
                    ui.monospace(span);
                    ui.label(widgets::peak_window_text(
                        lang,
                        &w.name,
                        w.shift.as_deref(),
                        w.sign_in,
                    ));
                    ui.end_row();
                }
            });
    }
    egui::Grid::new("rules-numbers")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for (key, value) in [
                ("settings.margin_before", &mut form.margin_before),
                ("settings.margin_after", &mut form.margin_after),
                ("settings.time_limit", &mut form.time_limit),
                ("settings.spacing", &mut form.spacing),
            ] {
                let r = text_row(ui, &tr!(lang, key), value, 80.0);
                submit |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                ui.end_row();
            }
        });
    submit |= ui
        .add_enabled(
            !state.tasks.busy(),
            egui::Button::new(tr!(lang, "settings.save_rules")),
        )
        .clicked();
    if submit {
        match form.to_rules() {
            Err(e) => state.error = Some(e),
            Ok(rules) => {
                state.change(ui.ctx(), cx, move |b, s| {
                    b.set_connection_rules(s, &rules)?;
                    Ok(Notice::RulesSaved)
                });
            }
        }
    }
}

fn users_section(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    ui.heading(tr!(lang, "settings.app_users"));
    let users = cx.lists.users.clone();
    let busy = state.tasks.busy();
    egui::Grid::new("users")
        .num_columns(4)
        .striped(true)
        .spacing([16.0, 6.0])
        .show(ui, |ui| {
            ui.strong(tr!(lang, "settings.col_user"));
            ui.strong(tr!(lang, "settings.col_role"));
            ui.strong(tr!(lang, "settings.col_status"));
            ui.strong(tr!(lang, "settings.col_actions"));
            ui.end_row();
            for u in &users {
                ui.label(&u.name);
                let mut role = u.role;
                egui::ComboBox::from_id_salt(("role", u.name.as_str()))
                    .selected_text(tr!(lang, role_key(role)))
                    .show_ui(ui, |ui| {
                        for r in Role::ALL {
                            ui.selectable_value(&mut role, r, tr!(lang, role_key(r)));
                        }
                    });
                if role != u.role && !busy {
                    let name = u.name.clone();
                    state.change(ui.ctx(), cx, move |b, s| {
                        b.set_user_role(s, &name, role)?;
                        Ok(Notice::UserChanged(name))
                    });
                }
                ui.horizontal(|ui| {
                    ui.label(if u.disabled {
                        tr!(lang, "settings.disabled")
                    } else {
                        tr!(lang, "settings.enabled")
                    });
                    if u.failed_logins > 0 {
                        let n = u.failed_logins.to_string();
                        ui.weak(tr!(lang, "settings.login_failures", count = n.as_str()));
                    }
                });
                ui.horizontal(|ui| {
                    if u.failed_logins > 0
                        && ui
                            .add_enabled(
                                !busy,
                                egui::Button::new(tr!(lang, "settings.unlock_login")),
                            )
                            .clicked()
                    {
                        let name = u.name.clone();
                        state.change(ui.ctx(), cx, move |b, s| {
                            b.unlock_login(s, &name)?;
                            Ok(Notice::UserChanged(name))
                        });
                    }
                    let key = if u.disabled {
                        "settings.enable"
                    } else {
                        "settings.disable"
                    };
                    if ui
                        .add_enabled(!busy, egui::Button::new(tr!(lang, key)))
                        .clicked()
                    {
                        let (name, disable) = (u.name.clone(), !u.disabled);
                        state.change(ui.ctx(), cx, move |b, s| {
                            b.set_user_disabled(s, &name, disable)?;
                            Ok(Notice::UserChanged(name))
                        });
                    }
                    if ui.button(tr!(lang, "settings.reset_password")).clicked() {
                        state.reset_for = Some(u.name.clone());
                        state.reset_password.clear();
                        state.reset_password_again.clear();
                    }
                });
                ui.end_row();
            }
        });
    if let Some(name) = state.reset_for.clone() {
        reset_password_form(ui, cx, state, name);
    }
    add_user_form(ui, cx, state);
}

/// The administrator sets another user's password (typed twice).
fn reset_password_form(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State, name: String) {
    let lang = cx.lang;
    let busy = state.tasks.busy();
    ui.add_space(6.0);
    ui.strong(tr!(lang, "settings.reset_for", user = name.as_str()));
    let mut submit = false;
    egui::Grid::new("reset-password")
        .num_columns(2)
        .show(ui, |ui| {
            text_password(
                ui,
                &tr!(lang, "settings.new_password"),
                &mut state.reset_password,
            );
            ui.end_row();
            let r = text_password(
                ui,
                &tr!(lang, "settings.new_password_again"),
                &mut state.reset_password_again,
            );
            submit |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.end_row();
        });
    ui.horizontal(|ui| {
        submit |= ui
            .add_enabled(!busy, egui::Button::new(tr!(lang, "settings.set_password")))
            .clicked();
        if ui.button(tr!(lang, "settings.cancel")).clicked() {
            state.reset_for = None;
        }
    });
    if submit {
        if state.reset_password != state.reset_password_again {
            state.error = Some(UiError::new("settings.error_passwords_differ", ""));
        } else {
            let password = state.reset_password.clone();
            state.change(ui.ctx(), cx, move |b, s| {
                b.reset_password(s, &name, &password)?;
                Ok(Notice::PasswordReset(name))
            });
        }
    }
}

/// A new app user: name, role, password typed twice.
fn add_user_form(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    let busy = state.tasks.busy();
    ui.add_space(8.0);
    ui.strong(tr!(lang, "settings.add_user"));
    let mut submit = false;
    egui::Grid::new("add-user")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            text_row(
                ui,
                &tr!(lang, "settings.new_user"),
                &mut state.new_user,
                200.0,
            );
            ui.end_row();
            ui.label(tr!(lang, "settings.new_role"));
            ui.horizontal(|ui| {
                for r in Role::ALL {
                    ui.radio_value(&mut state.new_role, r, tr!(lang, role_key(r)));
                }
            });
            ui.end_row();
            text_password(
                ui,
                &tr!(lang, "settings.new_password"),
                &mut state.new_password,
            );
            ui.end_row();
            let r = text_password(
                ui,
                &tr!(lang, "settings.new_password_again"),
                &mut state.new_password_again,
            );
            submit |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.end_row();
        });
    submit |= ui
        .add_enabled(
            !busy,
            egui::Button::new(tr!(lang, "settings.add_user_button")),
        )
        .clicked();
    if submit {
        let name = state.new_user.trim().to_string();
        if name.is_empty() {
            state.error = Some(UiError::new("settings.error_user_empty", ""));
        } else if state.new_password != state.new_password_again {
            state.error = Some(UiError::new("settings.error_passwords_differ", ""));
        } else {
            let (role, password) = (state.new_role, state.new_password.clone());
            state.change(ui.ctx(), cx, move |b, s| {
                b.add_user(s, &name, role, &password)?;
                Ok(Notice::UserAdded(name))
            });
        }
    }
}

fn text_password(ui: &mut egui::Ui, label: &str, value: &mut String) -> egui::Response {
    let l = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(value)
            .password(true)
            .desired_width(200.0),
    )
    .labelled_by(l.id)
}

/// The sheets' symbols with their meanings; the administrator edits them in place.
fn symbols_section(ui: &mut egui::Ui, cx: &PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    let may_edit = Item::ReportSymbols.visible_to(cx.who.role);
    ui.heading(tr!(lang, "settings.symbols"));
    ui.label(tr!(
        lang,
        if may_edit {
            "settings.symbols_edit_hint"
        } else {
            "settings.symbols_read_only"
        }
    ));
    let busy = state.tasks.busy();
    egui::Grid::new("symbols")
        .num_columns(4)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for (i, s) in state.symbols.iter().enumerate() {
                let meaning = match (&s.meaning_key, &s.leave_name) {
                    (Some(k), _) => tr!(lang, *k),
                    (None, Some((zh, en))) => match lang {
                        Lang::English => en.clone(),
                        _ => zh.clone(),
                    },
                    _ => String::new(),
                };
                match state.symbol_edits.get_mut(i) {
                    Some(edit) if may_edit => {
                        let l = ui.label(meaning);
                        ui.add(
                            egui::TextEdit::singleline(edit)
                                .desired_width(48.0)
                                .char_limit(3),
                        )
                        .labelled_by(l.id);
                    }
                    _ => {
                        ui.strong(&s.symbol);
                        ui.label(meaning);
                    }
                }
                if i % 2 == 1 {
                    ui.end_row();
                }
            }
        });
    if !may_edit {
        return;
    }
    if let Some(e) = &state.symbols_error {
        widgets::error_box(ui, lang, e);
    }
    let changes: crate::app::report_symbols::SymbolChanges = state
        .symbols
        .iter()
        .zip(&state.symbol_edits)
        .filter(|(row, edit)| row.symbol != **edit)
        .map(|(row, edit)| (row.name.clone(), edit.clone()))
        .collect();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                !busy && !changes.is_empty(),
                egui::Button::new(tr!(lang, "settings.symbols_save")),
            )
            .clicked()
        {
            let (b, s) = (cx.backend.clone(), cx.session.clone());
            state.notice = None;
            state.tasks.spawn(ui.ctx(), "symbols-save", move || {
                Msg::SymbolsSaved(b.set_report_symbols(&s, &changes))
            });
        }
        if ui
            .add_enabled(
                !busy,
                egui::Button::new(tr!(lang, "settings.symbols_reset")),
            )
            .clicked()
        {
            let (b, s) = (cx.backend.clone(), cx.session.clone());
            state.notice = None;
            state.tasks.spawn(ui.ctx(), "symbols-reset", move || {
                Msg::SymbolsSaved(b.reset_report_symbols(&s))
            });
        }
    });
}
