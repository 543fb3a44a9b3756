//! CLI for supervised downloads and what they bring: `download` (indicatif progress bar), `punches list`, `import punches`,
//! `audit sessions`, `findings [explain]`, `rules show|set`. Parsing and printing only: every
//! command calls one service of `app::terminal_sync`, which checks permissions and audits.

use super::out::{errln, out_raw, outln};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use clap::{Args, Subcommand};
use kaoqin_domain::timefmt::{self, parse_date};
use kaoqin_store::sessions::SessionFilter;
use kaoqin_sync::{ImportOptions, SessionIo, SessionProgress, progress_channel};

use super::args::{Format, FormatArg};
use super::table;
use crate::app::Session;
use crate::app::terminal_sync::{OpsError, PunchQuery};

/// `kaoqin download`.
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// The terminal to download.
    #[arg(
        long,
        value_name = "NAME",
        conflicts_with = "all",
        required_unless_present = "all"
    )]
    pub terminal: Option<String>,
    /// Every terminal, one after the other.
    #[arg(long)]
    pub all: bool,
    /// Connect despite the connection rules (supervisor only; the reason is audited).
    #[arg(long = "override", value_name = "REASON")]
    pub override_reason: Option<String>,
    /// No progress bar (scripts, logs).
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum PunchesCmd {
    /// List raw punches (csv columns = what `import punches` reads back).
    List(PunchesListArgs),
}

#[derive(Debug, Args)]
pub struct PunchesListArgs {
    #[arg(long, value_name = "NAME")]
    pub terminal: Option<String>,
    /// Enrollment number (工号).
    #[arg(long, value_name = "NO")]
    pub employee: Option<String>,
    /// From this date (inclusive).
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub from: Option<NaiveDate>,
    /// Up to this date (inclusive).
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub to: Option<NaiveDate>,
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// Import punches from a USB stick: ZK attlog.dat (needs --terminal) or Kaoqin's punches CSV.
    Punches {
        file: PathBuf,
        /// The terminal the attlog.dat came from.
        #[arg(long, value_name = "NAME")]
        terminal: Option<String>,
        /// The serial number of that terminal, when it has none yet (never connected): stored on
        /// it with the import (audited).
        #[arg(long, value_name = "SN", requires = "terminal")]
        serial: Option<String>,
        /// Store punches whose terminal serial is not a registered terminal, with a finding
        /// (supervisor only; without it such a file is refused).
        #[arg(long)]
        allow_unregistered: bool,
        /// Check the file and show what would be imported; store nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Employees, requests or calendar days from a spreadsheet (.xlsx, .xls, .ods or .csv).
    #[command(flatten)]
    Data(super::cmd_reports::DataImportCmd),
}

/// `kaoqin audit sessions`.
#[derive(Debug, Args)]
pub struct SessionsArgs {
    #[arg(long, value_name = "NAME")]
    pub terminal: Option<String>,
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub from: Option<NaiveDate>,
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub to: Option<NaiveDate>,
    #[command(flatten)]
    pub format: FormatArg,
}

/// `kaoqin findings`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct FindingsArgs {
    #[command(subcommand)]
    pub cmd: Option<FindingsCmd>,
    #[arg(long, value_name = "NAME")]
    pub terminal: Option<String>,
    /// Only findings not yet explained.
    #[arg(long)]
    pub open: bool,
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Debug, Subcommand)]
pub enum FindingsCmd {
    /// Mark a finding as explained (supervisor only; audited with the note).
    Explain {
        id: i64,
        #[arg(long)]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCmd {
    /// Show the connection rules (peak sessions, margins, time limit, spacing).
    Show,
    /// Change connection rules (supervisor only; audited). Only the given values change.
    Set(RulesSetArgs),
}

#[derive(Debug, Args)]
pub struct RulesSetArgs {
    /// Minutes before each latest sign-in with no connection.
    #[arg(long, value_name = "MIN")]
    pub margin_before: Option<u32>,
    /// Minutes after each earliest sign-out with no connection.
    #[arg(long, value_name = "MIN")]
    pub margin_after: Option<u32>,
    /// Hard limit of one connection, seconds.
    #[arg(long, value_name = "SECS")]
    pub time_limit: Option<u32>,
    /// Minutes between two connections to the same terminal (1–1440).
    #[arg(long, value_name = "MIN")]
    pub spacing: Option<u32>,
    /// Peak sessions as LATEST_SIGN_IN-EARLIEST_SIGN_OUT, e.g. 09:00-12:00 (repeat; replaces all).
    #[arg(long = "session", value_name = "HH:MM-HH:MM", value_parser = parse_session)]
    pub sessions: Vec<(NaiveTime, NaiveTime)>,
    /// Also keep clear of the sign-in/sign-out times of the shifts in use (default yes).
    #[arg(long, value_name = "yes|no", value_parser = parse_yes_no)]
    pub follow_schedules: Option<bool>,
}

fn parse_yes_no(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "on" | "1" => Ok(true),
        "no" | "false" | "off" | "0" => Ok(false),
        _ => Err(format!("'{s}' is not yes or no")),
    }
}

