//! The Schedules page: shifts with their sessions and a 0–24 h timeline of the punch windows; a
//! new shift from a preset (A–D) or an edited one; rotations; assignments (organisation,
//! department or employee → shift or rotation from a date); the month calendar with the day types
//! of the Chinese calendar and local overrides.
//!
//! Who may change what is the services' business (`manage_schedules`: admin, HR clerk); others see
//! the same page read-only. Must not call services or the store directly: data comes from
//! `Backend` through this page's own jobs.

use std::sync::Arc;

use kaoqin_domain::timefmt::{parse_date, parse_opt_date};
use kaoqin_domain::{Month, Rotation, Shift};

use crate::app::permissions::{Action, allowed};
use crate::app::schedules::AssignTo;
use crate::i18n::Lang;

use super::super::model::UiError;
use super::super::tasks::Tasks;
use super::super::widgets;
use super::PageCtx;
use super::schedules_calendar::{self as calendar, CalendarState};
use super::schedules_edit::{self as edit, ShiftForm};
use crate::gui::backend::schedules::{CalendarDayView, ScheduleData};

/// What the page's jobs report.
pub(crate) enum Msg {
    Data(Result<ScheduleData, UiError>),
    /// A change went through: the notice's locale key and its subject.
    Saved(Result<(&'static str, String), UiError>),
    Month(Month, Result<Vec<CalendarDayView>, UiError>),
    Import(super::schedules_import::ImportMsg),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Tab {
    #[default]
    Shifts,
    Assignments,
    Calendar,
}

/// The assignment form.
#[derive(Debug, Clone, Default)]
struct AssignForm {
    /// 0 organisation, 1 department, 2 employee.
    target_kind: usize,
    target_search: String,
    target: Option<String>,
    rotation: bool,
    plan: String,
    from: String,
    to: String,
    errors: Vec<(&'static str, &'static str)>,
}

/// The rotation form: the cycle as shift codes separated by commas, `-` for a rest day.
#[derive(Debug, Clone, Default)]
struct RotationForm {
    code: String,
    name: String,
    start: String,
    cycle: String,
    errors: Vec<(&'static str, &'static str)>,
}

/// The page's state across frames.
#[derive(Default)]
pub(crate) struct State {
    tasks: Tasks<Msg>,
    loaded: bool,
    data: ScheduleData,
    error: Option<UiError>,
    notice: Option<(&'static str, String)>,
    tab: Tab,
    selected: Option<String>,
    preset: String,
    editor: Option<ShiftForm>,
    assign: AssignForm,
    rotation: RotationForm,
    calendar: CalendarState,
    import: super::schedules_import::CalendarImport,
}

impl State {
    fn reload(&mut self, cx: &PageCtx<'_>, ctx: &egui::Context) {
        let (b, u) = (Arc::clone(cx.backend), Arc::clone(cx.session));
        self.tasks.spawn(ctx, "schedules-load", move || {
            Msg::Data(b.schedule_data(&u))
        });
    }

    fn load_month(&mut self, cx: &PageCtx<'_>, ctx: &egui::Context, month: Month) {
        let (b, u) = (Arc::clone(cx.backend), Arc::clone(cx.session));
        self.calendar.loading = Some(month);
        self.tasks.spawn(ctx, "calendar-month", move || {
            Msg::Month(month, b.calendar_month(&u, month))
        });
    }

    fn receive(&mut self, cx: &PageCtx<'_>, ctx: &egui::Context) {
        for msg in self.tasks.poll() {
            match msg {
                Msg::Data(Ok(data)) => {
                    if self.selected.is_none() {
                        self.selected = data.shifts.first().map(|s| s.code.clone());
                    }
                    if self.assign.plan.is_empty() {
                        self.assign.plan = data
                            .shifts
                            .first()
                            .map(|s| s.code.clone())
                            .unwrap_or_default();
                    }
                    self.data = data;
                }
                Msg::Data(Err(e)) | Msg::Saved(Err(e)) => self.error = Some(e),
                Msg::Saved(Ok(notice)) => {
                    self.error = None;
                    self.notice = Some(notice);
                    self.reload(cx, ctx);
                    if let Some(month) = self.calendar.shown() {
                        self.load_month(cx, ctx, month);
                    }
                }
                Msg::Import(m) => {
                    if self.import.on_msg(m)
                        && let Some(month) = self.calendar.shown()
                    {
                        self.load_month(cx, ctx, month);
                    }
                }
                Msg::Month(month, result) => {
                    self.calendar.loading = None;
                    match result {
                        Ok(days) => self.calendar.set_days(month, days),
                        Err(e) => self.error = Some(e),
                    }
                }
            }
        }
    }

    /// Runs a change on a worker; `Ok` carries the notice to show.
    fn change(
        &mut self,
        cx: &PageCtx<'_>,
        ctx: &egui::Context,
        job: impl FnOnce(
            &super::super::backend::Backend,
            &super::super::backend::UserSession,
        ) -> Result<(&'static str, String), UiError>
        + Send
        + 'static,
    ) {
        let (b, u) = (Arc::clone(cx.backend), Arc::clone(cx.session));
        self.notice = None;
        self.tasks
            .spawn(ctx, "schedules-change", move || Msg::Saved(job(&b, &u)));
    }
}

pub(crate) fn show(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    let ctx = ui.ctx().clone();
    state.receive(cx, &ctx);
    if !state.loaded {
        state.loaded = true;
        state.reload(cx, &ctx);
    }
    let may_edit = allowed(cx.who.role, Action::ManageSchedules);

    ui.horizontal(|ui| {
        for (tab, key) in [
            (Tab::Shifts, "schedules.tab_shifts"),
            (Tab::Assignments, "schedules.tab_assignments"),
            (Tab::Calendar, "schedules.tab_calendar"),
        ] {
            if ui
                .selectable_label(state.tab == tab, tr!(lang, key))
                .clicked()
            {
                state.tab = tab;
            }
        }
        if state.tasks.busy() {
            ui.spinner();
        }
        if !may_edit {
            ui.label(egui::RichText::new(tr!(lang, "schedules.read_only")).weak());
        }
    });
    ui.separator();
    if let Some(e) = &state.error {
        widgets::error_box(ui, lang, e);
    }
    if let Some((key, subject)) = &state.notice {
        ui.colored_label(
            egui::Color32::from_rgb(0x2e, 0x9d, 0x4f),
            tr!(lang, key, subject = subject.as_str()),
        );
    }
    match state.tab {
        Tab::Shifts => shifts_tab(ui, cx, state, may_edit),
        Tab::Assignments => assignments_tab(ui, cx, state, may_edit),
        Tab::Calendar => {
            if may_edit {
                state
                    .import
                    .show(ui, lang, cx.backend, cx.session, &mut state.tasks);
            }
            if let Some(month) = calendar::show(
                ui,
                lang,
                &mut state.calendar,
                may_edit,
                cx.backend.now().date(),
            ) {
                state.load_month(cx, &ctx, month);
            }
            if let Some(entry) = state.calendar.take_save() {
                let date = entry.date.to_string();
                state.change(cx, &ctx, move |b, u| {
                    b.set_calendar_day(u, entry)?;
                    Ok(("schedules.day_saved", date))
                });
            }
        }
    }
}

fn shift_name(lang: Lang, s: &Shift) -> &str {
    match lang {
        Lang::English => &s.name_en,
        _ => &s.name_zh,
    }
}

fn shifts_tab(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State, may_edit: bool) {
    let lang = cx.lang;
    let ctx = ui.ctx().clone();
    if may_edit && state.editor.is_none() {
        ui.horizontal(|ui| {
            ui.label(tr!(lang, "schedules.preset"));
            if state.preset.is_empty() {
                state.preset = "A".into();
            }
            for p in kaoqin_domain::presets::all() {
                let text = format!("{} {}", p.code, shift_name(lang, &p));
                ui.selectable_value(&mut state.preset, p.code.clone(), text);
            }
            if ui.button(tr!(lang, "schedules.from_preset")).clicked()
                && let Some(p) = kaoqin_domain::presets::by_code(&state.preset)
            {
                state.editor = Some(ShiftForm::from_preset(&p));
            }
        });
        ui.add_space(4.0);
    }
    if let Some(form) = &mut state.editor {
        match edit::show(ui, lang, form) {
            edit::Outcome::None => {}
            edit::Outcome::Cancel => state.editor = None,
            edit::Outcome::Save(shift) => {
                let code = shift.code.clone();
                state.selected = Some(code.clone());
                state.assign.plan = code.clone();
                state.assign.rotation = false;
                state.editor = None;
                state.change(cx, &ctx, move |b, u| {
                    b.save_shift(u, &shift)?;
                    Ok(("schedules.shift_saved", code))
                });
            }
        }
        return;
    }
    ui.columns(2, |cols| {
        let [left, right] = cols else { return };
        left.strong(tr!(
            lang,
            "schedules.shifts",
            count = state.data.shifts.len()
        ));
        egui::ScrollArea::vertical()
            .id_salt("shift-list")
            .max_height(left.available_height() * 0.45)
            .show(left, |ui| {
                for s in &state.data.shifts {
                    let text =
                        format!("{}  {}  ·  {}", s.code, shift_name(lang, s), s.hours_text());
                    let on = state.selected.as_deref() == Some(s.code.as_str());
                    if ui.selectable_label(on, text).clicked() {
                        state.selected = Some(s.code.clone());
                    }
                }
            });
        left.separator();
        rotations(left, cx, state, may_edit);
        let Some(shift) = state
            .selected
            .as_ref()
            .and_then(|c| state.data.shifts.iter().find(|s| &s.code == c))
            .cloned()
        else {
            right.label(tr!(lang, "schedules.pick_shift"));
            return;
        };
        egui::ScrollArea::vertical()
            .id_salt("shift-detail")
            .show(right, |ui| {
                ui.horizontal(|ui| {
                    ui.heading(format!("{}  {}", shift.code, shift_name(lang, &shift)));
                    if may_edit && ui.button(tr!(lang, "schedules.edit")).clicked() {
                        state.editor = Some(ShiftForm::from_shift(&shift));
                    }
                });
                edit::timeline(ui, lang, &shift);
                ui.add_space(6.0);
                edit::details(ui, lang, &shift);
            });
    });
}

fn rotations(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State, may_edit: bool) {
    let lang = cx.lang;
    let ctx = ui.ctx().clone();
    ui.strong(tr!(
        lang,
        "schedules.rotations",
        count = state.data.rotations.len()
    ));
    if state.data.rotations.is_empty() {
        ui.label(egui::RichText::new(tr!(lang, "schedules.no_rotations")).weak());
    }
    for r in &state.data.rotations {
        let cycle: Vec<&str> = r
            .cycle
            .iter()
            .map(|c| c.as_deref().unwrap_or("-"))
            .collect();
        ui.label(format!(
            "{}  {}  ·  {}  ·  {}",
            r.code,
            r.name,
            tr!(lang, "schedules.rotation_from", date = r.start.to_string()),
            cycle.join(",")
        ));
    }
    if !may_edit {
        return;
    }
    let f = &mut state.rotation;
    let mut submit = false;
    egui::CollapsingHeader::new(tr!(lang, "schedules.new_rotation"))
        .id_salt("new-rotation")
        .show(ui, |ui| {
            egui::Grid::new("rotation-form")
                .num_columns(2)
                .show(ui, |ui| {
                    for (field, key, value, hint) in [
                        ("code", "schedules.rot_code", &mut f.code, ""),
                        ("name", "schedules.rot_name", &mut f.name, ""),
                        ("start", "schedules.rot_start", &mut f.start, "2026-01-05"),
                        (
                            "cycle",
                            "schedules.rot_cycle",
                            &mut f.cycle,
                            "A,A,A,A,A,-,-",
                        ),
                    ] {
                        let l = ui.label(tr!(lang, key));
                        ui.vertical(|ui| {
                            let r = ui
                                .add(egui::TextEdit::singleline(value).hint_text(hint))
                                .labelled_by(l.id);
                            submit |=
                                r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                            field_error(ui, lang, &f.errors, field);
                        });
                        ui.end_row();
                    }
                });
            submit |= ui.button(tr!(lang, "schedules.save_rotation")).clicked();
        });
    if submit {
        match build_rotation(f) {
            Ok(rot) => {
                f.errors.clear();
                let code = rot.code.clone();
                state.change(cx, &ctx, move |b, u| {
                    b.save_rotation(u, &rot)?;
                    Ok(("schedules.rotation_saved", code))
                });
            }
            Err(errors) => f.errors = errors,
        }
    }
}

/// A rotation from its form; field errors otherwise.
fn build_rotation(f: &RotationForm) -> Result<Rotation, Vec<(&'static str, &'static str)>> {
    let mut errors = Vec::new();
    if f.code.trim().is_empty() {
        errors.push(("code", "schedules.need_code"));
    }
    let start = parse_date(&f.start).ok();
    if start.is_none() {
        errors.push(("start", "schedules.bad_date"));
    }
    let cycle: Vec<Option<String>> = f
        .cycle
        .split([',', '，', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| (s != "-").then(|| s.to_owned()))
        .collect();
    if cycle.is_empty() {
        errors.push(("cycle", "schedules.need_cycle"));
    }
    match start {
        Some(start) if errors.is_empty() => Ok(Rotation {
            code: f.code.trim().to_owned(),
            name: f.name.trim().to_owned(),
            start,
            cycle,
        }),
        _ => Err(errors),
    }
}

/// The inline error under a form field, if any.
pub(crate) fn field_error(
    ui: &mut egui::Ui,
    lang: Lang,
    errors: &[(&'static str, &'static str)],
    field: &str,
) {
    for (_, key) in errors.iter().filter(|(f, _)| *f == field) {
        ui.colored_label(ui.visuals().error_fg_color, tr!(lang, key));
    }
}

fn target_label(lang: Lang, kind: &str, target: &str) -> String {
    match kind {
        "organisation" => tr!(lang, "schedules.target_org"),
        "department" => tr!(lang, "schedules.target_dept_is", name = target),
        _ => tr!(lang, "schedules.target_emp_is", no = target),
    }
}

fn assignments_tab(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State, may_edit: bool) {
    let lang = cx.lang;
    let ctx = ui.ctx().clone();
    if may_edit {
        assign_form(ui, cx, state, &ctx);
        ui.separator();
    }
    let rows = &state.data.assignments;
    ui.strong(tr!(lang, "schedules.assignments", count = rows.len()));
    ui.label(egui::RichText::new(tr!(lang, "schedules.assign_rule")).weak());
    if rows.is_empty() {
        ui.label(tr!(lang, "schedules.no_assignments"));
        return;
    }
    let headers = [
        tr!(lang, "schedules.col_target"),
        tr!(lang, "schedules.col_plan"),
        tr!(lang, "schedules.col_from"),
        tr!(lang, "schedules.col_to"),
    ];
    let open = tr!(lang, "schedules.open_ended");
    widgets::table(ui, "assignments", &headers, rows.len(), |ui, r, c| {
        let Some(a) = rows.get(r) else { return };
        let text = match c {
            0 => target_label(lang, &a.target_kind, &a.target),
            1 => {
                let kind = if a.plan_kind == "rotation" {
                    tr!(lang, "schedules.rotation")
                } else {
                    tr!(lang, "schedules.shift")
                };
                format!("{kind} {}", a.plan)
            }
            2 => a
                .from
                .map(|d| d.to_string())
                .unwrap_or_else(|| open.clone()),
            _ => a.to.map(|d| d.to_string()).unwrap_or_else(|| open.clone()),
        };
        ui.label(text);
    });
}

fn assign_form(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State, ctx: &egui::Context) {
    let lang = cx.lang;
    let lists = cx.lists;
    let f = &mut state.assign;
    let mut submit = false;
    ui.strong(tr!(lang, "schedules.new_assignment"));
    egui::Grid::new("assign-form")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            ui.label(tr!(lang, "schedules.target"));
            ui.horizontal(|ui| {
                for (i, key) in [
                    "schedules.target_org",
                    "schedules.target_dept",
                    "schedules.target_emp",
                ]
                .into_iter()
                .enumerate()
                {
                    if ui
                        .selectable_label(f.target_kind == i, tr!(lang, key))
                        .clicked()
                    {
                        f.target_kind = i;
                        f.target = None;
                        f.target_search.clear();
                    }
                }
            });
            ui.end_row();
            if f.target_kind > 0 {
                let l = ui.label(tr!(lang, "schedules.who"));
                ui.vertical(|ui| {
                    ui.add(
                        egui::TextEdit::singleline(&mut f.target_search)
                            .hint_text(tr!(lang, "schedules.who_hint")),
                    )
                    .labelled_by(l.id);
                    let items: Vec<(String, String)> = if f.target_kind == 1 {
                        lists
                            .departments
                            .iter()
                            .map(|d| (d.name.clone(), d.name.clone()))
                            .collect()
                    } else {
                        lists
                            .employees
                            .iter()
                            .filter(|e| e.active)
                            .map(|e| {
                                (
                                    e.no.clone(),
                                    format!("{} {} · {}", e.no, e.name, e.department),
                                )
                            })
                            .collect()
                    };
                    let exact = items
                        .iter()
                        .find(|(k, _)| *k == f.target_search.trim())
                        .map(|(k, _)| k.clone());
                    if exact.is_some() {
                        f.target = exact;
                    }
                    ui.horizontal_wrapped(|ui| {
                        for (key, text) in items
                            .iter()
                            .filter(|(_, t)| super::matches(&f.target_search, &[t]))
                            .take(12)
                        {
                            if ui
                                .selectable_label(f.target.as_deref() == Some(key), text)
                                .clicked()
                            {
                                f.target = Some(key.clone());
                            }
                        }
                    });
                    field_error(ui, lang, &f.errors, "target");
                });
                ui.end_row();
            }
            ui.label(tr!(lang, "schedules.plan"));
            ui.horizontal(|ui| {
                if ui
                    .selectable_label(!f.rotation, tr!(lang, "schedules.shift"))
                    .clicked()
                {
                    f.rotation = false;
                }
                if ui
                    .selectable_label(f.rotation, tr!(lang, "schedules.rotation"))
                    .clicked()
                {
                    f.rotation = true;
                }
                let codes: Vec<(String, String)> = if f.rotation {
                    state
                        .data
                        .rotations
                        .iter()
                        .map(|r| (r.code.clone(), format!("{} {}", r.code, r.name)))
                        .collect()
                } else {
                    state
                        .data
                        .shifts
                        .iter()
                        .map(|s| {
                            (
                                s.code.clone(),
                                format!("{} {}", s.code, shift_name(lang, s)),
                            )
                        })
                        .collect()
                };
                let shown = codes
                    .iter()
                    .find(|(c, _)| *c == f.plan)
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default();
                egui::ComboBox::from_id_salt("assign-plan")
                    .selected_text(shown)
                    .show_ui(ui, |ui| {
                        for (code, text) in &codes {
                            ui.selectable_value(&mut f.plan, code.clone(), text);
                        }
                    });
            });
            ui.end_row();
            for (field, key, value) in [
                ("from", "schedules.from", &mut f.from),
                ("to", "schedules.to", &mut f.to),
            ] {
                let l = ui.label(tr!(lang, key));
                ui.vertical(|ui| {
                    let r = ui
                        .add(
                            egui::TextEdit::singleline(value)
                                .hint_text(tr!(lang, "schedules.date_hint")),
                        )
                        .labelled_by(l.id);
                    submit |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    field_error(ui, lang, &f.errors, field);
                });
                ui.end_row();
            }
        });
    submit |= ui.button(tr!(lang, "schedules.assign")).clicked();
    if !submit {
        return;
    }
    let mut errors = Vec::new();
    let parse_opt = |s: &str| parse_opt_date(s).map_err(|_| "schedules.bad_date");
    let from = parse_opt(&f.from).unwrap_or_else(|k| {
        errors.push(("from", k));
        None
    });
    let to = parse_opt(&f.to).unwrap_or_else(|k| {
        errors.push(("to", k));
        None
    });
    if let (Some(a), Some(b)) = (from, to)
        && b < a
    {
        errors.push(("to", "schedules.to_before_from"));
    }
    let target = match (f.target_kind, &f.target) {
        (0, _) => Some(AssignTo::Organisation),
        (1, Some(d)) => Some(AssignTo::Department(d.clone())),
        (2, Some(e)) => Some(AssignTo::Employee(e.clone())),
        _ => {
            errors.push(("target", "schedules.need_target"));
            None
        }
    };
    if f.plan.is_empty() {
        errors.push(("target", "schedules.need_plan"));
    }
    f.errors = errors;
    let Some(target) = target.filter(|_| f.errors.is_empty()) else {
        return;
    };
    let (plan, rotation) = (f.plan.clone(), f.rotation);
    let subject = format!("{plan} → {}", target_text(&target));
    f.from.clear();
    f.to.clear();
    state.change(cx, ctx, move |b, u| {
        b.assign_schedule(u, &target, &plan, rotation, from, to)?;
        Ok(("schedules.assigned", subject))
    });
}

fn target_text(t: &AssignTo) -> String {
    match t {
        AssignTo::Organisation => "*".into(),
        AssignTo::Department(d) | AssignTo::Employee(d) => d.clone(),
    }
}

#[cfg(test)]
#[path = "schedules_tests.rs"]
mod tests;
