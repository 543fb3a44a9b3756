//! The GUI driven headless with egui_kittest (AccessKit queries) on a real SQLite database:
//! first-run wizard, log-in per role and what each role sees, wrong password, live language switch.
//!
//! The background worker threads are real, so each test steps frames until the UI shows what it
//! waits for (or fails after a timeout). The harness draws with the bundled font only and panics
//! on any character it lacks, which doubles as a font-coverage check.

mod gui_common;

use egui_kittest::kittest::Queryable;
use gui_common::*;
use kaoqin::i18n::Lang;

const NAV: [&str; 8] = [
    "nav.dashboard",
    "nav.terminals",
    "nav.employees",
    "nav.schedules",
    "nav.requests",
    "nav.reports",
    "nav.audit",
    "nav.settings",
];

#[test]
fn each_role_sees_its_navigation_and_items() {
    let env = env_with_users();
    let lang = Lang::ZhCn;
    // (user, password, pages expected, device admin visible, app users visible)
    let cases: &[(&str, &str, &[&str], bool, bool)] = &[
        (
            "admin",
            "admin-pass-1",
            &[
                "nav.dashboard",
                "nav.terminals",
                "nav.employees",
                "nav.schedules",
                "nav.reports",
                "nav.audit",
                "nav.settings",
            ],
            false,
            true,
        ),
        ("zhuguan", "zhuguan-pass-1", &NAV, true, false),
        (
            "kaoqinyuan",
            "kaoqinyuan-pass-1",
            &[
                "nav.dashboard",
                "nav.terminals",
                "nav.employees",
                "nav.schedules",
                "nav.requests",
                "nav.reports",
                "nav.settings",
            ],
            false,
            false,
        ),
        ("jiandu", "jiandu-pass-1", &NAV, false, false),
    ];
    for (user, password, pages, device_admin, app_users) in cases {
        let mut h = harness(&env, lang);
        sign_in(&mut h, lang, user, password);
        wait_for(&mut h, "the main window", |h| {
            has(h, &tr(lang, "dashboard.organisation"))
        });
        assert!(has(&h, "测试局"), "{user}: organisation not shown");
        for key in NAV {
            assert_eq!(
                has_button(&h, &tr(lang, key)),
                pages.contains(&key),
                "{user}: navigation item {key}"
            );
        }
        click_button(&mut h, &tr(lang, "nav.terminals"));
        assert_eq!(
            has(&h, &tr(lang, "terminals.device_admin")),
            *device_admin,
            "{user}: device admin section"
        );
        click_button(&mut h, &tr(lang, "nav.settings"));
        assert_eq!(
            has(&h, &tr(lang, "settings.app_users")),
            *app_users,
            "{user}: app users section"
        );
        let read_only = *user == "jiandu";
        assert_eq!(
            has(&h, &tr(lang, "status.read_only")),
            read_only,
            "{user}: read-only badge"
        );
    }
}

#[test]
fn wrong_password_shows_a_localized_error_and_stays_on_log_in() {
    let env = env_with_users();
    for lang in [Lang::ZhCn, Lang::English] {
        let mut h = harness(&env, lang);
        sign_in(&mut h, lang, "admin", "not-the-password");
        wait_for(&mut h, "the error", |h| {
            has(h, &tr(lang, "error.bad_credentials"))
        });
        assert!(has_button(&h, &tr(lang, "login.sign_in")));
        assert!(!has_button(&h, &tr(lang, "nav.dashboard")));
    }
    // An unknown user gets the same message (no hint which part was wrong).
    let mut h = harness(&env, Lang::ZhCn);
    sign_in(&mut h, Lang::ZhCn, "nobody", "whatever");
    wait_for(&mut h, "the error", |h| {
        has(h, &tr(Lang::ZhCn, "error.bad_credentials"))
    });
}

#[test]
fn switching_language_changes_labels_live() {
    let env = env_with_users();
    let mut h = harness(&env, Lang::ZhCn);
    wait_for(&mut h, "the log-in screen", |h| has_button(h, "登录"));
    h.get_by_label("English").click();
    h.step();
    h.step();
    assert!(has_button(&h, "Sign in"));
    assert!(!has_button(&h, "登录"));
    assert_eq!(h.state().lang(), Lang::English);

    sign_in(&mut h, Lang::English, "zhuguan", "zhuguan-pass-1");
    wait_for(&mut h, "the main window", |h| has_button(h, "Dashboard"));
    click_button(&mut h, "Settings");
    h.get_by_label("繁體中文").click();
    h.step();
    h.step();
    assert!(has_button(&h, "總覽"), "zh-TW navigation");
    assert!(!has_button(&h, "Dashboard"));
    assert_eq!(
        h.state().prefs().lang,
        Lang::ZhTw,
        "the choice is remembered in the preferences"
    );
}

