//! Employees and departments: a searchable (Ctrl+F), sortable (click a column header) table;
//! add / edit / deactivate an employee and add a department (roles with `manage_employees` /
//! `manage_departments`); the Excel import with its validation report before anything is
//! committed (`employees_import`). Changes go through `Backend` on worker threads.

use std::cmp::Ordering;

use crate::app::permissions::{Action, allowed};
use crate::i18n::Lang;

use super::super::backend::employees::EmployeeForm;
use super::super::model::{EmployeeRow, Lists, UiError};
use super::super::tasks::Tasks;
use super::super::widgets;
use super::PageCtx;
use super::employees_import::{ImportMsg, ImportState};
use kaoqin_domain::timefmt::parse_opt_date;

/// What a background job reports back.
pub(crate) enum Msg {
    /// An employee or department was saved (the success text's key), or why not.
    Saved(Result<&'static str, UiError>),
    /// The employee to edit, read fresh (card and leave date are not in the shared list).
    Loaded(Result<EmployeeForm, UiError>),
    Import(ImportMsg),
}

/// The employee form (add or edit), as typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct FormState {
    /// Editing this 工号 (fixed); `None` = a new employee.
    editing: Option<String>,
    no: String,
    name: String,
    department: String,
    position: String,
    card: String,
    hired: String,
    left: String,
    /// Locale key of what is wrong with the input, checked before sending.
    problem: Option<&'static str>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct DeptForm {
    name: String,
    /// "" = top level.
    parent: String,
    problem: Option<&'static str>,
}

/// The page's state across frames.
#[derive(Default)]
pub(crate) struct State {
    pub search: String,
    tasks: Tasks<Msg>,
    /// Sort column and direction (`true` = descending; the default is ascending by 工号).
    sort: (usize, bool),
    selected: Option<String>,
    form: Option<FormState>,
    dept_form: Option<DeptForm>,
    confirm_deactivate: Option<String>,
    /// The last change's success message (locale key) or error.
    notice: Option<Result<&'static str, UiError>>,
    import: ImportState,
}

const COLUMNS: [&str; 6] = [
    "employees.col_no",
    "employees.col_name",
    "employees.col_department",
    "employees.col_position",
    "employees.col_hired",
    "employees.col_status",
];

fn field(e: &EmployeeRow, col: usize) -> &str {
    match col {
        0 => &e.no,
        1 => &e.name,
        2 => &e.department,
        3 => &e.position,
        4 => &e.hired,
        _ => "",
    }
}

/// Orders two employees by `col`: 工号 numerically when both are numbers, status active first.
pub(crate) fn compare(a: &EmployeeRow, b: &EmployeeRow, col: usize) -> Ordering {
    match col {
        0 => match (a.no.parse::<u64>(), b.no.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => a.no.cmp(&b.no),
        },
        5 => b.active.cmp(&a.active).then_with(|| a.no.cmp(&b.no)),
        c => field(a, c).cmp(field(b, c)).then_with(|| a.no.cmp(&b.no)),
    }
}

/// The rows to show: matching `search`, sorted by `sort`; indices into `rows`.
pub(crate) fn visible(rows: &[EmployeeRow], search: &str, sort: (usize, bool)) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..rows.len())
        .filter(|&i| {
            let e = &rows[i];
            super::matches(search, &[&e.no, &e.name, &e.department, &e.position])
        })
        .collect();
    idx.sort_by(|&a, &b| {
        let o = compare(&rows[a], &rows[b], sort.0);
        if sort.1 { o.reverse() } else { o }
    });
    idx
}

