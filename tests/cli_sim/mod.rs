//! The real simulator for CLI end-to-end tests: `$KAOQIN_SIM_BIN`, else
//! `<workspace>/target/debug/kaoqin-sim`, built with `cargo build -p kaoqin-sim` when missing;
//! its control port; and a populated database with it as terminal 大门 under rules that never
//! refuse (set by the supervisor) as long as consecutive connections keep the one-minute spacing,
//! which the clock shared by the simulator and the database's runs ([`SharedClock`]) does.

#![allow(dead_code)]

use crate::cli_common::*;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub fn sim_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("KAOQIN_SIM_BIN") {
            return PathBuf::from(p);
        }
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        let bin = target
            .join("debug")
            .join(format!("kaoqin-sim{}", std::env::consts::EXE_SUFFIX));
        if !bin.exists() {
            let st = Command::new(env!("CARGO"))
                .args(["build", "-p", "kaoqin-sim"])
                .current_dir(&root)
                .status()
                .expect("run cargo build -p kaoqin-sim");
            assert!(st.success(), "cargo build -p kaoqin-sim failed");
        }
        bin
    })
    .clone()
}

/// A running simulator; killed on drop.
pub struct Sim {
    child: Child,
    pub tcp: String,
    pub control: String,
    /// The simulator's clock, shared with the database [`setup`] makes.
    pub clock: Arc<SharedClock>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sim {
    pub fn start(args: &[&str]) -> Sim {
        let bin = sim_bin();
        let clock = SharedClock::new();
        let mut child = Command::new(&bin)
            .envs(clock.env())
            .args(["--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let stdout = child.stdout.take().expect("sim stdout");
        let (mut tcp, mut control) = (String::new(), String::new());
        for line in BufReader::new(stdout).lines() {
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
            "simulator not ready"
        );
        Sim {
            child,
            tcp,
            control,
            clock,
        }
    }

    pub fn control(&self, command: &str) -> Vec<String> {
        let mut s = TcpStream::connect(&self.control).expect("control port");
        s.set_read_timeout(Some(Duration::from_secs(30))).ok();
        writeln!(s, "{command}").expect("control write");
        let mut data = Vec::new();
        for line in BufReader::new(s).lines() {
            let line = line.expect("control read");
            if line.starts_with("ok") {
                return data;
            }
            assert!(!line.starts_with("err"), "{command:?} failed: {line}");
            data.push(line);
        }
        panic!("{command:?}: no reply");
    }

    /// The simulator's log as sorted (enrollment, timestamp, verify, state).
    pub fn dump(&self) -> Vec<(String, String, String, String)> {
        let mut v: Vec<_> = self
            .control("dump")
            .iter()
            .map(|r| {
                let f: Vec<&str> = r.split(',').collect();
                let g = |i: usize| f.get(i).copied().unwrap_or("").to_string();
                (g(0), g(1), g(2), g(3))
            })
            .collect();
        v.sort();
        v
    }
}

/// A populated database with the simulator as terminal 大门 and rules that never refuse (no peak
/// margins; the smallest spacing, one minute, which the shared clock keeps), set by the supervisor.
pub fn setup(sim: &Sim) -> Env {
    let env = Env::populated();
    env.share_clock(sim.clock.clone());
    ok(&env.run_as(
        "root",
        ADMIN_PW,
        &[
            "terminal",
            "add",
            "--name",
            "大门",
            "--kind",
            "zk-tcp",
            "--address",
            &sim.tcp,
        ],
        &[("KAOQIN_TERMINAL_SECRET", "")],
    ));
    ok(&env.run_as(
        "sup",
        USER_PW,
        &[
            "rules",
            "set",
            "--margin-before",
            "0",
            "--margin-after",
            "0",
            "--spacing",
            "1",
        ],
        &[],
    ));
    env
}

impl Sim {
    /// `status` value for `key` (e.g. `offset`, `users`, `enabled`).
    pub fn status(&self, key: &str) -> String {
        let mut s = TcpStream::connect(&self.control).expect("control port");
        s.set_read_timeout(Some(Duration::from_secs(30))).ok();
        writeln!(s, "status").expect("control write");
        let mut line = String::new();
        BufReader::new(s)
            .read_line(&mut line)
            .expect("control read");
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")).map(str::to_string))
            .unwrap_or_else(|| panic!("status has no {key}: {line}"))
    }

    /// `list-users` rows: uid,user_id,name,privilege,password,card,group,fingerprint,face.
    pub fn users(&self) -> Vec<Vec<String>> {
        self.control("list-users")
            .iter()
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect()
    }
}

/// pyzk 0.9 as an independent client of the simulator (tests/compat/pyzk_client.py): its stdout.
/// The python is `$KAOQIN_PYTHON` or `<workspace>/.venv/bin/python` (tests/setup-python-venv.sh);
/// a missing pyzk fails the test rather than skipping it.
pub fn pyzk(sim: &Sim, args: &[&str]) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var_os("KAOQIN_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".venv/bin/python"));
    let (host, port) = sim.tcp.rsplit_once(':').expect("host:port");
    let out = Command::new(&python)
        .arg(root.join("tests/compat/pyzk_client.py"))
        .args([host, port])
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}); run tests/setup-python-venv.sh or set KAOQIN_PYTHON",
                python.display()
            )
        });
    assert!(
        out.status.success(),
        "pyzk {args:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