fn parse_session(s: &str) -> Result<(NaiveTime, NaiveTime), String> {
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| format!("'{s}' is not HH:MM-HH:MM (e.g. 09:00-12:00)"))?;
    let t = |x: &str| timefmt::parse_time(x).map_err(|e| e.to_string());
    Ok((t(a)?, t(b)?))
}

/// Keeps the app error (and so the exit code for a denial) visible to `run::exit_code`. A sync
/// error is flattened to its message: its Display already includes its source, which `{:#}`
/// would print a second time.
pub fn lift(e: OpsError) -> anyhow::Error {
    match e {
        OpsError::App(a) => a.into(),
        OpsError::Sync(s) => anyhow::Error::msg(s.to_string()),
    }
}

fn start_of(d: NaiveDate) -> NaiveDateTime {
    d.and_time(NaiveTime::MIN)
}

/// Inclusive end date → exclusive bound.
fn after(d: NaiveDate) -> Option<NaiveDateTime> {
    d.succ_opt().map(start_of)
}

fn print_rows(format: Format, headers: &[&str], rows: Vec<Vec<String>>) -> Result<()> {
    out_raw!(
        "{}",
        table::render(format, headers, &rows).context("cannot format the listing")?
    );
    Ok(())
}

/// A progress bar fed from the session's watch channel until `done`.
fn progress_bar(
    rx: tokio::sync::watch::Receiver<SessionProgress>,
    done: Arc<AtomicBool>,
    name: String,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let bar = indicatif::ProgressBar::new(0);
        let style =
            indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(name);
        while !done.load(Ordering::Relaxed) {
            let p = *rx.borrow();
            bar.set_length(p.records_total);
            bar.set_position(p.records_done);
            bar.set_message(format!(
                "{} — {}s left before the limit",
                p.phase,
                p.time_left.as_secs()
            ));
            std::thread::sleep(Duration::from_millis(100));
        }
        bar.finish_and_clear();
    })
}

