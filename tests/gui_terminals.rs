//! The Terminals page through the GUI (egui_kittest, real SQLite, a real simulator on loopback):
//! add and edit a terminal with the form; start a download and cancel it (the session is stored as
//! cancelled, nothing of the batch, the audit chain intact); mark a finding explained.

mod gui_common;

use std::sync::Arc;

use egui_kittest::kittest::Queryable;
use gui_common::*;
use kaoqin::i18n::Lang;

const LANG: Lang = Lang::ZhCn;

fn t(k: &str) -> String {
    tr(LANG, k)
}

fn store(env: &Env) -> kaoqin_store::Store {
    kaoqin_store::Store::open(&env.paths.db).expect("open")
}

#[test]
fn admin_adds_and_edits_a_terminal_through_the_form() {
    let env = env_with_users();
    let mut h = harness(&env, LANG);
    open_page(&mut h, LANG, "admin", "admin-pass-1", "nav.terminals");
    wait_for(&mut h, "the page", |h| has(h, &t("terminals.empty")));

    click_button(&mut h, &t("terminals.add"));
    type_into(&mut h, &t("terminals.form_name"), "大厅");
    // A bad comm key is caught before sending.
    type_into(&mut h, &t("terminals.form_comm_key"), "abc");
    click_button(&mut h, &t("terminals.save"));
    assert!(has_text(&h, &t("terminals.need_address")));
    type_into(&mut h, &t("terminals.form_address"), "192.168.1.201:4371");
    click_button(&mut h, &t("terminals.save"));
    assert!(has_text(&h, &t("terminals.bad_comm_key")));
    h.get_by_label(&t("terminals.form_comm_key")).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_label(&t("terminals.form_comm_key"))
        .type_text("123456");
    h.step();
    type_into(&mut h, &t("terminals.form_location"), "一楼");
    click_button(&mut h, &t("terminals.save"));
    wait_for(&mut h, "the added terminal", |h| {
        has_text(h, &t("terminals.added")) && has(h, "大厅")
    });
    let saved = kaoqin_store::terminals::get_by_name(store(&env).conn(), "大厅").expect("in db");
    assert_eq!(saved.kind, kaoqin_store::TerminalKind::ZkTcp);
    assert_eq!(
        (saved.address.as_str(), saved.port),
        ("192.168.1.201", Some(4371))
    );
    assert_eq!(saved.location.as_deref(), Some("一楼"));
    assert!(
        saved.comm_secret.is_some(),
        "the comm key is stored (sealed)"
    );
    assert_ne!(
        saved.comm_secret.as_deref(),
        Some("123456".as_bytes()),
        "stored in clear"
    );

    // Edit: the secret field stays empty (kept); change the location.
    click_button(&mut h, &t("terminals.edit"));
    assert!(has_text(&h, &t("terminals.secret_kept")));
    h.get_by_label(&t("terminals.form_location")).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_label(&t("terminals.form_location"))
        .type_text("二楼");
    h.step();
    h.key_press(egui::Key::Enter);
    h.step();
    wait_for(&mut h, "the saved terminal", |h| {
        has_text(h, &t("terminals.updated"))
    });
    let saved = kaoqin_store::terminals::get_by_name(store(&env).conn(), "大厅").expect("in db");
    assert_eq!(saved.location.as_deref(), Some("二楼"));
    assert!(saved.comm_secret.is_some(), "the secret was kept");

    // Remove, with a confirmation.
    click_button(&mut h, &t("terminals.remove"));
    click_button(&mut h, &t("terminals.remove_ok"));
    wait_for(&mut h, "the removal", |h| {
        has_text(h, &t("terminals.removed"))
    });
    assert!(kaoqin_store::terminals::get_by_name(store(&env).conn(), "大厅").is_err());
}

/// The demo's terminal, served by a simulator that answers every request 150 ms late, so a
/// download lasts long enough to be cancelled.
struct SlowSim {
    _rt: tokio::runtime::Runtime,
}

fn slow_sim(env: &Env) -> SlowSim {
    let args = [
        "kaoqin-sim",
        "--employees",
        "30",
        "--days",
        "20",
        "--serial-number",
        kaoqin::app::demo::DEMO_SERIAL,
    ];
    let parsed = <kaoqin_sim::cli::Args as clap::Parser>::try_parse_from(args).expect("flags");
    let today = chrono::Local::now().date_naive();
    let mut term = parsed.build_terminal(today).expect("terminal");
    term.faults.delay_ms = 150;
    let shared = kaoqin_sim::server::Shared::new(term, parsed.inline_max);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("listen");
    let port = listener.local_addr().expect("addr").port();
    rt.spawn(kaoqin_sim::server::serve_tcp(Arc::clone(&shared), listener));
    let s = store(env);
    kaoqin_store::terminals::update(
        s.conn(),
        kaoqin::app::demo::DEMO_TERMINAL,
        &kaoqin_store::terminals::TerminalUpdate {
            address: Some("127.0.0.1".into()),
            port: Some(Some(port)),
            ..Default::default()
        },
    )
    .expect("point the demo terminal at the slow simulator");
    SlowSim { _rt: rt }
}

