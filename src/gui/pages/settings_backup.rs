//! Settings → backup and restore (administrator). A backup writes a consistent copy (with its
//! manifest). A restore asks for the password again, and the service verifies the backup first: a
//! backup that does not verify is refused and the reasons are shown; an administrator may then
//! restore it anyway, giving a reason that goes into the audit log (as `kaoqin restore
//! --force-unverified --reason`), while anyone else is told only an administrator can. Jobs run on
//! the Settings page's tasks through `Backend` (the service checks the permission and audits).

use std::path::PathBuf;

use super::super::backend::settings::{RestoreDone, RestoreFailure};
use super::super::model::UiError;
use super::super::widgets;
use super::PageCtx;
use super::audit_files::{self, Dialog};
use super::settings::{Msg, Notice, State};
use crate::app::permissions::Role;

/// Which restore the password dialog confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Confirm {
    /// A restore the service verifies first (refused when the backup does not verify).
    Plain,
    /// The administrator's override of a refusal, with the reason.
    Override,
}

/// A restore the service refused: the backup and why it does not verify.
struct Refusal {
    path: String,
    problems: Vec<String>,
}

/// The backup section's state across frames.
#[derive(Default)]
pub(crate) struct BackupState {
    pub(super) backup_path: String,
    pub(super) restore_path: String,
    confirm: Option<Confirm>,
    password: String,
    /// The backup of the running restore job (so a refusal names what was refused).
    pending: Option<String>,
    refused: Option<Refusal>,
    /// The administrator's reason for restoring the refused backup anyway.
    reason: String,
    error: Option<UiError>,
    /// After a restore: what it did; the user must sign in again.
    done: Option<RestoreDone>,
}

/// Fills the default backup file name (in the data directory, stamped with the backend's clock).
pub(super) fn load(b: &mut BackupState, cx: &PageCtx<'_>) {
    if b.backup_path.is_empty() {
        b.backup_path = audit_files::default_path(
            &cx.backend.paths().data_dir,
            "kaoqin-backup",
            "db",
            cx.backend.now(),
        );
    }
}

/// A restore job is back: done (sign in again), refused (show why; the override), or an error.
pub(super) fn on_restored(b: &mut BackupState, r: Result<RestoreDone, RestoreFailure>) {
    let path = b.pending.take().unwrap_or_default();
    match r {
        Ok(done) => {
            b.refused = None;
            b.reason.clear();
            b.done = Some(done);
        }
        Err(RestoreFailure::Refused { problems }) => b.refused = Some(Refusal { path, problems }),
        Err(RestoreFailure::Failed(e)) => b.error = Some(e),
    }
}

/// The modal dialogs: the password confirmation and, after a restore, "sign in again".
pub(super) fn dialogs(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    if state.backup.done.is_some() {
        done_dialog(ui, cx, &mut state.backup);
    }
    if let Some(mode) = state.backup.confirm {
        confirm_dialog(ui, cx, state, mode);
    }
}

/// Backup now, restore from a file, and a refused restore with its reasons.
pub(super) fn section(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    ui.heading(tr!(lang, "settings.backup"));
    audit_files::path_field(
        ui,
        lang,
        &tr!(lang, "settings.backup_path"),
        &mut state.backup.backup_path,
        &mut state.files,
        "backup",
        Dialog::Save,
    );
    if ui
        .add_enabled(
            !state.tasks.busy() && !state.backup.backup_path.trim().is_empty(),
            egui::Button::new(tr!(lang, "settings.backup_now")),
        )
        .clicked()
    {
        let path = PathBuf::from(state.backup.backup_path.trim());
        state.change(ui.ctx(), cx, move |b, s| {
            let (entries, punches) = b.backup(s, &path)?;
            Ok(Notice::BackedUp {
                path: path.display().to_string(),
                entries,
                punches,
            })
        });
    }
    ui.add_space(6.0);
    ui.strong(tr!(lang, "settings.restore"));
    ui.label(tr!(lang, "settings.restore_hint"));
    audit_files::path_field(
        ui,
        lang,
        &tr!(lang, "settings.restore_path"),
        &mut state.backup.restore_path,
        &mut state.files,
        "restore",
        Dialog::Open,
    );
    if ui
        .add_enabled(
            !state.tasks.busy() && !state.backup.restore_path.trim().is_empty(),
            egui::Button::new(tr!(lang, "settings.restore_button")),
        )
        .clicked()
    {
        state.backup.password.clear();
        state.backup.confirm = Some(Confirm::Plain);
    }
    if let Some(e) = &state.backup.error {
        widgets::error_box(ui, lang, e);
    }
    if state.backup.refused.is_some() {
        refusal(ui, cx, state);
    }
}

