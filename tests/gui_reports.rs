//! The Reports page, headless (egui_kittest, AccessKit queries, the demo database and real worker
//! threads): the clerk runs a month and sees the grid with the sheet's symbols, opens a cell and
//! sees its punches, exports the workbook through the path field (read back with calamine) and
//! gets a readable error for a path that cannot be written; the other roles see only what their
//! role allows.

mod gui_common;

use calamine::{Data, Reader};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use egui_kittest::kittest::Queryable;
use gui_common::*;
use kaoqin::app::clock::RecordingSleeper;
use kaoqin::app::demo::{self, DEMO_CLERK, DEMO_TERMINAL};
use kaoqin::app::month::Month;
use kaoqin::app::session::Session;
use kaoqin::i18n::Lang;

const EN: Lang = Lang::English;

/// The month before the test day (the page's default).
fn previous_month() -> String {
    let today = test_now().date();
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("date");
    let prev = first - chrono::Duration::days(1);
    format!("{:04}-{:02}", prev.year(), prev.month())
}

/// A clerk's session at the test time (off-peak, so the demo terminal may be downloaded).
fn clerk_session(env: &Env) -> Session {
    Session::login(
        &env.paths,
        DEMO_CLERK,
        DEMO_PASSWORD,
        test_clock(),
        &RecordingSleeper::default(),
    )
    .expect("clerk logs in")
}

/// Downloads the demo terminal's punches through the service (as the Terminals page does).
fn download(env: &Env) -> Session {
    let mut clerk = clerk_session(env);
    clerk
        .download(DEMO_TERMINAL, None, kaoqin_sync::SessionIo::default())
        .expect("download");
    clerk
}

/// An employee without requests and one of their punches on a weekday of `month`.
fn known_punch(env: &Env, clerk: &Session, month: &str) -> (String, String, NaiveDateTime) {
    let spec = demo::stored_spec(&env.paths).expect("spec").expect("demo");
    let (no, name) = demo::sample_people(&spec)
        .into_iter()
        .nth(4)
        .expect("a fifth employee");
    let m = Month::parse(month).expect("month");
    let punch = clerk
        .punches(&Default::default())
        .expect("punches")
        .into_iter()
        .filter(|p| p.enrollment_no == no)
        .filter(|p| p.ts.date() >= m.first() && p.ts.date() <= m.last())
        .filter(|p| p.ts.weekday().num_days_from_monday() < 5)
        .map(|p| p.ts)
        .min()
        .expect("a weekday punch in the month");
    (no, name, punch)
}

/// Replaces the text of the field labelled `label`.
fn replace_text(h: &mut H, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_label(label).type_text(text);
    h.step();
}

fn sheet_texts(path: &std::path::Path) -> Vec<String> {
    let mut book = calamine::open_workbook_auto(path).expect("calamine opens the workbook");
    let mut out = Vec::new();
    for name in book.sheet_names().to_vec() {
        let range = book.worksheet_range(&name).expect("sheet");
        out.extend(range.used_cells().filter_map(|(_, _, c)| match c {
            Data::String(s) => Some(s.clone()),
            _ => None,
        }));
    }
    out
}