/// Checks the form before it goes to the service (which checks again).
pub(crate) fn check_form(f: &FormState, lists: &Lists) -> Result<EmployeeForm, &'static str> {
    if f.no.trim().is_empty() {
        return Err("employees.need_no");
    }
    if f.editing.is_none() && lists.employees.iter().any(|e| e.no == f.no.trim()) {
        return Err("employees.no_taken");
    }
    if f.name.trim().is_empty() {
        return Err("employees.need_name");
    }
    if f.department.trim().is_empty() {
        return Err("employees.need_department");
    }
    let hired = parse_opt_date(&f.hired).map_err(|_| "employees.bad_hired")?;
    let left = parse_opt_date(&f.left).map_err(|_| "employees.bad_left")?;
    if let (Some(h), Some(l)) = (hired, left)
        && l < h
    {
        return Err("employees.left_before_hired");
    }
    Ok(EmployeeForm {
        no: f.no.trim().to_owned(),
        name: f.name.trim().to_owned(),
        department: f.department.trim().to_owned(),
        position: f.position.clone(),
        card: f.card.clone(),
        hired,
        left,
    })
}

pub(crate) fn show(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    for msg in state.tasks.poll() {
        match msg {
            Msg::Saved(r) => {
                if r.is_ok() {
                    state.form = None;
                    state.dept_form = None;
                    state.confirm_deactivate = None;
                    cx.reload_lists = true;
                }
                state.notice = Some(r);
            }
            Msg::Loaded(Ok(e)) => {
                let date =
                    |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
                state.form = Some(FormState {
                    editing: Some(e.no.clone()),
                    hired: date(e.hired),
                    left: date(e.left),
                    no: e.no,
                    name: e.name,
                    department: e.department,
                    position: e.position,
                    card: e.card,
                    problem: None,
                });
            }
            Msg::Loaded(Err(e)) => state.notice = Some(Err(e)),
            Msg::Import(m) => {
                if state.import.on_msg(m) {
                    cx.reload_lists = true;
                }
            }
        }
    }
    let role = cx.who.role;
    let may_edit = allowed(role, Action::ManageEmployees);
    let may_dept = allowed(role, Action::ManageDepartments);
    let busy = state.tasks.busy();

    ui.horizontal(|ui| {
        super::search_box(ui, lang, &mut state.search);
        if may_edit {
            ui.separator();
            if ui
                .add_enabled(!busy, egui::Button::new(tr!(lang, "employees.add")))
                .clicked()
            {
                state.form = Some(FormState {
                    department: cx
                        .lists
                        .departments
                        .first()
                        .map(|d| d.name.clone())
                        .unwrap_or_default(),
                    ..FormState::default()
                });
                state.notice = None;
            }
            let sel = state
                .selected
                .as_ref()
                .and_then(|no| cx.lists.employees.iter().find(|e| &e.no == no));
            if ui
                .add_enabled(
                    sel.is_some() && !busy,
                    egui::Button::new(tr!(lang, "employees.edit")),
                )
                .clicked()
                && let Some(e) = sel
            {
                let no = e.no.clone();
                let (b, s) = (cx.backend.clone(), cx.session.clone());
                state.tasks.spawn(ui.ctx(), "employee-load", move || {
                    Msg::Loaded(b.get_employee(&s, &no))
                });
                state.notice = None;
            }
            if ui
                .add_enabled(
                    sel.is_some_and(|e| e.active) && !busy,
                    egui::Button::new(tr!(lang, "employees.deactivate")),
                )
                .clicked()
            {
                state.confirm_deactivate = state.selected.clone();
            }
        }
        if may_dept
            && ui
                .add_enabled(
                    !busy,
                    egui::Button::new(tr!(lang, "employees.add_department")),
                )
                .clicked()
        {
            state.dept_form = Some(DeptForm::default());
            state.notice = None;
        }
        if busy {
            ui.add(egui::Spinner::new());
        }
    });
    match &state.notice {
        Some(Ok(key)) => {
            ui.label(egui::RichText::new(tr!(lang, *key)).color(ui.visuals().hyperlink_color));
        }
        Some(Err(e)) => widgets::error_box(ui, lang, e),
        None => {}
    }
    if may_edit {
        state
            .import
            .show(ui, lang, cx.backend, cx.session, &mut state.tasks);
    }
    ui.add_space(4.0);

    departments(ui, lang, cx.lists, &state.search);
    ui.add_space(6.0);
    employee_table(ui, lang, cx.lists, state);

    employee_form(ui.ctx(), cx, state);
    dept_form(ui.ctx(), cx, state);
    deactivate_dialog(ui.ctx(), cx, state);
}

