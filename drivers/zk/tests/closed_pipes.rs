//! The `kaoqin-zk` binary writing into pipes nobody reads any more: a reader that stopped
//! (`kaoqin-zk log … | head -1`) ends it quietly with exit 0, and an error meeting a closed stderr
//! still exits 1 — never the panic (exit 101) `println!` / `eprintln!` give there.
//!
//! The pipes are closed before the program starts (the reading end dropped at once), so every
//! write meets `EPIPE`, deterministically.

mod common;

use std::process::{Output, Stdio};

use common::{Term, sample_records, shared, tcp_terminal};
use kaoqin_zk::codec::AttFormat;
use tokio::process::Command;

/// The writing end of a pipe whose reading end is already closed.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    writer
}

/// Runs `c` with the pipes it was given (tokio's `output()` would make both pipes its own).
async fn output(c: &mut Command) -> Output {
    c.spawn()
        .expect("start kaoqin-zk")
        .wait_with_output()
        .await
        .expect("wait for kaoqin-zk")
}

fn describe(out: &Output) -> String {
    format!(
        "{}\n--- stdout\n{}--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A terminal holding 20,000 punches: their table is far more than one pipe buffer (64 KiB) and
/// than the binary's own output buffer.
async fn busy_terminal() -> String {
    let term = shared(Term {
        att_format: AttFormat::B40,
        records: sample_records(20_000, AttFormat::B40),
        ..Term::default()
    });
    tcp_terminal(term).await.to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_stdout_ends_quietly_with_exit_0() {
    let tcp = busy_terminal().await;
    for format in ["table", "csv"] {
        let out = output(
            Command::new(env!("CARGO_BIN_EXE_kaoqin-zk"))
                .args(["log", "--tcp", &tcp, "--format", format])
                .stdin(Stdio::null())
                .stdout(closed_pipe())
                .stderr(Stdio::piped()),
        )
        .await;
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        assert!(out.stderr.is_empty(), "{}", describe(&out));
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn piped_into_head_it_prints_the_first_line_and_no_panic() {
    let tcp = busy_terminal().await;
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' log --tcp {tcp} | head -1",
            env!("CARGO_BIN_EXE_kaoqin-zk")
        ))
        .stdin(Stdio::null())
        .output()
        .await
        .expect("sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.starts_with("user_id"), "{}", describe(&out));
    assert_eq!(stdout.lines().count(), 1, "{}", describe(&out));
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_meeting_a_closed_stderr_still_exits_1() {
    // No transport given: an error, reported on stderr, which nobody reads.
    let out = output(
        Command::new(env!("CARGO_BIN_EXE_kaoqin-zk"))
            .arg("log")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(closed_pipe()),
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(out.stdout.is_empty(), "{}", describe(&out));

    // The same error with stderr readable says what to do.
    let out = Command::new(env!("CARGO_BIN_EXE_kaoqin-zk"))
        .arg("log")
        .stdin(Stdio::null())
        .output()
        .await
        .expect("run kaoqin-zk");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("exactly one of --tcp"),
        "{}",
        describe(&out)
    );
}
