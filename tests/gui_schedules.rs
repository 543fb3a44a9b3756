//! The Schedules page driven headless on a real database: a shift made from preset A, assigned to
//! a department, the month calendar showing 国庆节 on 2026-10-01 as a statutory holiday, a day
//! overridden as a local holiday; the auditor sees it read-only. Outcomes are read back through
//! the services.

mod gui_common;

use egui_kittest::kittest::Queryable;
use gui_common::*;
use kaoqin::app::clock::ThreadSleeper;
use kaoqin::app::session::Session;
use kaoqin::i18n::Lang;
use kaoqin_domain::DayKind;

const LANG: Lang = Lang::ZhCn;

/// A few frames for tables and grids that lay themselves out over two frames (sizing passes)
/// before a click lands on them.
fn settle(h: &mut H) {
    for _ in 0..4 {
        h.step();
    }
}

fn login(env: &Env, user: &str) -> Session {
    Session::login(
        &env.paths,
        user,
        &format!("{user}-pass-1"),
        test_clock(),
        &ThreadSleeper,
    )
    .expect("service log-in")
}

fn with(key: &str, name: &str, value: &str) -> String {
    tr(LANG, key).replace(&format!("%{{{name}}}"), value)
}

fn retype(h: &mut H, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_label(label).type_text(text);
    h.step();
}

#[test]
fn shift_from_preset_assigned_to_a_department_and_the_2026_calendar() {
    let env = env_with_users();
    login(&env, "admin")
        .add_department("办公室", None)
        .expect("department");
    let mut h = harness(&env, LANG);
    open_page(
        &mut h,
        LANG,
        "kaoqinyuan",
        "kaoqinyuan-pass-1",
        "nav.schedules",
    );
    wait_for(&mut h, "the shifts", |h| has_text(h, "机关两次签到"));
    settle(&mut h);
    // Preset A's timeline is drawn for the selected shift, with its split point and punch rule.
    let timeline_a = with("schedules.timeline_of", "code", "A");
    wait_for(&mut h, "preset A's timeline", |h| has(h, &timeline_a));
    assert!(has(&h, &tr(LANG, "schedules.s_split")));
    assert!(
        has_text(&h, "12:45"),
        "A's split point between 12:00 and 13:30"
    );
    assert!(has(&h, &tr(LANG, "schedules.rule_windows_help")));

    // A new shift from preset C, code T1.
    h.get_by_label_contains("C 标准工时").click();
    h.step();
    click_button(&mut h, &tr(LANG, "schedules.from_preset"));
    click_button(&mut h, &tr(LANG, "schedules.save_shift"));
    assert!(has(&h, &tr(LANG, "schedules.need_code")), "no inline error");
    type_into(&mut h, &tr(LANG, "schedules.code"), "T1");
    retype(&mut h, &tr(LANG, "schedules.name_zh"), "测试班");
    // ZK's strict windows, chosen on purpose, and what they do said in words.
    h.get_by_label(&tr(LANG, "schedules.rule_strict")).click();
    let strict_help = tr(LANG, "schedules.rule_strict_help");
    wait_for(&mut h, "the strict rule explained", |h| {
        has(h, &strict_help)
    });
    click_button(&mut h, &tr(LANG, "schedules.save_shift"));
    let saved = with("schedules.shift_saved", "subject", "T1");
    wait_for(&mut h, "the shift saved", |h| has(h, &saved));
    settle(&mut h);
    let t1 = login(&env, "kaoqinyuan")
        .get_shift("T1")
        .expect("T1 stored");
    let c = kaoqin_domain::presets::preset_c();
    assert_eq!(t1.name_zh, "测试班");
    assert_eq!(t1.sessions, c.sessions);
    assert_eq!(t1.in_out, kaoqin_domain::InOutMode::StrictWindows);
    wait_for(&mut h, "T1 listed", |h| has_text(h, "T1  测试班"));
    settle(&mut h);
    let timeline_t1 = with("schedules.timeline_of", "code", "T1");
    wait_for(&mut h, "T1's timeline", |h| has(h, &timeline_t1));

    // Assign T1 to the department from 2026-10-01.
    h.get_by_label(&tr(LANG, "schedules.tab_assignments"))
        .click();
    h.step();
    h.get_by_label(&tr(LANG, "schedules.target_dept")).click();
    h.step();
    type_into(&mut h, &tr(LANG, "schedules.who"), "办公室");
    type_into(&mut h, &tr(LANG, "schedules.from"), "2026-10-01");
    click_button(&mut h, &tr(LANG, "schedules.assign"));
    let row = with("schedules.target_dept_is", "name", "办公室");
    wait_for(&mut h, "the assignment listed", |h| has(h, &row));
    settle(&mut h);
    let a = login(&env, "kaoqinyuan")
        .list_assignments()
        .expect("assignments");
    assert_eq!(a.len(), 1);
    assert_eq!(
        (
            a[0].target_kind.as_str(),
            a[0].target.as_str(),
            a[0].plan.as_str()
        ),
        ("department", "办公室", "T1")
    );
    assert_eq!(
        a[0].from.map(|d| d.to_string()).as_deref(),
        Some("2026-10-01")
    );

    // The calendar of October 2026: 国庆节 is a statutory public holiday.
    h.get_by_label(&tr(LANG, "schedules.tab_calendar")).click();
    h.step();
    wait_for(&mut h, "a month", |h| has_text(h, "-01 "));
    settle(&mut h);
    retype(&mut h, &tr(LANG, "schedules.month"), "2026-10");
    click_button(&mut h, &tr(LANG, "schedules.go"));
    let oct1 = format!(
        "2026-10-01 {} 国庆节 {}",
        tr(LANG, "schedules.day_holiday"),
        tr(LANG, "schedules.statutory")
    );
    wait_for(&mut h, "2026-10-01 as 国庆节", |h| has(h, &oct1));
    settle(&mut h);
    assert!(has_text(
        &h,
        &format!("2026-10-05 {}", tr(LANG, "schedules.day_holiday"))
    ));
    assert!(has_text(
        &h,
        &format!("2026-10-14 {}", tr(LANG, "schedules.day_workday"))
    ));

    // Override 2026-10-14 as a local holiday.
    h.get_by_label(&format!("2026-10-14 {}", tr(LANG, "schedules.day_workday")))
        .click();
    h.step();
    // The legend names the kinds too; the editor's choice comes last.
    h.step();
    h.get_all_by_label(&tr(LANG, "schedules.day_other_holiday"))
        .last()
        .expect("day kind choice")
        .click();
    h.step();
    type_into(&mut h, &tr(LANG, "schedules.day_name"), "校庆");
    click_button(&mut h, &tr(LANG, "schedules.save_day"));
    let day = format!(
        "2026-10-14 {} 校庆",
        tr(LANG, "schedules.day_other_holiday")
    );
    wait_for(&mut h, "the overridden day", |h| has(h, &day));
    settle(&mut h);
    let d = chrono::NaiveDate::from_ymd_opt(2026, 10, 14).expect("date");
    let days = login(&env, "kaoqinyuan")
        .calendar_days(d, d)
        .expect("calendar");
    assert_eq!(days[0].1, DayKind::OtherHoliday);
    assert_eq!(days[0].2, "校庆");
}

