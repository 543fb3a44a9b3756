//! Opening and migrating: from empty, re-running, refusing newer schemas and foreign or damaged files,
//! and several processes creating the same new file at once (child processes are this test binary
//! re-executed with `KAOQIN_STORE_OPEN_CHILD` set, running the ignored `child_opener` helper).

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// Set in the child processes of the test below: `DB|DIR|TAG` (the database, where the start and
/// result files go, this child's name).
const CHILD_ENV: &str = "KAOQIN_STORE_OPEN_CHILD";
const OPENERS: usize = 4;

#[test]
#[ignore = "helper: run as a child process by several_processes_opening_a_new_file_at_once_all_succeed"]
fn child_opener() {
    let spec = std::env::var(CHILD_ENV).expect("run only as a child process");
    let mut parts = spec.splitn(3, '|');
    let (db, dir, tag) = (
        parts.next().expect("database"),
        Path::new(parts.next().expect("directory")),
        parts.next().expect("tag"),
    );
    // Say "ready" and wait for "go", so the opens start together rather than one per spawn.
    std::fs::write(dir.join(format!("ready-{tag}")), "").expect("ready file");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !dir.join("go").exists() {
        assert!(Instant::now() < deadline, "no go from the parent");
        std::thread::sleep(Duration::from_millis(1));
    }
    let version = Store::open(db)
        .and_then(|s| s.schema_version())
        .expect("open the new file");
    // The parent reads this: a child that ran no test would exit 0 without it.
    std::fs::write(dir.join(format!("version-{tag}")), version.to_string()).expect("result file");
}

/// The GUI and the CLI (or two windows) started at once on a database that does not exist yet:
/// separate processes, so each has its own connection and SQLite's file locks between processes
/// decide who creates and migrates the file.
#[test]
fn several_processes_opening_a_new_file_at_once_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("race.db");
    let exe = std::env::current_exe().unwrap();
    let mut children: Vec<_> = (0..OPENERS)
        .map(|k| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "child_opener",
                    "--ignored",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(
                    CHILD_ENV,
                    format!("{}|{}|{k}", path.display(), dir.path().display()),
                )
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !(0..OPENERS).all(|k| dir.path().join(format!("ready-{k}")).exists()) {
        assert!(Instant::now() < deadline, "the children never got ready");
        for c in &mut children {
            if let Some(status) = c.try_wait().unwrap() {
                panic!("a child ended before the go: {status}");
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(!path.exists(), "no child opened before the go");
    std::fs::write(dir.path().join("go"), "").unwrap();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    for k in 0..OPENERS {
        let version = std::fs::read_to_string(dir.path().join(format!("version-{k}")))
            .expect("every child opened the file");
        assert_eq!(version, SCHEMA_VERSION.to_string());
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(store.integrity_check().unwrap().is_empty());
}
