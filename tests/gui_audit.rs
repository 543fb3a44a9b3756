//! The Audit page: filtering the log by actor, exporting the download sessions as CSV, the
//! auditor verifying a snapshot file (intact, and a tampered copy showing the mismatch), and the
//! evidence check (an intact database with its anchor and batch; a punch altered with raw SQL
//! showing its batch).

mod gui_common;
use gui_common::*;

use std::sync::Arc;

use egui_kittest::kittest::Queryable;
use kaoqin::app::audit_log::AuditQuery;
use kaoqin::app::clock::{Clock, RecordingSleeper};
use kaoqin::app::demo::{DEMO_ADMIN, DEMO_SUPERVISOR, DEMO_TERMINAL};
use kaoqin::app::permissions::Role;
use kaoqin::app::session::Session;
use kaoqin::i18n::Lang;
use kaoqin_sync::SessionIo;

fn login_at(env: &Env, user: &str, password: &str, clock: Arc<dyn Clock>) -> Session {
    Session::login(
        &env.paths,
        user,
        password,
        clock,
        &RecordingSleeper::default(),
    )
    .unwrap_or_else(|e| panic!("log in {user}: {e}"))
}

/// The test day's 14:00: outside the default peak windows, so the rules allow a connection.
fn afternoon() -> Arc<dyn Clock> {
    test_clock()
}

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

fn count_text(lang: Lang, n: usize) -> String {
    tr(lang, "audit.count").replace("%{count}", &n.to_string())
}

#[test]
fn filtering_the_log_by_actor_narrows_the_rows() {
    let env = env_with_users();
    // Entries by someone else than the admin: a supervisor's sign-in.
    login_at(&env, "zhuguan", "zhuguan-pass-1", test_clock());
    let lang = Lang::English;
    let mut h = harness(&env, lang);
    open_page(&mut h, lang, "admin", "admin-pass-1", "nav.audit");
    let s = login_at(&env, "jiandu", "jiandu-pass-1", test_clock());
    let count = |actor: Option<&str>| {
        s.audit_log(&AuditQuery {
            actor: actor.map(str::to_string),
            ..AuditQuery::default()
        })
        .expect("audit")
        .len()
    };
    let label = prefix(lang, "audit.count");
    wait_for(&mut h, "the log", |h| has_text(h, &label));
    click_button(&mut h, &tr(lang, "audit.apply_filter"));
    let all = count(None);
    wait_for(&mut h, "all entries", |h| has(h, &count_text(lang, all)));
    replace_text(&mut h, &tr(lang, "audit.filter_actor"), "zhuguan");
    click_button(&mut h, &tr(lang, "audit.apply_filter"));
    let narrowed = count(Some("zhuguan"));
    assert!(narrowed > 0 && narrowed < all, "{narrowed} of {all}");
    wait_for(&mut h, "the supervisor's entries", |h| {
        has(h, &count_text(lang, narrowed))
    });
}

#[test]
fn sessions_csv_export_writes_the_download_session() {
    let (env, _sim) = env_demo();
    let mut sup = login_at(&env, DEMO_SUPERVISOR, DEMO_PASSWORD, afternoon());
    let (tx, _rx) = kaoqin_sync::session::progress_channel();
    sup.download(
        DEMO_TERMINAL,
        None,
        SessionIo::new(tx, kaoqin_sync::CancellationToken::new()),
    )
    .expect("download");
    drop(sup);
    let lang = Lang::English;
    let mut h = harness(&env, lang);
    open_page(&mut h, lang, DEMO_ADMIN, DEMO_PASSWORD, "nav.audit");
    click_button(&mut h, &tr(lang, "audit.tab_sessions"));
    let export = tr(lang, "audit.export_csv");
    wait_for(&mut h, "the sessions", |h| {
        has_button(h, &export) && has(h, DEMO_TERMINAL)
    });
    let out = env.dir.path().join("sessions.csv");
    replace_text(
        &mut h,
        &tr(lang, "audit.csv_path"),
        &out.display().to_string(),
    );
    click_button(&mut h, &export);
    let done = tr(lang, "audit.exported")
        .split("%{count}")
        .nth(1)
        .and_then(|rest| rest.split("%{path}").next())
        .expect("text between the placeholders")
        .to_owned();
    wait_for(&mut h, "the export", |h| has_text(h, &done));
    let text = std::fs::read_to_string(&out).expect("csv written");
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    assert!(header.contains("terminal") && header.contains("override_reason"));
    let row = lines.next().expect("one session");
    assert!(row.contains(DEMO_TERMINAL), "{row}");
    assert!(row.contains(DEMO_SUPERVISOR), "{row}");
    assert!(row.contains(",ok,"), "{row}");
}

