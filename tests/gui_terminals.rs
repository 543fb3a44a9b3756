//! The Terminals page through the GUI (egui_kittest, real SQLite, a real simulator on loopback,
//! a set clock): add and edit a terminal with the form; cancel a download held mid-transfer by the
//! terminal, off-peak and after a peak-window override (the session is stored as cancelled,
//! nothing of the batch, the terminal enabled again, the audit chain intact); mark a finding
//! explained; the clerk's download without device administration.

mod gui_common;

use egui_kittest::kittest::Queryable;
use gui_common::*;
use std::sync::Arc;

use kaoqin::i18n::Lang;
use kaoqin_sim::server::Shared;

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

/// The window's own demo terminal: the window restarts the demo's simulator when it opens the
/// database (the one `env_demo` started is stopped first, so the address stays the same).
fn window_terminal(h: &mut H) -> Arc<Shared> {
    wait_for(h, "the window's demo terminal", |h| {
        h.state().backend().demo_terminal().is_some()
    });
    h.state()
        .backend()
        .demo_terminal()
        .expect("the demo terminal runs")
}

/// What the simulated terminal has to show before the test acts: a download holding its
/// attendance-log transfer (the terminal answers no chunk read), with Cancel on the page.
fn wait_until_transfer_held(h: &mut H, terminal: &Shared) {
    let cancel = t("download.cancel_download");
    let reading_log = tr(LANG, "download.phase").replace("%{phase}", &t("download.phase_log"));
    wait_for(h, "the download held in its attendance-log transfer", |h| {
        terminal.counters().requests_stalled >= 1
            && has_button(h, &cancel)
            && has_text(h, &reading_log)
    });
}

/// The newest session row and the audit entry that ended it.
fn last_session(env: &Env) -> (kaoqin_store::sessions::Session, serde_json::Value) {
    let s = store(env);
    let sessions = kaoqin_store::sessions::list(s.conn(), &Default::default()).expect("sessions");
    let last = sessions
        .into_iter()
        .max_by_key(|x| x.id)
        .expect("a session row");
    let entries = kaoqin_store::audit::list(s.conn(), &Default::default()).expect("audit");
    let end = entries
        .iter()
        .rev()
        .find(|e| e.action == "download" && e.details["session"] == last.id)
        .map(|e| e.details.clone())
        .expect("an audit entry ending the session");
    (last, end)
}

