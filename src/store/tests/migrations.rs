//! Opening and migrating: from empty, re-running, refusing newer schemas and foreign or damaged files.

mod common;

use kaoqin_store::{APPLICATION_ID, SCHEMA_VERSION, Store, StoreError};

#[test]
fn migrates_an_empty_file_and_rerunning_changes_nothing() {
    let (_dir, path, store) = common::fresh();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let app_id: i32 = store
        .conn()
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app_id, APPLICATION_ID);
    let mode: String = store
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = store
        .conn()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    let schema = |s: &Store| -> Vec<String> {
        let mut st = s
            .conn()
            .prepare("SELECT type || ' ' || name FROM sqlite_master ORDER BY name")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let before = schema(&store);
    for table in [
        "raw_punches",
        "audit_log",
        "employees",
        "terminals",
        "app_users",
        "download_sessions",
    ] {
        assert!(
            before.contains(&format!("table {table}")),
            "{table} missing from {before:?}"
        );
    }
    kaoqin_store::org::set_name(store.conn(), "测试单位").unwrap();
    drop(store);

    // Re-opening runs the migration step again: nothing changes, data survives.
    let again = Store::open(&path).unwrap();
    assert_eq!(again.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(schema(&again), before);
    assert_eq!(
        kaoqin_store::org::get_name(again.conn())
            .unwrap()
            .as_deref(),
        Some("测试单位")
    );
    assert!(again.integrity_check().unwrap().is_empty());
}

#[test]
fn refuses_a_schema_newer_than_the_binary() {
    let (_dir, path, store) = common::fresh();
    store
        .conn()
        .execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1))
        .unwrap();
    drop(store);
    let err = Store::open(&path).unwrap_err();
    match &err {
        StoreError::SchemaTooNew {
            found, supported, ..
        } => {
            assert_eq!(*found, SCHEMA_VERSION + 1);
            assert_eq!(*supported, SCHEMA_VERSION);
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("kaoqin.db") && msg.contains("newer Kaoqin"),
        "{msg}"
    );
    let err = Store::open_read_only_for_auditor(&path).unwrap_err();
    assert!(matches!(err, StoreError::SchemaTooNew { .. }), "{err:?}");
}

#[test]
fn refuses_files_that_are_not_kaoqin_databases() {
    let dir = tempfile::tempdir().unwrap();

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "这不是数据库, just some text that is long enough").unwrap();
    let err = Store::open(&text).unwrap_err();
    assert!(
        matches!(err, StoreError::NotKaoqinDatabase { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("notes.txt"));
    assert_eq!(
        std::fs::read_to_string(&text).unwrap(),
        "这不是数据库, just some text that is long enough"
    );

    let other = dir.path().join("other.sqlite");
    {
        let c = rusqlite::Connection::open(&other).unwrap();
        c.execute_batch("CREATE TABLE foo (x); INSERT INTO foo VALUES (1);")
            .unwrap();
    }
    let err = Store::open(&other).unwrap_err();
    assert!(
        matches!(err, StoreError::NotKaoqinDatabase { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("other.sqlite"));
    let c = rusqlite::Connection::open(&other).unwrap();
    let v: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 0, "a foreign database must not be migrated");

    let tiny = dir.path().join("tiny.db");
    std::fs::write(&tiny, b"SQLite").unwrap();
    assert!(matches!(
        Store::open(&tiny),
        Err(StoreError::NotKaoqinDatabase { .. })
    ));
}

#[test]
fn a_damaged_file_gets_an_error_naming_it() {
    let (_dir, path, store) = common::fresh();
    drop(store);
    // Keep the header, destroy the rest of page 1 (the schema).
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 200);
    for b in bytes.iter_mut().skip(100).take(3000) {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let _ = std::fs::remove_file(path.with_extension("db-wal"));
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Corrupt { .. } | StoreError::NotKaoqinDatabase { .. }
        ),
        "expected a file error, got {err:?}"
    );
    assert!(err.to_string().contains("kaoqin.db"), "{err}");
}

#[test]
fn two_processes_opening_a_new_file_at_once_both_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("race.db");
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let p = path.clone();
            std::thread::spawn(move || Store::open(&p).map(|s| s.schema_version().unwrap()))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap().unwrap(), SCHEMA_VERSION);
    }
}
