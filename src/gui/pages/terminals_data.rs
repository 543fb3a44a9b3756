//! The selected terminal's stored data: its findings (clock changes, non-face verification…) with
//! "mark explained" (the supervisor: `change_rules`), and the raw punches. The punches are loaded
//! once per filter on a worker thread into a `Vec`; the table lays out only the visible rows, so
//! a million punches scroll like twenty and nothing is cloned per frame.

use std::sync::Arc;

use crate::app::permissions::{Action, Role, allowed};
use crate::i18n::Lang;

use super::super::backend::terminals::{FindingRow, PunchRow};
use super::super::backend::{Backend, UserSession};
use super::super::model::UiError;
use super::super::tasks::Tasks;
use super::super::widgets;
use super::terminals::Msg;
use kaoqin_domain::timefmt::{fmt_datetime_secs, parse_opt_date};

pub(crate) enum DataMsg {
    Findings(String, Result<Vec<FindingRow>, UiError>),
    Explained(Result<(), UiError>),
    Punches(String, Result<Vec<PunchRow>, UiError>),
}

#[derive(Default)]
pub(crate) struct DataState {
    /// Findings of this terminal (name), loaded.
    findings_of: Option<String>,
    findings: Vec<FindingRow>,
    findings_error: Option<UiError>,
    selected_finding: Option<i64>,
    note: String,
    explain_notice: Option<Result<(), UiError>>,
    /// Punches of this terminal (name) with the filter they were loaded with.
    punches_of: Option<String>,
    punches: Vec<PunchRow>,
    punches_error: Option<UiError>,
    loading_punches: bool,
    loading_findings: bool,
    employee: String,
    from: String,
    to: String,
    filter_problem: Option<&'static str>,
}

/// A verification mode in words (ZK numbers, as `domain::report::verify_name_zh`).
pub(crate) fn verify_key(mode: i64) -> &'static str {
    match mode {
        15 | 16 => "terminals.verify_face",
        1 => "terminals.verify_fingerprint",
        0 | 3 => "terminals.verify_password",
        2 | 4 => "terminals.verify_card",
        _ => "terminals.verify_other",
    }
}

impl DataState {
    pub(crate) fn on_msg(&mut self, m: DataMsg) {
        match m {
            DataMsg::Findings(t, r) => {
                self.loading_findings = false;
                self.findings_of = Some(t);
                match r {
                    Ok(f) => {
                        self.findings = f;
                        self.findings_error = None;
                    }
                    Err(e) => {
                        self.findings.clear();
                        self.findings_error = Some(e);
                    }
                }
            }
            DataMsg::Explained(r) => {
                if r.is_ok() {
                    self.note.clear();
                    self.selected_finding = None;
                    self.findings_of = None;
                }
                self.explain_notice = Some(r);
            }
            DataMsg::Punches(t, r) => {
                self.loading_punches = false;
                self.punches_of = Some(t);
                match r {
                    Ok(p) => {
                        self.punches = p;
                        self.punches_error = None;
                    }
                    Err(e) => {
                        self.punches = Vec::new();
                        self.punches_error = Some(e);
                    }
                }
            }
        }
    }

    /// Data changed (a download finished): reload on next show.
    pub(crate) fn invalidate(&mut self) {
        self.findings_of = None;
        self.punches_of = None;
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn show_findings(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        role: Role,
        terminal: &str,
        backend: &Arc<Backend>,
        session: &Arc<UserSession>,
        tasks: &mut Tasks<Msg>,
    ) {
        if self.findings_of.as_deref() != Some(terminal) && !self.loading_findings {
            self.loading_findings = true;
            self.selected_finding = None;
            let (b, s, t) = (backend.clone(), session.clone(), terminal.to_owned());
            tasks.spawn(ui.ctx(), "findings", move || {
                let r = b.findings(&s, &t);
                Msg::Data(DataMsg::Findings(t, r))
            });
        }
        if self.loading_findings {
            ui.add(egui::Spinner::new());
            return;
        }
        if let Some(e) = &self.findings_error {
            widgets::error_box(ui, lang, e);
            return;
        }
        let open = self
            .findings
            .iter()
            .filter(|f| f.explained.is_none())
            .count();
        ui.label(tr!(
            lang,
            "terminals.findings_count",
            open = open,
            total = self.findings.len()
        ));
        if self.findings.is_empty() {
            ui.label(tr!(lang, "terminals.findings_empty"));
            return;
        }
        let may_explain = allowed(role, Action::ChangeRules);
        if may_explain {
            self.explain_form(ui, lang, backend, session, tasks);
        } else {
            ui.small(tr!(lang, "terminals.explain_supervisor_only"));
        }
        let headers = [
            tr!(lang, "terminals.finding_id"),
            tr!(lang, "terminals.finding_time"),
            tr!(lang, "terminals.finding_kind"),
            tr!(lang, "terminals.finding_session"),
            tr!(lang, "terminals.finding_status"),
            tr!(lang, "terminals.finding_details"),
        ];
        let rows = &self.findings;
        let mut selected = self.selected_finding;
        let open_text = tr!(lang, "terminals.finding_open");
        let h = ui.available_height().max(120.0);
        super::employees_import::small_table(
            ui,
            "findings",
            &headers,
            rows.len(),
            h,
            |ui, r, c| {
                let Some(f) = rows.get(r) else { return };
                match c {
                    0 => {
                        let text = format!("#{}", f.id);
                        if may_explain && f.explained.is_none() {
                            if ui.selectable_label(selected == Some(f.id), text).clicked() {
                                selected = Some(f.id);
                            }
                        } else {
                            ui.label(text);
                        }
                    }
                    1 => {
                        ui.label(&f.found_at);
                    }
                    2 => {
                        ui.label(&f.kind);
                    }
                    3 => {
                        ui.label(f.session.map(|s| format!("#{s}")).unwrap_or_default());
                    }
                    4 => match &f.explained {
                        None => {
                            ui.colored_label(ui.visuals().warn_fg_color, &open_text);
                        }
                        Some(e) => {
                            ui.label(tr!(lang, "terminals.finding_explained", note = e));
                        }
                    },
                    _ => {
                        ui.label(&f.details);
                    }
                }
            },
        );
        self.selected_finding = selected;
    }

    fn explain_form(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        backend: &Arc<Backend>,
        session: &Arc<UserSession>,
        tasks: &mut Tasks<Msg>,
    ) {
        let busy = tasks.busy();
        ui.horizontal(|ui| {
            let l = ui.label(match self.selected_finding {
                Some(id) => tr!(lang, "terminals.explain_note_for", id = id),
                None => tr!(lang, "terminals.explain_pick"),
            });
            ui.add_enabled(
                self.selected_finding.is_some(),
                egui::TextEdit::singleline(&mut self.note)
                    .hint_text(tr!(lang, "terminals.explain_hint"))
                    .desired_width(320.0),
            )
            .labelled_by(l.id);
            let can = !busy && self.selected_finding.is_some() && !self.note.trim().is_empty();
            let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui
                .add_enabled(can, egui::Button::new(tr!(lang, "terminals.explain")))
                .clicked()
                || (enter && can))
                && let Some(id) = self.selected_finding
            {
                let note = self.note.trim().to_owned();
                let (b, s) = (backend.clone(), session.clone());
                tasks.spawn(ui.ctx(), "explain", move || {
                    Msg::Data(DataMsg::Explained(b.explain_finding(&s, id, &note)))
                });
            }
        });
        match &self.explain_notice {
            Some(Ok(())) => {
                ui.label(tr!(lang, "terminals.explained_ok"));
            }
            Some(Err(e)) => widgets::error_box(ui, lang, e),
            None => {}
        }
    }

