//! The Reports page: month and department pickers, "Run month" for the roles that may run it, the
//! monthly grid with the sheet's symbols (`reports_grid`), the per-employee summary and the charts
//! (`reports_charts`), and the Excel / CSV export (`reports_export`).
//!
//! Must not call services or the store directly: data comes from `Backend` through this page's
//! own jobs; the page only hides what a role may not use.

use std::sync::Arc;
use std::time::Instant;

use crate::app::permissions::{Action, allowed};
use crate::gui::backend::reports::{DayDetail, MonthData, MonthLoad, previous_month, shift_month};
use crate::gui::model::UiError;
use crate::gui::tasks::Tasks;
use crate::gui::widgets;
use crate::i18n::Lang;
use kaoqin_domain::Month;

use super::PageCtx;
use super::reports_export::ExportForm;

/// What a background job of this page reports.
pub(crate) enum Msg {
    Loaded {
        month: Month,
        lang: Lang,
        result: Result<MonthLoad, UiError>,
    },
    Ran {
        month: Month,
        lang: Lang,
        result: Result<Arc<MonthData>, UiError>,
    },
    Export(super::reports_export::ExportMsg),
}

/// Which part of the month is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum View {
    #[default]
    Grid,
    Summary,
    Charts,
}

/// The page's state across frames.
#[derive(Default)]
pub(crate) struct State {
    tasks: Tasks<Msg>,
    started: bool,
    /// The month in the picker as typed (read by `kaoqin_domain::Month`: `2026-03`, `2026-3`, ...).
    month: String,
    /// `None` = every department.
    department: Option<String>,
    view: View,
    /// The month shown, and the language its headings were made in.
    data: Option<Arc<MonthData>>,
    data_lang: Option<Lang>,
    /// The month in `data` (or the one found not run).
    shown_month: Option<Month>,
    not_run: bool,
    /// What runs now: a load or a run, since when.
    working: Option<(Work, Instant)>,
    error: Option<UiError>,
    search: String,
    /// Rows of `data` shown under the department and search filters, and the key they were made for.
    rows: Vec<usize>,
    rows_key: Option<(usize, Option<String>, String)>,
    /// The clicked cell (row of `data.rows`, day index) and its detail.
    selected: Option<(usize, usize)>,
    detail: Option<DayDetail>,
    export: ExportForm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Work {
    Load,
    Run,
}

impl State {
    /// The month in the picker, written back in its `YYYY-MM` form; `None` (with the error shown)
    /// when it is not a month.
    fn picked_month(&mut self) -> Option<Month> {
        match self.month.parse::<Month>() {
            Ok(m) => {
                self.month = m.to_string();
                Some(m)
            }
            Err(e) => {
                self.error = Some(UiError::new("reports.error_bad_month", e.to_string()));
                None
            }
        }
    }

    fn load(&mut self, cx: &PageCtx<'_>, ctx: &egui::Context) {
        let (backend, session) = (Arc::clone(cx.backend), Arc::clone(cx.session));
        let Some(month) = self.picked_month() else {
            return;
        };
        let lang = cx.lang;
        self.error = None;
        self.working = Some((Work::Load, Instant::now()));
        self.tasks.spawn(ctx, "reports-load", move || Msg::Loaded {
            result: backend.month_report(&session, month, lang),
            month,
            lang,
        });
    }

    fn run(&mut self, cx: &PageCtx<'_>, ctx: &egui::Context) {
        let (backend, session) = (Arc::clone(cx.backend), Arc::clone(cx.session));
        let Some(month) = self.picked_month() else {
            return;
        };
        let lang = cx.lang;
        self.error = None;
        self.working = Some((Work::Run, Instant::now()));
        self.tasks.spawn(ctx, "reports-run", move || Msg::Ran {
            result: backend.run_month(&session, month, lang),
            month,
            lang,
        });
    }

