//! Test support: spawns the REAL simulator binary (`kaoqin-sim`) on loopback ports, talks to its
//! control port, and opens a real SQLite store in a temporary directory. No mocks.
//!
//! The simulator binary is `$KAOQIN_SIM_BIN`, else `target/debug/kaoqin-sim` of this workspace
//! (build it with `cargo build -p kaoqin-sim`). A missing binary fails the test with that advice.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use kaoqin_store::terminals::{self, NewTerminal, Terminal};
use kaoqin_store::{Role, Store, TerminalKind, TextEncoding};
use kaoqin_sync::policy::ConnectionRules;
use kaoqin_sync::session::{Actor, Clock};
use kaoqin_sync::settings::SyncSettings;
use kaoqin_zk::client::ClientOptions;

pub fn sim_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("KAOQIN_SIM_BIN") {
        return PathBuf::from(p);
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../target"));
    target
        .join("debug")
        .join(format!("kaoqin-sim{}", std::env::consts::EXE_SUFFIX))
}

/// A running simulator; killed on drop.
pub struct Sim {
    child: Child,
    pub tcp: String,
    pub control: String,
}

impl Sim {
    /// Starts `kaoqin-sim --tcp 127.0.0.1:0 --control 127.0.0.1:0 ARGS…` and waits for `ready`.
    pub fn start(args: &[&str]) -> Sim {
        let bin = sim_bin();
        assert!(
            bin.exists(),
            "the simulator binary {} is missing: run `cargo build -p kaoqin-sim` \
             or set KAOQIN_SIM_BIN",
            bin.display()
        );
        let mut child = Command::new(&bin)
            .args(["--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("KAOQIN_SIM_LOG").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let mut lines = BufReader::new(stdout).lines();
        let (mut tcp, mut control) = (String::new(), String::new());
        for line in lines.by_ref() {
            let line = line.unwrap_or_default();
            match line.split_once(' ') {
                Some(("tcp", a)) => tcp = a.to_string(),
                Some(("control", a)) => control = a.to_string(),
                _ if line == "ready" => break,
                _ => {}
            }
        }
        assert!(
            !tcp.is_empty() && !control.is_empty(),
            "the simulator did not print its tcp and control addresses"
        );
        Sim {
            child,
            tcp,
            control,
        }
    }

    /// Sends one control command; returns the data lines and the final `ok …` line.
    pub fn control(&self, command: &str) -> (Vec<String>, String) {
        let mut s = TcpStream::connect(&self.control)
            .unwrap_or_else(|e| panic!("control port {}: {e}", self.control));
        s.set_read_timeout(Some(Duration::from_secs(30))).ok();
        writeln!(s, "{command}").unwrap_or_else(|e| panic!("control write: {e}"));
        let mut data = Vec::new();
        let reader = BufReader::new(s);
        for line in reader.lines() {
            let line = line.unwrap_or_else(|e| panic!("control read: {e}"));
            if line.starts_with("ok") {
                return (data, line);
            }
            if line.starts_with("err") {
                panic!("control command {command:?} failed: {line}");
            }
            data.push(line);
        }
        panic!("control command {command:?}: connection closed without a reply");
    }

    pub fn ok(&self, command: &str) -> String {
        self.control(command).1
    }

    /// The simulator's log as (enrollment, 'YYYY-MM-DD HH:MM:SS', verify, state).
    pub fn dump(&self) -> Vec<(String, String, i64, i64)> {
        let (rows, _) = self.control("dump");
        rows.iter()
            .map(|r| {
                let f: Vec<&str> = r.split(',').collect();
                let g = |i: usize| f.get(i).copied().unwrap_or("").to_string();
                (
                    g(0),
                    g(1),
                    g(2).parse().unwrap_or(-1),
                    g(3).parse().unwrap_or(-1),
                )
            })
            .collect()
    }

    /// `status` as key=value pairs.
    pub fn status(&self, key: &str) -> String {
        let line = self.ok("status");
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")).map(str::to_string))
            .unwrap_or_else(|| panic!("status has no {key}: {line}"))
    }

    pub fn connector(&self) -> kaoqin_sync::ZkConnector {
        kaoqin_sync::ZkConnector::tcp(
            self.tcp.clone(),
            ClientOptions {
                timeout: Duration::from_secs(5),
                ..ClientOptions::default()
            },
        )
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh store in a temp dir, with one zk-tcp terminal pointing at `addr`.
pub struct Db {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub terminal: Terminal,
}

pub fn db_with_terminal(addr: &str) -> Db {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut store =
        Store::open(dir.path().join("kaoqin.db")).unwrap_or_else(|e| panic!("open store: {e}"));
    let (host, port) = addr.rsplit_once(':').unwrap_or((addr, "4370"));
    let terminal = {
        let tx = store.transaction().unwrap_or_else(|e| panic!("{e}"));
        let t = terminals::add(
            &tx,
            &NewTerminal {
                name: "front-door".into(),
                kind: TerminalKind::ZkTcp,
                address: host.into(),
                port: port.parse().ok(),
                baud: None,
                machine_no: 1,
                encoding: TextEncoding::Gbk,
                comm_secret: None,
                location: None,
            },
        )
        .unwrap_or_else(|e| panic!("add terminal: {e}"));
        tx.commit().unwrap_or_else(|e| panic!("{e}"));
        t
    };
    Db {
        dir,
        store,
        terminal,
    }
}

impl Db {
    /// The terminal as stored now (serial number and health change with downloads).
    pub fn terminal_now(&self) -> Terminal {
        terminals::get(self.store.conn(), self.terminal.id).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Every punch in the ledger as (enrollment, ts, verify, state), sorted.
    pub fn ledger(&self) -> Vec<(String, String, i64, i64)> {
        let mut v: Vec<_> = kaoqin_store::punches::list(self.store.conn(), &Default::default())
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|p| {
                (
                    p.enrollment_no,
                    p.ts.format("%Y-%m-%d %H:%M:%S").to_string(),
                    p.verify_mode,
                    p.in_out_state,
                )
            })
            .collect();
        v.sort();
        v
    }

    pub fn ledger_count(&self) -> u64 {
        kaoqin_store::punches::count(self.store.conn(), &Default::default())
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

pub fn clerk() -> Actor {
    Actor {
        name: "wang".into(),
        role: Role::HrClerk,
    }
}

pub fn supervisor() -> Actor {
    Actor {
        name: "li".into(),
        role: Role::Supervisor,
    }
}

/// The application's grant as these tests make it: sync asks for one and records its actor; who
/// may receive one is the application's permission table, tested there.
pub struct TestGrant(pub Actor);

impl<A: kaoqin_sync::grant::Act> kaoqin_sync::Grant<A> for TestGrant {
    fn actor(&self) -> &Actor {
        &self.0
    }
}

/// An override with `reason`, granted to `actor`.
pub fn overridden_by(actor: &Actor, reason: &str) -> Option<kaoqin_sync::RulesOverride> {
    Some(kaoqin_sync::RulesOverride::new(
        &TestGrant(actor.clone()),
        reason,
    ))
}

/// Rules that allow any time (no windows, no spacing) with the given time limit.
pub fn open_settings(time_limit_secs: u32) -> SyncSettings {
    SyncSettings {
        rules: ConnectionRules {
            time_limit_secs,
            ..ConnectionRules::unrestricted()
        },
        ..SyncSettings::default()
    }
}

/// A clock fixed at one instant (rule tests).
pub struct FixedClock(pub NaiveDateTime);

impl Clock for FixedClock {
    fn now(&self) -> NaiveDateTime {
        self.0
    }
}

pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(kaoqin_sync::SystemClock)
}