    pub(crate) fn show_punches(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        terminal: &str,
        backend: &Arc<Backend>,
        session: &Arc<UserSession>,
        tasks: &mut Tasks<Msg>,
    ) {
        let mut reload = self.punches_of.as_deref() != Some(terminal) && !self.loading_punches;
        ui.horizontal(|ui| {
            for (key, value, width) in [
                ("terminals.filter_employee", &mut self.employee, 90.0),
                ("terminals.filter_from", &mut self.from, 100.0),
                ("terminals.filter_to", &mut self.to, 100.0),
            ] {
                let l = ui.label(tr!(lang, key));
                let r = ui
                    .add(egui::TextEdit::singleline(value).desired_width(width))
                    .labelled_by(l.id);
                if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    reload = true;
                }
            }
            if ui
                .add_enabled(
                    !self.loading_punches,
                    egui::Button::new(tr!(lang, "terminals.filter_apply")),
                )
                .clicked()
            {
                reload = true;
            }
        });
        ui.small(tr!(lang, "terminals.filter_hint"));
        if reload && !self.loading_punches {
            let from = parse_opt_date(&self.from);
            let to = parse_opt_date(&self.to);
            match (from, to) {
                (Ok(from), Ok(to)) => {
                    self.filter_problem = None;
                    self.loading_punches = true;
                    let employee = Some(self.employee.trim().to_owned()).filter(|e| !e.is_empty());
                    let (b, s, t) = (backend.clone(), session.clone(), terminal.to_owned());
                    tasks.spawn(ui.ctx(), "punches", move || {
                        let r = b.punches(&s, &t, employee, from, to);
                        Msg::Data(DataMsg::Punches(t, r))
                    });
                }
                _ => self.filter_problem = Some("terminals.filter_bad_date"),
            }
        }
        if let Some(p) = self.filter_problem {
            ui.colored_label(ui.visuals().error_fg_color, tr!(lang, p));
        }
        if self.loading_punches {
            ui.horizontal(|ui| {
                ui.add(egui::Spinner::new());
                ui.label(tr!(lang, "terminals.punches_loading"));
            });
            return;
        }
        if let Some(e) = &self.punches_error {
            widgets::error_box(ui, lang, e);
            return;
        }
        ui.label(tr!(
            lang,
            "terminals.punches_count",
            count = self.punches.len()
        ));
        if self.punches.is_empty() {
            return;
        }
        let headers = [
            tr!(lang, "terminals.punch_time"),
            tr!(lang, "terminals.punch_employee"),
            tr!(lang, "terminals.punch_verify"),
            tr!(lang, "terminals.punch_state"),
            tr!(lang, "terminals.punch_session"),
        ];
        let rows = &self.punches;
        widgets::table(ui, "punches", &headers, rows.len(), |ui, r, c| {
            let Some(p) = rows.get(r) else { return };
            match c {
                0 => ui.label(fmt_datetime_secs(p.ts)),
                1 => ui.label(&p.enrollment_no),
                2 => ui.label(tr!(lang, verify_key(p.verify_mode))),
                3 => ui.label(p.in_out_state.to_string()),
                _ => ui.label(format!("#{}", p.session_id)),
            };
        });
    }
}
