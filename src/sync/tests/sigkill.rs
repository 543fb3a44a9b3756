//! A download process killed with SIGKILL mid-transfer leaves the database sound (`PRAGMA
//! integrity_check`), the ledger as it was, a `running` session row as the trace of the connection,
//! and the next download completes exactly.
//!
//! The killed process is this test binary re-run as a child (`KAOQIN_SYNC_CHILD_DB` set), doing a
//! real download with the real driver against the real simulator, so the kill hits real I/O. The
//! same test through the `kaoqin download` CLI belongs beside the CLI (tests/ at the root).

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use kaoqin_store::Store;
use kaoqin_store::sessions::{self, SessionFilter, SessionResult};
use kaoqin_sync::policy::PolicyError;
use kaoqin_sync::session::SessionIo;
use kaoqin_sync::{SyncError, download_terminal, settings};

const CHILD_DB: &str = "KAOQIN_SYNC_CHILD_DB";
/// Long enough for the kill to land mid-transfer, short enough to wait out (see below).
const LIMIT_SECS: u32 = 6;

/// Runs only as the child: one download of terminal "front-door" into the given database.
#[test]
fn child_download_process() {
    let Some(db) = std::env::var_os(CHILD_DB) else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let mut store = Store::open(db).unwrap_or_else(|e| panic!("{e}"));
    let r = rt.block_on(download_terminal(
        &mut store,
        &clerk(),
        "front-door",
        None,
        None,
        system_clock(),
        SessionIo::default(),
    ));
    println!("child finished: {:?}", r.map(|r| r.counts));
}

#[test]
fn sigkill_mid_transfer_leaves_the_database_sound_and_the_next_download_completes() {
    if std::env::var_os(CHILD_DB).is_some() {
        return;
    }
    let sim = Sim::start(&["--employees", "300", "--days", "120", "--limit", "40000"]);
    let mut db = db_with_terminal(&sim.tcp);
    settings::set_rules(
        &mut db.store,
        &supervisor(),
        &open_settings(LIMIT_SECS).rules,
        chrono::Local::now().naive_local(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let path = db.dir.path().join("kaoqin.db");
    // Slow replies so the transfer (25 chunks) takes seconds.
    sim.ok("fault delay-ms 100");

    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "child_download_process",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD_DB, &path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the child: {e}"));

    // Wait until the child is inside the log transfer: its session row is running and it has
    // disabled the terminal; then give it a few chunks.
    let watcher = Store::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let running = sessions::list(watcher.conn(), &SessionFilter::default())
            .unwrap_or_default()
            .iter()
            .any(|s| s.result == SessionResult::Running);
        if running && sim.status("enabled") == "0" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the child never started its transfer"
        );
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the child ended early: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1000));
    child.kill().unwrap_or_else(|e| panic!("SIGKILL: {e}")); // SIGKILL on Unix
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(!status.success(), "the child was killed, not finished");
    drop(watcher);

    sim.ok("fault clear");
    let problems = db.store.integrity_check().unwrap_or_else(|e| panic!("{e}"));
    assert!(problems.is_empty(), "integrity_check: {problems:?}");
    assert_eq!(db.ledger_count(), 0, "nothing from the killed transfer");
    let rows = sessions::list(db.store.conn(), &SessionFilter::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].result,
        SessionResult::Running,
        "the killed session stays visible"
    );
    assert!(
        kaoqin_store::audit::verify(db.store.conn())
            .map(|r| r.is_intact())
            .unwrap_or(false)
    );

    // The killed session never recorded its end, so it counts as connected until its time limit
    // (the spacing rule must not trust a session it cannot see end): the next download is refused
    // until then, and then completes.
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let next = |store: &mut Store| {
        rt.block_on(download_terminal(
            store,
            &clerk(),
            "front-door",
            None,
            None,
            system_clock(),
            SessionIo::default(),
        ))
    };
    let report = match next(&mut db.store) {
        Ok(r) => r,
        Err(SyncError::Policy(PolicyError::Refused(refusal))) => {
            assert_eq!(refusal.rule.name(), "spacing");
            assert!(
                refusal.to_string().contains("never recorded its end"),
                "{refusal}"
            );
            let assumed_end = rows[0].started_at + chrono::Duration::seconds(i64::from(LIMIT_SECS));
            assert_eq!(refusal.earliest_allowed_at, assumed_end);
            let wait = (assumed_end - chrono::Local::now().naive_local())
                .to_std()
                .unwrap_or_default();
            std::thread::sleep(wait + Duration::from_millis(200));
            next(&mut db.store).unwrap_or_else(|e| panic!("the next download: {e}"))
        }
        Err(e) => panic!("the next download: {e}"),
    };
    assert_eq!(report.counts.new, 40_000);
    let mut expected = sim.dump();
    expected.sort();
    assert_eq!(db.ledger(), expected);
    assert!(
        db.store
            .integrity_check()
            .map(|p| p.is_empty())
            .unwrap_or(false)
    );
}
