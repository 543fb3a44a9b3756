//! The Employees page's Excel import, in two steps so nothing is committed unseen: "Check file"
//! runs the import service as a dry run and shows the validation report (row, field, value,
//! problem) and the rows that would be added; "Import N valid rows" then commits them, skipping
//! the invalid ones like `kaoqin import employees --skip-invalid`. Also "Save template".
//! The file is picked with the native dialog (rfd) when one is available, or typed.

use std::path::PathBuf;
use std::sync::Arc;

use crate::i18n::Lang;

use super::super::backend::employees::{ImportDone, ImportPreview, ImportProblemRow};
use super::super::backend::{Backend, UserSession};
use super::super::model::UiError;
use super::super::tasks::Tasks;
use super::super::widgets;
use super::employees::Msg;

/// What an import job reports.
pub(crate) enum ImportMsg {
    Picked(Option<PathBuf>),
    PickedTemplate(Option<PathBuf>),
    Preview(Result<ImportPreview, UiError>),
    Done(Result<ImportDone, UiError>),
    Template(Result<PathBuf, UiError>),
}

#[derive(Default)]
pub(crate) struct ImportState {
    path: String,
    template_path: String,
    preview: Option<ImportPreview>,
    done: Option<ImportDone>,
    error: Option<UiError>,
    template_saved: Option<PathBuf>,
}

/// A table of at most `max_height` points with only the visible rows laid out.
pub(crate) fn small_table(
    ui: &mut egui::Ui,
    id: &str,
    headers: &[String],
    rows: usize,
    max_height: f32,
    mut cell: impl FnMut(&mut egui::Ui, usize, usize),
) {
    use egui_extras::{Column, TableBuilder};
    ui.push_id(id, |ui| {
        let mut builder = TableBuilder::new(ui)
            .id_salt(id)
            .striped(true)
            .resizable(true)
            .vscroll(true)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .min_scrolled_height(0.0)
            .max_scroll_height(max_height);
        for i in 0..headers.len() {
            builder = if i + 1 == headers.len() {
                builder.column(Column::remainder().at_least(60.0))
            } else {
                builder.column(Column::auto().at_least(50.0).resizable(true))
            };
        }
        builder
            .header(22.0, |mut header| {
                for h in headers {
                    header.col(|ui| {
                        ui.strong(h);
                    });
                }
            })
            .body(|body| {
                body.rows(20.0, rows, |mut row| {
                    let r = row.index();
                    for c in 0..headers.len() {
                        row.col(|ui| cell(ui, r, c));
                    }
                });
            });
    });
}

/// An import's problems (row, error or warning, field, value, what is wrong), as the
/// employees and calendar imports show them before anything is stored.
pub(crate) fn problems_table(
    ui: &mut egui::Ui,
    lang: Lang,
    id: &str,
    problems: &[ImportProblemRow],
) {
    let headers = [
        tr!(lang, "employees.problem_row"),
        tr!(lang, "employees.problem_level"),
        tr!(lang, "employees.problem_field"),
        tr!(lang, "employees.problem_value"),
        tr!(lang, "employees.problem_text"),
    ];
    let (err, warn) = (
        tr!(lang, "employees.problem_error"),
        tr!(lang, "employees.problem_warning"),
    );
    small_table(ui, id, &headers, problems.len(), 140.0, |ui, r, c| {
        let Some(x) = problems.get(r) else { return };
        match c {
            0 => {
                ui.label(x.row.to_string());
            }
            1 => {
                if x.error {
                    ui.colored_label(ui.visuals().error_fg_color, &err);
                } else {
                    ui.colored_label(ui.visuals().warn_fg_color, &warn);
                }
            }
            2 => {
                ui.label(&x.field);
            }
            3 => {
                ui.label(&x.value);
            }
            _ => {
                ui.label(&x.problem);
            }
        }
    });
}

