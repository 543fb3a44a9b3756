//! CLI for the auditor's snapshots (docs/domain.md §2.7): `snapshot take|verify|diff [--xlsx FILE]`. Parsing and printing
//! only; the services are in `app::snapshots`.

use super::out::outln;
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow};
use clap::Subcommand;
use kaoqin_domain::timefmt::fmt_datetime_secs as ts;
use kaoqin_sync::snapshot::diff::UserChange;

use super::cmd_sync::lift;
use crate::app::Session;
use crate::app::snapshots::{ledger_diff_report, not_verified, snapshot_diff_report};

#[derive(Debug, Subcommand)]
pub enum SnapshotCmd {
    /// Read a terminal (read-only, under the connection rules) into one signed file (auditor only).
    Take {
        #[arg(long, value_name = "NAME")]
        terminal: String,
        /// The snapshot file to create (must not exist).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Check a snapshot's hashes and signature; exit 0 only if everything matches.
    Verify { file: PathBuf },
    /// Compare snapshot A with a later snapshot B, or one snapshot with Kaoqin's ledger.
    Diff {
        a: PathBuf,
        #[arg(required_unless_present = "against_db", conflicts_with = "against_db")]
        b: Option<PathBuf>,
        /// Compare FILE with the punches Kaoqin downloaded from that terminal.
        #[arg(long)]
        against_db: bool,
        /// Also write the differences as an Excel report (one sheet per kind).
        #[arg(long, value_name = "FILE.xlsx")]
        xlsx: Option<PathBuf>,
        /// Text language of the workbook: zh-CN (default), en, zh-TW.
        #[arg(long = "report-lang", value_name = "LANG", requires = "xlsx")]
        report_lang: Option<String>,
    },
}

/// Writes the xlsx report when asked and says where.
fn write_xlsx(
    path: Option<&PathBuf>,
    lang: Option<&str>,
    report: impl FnOnce() -> kaoqin_excel::SnapshotDiffReport,
) -> Result<()> {
    let Some(path) = path else {
        return Ok(());
    };
    let locale = match lang {
        None => kaoqin_excel::Locale::default(),
        Some(v) => kaoqin_excel::Locale::parse(v)
            .ok_or_else(|| anyhow!("unknown language '{v}'; use zh-CN, en or zh-TW"))?,
    };
    kaoqin_excel::export_snapshot_diff_xlsx(path, &report(), locale)
        .with_context(|| format!("cannot write the report {}", path.display()))?;
    outln!("report written to {}", path.display());
    Ok(())
}

pub fn snapshot(s: &mut Session, c: SnapshotCmd) -> Result<()> {
    match c {
        SnapshotCmd::Take { terminal, out } => {
            let r = s
                .take_snapshot(&terminal, &out)
                .map_err(lift)
                .with_context(|| format!("snapshot of '{terminal}' failed"))?;
            outln!(
                "Snapshot #{} of {terminal}: {} records, {} users, clock skew {} s, {} ms; written to {}",
                r.snapshot_id,
                r.records,
                r.users,
                r.clock_skew_secs,
                r.duration_ms,
                r.path.display()
            );
            outln!("SHA-256 {}", r.whole_sha256);
            outln!("signed by key {}", r.public_key);
            Ok(())
        }
        SnapshotCmd::Verify { file } => {
            let r = s.verify_snapshot(&file).map_err(lift)?;
            if let Some(m) = &r.manifest {
                outln!(
                    "{}: terminal {}, taken by {} at {}",
                    file.display(),
                    m.terminal_name,
                    m.taken_by,
                    ts(m.taken_at)
                );
            }
            if r.ok() {
                outln!("OK: every part's SHA-256, the whole SHA-256 and the signature match.");
                Ok(())
            } else {
                for p in &r.problems {
                    outln!("MISMATCH: {p}");
                }
                // The same refusal (text and exit code) as `snapshot diff` of this file.
                Err(lift(not_verified(&file, &r.problems).into()))
            }
        }
        SnapshotCmd::Diff {
            a,
            b: None,
            against_db: true,
            xlsx,
            report_lang,
        } => {
            let d = s.diff_snapshot_against_db(&a).map_err(lift)?;
            outln!("terminal serial {}", d.serial);
            for (no, t) in &d.missing_on_terminal {
                outln!("in Kaoqin, no longer on the terminal: {no} {}", ts(*t));
            }
            for p in &d.never_downloaded {
                outln!(
                    "on the terminal, never downloaded: {} {}",
                    p.enrollment_no,
                    ts(p.timestamp)
                );
            }
            outln!(
                "{} in Kaoqin but not on the terminal, {} on the terminal but not in Kaoqin",
                d.missing_on_terminal.len(),
                d.never_downloaded.len()
            );
            write_xlsx(xlsx.as_ref(), report_lang.as_deref(), || {
                ledger_diff_report(&d)
            })
        }
        SnapshotCmd::Diff {
            a,
            b,
            xlsx,
            report_lang,
            ..
        } => {
            let b =
                b.ok_or_else(|| anyhow!("give two snapshot files, or one with --against-db"))?;
            let d = s.diff_snapshots(&a, &b).map_err(lift)?;
            for p in &d.removed {
                outln!(
                    "removed: {} {} (position {})",
                    p.enrollment_no,
                    ts(p.timestamp),
                    p.position
                );
            }
            for c in &d.time_changed {
                outln!(
                    "time changed: {} {} -> {}",
                    c.before.enrollment_no,
                    ts(c.before.timestamp),
                    ts(c.after.timestamp)
                );
            }
            for p in &d.backdated {
                outln!("added back-dated: {} {}", p.enrollment_no, ts(p.timestamp));
            }
            for u in &d.users {
                match u {
                    UserChange::Added(u) => outln!(
                        "user added: {} {} (privilege {})",
                        u.enrollment_no,
                        u.name,
                        u.privilege
                    ),
                    UserChange::Removed(u) => {
                        outln!("user removed: {} {}", u.enrollment_no, u.name)
                    }
                    UserChange::Changed { before, after } => outln!(
                        "user changed: {} {} privilege {}->{} password {}->{} card {}->{} name {}->{}",
                        before.enrollment_no,
                        before.name,
                        before.privilege,
                        after.privilege,
                        before.has_password,
                        after.has_password,
                        before.card,
                        after.card,
                        before.name,
                        after.name
                    ),
                }
            }
            if let Some(c) = &d.clock {
                outln!(
                    "clock changed: skew {} s -> {} s",
                    c.skew_before_secs,
                    c.skew_after_secs
                );
            }
            outln!(
                "{} removed, {} time changed, {} back-dated, {} user changes, clock {}; {} ordinary new punches",
                d.removed.len(),
                d.time_changed.len(),
                d.backdated.len(),
                d.users.len(),
                if d.clock.is_some() {
                    "changed"
                } else {
                    "unchanged"
                },
                d.new_after
            );
            write_xlsx(xlsx.as_ref(), report_lang.as_deref(), || {
                snapshot_diff_report(&d)
            })
        }
    }
}
