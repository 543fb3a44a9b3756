//! Issue 4: SIGKILL of the `kaoqin download` process mid-transfer. The database passes
//! `PRAGMA integrity_check`, the ledger is as before, and the next download completes exactly.
//! Real binaries: `kaoqin` (this package) and `kaoqin-sim` (target/debug, or $KAOQIN_SIM_BIN;
//! built by `cargo test --workspace`, or `cargo build -p kaoqin-sim`).

mod cli_common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cli_common::{ADMIN_PW, Env, USER_PW, ok};

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

fn start_sim() -> Sim {
    let bin = sim_bin();
    assert!(
        bin.exists(),
        "{} missing: cargo build -p kaoqin-sim",
        bin.display()
    );
    let mut child = Command::new(&bin)
        .args(["--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"])
        .args(["--employees", "300", "--days", "120", "--limit", "40000"])
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
}

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
    // Rules that allow this test at any hour: no peak windows, no spacing, an 8 s limit.
    {
        let mut store = kaoqin_store::Store::open(env.db()).expect("open db");
        let rules = kaoqin_sync::policy::ConnectionRules {
            time_limit_secs: 8,
            ..kaoqin_sync::policy::ConnectionRules::unrestricted()
        };
        let sup = kaoqin_sync::Actor {
            name: "sup".into(),
            role: kaoqin_store::Role::Supervisor,
        };
        kaoqin_sync::settings::set_rules(
            &mut store,
            &sup,
            &rules,
            chrono::Local::now().naive_local(),
        )
        .expect("set rules");
    }
    sim.control("fault delay-ms 100");
    let mut child = env
        .cmd()
        .env("KAOQIN_USER", "clerk")
        .env("KAOQIN_PASSWORD", USER_PW)
        .args(["download", "--terminal", "gate", "--quiet"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kaoqin download");
    // Wait until the terminal is disabled (transfer under way), then a bit more.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = sim.control("status").pop().unwrap_or_default();
        if status.contains("enabled=0") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the download never started its transfer"
        );
        assert!(
            child.try_wait().ok().flatten().is_none(),
            "kaoqin download ended early"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1000));
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("wait");
    assert!(!status.success());
    sim.control("fault clear");

    let store = kaoqin_store::Store::open(env.db()).expect("reopen db");
    assert!(store.integrity_check().expect("integrity_check").is_empty());
    assert_eq!(
        kaoqin_store::punches::count(store.conn(), &Default::default()).expect("count"),
        0
    );
    drop(store);

    // The killed session counts as connected until its 8 s limit (spacing); then it completes.
    std::thread::sleep(Duration::from_secs(8));
    let r = env.run_as(
        "clerk",
        USER_PW,
        &["download", "--terminal", "gate", "--quiet"],
        &[],
    );
    ok(&r);
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
