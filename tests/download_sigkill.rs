//! SIGKILL of the `kaoqin download` process mid-transfer (ARCHITECTURE.md invariant 5). The
//! database passes `PRAGMA integrity_check`, the ledger is as before, the killed session stays
//! visible as `running`, the audit chain is intact, and the next download completes exactly.
//! The simulator holds the transfer after a few chunks of the log (`fault stall-after-chunks`) and
//! the kill waits until it reports that hold, so the kill lands mid-transfer whatever the load.
//! The `kaoqin` runs see a set time (libfaketime, [`cli_common::faked_time`]) and the simulator's
//! clock shows the same, so the spacing rule after the killed session is asserted to the second
//! without waiting for it. Real binaries: `kaoqin` (this package) and `kaoqin-sim` (target/debug,
//! or $KAOQIN_SIM_BIN; built by `cargo test --workspace`, or `cargo build -p kaoqin-sim`).
//! Linux only: SIGKILL and libfaketime (README, "Windows").
#![cfg(target_os = "linux")]

mod cli_common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use cli_common::{ADMIN_PW, Env, USER_PW, faked_time, ok};

struct Sim {
    child: Child,
    tcp: String,
    control: String,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sim_bin() -> PathBuf {
    std::env::var_os("KAOQIN_SIM_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
                .join("debug/kaoqin-sim")
        })
}

/// The set time of the killed download: Wednesday 2026-11-25 14:00, off-peak.
fn kill_time() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 25)
        .and_then(|d| d.and_hms_opt(14, 0, 0))
        .expect("a valid time")
}

/// The simulator with 40,000 punches from July to October 2026 (before [`kill_time`]), its clock
/// showing [`kill_time`] now, as the faked `kaoqin` runs see it: no clock-skew or future-punch
/// findings.
fn start_sim() -> Sim {
    let bin = sim_bin();
    let offset = (kill_time() - chrono::Local::now().naive_local())
        .num_seconds()
        .to_string();
    assert!(
        bin.exists(),
        "{} missing: cargo build -p kaoqin-sim",
        bin.display()
    );
    let mut child = Command::new(&bin)
        .args(["--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"])
        .args(["--employees", "300", "--days", "120", "--limit", "40000"])
        .args(["--start", "2026-07-01", "--clock-offset", &offset])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kaoqin-sim");
    let out = child.stdout.take().expect("sim stdout");
    let (mut tcp, mut control) = (String::new(), String::new());
    for line in BufReader::new(out).lines() {
        let line = line.unwrap_or_default();
        if let Some(a) = line.strip_prefix("tcp ") {
            tcp = a.to_string();
        } else if let Some(a) = line.strip_prefix("control ") {
            control = a.to_string();
        } else if line == "ready" {
            break;
        }
    }
    Sim {
        child,
        tcp,
        control,
    }
}

impl Sim {
    fn control(&self, cmd: &str) -> Vec<String> {
        let mut s = TcpStream::connect(&self.control).expect("control port");
        writeln!(s, "{cmd}").expect("control write");
        let mut lines = Vec::new();
        for line in BufReader::new(s).lines() {
            let line = line.expect("control read");
            let end = line.starts_with("ok") || line.starts_with("err");
            assert!(!line.starts_with("err"), "{cmd}: {line}");
            lines.push(line);
            if end {
                break;
            }
        }
        lines
    }

    /// (enabled now, DISABLEDEVICE accepted, ENABLEDEVICE accepted) from `status`.
    fn device_counters(&self) -> (bool, u64, u64) {
        let line = self.control("status").pop().unwrap_or_default();
        let value = |key: &str| {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or_else(|| panic!("status has no {key}: {line}"))
        };
        (value("enabled") == 1, value("disables"), value("enables"))
    }

    /// (chunks sent, requests held) since the simulator started, from `status`.
    fn transfer_counters(&self) -> (u64, u64) {
        let line = self.control("status").pop().unwrap_or_default();
        let value = |key: &str| {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or_else(|| panic!("status has no {key}: {line}"))
        };
        (value("chunks_sent"), value("stalled"))
    }
}

