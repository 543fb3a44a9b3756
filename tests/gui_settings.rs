//! Settings through the GUI: the supervisor changes a connection rule (the service then reports
//! the new value and the audit log has the change); the administrator adds an app user with a
//! role, who can then sign in.

mod gui_common;
use gui_common::*;

use egui::accesskit::Role as A11yRole;
use egui_kittest::kittest::Queryable;
use kaoqin::app::audit_log::AuditQuery;
use kaoqin::app::clock::RecordingSleeper;
use kaoqin::app::permissions::Role;
use kaoqin::app::session::Session;
use kaoqin::i18n::Lang;

fn login(env: &Env, user: &str, password: &str) -> Session {
    Session::login(
        &env.paths,
        user,
        password,
        test_clock(),
        &RecordingSleeper::default(),
    )
    .unwrap_or_else(|e| panic!("log in {user}: {e}"))
}

/// Replaces the text of the field labelled `label`.
fn replace_text(h: &mut H, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.step();
    h.get_by_label(label).type_text(text);
    h.step();
    h.step();
    assert_eq!(
        h.get_by_label(label).value().as_deref(),
        Some(text),
        "the field {label} holds the new text"
    );
}

/// A database with every role, the supervisor signed in on Settings with the rules form loaded.
fn supervisor_on_settings(lang: Lang) -> (Env, H) {
    let env = env_with_users();
    let mut h = harness(&env, lang);
    open_page(&mut h, lang, "zhuguan", "zhuguan-pass-1", "nav.settings");
    let spacing = tr(lang, "settings.spacing");
    let symbols = tr(lang, "settings.sym_present");
    wait_for(&mut h, "the rules form", |h| {
        has(h, &spacing) && has(h, &symbols)
    });
    (env, h)
}

#[test]
fn supervisor_changes_the_spacing_rule_and_it_is_audited() {
    let lang = Lang::English;
    let (env, mut h) = supervisor_on_settings(lang);
    let spacing = tr(lang, "settings.spacing");
    replace_text(&mut h, &spacing, "25");
    click_button(&mut h, &tr(lang, "settings.save_rules"));
    let saved = tr(lang, "settings.rules_saved");
    wait_for(&mut h, "the rules saved", |h| has(h, &saved));

    let s = login(&env, "zhuguan", "zhuguan-pass-1");
    let rules = s.sync_settings().expect("settings").rules;
    assert_eq!(rules.spacing_min, 25);
    assert_eq!(
        rules.margin_before_sign_in_min, 45,
        "other values unchanged"
    );
    let entries = s
        .audit_log(&AuditQuery {
            action: Some("settings.change".into()),
            ..AuditQuery::default()
        })
        .expect("audit");
    let e = entries
        .iter()
        .find(|e| e.target == "sync.connection_rules")
        .expect("an audit entry for the rules");
    assert_eq!(e.actor, "zhuguan");
    assert_eq!(e.details["new"]["spacing_min"], 25);
}

#[test]
fn supervisor_gets_a_clear_error_for_a_bad_time() {
    let lang = Lang::English;
    let (env, mut h) = supervisor_on_settings(lang);
    let spacing = tr(lang, "settings.spacing");
    replace_text(&mut h, &spacing, "soon");
    click_button(&mut h, &tr(lang, "settings.save_rules"));
    assert!(has(&h, &tr(lang, "settings.error_number")));
    let s = login(&env, "zhuguan", "zhuguan-pass-1");
    assert_eq!(s.sync_settings().expect("settings").rules.spacing_min, 10);
}

#[test]
fn admin_adds_an_app_user_with_a_role_who_can_sign_in() {
    let env = env_with_users();
    let lang = Lang::English;
    let mut h = harness(&env, lang);
    open_page(&mut h, lang, "admin", "admin-pass-1", "nav.settings");
    let name = tr(lang, "settings.new_user");
    let symbols = tr(lang, "settings.sym_present");
    wait_for(&mut h, "the add-user form", |h| {
        has(h, &name) && has(h, &symbols)
    });
    type_into(&mut h, &name, "xinren");
    h.get_all_by_role_and_label(A11yRole::RadioButton, &tr(lang, "role.supervisor"))
        .next()
        .expect("supervisor radio")
        .click();
    h.step();
    type_into(&mut h, &tr(lang, "settings.new_password"), "xinren-pass-1");
    type_into(
        &mut h,
        &tr(lang, "settings.new_password_again"),
        "xinren-pass-1",
    );
    click_button(&mut h, &tr(lang, "settings.add_user_button"));
    let added = tr(lang, "settings.user_added").replace("%{user}", "xinren");
    wait_for(&mut h, "the user added", |h| has(h, &added));
    wait_for(&mut h, "the new user listed", |h| has(h, "xinren"));

    let s = login(&env, "xinren", "xinren-pass-1");
    assert_eq!(s.role(), Role::Supervisor);
}

