//! The Employees page through the GUI (egui_kittest, real SQLite, real worker threads): add a
//! department and an employee with the forms, edit and deactivate; the Excel import shows its
//! validation report and writes nothing until "Import N valid rows"; the template is saved.

mod gui_common;

use egui_kittest::kittest::Queryable;
use gui_common::*;
use kaoqin::i18n::Lang;

const LANG: Lang = Lang::ZhCn;

fn employee(env: &Env, no: &str) -> Option<kaoqin_store::employees::Employee> {
    let store = kaoqin_store::Store::open(&env.paths.db).expect("open");
    kaoqin_store::employees::get_by_no(store.conn(), no).ok()
}

/// Replaces the text of the field labelled `label`.
fn retype(h: &mut H, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_label(label).type_text(text);
    h.step();
}

#[test]
fn admin_adds_edits_and_deactivates_an_employee_through_the_forms() {
    let env = env_with_users();
    let mut h = harness(&env, LANG);
    open_page(&mut h, LANG, "admin", "admin-pass-1", "nav.employees");
    let t = |k: &str| tr(LANG, k);

    // A department first (the employee form picks one).
    click_button(&mut h, &t("employees.add_department"));
    type_into(&mut h, &t("employees.dept_name"), "办公室");
    click_button(&mut h, &t("employees.save"));
    wait_for(&mut h, "the department", |h| {
        has_text(h, &t("employees.dept_added")) && has_text(h, "处室（1）")
    });

    // A new employee; Save with the 工号 missing says so and writes nothing.
    click_button(&mut h, &t("employees.add"));
    type_into(&mut h, &t("employees.form_name"), "王五");
    click_button(&mut h, &t("employees.save"));
    assert!(has_text(&h, &t("employees.need_no")));
    type_into(&mut h, &t("employees.form_no"), "2001");
    type_into(&mut h, &t("employees.form_hired"), "2026-03-01");
    click_button(&mut h, &t("employees.save"));
    wait_for(&mut h, "the added employee", |h| {
        has_text(h, &t("employees.added")) && has(h, "2001")
    });
    let e = employee(&env, "2001").expect("employee in the database");
    assert_eq!(e.name, "王五");
    assert_eq!(e.department.as_deref(), Some("办公室"));
    assert_eq!(
        e.hire_date.map(|d| d.to_string()).as_deref(),
        Some("2026-03-01")
    );

    // The same 工号 again is refused before anything is sent.
    click_button(&mut h, &t("employees.add"));
    type_into(&mut h, &t("employees.form_no"), "2001");
    type_into(&mut h, &t("employees.form_name"), "重复");
    click_button(&mut h, &t("employees.save"));
    assert!(has_text(&h, &t("employees.no_taken")));
    click_button(&mut h, &t("employees.cancel"));

    // Edit: select the row, change the name and the position, Enter submits.
    h.get_by_label("2001").click();
    h.step();
    click_button(&mut h, &t("employees.edit"));
    wait_for(&mut h, "the edit form", |h| {
        has(h, &t("employees.form_position"))
    });
    retype(&mut h, &t("employees.form_name"), "王五六");
    type_into(&mut h, &t("employees.form_position"), "科长");
    h.key_press(egui::Key::Enter);
    h.step();
    wait_for(&mut h, "the saved change", |h| {
        has_text(h, &t("employees.updated"))
    });
    let e = employee(&env, "2001").expect("employee");
    assert_eq!(e.name, "王五六");
    assert_eq!(e.position.as_deref(), Some("科长"));
    assert_eq!(
        e.hire_date.map(|d| d.to_string()).as_deref(),
        Some("2026-03-01")
    );

    // Deactivate, with a confirmation.
    h.get_by_label("2001").click();
    h.step();
    click_button(&mut h, &t("employees.deactivate"));
    click_button(&mut h, &t("employees.deactivate_ok"));
    wait_for(&mut h, "the deactivation", |h| {
        has_text(h, &t("employees.deactivated"))
    });
    let e = employee(&env, "2001").expect("employee");
    assert!(!e.active, "still active");
    assert!(e.leave_date.is_some());
}