    fn show_month(&mut self, month: Month, lang: Lang, data: Option<Arc<MonthData>>) {
        self.not_run = data.is_none();
        self.data = data;
        self.data_lang = Some(lang);
        self.shown_month = Some(month);
        self.rows_key = None;
        self.selected = None;
        self.detail = None;
    }

    fn receive(&mut self, msg: Msg) {
        match msg {
            Msg::Loaded {
                month,
                lang,
                result,
            } => {
                self.working = None;
                match result {
                    Ok(MonthLoad::NotRun) => self.show_month(month, lang, None),
                    Ok(MonthLoad::Ready(d)) => self.show_month(month, lang, Some(d)),
                    Err(e) => self.error = Some(e),
                }
            }
            Msg::Ran {
                month,
                lang,
                result,
            } => {
                self.working = None;
                match result {
                    Ok(d) => self.show_month(month, lang, Some(d)),
                    Err(e) => self.error = Some(e),
                }
            }
            Msg::Export(m) => self.export.receive(m),
        }
    }

    /// Recomputes the shown rows when the data, department or search changed.
    fn refresh_rows(&mut self) {
        let Some(data) = &self.data else {
            self.rows.clear();
            return;
        };
        let key = (
            Arc::as_ptr(data) as usize,
            self.department.clone(),
            self.search.clone(),
        );
        if self.rows_key.as_ref() == Some(&key) {
            return;
        }
        self.rows = data
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| self.department.as_deref().is_none_or(|d| r.department == d))
            .filter(|(_, r)| super::matches(&self.search, &[&r.no, &r.name, &r.department]))
            .map(|(i, _)| i)
            .collect();
        self.rows_key = Some(key);
    }
}

pub(crate) fn show(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    for msg in state.tasks.poll() {
        state.receive(msg);
    }
    let lang = cx.lang;
    if !state.started {
        state.started = true;
        state.month = previous_month(cx.backend.now().date());
        state.load(cx, ui.ctx());
    } else if state.working.is_none()
        && state.data.is_some()
        && state.data_lang.is_some_and(|l| l != lang)
    {
        // Headings are made in the page's language: reload after a language change.
        if let Some(m) = state.shown_month {
            state.month = m.to_string();
        }
        state.load(cx, ui.ctx());
    }
    let may_run = allowed(cx.who.role, Action::RunMonth);
    let may_export = allowed(cx.who.role, Action::ExportReports);

    toolbar(ui, cx, state, may_run);
    if let Some(err) = &state.error {
        widgets::error_box(ui, lang, err);
    }
    state_line(ui, lang, state, may_run);
    if may_export {
        let department = state.department.clone();
        if let Some(month) = state.shown_month {
            state
                .export
                .show(ui, cx, &mut state.tasks, month, department.as_deref());
        }
    }
    let Some(data) = state.data.clone() else {
        return;
    };
    state.refresh_rows();
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        for (v, key) in [
            (View::Grid, "reports.view_grid"),
            (View::Summary, "reports.view_summary"),
            (View::Charts, "reports.view_charts"),
        ] {
            if ui
                .selectable_label(state.view == v, tr!(lang, key))
                .clicked()
            {
                state.view = v;
            }
        }
        ui.separator();
        super::search_box(ui, lang, &mut state.search);
    });
    state.refresh_rows();
    ui.separator();
    match state.view {
        View::Grid => {
            if let Some(clicked) =
                super::reports_grid::grid(ui, lang, &data, &state.rows, state.selected)
            {
                state.selected = Some(clicked);
                state.detail = data.detail(clicked.0, clicked.1, lang);
            }
        }
        View::Summary => super::reports_charts::summary(ui, lang, &data, &state.rows),
        View::Charts => super::reports_charts::charts(ui, lang, &data, state.department.as_deref()),
    }
    if let Some(detail) = &state.detail {
        let mut open = true;
        super::reports_grid::detail_window(ui.ctx(), lang, cx.lists, detail, &mut open);
        if !open {
            state.detail = None;
            state.selected = None;
        }
    }
}

