//! The auditor's connection: reads everything, appends audit entries and snapshots, writes nothing else.

mod common;

use common::{entry, t};
use kaoqin_store::snapshots::{self, NewSnapshot};
use kaoqin_store::{Store, StoreError, audit, employees, punches, settings};

fn prepared() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, path, mut store) = common::fresh();
    let tx = store.transaction().unwrap();
    employees::add(
        &tx,
        &employees::NewEmployee {
            enrollment_no: "1001".into(),
            name: "张三".into(),
            ..Default::default()
        },
    )
    .unwrap();
    settings::set(&tx, "margin_minutes", "45").unwrap();
    let s = common::session(&tx, "大门");
    punches::insert_batch(
        &tx,
        s,
        "SN-A",
        t("2026-11-25 10:00:00"),
        &[common::punch("1001", "2026-11-02 08:51:07")],
    )
    .unwrap();
    audit::append(&tx, entry(1)).unwrap();
    tx.commit().unwrap();
    (dir, path)
}

#[test]
fn auditor_appends_audit_entries_and_snapshots() {
    let (_dir, path) = prepared();
    let store = Store::open_read_only_for_auditor(&path).unwrap();
    assert!(store.is_auditor());
    let c = store.conn();
    // Reads work.
    assert_eq!(employees::get_by_no(c, "1001").unwrap().name, "张三");
    assert_eq!(punches::count(c, &Default::default()).unwrap(), 1);
    // Appends work, including inside a transaction.
    let key =
        snapshots::register_auditor_key(c, "审计员", "ab12", t("2026-11-25 11:00:00")).unwrap();
    assert_eq!(key.user_name, "审计员");
    let tx = c.unchecked_transaction().unwrap();
    let snap = snapshots::add(
        &tx,
        &NewSnapshot {
            terminal_id: None,
            terminal_name: "大门".into(),
            taken_by: "审计员".into(),
            taken_at: t("2026-11-25 11:00:00"),
            file_path: "/tmp/s1.kqsnap".into(),
            sha256: "00".repeat(32),
            signature: "sig".into(),
            public_key: "ab12".into(),
        },
    )
    .unwrap();
    let e = audit::append(&tx, entry(2)).unwrap();
    tx.commit().unwrap();
    assert_eq!(e.seq, 2);
    assert_eq!(snapshots::list(c, Some("大门")).unwrap(), vec![snap]);
    assert!(audit::verify(c).unwrap().is_intact());
}

#[test]
fn auditor_cannot_change_anything_else() {
    let (_dir, path) = prepared();
    let store = Store::open_read_only_for_auditor(&path).unwrap();
    let c = store.conn();
    let denied = [
        "UPDATE employees SET name = 'x'",
        "DELETE FROM employees",
        "INSERT INTO employees (enrollment_no, name) VALUES ('9', 'x')",
        "INSERT INTO settings (key, value) VALUES ('a', 'b')",
        "UPDATE settings SET value = '0'",
        "INSERT INTO raw_punches SELECT terminal_serial, '2030-01-01 00:00:00', enrollment_no, verify_mode,
             in_out_state, work_code, session_id, stored_at FROM raw_punches",
        "INSERT INTO download_sessions (kind, terminal_name, actor, role, started_at)
             VALUES ('download', 'x', 'a', 'auditor', 'now')",
        "UPDATE audit_log SET actor = 'x'",
        "DELETE FROM audit_log",
        "UPDATE snapshots SET sha256 = 'x'",
        "DELETE FROM snapshots",
        "DROP TRIGGER audit_log_no_update",
        "DROP TABLE raw_punches",
        "CREATE TABLE t (x)",
        "CREATE TEMP TABLE t (x)",
        "PRAGMA user_version = 7",
        "PRAGMA foreign_keys = OFF",
        "ATTACH DATABASE ':memory:' AS other",
    ];
    for sql in denied {
        let err = c.execute_batch(sql).unwrap_err();
        assert!(
            matches!(StoreError::from(err), StoreError::AuditorReadOnly),
            "{sql} was not denied"
        );
    }
    // Repository calls surface the typed error.
    let err = settings::set(c, "x", "y").unwrap_err();
    assert!(matches!(err, StoreError::AuditorReadOnly), "{err:?}");
    assert!(err.to_string().contains("auditor"));
    drop(store);

    // Nothing changed.
    let s = Store::open(&path).unwrap();
    assert_eq!(
        employees::list(s.conn(), &Default::default())
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        settings::list(s.conn()).unwrap(),
        vec![("margin_minutes".to_string(), "45".to_string())]
    );
    let v: i64 = s
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, kaoqin_store::SCHEMA_VERSION);
}

#[test]
fn auditor_open_never_creates_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("missing.db");
    let err = Store::open_read_only_for_auditor(&p).unwrap_err();
    assert!(err.to_string().contains("missing.db"), "{err}");
    assert!(!p.exists());
}