fn departments(ui: &mut egui::Ui, lang: Lang, lists: &Lists, search: &str) {
    let departments: Vec<_> = lists
        .departments
        .iter()
        .filter(|d| super::matches(search, &[&d.name, d.parent.as_deref().unwrap_or("")]))
        .collect();
    egui::CollapsingHeader::new(tr!(
        lang,
        "employees.departments",
        count = departments.len()
    ))
    .id_salt("departments")
    .default_open(false)
    .show(ui, |ui| {
        if departments.is_empty() {
            ui.label(tr!(lang, "employees.no_departments"));
        }
        for d in &departments {
            match &d.parent {
                Some(p) => ui.label(format!("{p} › {}", d.name)),
                None => ui.label(&d.name),
            };
        }
    });
}

fn employee_table(ui: &mut egui::Ui, lang: Lang, lists: &Lists, state: &mut State) {
    use egui_extras::{Column, TableBuilder};
    let rows = &lists.employees;
    let idx = visible(rows, &state.search, state.sort);
    ui.strong(tr!(lang, "employees.employees", count = idx.len()));
    if idx.is_empty() {
        ui.label(tr!(lang, "employees.empty"));
        return;
    }
    let active = tr!(lang, "employees.active");
    let inactive = tr!(lang, "employees.inactive");
    let mut builder = TableBuilder::new(ui)
        .id_salt("employees")
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .min_scrolled_height(0.0)
        .max_scroll_height(f32::INFINITY);
    for i in 0..COLUMNS.len() {
        builder = if i + 1 == COLUMNS.len() {
            builder.column(Column::remainder().at_least(60.0))
        } else {
            builder.column(Column::auto().at_least(80.0).resizable(true))
        };
    }
    let mut sort = state.sort;
    let mut selected = state.selected.clone();
    builder
        .header(24.0, |mut header| {
            for (i, key) in COLUMNS.iter().enumerate() {
                header.col(|ui| {
                    let arrow = match (sort.0 == i, sort.1) {
                        (true, false) => " ▲",
                        (true, true) => " ▼",
                        _ => "",
                    };
                    let text = format!("{}{arrow}", tr!(lang, *key));
                    if ui
                        .add(egui::Button::new(egui::RichText::new(text).strong()).frame(false))
                        .on_hover_text(tr!(lang, "employees.sort_hint"))
                        .clicked()
                    {
                        sort = if sort.0 == i {
                            (i, !sort.1)
                        } else {
                            (i, false)
                        };
                    }
                });
            }
        })
        .body(|body| {
            body.rows(22.0, idx.len(), |mut row| {
                let Some(e) = idx.get(row.index()).and_then(|&i| rows.get(i)) else {
                    return;
                };
                let is_sel = selected.as_deref() == Some(e.no.as_str());
                row.set_selected(is_sel);
                for c in 0..COLUMNS.len() {
                    row.col(|ui| {
                        if c == 0 {
                            if ui.selectable_label(is_sel, &e.no).clicked() {
                                selected = Some(e.no.clone());
                            }
                        } else if c == 5 {
                            ui.label(if e.active { &active } else { &inactive });
                        } else {
                            ui.label(field(e, c));
                        }
                    });
                }
                if row.response().clicked() {
                    selected = Some(e.no.clone());
                }
            });
        });
    state.sort = sort;
    state.selected = selected;
}

