//! USB-stick import of a real-format `attlog.dat` (BOM, CRLF, right-aligned numbers, bad lines)
//! and of our own punches CSV, into a real SQLite store: same dedup, checks and audit as a download.

mod common;

use std::path::PathBuf;

use chrono::NaiveDate;
use common::*;
use kaoqin_store::employees::{self, NewEmployee};
use kaoqin_store::sessions::{self, SessionFilter, SessionKind, SessionResult};
use kaoqin_store::{audit, terminals};
use kaoqin_sync::checks::CheckSettings;
use kaoqin_sync::listing::{write_punches_csv, write_sessions_csv};
use kaoqin_sync::{SyncError, import_punches_file};

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/attlog.dat")
}

fn now() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 4)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .unwrap_or_default()
}

fn db_with_employees() -> Db {
    let mut db = db_with_terminal("127.0.0.1:4370");
    let tx = db.store.transaction().unwrap_or_else(|e| panic!("{e}"));
    terminals::set_serial_no(&tx, db.terminal.id, "KQSIM0000001").unwrap_or_else(|e| panic!("{e}"));
    for (no, name) in [
        ("1001", "张伟"),
        ("1002", "王芳"),
        ("1003", "李娜"),
        ("1004", "刘洋"),
    ] {
        employees::add(
            &tx,
            &NewEmployee {
                enrollment_no: no.into(),
                name: name.into(),
                ..NewEmployee::default()
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    tx.commit().unwrap_or_else(|e| panic!("{e}"));
    db
}

#[test]
fn attlog_with_bad_lines_imports_the_good_ones_and_names_the_bad() {
    let mut db = db_with_employees();
    let terminal = db.terminal_now();
    let report = import_punches_file(
        &mut db.store,
        &clerk(),
        &sample(),
        Some(&terminal),
        &CheckSettings::default(),
        now(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.format, "attlog");
    let bad: Vec<usize> = report.bad_lines.iter().map(|e| e.line).collect();
    assert_eq!(bad, vec![5, 6, 8, 10]);
    let reasons: Vec<String> = report.bad_lines.iter().map(|e| e.to_string()).collect();
    assert!(
        reasons[0].contains("line 5") && reasons[0].contains("not a time"),
        "{reasons:?}"
    );
    assert!(reasons[1].contains("tab-separated"), "{reasons:?}");
    assert!(
        reasons[2].contains("enrollment number is empty"),
        "{reasons:?}"
    );
    assert!(reasons[3].contains("in/out state 'out'"), "{reasons:?}");
    assert_eq!(report.lines_ok, 8);
    let total = report.total();
    assert_eq!((total.read, total.new, total.already_stored), (8, 7, 1));
    assert_eq!(db.ledger_count(), 7);
    let ledger = db.ledger();
    assert!(ledger.contains(&("1004".into(), "2026-03-03 08:40:00".into(), 15, 0)));
    assert!(ledger.contains(&("1003".into(), "2026-03-02 08:44:10".into(), 1, 0)));

    // Checks: the step back, fingerprint (1003), password (1002), unknown 9999.
    let imported = report
        .terminals
        .first()
        .unwrap_or_else(|| panic!("no terminal part"));
    assert_eq!(imported.terminal_name.as_deref(), Some("front-door"));
    let kinds: Vec<(&str, Vec<&str>)> = imported
        .findings
        .iter()
        .map(|f| {
            (
                f.kind.as_str(),
                f.records.iter().map(|r| r.enrollment_no.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            // Line 12 repeats line 1 after the evening punches: back 9 hours in log order.
            ("time-backwards", vec!["9999", "1001"]),
            ("non-face-verify", vec!["1002"]),
            ("non-face-verify", vec!["1003"]),
            ("unknown-enrollment", vec!["9999"]),
        ]
    );

    // Session + audit, in the same commit.
    let s = sessions::get(db.store.conn(), imported.session_id).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.kind, SessionKind::Import);
    assert_eq!(s.result, SessionResult::Ok);
    assert_eq!((s.records_read, s.records_new, s.records_dup), (8, 7, 1));
    let entry = audit::list(db.store.conn(), &Default::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .pop()
        .unwrap_or_else(|| panic!("no audit entry"));
    assert_eq!(entry.action, "import");
    assert_eq!(entry.details["bad_lines"], 4);
    assert_eq!(entry.details["records_new"], 7);

    // The same file again adds nothing.
    let again = import_punches_file(
        &mut db.store,
        &clerk(),
        &sample(),
        Some(&terminal),
        &CheckSettings::default(),
        now(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.total().new, 0);
    assert_eq!(again.total().already_stored, 8);
    assert!(
        again.terminals.iter().all(|t| t.findings.is_empty()),
        "old records are not reported again"
    );
    assert_eq!(db.ledger_count(), 7);
}

#[test]
fn our_csv_round_trips_through_punches_list() {
    let mut db = db_with_employees();
    let terminal = db.terminal_now();
    import_punches_file(
        &mut db.store,
        &clerk(),
        &sample(),
        Some(&terminal),
        &CheckSettings::default(),
        now(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut csv = Vec::new();
    let n = write_punches_csv(db.store.conn(), &Default::default(), &mut csv)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n, 7);
    let text = String::from_utf8(csv).unwrap_or_default();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("terminal_serial,enrollment_no,timestamp,verify_mode,state,download_session")
    );
    assert!(
        text.contains("KQSIM0000001,1003,2026-03-02 08:44:10,1,0,"),
        "{text}"
    );

    // Into a fresh database: the same 7 punches; into this one: nothing new.
    let path = db.dir.path().join("punches.csv");
    std::fs::write(&path, &text).unwrap_or_else(|e| panic!("{e}"));
    let again = import_punches_file(
        &mut db.store,
        &clerk(),
        &path,
        None,
        &CheckSettings::default(),
        now(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.format, "csv");
    assert_eq!((again.total().new, again.total().already_stored), (0, 7));
    let mut fresh = db_with_employees();
    let first = import_punches_file(
        &mut fresh.store,
        &clerk(),
        &path,
        None,
        &CheckSettings::default(),
        now(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.total().new, 7);
    assert!(first.bad_lines.is_empty());
    assert_eq!(fresh.ledger(), db.ledger());

    // One row per session in the sessions CSV.
    let mut out = Vec::new();
    let rows = write_sessions_csv(db.store.conn(), &SessionFilter::default(), &mut out)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows, 2);
    let text = String::from_utf8(out).unwrap_or_default();
    assert!(text.starts_with(
        "session,kind,terminal,actor,role,peer,started_at,ended_at,duration_s,commands,"
    ));
    assert_eq!(text.lines().count(), 3);
}

#[test]
fn attlog_needs_a_terminal_and_a_file_without_good_lines_stores_nothing() {
    let mut db = db_with_employees();
    let r = import_punches_file(
        &mut db.store,
        &clerk(),
        &sample(),
        None,
        &CheckSettings::default(),
        now(),
    );
    assert!(
        matches!(&r, Err(SyncError::Invalid(m)) if m.contains("--terminal")),
        "got {r:?}"
    );
    let bad = db.dir.path().join("bad.dat");
    std::fs::write(&bad, "garbage\nmore\tgarbage\n").unwrap_or_else(|e| panic!("{e}"));
    let terminal = db.terminal_now();
    let r = import_punches_file(
        &mut db.store,
        &clerk(),
        &bad,
        Some(&terminal),
        &CheckSettings::default(),
        now(),
    );
    assert!(
        matches!(&r, Err(SyncError::Invalid(m)) if m.contains("line 1")),
        "got {r:?}"
    );
    assert_eq!(db.ledger_count(), 0);
    assert!(
        sessions::list(db.store.conn(), &SessionFilter::default())
            .unwrap_or_default()
            .is_empty()
    );
}

#[test]
fn only_a_supervisor_explains_a_finding_and_it_is_audited() {
    let mut db = db_with_employees();
    let terminal = db.terminal_now();
    let report = import_punches_file(
        &mut db.store,
        &clerk(),
        &sample(),
        Some(&terminal),
        &CheckSettings::default(),
        now(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let session = report.terminals[0].session_id;
    let open = kaoqin_store::findings::list(
        db.store.conn(),
        &kaoqin_store::findings::FindingFilter {
            terminal_id: Some(terminal.id),
            open_only: true,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(open.len(), 4);
    assert!(open.iter().all(|f| f.session_id == Some(session)));
    let id = open[0].id;
    let f = kaoqin_sync::findings::explain_finding(
        &mut db.store,
        &TestGrant(supervisor()),
        id,
        "re-exported file, checked with HR",
        now(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(f.explained_by.as_deref(), Some("li"));
    let again = kaoqin_sync::findings::explain_finding(
        &mut db.store,
        &TestGrant(supervisor()),
        id,
        "x",
        now(),
    );
    assert!(matches!(again, Err(SyncError::Invalid(_))), "got {again:?}");
    let open_now = kaoqin_store::findings::list(
        db.store.conn(),
        &kaoqin_store::findings::FindingFilter {
            terminal_id: Some(terminal.id),
            open_only: true,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(open_now.len(), 3);
    let last = audit::list(db.store.conn(), &Default::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .pop()
        .unwrap_or_else(|| panic!("no audit entry"));
    assert_eq!(last.action, "finding.explain");
    assert_eq!(last.details["note"], "re-exported file, checked with HR");
}