/// Month and department pickers, Load and Run.
fn toolbar(ui: &mut egui::Ui, cx: &PageCtx<'_>, state: &mut State, may_run: bool) {
    let lang = cx.lang;
    let busy = state.working.is_some();
    let mut load = false;
    ui.horizontal(|ui| {
        let l = ui.label(tr!(lang, "reports.month"));
        if ui
            .add_enabled(!busy, egui::Button::new(tr!(lang, "reports.prev_month")))
            .clicked()
            && let Some(m) = shift_month(&state.month, -1)
        {
            state.month = m;
            load = true;
        }
        let resp = ui
            .add(
                egui::TextEdit::singleline(&mut state.month)
                    .hint_text("YYYY-MM")
                    .desired_width(80.0),
            )
            .labelled_by(l.id);
        if resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            load = true;
        }
        if ui
            .add_enabled(!busy, egui::Button::new(tr!(lang, "reports.next_month")))
            .clicked()
            && let Some(m) = shift_month(&state.month, 1)
        {
            state.month = m;
            load = true;
        }
        if ui
            .add_enabled(!busy, egui::Button::new(tr!(lang, "reports.show")))
            .clicked()
        {
            load = true;
        }
        ui.separator();
        let all = tr!(lang, "reports.all_departments");
        let current = state.department.clone().unwrap_or_else(|| all.clone());
        let dl = ui.label(tr!(lang, "reports.department"));
        egui::ComboBox::from_id_salt("reports-department")
            .selected_text(current)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut state.department, None, all);
                for d in &cx.lists.departments {
                    ui.selectable_value(&mut state.department, Some(d.name.clone()), &d.name);
                }
            })
            .response
            .labelled_by(dl.id);
        if may_run {
            ui.separator();
            if ui
                .add_enabled(!busy, egui::Button::new(tr!(lang, "reports.run")))
                .on_hover_text(tr!(lang, "reports.run_hint"))
                .clicked()
            {
                state.run(cx, ui.ctx());
            }
        }
        if let Some((work, since)) = state.working {
            ui.spinner();
            let secs = since.elapsed().as_secs();
            let key = match work {
                Work::Load => "reports.loading",
                Work::Run => "reports.running",
            };
            ui.label(tr!(lang, key, secs = secs));
            // The elapsed seconds tick while the job runs (the job's end wakes the UI anyway).
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs(1));
        }
    });
    if load {
        state.load(cx, ui.ctx());
    }
}

/// What is shown: the run behind it, or why nothing is.
fn state_line(ui: &mut egui::Ui, lang: Lang, state: &State, may_run: bool) {
    if state.not_run && state.working.is_none() {
        let key = if may_run {
            "reports.not_run"
        } else {
            "reports.not_run_ask"
        };
        let month = state.shown_month.map(|m| m.to_string()).unwrap_or_default();
        ui.label(tr!(lang, key, month = month.as_str()));
        return;
    }
    let Some(data) = &state.data else { return };
    ui.horizontal_wrapped(|ui| {
        if let Some(run) = &data.run {
            ui.label(tr!(
                lang,
                "reports.run_info",
                month = data.month.as_str(),
                at = run.at.as_str(),
                by = run.by.as_str(),
                employees = data.rows.len()
            ));
        }
        if data.recomputed {
            ui.label(egui::RichText::new(tr!(lang, "reports.recomputed")).weak());
        }
        ui.label(tr!(
            lang,
            "reports.rate",
            rate = format!("{:.1}%", data.organisation_rate * 100.0)
        ));
    });
    if data.rows.is_empty() {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            tr!(lang, "reports.no_employees"),
        );
    }
    if data.unassigned_days > 0 {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            tr!(lang, "reports.unassigned", days = data.unassigned_days),
        );
    }
    if !data.unknown_enrollments.is_empty() {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            tr!(
                lang,
                "reports.unknown_enrollments",
                list = data.unknown_enrollments.join(", ")
            ),
        );
    }
}