#[test]
fn import_shows_the_report_first_and_commits_only_the_valid_rows_on_request() {
    let env = env_with_users();
    {
        let store = kaoqin_store::Store::open(&env.paths.db).expect("open");
        kaoqin_store::departments::add(store.conn(), "办公室", None).expect("department");
    }
    // Three rows, the second without a name.
    let file = env.dir.path().join("人员.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let rows = [
        ["工号", "姓名", "部门", "入职日期"],
        ["3001", "张一", "办公室", "2026-01-05"],
        ["3002", "", "办公室", "2026-01-05"],
        ["3003", "李二", "办公室", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).expect("cell");
        }
    }
    wb.save(&file).expect("save xlsx");

    let mut h = harness(&env, LANG);
    open_page(&mut h, LANG, "admin", "admin-pass-1", "nav.employees");
    let t = |k: &str| tr(LANG, k);
    h.get_by_label(&t("employees.import")).click();
    h.step();
    type_into(
        &mut h,
        &t("employees.import_file"),
        &file.display().to_string(),
    );
    click_button(&mut h, &t("employees.check_file"));
    wait_for(&mut h, "the validation report", |h| {
        has_text(h, &prefix(LANG, "employees.preview_summary"))
    });
    assert!(has_text(&h, "有效行：2；有错误的行：1"), "summary");
    assert!(has_text(&h, &t("employees.preview_nothing_yet")));
    // The bad row is listed with its row number; the valid ones as rows to add.
    assert!(has(&h, "3"), "row number of the bad row");
    assert!(has(&h, "张一") && has(&h, "李二"));
    for no in ["3001", "3002", "3003"] {
        assert!(employee(&env, no).is_none(), "{no} written by the dry run");
    }

    let import = "导入 2 条有效行";
    assert!(has_button(&h, import));
    click_button(&mut h, import);
    wait_for(&mut h, "the import", |h| {
        has_text(h, &prefix(LANG, "employees.import_done"))
    });
    assert_eq!(employee(&env, "3001").expect("3001").name, "张一");
    assert_eq!(employee(&env, "3003").expect("3003").name, "李二");
    assert!(employee(&env, "3002").is_none(), "the bad row was imported");
    // The table shows them after the reload.
    wait_for(&mut h, "the reloaded table", |h| has(h, "3001"));

    // The template, to a typed path (no file dialog under test).
    let template = env.dir.path().join("模板.xlsx");
    retype(
        &mut h,
        &t("employees.template_path"),
        &template.display().to_string(),
    );
    click_button(&mut h, &t("employees.save_template"));
    wait_for(&mut h, "the template", |h| {
        has_text(h, &prefix(LANG, "employees.template_saved"))
    });
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(&template).expect("template opens");
    let sheet = book.sheet_names().first().cloned().expect("a sheet");
    let range = book.worksheet_range(&sheet).expect("sheet");
    let header: Vec<String> = range
        .rows()
        .next()
        .expect("header row")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(header.iter().any(|h| h.contains("工号")), "{header:?}");
}

#[test]
fn the_clerk_may_edit_the_auditor_only_reads() {
    let env = env_with_users();
    for (user, edit) in [("kaoqinyuan", true), ("jiandu", false)] {
        let mut h = harness(&env, LANG);
        open_page(
            &mut h,
            LANG,
            user,
            &format!("{user}-pass-1"),
            "nav.employees",
        );
        wait_for(&mut h, "the page", |h| {
            has_text(h, &prefix(LANG, "employees.employees"))
        });
        assert_eq!(has_button(&h, &tr(LANG, "employees.add")), edit, "{user}");
        assert_eq!(has(&h, &tr(LANG, "employees.import")), edit, "{user}");
    }
}
