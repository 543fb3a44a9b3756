//! Output safety of the `kaoqin` binary: CSV exports neutralise cells a spreadsheet would run as
//! a formula; tables (and `audit log`) show control characters visibly, so a stored name cannot
//! forge a line or recolour the terminal; a closed pipe ends the program quietly (exit 0).

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