#[test]
fn auditor_verifies_a_snapshot_intact_and_a_tampered_copy_mismatches() {
    let (env, _sim) = env_demo();
    {
        let mut admin = login_at(&env, DEMO_ADMIN, DEMO_PASSWORD, test_clock());
        admin
            .add_user("jiandu", Role::Auditor, "jiandu-pass-1")
            .expect("auditor");
    }
    let snap = env.dir.path().join("a.kqsnap");
    let mut aud = login_at(&env, "jiandu", "jiandu-pass-1", afternoon());
    aud.take_snapshot(DEMO_TERMINAL, &snap)
        .unwrap_or_else(|e| panic!("take: {e}"));
    drop(aud);
    // Change one digit of a timestamp in attlog.csv (stored uncompressed).
    let mut bytes = std::fs::read(&snap).expect("snapshot");
    let header = bytes
        .windows(22)
        .position(|w| w == b"position,enrollment_no")
        .expect("attlog.csv");
    let at = header
        + bytes[header..]
            .windows(3)
            .position(|w| w == b"202")
            .expect("a timestamp");
    bytes[at + 3] = if bytes[at + 3] == b'1' { b'2' } else { b'1' };
    let bad = env.dir.path().join("bad.kqsnap");
    std::fs::write(&bad, bytes).expect("tampered copy");

    let lang = Lang::English;
    let mut h = harness(&env, lang);
    open_page(&mut h, lang, "jiandu", "jiandu-pass-1", "nav.audit");
    click_button(&mut h, &tr(lang, "audit.tab_snapshots"));
    let path_label = tr(lang, "audit.verify_path");
    wait_for(&mut h, "the verify form", |h| has(h, &path_label));
    replace_text(&mut h, &path_label, &snap.display().to_string());
    click_button(&mut h, &tr(lang, "audit.verify_button"));
    let intact = tr(lang, "audit.snapshot_intact");
    wait_for(&mut h, "intact", |h| has(h, &intact));

    replace_text(&mut h, &path_label, &bad.display().to_string());
    click_button(&mut h, &tr(lang, "audit.verify_button"));
    let mismatch = prefix(lang, "audit.snapshot_mismatch");
    wait_for(&mut h, "the mismatch", |h| has_text(h, &mismatch));
    assert!(!has(&h, &intact));
    assert!(has_text(&h, "attlog.csv"), "the problem names the part");
}

/// A database with every role, one imported batch of two punches (its count and hash in the
/// import's audit entry) and a backup in `backups/` (its manifest and the anchor file's copy are
/// anchors kept apart). Returns the batch's session id.
fn env_with_a_batch_and_a_backup() -> (Env, i64) {
    let env = env_with_users();
    let csv = env.dir.path().join("punches.csv");
    std::fs::write(
        &csv,
        "terminal_serial,enrollment_no,timestamp,verify_mode,state,download_session\n\
         SN-X,1001,2026-11-02 08:51:07,15,0,\n\
         SN-X,1001,2026-11-02 17:40:00,15,1,\n",
    )
    .expect("punch file");
    let mut sup = login_at(&env, "zhuguan", "zhuguan-pass-1", test_clock());
    let opts = kaoqin_sync::ImportOptions {
        allow_unregistered: true,
        ..Default::default()
    };
    sup.import_punches(&csv, None, &opts)
        .unwrap_or_else(|e| panic!("import: {e}"));
    drop(sup);
    let backups = env.dir.path().join("backups");
    std::fs::create_dir_all(&backups).expect("backup dir");
    login_at(&env, "admin", "admin-pass-1", test_clock())
        .backup(&backups.join("b1.db"))
        .unwrap_or_else(|e| panic!("backup: {e}"));
    let session: i64 = rusqlite::Connection::open(&env.paths.db)
        .and_then(|c| {
            c.query_row("SELECT session_id FROM raw_punches LIMIT 1", [], |r| {
                r.get(0)
            })
        })
        .expect("the batch's session");
    (env, session)
}

/// `key`'s text with its placeholders filled.
fn filled(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    args.iter().fold(tr(lang, key), |s, (name, value)| {
        s.replace(&format!("%{{{name}}}"), value)
    })
}