#[test]
fn auditor_sees_schedules_read_only() {
    let env = env_with_users();
    let mut h = harness(&env, LANG);
    open_page(&mut h, LANG, "jiandu", "jiandu-pass-1", "nav.schedules");
    wait_for(&mut h, "the shifts", |h| has_text(h, "机关两次签到"));
    settle(&mut h);
    assert!(has(&h, &tr(LANG, "schedules.read_only")));
    assert!(!has_button(&h, &tr(LANG, "schedules.from_preset")));
    assert!(!has_button(&h, &tr(LANG, "schedules.edit")));
    h.get_by_label(&tr(LANG, "schedules.tab_assignments"))
        .click();
    h.step();
    assert!(!has_button(&h, &tr(LANG, "schedules.assign")));
}

#[test]
fn clerk_imports_local_days_after_checking_the_file() {
    let env = env_with_users();
    // Two good local days and one impossible date.
    let file = env.paths.db.with_file_name("本地假日.csv");
    std::fs::write(
        &file,
        "日期,类型,名称,法定\n2026-12-24,其他假日,单位庆典,否\n2026-12-26,调休上班,补班,否\n2026-02-30,休息日,错日,否\n",
    )
    .expect("write csv");
    let mut h = harness_sized(&env, LANG, [1280.0, 1400.0]);
    open_page(
        &mut h,
        LANG,
        "kaoqinyuan",
        "kaoqinyuan-pass-1",
        "nav.schedules",
    );
    let tab = tr(LANG, "schedules.tab_calendar");
    wait_for(&mut h, "the calendar tab", |h| has(h, &tab));
    h.get_by_label(&tab).click();
    h.step();
    let import = tr(LANG, "schedules.cal_import");
    wait_for(&mut h, "the import section", |h| has(h, &import));
    h.get_by_label(&import).click();
    settle(&mut h);
    type_into(
        &mut h,
        &tr(LANG, "schedules.cal_import_file"),
        file.to_str().expect("utf-8 path"),
    );
    click_button(&mut h, &tr(LANG, "schedules.cal_import_check"));
    let checked = prefix(LANG, "schedules.cal_import_checked");
    wait_for(&mut h, "the check", |h| has_text(h, &checked));
    // The impossible date is named; nothing is stored yet.
    assert!(has_text(&h, "2026-02-30"));
    let d = |m, day| chrono::NaiveDate::from_ymd_opt(2026, m, day).expect("date");
    let before = login(&env, "kaoqinyuan")
        .calendar_days(d(12, 24), d(12, 24))
        .expect("calendar");
    assert_eq!(before[0].1, DayKind::Workday);

    click_button(&mut h, &with("schedules.cal_import_go", "count", "2"));
    let done = prefix(LANG, "schedules.cal_import_done");
    wait_for(&mut h, "the import", |h| has_text(h, &done));
    let days = login(&env, "kaoqinyuan")
        .calendar_days(d(12, 24), d(12, 26))
        .expect("calendar");
    assert_eq!(
        (days[0].1, days[0].2.as_str()),
        (DayKind::OtherHoliday, "单位庆典")
    );
    assert_eq!(days[2].1, DayKind::MakeupWorkday);
}
