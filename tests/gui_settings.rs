//! Settings through the GUI: the supervisor changes a connection rule (the service then reports
//! the new value and the audit log has the change); the administrator adds an app user with a
//! role, who can then sign in; restores: a backup that verifies, and a doctored one that is
//! refused with its reasons until the administrator restores it anyway with a reason.

mod gui_common;
use gui_common::*;

use egui::accesskit::Role as A11yRole;
use egui_kittest::kittest::{NodeT, Queryable};
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

/// Types into the password field of the modal: the last one drawn (the add-user form has two
/// more).
fn type_modal_password(h: &mut H, password: &str) {
    h.query_all_by_role(A11yRole::PasswordInput)
        .last()
        .expect("the password field")
        .focus();
    h.step();
    h.query_all_by_role(A11yRole::PasswordInput)
        .last()
        .expect("the password field")
        .type_text(password);
    h.step();
}

#[test]
fn a_doctored_backup_is_refused_and_the_admin_restores_it_anyway_with_a_reason() {
    let env = env_with_users();
    let lang = Lang::English;
    // A backup whose guards were dropped by someone with the file, made before "later" existed.
    let backup = env.paths.db.with_file_name("doctored.db");
    login(&env, "admin", "admin-pass-1")
        .backup(&backup)
        .expect("backup");
    rusqlite::Connection::open(&backup)
        .and_then(|c| {
            c.execute_batch("DROP TRIGGER raw_punches_no_delete; DROP TRIGGER audit_log_no_delete;")
        })
        .expect("doctor the backup");
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
    type_modal_password(&mut h, "admin-pass-1");
    click_button(&mut h, &tr(lang, "settings.restore_confirm"));

    // Refused, with the reasons; nothing changed and the refusal is audited.
    let refused = tr(lang, "settings.restore_refused_title");
    wait_for(&mut h, "the refusal", |h| has(h, &refused));
    assert!(
        has_text(&h, "trigger audit_log_no_delete is missing"),
        "the reason is shown"
    );
    assert!(!has(&h, &tr(lang, "settings.override_admin_only")));
    let s = login(&env, "admin", "admin-pass-1");
    assert!(
        s.list_users()
            .expect("users")
            .iter()
            .any(|u| u.name == "later")
    );
    let refusals = s
        .audit_log(&AuditQuery {
            action: Some("restore.refused".into()),
            ..AuditQuery::default()
        })
        .expect("audit");
    assert_eq!(refusals.len(), 1);
    drop(s);

    // The override needs a reason before it can be asked for.
    let anyway = tr(lang, "settings.override_button");
    let enabled = |h: &H| {
        h.query_all_by_role_and_label(A11yRole::Button, &anyway)
            .any(|n| !n.accesskit_node().is_disabled())
    };
    assert!(
        has_button(&h, &anyway) && !enabled(&h),
        "no reason, no override"
    );
    let reason = "the only copy after the disk failure";
    type_into(&mut h, &tr(lang, "settings.override_reason"), reason);
    click_button(&mut h, &anyway);
    let title = tr(lang, "settings.override_confirm_title");
    wait_for(&mut h, "the override's confirmation", |h| has(h, &title));
    type_modal_password(&mut h, "admin-pass-1");
    click_button(&mut h, &tr(lang, "settings.override_confirm"));
    let again = tr(lang, "settings.sign_in_again");
    wait_for(&mut h, "the restore done", |h| has_button(h, &again));
    assert!(has(&h, &tr(lang, "settings.restore_done_overridden")));
    click_button(&mut h, &again);
    wait_for(&mut h, "the log-in screen", |h| {
        has_button(h, &tr(lang, "login.sign_in"))
    });

    // The backup's database, its restore entry holding the reason and the problems, the guards
    // put back.
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
    let details = &restores[0].details;
    assert_eq!(details["override_reason"], reason, "{details}");
    assert_eq!(details["verified"], false, "{details}");
    assert!(
        details["problems"]
            .to_string()
            .contains("audit_log_no_delete"),
        "{details}"
    );
    drop(s);
    let c = rusqlite::Connection::open(&env.paths.db).expect("open");
    assert!(
        c.execute("DELETE FROM audit_log", []).is_err(),
        "the guard is back"
    );
}

#[test]
fn only_the_administrator_sees_restore_and_its_override() {
    let lang = Lang::English;
    let (_env, h) = supervisor_on_settings(lang);
    assert!(!has(&h, &tr(lang, "settings.restore_path")));
    assert!(!has_button(&h, &tr(lang, "settings.restore_button")));
    assert!(!has_button(&h, &tr(lang, "settings.override_button")));
    assert!(!has(&h, &tr(lang, "settings.override_reason")));
}
