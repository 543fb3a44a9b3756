//! Benchmark (BENCHMARKS.md, kaoqin-sync): download and store 100,000 new records from the simulator over loopback TCP,
//! end to end (rules check, connect, device info, clock, disable, users, log, enable, disconnect,
//! dedup, checks, one transaction); then the same download again (0 new).
//!
//! Run: `cargo build --release -p kaoqin-sim && cargo bench -p kaoqin-sync --bench download_100k`
//! The simulator is `$KAOQIN_SIM_BIN`, else target/release/kaoqin-sim, else target/debug/kaoqin-sim.
//! Targets: ≤ 2 s for 100,000 new; ≤ 1.5 s for the repeat.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kaoqin_store::terminals::{self, NewTerminal};
use kaoqin_store::{Role, Store, TerminalKind, TextEncoding};
use kaoqin_sync::policy::ConnectionRules;
use kaoqin_sync::session::{Actor, SessionIo};
use kaoqin_sync::settings::SyncSettings;
use kaoqin_sync::{SystemClock, ZkConnector, download};
use kaoqin_zk::client::ClientOptions;

const RECORDS: usize = 100_000;
const RUNS: usize = 5;

fn sim_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("KAOQIN_SIM_BIN") {
        return PathBuf::from(p);
    }
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target");
    let release = target.join("release/kaoqin-sim");
    if release.exists() {
        release
    } else {
        target.join("debug/kaoqin-sim")
    }
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes --bench; ignore arguments. RUST_LOG=kaoqin_sync=debug shows where the
    // storing time goes.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let bin = sim_bin();
    if !bin.exists() {
        return Err(format!(
            "simulator {} missing: cargo build --release -p kaoqin-sim",
            bin.display()
        )
        .into());
    }
    let mut child = Command::new(&bin)
        .args([
            "--tcp",
            "127.0.0.1:0",
            "--employees",
            "700",
            "--days",
            "120",
            "--seed",
            "11",
        ])
        .args(["--limit", &RECORDS.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut tcp = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        if let Some(a) = line.strip_prefix("tcp ") {
            tcp = a.to_string();
        }
        if line == "ready" {
            break;
        }
    }
    let result = run(&tcp, &bin);
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn run(tcp: &str, bin: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let settings = SyncSettings {
        rules: ConnectionRules::unrestricted(),
        ..SyncSettings::default()
    };
    let actor = Actor {
        name: "bench".into(),
        role: Role::HrClerk,
    };
    let connector = ZkConnector::tcp(tcp, ClientOptions::default());
    let (host, port) = tcp.rsplit_once(':').ok_or("bad tcp address")?;
    let mut first = Vec::new();
    let mut again = Vec::new();
    let mut transfer_first = Vec::new();
    let mut transfer_again = Vec::new();
    for _ in 0..RUNS {
        let dir = tempfile::tempdir()?;
        let mut store = Store::open(dir.path().join("bench.db"))?;
        let tx = store.transaction()?;
        let terminal = terminals::add(
            &tx,
            &NewTerminal {
                name: "bench".into(),
                kind: TerminalKind::ZkTcp,
                address: host.into(),
                port: port.parse().ok(),
                baud: None,
                machine_no: 1,
                encoding: TextEncoding::Gbk,
                comm_secret: None,
                location: None,
            },
        )?;
        tx.commit()?;
        for (times, transfer, expect_new) in [
            (&mut first, &mut transfer_first, RECORDS as u64),
            (&mut again, &mut transfer_again, 0),
        ] {
            let t = Instant::now();
            let report = rt.block_on(download(
                &mut store,
                &connector,
                &actor,
                &terminal,
                &settings,
                None,
                Arc::new(SystemClock),
                SessionIo::default(),
            ))?;
            times.push(t.elapsed());
            transfer.push(Duration::from_millis(report.duration_ms));
            if report.counts.new != expect_new || report.counts.read != RECORDS as u64 {
                return Err(format!("unexpected counts {:?}", report.counts).into());
            }
        }
    }
    println!(
        "kaoqin-sync download benchmark: {RECORDS} records, loopback TCP, simulator {}",
        bin.display()
    );
    println!(
        "  100,000 new : median {:?} (runs {:?}); session (connect..disconnect) median {:?}",
        median(&mut first.clone()),
        first,
        median(&mut transfer_first)
    );
    println!(
        "  again, 0 new: median {:?} (runs {:?}); session median {:?}",
        median(&mut again.clone()),
        again,
        median(&mut transfer_again)
    );
    Ok(())
}
