//! End-to-end: `kaoqin backup FILE` and `kaoqin restore FILE` — round trip, the old database kept
//! aside, admin only, and refusal of files that are not Kaoqin databases.

mod cli_common;
use cli_common::*;

#[test]
fn backup_and_restore_round_trip() {
    let env = Env::populated();
    let backup = env.path("backup-1.db");
    let b = backup.to_str().unwrap();
    let r = env.admin(&["backup", b]);
    ok(&r);
    assert!(
        backup.is_file() && r.stdout.contains("Backed up to"),
        "{r:?}"
    );
    // A second backup to the same name is refused.
    fails(&env.admin(&["backup", b]), 1, "already exists");

    // Change things after the backup.
    ok(&env.run_as(
        "clerk",
        USER_PW,
        &[
            "employee",
            "add",
            "--no",
            "1002",
            "--name",
            "李四",
            "--department",
            "办公室",
        ],
        &[],
    ));

    // Only the admin restores.
    fails(
        &env.run_as("sup", USER_PW, &["restore", b], &[]),
        3,
        "permission denied",
    );
    let r = env.admin(&["restore", b]);
    ok(&r);
    let aside_line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("The previous database was kept as "))
        .unwrap_or("");
    let aside = std::path::PathBuf::from(
        aside_line.trim_start_matches("The previous database was kept as "),
    );
    assert!(aside.is_file(), "{r:?}");

    // The restored database has the state of the backup, its chain verifies, and the restore is logged.
    let r = env.run_as(
        "clerk",
        USER_PW,
        &["employee", "list", "--format", "csv"],
        &[],
    );
    ok(&r);
    assert!(
        r.stdout.contains("1001,") && !r.stdout.contains("1002,"),
        "{r:?}"
    );
    ok(&env.admin(&["audit", "verify"]));
    let r = env.admin(&["audit", "log", "--action", "restore", "--format", "csv"]);
    assert_eq!(r.stdout.lines().count(), 2, "{r:?}");

    // The kept-aside file still has the later change.
    let c = rusqlite::Connection::open(&aside).unwrap();
    let n: i64 = c
        .query_row(
            "SELECT count(*) FROM employees WHERE enrollment_no = '1002'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn restore_refuses_foreign_files_and_keeps_the_database() {
    let env = Env::populated();
    let junk = env.path("junk.db");
    std::fs::write(&junk, b"SQLite format 3\0 but not really").unwrap();
    let r = env.admin(&["restore", junk.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("junk.db"), "{r:?}");
    let missing = env.path("missing.db");
    fails(
        &env.admin(&["restore", missing.to_str().unwrap()]),
        1,
        "missing.db",
    );
    // Still the same database, still intact.
    ok(&env.admin(&["audit", "verify"]));
    let r = env.run_as(
        "clerk",
        USER_PW,
        &["employee", "list", "--format", "csv"],
        &[],
    );
    assert!(r.stdout.contains("1001,"), "{r:?}");
}
