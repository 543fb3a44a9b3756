//! Downloads from the REAL simulator over real loopback sockets into a real SQLite store:
//! exact ledger contents, idempotence, the hard time limit, dropped connections at every chunk
//! boundary, cancellation, clock tampering and credential findings, progress reports.
//!
//! A test that needs a transfer "in the middle" has the simulator hold it there
//! (`fault stall-after-chunks`) and waits on its `status` counters, never on a delay; deadlines
//! are generous guards only, so a loaded machine gives the same result.

mod common;

use std::time::Duration;

use chrono::Duration as CDuration;
use common::*;
use kaoqin_store::sessions::{self, SessionFilter, SessionResult};
use kaoqin_store::{audit, findings};
use kaoqin_sync::session::{Phase, SessionIo, progress_channel};
use kaoqin_sync::{CancellationToken, SyncError, download};
use kaoqin_zk::client::ClientOptions;

fn sim_log_sorted(sim: &Sim) -> Vec<(String, String, i64, i64)> {
    let mut v = sim.dump();
    v.sort();
    v
}

/// Longest a test waits for a state it needs before calling it a failure: a guard against
/// hanging, never a performance bound.
const GUARD: Duration = Duration::from_secs(60);

/// A connector whose reply timeout outlasts anything a test waits for, so a transfer held by the
/// simulator ends by the session's own limit or cancellation, never by the client giving up.
fn patient_connector(sim: &Sim) -> kaoqin_sync::ZkConnector {
    kaoqin_sync::ZkConnector::tcp(
        sim.tcp.clone(),
        ClientOptions {
            timeout: GUARD + Duration::from_secs(60),
            ..ClientOptions::default()
        },
    )
}

/// One numeric field of the simulator's `status`.
fn status_num(sim: &Sim, key: &str) -> u64 {
    let v = sim.status(key);
    v.parse()
        .unwrap_or_else(|_| panic!("status {key}={v} is not a number"))
}

