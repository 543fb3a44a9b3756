//! Auditor snapshots against the real simulator (docs/domain.md §2.7): between two snapshots three records are
//! deleted, two times altered and the clock moved through the control port, and the diff reports
//! exactly those; flipping one byte of a snapshot file fails verification, naming the part; the
//! snapshot writes only its own row, key and audit entry.

mod common;

use common::*;
use ed25519_dalek::SigningKey;
use kaoqin_store::{Role, audit, snapshots};
use kaoqin_sync::readonly::AuditorConnector;
use kaoqin_sync::session::Actor;
use kaoqin_sync::snapshot::{self, file};
use kaoqin_zk::client::ClientOptions;

fn auditor() -> Actor {
    Actor {
        name: "zhao".into(),
        role: Role::Auditor,
    }
}

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

fn count(db: &Db, table: &str) -> i64 {
    db.store
        .conn()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap_or(-1)
}

#[tokio::test]
async fn diff_reports_exactly_the_deleted_altered_records_and_the_clock_change() {
    let sim = Sim::start(&[
        "--employees",
        "8",
        "--days",
        "5",
        "--start",
        "2026-03-02",
        "--seed",
        "11",
    ]);
    let mut db = db_with_terminal(&sim.tcp);
    let rules = open_settings(60).rules;
    let c = AuditorConnector::tcp(sim.tcp.clone(), ClientOptions::default());
    let a_path = db.dir.path().join("a.kqsnap");
    let b_path = db.dir.path().join("b.kqsnap");
    let terminal = db.terminal.clone();

    let ra = snapshot::take_snapshot(
        &mut db.store,
        &TestGrant(auditor()),
        &terminal,
        &c,
        &rules,
        system_clock(),
        &key(),
        &a_path,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let log = sim.dump();
    assert_eq!(ra.records, log.len());
    assert_eq!(count(&db, "snapshots"), 1);
    assert_eq!(count(&db, "auditor_keys"), 1);
    assert_eq!(count(&db, "download_sessions"), 0);
    assert_eq!(count(&db, "raw_punches"), 0);

    // Three deletions, two time changes (an hour earlier), the clock 40 minutes fast.
    let deleted: Vec<_> = [3usize, 10, 17].iter().map(|i| log[*i].clone()).collect();
    for d in &deleted {
        sim.ok(&format!("delete-punch {} {}", d.0, d.1));
    }
    let altered: Vec<_> = [5usize, 12].iter().map(|i| log[*i].clone()).collect();
    for a in &altered {
        let t = chrono::NaiveDateTime::parse_from_str(&a.1, "%Y-%m-%d %H:%M:%S")
            .unwrap_or_default()
            - chrono::Duration::hours(1);
        sim.ok(&format!(
            "alter-punch-time {} {} {}",
            a.0,
            a.1,
            t.format("%Y-%m-%d %H:%M:%S")
        ));
    }
    sim.ok("set-clock-offset 2400");

    snapshot::take_snapshot(
        &mut db.store,
        &TestGrant(auditor()),
        &terminal,
        &c,
        &rules,
        system_clock(),
        &key(),
        &b_path,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));

    let (_, a) = file::read(&a_path).unwrap_or_else(|e| panic!("{e}"));
    let (_, b) = file::read(&b_path).unwrap_or_else(|e| panic!("{e}"));
    let d = snapshot::diff(&a, &b);
    let mut removed: Vec<_> = d
        .removed
        .iter()
        .map(|p| {
            (
                p.enrollment_no.clone(),
                p.timestamp.format("%Y-%m-%d %H:%M:%S").to_string(),
            )
        })
        .collect();
    removed.sort();
    let mut want: Vec<_> = deleted.iter().map(|d| (d.0.clone(), d.1.clone())).collect();
    want.sort();
    assert_eq!(removed, want);
    let mut changed: Vec<_> = d
        .time_changed
        .iter()
        .map(|c| {
            (
                c.before.enrollment_no.clone(),
                c.before.timestamp.format("%Y-%m-%d %H:%M:%S").to_string(),
                (c.before.timestamp - c.after.timestamp).num_minutes(),
            )
        })
        .collect();
    changed.sort();
    let mut want: Vec<_> = altered
        .iter()
        .map(|a| (a.0.clone(), a.1.clone(), 60))
        .collect();
    want.sort();
    assert_eq!(changed, want);
    assert!(d.backdated.is_empty(), "{:?}", d.backdated);
    assert_eq!(d.new_after, 0);
    assert!(d.users.is_empty(), "{:?}", d.users);
    let clock = d.clock.unwrap_or_else(|| panic!("no clock change"));
    assert!(
        (clock.skew_after_secs - clock.skew_before_secs - 2400).abs() <= 5,
        "{clock:?}"
    );

    // The audit log holds exactly the two snapshot entries.
    let entries =
        audit::list(db.store.conn(), &Default::default()).unwrap_or_else(|e| panic!("{e}"));
    let actions: Vec<_> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "snapshot.take").count(),
        2,
        "{actions:?}"
    );
    assert_eq!(
        snapshots::list(db.store.conn(), None)
            .map(|v| v.len())
            .unwrap_or(0),
        2
    );
}

#[tokio::test]
async fn one_flipped_byte_fails_verification_naming_the_part() {
    let sim = Sim::start(&["--employees", "4", "--days", "2", "--seed", "2"]);
    let mut db = db_with_terminal(&sim.tcp);
    let rules = open_settings(60).rules;
    let c = AuditorConnector::tcp(sim.tcp.clone(), ClientOptions::default());
    let path = db.dir.path().join("s.kqsnap");
    let terminal = db.terminal.clone();
    let r = snapshot::take_snapshot(
        &mut db.store,
        &TestGrant(auditor()),
        &terminal,
        &c,
        &rules,
        system_clock(),
        &key(),
        &path,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let good = snapshot::verify(&path, Some(&r.public_key)).unwrap_or_else(|e| panic!("{e}"));
    assert!(good.ok(), "{:?}", good.problems);

    // Change one digit of a timestamp inside attlog.csv (stored uncompressed).
    let mut bytes = std::fs::read(&path).unwrap_or_default();
    let header = bytes
        .windows(22)
        .position(|w| w == b"position,enrollment_no")
        .unwrap_or_else(|| panic!("no attlog.csv in the file"));
    let at = header
        + bytes[header..]
            .windows(5)
            .position(|w| w == b"2026-")
            .unwrap_or_else(|| panic!("no timestamp in attlog.csv"));
    bytes[at + 3] = b'5';
    let bad_path = db.dir.path().join("bad.kqsnap");
    std::fs::write(&bad_path, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let bad = snapshot::verify(&bad_path, Some(&r.public_key)).unwrap_or_else(|e| panic!("{e}"));
    assert!(!bad.ok());
    assert!(
        bad.problems.iter().any(|p| p.contains("attlog.csv")),
        "{:?}",
        bad.problems
    );

    // A different signer's key is named as not registered.
    let other = snapshot::verify(&path, Some("00")).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        other
            .problems
            .iter()
            .any(|p| p.contains("not the key registered"))
    );
}
