//! Window benchmark: cold start of the real `kaoqin` binary to its first painted frame, and its
//! idle CPU once nothing happens. Run under an X server (Xvfb):
//!
//!     xvfb-run -a -s "-screen 0 1280x800x24" cargo bench --bench gui_startup
//!
//! Each run starts the release binary on a fresh data directory (the first-run wizard) or on an
//! initialised database (the log-in screen), with `--verbose`, and waits for the line the window
//! logs when its first frame is on screen (`first frame painted ms=…`, measured inside the process
//! from `main`), noting also the wall time from spawn to that line. The last run is then left
//! alone: CPU time (utime+stime from /proc) is sampled over 10 s, starting 10 s after the first
//! frame. Linux only (reads /proc). Prints a table; BENCHMARKS.md keeps the numbers.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 7;

fn main() {
    if std::env::var_os("DISPLAY").is_none() {
        eprintln!("no DISPLAY: run under xvfb-run (see the top of tests/benches/gui_startup.rs)");
        std::process::exit(2);
    }
    let bin = env!("CARGO_BIN_EXE_kaoqin");
    println!("binary: {bin}");
    let mut idle_child = None;
    for screen in ["wizard", "login"] {
        let mut inside = Vec::new();
        let mut outside = Vec::new();
        for run in 0..RUNS {
            let dir = tempfile::tempdir().expect("temp dir");
            if screen == "login" {
                init_db(bin, dir.path());
            }
            let (mut child, inside_ms, outside_ms) = start(bin, dir.path());
            inside.push(inside_ms);
            outside.push(outside_ms);
            if screen == "login" && run == RUNS - 1 {
                idle_child = Some((child, dir));
            } else {
                stop(&mut child);
            }
        }
        report(screen, &inside, &outside);
    }
    if let Some((mut child, _dir)) = idle_child {
        std::thread::sleep(Duration::from_secs(10));
        let t0 = cpu_ticks(child.id());
        let w0 = Instant::now();
        std::thread::sleep(Duration::from_secs(10));
        let t1 = cpu_ticks(child.id());
        let wall = w0.elapsed().as_secs_f64();
        let ticks_per_s = clock_ticks_per_second();
        let pct = (t1.saturating_sub(t0)) as f64 / ticks_per_s / wall * 100.0;
        println!(
            "idle CPU of the log-in window, 10 s after its first frame, over {wall:.1} s: {pct:.2} % \
             ({} ticks at {ticks_per_s} Hz)",
            t1.saturating_sub(t0)
        );
        stop(&mut child);
    }
}

fn init_db(bin: &str, dir: &Path) {
    let status = with_env(Command::new(bin), dir)
        .args(["init", "--org", "基准测试局", "--admin", "admin"])
        .env("KAOQIN_PASSWORD", "bench-pass-1")
        .stdout(Stdio::null())
        .status()
        .expect("run kaoqin init");
    assert!(status.success(), "kaoqin init failed");
}

fn with_env(mut cmd: Command, dir: &Path) -> Command {
    cmd.env("KAOQIN_DB", dir.join("kaoqin.db"))
        .env("KAOQIN_DATA_DIR", dir.join("data"))
        .env("KAOQIN_CONFIG_DIR", dir.join("config"))
        .env("RUST_LOG", "info");
    cmd
}

/// Starts the window; returns it with (first frame as the app measured it, spawn to log line).
fn start(bin: &str, dir: &Path) -> (Child, f64, f64) {
    let spawned = Instant::now();
    let mut child = with_env(Command::new(bin), dir)
        .arg("--verbose")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kaoqin");
    let Some(stderr) = child.stderr.take() else {
        stop(&mut child);
        panic!("no stderr pipe");
    };
    let mut lines = BufReader::new(stderr).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        if !line.contains("first frame painted") {
            continue;
        }
        let outside = spawned.elapsed().as_secs_f64() * 1000.0;
        let inside = line
            .split("ms=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse::<f64>().ok());
        let Some(inside) = inside else { break };
        // Keep draining stderr so the app never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        return (child, inside, outside);
    }
    stop(&mut child);
    panic!("no `first frame painted ms=…` line within 30 s (or kaoqin exited)");
}

fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn report(screen: &str, inside: &[f64], outside: &[f64]) {
    let stats = |v: &[f64]| {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        (s[0], s[s.len() / 2], s[s.len() - 1])
    };
    let (imin, imed, imax) = stats(inside);
    let (omin, omed, omax) = stats(outside);
    println!(
        "{screen:>6}: first frame (in-process, from main) min {imin:.0} / median {imed:.0} / max {imax:.0} ms; \
         spawn to first frame min {omin:.0} / median {omed:.0} / max {omax:.0} ms ({} runs)",
        inside.len()
    );
}

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc stat");
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let get = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    get(11) + get(12)
}

fn clock_ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .unwrap_or(100.0)
}
