//! Smoke test of the real `kaoqin` binary: with no subcommand it must open its window on an X display
//! (Xvfb here) and keep running, on an empty database (the first-run wizard). Headless kittest tests
//! drive the pages; this one proves the shipped binary, its renderer and its font set-up start at all.
//!
//! Needs `xvfb-run` and `xwininfo` (Debian xvfb, x11-utils), which `tests/run` installs. It fails, never
//! skips, when they are missing. Compiled on Linux only: X11 and Xvfb are how it watches the window
//! (README, "Windows").
#![cfg(target_os = "linux")]

use std::process::{Command, Stdio};

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[test]
fn binary_opens_its_window_under_xvfb() {
    assert!(
        have("xvfb-run") && have("xwininfo"),
        "xvfb-run and xwininfo are needed: run tests/run (it installs xvfb and x11-utils)"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("kaoqin.db");
    // One shell under xvfb-run starts the app, polls the X server for its window, and reports.
    let script = format!(
        r#"
        "{bin}" >"{log}" 2>&1 &
        pid=$!
        for i in $(seq 1 100); do
          if xwininfo -root -tree 2>/dev/null | grep -q 'Kaoqin'; then
            sleep 1
            if kill -0 $pid 2>/dev/null; then echo WINDOW_OK; kill $pid; wait $pid 2>/dev/null; exit 0; fi
          fi
          kill -0 $pid 2>/dev/null || {{ echo EXITED; exit 1; }}
          sleep 0.2
        done
        echo NO_WINDOW; kill $pid; exit 1
        "#,
        bin = env!("CARGO_BIN_EXE_kaoqin"),
        log = dir.path().join("stderr.log").display(),
    );
    let out = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x800x24", "sh", "-c", &script])
        .env("KAOQIN_DB", &db)
        .env("KAOQIN_DATA_DIR", dir.path().join("data"))
        .env("KAOQIN_CONFIG_DIR", dir.path().join("config"))
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .output()
        .expect("run xvfb-run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let app_log = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap_or_default();
    assert!(
        stdout.contains("WINDOW_OK"),
        "the window did not appear within 20 s (script said {stdout:?}); the app printed:\n{app_log}"
    );
    assert!(
        !app_log.contains("panicked"),
        "the app panicked while starting:\n{app_log}"
    );
}