#[test]
fn evidence_check_of_an_intact_database_shows_the_verdict_the_anchor_and_the_batch() {
    let (env, _) = env_with_a_batch_and_a_backup();
    let lang = Lang::English;
    let mut h = harness_sized(&env, lang, [1280.0, 1400.0]);
    open_page(&mut h, lang, "jiandu", "jiandu-pass-1", "nav.audit");
    // The log tab's line says the verdict in short.
    let short = prefix(lang, "audit.evidence_sound_short");
    wait_for(&mut h, "the short verdict", |h| has_text(h, &short));
    click_button(&mut h, &tr(lang, "audit.evidence_details"));
    let sound = tr(lang, "audit.verdict_sound");
    wait_for(&mut h, "the verdict", |h| has(h, &sound));
    // The newest anchor is the one noted by the backup (the log-ins since note none): the page
    // says up to which entry it vouches, from when, and where it was found.
    let backup_seq = login_at(&env, "jiandu", "jiandu-pass-1", test_clock())
        .audit_log(&AuditQuery {
            action: Some("backup".into()),
            ..AuditQuery::default()
        })
        .expect("audit")
        .last()
        .map(|e| e.seq)
        .expect("the backup's entry");
    let newest = filled(
        lang,
        "audit.anchor_newest",
        &[
            ("entries", backup_seq.to_string()),
            ("at", test_now().format("%Y-%m-%d %H:%M:%S").to_string()),
        ],
    );
    let newest = newest
        .split("%{source}")
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(has_text(&h, &newest), "{newest}");
    assert!(has_text(&h, "kaoqin.db.anchors"), "the anchor's place");
    let batches = filled(
        lang,
        "audit.punches_checked",
        &[
            ("batches", "1".into()),
            ("punches", "2".into()),
            ("bad", "0".into()),
        ],
    );
    assert!(has(&h, &batches), "{batches}");
    assert!(!has(&h, &tr(lang, "audit.verdict_problems")));

    // An extra backup folder that cannot be read is named as such, and is no verdict.
    let missing = env.dir.path().join("no-such-backups");
    replace_text(
        &mut h,
        &tr(lang, "audit.evidence_backup_dir"),
        &missing.display().to_string(),
    );
    click_button(&mut h, &tr(lang, "audit.evidence_run"));
    let unreadable = tr(lang, "audit.unreadable");
    wait_for(&mut h, "the unreadable folder", |h| {
        has(h, &unreadable) && has(h, &sound)
    });
    assert!(has_text(&h, "no-such-backups"), "the folder is named");
}

#[test]
fn evidence_check_shows_the_batch_whose_punch_was_altered_with_sql() {
    let (env, session) = env_with_a_batch_and_a_backup();
    // Someone with the file: the UPDATE guard dropped, one punch's verify mode changed.
    let c = rusqlite::Connection::open(&env.paths.db).expect("open the file");
    c.execute_batch(
        "DROP TRIGGER raw_punches_no_update; \
         UPDATE raw_punches SET verify_mode = 1 WHERE ts LIKE '%08:51:07';",
    )
    .expect("tamper");
    drop(c);
    let lang = Lang::English;
    let mut h = harness_sized(&env, lang, [1280.0, 1400.0]);
    open_page(&mut h, lang, "admin", "admin-pass-1", "nav.audit");
    let short = tr(lang, "audit.evidence_problems_short");
    wait_for(&mut h, "the short verdict", |h| has(h, &short));
    click_button(&mut h, &tr(lang, "audit.tab_evidence"));
    let problems = tr(lang, "audit.verdict_problems");
    wait_for(&mut h, "the verdict", |h| has(h, &problems));
    assert!(!has(&h, &tr(lang, "audit.verdict_sound")));
    // The batch is named, with what was recorded and what the ledger holds now.
    let batch = filled(
        lang,
        "audit.batch_changed",
        &[("session", session.to_string())],
    );
    let batch = batch.split("%{seq}").next().unwrap_or_default().to_owned();
    assert!(has_text(&h, &batch), "{batch}");
    let counts = filled(
        lang,
        "audit.punches_checked",
        &[
            ("batches", "1".into()),
            ("punches", "2".into()),
            ("bad", "1".into()),
        ],
    );
    assert!(has(&h, &counts), "{counts}");
    // The chain itself is intact: only the punches were touched.
    let intact = prefix(lang, "audit.chain_intact");
    assert!(has_text(&h, &intact));
}