#[test]
fn a_cancelled_download_stores_a_cancelled_session_and_no_punches() {
    let (env, _demo) = env_demo();
    let _slow = slow_sim(&env);
    let mut h = harness(&env, LANG);
    open_page(&mut h, LANG, "supervisor", DEMO_PASSWORD, "nav.terminals");
    let download = t("download.button");
    wait_for(&mut h, "the Download button", |h| has_button(h, &download));
    click_button(&mut h, &download);
    let cancel = t("download.cancel_download");
    let refused = prefix(LANG, "download.refused");
    wait_for(&mut h, "the running download or a refusal", |h| {
        has_button(h, &cancel) || has_text(h, &refused)
    });
    if has_text(&h, &refused) {
        // Inside a peak window: the supervisor overrides, then cancels.
        click_button(&mut h, &t("download.override"));
        type_into(&mut h, &t("download.override_reason"), "测试取消");
        click_button(&mut h, &t("download.override_ok"));
        wait_for(&mut h, "the running download", |h| has_button(h, &cancel));
    }
    click_button(&mut h, &cancel);
    wait_for(&mut h, "the cancelled result", |h| {
        has_text(h, &t("download.error_cancelled"))
    });

    let s = store(&env);
    let sessions = kaoqin_store::sessions::list(s.conn(), &Default::default()).expect("sessions");
    let last = sessions.iter().max_by_key(|x| x.id).expect("a session row");
    // The sync layer stores a cancelled session as an error saying so, with nothing read.
    assert_eq!(
        last.result,
        kaoqin_store::sessions::SessionResult::Error,
        "{last:?}"
    );
    assert!(
        last.error
            .as_deref()
            .is_some_and(|e| e.contains("cancelled")),
        "{last:?}"
    );
    assert_eq!(last.records_new, 0);
    let mut punches = 0;
    kaoqin_store::punches::for_each(s.conn(), &Default::default(), |_| punches += 1)
        .expect("punches");
    assert_eq!(punches, 0, "a cancelled download stored punches");
    let report = kaoqin_store::audit::verify(s.conn()).expect("verify");
    assert!(report.first_break.is_none(), "audit chain broken");
    let entries = kaoqin_store::audit::list(s.conn(), &Default::default()).expect("audit");
    assert!(
        entries
            .iter()
            .any(|e| e.details.to_string().contains("cancel")),
        "no audit entry mentions the cancellation"
    );
}

#[test]
fn the_supervisor_marks_a_finding_explained() {
    let (env, _demo) = env_demo();
    let id = {
        let s = store(&env);
        let term = kaoqin_store::terminals::get_by_name(s.conn(), kaoqin::app::demo::DEMO_TERMINAL)
            .expect("demo terminal");
        kaoqin_store::findings::add(
            s.conn(),
            &kaoqin_store::findings::NewFinding {
                session_id: None,
                terminal_id: Some(term.id),
                kind: "clock_skew".into(),
                details: serde_json::json!({ "skew_secs": 420 }),
                found_at: chrono::NaiveDate::from_ymd_opt(2026, 11, 2)
                    .and_then(|d| d.and_hms_opt(10, 0, 0))
                    .expect("time"),
            },
        )
        .expect("finding")
    };
    let mut h = harness(&env, LANG);
    open_page(&mut h, LANG, "supervisor", DEMO_PASSWORD, "nav.terminals");
    wait_for(&mut h, "the findings tab", |h| {
        has(h, &t("terminals.tab_findings"))
    });
    h.get_by_label(&t("terminals.tab_findings")).click();
    h.step();
    let label = format!("#{id}");
    wait_for(&mut h, "the finding", |h| has(h, &label));
    h.get_by_label(&label).click();
    h.step();
    h.step();
    let note_label = tr(LANG, "terminals.explain_note_for").replace("%{id}", &id.to_string());
    type_into(&mut h, &note_label, "停电后时钟已校准");
    click_button(&mut h, &t("terminals.explain"));
    wait_for(&mut h, "the explanation", |h| {
        has_text(h, &t("terminals.explained_ok"))
    });
    let f = kaoqin_store::findings::get(store(&env).conn(), id).expect("finding");
    assert_eq!(f.explained_note.as_deref(), Some("停电后时钟已校准"));
    assert_eq!(f.explained_by.as_deref(), Some("supervisor"));
}

#[test]
fn the_clerk_downloads_but_sees_no_device_admin_nor_explain() {
    let (env, _demo) = env_demo();
    let mut h = harness(&env, LANG);
    open_page(&mut h, LANG, "clerk", DEMO_PASSWORD, "nav.terminals");
    wait_for(&mut h, "the Download button", |h| {
        has_button(h, &t("download.button"))
    });
    assert!(!has(&h, &t("terminals.device_admin")));
    assert!(!has_button(&h, &t("terminals.test_connection")));
    assert!(!has_button(&h, &t("terminals.add")));
    h.get_by_label(&t("terminals.tab_findings")).click();
    h.step();
    wait_for(&mut h, "the findings", |h| {
        has_text(h, &t("terminals.findings_empty"))
    });
    // The raw punches tab loads (none yet) without blocking.
    h.get_by_label(&t("terminals.tab_punches")).click();
    h.step();
    wait_for(&mut h, "the punches", |h| has_text(h, "0 条考勤记录"));
}