/// Why the backup was not restored; the administrator's override (reason required).
fn refusal(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    let busy = state.tasks.busy();
    let b = &mut state.backup;
    let Some(r) = &b.refused else {
        return;
    };
    let mut ask = false;
    let error = ui.visuals().error_fg_color;
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(1.5, error))
        .show(ui, |ui| {
            ui.colored_label(
                error,
                egui::RichText::new(tr!(lang, "settings.restore_refused_title")).strong(),
            );
            ui.label(tr!(
                lang,
                "settings.restore_refused_text",
                path = r.path.as_str()
            ));
            for p in &r.problems {
                ui.colored_label(error, format!("• {p}"));
            }
            ui.label(tr!(lang, "settings.restore_refused_advice"));
            ui.add_space(4.0);
            // The service checks the permission; this only spares others a control they cannot use.
            if cx.who.role != Role::Admin {
                ui.label(tr!(lang, "settings.override_admin_only"));
                return;
            }
            ui.strong(tr!(lang, "settings.override_heading"));
            ui.label(tr!(lang, "settings.override_hint"));
            let l = ui.label(tr!(lang, "settings.override_reason"));
            ui.add(
                egui::TextEdit::multiline(&mut b.reason)
                    .desired_rows(2)
                    .desired_width(420.0),
            )
            .labelled_by(l.id);
            ask = ui
                .add_enabled(
                    !busy && !b.reason.trim().is_empty(),
                    egui::Button::new(tr!(lang, "settings.override_button")),
                )
                .clicked();
        });
    if ask {
        b.password.clear();
        b.confirm = Some(Confirm::Override);
    }
}

/// The password again, for a restore or its override.
fn confirm_dialog(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State, mode: Confirm) {
    let lang = cx.lang;
    let busy = state.tasks.busy();
    let b = &mut state.backup;
    let (path, reason) = match (mode, &b.refused) {
        (Confirm::Override, Some(r)) => (r.path.clone(), Some(b.reason.trim().to_string())),
        (Confirm::Override, None) => {
            // Nothing refused to override (cannot happen: the button needs a refusal).
            b.confirm = None;
            return;
        }
        (Confirm::Plain, _) => (b.restore_path.trim().to_string(), None),
    };
    let mut confirm = false;
    let mut cancel = false;
    egui::Modal::new(egui::Id::unique("restore-confirm")).show(ui.ctx(), |ui| {
        ui.set_max_width(480.0);
        match &reason {
            None => {
                ui.heading(tr!(lang, "settings.restore_confirm_title"));
                ui.label(tr!(
                    lang,
                    "settings.restore_confirm_text",
                    path = path.as_str()
                ));
            }
            Some(reason) => {
                ui.heading(tr!(lang, "settings.override_confirm_title"));
                ui.label(tr!(
                    lang,
                    "settings.override_confirm_text",
                    path = path.as_str(),
                    reason = reason.as_str()
                ));
            }
        }
        let l = ui.label(tr!(lang, "settings.restore_password"));
        let r = ui
            .add(egui::TextEdit::singleline(&mut b.password).password(true))
            .labelled_by(l.id);
        confirm |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let key = match mode {
            Confirm::Plain => "settings.restore_confirm",
            Confirm::Override => "settings.override_confirm",
        };
        ui.horizontal(|ui| {
            confirm |= ui
                .add_enabled(
                    !b.password.is_empty() && !busy,
                    egui::Button::new(tr!(lang, key)),
                )
                .clicked();
            cancel = ui.button(tr!(lang, "settings.cancel")).clicked();
        });
    });
    if cancel {
        b.confirm = None;
    }
    if confirm && !b.password.is_empty() && !busy {
        b.confirm = None;
        b.error = None;
        if mode == Confirm::Plain {
            // A new attempt: the earlier refusal no longer describes what is being restored.
            b.refused = None;
        }
        b.pending = Some(path.clone());
        let (be, s) = (cx.backend.clone(), cx.session.clone());
        let password = std::mem::take(&mut b.password);
        let from = PathBuf::from(path);
        state.tasks.spawn(ui.ctx(), "restore", move || {
            Msg::Restored(be.restore(&s, &password, &from, reason.as_deref()))
        });
    }
}

fn done_dialog(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, b: &mut BackupState) {
    let lang = cx.lang;
    let Some(done) = &b.done else {
        return;
    };
    let mut ok = false;
    egui::Modal::new(egui::Id::unique("restore-done")).show(ui.ctx(), |ui| {
        ui.set_max_width(480.0);
        ui.heading(tr!(lang, "settings.restore_done_title"));
        if !done.unverified.is_empty() {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                tr!(lang, "settings.restore_done_overridden"),
            );
        }
        if !done.reinstated.is_empty() {
            ui.label(tr!(
                lang,
                "settings.restore_reinstated",
                list = done.reinstated.join(", ").as_str()
            ));
        }
        if let Some(k) = &done.kept_aside {
            ui.label(tr!(lang, "settings.restore_kept", path = k.as_str()));
        }
        ui.label(tr!(lang, "settings.restore_sign_in_again"));
        ok = ui.button(tr!(lang, "settings.sign_in_again")).clicked();
    });
    if ok {
        b.done = None;
        cx.sign_out = true;
    }
}
