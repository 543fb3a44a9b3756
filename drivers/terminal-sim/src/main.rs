//! `kaoqin-sim` entry point: parse flags, build the terminal, open the ports, print the chosen
//! addresses on stdout (machine-readable, see `--help`), then serve until killed.
//!
//! Closed pipes never panic: when nobody reads stdout any more the addresses cannot reach anyone,
//! so the simulator ends quietly with exit 0 (as ripgrep does on `| head`); the log on stderr
//! drops what a closed stderr cannot take instead of tracing's own `eprintln!`, which panics there.

use std::io::Write;

use anyhow::Context;
use clap::Parser;
use kaoqin_sim::cli::Args;
use kaoqin_sim::server::{self, Shared};
use tokio::net::{TcpListener, UdpSocket};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .log_internal_errors(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let today = chrono::Local::now().date_naive();
    let term = args.build_terminal(today)?;
    tracing::info!(
        users = term.user_count(),
        punches = term.log().len(),
        att_format = term.info.att_record_size,
        user_format = term.info.user_record_size,
        "terminal ready"
    );
    let shared = Shared::new(term, args.inline_max);
    let (tcp, udp) = args.endpoints();
    let mut lines = Vec::new();
    let mut tasks = Vec::new();
    if let Some(addr) = tcp {
        let l = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on tcp {addr}"))?;
        lines.push(format!("tcp {}", l.local_addr()?));
        tasks.push(tokio::spawn(server::serve_tcp(shared.clone(), l)));
    }
    if let Some(addr) = udp {
        let s = UdpSocket::bind(addr)
            .await
            .with_context(|| format!("cannot bind udp {addr}"))?;
        lines.push(format!("udp {}", s.local_addr()?));
        tasks.push(tokio::spawn(server::serve_udp(shared.clone(), s)));
    }
    if args.pty {
        let (path, task) = server::open_pty(shared.clone())?;
        lines.push(format!("pty {path}"));
        tasks.push(task);
    }
    if let Some(addr) = args.control {
        let l = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on control {addr}"))?;
        lines.push(format!("control {}", l.local_addr()?));
        tasks.push(tokio::spawn(server::serve_control(shared.clone(), l)));
    }
    lines.push("ready".into());
    match print_lines(&lines) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            tracing::debug!("stdout is closed: nobody reads the addresses; exiting");
            return Ok(());
        }
        Err(e) => return Err(e).context("cannot print the addresses on stdout"),
    }
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!("interrupted; exiting"),
        _ = futures_all(tasks) => tracing::warn!("all servers stopped"),
    }
    Ok(())
}

fn print_lines(lines: &[String]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for l in lines {
        writeln!(out, "{l}")?;
    }
    out.flush()
}

async fn futures_all(tasks: Vec<tokio::task::JoinHandle<()>>) {
    for t in tasks {
        let _ = t.await;
    }
}
