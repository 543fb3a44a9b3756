//! Output safety of the `kaoqin` binary: CSV exports neutralise cells a spreadsheet would run as
//! a formula; tables (and `audit log`) show control characters visibly, so a stored name cannot
//! forge a line or recolour the terminal; a closed stdout ends the program quietly (exit 0), and a
//! closed stderr neither panics (`eprintln!` would: exit 101) nor changes the exit code.

mod cli_common;
use cli_common::*;

use std::process::Stdio;

#[test]
fn csv_export_neutralises_a_formula_name() {
    let env = Env::populated();
    ok(&env.admin(&[
        "employee",
        "add",
        "--no",
        "1002",
        "--name",
        "=HYPERLINK(\"x\")",
        "--department",
        "办公室",
        "--hired",
        "2025-01-06",
    ]));
    let r = env.admin(&["employee", "list", "--format", "csv"]);
    ok(&r);
    let line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("1002,"))
        .unwrap_or_else(|| panic!("no row for 1002: {r:?}"));
    assert!(
        line.starts_with("1002,\"'=HYPERLINK(\"\"x\"\")\","),
        "{line}"
    );
    // The table shows the name as it was entered.
    let r = env.admin(&["employee", "list"]);
    ok(&r);
    assert!(r.stdout.contains("=HYPERLINK(\"x\")"), "{r:?}");
    assert!(!r.stdout.contains("'=HYPERLINK"), "{r:?}");
}

#[test]
fn audit_log_keeps_a_forged_line_on_one_line() {
    let env = Env::populated();
    {
        // A name as it could come from a terminal or an import, stored in the chain as it is.
        let store = kaoqin_store::Store::open(env.db()).expect("open db");
        kaoqin_store::audit::append(
            store.conn(),
            kaoqin_store::audit::NewEntry {
                at: chrono::NaiveDate::from_ymd_opt(2026, 3, 2)
                    .and_then(|d| d.and_hms_opt(9, 0, 0))
                    .expect("time"),
                actor: "\u{1b}[31mroot".into(),
                role: Some(kaoqin_store::Role::Admin),
                action: "employee.update".into(),
                target: "x\n2026-01-01 forged line\u{202e}".into(),
                details: serde_json::json!({}),
            },
        )
        .expect("append");
    }
    let r = env.admin(&["audit", "log"]);
    ok(&r);
    assert!(
        !r.stdout
            .lines()
            .any(|l| l.starts_with("2026-01-01 forged line")),
        "a line was forged: {r:?}"
    );
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("forged line"))
        .unwrap_or_else(|| panic!("entry missing: {r:?}"));
    assert!(
        line.contains("x\\n2026-01-01 forged line\\u{202e}"),
        "{line}"
    );
    assert!(line.contains("\\u{1b}[31mroot"), "{line}");
    assert!(!r.stdout.contains('\u{1b}') && !r.stdout.contains('\u{202e}'));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let env = Env::populated();
    // The reader goes away before anything is written (`kaoqin audit log | head -0`): every write
    // meets a closed pipe, deterministically.
    let mut child = env
        .cmd()
        .env("KAOQIN_USER", "root")
        .env("KAOQIN_PASSWORD", ADMIN_PW)
        .args(["audit", "log"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kaoqin");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.trim().is_empty(), "{stderr}");

    // And through a shell, as a person types it.
    #[cfg(unix)]
    {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "'{}' audit log | head -1",
                env!("CARGO_BIN_EXE_kaoqin")
            ))
            .env("KAOQIN_DB", env.db())
            .env("KAOQIN_DATA_DIR", env.dir.path().join("data"))
            .env("KAOQIN_CONFIG_DIR", env.dir.path().join("config"))
            .env("KAOQIN_USER", "root")
            .env("KAOQIN_PASSWORD", ADMIN_PW)
            .stdin(Stdio::null())
            .output()
            .expect("sh");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stdout.starts_with("seq"), "{stdout}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!stderr.contains("Broken pipe"), "{stderr}");
    }
}

/// The writing end of a pipe whose reading end is already closed: every write to it meets
/// `EPIPE`, deterministically (the program cannot write before the reader goes).
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    writer
}

/// Runs `kaoqin args` with `envs` and stderr into a closed pipe; (exit code, stdout).
fn with_closed_stderr(env: &Env, envs: &[(&str, &str)], args: &[&str]) -> (Option<i32>, String) {
    let mut c = env.cmd();
    for (k, v) in envs {
        c.env(k, v);
    }
    let out = c
        .args(args)
        .stdout(Stdio::piped())
        .stderr(closed_pipe())
        .output()
        .expect("run kaoqin");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_closed_stderr_keeps_the_exit_code_of_the_error() {
    let env = Env::populated();
    let login =
        |user: &'static str, pw: &'static str| [("KAOQIN_USER", user), ("KAOQIN_PASSWORD", pw)];
    // Each error is reported on stderr, which nobody reads: the exit code still tells. (Each
    // refused log-in is another name's, so the throttle never makes a test wait.)
    let (code, _) = with_closed_stderr(&env, &login("ghost", "wrong-password"), &["audit", "log"]);
    assert_eq!(code, Some(4), "a refused password");
    let (code, _) = with_closed_stderr(
        &env,
        &login("aud", USER_PW),
        &["report", "month", "2026-03", "--xlsx", "x.xlsx"],
    );
    assert_eq!(code, Some(3), "permission denied");
    let (code, _) = with_closed_stderr(
        &env,
        &login("root", ADMIN_PW),
        &["user", "disable", "nobody"],
    );
    assert_eq!(code, Some(1), "an ordinary error");
    let (code, _) = with_closed_stderr(&env, &[], &["no-such-command"]);
    assert_eq!(code, Some(2), "a usage error");

    // With --verbose the log is mirrored on stderr too; a closed stderr does not stop the work.
    let (code, stdout) = with_closed_stderr(
        &env,
        &login("root", ADMIN_PW),
        &["--verbose", "audit", "log"],
    );
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.starts_with("seq"), "{stdout}");

    // The warning about a log directory that cannot be made, into a closed stderr.
    let not_a_dir = env.path("a-file");
    std::fs::write(&not_a_dir, "").unwrap();
    let (code, stdout) = with_closed_stderr(
        &env,
        &[("KAOQIN_DATA_DIR", not_a_dir.to_str().unwrap())],
        &["permissions"],
    );
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("manage_users"), "{stdout}");

    // And as a person types it: stderr closed by the shell, or (with stdout) into a reader that
    // is gone; the shell reports the exit code on fd 3.
    #[cfg(unix)]
    for (user, redirect) in [("sup", "2>&-"), ("clerk", "2>&1 >/dev/null")] {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "exec 3>&1; {{ '{}' audit log {redirect}; echo \"exit $?\" >&3; }} | true",
                env!("CARGO_BIN_EXE_kaoqin")
            ))
            .env("KAOQIN_DB", env.db())
            .env("KAOQIN_DATA_DIR", env.dir.path().join("data"))
            .env("KAOQIN_CONFIG_DIR", env.dir.path().join("config"))
            .env("KAOQIN_USER", user)
            .env("KAOQIN_PASSWORD", "wrong-password")
            .stdin(Stdio::null())
            .output()
            .expect("sh");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout.trim(), "exit 4", "{redirect}: {out:?}");
    }
}