#[test]
fn clerk_runs_the_month_opens_a_cell_and_exports_to_excel() {
    let (env, _sim) = env_demo();
    let clerk = download(&env);
    let month = previous_month();
    let (no, name, punch) = known_punch(&env, &clerk, &month);
    drop(clerk);

    let mut h = harness_sized(&env, EN, [1600.0, 1000.0]);
    open_page(&mut h, EN, "clerk", DEMO_PASSWORD, "nav.reports");
    let not_run = tr(EN, "reports.not_run").replace("%{month}", &month);
    wait_for(&mut h, "the not-run note", |h| has_text(h, &not_run));

    click_button(&mut h, &tr(EN, "reports.run"));
    let cell = format!("{no} {name} {}:", punch.date());
    wait_for(&mut h, "the grid", |h| has(h, &name) && has_text(h, "√"));
    // Only that employee, so the row is on screen whatever the department order.
    type_into(&mut h, &tr(EN, "common.search"), &name);
    wait_for(&mut h, "the employee's cell", |h| has_text(h, &cell));
    assert!(has_text(&h, &prefix(EN, "reports.run_info")));

    h.query_all_by_label_contains(&cell)
        .next()
        .expect("the cell")
        .click();
    h.step();
    let time = punch.format("%H:%M:%S").to_string();
    wait_for(&mut h, "the day's punches", |h| {
        has(h, &tr(EN, "reports.detail_title")) && has(h, &time)
    });
    assert!(has(&h, DEMO_TERMINAL), "the punch names its terminal");
    assert!(
        has(&h, &tr(EN, "reports.origin_download")),
        "the punch says where it came from"
    );
    assert!(has_text(&h, &tr(EN, "reports.detail_punches")));

    // The demo's approved annual leave of its first employee: the cell says why.
    let spec = demo::stored_spec(&env.paths).expect("spec").expect("demo");
    let (no0, name0) = demo::sample_people(&spec)
        .into_iter()
        .next()
        .expect("employee");
    let m = Month::parse(&month).expect("month");
    let leave_day = (12..=m.last().day())
        .filter_map(|d| NaiveDate::from_ymd_opt(m.year(), m.month(), d))
        .find(|d| d.weekday() == chrono::Weekday::Tue)
        .expect("a Tuesday");
    replace_text(&mut h, &tr(EN, "common.search"), &name0);
    let leave_cell = format!("{no0} {name0} {leave_day}:");
    wait_for(&mut h, "the leave cell", |h| has_text(h, &leave_cell));
    h.query_all_by_label_contains(&leave_cell)
        .next()
        .expect("the leave cell")
        .click();
    h.step();
    let approved = tr(EN, "reports.state_approved");
    wait_for(&mut h, "the approved leave behind the cell", |h| {
        has_text(h, &format!("{} ({approved})", tr(EN, "reports.req_leave")))
    });

    // Export through the path field (no dialog under test).
    let path = env.dir.path().join("exports").join("月报.xlsx");
    replace_text(
        &mut h,
        &tr(EN, "reports.xlsx_path"),
        &path.display().to_string(),
    );
    click_button(&mut h, &tr(EN, "reports.export_xlsx"));
    let saved = prefix(EN, "reports.saved");
    wait_for(&mut h, "the saved note", |h| has_text(h, &saved));
    assert!(path.is_file(), "the workbook is written");
    let texts = sheet_texts(&path);
    assert!(texts.iter().any(|t| t == &name), "the sheet names {name}");
    assert!(
        texts.iter().any(|t| t.contains('√')),
        "the sheet has symbols"
    );

    // A path below a file cannot be written: a readable error, nothing written.
    let blocker = env.dir.path().join("a-file");
    std::fs::write(&blocker, "x").expect("write");
    let bad = blocker.join("x.xlsx");
    replace_text(
        &mut h,
        &tr(EN, "reports.xlsx_path"),
        &bad.display().to_string(),
    );
    click_button(&mut h, &tr(EN, "reports.export_xlsx"));
    let err = tr(EN, "reports.error_not_writable");
    wait_for(&mut h, "the not-writable error", |h| has(h, &err));
    assert!(!bad.exists());
}

#[test]
fn supervisor_sees_the_run_month_and_may_export_but_not_run_and_admin_only_reads() {
    let (env, _sim) = env_demo();
    let mut clerk = download(&env);
    let month = previous_month();
    let (_, name, _) = known_punch(&env, &clerk, &month);
    clerk
        .run_month(Month::parse(&month).expect("month"))
        .expect("the clerk runs the month");
    drop(clerk);

    for (user, may_export) in [("supervisor", true), ("admin", false)] {
        let mut h = harness_sized(&env, EN, [1600.0, 1000.0]);
        open_page(&mut h, EN, user, DEMO_PASSWORD, "nav.reports");
        wait_for(&mut h, "the stored month", |h| has(h, &name));
        assert!(has_text(&h, "clerk"), "{user}: the run names who ran it");
        assert!(!has_button(&h, &tr(EN, "reports.run")), "{user}: no Run");
        assert_eq!(
            has_button(&h, &tr(EN, "reports.export_xlsx")),
            may_export,
            "{user}: export"
        );
        // The charts and the summary open for every reader.
        click_button(&mut h, &tr(EN, "reports.view_charts"));
        assert!(has_text(&h, &tr(EN, "reports.chart_by_department")));
        click_button(&mut h, &tr(EN, "reports.view_summary"));
        wait_for(&mut h, "the summary", |h| has(h, &name));
    }
}

#[test]
fn auditor_reads_that_the_month_is_not_run_and_who_runs_it() {
    let env = env_with_users();
    let mut h = harness(&env, EN);
    open_page(&mut h, EN, "jiandu", "jiandu-pass-1", "nav.reports");
    let note = tr(EN, "reports.not_run_ask").replace("%{month}", &previous_month());
    wait_for(&mut h, "the note", |h| has_text(h, &note));
    assert!(!has_button(&h, &tr(EN, "reports.run")));
    assert!(!has_button(&h, &tr(EN, "reports.export_xlsx")));
}
