//! The `kaoqin-sim` binary writing into pipes nobody reads any more: a closed stdout (the
//! addresses can reach no one) ends it quietly with exit 0; a closed stderr neither stops it
//! serving nor turns an error's exit 1 into the panic (exit 101) tracing's own `eprintln!` gives
//! there.
//!
//! The pipes are closed before the simulator starts (the reading end dropped at once), so every
//! write meets `EPIPE`, deterministically.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// The writing end of a pipe whose reading end is already closed.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    writer
}

/// `kaoqin-sim` with a small generated terminal, logging everything (`RUST_LOG=debug`).
fn sim(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kaoqin-sim"));
    c.args(["--employees", "3", "--days", "2"])
        .args(args)
        .env("RUST_LOG", "debug")
        .stdin(Stdio::null());
    c
}

fn describe(out: &Output) -> String {
    format!(
        "{}\n--- stdout\n{}--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Kills the child when the test ends, whatever happens.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_closed_stdout_ends_quietly_with_exit_0() {
    let out = sim(&["--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"])
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .output()
        .expect("run kaoqin-sim");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(!stderr.contains("panicked"), "{}", describe(&out));
    assert!(!stderr.contains("Error"), "{}", describe(&out));
}

#[test]
fn a_closed_stderr_does_not_stop_it_serving() {
    let mut child = sim(&["--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(closed_pipe())
        .spawn()
        .expect("spawn kaoqin-sim");
    let stdout = child.stdout.take().expect("stdout");
    let mut running = Running(child);
    let mut control = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read stdout");
        if let Some(addr) = line.strip_prefix("control ") {
            control = Some(addr.to_string());
        }
        if line == "ready" {
            break;
        }
    }
    let control = control.unwrap_or_else(|| {
        let status = running.0.wait().expect("wait");
        panic!("kaoqin-sim ended before 'ready': {status}")
    });
    // Serving logs too (debug), into the closed stderr; the answer still comes.
    let mut s = TcpStream::connect(&control).expect("connect control port");
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
    writeln!(s, "status").expect("write control");
    let last = BufReader::new(s)
        .lines()
        .map(|l| l.expect("read control reply"))
        .find(|l| l.starts_with("ok") || l.starts_with("err"));
    assert!(
        last.as_deref().is_some_and(|l| l.starts_with("ok")),
        "{last:?}"
    );
    assert!(
        running.0.try_wait().expect("try_wait").is_none(),
        "kaoqin-sim ended"
    );
}

#[test]
fn an_error_meeting_a_closed_stderr_still_exits_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let out = sim(&["--tcp", &addr])
        .stdout(Stdio::piped())
        .stderr(closed_pipe())
        .output()
        .expect("run kaoqin-sim");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(out.stdout.is_empty(), "{}", describe(&out));
    drop(taken);
}
