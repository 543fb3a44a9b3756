//! The calendar tab's Excel import (docs/domain.md §5: offices add local days), in two steps so nothing
//! is stored unseen: "Check file" runs `kaoqin import calendar` as a dry run and shows every problem
//! (row, field, value, problem) and how many rows are valid; "Import N valid rows" then stores
//! them, skipping the invalid ones into an error workbook. Also "Save template".
//!
//! Draws and asks; the import service validates, audits and stores. Must not parse the file.

use std::path::PathBuf;
use std::sync::Arc;

use crate::i18n::Lang;

use super::super::backend::employees::ImportDone;
use super::super::backend::schedules::CalendarImportCheck;
use super::super::backend::{Backend, UserSession};
use super::super::model::UiError;
use super::super::tasks::Tasks;
use super::super::widgets;
use super::audit_files::{self, Dialog, Picked};
use super::employees_import::problems_table;
use super::schedules::Msg;

/// What an import job reports.
pub(crate) enum ImportMsg {
    Checked(Result<CalendarImportCheck, UiError>),
    Done(Result<ImportDone, UiError>),
    Template(Result<PathBuf, UiError>),
}

#[derive(Default)]
pub(crate) struct CalendarImport {
    path: String,
    template_path: String,
    files: Tasks<Picked>,
    check: Option<CalendarImportCheck>,
    done: Option<ImportDone>,
    template_saved: Option<PathBuf>,
    error: Option<UiError>,
}

impl CalendarImport {
    /// Handles a job's result; true when days were imported (reload the month).
    pub(crate) fn on_msg(&mut self, m: ImportMsg) -> bool {
        match m {
            ImportMsg::Checked(Ok(c)) => {
                self.check = Some(c);
                self.done = None;
                self.error = None;
            }
            ImportMsg::Done(Ok(d)) => {
                self.check = None;
                self.done = Some(d);
                self.error = None;
                return true;
            }
            ImportMsg::Template(Ok(p)) => {
                self.template_saved = Some(p);
                self.error = None;
            }
            ImportMsg::Checked(Err(e)) | ImportMsg::Done(Err(e)) | ImportMsg::Template(Err(e)) => {
                self.error = Some(e)
            }
        }
        false
    }

    pub(crate) fn show(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        backend: &Arc<Backend>,
        session: &Arc<UserSession>,
        tasks: &mut Tasks<Msg>,
    ) {
        for p in self.files.poll() {
            if let Some(path) = p.path {
                let path = path.display().to_string();
                match p.field {
                    "template" => self.template_path = path,
                    _ => {
                        self.path = path;
                        self.check = None;
                        self.done = None;
                    }
                }
            }
        }
        if self.template_path.is_empty() {
            self.template_path = backend
                .import_dir()
                .join(tr!(lang, "schedules.cal_template_file"))
                .display()
                .to_string();
        }
        let busy = tasks.busy();
        egui::CollapsingHeader::new(tr!(lang, "schedules.cal_import"))
            .id_salt("calendar-import")
            .default_open(false)
            .show(ui, |ui| {
                ui.label(tr!(lang, "schedules.cal_import_hint"));
                audit_files::path_field(
                    ui,
                    lang,
                    &tr!(lang, "schedules.cal_import_file"),
                    &mut self.path,
                    &mut self.files,
                    "file",
                    Dialog::Open,
                );
                let file = PathBuf::from(self.path.trim());
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(
                            !busy && !self.path.trim().is_empty(),
                            egui::Button::new(tr!(lang, "schedules.cal_import_check")),
                        )
                        .clicked()
                    {
                        let (b, s, f) = (Arc::clone(backend), Arc::clone(session), file.clone());
                        tasks.spawn(ui.ctx(), "calendar-check", move || {
                            Msg::Import(ImportMsg::Checked(b.check_calendar_file(&s, &f)))
                        });
                    }
                    let valid = self
                        .check
                        .as_ref()
                        .filter(|c| c.file == file)
                        .map_or(0, |c| c.valid);
                    // Before a check there is no count to promise.
                    let label = if valid > 0 {
                        tr!(lang, "schedules.cal_import_go", count = valid)
                    } else {
                        tr!(lang, "schedules.cal_import_go_unchecked")
                    };
                    if ui
                        .add_enabled(!busy && valid > 0, egui::Button::new(label))
                        .clicked()
                    {
                        let (b, s, f) = (Arc::clone(backend), Arc::clone(session), file.clone());
                        tasks.spawn(ui.ctx(), "calendar-import", move || {
                            Msg::Import(ImportMsg::Done(b.import_calendar_file(&s, &f)))
                        });
                    }
                });
                if let Some(e) = &self.error {
                    widgets::error_box(ui, lang, e);
                }
                if let Some(c) = &self.check {
                    ui.label(tr!(
                        lang,
                        "schedules.cal_import_checked",
                        valid = c.valid,
                        rejected = c.rejected
                    ));
                    if !c.problems.is_empty() {
                        problems_table(ui, lang, "calendar-problems", &c.problems);
                    }
                }
                if let Some(d) = &self.done {
                    ui.colored_label(
                        egui::Color32::from_rgb(0x2e, 0x9d, 0x4f),
                        tr!(
                            lang,
                            "schedules.cal_import_done",
                            imported = d.imported,
                            rejected = d.rejected
                        ),
                    );
                    if let Some(w) = &d.error_workbook {
                        ui.label(tr!(
                            lang,
                            "schedules.cal_import_errors_at",
                            path = w.display().to_string()
                        ));
                    }
                }
                ui.separator();
                audit_files::path_field(
                    ui,
                    lang,
                    &tr!(lang, "schedules.cal_template_path"),
                    &mut self.template_path,
                    &mut self.files,
                    "template",
                    Dialog::Save,
                );
                if ui
                    .add_enabled(
                        !busy && !self.template_path.trim().is_empty(),
                        egui::Button::new(tr!(lang, "schedules.cal_template_save")),
                    )
                    .clicked()
                {
                    let (b, s) = (Arc::clone(backend), Arc::clone(session));
                    let path = PathBuf::from(self.template_path.trim());
                    tasks.spawn(ui.ctx(), "calendar-template", move || {
                        Msg::Import(ImportMsg::Template(
                            b.write_calendar_template(&s, &path, lang).map(|()| path),
                        ))
                    });
                }
                if let Some(p) = &self.template_saved {
                    ui.label(tr!(
                        lang,
                        "schedules.cal_template_saved",
                        path = p.display().to_string()
                    ));
                }
            });
    }
}