#[test]
fn first_run_wizard_creates_the_organisation_and_the_admin() {
    let env = env();
    let lang = Lang::ZhCn;
    let mut h = harness(&env, lang);
    wait_for(&mut h, "the wizard", |h| {
        has_button(h, &tr(lang, "wizard.create"))
    });

    // Mismatched passwords are caught by the form, nothing is written.
    type_into(&mut h, &tr(lang, "wizard.organisation"), "某某市人社局");
    type_into(&mut h, &tr(lang, "wizard.admin"), "guanliyuan");
    type_into(&mut h, &tr(lang, "wizard.password"), "first-pass-1");
    type_into(&mut h, &tr(lang, "wizard.password_again"), "first-pass-2");
    click_button(&mut h, &tr(lang, "wizard.create"));
    assert!(has(&h, &tr(lang, "wizard.error_password_mismatch")));
    let store = kaoqin_store::Store::open(&env.paths.db).expect("open");
    assert_eq!(kaoqin_store::users::count(store.conn()).expect("count"), 0);

    h.get_by_label(&tr(lang, "wizard.password_again")).focus();
    h.step();
    h.key_press(egui::Key::Backspace);
    h.step();
    h.get_by_label(&tr(lang, "wizard.password_again"))
        .type_text("1");
    h.step();
    click_button(&mut h, &tr(lang, "wizard.create"));
    wait_for(&mut h, "the first-terminal step", |h| {
        has(h, &tr(lang, "wizard.terminal_title"))
    });

    // The first terminal: the form's own checks first, then added as the new administrator.
    click_button(&mut h, &tr(lang, "wizard.terminal_add"));
    assert!(has(&h, &tr(lang, "terminals.need_name")));
    type_into(&mut h, &tr(lang, "terminals.form_name"), "一楼大厅");
    type_into(
        &mut h,
        &tr(lang, "terminals.form_address"),
        "192.168.1.201:4370",
    );
    type_into(&mut h, &tr(lang, "terminals.form_comm_key"), "12ab");
    click_button(&mut h, &tr(lang, "wizard.terminal_add"));
    assert!(has(&h, &tr(lang, "terminals.bad_comm_key")));
    assert!(
        kaoqin_store::terminals::list(store.conn())
            .expect("list")
            .is_empty()
    );
    h.get_by_label(&tr(lang, "terminals.form_comm_key")).focus();
    h.step();
    for _ in 0..2 {
        h.key_press(egui::Key::Backspace);
        h.step();
    }
    click_button(&mut h, &tr(lang, "wizard.terminal_add"));
    wait_for(&mut h, "the log-in screen", |h| {
        has(h, &tr(lang, "wizard.terminal_done"))
    });
    let terminals = kaoqin_store::terminals::list(store.conn()).expect("list");
    assert_eq!(terminals.len(), 1);
    let t = &terminals[0];
    assert_eq!(
        (t.name.as_str(), t.kind, t.address.as_str(), t.port),
        (
            "一楼大厅",
            kaoqin_store::TerminalKind::ZkTcp,
            "192.168.1.201",
            Some(4370)
        )
    );
    assert!(
        t.comm_secret.is_some(),
        "the comm key 12 is stored (encrypted)"
    );

    assert_eq!(
        kaoqin_store::org::get_name(store.conn())
            .expect("org")
            .as_deref(),
        Some("某某市人社局")
    );
    let admin = kaoqin_store::users::get_by_name(store.conn(), "guanliyuan").expect("admin exists");
    assert_eq!(admin.role, kaoqin_store::Role::Admin);
    assert!(kaoqin_store::users::verify_password(
        &admin.password_hash,
        "first-pass-1"
    ));
    assert!(
        kaoqin_store::audit::verify(store.conn())
            .expect("verify")
            .is_intact()
    );

    // The user name is pre-filled; the password signs in and the organisation is shown.
    type_into(&mut h, &tr(lang, "login.password"), "first-pass-1");
    click_button(&mut h, &tr(lang, "login.sign_in"));
    wait_for(&mut h, "the main window", |h| {
        has_button(h, &tr(lang, "nav.audit"))
    });
    assert!(has(&h, "某某市人社局"));
}

#[test]
fn the_first_terminal_may_be_skipped() {
    let env = env();
    let lang = Lang::English;
    let mut h = harness(&env, lang);
    wait_for(&mut h, "the wizard", |h| {
        has_button(h, &tr(lang, "wizard.create"))
    });
    type_into(&mut h, &tr(lang, "wizard.organisation"), "Test Office");
    type_into(&mut h, &tr(lang, "wizard.admin"), "boss");
    type_into(&mut h, &tr(lang, "wizard.password"), "first-pass-1");
    type_into(&mut h, &tr(lang, "wizard.password_again"), "first-pass-1");
    click_button(&mut h, &tr(lang, "wizard.create"));
    wait_for(&mut h, "the first-terminal step", |h| {
        has(h, &tr(lang, "wizard.terminal_title"))
    });
    click_button(&mut h, &tr(lang, "wizard.terminal_skip"));
    wait_for(&mut h, "the log-in screen", |h| {
        has(h, &tr(lang, "wizard.done"))
    });
    let store = kaoqin_store::Store::open(&env.paths.db).expect("open");
    assert!(
        kaoqin_store::terminals::list(store.conn())
            .expect("list")
            .is_empty()
    );
    assert_eq!(
        h.get_by_label(&tr(lang, "login.user")).value().as_deref(),
        Some("boss"),
        "the new administrator is pre-filled"
    );
}