#[test]
fn admin_changes_a_report_symbol_and_a_clash_is_explained() {
    let env = env_with_users();
    let lang = Lang::English;
    let mut h = harness_sized(&env, lang, [1280.0, 2400.0]);
    open_page(&mut h, lang, "admin", "admin-pass-1", "nav.settings");
    let late = tr(lang, "settings.sym_late");
    let save = tr(lang, "settings.symbols_save");
    wait_for(&mut h, "the symbols", |h| {
        has(h, &late) && has_button(h, &save)
    });
    replace_text(&mut h, &late, "L");
    click_button(&mut h, &save);
    let saved = tr(lang, "settings.symbols_saved");
    wait_for(&mut h, "the symbols saved", |h| has(h, &saved));
    let s = login(&env, "admin", "admin-pass-1");
    assert_eq!(s.report_symbols().expect("symbols").late, "L");

    // Absent as L too: the service's reason is shown and nothing is stored.
    replace_text(&mut h, &tr(lang, "settings.sym_absent"), "L");
    click_button(&mut h, &save);
    wait_for(&mut h, "the clash explained", |h| {
        has_text(h, "both show 'L'")
    });
    assert_eq!(s.report_symbols().expect("symbols").absent, "旷");

    click_button(&mut h, &tr(lang, "settings.symbols_reset"));
    wait_for(&mut h, "the defaults back", |h| has(h, &saved));
    assert_eq!(
        s.report_symbols().expect("symbols"),
        kaoqin_domain::report::SymbolSet::default()
    );
}

#[test]
fn the_clerk_sees_the_symbols_but_cannot_change_them() {
    let env = env_with_users();
    let lang = Lang::English;
    let mut h = harness(&env, lang);
    open_page(
        &mut h,
        lang,
        "kaoqinyuan",
        "kaoqinyuan-pass-1",
        "nav.settings",
    );
    let read_only = tr(lang, "settings.symbols_read_only");
    // The hint is drawn at once, the symbols when their job is back.
    wait_for(&mut h, "the symbols", |h| {
        has(h, &read_only) && has(h, "迟")
    });
    assert!(!has_button(&h, &tr(lang, "settings.symbols_save")));
}

#[test]
fn admin_restores_a_backup_and_signs_in_again_on_the_restored_database() {
    let env = env_with_users();
    let lang = Lang::English;
    // A backup made before the user "later" existed.
    let backup = env.paths.db.with_file_name("before.db");
    login(&env, "admin", "admin-pass-1")
        .backup(&backup)
        .expect("backup");
    let mut admin = login(&env, "admin", "admin-pass-1");
    admin
        .add_user("later", Role::HrClerk, "later-pass-1")
        .expect("user");
    drop(admin);

    let mut h = harness_sized(&env, lang, [1280.0, 2400.0]);
    open_page(&mut h, lang, "admin", "admin-pass-1", "nav.settings");
    let path = tr(lang, "settings.restore_path");
    wait_for(&mut h, "the restore field", |h| has(h, &path));
    type_into(&mut h, &path, backup.to_str().expect("utf-8 path"));
    click_button(&mut h, &tr(lang, "settings.restore_button"));
    let password = tr(lang, "settings.restore_password");
    wait_for(&mut h, "the confirmation", |h| has(h, &password));
    // The modal's password field: the last one drawn (the add-user form has two more).
    h.query_all_by_role(A11yRole::PasswordInput)
        .last()
        .expect("the password field")
        .focus();
    h.step();
    h.query_all_by_role(A11yRole::PasswordInput)
        .last()
        .expect("the password field")
        .type_text("admin-pass-1");
    h.step();
    click_button(&mut h, &tr(lang, "settings.restore_confirm"));
    let again = tr(lang, "settings.sign_in_again");
    wait_for(&mut h, "the restore done", |h| has_button(h, &again));
    click_button(&mut h, &again);
    wait_for(&mut h, "the log-in screen", |h| {
        has_button(h, &tr(lang, "login.sign_in"))
    });
    // The database is the backup's: "later" is gone, the restore is audited there.
    let s = login(&env, "admin", "admin-pass-1");
    assert!(
        s.list_users()
            .expect("users")
            .iter()
            .all(|u| u.name != "later")
    );
    let restores = s
        .audit_log(&AuditQuery {
            action: Some("restore".into()),
            ..AuditQuery::default()
        })
        .expect("audit");
    assert_eq!(restores.len(), 1);
}
