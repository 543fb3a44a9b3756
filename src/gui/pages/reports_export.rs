//! The Reports page's export rows: an Excel file path and a CSV folder, each with a "Save as…"
//! button (the system dialog through rfd, on a worker: a dialog may be unavailable, so the path
//! field is the way that always works) and the export button calling `Backend::export_month`.
//! Presentation only.

use std::path::PathBuf;
use std::sync::Arc;

use kaoqin_domain::Month;

use crate::app::reports::ExportTarget;
use crate::gui::backend::reports::export_file_name;
use crate::gui::model::UiError;
use crate::gui::tasks::Tasks;
use crate::gui::widgets;

use super::PageCtx;
use super::reports::Msg;

/// What an export job reports.
pub(crate) enum ExportMsg {
    Picked { csv: bool, path: Option<PathBuf> },
    Done(Result<Vec<PathBuf>, UiError>),
}

/// The export form.
#[derive(Default)]
pub(crate) struct ExportForm {
    xlsx: String,
    csv: String,
    /// The (month, department) the default paths were made for.
    defaults_for: Option<(Month, Option<String>)>,
    running: bool,
    picking: bool,
    no_dialog: bool,
    result: Option<Result<Vec<PathBuf>, UiError>>,
}

impl ExportForm {
    pub(crate) fn receive(&mut self, msg: ExportMsg) {
        match msg {
            ExportMsg::Picked { csv, path } => {
                self.picking = false;
                match path {
                    Some(p) => {
                        let text = p.display().to_string();
                        if csv {
                            self.csv = text;
                        } else {
                            self.xlsx = text;
                        }
                        self.no_dialog = false;
                    }
                    None => self.no_dialog = true,
                }
            }
            ExportMsg::Done(r) => {
                self.running = false;
                self.result = Some(r);
            }
        }
    }

    pub(crate) fn show(
        &mut self,
        ui: &mut egui::Ui,
        cx: &PageCtx<'_>,
        tasks: &mut Tasks<Msg>,
        month: Month,
        department: Option<&str>,
    ) {
        let lang = cx.lang;
        let key = (month, department.map(str::to_owned));
        if self.defaults_for.as_ref() != Some(&key) {
            let dir = cx.backend.export_dir();
            self.xlsx = dir
                .join(export_file_name(&month.to_string(), department, false))
                .display()
                .to_string();
            self.csv = dir
                .join(export_file_name(&month.to_string(), department, true))
                .display()
                .to_string();
            self.defaults_for = Some(key);
            self.result = None;
        }
        let busy = self.running || self.picking;
        let mut go: Option<ExportTarget> = None;
        egui::CollapsingHeader::new(tr!(lang, "reports.export_heading"))
            .id_salt("reports-export")
            .default_open(true)
            .show(ui, |ui| {
                for csv in [false, true] {
                    ui.horizontal(|ui| {
                        let (label, field) = if csv {
                            (tr!(lang, "reports.csv_path"), &mut self.csv)
                        } else {
                            (tr!(lang, "reports.xlsx_path"), &mut self.xlsx)
                        };
                        let l = ui.add_sized([90.0, 20.0], egui::Label::new(label));
                        let resp = ui
                            .add_sized(
                                [520.0, 20.0],
                                egui::TextEdit::singleline(field).desired_width(520.0),
                            )
                            .labelled_by(l.id);
                        let enter =
                            resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                        let pick_key = if csv {
                            "reports.choose_folder"
                        } else {
                            "reports.save_as"
                        };
                        if ui
                            .add_enabled(!busy, egui::Button::new(tr!(lang, pick_key)))
                            .clicked()
                        {
                            self.picking = true;
                            let current = PathBuf::from(field.trim());
                            tasks.spawn(ui.ctx(), "reports-dialog", move || {
                                Msg::Export(ExportMsg::Picked {
                                    csv,
                                    path: pick(&current, csv),
                                })
                            });
                        }
                        let export_key = if csv {
                            "reports.export_csv"
                        } else {
                            "reports.export_xlsx"
                        };
                        let path = field.trim();
                        let clicked = ui
                            .add_enabled(
                                !busy && !path.is_empty(),
                                egui::Button::new(tr!(lang, export_key)),
                            )
                            .clicked();
                        if (clicked || enter) && !busy && !path.is_empty() {
                            go = Some(if csv {
                                ExportTarget::CsvDir(PathBuf::from(path))
                            } else {
                                ExportTarget::Xlsx(PathBuf::from(path))
                            });
                        }
                    });
                }
                if self.running {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(tr!(lang, "reports.exporting"));
                    });
                }
                if self.no_dialog {
                    ui.label(egui::RichText::new(tr!(lang, "reports.no_dialog")).weak());
                }
                match &self.result {
                    Some(Ok(files)) => saved(ui, lang, files),
                    Some(Err(e)) => widgets::error_box(ui, lang, e),
                    None => {}
                }
            });
        if let Some(target) = go {
            self.running = true;
            self.result = None;
            let (backend, session) = (Arc::clone(cx.backend), Arc::clone(cx.session));
            let department = department.map(str::to_owned);
            tasks.spawn(ui.ctx(), "reports-export", move || {
                Msg::Export(ExportMsg::Done(
                    backend.export_month(&session, month, department, target, lang),
                ))
            });
        }
    }
}

/// The files written and a link to their folder.
fn saved(ui: &mut egui::Ui, lang: crate::i18n::Lang, files: &[PathBuf]) {
    let Some(first) = files.first() else { return };
    let shown = if files.len() == 1 {
        first.display().to_string()
    } else {
        first
            .parent()
            .map_or_else(|| first.display().to_string(), |p| p.display().to_string())
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(tr!(
            lang,
            "reports.saved",
            count = files.len(),
            path = shown.as_str()
        ));
        if let Some(dir) = first.parent() {
            ui.hyperlink_to(
                tr!(lang, "reports.open_folder"),
                format!("file://{}", dir.display()),
            );
        }
    });
}

/// The system's save / folder dialog (blocking: runs on a worker). `None` when cancelled or when
/// no dialog is available (e.g. no desktop portal).
fn pick(current: &std::path::Path, csv: bool) -> Option<PathBuf> {
    let mut dialog = rfd::FileDialog::new();
    if let Some(dir) = current.parent().filter(|d| d.is_dir()) {
        dialog = dialog.set_directory(dir);
    }
    if csv {
        dialog.pick_folder()
    } else {
        if let Some(name) = current.file_name() {
            dialog = dialog.set_file_name(name.to_string_lossy());
        }
        dialog.add_filter("Excel", &["xlsx"]).save_file()
    }
}
