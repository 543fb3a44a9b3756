//! A path text field with a "Save as…" / "Open…" / "Choose folder…" button (rfd on a worker
//! thread: the native dialog may be unavailable, e.g. without an xdg portal, and the field always
//! works). Used by the Audit and Settings pages.

use std::path::PathBuf;

use crate::i18n::Lang;

use super::super::tasks::Tasks;

/// Which dialog the button opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialog {
    Save,
    Open,
    /// A directory (the evidence check's backup directory).
    Folder,
}

/// A file picked for the field named `field`.
pub(crate) struct Picked {
    pub field: &'static str,
    pub path: Option<PathBuf>,
}

/// Opens the native dialog on a worker thread; the result arrives through `tasks`.
pub(crate) fn pick(
    ctx: &egui::Context,
    tasks: &mut Tasks<Picked>,
    field: &'static str,
    dialog: Dialog,
    current: &str,
) {
    let current = PathBuf::from(current);
    tasks.spawn(ctx, "file-dialog", move || {
        let mut d = rfd::FileDialog::new();
        if let Some(dir) = current.parent().filter(|p| p.is_dir()) {
            d = d.set_directory(dir);
        }
        if let Some(name) = current.file_name() {
            d = d.set_file_name(name.to_string_lossy());
        }
        let path = match dialog {
            Dialog::Save => d.save_file(),
            Dialog::Open => d.pick_file(),
            Dialog::Folder => d.pick_folder(),
        };
        Picked { field, path }
    });
}

/// Label, path field (labelled for screen readers and tests) and the dialog button.
pub(crate) fn path_field(
    ui: &mut egui::Ui,
    lang: Lang,
    label: &str,
    value: &mut String,
    tasks: &mut Tasks<Picked>,
    field: &'static str,
    dialog: Dialog,
) {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(egui::TextEdit::singleline(value).desired_width(420.0))
            .labelled_by(l.id);
        let key = match dialog {
            Dialog::Save => "audit.save_as",
            Dialog::Open => "audit.open_file",
            Dialog::Folder => "audit.choose_folder",
        };
        if ui
            .add_enabled(!tasks.busy(), egui::Button::new(tr!(lang, key)))
            .clicked()
        {
            pick(ui.ctx(), tasks, field, dialog, value);
        }
    });
}

/// A default file path in the user's data directory, stamped with `now` (the backend's clock).
pub(crate) fn default_path(
    dir: &std::path::Path,
    stem: &str,
    ext: &str,
    now: chrono::NaiveDateTime,
) -> String {
    let stamp = now.format("%Y%m%d-%H%M");
    dir.join(format!("{stem}-{stamp}.{ext}"))
        .display()
        .to_string()
}
