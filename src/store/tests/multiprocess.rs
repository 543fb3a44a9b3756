//! Several processes on one database file: concurrent writers lose nothing (busy timeout + IMMEDIATE
//! transactions), an online backup taken while another process writes is a consistent snapshot, and a
//! restore round-trips. Child processes are this test binary re-executed with `KAOQIN_STORE_TEST_CHILD`
//! set, running the ignored `child_writer` helper.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::t;
use kaoqin_store::punches::{self, NewPunch};
use kaoqin_store::{Role, Store, StoreError, audit, backup, sessions};

const CHILD_ENV: &str = "KAOQIN_STORE_TEST_CHILD";
const PUNCHES_PER_TX: usize = 10;

/// One "download": a session, PUNCHES_PER_TX new punches and an audit entry, in one transaction.
fn write_one(store: &mut Store, tag: &str, i: usize) {
    let tx = store.transaction().unwrap();
    let s = common::session(&tx, tag);
    let base = t("2026-01-01 08:00:00") + chrono::Duration::minutes(i as i64);
    let batch: Vec<NewPunch> = (0..PUNCHES_PER_TX)
        .map(|k| NewPunch {
            enrollment_no: format!("{}", 1000 + k),
            ts: base,
            verify_mode: 15,
            in_out_state: 0,
            work_code: 0,
        })
        .collect();
    let st = punches::insert_batch(&tx, s, tag, t("2026-11-25 10:00:00"), &batch).unwrap();
    assert_eq!(st.new, PUNCHES_PER_TX as u64);
    audit::append(
        &tx,
        audit::NewEntry {
            at: t("2026-11-25 10:00:00"),
            actor: tag.into(),
            role: Some(Role::HrClerk),
            action: "download".into(),
            target: tag.into(),
            details: serde_json::json!({"i": i, "new": st.new}),
        },
    )
    .unwrap();
    tx.commit().unwrap();
}

#[test]
#[ignore = "helper: run as a child process by the other tests in this file"]
fn child_writer() {
    let spec = std::env::var(CHILD_ENV).expect("run only as a child process");
    let mut parts = spec.splitn(3, '|');
    let (db, tag, n) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let n: usize = n.parse().unwrap();
    let mut store = Store::open(db).unwrap();
    for i in 0..n {
        write_one(&mut store, tag, i);
    }
}

fn spawn_writer(db: &Path, tag: &str, n: usize) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_writer",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, format!("{}|{tag}|{n}", db.display()))
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

fn counts(conn: &kaoqin_store::rusqlite::Connection) -> (u64, u64, u64) {
    let p = punches::count(conn, &Default::default()).unwrap();
    let s = sessions::list(conn, &Default::default()).unwrap().len() as u64;
    let a = audit::verify(conn).unwrap();
    assert!(a.is_intact(), "{:?}", a.first_break);
    (p, s, a.entries_checked)
}

#[test]
fn two_processes_writing_at_once_lose_nothing() {
    let (_dir, path, store) = common::fresh();
    drop(store);
    const N: usize = 150;
    let mut a = spawn_writer(&path, "SN-A", N);
    let mut b = spawn_writer(&path, "SN-B", N);
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    let store = Store::open(&path).unwrap();
    let (p, s, e) = counts(store.conn());
    assert_eq!(
        (p, s, e),
        ((2 * N * PUNCHES_PER_TX) as u64, 2 * N as u64, 2 * N as u64)
    );
    for tag in ["SN-A", "SN-B"] {
        let f = punches::PunchFilter {
            terminal_serial: Some(tag.into()),
            ..Default::default()
        };
        assert_eq!(
            punches::count(store.conn(), &f).unwrap(),
            (N * PUNCHES_PER_TX) as u64
        );
    }
    assert!(store.integrity_check().unwrap().is_empty());
}

#[test]
fn backup_while_another_process_writes_is_consistent() {
    let (dir, path, store) = common::fresh();
    const N: usize = 400;
    let mut child = spawn_writer(&path, "SN-W", N);
    // Wait until the writer is under way.
    let start = Instant::now();
    while punches::count(store.conn(), &Default::default()).unwrap() == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "writer never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut taken = Vec::new();
    let mut during = 0;
    for k in 0..5 {
        let still_running = child.try_wait().unwrap().is_none();
        let dest = dir.path().join(format!("backup-{k}.db"));
        let info = backup::backup_to(store.conn(), &dest).unwrap();
        if still_running {
            during += 1;
        }
        taken.push((dest, info));
        std::thread::sleep(Duration::from_millis(30));
    }
    assert!(child.wait().unwrap().success());
    assert!(
        during >= 1,
        "no backup overlapped the writer; the test proved nothing"
    );
    for (dest, info) in &taken {
        let checked = backup::check_is_kaoqin_db(dest).unwrap();
        assert_eq!(&checked, info);
        let b = Store::open(dest).unwrap();
        let (p, s, e) = counts(b.conn());
        // Whole transactions only: each session brought exactly PUNCHES_PER_TX punches and one entry.
        assert_eq!(p, s * PUNCHES_PER_TX as u64, "{}", dest.display());
        assert_eq!(e, s);
        assert_eq!(info.punches, p);
    }
    let (p, _, _) = counts(store.conn());
    assert_eq!(p, (N * PUNCHES_PER_TX) as u64);
    // A backup never overwrites.
    let err = backup::backup_to(store.conn(), &taken[0].0).unwrap_err();
    assert!(matches!(err, StoreError::BackupExists { .. }), "{err:?}");
}

#[test]
fn restore_round_trip_keeps_the_current_database_aside() {
    let (dir, path, mut store) = common::fresh();
    for i in 0..5 {
        write_one(&mut store, "SN-R", i);
    }
    let bak = dir.path().join("monday.kqbak");
    backup::backup_to(store.conn(), &bak).unwrap();
    for i in 5..8 {
        write_one(&mut store, "SN-R", i);
    }
    assert_eq!(counts(store.conn()), (80, 8, 8));

    // Refusals leave the current database untouched.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, "not a database at all, not even close").unwrap();
    assert!(matches!(
        backup::restore(&junk, &path, t("2026-11-25 12:00:00")),
        Err(StoreError::NotKaoqinDatabase { .. })
    ));
    assert!(matches!(
        backup::restore(&path, &path, t("2026-11-25 12:00:00")),
        Err(StoreError::Invalid { .. })
    ));
    assert_eq!(counts(store.conn()), (80, 8, 8));
    drop(store);

    let report = backup::restore(&bak, &path, t("2026-11-25 12:00:00")).unwrap();
    let aside = report.kept_aside.clone().unwrap();
    assert_eq!(
        aside.file_name().unwrap().to_string_lossy(),
        "kaoqin.before-restore-20261125-120000.db"
    );
    assert_eq!(
        (report.restored.punches, report.restored.audit_entries),
        (50, 5)
    );

    let restored = Store::open(&path).unwrap();
    assert_eq!(counts(restored.conn()), (50, 5, 5));
    let old = Store::open(&aside).unwrap();
    assert_eq!(counts(old.conn()), (80, 8, 8));
    drop(old);

    // Restoring twice in the same second keeps both older files.
    drop(restored);
    let again = backup::restore(&bak, &path, t("2026-11-25 12:00:00")).unwrap();
    assert_ne!(again.kept_aside.unwrap(), aside);
}
