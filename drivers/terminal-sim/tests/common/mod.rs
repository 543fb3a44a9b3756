//! Test harness: spawns the real `kaoqin-sim` binary on port 0, parses the addresses it prints,
//! talks to its control port, and runs the pyzk scripts from the workspace venv.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Sim {
    child: Child,
    pub tcp: Option<String>,
    pub udp: Option<String>,
    pub pty: Option<String>,
    pub control: Option<String>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sim {
    /// Start `kaoqin-sim` with `args` (add `--tcp 127.0.0.1:0` etc. yourself) and wait for `ready`.
    pub fn start(args: &[&str]) -> Sim {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kaoqin-sim"))
            .args(args)
            .env(
                "RUST_LOG",
                std::env::var("KAOQIN_SIM_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn kaoqin-sim");
        let stdout = child.stdout.take().expect("stdout");
        let mut sim = Sim {
            child,
            tcp: None,
            udp: None,
            pty: None,
            control: None,
        };
        let mut lines = BufReader::new(stdout).lines();
        loop {
            let line = match lines.next() {
                Some(Ok(l)) => l,
                other => panic!("kaoqin-sim exited before 'ready' ({other:?}); args {args:?}"),
            };
            let (kind, value) = line.split_once(' ').unwrap_or((line.as_str(), ""));
            match kind {
                "tcp" => sim.tcp = Some(value.to_string()),
                "udp" => sim.udp = Some(value.to_string()),
                "pty" => sim.pty = Some(value.to_string()),
                "control" => sim.control = Some(value.to_string()),
                "ready" => break,
                other => panic!("unexpected stdout line {other:?}"),
            }
        }
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        sim
    }

    pub fn tcp_port(&self) -> u16 {
        port(self.tcp.as_deref())
    }

    pub fn udp_port(&self) -> u16 {
        port(self.udp.as_deref())
    }

    /// Send one control command; returns all reply lines, the last starting with ok/err.
    pub fn control(&self, line: &str) -> Vec<String> {
        let addr = self.control.as_deref().expect("started without --control");
        let mut s = TcpStream::connect(addr).expect("connect control port");
        s.set_read_timeout(Some(Duration::from_secs(30))).ok();
        writeln!(s, "{line}").expect("write control");
        let mut out = Vec::new();
        for l in BufReader::new(s).lines() {
            let l = l.expect("read control reply");
            let done = l.starts_with("ok") || l.starts_with("err");
            out.push(l);
            if done {
                break;
            }
        }
        out
    }

    /// The last reply line, asserting it is `ok ...`; returns the text after `ok `.
    pub fn ok(&self, line: &str) -> String {
        let reply = self.control(line);
        let last = reply.last().cloned().unwrap_or_default();
        assert!(last.starts_with("ok"), "control {line:?} -> {last:?}");
        last.trim_start_matches("ok").trim().to_string()
    }
}

fn port(addr: Option<&str>) -> u16 {
    addr.and_then(|a| a.rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .expect("port")
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The venv python with pyzk 0.9: $KAOQIN_PYTHON or <workspace>/.venv/bin/python. Fails (never
/// skips) when it is missing, so CI cannot silently lose the interoperability tests.
pub fn python() -> PathBuf {
    let p = std::env::var_os("KAOQIN_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv/bin/python"));
    let ok = Command::new(&p)
        .args(["-c", "import zk"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        ok,
        "pyzk is not available at {} — run tests/setup-python-venv.sh (or set KAOQIN_PYTHON to a python with pyzk==0.9)",
        p.display()
    );
    p
}

/// Run tests/compat/pyzk_client.py; returns stdout, panicking with stderr on failure.
pub fn pyzk(args: &[&str]) -> String {
    let script = workspace_root().join("tests/compat/pyzk_client.py");
    let out = Command::new(python())
        .arg(script)
        .args(args)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "pyzk {args:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Like `pyzk` but returns (success, stdout, stderr).
pub fn pyzk_result(args: &[&str]) -> (bool, String, String) {
    let script = workspace_root().join("tests/compat/pyzk_client.py");
    let out = Command::new(python())
        .arg(script)
        .args(args)
        .output()
        .expect("run python");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn spawn_pyzk(args: &[&str]) -> Child {
    let script = workspace_root().join("tests/compat/pyzk_client.py");
    Command::new(python())
        .arg(script)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn python")
}

pub fn read_all(mut r: impl Read) -> String {
    let mut s = String::new();
    let _ = r.read_to_string(&mut s);
    s
}