fn employee_form(ctx: &egui::Context, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    let Some(form) = &mut state.form else { return };
    let busy = state.tasks.busy();
    let mut submit = false;
    let mut close = false;
    let title = if form.editing.is_some() {
        tr!(lang, "employees.edit_title")
    } else {
        tr!(lang, "employees.add_title")
    };
    let error = match &state.notice {
        Some(Err(e)) => Some(e),
        _ => None,
    };
    let f = widgets::EditWindow {
        title,
        width: 360.0,
        problem: form.problem,
        error,
        busy,
        save_key: "employees.save",
        cancel_key: "employees.cancel",
    }
    .show(ctx, lang, |ui| {
        if form.editing.is_some() {
            ui.label(tr!(lang, "employees.form_no_fixed", no = &form.no));
        } else {
            widgets::labelled_text(ui, &tr!(lang, "employees.form_no"), &mut form.no, false);
        }
        widgets::labelled_text(ui, &tr!(lang, "employees.form_name"), &mut form.name, false);
        let l = ui.label(tr!(lang, "employees.form_department"));
        egui::ComboBox::from_id_salt("employee-department")
            .selected_text(if form.department.is_empty() {
                tr!(lang, "employees.pick_department")
            } else {
                form.department.clone()
            })
            .width(340.0)
            .show_ui(ui, |ui| {
                for d in &cx.lists.departments {
                    let text = match &d.parent {
                        Some(p) => format!("{p} › {}", d.name),
                        None => d.name.clone(),
                    };
                    ui.selectable_value(&mut form.department, d.name.clone(), text);
                }
            })
            .response
            .labelled_by(l.id);
        if cx.lists.departments.is_empty() {
            ui.small(tr!(lang, "employees.no_departments_hint"));
        }
        widgets::labelled_text(
            ui,
            &tr!(lang, "employees.form_position"),
            &mut form.position,
            false,
        );
        widgets::labelled_text(ui, &tr!(lang, "employees.form_card"), &mut form.card, false);
        widgets::labelled_text(
            ui,
            &tr!(lang, "employees.form_hired"),
            &mut form.hired,
            false,
        );
        if form.editing.is_some() {
            widgets::labelled_text(ui, &tr!(lang, "employees.form_left"), &mut form.left, false);
        }
        ui.small(tr!(lang, "employees.date_hint"));
    });
    submit |= f.submit;
    close |= f.close;
    if close {
        state.form = None;
        state.notice = None;
        return;
    }
    if submit {
        match check_form(form, cx.lists) {
            Err(key) => form.problem = Some(key),
            Ok(f) => {
                form.problem = None;
                state.notice = None;
                let editing = form.editing.is_some();
                let (b, s) = (cx.backend.clone(), cx.session.clone());
                state.tasks.spawn(ctx, "employee-save", move || {
                    let r = if editing {
                        b.update_employee(&s, &f).map(|()| "employees.updated")
                    } else {
                        b.add_employee(&s, &f).map(|()| "employees.added")
                    };
                    Msg::Saved(r)
                });
            }
        }
    }
}

fn dept_form(ctx: &egui::Context, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    let Some(form) = &mut state.dept_form else {
        return;
    };
    let busy = state.tasks.busy();
    let mut submit = false;
    let mut close = false;
    let error = match &state.notice {
        Some(Err(e)) => Some(e),
        _ => None,
    };
    let f = widgets::EditWindow {
        title: tr!(lang, "employees.add_department"),
        width: 320.0,
        problem: form.problem,
        error,
        busy,
        save_key: "employees.save",
        cancel_key: "employees.cancel",
    }
    .show(ctx, lang, |ui| {
        widgets::labelled_text(ui, &tr!(lang, "employees.dept_name"), &mut form.name, false);
        let l = ui.label(tr!(lang, "employees.dept_parent"));
        let top = tr!(lang, "employees.dept_top");
        egui::ComboBox::from_id_salt("department-parent")
            .selected_text(if form.parent.is_empty() {
                top.clone()
            } else {
                form.parent.clone()
            })
            .width(300.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut form.parent, String::new(), top);
                for d in &cx.lists.departments {
                    ui.selectable_value(&mut form.parent, d.name.clone(), &d.name);
                }
            })
            .response
            .labelled_by(l.id);
    });
    submit |= f.submit;
    close |= f.close;
    if close {
        state.dept_form = None;
        state.notice = None;
        return;
    }
    if submit {
        let name = form.name.trim().to_owned();
        if name.is_empty() {
            form.problem = Some("employees.need_dept_name");
            return;
        }
        if cx.lists.departments.iter().any(|d| d.name == name) {
            form.problem = Some("employees.dept_taken");
            return;
        }
        form.problem = None;
        state.notice = None;
        let parent = Some(form.parent.clone()).filter(|p| !p.is_empty());
        let (b, s) = (cx.backend.clone(), cx.session.clone());
        state.tasks.spawn(ctx, "department-add", move || {
            Msg::Saved(
                b.add_department(&s, &name, parent.as_deref())
                    .map(|()| "employees.dept_added"),
            )
        });
    }
}

