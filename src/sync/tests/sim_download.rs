//! Downloads from the REAL simulator over real loopback sockets into a real SQLite store:
//! exact ledger contents, idempotence, the hard time limit, dropped connections at every chunk
//! boundary, cancellation, clock tampering and credential findings, progress reports.

mod common;

use std::time::Duration;

use chrono::Duration as CDuration;
use common::*;
use kaoqin_store::sessions::{self, SessionFilter, SessionResult};
use kaoqin_store::{audit, findings};
use kaoqin_sync::session::{Phase, SessionIo, progress_channel};
use kaoqin_sync::{CancellationToken, SyncError, download};

fn sim_log_sorted(sim: &Sim) -> Vec<(String, String, i64, i64)> {
    let mut v = sim.dump();
    v.sort();
    v
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
    // ~40,000 records = 25 chunks; each reply delayed 100 ms: far beyond a 3 s limit.
    let sim = Sim::start(&["--employees", "300", "--days", "120", "--limit", "40000"]);
    let mut db = db_with_terminal(&sim.tcp);
    sim.ok("fault delay-ms 100");
    let (tx, mut rx) = progress_channel();
    let io = SessionIo::new(tx, CancellationToken::new());
    let started = std::time::Instant::now();
    let result = download(
        &mut db.store,
        &sim.connector(),
        &clerk(),
        &db.terminal.clone(),
        &open_settings(3),
        None,
        system_clock(),
        io,
    )
    .await;
    let elapsed = started.elapsed();
    let session_id = match result {
        Err(SyncError::Cut {
            session_id,
            message,
        }) => {
            assert!(message.contains("time limit of 3 s"), "{message}");
            assert!(
                message.contains("reading the attendance log"),
                "cut mid-transfer: {message}"
            );
            session_id
        }
        other => panic!("expected a cut, got {other:?}"),
    };
    assert!(
        elapsed < Duration::from_secs(5),
        "the download call took {elapsed:?} with a 3 s limit"
    );
    assert_eq!(db.ledger_count(), 0, "nothing from the cut batch is stored");
    sim.ok("fault clear");
    assert_eq!(sim.status("enabled"), "1", "terminal enabled again");
    assert_eq!(rx.borrow_and_update().phase, Phase::Cut);

    let s = sessions::get(db.store.conn(), session_id).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.result, SessionResult::Cut);
    assert!(s.cut);
    let connected = s.duration().unwrap_or_else(|| panic!("no end recorded"));
    assert!(
        connected <= CDuration::milliseconds(3050),
        "connected for {connected:?}, beyond the 3 s limit"
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
    sim.ok("fault delay-ms 50");
    let cancel = CancellationToken::new();
    let (tx, mut rx) = progress_channel();
    let io = SessionIo::new(tx, cancel.clone());
    let canceller = tokio::spawn(async move {
        // Cancel once the log transfer is under way.
        while rx.changed().await.is_ok() {
            let p = *rx.borrow_and_update();
            if p.phase == Phase::ReadingLog && p.records_done > 0 {
                cancel.cancel();
                return p.records_total;
            }
        }
        0
    });
    let r = download(
        &mut db.store,
        &sim.connector(),
        &clerk(),
        &db.terminal.clone(),
        &open_settings(60),
        None,
        system_clock(),
        io,
    )
    .await;
    assert!(matches!(r, Err(SyncError::Cancelled { .. })), "got {r:?}");
    assert_eq!(
        canceller.await.unwrap_or(0),
        20_000,
        "progress reported the total"
    );
    assert_eq!(db.ledger_count(), 0);
    sim.ok("fault clear");
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
    let seen = tokio::time::timeout(Duration::from_secs(5), watcher)
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