/// The time limit of the downloads (the default, docs/domain.md §2).
const LIMIT_SECS: u32 = 180;
/// The spacing rule of the test (docs/domain.md §2.3).
const SPACING_MIN: u32 = 10;
/// Chunks the simulator sends before it holds the transfer. The users table (300 users) is one
/// chunk and the log (40,000 punches) about 25, so the held request is a read of the log, four
/// chunks in.
const CHUNKS_BEFORE_HOLD: u64 = 5;

#[test]
fn sigkill_of_kaoqin_download_mid_transfer() {
    let sim = start_sim();
    let env = Env::populated();
    let (host, port) = sim.tcp.rsplit_once(':').expect("tcp address");
    let address = format!("{host}:{port}");
    ok(&env.run_as(
        "root",
        ADMIN_PW,
        &[
            "terminal",
            "add",
            "--name",
            "gate",
            "--kind",
            "zk-tcp",
            "--address",
            &address,
        ],
        &[("KAOQIN_TERMINAL_SECRET", "")],
    ));
    // No peak windows, so that only the spacing rule (docs/domain.md §2.3: 10 minutes) decides.
    {
        let mut store = kaoqin_store::Store::open(env.db()).expect("open db");
        let rules = kaoqin_sync::policy::ConnectionRules {
            time_limit_secs: LIMIT_SECS,
            spacing_min: SPACING_MIN,
            ..kaoqin_sync::policy::ConnectionRules::unrestricted()
        };
        let sup = kaoqin_sync::Actor {
            name: "sup".into(),
            role: kaoqin_store::Role::Supervisor,
        };
        // The rules are stored directly, as the supervisor's `rules set` would store them; the
        // grant stands for the application's permission check, which the CLI tests cover.
        struct SupervisorGrant(kaoqin_sync::Actor);
        impl kaoqin_sync::Grant<kaoqin_sync::grant::ChangeRules> for SupervisorGrant {
            fn actor(&self) -> &kaoqin_sync::Actor {
                &self.0
            }
        }
        kaoqin_sync::settings::set_rules(&mut store, &SupervisorGrant(sup), &rules, kill_time())
            .expect("set rules");
    }
    sim.control(&format!("fault stall-after-chunks {CHUNKS_BEFORE_HOLD}"));
    let mut child = env
        .cmd()
        .env("KAOQIN_USER", "clerk")
        .env("KAOQIN_PASSWORD", USER_PW)
        .args(["download", "--terminal", "gate", "--quiet"])
        .envs(faked_time("2026-11-25 14:00:00"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kaoqin download");
    // Wait until the simulator holds the download's next chunk request. The hold lasts until the
    // child gives up on that reply (the ZK client's 10 s per-request timeout, or its session's cut
    // one cleanup budget before the limit), far longer than one poll; a second held request would
    // mean it had given up and moved on, so the kill requires exactly one.
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let (chunks, stalled) = sim.transfer_counters();
        if stalled > 0 {
            assert_eq!(
                (chunks, stalled),
                (CHUNKS_BEFORE_HOLD, 1),
                "(chunks sent, requests held) when the hold was first seen"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the download never reached the hold ({chunks} chunks sent)"
        );
        assert!(
            child.try_wait().ok().flatten().is_none(),
            "kaoqin download ended early"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("wait");
    assert!(!status.success());
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "killed by SIGKILL: {status}");
    }
    assert_eq!(
        sim.transfer_counters(),
        (CHUNKS_BEFORE_HOLD, 1),
        "the download asked for nothing more before it died"
    );
    sim.control("fault clear");

    let store = kaoqin_store::Store::open(env.db()).expect("reopen db");
    assert!(store.integrity_check().expect("integrity_check").is_empty());
    assert_eq!(
        kaoqin_store::punches::count(store.conn(), &Default::default()).expect("count"),
        0
    );
    let rows = kaoqin_store::sessions::list(store.conn(), &Default::default()).expect("sessions");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].result,
        kaoqin_store::sessions::SessionResult::Running,
        "the killed session stays visible"
    );
    assert!(
        kaoqin_store::audit::verify(store.conn())
            .expect("audit verify")
            .is_intact()
    );
    drop(store);

    // The killed download left the terminal disabled (DISABLEDEVICE during the transfer; it
    // would re-enable itself only after its auto-enable timeout, minutes away).
    assert_eq!(
        sim.device_counters(),
        (false, 1, 0),
        "(enabled, disables, enables) after the kill"
    );

    // The next download finds the session `running` with its lease no longer held: it closes it
    // as interrupted (audited), enables the terminal with one short connection, and then the
    // spacing rule, counted from the end of that clean-up, refuses the download itself.
    let started = rows[0].started_at;
    assert!(
        started >= kill_time() && started < kill_time() + chrono::Duration::seconds(60),
        "the killed session started at the set time: {started}"
    );
    let run_at = |at: &str| {
        env.run_as_at(
            "clerk",
            USER_PW,
            &["download", "--terminal", "gate", "--quiet"],
            at,
        )
    };
    let r = run_at("2026-11-25 14:01:00");
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(
        sim.device_counters(),
        (true, 1, 1),
        "the recovery enabled the terminal at once: {r:?}"
    );
    assert_eq!(
        sim.transfer_counters(),
        (CHUNKS_BEFORE_HOLD, 1),
        "nothing read"
    );
    let store = kaoqin_store::Store::open(env.db()).expect("reopen db");
    let rows = kaoqin_store::sessions::list(store.conn(), &Default::default()).expect("sessions");
    let killed = &rows[0];
    assert_eq!(
        killed.result,
        kaoqin_store::sessions::SessionResult::Interrupted,
        "{rows:?}"
    );
    let ended = killed.ended_at.expect("the interrupted session has an end");
    assert!(
        ended >= kill_time() + chrono::Duration::seconds(60)
            && ended <= started + chrono::Duration::seconds(i64::from(LIMIT_SECS)),
        "the end is the recovery, within the time limit: {ended}"
    );
    assert!(
        killed.error.as_deref().is_some_and(
            |e| e.starts_with("interrupted") && e.contains("the terminal was enabled again")
        ),
        "{killed:?}"
    );
    assert_eq!(
        killed.commands["recovery"]["enable_device"], 1,
        "{killed:?}"
    );
    assert_eq!(
        rows.last().map(|s| s.result),
        Some(kaoqin_store::sessions::SessionResult::Refused)
    );
    let entries = kaoqin_store::audit::list(store.conn(), &Default::default()).expect("audit");
    let entry = entries
        .iter()
        .find(|e| e.action == "download.interrupted")
        .expect("the closing is audited");
    assert_eq!(entry.details["session"], killed.id);
    assert_eq!(entry.details["terminal_reenabled"], true);
    assert!(
        kaoqin_store::audit::verify(store.conn())
            .expect("audit verify")
            .is_intact()
    );
    drop(store);
    let next = format!(
        "the earliest allowed time is {}",
        (ended + chrono::Duration::minutes(i64::from(SPACING_MIN))).format("%Y-%m-%d %H:%M:%S")
    );
    assert!(
        r.stderr.contains(&format!(
            "at least {SPACING_MIN} min between connections (previous one ended"
        )) && r.stderr.contains(&next)
            && !r.stderr.contains("never recorded its end"),
        "expected the spacing rule from the recovery and {next:?}: {r:?}"
    );
    // After the spacing the download goes; nothing is left to recover.
    ok(&run_at("2026-11-25 14:12:00"));
    assert_eq!(
        sim.device_counters(),
        (true, 2, 2),
        "the download disabled and enabled once"
    );
    let store = kaoqin_store::Store::open(env.db()).expect("reopen db");
    assert!(store.integrity_check().expect("integrity_check").is_empty());
    let mut ledger: Vec<String> = kaoqin_store::punches::list(store.conn(), &Default::default())
        .expect("list")
        .into_iter()
        .map(|p| {
            format!(
                "{},{},{},{}",
                p.enrollment_no,
                p.ts.format("%Y-%m-%d %H:%M:%S"),
                p.verify_mode,
                p.in_out_state
            )
        })
        .collect();
    let mut sim_log: Vec<String> = sim
        .control("dump")
        .into_iter()
        .filter(|l| !l.starts_with("ok"))
        .map(|l| l.splitn(5, ',').take(4).collect::<Vec<_>>().join(","))
        .collect();
    ledger.sort();
    sim_log.sort();
    assert_eq!(ledger.len(), 40_000);
    assert_eq!(ledger, sim_log);
}