fn deactivate_dialog(ctx: &egui::Context, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    let Some(no) = state.confirm_deactivate.clone() else {
        return;
    };
    let name = cx
        .lists
        .employees
        .iter()
        .find(|e| e.no == no)
        .map(|e| e.name.clone())
        .unwrap_or_default();
    let mut go = false;
    let mut close = false;
    egui::Window::new(tr!(lang, "employees.deactivate_title"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            ui.label(tr!(
                lang,
                "employees.deactivate_confirm",
                no = &no,
                name = &name
            ));
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(
                        !state.tasks.busy(),
                        egui::Button::new(tr!(lang, "employees.deactivate_ok")),
                    )
                    .clicked()
                {
                    go = true;
                }
                if ui.button(tr!(lang, "employees.cancel")).clicked() {
                    close = true;
                }
            });
        });
    if close {
        state.confirm_deactivate = None;
    }
    if go {
        let (b, s) = (cx.backend.clone(), cx.session.clone());
        state.tasks.spawn(ctx, "employee-deactivate", move || {
            Msg::Saved(
                b.deactivate_employee(&s, &no, None)
                    .map(|()| "employees.deactivated"),
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emp(no: &str, name: &str, active: bool) -> EmployeeRow {
        EmployeeRow {
            no: no.into(),
            name: name.into(),
            department: "办公室".into(),
            position: String::new(),
            hired: String::new(),
            active,
        }
    }

    #[test]
    fn sorts_numbers_numerically_and_filters() {
        let rows = vec![
            emp("10", "乙", true),
            emp("9", "甲", false),
            emp("100", "丙", true),
        ];
        assert_eq!(visible(&rows, "", (0, false)), vec![1, 0, 2]);
        assert_eq!(visible(&rows, "", (0, true)), vec![2, 0, 1]);
        assert_eq!(visible(&rows, "", (5, false)), vec![0, 2, 1]);
        assert_eq!(visible(&rows, "丙", (0, false)), vec![2]);
    }

    #[test]
    fn form_checks_before_sending() {
        let lists = Lists {
            employees: vec![emp("1001", "张三", true)],
            ..Lists::default()
        };
        let ok = FormState {
            no: "1002".into(),
            name: "李四".into(),
            department: "办公室".into(),
            hired: "2026-01-05".into(),
            ..FormState::default()
        };
        assert!(check_form(&ok, &lists).is_ok());
        let cases = [
            (
                FormState {
                    no: " ".into(),
                    ..ok.clone()
                },
                "employees.need_no",
            ),
            (
                FormState {
                    no: "1001".into(),
                    ..ok.clone()
                },
                "employees.no_taken",
            ),
            (
                FormState {
                    name: "".into(),
                    ..ok.clone()
                },
                "employees.need_name",
            ),
            (
                FormState {
                    department: "".into(),
                    ..ok.clone()
                },
                "employees.need_department",
            ),
            (
                FormState {
                    hired: "5.1.".into(),
                    ..ok.clone()
                },
                "employees.bad_hired",
            ),
            (
                FormState {
                    left: "2025-01-01".into(),
                    ..ok.clone()
                },
                "employees.left_before_hired",
            ),
        ];
        for (f, want) in cases {
            assert_eq!(check_form(&f, &lists).unwrap_err(), want);
        }
    }
}