pub fn download(s: &mut Session, a: DownloadArgs) -> Result<()> {
    let names = match (&a.terminal, a.all) {
        (Some(t), _) => vec![t.clone()],
        (None, true) => s.terminal_names().map_err(lift)?,
        (None, false) => return Err(anyhow!("name a terminal (--terminal NAME) or use --all")),
    };
    if names.is_empty() {
        return Err(anyhow!(
            "no terminals are defined; add one with `kaoqin terminal add`"
        ));
    }
    let mut failures = Vec::new();
    for name in &names {
        let (tx, rx) = progress_channel();
        let io = SessionIo::new(tx, Default::default());
        let done = Arc::new(AtomicBool::new(false));
        let bar = (!a.quiet).then(|| progress_bar(rx, Arc::clone(&done), name.clone()));
        let result = s.download(name, a.override_reason.clone(), io);
        done.store(true, Ordering::Relaxed);
        if let Some(h) = bar {
            let _ = h.join();
        }
        match result {
            Ok(r) => {
                outln!("{}", kaoqin_sync::download::summary(&r));
                for f in &r.findings {
                    outln!("  finding: {}", f.summary);
                }
                for w in &r.warnings {
                    outln!("  warning: {w}");
                }
            }
            Err(e) if names.len() == 1 => {
                return Err(lift(e)).with_context(|| format!("download from '{name}' failed"));
            }
            Err(e) => {
                errln!("error: download from '{name}' failed: {e}");
                failures.push(name.clone());
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(anyhow!(
            "{} of {} terminals failed: {}",
            failures.len(),
            names.len(),
            failures.join(", ")
        ))
    }
}

pub fn punches(s: &Session, c: PunchesCmd) -> Result<()> {
    let PunchesCmd::List(a) = c;
    let q = PunchQuery {
        terminal: a.terminal,
        employee: a.employee,
        from: a.from.map(start_of),
        to: a.to.and_then(after),
    };
    match a.format.format {
        Format::Csv => {
            let out = std::io::stdout();
            s.punches_csv(&q, out.lock()).map_err(lift)?;
            Ok(())
        }
        Format::Table => {
            let rows = s
                .punches(&q)
                .map_err(lift)?
                .into_iter()
                .map(|p| {
                    vec![
                        p.terminal_serial,
                        p.enrollment_no,
                        timefmt::fmt_datetime_secs(p.ts),
                        kaoqin_sync::listing::verify_mode_label(p.verify_mode),
                        kaoqin_sync::listing::state_label(p.in_out_state),
                        p.origin.map_or("unknown", |o| o.label_en()).to_string(),
                        p.session_id.to_string(),
                    ]
                })
                .collect();
            print_rows(
                Format::Table,
                &[
                    "terminal", "工号", "time", "verify", "state", "origin", "session",
                ],
                rows,
            )
        }
    }
}

pub fn import(s: &mut Session, c: ImportCmd) -> Result<()> {
    let (file, terminal, opts) = match c {
        ImportCmd::Punches {
            file,
            terminal,
            serial,
            allow_unregistered,
            dry_run,
        } => (
            file,
            terminal,
            ImportOptions {
                serial,
                allow_unregistered,
                dry_run,
            },
        ),
        ImportCmd::Data(d) => return super::cmd_reports::import_data(s, d),
    };
    let r = s
        .import_punches(&file, terminal.as_deref(), &opts)
        .map_err(lift)
        .with_context(|| format!("cannot import {}", file.display()))?;
    let total = r.total();
    outln!(
        "{} {}: {} records read, {} new, {} already stored; {} bad lines.",
        if opts.dry_run {
            "Dry run, nothing stored:"
        } else {
            "Imported"
        },
        file.display(),
        total.read,
        total.new,
        total.already_stored,
        r.bad_lines.len()
    );
    for e in &r.bad_lines {
        outln!("  {e}");
    }
    for t in &r.terminals {
        for f in &t.findings {
            outln!("  finding ({}): {}", t.terminal_serial, f.summary);
        }
    }
    Ok(())
}

pub fn sessions(s: &Session, a: SessionsArgs) -> Result<()> {
    let f = SessionFilter {
        terminal_name: a.terminal,
        from: a.from.map(start_of),
        to: a.to.and_then(after),
    };
    let rows: Vec<Vec<String>> = s
        .download_sessions(&f)
        .map_err(lift)?
        .iter()
        .map(|x| kaoqin_sync::listing::session_row(x).to_vec())
        .collect();
    print_rows(
        a.format.format,
        &kaoqin_sync::listing::SESSIONS_CSV_HEADER,
        rows,
    )
}

pub fn findings(s: &mut Session, a: FindingsArgs) -> Result<()> {
    if let Some(FindingsCmd::Explain { id, note }) = a.cmd {
        let f = s.explain_finding(id, &note).map_err(lift)?;
        outln!("Finding #{} ({}) marked as explained.", f.id, f.kind);
        return Ok(());
    }
    let rows = s
        .findings(a.terminal.as_deref(), a.open)
        .map_err(lift)?
        .into_iter()
        .map(|f| {
            let summary = f
                .details
                .get("summary")
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .unwrap_or_else(|| f.details.to_string());
            vec![
                f.id.to_string(),
                timefmt::fmt_datetime_secs(f.found_at),
                f.kind,
                f.session_id.map(|x| x.to_string()).unwrap_or_default(),
                summary,
                match (f.explained_by, f.explained_note) {
                    (Some(by), Some(note)) => format!("{by}: {note}"),
                    _ => "open".into(),
                },
            ]
        })
        .collect();
    print_rows(
        a.format.format,
        &["id", "found", "kind", "session", "summary", "explained"],
        rows,
    )
}

pub fn rules(s: &mut Session, c: RulesCmd) -> Result<()> {
    let current = s.sync_settings().map_err(lift)?.rules;
    match c {
        RulesCmd::Show => {
            for p in &current.sessions {
                outln!(
                    "peak session {}: latest sign-in {}, earliest sign-out {}",
                    p.name,
                    timefmt::fmt_time(p.latest_sign_in),
                    timefmt::fmt_time(p.earliest_sign_out)
                );
            }
            outln!(
                "margin before sign-in: {} min",
                current.margin_before_sign_in_min
            );
            outln!(
                "margin after sign-out: {} min",
                current.margin_after_sign_out_min
            );
            outln!("time limit: {} s", current.time_limit_secs);
            outln!("spacing: {} min", current.spacing_min);
            outln!(
                "follow the shifts in use: {}",
                if current.follow_schedules {
                    "yes"
                } else {
                    "no"
                }
            );
            let now = s.now();
            outln!("no-connection windows today ({}):", now.date());
            for w in current
                .windows_around(now)
                .into_iter()
                .filter(|w| w.start.date() == now.date() || w.end.date() == now.date())
            {
                outln!(
                    "  {}–{}  {}",
                    timefmt::fmt_time(w.start.time()),
                    timefmt::fmt_time(w.end.time()),
                    w.label
                );
            }
            Ok(())
        }
        RulesCmd::Set(a) => {
            let mut r = current;
            if let Some(v) = a.margin_before {
                r.margin_before_sign_in_min = v;
            }
            if let Some(v) = a.margin_after {
                r.margin_after_sign_out_min = v;
            }
            if let Some(v) = a.time_limit {
                r.time_limit_secs = v;
            }
            if let Some(v) = a.spacing {
                r.spacing_min = v;
            }
            if let Some(v) = a.follow_schedules {
                r.follow_schedules = v;
            }
            if !a.sessions.is_empty() {
                r.sessions = a
                    .sessions
                    .iter()
                    .enumerate()
                    .map(|(n, (i, o))| kaoqin_sync::policy::PeakSession {
                        name: format!("session {}", n + 1),
                        latest_sign_in: *i,
                        earliest_sign_out: *o,
                    })
                    .collect();
            }
            s.set_connection_rules(&r).map_err(lift)?;
            outln!("Connection rules changed (audited).");
            Ok(())
        }
    }
}
