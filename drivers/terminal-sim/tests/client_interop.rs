//! Our own client (`kaoqin-zk` crate API) against the real `kaoqin-sim` binary over TCP, UDP and a
//! pseudo-terminal, for every record format (attendance 16/40/49, users 28/72), plus comm key,
//! writes, busy state, realtime-free admin commands and the injected faults.
//!
//! Tests wait for the simulator's state (its control port's `status`) instead of sleeping, and
//! every deadline is a generous guard ([`GUARD`]), so the result is the same on a loaded machine.

mod common;

use std::time::Duration;

use common::Sim;
use kaoqin_zk::codec::{Privilege, UserRecord};
use kaoqin_zk::{CancellationToken, ClientOptions, Endpoint, ZkClient, ZkError};

/// The simulator on TCP, UDP and (where pseudo-terminals exist: Unix) a pty.
fn start(extra: &[&str]) -> Sim {
    let mut args = vec!["--tcp", "127.0.0.1:0", "--udp", "127.0.0.1:0"];
    if cfg!(unix) {
        args.push("--pty");
    }
    args.extend_from_slice(&["--control", "127.0.0.1:0"]);
    args.extend_from_slice(extra);
    Sim::start(&args)
}

fn endpoints(sim: &Sim) -> Vec<Endpoint> {
    let addr = |s: &Option<String>| s.as_deref().and_then(|a| a.parse().ok()).expect("address");
    let mut all = vec![Endpoint::Tcp(addr(&sim.tcp)), Endpoint::Udp(addr(&sim.udp))];
    if cfg!(unix) {
        all.push(Endpoint::Serial {
            path: sim.pty.clone().expect("pty path"),
            baud: 115_200,
            machine: 1,
        });
    }
    all
}

/// Longest a test waits for a state it needs (or a loopback reply) before calling it a failure:
/// a guard against hanging, never a performance bound, so a loaded machine only makes the tests
/// slower.
const GUARD: Duration = Duration::from_secs(60);

fn opts() -> ClientOptions {
    ClientOptions {
        timeout: GUARD,
        ..ClientOptions::default()
    }
}

async fn connect(ep: &Endpoint, o: ClientOptions) -> ZkClient {
    ZkClient::connect(ep.clone(), o)
        .await
        .unwrap_or_else(|e| panic!("connect {ep}: {e}"))
}

/// Connects with options whose short timeout a test needs to fire later. The handshake is only a
/// precondition, so a CONNECT answered late by a loaded machine is tried again rather than counted
/// against the short timeout.
async fn connect_short(ep: &Endpoint, o: ClientOptions) -> ZkClient {
    let give_up = tokio::time::Instant::now() + GUARD;
    loop {
        match ZkClient::connect(ep.clone(), o.clone()).await {
            Ok(c) => return c,
            Err(ZkError::Unreachable { .. }) if tokio::time::Instant::now() < give_up => {}
            Err(e) => panic!("connect {ep}: {e}"),
        }
    }
}

/// One `status` field as a number.
fn status_num(sim: &Sim, key: &str) -> u64 {
    let line = sim.ok("status");
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("status has no numeric {key}: {line}"))
}