impl ImportState {
    /// Handles a job's result; true when employees were imported (reload the lists).
    pub(crate) fn on_msg(&mut self, m: ImportMsg) -> bool {
        match m {
            ImportMsg::Picked(Some(p)) => {
                self.path = p.display().to_string();
                self.preview = None;
                self.done = None;
            }
            ImportMsg::PickedTemplate(Some(p)) => self.template_path = p.display().to_string(),
            ImportMsg::Picked(None) | ImportMsg::PickedTemplate(None) => {}
            ImportMsg::Preview(r) => match r {
                Ok(p) => {
                    self.preview = Some(p);
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            },
            ImportMsg::Done(r) => match r {
                Ok(d) => {
                    self.preview = None;
                    self.done = Some(d);
                    self.error = None;
                    return true;
                }
                Err(e) => self.error = Some(e),
            },
            ImportMsg::Template(r) => match r {
                Ok(p) => {
                    self.template_saved = Some(p);
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            },
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
        if self.template_path.is_empty() {
            self.template_path = backend
                .import_dir()
                .join(tr!(lang, "employees.template_file"))
                .display()
                .to_string();
        }
        let busy = tasks.busy();
        egui::CollapsingHeader::new(tr!(lang, "employees.import"))
            .id_salt("employees-import")
            .default_open(false)
            .show(ui, |ui| {
                ui.label(tr!(lang, "employees.import_intro"));
                ui.horizontal(|ui| {
                    let l = ui.label(tr!(lang, "employees.import_file"));
                    ui.add(
                        egui::TextEdit::singleline(&mut self.path)
                            .hint_text(tr!(lang, "employees.import_file_hint"))
                            .desired_width(380.0),
                    )
                    .labelled_by(l.id);
                    if ui
                        .add_enabled(!busy, egui::Button::new(tr!(lang, "employees.choose_file")))
                        .clicked()
                    {
                        let dir = backend.import_dir();
                        tasks.spawn(ui.ctx(), "pick-import", move || {
                            let picked = rfd::FileDialog::new()
                                .add_filter("Excel / CSV", &["xlsx", "xls", "ods", "csv"])
                                .set_directory(dir)
                                .pick_file();
                            Msg::Import(ImportMsg::Picked(picked))
                        });
                    }
                    let can_check = !busy && !self.path.trim().is_empty();
                    if ui
                        .add_enabled(
                            can_check,
                            egui::Button::new(tr!(lang, "employees.check_file")),
                        )
                        .clicked()
                    {
                        self.done = None;
                        self.preview = None;
                        self.error = None;
                        let path = PathBuf::from(self.path.trim());
                        let (b, s) = (backend.clone(), session.clone());
                        tasks.spawn(ui.ctx(), "import-preview", move || {
                            Msg::Import(ImportMsg::Preview(b.import_preview(&s, &path)))
                        });
                    }
                });
                ui.horizontal(|ui| {
                    let l = ui.label(tr!(lang, "employees.template_path"));
                    ui.add(
                        egui::TextEdit::singleline(&mut self.template_path).desired_width(380.0),
                    )
                    .labelled_by(l.id);
                    if ui
                        .add_enabled(!busy, egui::Button::new(tr!(lang, "employees.save_as")))
                        .clicked()
                    {
                        let dir = backend.import_dir();
                        let name = tr!(lang, "employees.template_file");
                        tasks.spawn(ui.ctx(), "pick-template", move || {
                            let picked = rfd::FileDialog::new()
                                .add_filter("Excel", &["xlsx"])
                                .set_directory(dir)
                                .set_file_name(name)
                                .save_file();
                            Msg::Import(ImportMsg::PickedTemplate(picked))
                        });
                    }
                    if ui
                        .add_enabled(
                            !busy && !self.template_path.trim().is_empty(),
                            egui::Button::new(tr!(lang, "employees.save_template")),
                        )
                        .clicked()
                    {
                        self.template_saved = None;
                        let path = PathBuf::from(self.template_path.trim());
                        let (b, s) = (backend.clone(), session.clone());
                        tasks.spawn(ui.ctx(), "template", move || {
                            let r = b.write_employee_template(&s, &path, lang).map(|()| path);
                            Msg::Import(ImportMsg::Template(r))
                        });
                    }
                });
                if let Some(p) = &self.template_saved {
                    ui.label(tr!(
                        lang,
                        "employees.template_saved",
                        path = p.display().to_string()
                    ));
                }
                if let Some(e) = &self.error {
                    widgets::error_box(ui, lang, e);
                }
                if let Some(d) = &self.done {
                    ui.label(
                        egui::RichText::new(tr!(
                            lang,
                            "employees.import_done",
                            imported = d.imported,
                            rejected = d.rejected
                        ))
                        .color(ui.visuals().hyperlink_color),
                    );
                    if let Some(w) = &d.error_workbook {
                        ui.label(tr!(
                            lang,
                            "employees.import_error_workbook",
                            path = w.display().to_string()
                        ));
                    }
                }
                if let Some(p) = &self.preview {
                    let commit = self.show_preview(ui, lang, p, busy);
                    if commit {
                        let path = p.file.clone();
                        let (b, s) = (backend.clone(), session.clone());
                        tasks.spawn(ui.ctx(), "import-commit", move || {
                            Msg::Import(ImportMsg::Done(b.import_commit(&s, &path)))
                        });
                    }
                }
            });
    }

    /// The dry run's report; true when the user clicks Import.
    fn show_preview(&self, ui: &mut egui::Ui, lang: Lang, p: &ImportPreview, busy: bool) -> bool {
        let mut commit = false;
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.strong(tr!(
                lang,
                "employees.preview_summary",
                valid = p.valid,
                rejected = p.rejected
            ));
            ui.label(tr!(lang, "employees.preview_nothing_yet"));
            if !p.problems.is_empty() {
                ui.label(tr!(lang, "employees.problems", count = p.problems.len()));
                problems_table(ui, lang, "import-problems", &p.problems);
            }
            if !p.rows.is_empty() {
                ui.label(tr!(lang, "employees.rows_to_add", count = p.rows.len()));
                let headers = [
                    tr!(lang, "employees.problem_row"),
                    tr!(lang, "employees.col_no"),
                    tr!(lang, "employees.col_name"),
                    tr!(lang, "employees.col_department"),
                    tr!(lang, "employees.col_position"),
                    tr!(lang, "employees.col_hired"),
                ];
                small_table(
                    ui,
                    "import-rows",
                    &headers,
                    p.rows.len(),
                    160.0,
                    |ui, r, c| {
                        let Some(x) = p.rows.get(r) else { return };
                        let text = match c {
                            0 => x.row.to_string(),
                            1 => x.no.clone(),
                            2 => x.name.clone(),
                            3 => x.department.clone(),
                            4 => x.position.clone(),
                            _ => x.hired.clone(),
                        };
                        ui.label(text);
                    },
                );
            }
            ui.horizontal(|ui| {
                let label = tr!(lang, "employees.import_rows", count = p.valid);
                if ui
                    .add_enabled(!busy && p.valid > 0, egui::Button::new(label))
                    .clicked()
                {
                    commit = true;
                }
                if p.rejected > 0 {
                    ui.small(tr!(lang, "employees.import_skips", count = p.rejected));
                }
            });
        });
        commit
    }
}