/// Polls the simulator's `status` until `key` satisfies `want` (instead of sleeping for a time
/// that only usually suffices); panics after [`GUARD`]. The control call blocks this task
/// briefly, which only delays the download running beside it.
async fn wait_status(sim: &Sim, key: &str, want: impl Fn(u64) -> bool) -> u64 {
    let give_up = tokio::time::Instant::now() + GUARD;
    loop {
        let v = status_num(sim, key);
        if want(v) {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < give_up,
            "status {key} still {v} after {GUARD:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn last_session(db: &Db) -> sessions::Session {
    sessions::list(db.store.conn(), &SessionFilter::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .pop()
        .unwrap_or_else(|| panic!("no session recorded"))
}

#[tokio::test]
async fn download_stores_exactly_the_simulators_records_once() {
    let sim = Sim::start(&["--employees", "15", "--days", "20", "--seed", "7"]);
    let mut db = db_with_terminal(&sim.tcp);
    let settings = open_settings(180);
    let conn = sim.connector();
    let terminal = db.terminal.clone();

    let first = download(
        &mut db.store,
        &conn,
        &clerk(),
        &terminal,
        &settings,
        None,
        system_clock(),
        SessionIo::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("first download: {e}"));
    let expected = sim_log_sorted(&sim);
    assert!(!expected.is_empty());
    assert_eq!(
        db.ledger(),
        expected,
        "the ledger must equal the simulator's log"
    );
    assert_eq!(first.counts.read, expected.len() as u64);
    assert_eq!(first.counts.new, expected.len() as u64);
    assert_eq!(first.counts.already_stored, 0);
    assert_eq!(first.terminal_serial, "KQSIM0000001");
    assert_eq!(
        sim.status("enabled"),
        "1",
        "terminal enabled after the download"
    );

    // Session row: everything needed beside a router log.
    let s = last_session(&db);
    assert_eq!(s.result, SessionResult::Ok);
    assert_eq!(s.actor, "wang");
    assert_eq!(s.role, "hr_clerk");
    assert_eq!(
        s.peer_addr.as_deref(),
        Some(format!("tcp://{}", sim.tcp).as_str())
    );
    assert!(s.ended_at.is_some());
    assert_eq!(s.records_new, expected.len() as u64);
    for cmd in [
        "connect",
        "device_info",
        "get_time",
        "disable_device",
        "read_users",
        "read_attendance",
        "enable_device",
        "disconnect",
    ] {
        assert_eq!(
            s.commands.get(cmd).and_then(|v| v.as_u64()),
            Some(1),
            "command {cmd} in {}",
            s.commands
        );
    }
    let t = db.terminal_now();
    assert_eq!(t.serial_no.as_deref(), Some("KQSIM0000001"));
    assert!(t.last_contact_at.is_some());
    assert_eq!(t.consecutive_failures, 0);

    // Again: nothing new, nothing twice.
    let second = download(
        &mut db.store,
        &conn,
        &clerk(),
        &terminal,
        &settings,
        None,
        system_clock(),
        SessionIo::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("second download: {e}"));
    assert_eq!(second.counts.new, 0);
    assert_eq!(second.counts.already_stored, expected.len() as u64);
    assert_eq!(db.ledger(), expected);

    // A punch taken meanwhile arrives with the next download, alone.
    sim.ok("add-punch 1001 2026-01-05 08:31:00 15 0");
    let third = download(
        &mut db.store,
        &conn,
        &clerk(),
        &terminal,
        &settings,
        None,
        system_clock(),
        SessionIo::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("third download: {e}"));
    assert_eq!(third.counts.new, 1);
    assert_eq!(db.ledger(), sim_log_sorted(&sim));

    let report = audit::verify(db.store.conn()).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.is_intact(), "audit chain intact");
    let actions: Vec<String> = audit::list(db.store.conn(), &Default::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions.iter().filter(|a| *a == "download").count(), 3);
    assert_eq!(actions.iter().filter(|a| *a == "download.start").count(), 3);
}

#[tokio::test]
async fn time_limit_cuts_mid_transfer_commits_nothing_and_reenables() {
    // ~40,000 records = 25 TCP chunks. The simulator sends the user table (one chunk) and two
    // chunks of the log, then holds the transfer, so the limit certainly cuts it mid-way however
    // fast or slow the machine is.
    let sim = Sim::start(&["--employees", "300", "--days", "120", "--limit", "40000"]);
    let mut db = db_with_terminal(&sim.tcp);
    sim.ok("fault stall-after-chunks 3");
    // The limit leaves the test ample time to see the hold and lift the fault before the cut (so
    // the clean-up's ENABLE is answered); the reply timeout outlasts the limit, so the cut, not
    // the client, ends the held read.
    let limit: u32 = 10;
    let conn = patient_connector(&sim);
    let (tx, mut rx) = progress_channel();
    let io = SessionIo::new(tx, CancellationToken::new());
    let settings = open_settings(limit);
    let terminal = db.terminal.clone();
    let actor = clerk();
    let run = download(
        &mut db.store,
        &conn,
        &actor,
        &terminal,
        &settings,
        None,
        system_clock(),
        io,
    );
    let lift_hold = async {
        wait_status(&sim, "stalled", |n| n >= 1).await;
        assert_eq!(
            status_num(&sim, "chunks_sent"),
            3,
            "held after the third chunk"
        );
        // The held READ_CHUNK was swallowed: lifting the fault does not answer it.
        sim.ok("fault clear");
    };
    let guard = Duration::from_secs(u64::from(limit) + 60);
    let (result, ()) = tokio::time::timeout(guard, async { tokio::join!(run, lift_hold) })
        .await
        .unwrap_or_else(|_| panic!("the download outlived its {limit} s limit by a minute"));
    let session_id = match result {
        Err(SyncError::Cut {
            session_id,
            message,
        }) => {
            assert!(
                message.contains(&format!("time limit of {limit} s")),
                "{message}"
            );
            assert!(
                message.contains("reading the attendance log"),
                "cut mid-transfer: {message}"
            );
            session_id
        }
        other => panic!("expected a cut, got {other:?}"),
    };
    assert_eq!(db.ledger_count(), 0, "nothing from the cut batch is stored");
    assert_eq!(
        status_num(&sim, "stalled"),
        1,
        "only the held chunk went unanswered"
    );
    assert_eq!(sim.status("enabled"), "1", "terminal enabled again");
    assert_eq!(rx.borrow_and_update().phase, Phase::Cut);

    let s = sessions::get(db.store.conn(), session_id).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.result, SessionResult::Cut);
    assert!(s.cut);
    let connected = s.duration().unwrap_or_else(|| panic!("no end recorded"));
    assert!(
        connected <= CDuration::seconds(i64::from(limit) + 60),
        "connected for {connected:?} with a {limit} s limit"
    );
    assert_eq!(s.records_new, 0);
    assert!(s.ended_at.is_some());
    assert_eq!(
        s.commands.get("enable_device").and_then(|v| v.as_u64()),
        Some(1)
    );
    let entry = audit::list(db.store.conn(), &Default::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .rfind(|e| e.action == "download")
        .unwrap_or_else(|| panic!("no audit entry for the cut session"));
    assert_eq!(entry.details["cut"], serde_json::json!(true));
    assert_eq!(entry.details["result"], serde_json::json!("cut"));
    assert_eq!(entry.details["terminal_reenabled"], serde_json::json!(true));
    let t = db.terminal_now();
    assert_eq!(t.consecutive_failures, 1);
    assert!(t.last_error.is_some());

    // The next download (no fault) completes it.
    let report = download(
        &mut db.store,
        &sim.connector(),
        &clerk(),
        &db.terminal.clone(),
        &open_settings(60),
        None,
        system_clock(),
        SessionIo::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("retry: {e}"));
    assert_eq!(report.counts.new, 40_000);
    assert_eq!(db.ledger(), sim_log_sorted(&sim));
    assert_eq!(db.terminal_now().consecutive_failures, 0);
}

#[tokio::test]
async fn dropped_connection_at_every_chunk_boundary_then_retry_is_exact() {
    // 10,000 records of 40 bytes = 400,004 bytes = 7 TCP chunks of 65,472 bytes.
    let sim = Sim::start(&["--employees", "100", "--days", "100", "--limit", "10000"]);
    let expected = sim_log_sorted(&sim);
    assert_eq!(expected.len(), 10_000);
    for n in 0..7 {
        let mut db = db_with_terminal(&sim.tcp);
        let terminal = db.terminal.clone();
        // Users are read first (inline or one chunk); count their chunks too by dropping later.
        sim.ok(&format!("fault drop-after-chunks {}", n + 1));
        let r = download(
            &mut db.store,
            &sim.connector(),
            &clerk(),
            &terminal,
            &open_settings(60),
            None,
            system_clock(),
            SessionIo::default(),
        )
        .await;
        match r {
            Err(SyncError::Terminal { message, .. }) => {
                assert!(message.contains("nothing was stored"), "{message}")
            }
            other => panic!("chunk boundary {n}: expected a dropped connection, got {other:?}"),
        }
        assert_eq!(
            db.ledger_count(),
            0,
            "boundary {n}: nothing stored from the broken transfer"
        );
        sim.ok("fault clear");
        let ok = download(
            &mut db.store,
            &sim.connector(),
            &clerk(),
            &terminal,
            &open_settings(60),
            None,
            system_clock(),
            SessionIo::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("boundary {n}: retry failed: {e}"));
        assert_eq!(ok.counts.new, 10_000, "boundary {n}");
        assert_eq!(
            db.ledger(),
            expected,
            "boundary {n}: exactly the simulator's records"
        );
        let results: Vec<SessionResult> =
            sessions::list(db.store.conn(), &SessionFilter::default())
                .unwrap_or_else(|e| panic!("{e}"))
                .into_iter()
                .map(|s| s.result)
                .collect();
        assert_eq!(results, vec![SessionResult::Error, SessionResult::Ok]);
        assert_eq!(sim.status("enabled"), "1");
    }
}

#[tokio::test]
async fn cancellation_stops_the_session_and_stores_nothing() {
    let sim = Sim::start(&["--employees", "200", "--days", "100", "--limit", "20000"]);
    let mut db = db_with_terminal(&sim.tcp);
    // The user table (one chunk) and one chunk of the log, then the transfer is held: the cancel
    // certainly lands mid-transfer.
    sim.ok("fault stall-after-chunks 2");
    let cancel = CancellationToken::new();
    let (tx, mut rx) = progress_channel();
    let io = SessionIo::new(tx, cancel.clone());
    let conn = patient_connector(&sim);
    let terminal = db.terminal.clone();
    let settings = open_settings(60);
    let actor = clerk();
    let run = download(
        &mut db.store,
        &conn,
        &actor,
        &terminal,
        &settings,
        None,
        system_clock(),
        io,
    );
    let canceller = async {
        let mut total = 0;
        while rx.changed().await.is_ok() {
            let p = *rx.borrow_and_update();
            if p.phase == Phase::ReadingLog && p.records_done > 0 {
                total = p.records_total;
                break;
            }
        }
        wait_status(&sim, "stalled", |n| n >= 1).await;
        // Lifted before the cancel so the clean-up's ENABLE is answered; the held READ_CHUNK
        // itself was swallowed and stays unanswered.
        sim.ok("fault clear");
        cancel.cancel();
        total
    };
    let (r, total) = tokio::time::timeout(GUARD, async { tokio::join!(run, canceller) })
        .await
        .unwrap_or_else(|_| panic!("the cancelled download did not end"));
    assert!(matches!(r, Err(SyncError::Cancelled { .. })), "got {r:?}");
    assert_eq!(total, 20_000, "progress reported the total");
    assert_eq!(status_num(&sim, "chunks_sent"), 2);
    assert_eq!(db.ledger_count(), 0);
    assert_eq!(sim.status("enabled"), "1");
    let s = last_session(&db);
    assert_eq!(s.result, SessionResult::Error);
    assert!(s.error.unwrap_or_default().contains("cancelled"));
}

#[tokio::test]
async fn clock_tampering_and_non_face_punches_are_found() {
    let sim = Sim::start(&["--employees", "10", "--days", "5", "--seed", "3"]);
    let mut db = db_with_terminal(&sim.tcp);
    let terminal = db.terminal.clone();
    let settings = open_settings(60);
    download(
        &mut db.store,
        &sim.connector(),
        &clerk(),
        &terminal,
        &settings,
        None,
        system_clock(),
        SessionIo::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("baseline: {e}"));

    // Someone sets the terminal clock two days back, then punches; also a password and a
    // fingerprint punch (at explicit times after the last record, so only the tampered one
    // goes backwards).
    let now = chrono::Local::now().naive_local();
    let t1 = (now - CDuration::minutes(5))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let t2 = (now - CDuration::minutes(4))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    sim.ok(&format!("add-punch 1001 {t1} 0 0"));
    sim.ok(&format!("add-punch 1002 {t2} 1 0"));
    sim.ok("set-clock-offset -172800");
    sim.ok("add-punch 1003 now 15 0");

    let report = download(
        &mut db.store,
        &sim.connector(),
        &clerk(),
        &terminal,
        &settings,
        None,
        system_clock(),
        SessionIo::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("after tampering: {e}"));
    assert_eq!(report.counts.new, 3);
    let kinds: Vec<&str> = report.findings.iter().map(|f| f.kind.as_str()).collect();
    assert!(kinds.contains(&"clock-skew"), "{kinds:?}");
    let skew = report.clock.map(|c| c.skew_secs()).unwrap_or(0);
    assert!((-172_900..=-172_700).contains(&skew), "skew {skew}");
    let back = report
        .findings
        .iter()
        .find(|f| f.kind.as_str() == "time-backwards")
        .unwrap_or_else(|| panic!("no time-backwards finding: {kinds:?}"));
    assert!(
        back.records.iter().any(|r| r.enrollment_no == "1003"),
        "{back:?}"
    );
    let nonface: Vec<(String, String)> = report
        .findings
        .iter()
        .filter(|f| f.kind.as_str() == "non-face-verify")
        .flat_map(|f| {
            f.records.iter().map(|r| {
                (
                    r.enrollment_no.clone(),
                    r.timestamp.format("%Y-%m-%d %H:%M:%S").to_string(),
                )
            })
        })
        .collect();
    assert!(
        nonface.contains(&("1001".to_string(), t1.clone())),
        "{nonface:?}"
    );
    assert!(
        nonface.contains(&("1002".to_string(), t2.clone())),
        "{nonface:?}"
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.kind.as_str() == "non-face-verify" && f.summary.contains("password")),
        "password named"
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.kind.as_str() == "non-face-verify" && f.summary.contains("fingerprint")),
        "fingerprint named"
    );

    // Stored with the session, listed open.
    let stored = findings::list(
        db.store.conn(),
        &findings::FindingFilter {
            terminal_id: Some(terminal.id),
            open_only: true,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let in_session: Vec<&findings::Finding> = stored
        .iter()
        .filter(|f| f.session_id == Some(report.session_id))
        .collect();
    assert_eq!(in_session.len(), report.findings.len());
    assert!(
        in_session
            .iter()
            .all(|f| f.details["records"].is_array() && f.details["summary"].is_string())
    );
    assert_eq!(last_session(&db).clock_skew_secs, Some(skew));
}

#[tokio::test]
async fn progress_reports_phase_records_and_time_left() {
    let sim = Sim::start(&["--employees", "100", "--days", "50", "--limit", "5000"]);
    let mut db = db_with_terminal(&sim.tcp);
    let (tx, mut rx) = progress_channel();
    let io = SessionIo::new(tx, CancellationToken::new());
    let watcher = tokio::spawn(async move {
        let mut seen = Vec::new();
        while rx.changed().await.is_ok() {
            seen.push(*rx.borrow_and_update());
        }
        seen
    });
    let report = download(
        &mut db.store,
        &sim.connector(),
        &clerk(),
        &db.terminal.clone(),
        &open_settings(180),
        None,
        system_clock(),
        io,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    // The session dropped its sender when it ended, so the watcher ends by itself; the timeout
    // only guards against a sender kept alive by mistake.
    let seen = tokio::time::timeout(GUARD, watcher)
        .await
        .unwrap_or_else(|_| panic!("progress channel not closed"))
        .unwrap_or_default();
    assert_eq!(report.counts.new, 5000);
    let phases: Vec<Phase> = seen.iter().map(|p| p.phase).collect();
    assert!(phases.contains(&Phase::Connecting));
    assert!(phases.contains(&Phase::Disabling));
    assert!(phases.contains(&Phase::Enabling));
    let log_max = seen
        .iter()
        .filter(|p| p.phase == Phase::ReadingLog)
        .map(|p| (p.records_done, p.records_total))
        .max()
        .unwrap_or_default();
    assert_eq!(log_max, (5000, 5000));
    assert!(seen.iter().all(|p| p.time_left <= Duration::from_secs(180)));
    assert!(seen.iter().any(|p| p.time_left > Duration::from_secs(170)));
}