/// Polls `status` until `key` satisfies `want`; returns the value seen. Panics after [`GUARD`].
async fn wait_status(sim: &Sim, key: &str, want: impl Fn(u64) -> bool) -> u64 {
    let give_up = tokio::time::Instant::now() + GUARD;
    loop {
        let v = status_num(sim, key);
        if want(v) {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < give_up,
            "status {key} still {v} after {GUARD:?}: {}",
            sim.ok("status")
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The simulator's dump as (user_id, time, verify, state, workcode) rows.
fn dump(sim: &Sim) -> Vec<String> {
    let mut d = sim.control("dump");
    let last = d.pop().unwrap_or_default();
    assert!(last.starts_with("ok "), "{last}");
    d
}

fn users(sim: &Sim) -> Vec<String> {
    let mut u = sim.control("list-users");
    u.pop();
    // uid,user_id,name,privilege,password,card,group (drop the fingerprint/face flags).
    u.iter()
        .map(|l| l.split(',').take(7).collect::<Vec<_>>().join(","))
        .collect()
}

fn user_row(u: &UserRecord) -> String {
    format!(
        "{},{},{},{},{},{},{}",
        u.uid, u.user_id, u.name, u.privilege.0, u.password, u.card, u.group
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_record_format_reads_back_exactly_over_tcp_udp_and_pty() {
    for (att, usr) in [
        ("16", "28"),
        ("40", "72"),
        ("49", "72"),
        ("40", "28"),
        ("16", "72"),
        ("49", "28"),
    ] {
        let sim = start(&[
            "--employees",
            "40",
            "--days",
            "15",
            "--start",
            "2026-03-02",
            "--seed",
            "11",
            "--att-format",
            att,
            "--user-format",
            usr,
        ]);
        let want_log = dump(&sim);
        let want_users = users(&sim);
        assert!(want_log.len() > 500);
        for ep in endpoints(&sim) {
            let mut c = connect(&ep, opts()).await;
            let log = c
                .read_attendance()
                .await
                .unwrap_or_else(|e| panic!("{ep} att {att}: {e}"));
            assert_eq!(
                log.format.map(|f| f.size().to_string()).as_deref(),
                Some(att),
                "{ep}"
            );
            let got: Vec<String> = log
                .records
                .iter()
                .map(|r| {
                    format!(
                        "{},{},{},{},{}",
                        r.user_id,
                        r.timestamp.format("%Y-%m-%d %H:%M:%S"),
                        r.verify.as_u8(),
                        r.state.as_u8(),
                        r.work_code
                    )
                })
                .collect();
            assert_eq!(got, want_log, "{ep} att {att}");
            let table = c
                .read_users()
                .await
                .unwrap_or_else(|e| panic!("{ep} users {usr}: {e}"));
            assert_eq!(
                table.format.map(|f| f.size().to_string()).as_deref(),
                Some(usr),
                "{ep}"
            );
            let got: Vec<String> = table.users.iter().map(user_row).collect();
            assert_eq!(got, want_users, "{ep} users {usr}");
            c.disconnect().await.unwrap_or_else(|e| panic!("{ep}: {e}"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_info_time_and_comm_key() {
    let sim = start(&[
        "--employees",
        "3",
        "--days",
        "1",
        "--comm-key",
        "777",
        "--serial-number",
        "KQ-CLIENT-1",
    ]);
    for ep in endpoints(&sim) {
        let mut c = connect(
            &ep,
            ClientOptions {
                comm_key: Some(777),
                ..opts()
            },
        )
        .await;
        let info = c
            .device_info()
            .await
            .unwrap_or_else(|e| panic!("{ep}: {e}"));
        assert_eq!(info.serial_number.as_deref(), Some("KQ-CLIENT-1"), "{ep}");
        assert_eq!(info.firmware_version, "Ver 6.60 Apr 28 2015");
        let t = chrono::NaiveDate::from_ymd_opt(2027, 5, 6)
            .and_then(|d| d.and_hms_opt(7, 8, 9))
            .expect("date");
        c.set_time(t).await.unwrap_or_else(|e| panic!("{ep}: {e}"));
        let back = c.get_time().await.unwrap_or_else(|e| panic!("{ep}: {e}"));
        assert!((back - t).num_seconds().abs() <= 2, "{ep}: {back}");
        c.disconnect().await.unwrap_or_else(|e| panic!("{ep}: {e}"));

        let wrong = ZkClient::connect(
            ep.clone(),
            ClientOptions {
                comm_key: Some(778),
                ..opts()
            },
        )
        .await;
        assert!(
            matches!(wrong, Err(ZkError::AuthenticationFailed(_))),
            "{ep}: {:?}",
            wrong.err()
        );
        let none = ZkClient::connect(ep.clone(), opts()).await;
        assert!(
            matches!(none, Err(ZkError::CommKeyRequired)),
            "{ep}: {:?}",
            none.err()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_from_our_client_change_the_simulator() {
    let sim = start(&["--employees", "3", "--days", "2", "--start", "2026-03-02"]);
    for (i, ep) in endpoints(&sim).into_iter().enumerate() {
        let mut c = connect(&ep, opts()).await;
        let uid = 60 + i as u16;
        let user = UserRecord {
            uid,
            privilege: Privilege::SUPER_ADMIN,
            password: "4321".into(),
            name: "欧阳娜娜".into(),
            card: 12345,
            group: 1,
            user_id: format!("90{uid}"),
            ..UserRecord::default()
        };
        c.set_user(&user)
            .await
            .unwrap_or_else(|e| panic!("{ep}: {e}"));
        assert!(
            users(&sim).contains(&format!("{uid},90{uid},欧阳娜娜,14,4321,12345,1")),
            "{ep}: {:?}",
            users(&sim)
        );
        let demoted = c
            .remove_admin(uid)
            .await
            .unwrap_or_else(|e| panic!("{ep}: {e}"));
        assert!(!demoted.privilege.is_admin());
        let no_pw = c
            .remove_password(uid)
            .await
            .unwrap_or_else(|e| panic!("{ep}: {e}"));
        assert!(no_pw.password.is_empty());
        assert!(
            users(&sim).contains(&format!("{uid},90{uid},欧阳娜娜,0,,12345,1")),
            "{ep}: {:?}",
            users(&sim)
        );
        c.delete_user(uid)
            .await
            .unwrap_or_else(|e| panic!("{ep}: {e}"));
        assert!(
            !users(&sim)
                .iter()
                .any(|u| u.starts_with(&format!("{uid},"))),
            "{ep}"
        );
        c.disconnect().await.unwrap_or_else(|e| panic!("{ep}: {e}"));
    }
    let mut c = connect(&endpoints(&sim)[0], opts()).await;
    c.clear_attendance().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sim.ok("count-punches"), "0");
    c.disconnect().await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disable_refuses_punches_until_enabled_or_timeout_and_busy_is_reported() {
    let sim = start(&["--employees", "3", "--days", "1"]);
    let ep = endpoints(&sim).remove(0);
    let mut c = connect(&ep, opts()).await;
    // Refused while disabled: an auto re-enable far beyond the checks, so they cannot race it.
    c.disable(Duration::from_secs(600))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        sim.control("add-punch 1001 now")
            .last()
            .is_some_and(|l| l.starts_with("err"))
    );
    assert!(sim.ok("status").contains("enabled=0"));
    c.enable().await.unwrap_or_else(|e| panic!("{e}"));
    sim.ok("add-punch 1001 now");

    // The terminal re-enables itself when the disable's timeout expires, and not before: wait
    // for the state, then check it took at least the timeout.
    let asked = std::time::Instant::now();
    c.disable(Duration::from_secs(1))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_status(&sim, "enabled", |v| v == 1).await;
    assert!(
        asked.elapsed() >= Duration::from_secs(1),
        "re-enabled after {:?}, before its 1 s timeout",
        asked.elapsed()
    );
    sim.ok("add-punch 1001 now");

    sim.ok("busy on");
    assert!(c.state().await.is_ok_and(|s| s.is_busy()));
    let r = c.read_attendance().await;
    assert!(matches!(r, Err(ZkError::Busy)), "{:?}", r.err());
    sim.ok("busy off");
    assert!(c.state().await.is_ok_and(|s| !s.is_busy()));
    assert!(c.read_attendance().await.is_ok());
    c.disconnect().await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_faults_surface_as_client_errors() {
    // 2500 × ~40 punches × 40 B ≈ 4 MB: many chunks on every transport.
    let sim = start(&[
        "--employees",
        "500",
        "--days",
        "10",
        "--start",
        "2026-03-02",
    ]);
    let eps = endpoints(&sim);
    // Only for the timeouts that must fire; see `connect_short`.
    let short = ClientOptions {
        timeout: Duration::from_millis(800),
        retries: 1,
        ..opts()
    };

    // Dropped connection mid-download.
    let mut c = connect(&eps[0], opts()).await;
    sim.ok("fault drop-after-chunks 1");
    let r = c.read_attendance().await;
    assert!(
        matches!(r, Err(ZkError::Disconnected | ZkError::Io(_))),
        "{:?}",
        r.err()
    );

    // Stall: no answer at all -> timeout.
    let mut c = connect_short(&eps[0], short.clone()).await;
    sim.ok("fault stall");
    let r = c.get_time().await;
    assert!(matches!(r, Err(ZkError::TimedOut { .. })), "{:?}", r.err());
    sim.ok("fault clear");

    // A reply delayed beyond the client's timeout -> timeout (the reply cannot come before the
    // delay, so the timeout fires first however slow the machine); a delay well within the
    // timeout -> the answer, late by at least the delay.
    let mut c = connect_short(&eps[0], short.clone()).await;
    sim.ok("fault delay-ms 1500");
    assert!(matches!(c.get_time().await, Err(ZkError::TimedOut { .. })));
    sim.ok("fault delay-ms 100");
    let mut c = connect(&eps[0], opts()).await;
    let asked = std::time::Instant::now();
    assert!(c.get_time().await.is_ok());
    assert!(asked.elapsed() >= Duration::from_millis(100));
    sim.ok("fault clear");

    // A corrupted checksum is detected by the client on every transport, and is one-shot.
    for ep in &eps {
        let mut c = connect(ep, opts()).await;
        sim.ok("fault corrupt-next-checksum");
        let r = c.get_time().await;
        assert!(
            matches!(&r, Err(ZkError::ProtocolViolation { detail, .. }) if detail.contains("checksum")),
            "{ep}: {:?}",
            r.err()
        );
        drop(c); // a serial port is opened exclusively
        let mut c = connect(ep, opts()).await;
        assert!(
            c.get_time().await.is_ok(),
            "{ep}: the fault must be one-shot"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stall_after_chunks_holds_a_read_mid_transfer_until_the_client_gives_up() {
    // 10,000 records × 40 bytes + 4 = 400,004 bytes = 7 TCP chunks of at most 65,472 bytes.
    let sim = start(&["--employees", "200", "--days", "100", "--limit", "10000"]);
    let want_log = dump(&sim);
    assert_eq!(want_log.len(), 10_000);
    const SENT: u64 = 3;
    sim.ok(&format!("fault stall-after-chunks {SENT}"));
    // TCP: a held request is never retried, so exactly one request is held.
    let mut c = connect(&endpoints(&sim)[0], opts()).await;
    let cancel = CancellationToken::new();
    let reading = tokio::spawn({
        let cancel = cancel.clone();
        async move {
            let mut reports = Vec::new();
            let r = c
                .read_attendance_with(&mut |p| reports.push(p.bytes_done), &cancel)
                .await;
            (c, r, reports)
        }
    });

    wait_status(&sim, "stalled", |n| n >= 1).await;
    assert_eq!(status_num(&sim, "chunks_sent"), SENT);
    assert_eq!(status_num(&sim, "stalled"), 1);
    // The held request was swallowed, not queued: clearing the fault does not answer it, so the
    // read goes on waiting until the client gives up (here: cancels; otherwise its timeout).
    sim.ok("fault clear");
    assert!(!reading.is_finished(), "the held chunk was answered");
    cancel.cancel();
    let (mut c, r, reports) = tokio::time::timeout(GUARD, reading)
        .await
        .expect("the cancelled read did not end")
        .expect("reader task");
    assert!(matches!(r, Err(ZkError::Cancelled)), "{:?}", r.err());
    // One report before the first chunk and one per chunk received: exactly the chunks sent.
    assert_eq!(reports.len() as u64, SENT + 1, "{reports:?}");
    assert_eq!(reports.last().copied(), Some(SENT * 0xFFC0));

    // The session survives the swallowed request: the next commands are answered, and a new
    // read gets the whole log.
    assert!(c.get_time().await.is_ok());
    let log = c.read_attendance().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(log.records.len(), want_log.len());
    assert_eq!(status_num(&sim, "chunks_sent"), SENT + 7);
    assert_eq!(status_num(&sim, "stalled"), 1);
    c.disconnect().await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_files_load_and_read_back_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log_rows = [
        "1001,2026-03-02 08:41:07,15,0,0",
        "1002,2026-03-02 08:59:59,1,0,0",
        "1001,2026-03-02 18:02:13,0,1,0",
        "777,2026-03-03 09:30:00,15,255,0",
    ];
    let user_rows = ["1,1001,张伟,14,1234,0,1", "2,1002,欧阳娜娜,0,,5566,2"];
    let log = dir.path().join("log.csv");
    let users_csv = dir.path().join("users.csv");
    std::fs::write(&log, log_rows.join("\n")).expect("write log");
    std::fs::write(&users_csv, user_rows.join("\n")).expect("write users");
    let (l, u) = (
        log.to_string_lossy().into_owned(),
        users_csv.to_string_lossy().into_owned(),
    );
    let sim = start(&["--log", &l, "--users", &u]);
    assert_eq!(dump(&sim), log_rows);
    let mut c = connect(&endpoints(&sim)[0], opts()).await;
    let got: Vec<String> = c
        .read_attendance()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .records
        .iter()
        .map(|r| {
            format!(
                "{},{},{},{},{}",
                r.user_id,
                r.timestamp.format("%Y-%m-%d %H:%M:%S"),
                r.verify.as_u8(),
                r.state.as_u8(),
                r.work_code
            )
        })
        .collect();
    assert_eq!(got, log_rows);
    let got: Vec<String> = c
        .read_users()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .users
        .iter()
        .map(user_row)
        .collect();
    assert_eq!(got, user_rows);
    c.disconnect().await.unwrap_or_else(|e| panic!("{e}"));
}