/// A supervisor's download, held by the terminal mid-transfer (so it cannot end on its own before
/// the click), is cancelled from the page: `override_reason` is the override given first when
/// `now` is inside a peak window. Checks what the ledger keeps afterwards.
fn cancel_a_held_download(now: chrono::NaiveDateTime, override_reason: Option<&str>) {
    let (env, demo) = env_demo_at(now);
    drop(demo);
    let mut h = harness_with_clock(&env, LANG, [1280.0, 800.0], clock_at(now));
    let terminal = window_terminal(&mut h);
    // The user list (30 users, over the terminal's inline size) is the first chunk; the
    // attendance log's first chunk read is held.
    terminal.term().faults.stall_after_chunks = Some(1);
    open_page(&mut h, LANG, "supervisor", DEMO_PASSWORD, "nav.terminals");
    let download = t("download.button");
    wait_for(&mut h, "the Download button", |h| has_button(h, &download));
    click_button(&mut h, &download);
    if let Some(reason) = override_reason {
        let refused =
            tr(LANG, "download.refused").replace("%{rule}", &t("download.rule_peak_window"));
        wait_for(&mut h, "the peak-window refusal", |h| has_text(h, &refused));
        // The demo office: configured window 08:15–09:00 and its shift's 08:30–09:15 (late after
        // 09:15) overlap, so the first free minute is 09:15.
        let next = tr(LANG, "download.next_allowed").replace("%{time}", "2026-11-25 09:15:00");
        assert!(has_text(&h, &next), "no '{next}' on the page");
        assert!(has_text(&h, "高峰时段 上午签到 08:15–09:00"));
        click_button(&mut h, &t("download.override"));
        type_into(&mut h, &t("download.override_reason"), reason);
        click_button(&mut h, &t("download.override_ok"));
    }
    wait_until_transfer_held(&mut h, &terminal);
    click_button(&mut h, &t("download.cancel_download"));
    wait_for(&mut h, "the cancelled result", |h| {
        has_text(h, &t("download.error_cancelled"))
    });
    // The cancel did not wait for the transfer: the terminal still holds it, one chunk sent.
    {
        let term = terminal.term();
        assert!(term.faults.hold_chunks, "the held transfer was released");
        assert_eq!(term.counters.chunks_sent, 1);
    }

    let (last, end) = last_session(&env);
    // The sync layer stores a cancelled session as an error saying so, with nothing read.
    assert_eq!(
        last.result,
        kaoqin_store::sessions::SessionResult::Error,
        "{last:?}"
    );
    assert!(
        last.error
            .as_deref()
            .is_some_and(|e| e.contains("cancelled by the user while reading the attendance log")),
        "{last:?}"
    );
    assert_eq!(last.records_new, 0);
    assert_eq!(last.override_reason.as_deref(), override_reason);
    assert_eq!(
        last.started_at, now,
        "the session is stamped with the app's clock"
    );
    assert_eq!(end["phase"], "reading the attendance log", "{end}");
    // Clean-up after the cancel: the terminal was enabled again and is taking punches.
    assert_eq!(end["terminal_reenabled"], true, "{end}");
    assert!(terminal.term().is_enabled(std::time::Instant::now()));
    let s = store(&env);
    let mut punches = 0;
    kaoqin_store::punches::for_each(s.conn(), &Default::default(), |_| punches += 1)
        .expect("punches");
    assert_eq!(punches, 0, "a cancelled download stored punches");
    let report = kaoqin_store::audit::verify(s.conn()).expect("verify");
    assert!(report.first_break.is_none(), "audit chain broken");
}

#[test]
fn a_cancelled_download_stores_a_cancelled_session_and_no_punches() {
    cancel_a_held_download(test_now(), None);
}

/// In the busiest minutes (08:20, a sign-in peak) the supervisor overrides the rules, then
/// cancels the overridden download at once.
#[test]
fn in_a_peak_window_an_overridden_download_is_cancelled_at_once() {
    cancel_a_held_download(at(8, 20), Some("测试取消"));
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

/// The clerk's Terminals page: Download works and stores every punch of the terminal, the
/// findings and raw punches tabs load; no device administration, no connection test, no adding
/// terminals.
#[test]
fn the_clerk_downloads_but_sees_no_device_admin_nor_explain() {
    let (env, demo) = env_demo();
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
    h.get_by_label(&t("terminals.tab_punches")).click();
    h.step();
    let none = tr(LANG, "terminals.punches_count").replace("%{count}", "0");
    wait_for(&mut h, "no punches yet", |h| has_text(h, &none));

    h.get_by_label(&t("terminals.tab_download")).click();
    h.step();
    click_button(&mut h, &t("download.button"));
    let n = demo.punches();
    let counts = tr(LANG, "download.counts")
        .replace("%{read}", &n.to_string())
        .replace("%{new}", &n.to_string())
        .replace("%{already}", "0")
        .replace("%{users}", "30");
    wait_for(&mut h, "the download's counts", |h| has_text(h, &counts));
    let (last, _) = last_session(&env);
    assert_eq!(last.result, kaoqin_store::sessions::SessionResult::Ok);
    assert_eq!(last.actor, "clerk");
    assert_eq!(last.records_new, n as u64);

    // The raw punches tab shows what was stored (virtualized; loads without blocking).
    h.get_by_label(&t("terminals.tab_punches")).click();
    h.step();
    let count = tr(LANG, "terminals.punches_count").replace("%{count}", &n.to_string());
    wait_for(&mut h, "the punches", |h| has_text(h, &count));
}
