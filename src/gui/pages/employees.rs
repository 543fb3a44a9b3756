//! Employees and departments: searchable lists (Ctrl+F). Editing arrives with a later issue; for
//! now the CLI adds them (`kaoqin employee add`).

use super::super::nav::Item;
use super::super::widgets;
use super::PageCtx;

/// The page's state across frames.
#[derive(Default)]
pub(crate) struct State {
    pub search: String,
}

pub(crate) fn show(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let (lang, who, lists) = (cx.lang, cx.who, cx.lists);
    let search = &mut state.search;
    if Item::EditEmployees.visible_to(who.role) {
        ui.label(tr!(lang, "employees.add_hint"));
    }
    super::search_box(ui, lang, search);
    ui.add_space(4.0);

    let departments: Vec<_> = lists
        .departments
        .iter()
        .filter(|d| super::matches(search, &[&d.name, d.parent.as_deref().unwrap_or("")]))
        .collect();
    let employees: Vec<_> = lists
        .employees
        .iter()
        .filter(|e| super::matches(search, &[&e.no, &e.name, &e.department, &e.position]))
        .collect();

    egui::CollapsingHeader::new(tr!(
        lang,
        "employees.departments",
        count = departments.len()
    ))
    .id_salt("departments")
    .default_open(true)
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
    ui.add_space(6.0);
    ui.strong(tr!(lang, "employees.employees", count = employees.len()));
    if employees.is_empty() {
        ui.label(tr!(lang, "employees.empty"));
        return;
    }
    let headers = [
        tr!(lang, "employees.col_no"),
        tr!(lang, "employees.col_name"),
        tr!(lang, "employees.col_department"),
        tr!(lang, "employees.col_position"),
        tr!(lang, "employees.col_hired"),
        tr!(lang, "employees.col_status"),
    ];
    let active = tr!(lang, "employees.active");
    let inactive = tr!(lang, "employees.inactive");
    widgets::table(ui, "employees", &headers, employees.len(), |ui, r, c| {
        let Some(e) = employees.get(r) else { return };
        let text = match c {
            0 => &e.no,
            1 => &e.name,
            2 => &e.department,
            3 => &e.position,
            4 => &e.hired,
            _ => {
                if e.active {
                    &active
                } else {
                    &inactive
                }
            }
        };
        ui.label(text);
    });
}
