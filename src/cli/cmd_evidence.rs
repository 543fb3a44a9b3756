//! `kaoqin audit verify`, `kaoqin backup`, `kaoqin restore`: the evidence chain on the command line
//! (the chain, its anchors outside the database — anchor file, backups, snapshots, exported
//! workbooks —, the punches' batch hashes; backups with their manifest; restores that verify the
//! backup first).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use clap::Args;

use super::out::outln;
use crate::app::Session;
use crate::app::evidence::EvidenceReport;
use kaoqin_store::evidence::AnchorStatus;

const VERIFY_HELP: &str = "\
Anchors (the chain's head noted outside the database) are read from:
  - the anchor file beside the database (<db>.anchors);
  - backup manifests and anchor-file copies in the directories of the backups the audit log
    records, and in every --backup-dir;
  - the snapshot files the audit log records (only those that verify);
  - exported workbooks (*.xlsx, document property kaoqin.audit_head) in the directories the audit
    log records exports to, and in every --reports-dir.
A source that cannot be read (a damaged or foreign workbook, a missing directory) is noted and
does not change the exit code: it only gives no help.

Exit code 1 when the chain is broken, is shorter than or differs from an anchor (the message names
the anchor's file), or a batch of punches no longer matches its audit entry.";

#[derive(Debug, Args)]
#[command(after_help = VERIFY_HELP)]
pub struct VerifyArgs {
    /// Also look for backup manifests and anchor-file copies in DIR (repeatable); the directories
    /// of the backups the audit log records are always searched.
    #[arg(long = "backup-dir", value_name = "DIR")]
    pub backup_dirs: Vec<PathBuf>,
    /// Also read the exported workbooks (*.xlsx) in DIR (repeatable): each carries the audit head
    /// of its export in its properties. The directories the audit log records exports to are
    /// always read.
    #[arg(long = "reports-dir", value_name = "DIR")]
    pub reports_dirs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A backup made by `kaoqin backup` (its manifest FILE.manifest.json beside it).
    pub file: PathBuf,
    /// Restore even though the backup does not verify (administrator; needs --reason; audited).
    #[arg(long, requires = "reason")]
    pub force_unverified: bool,
    /// Why the unverified backup must be restored (goes into the audit log).
    #[arg(long, value_name = "TEXT", requires = "force_unverified")]
    pub reason: Option<String>,
}

fn when(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

pub fn verify(s: &Session, a: VerifyArgs) -> Result<()> {
    let r = s.verify_evidence_in(&a.backup_dirs, &a.reports_dirs)?;
    print_report(&r)?;
    if r.is_sound() {
        return Ok(());
    }
    let mut why = Vec::new();
    if let Some(b) = &r.chain.first_break {
        why.push(format!(
            "the audit chain is broken at entry {} (expected {}, found {})",
            b.seq, b.expected, b.found
        ));
    }
    for (sa, st) in r.anchors.failures() {
        why.push(match st {
            AnchorStatus::Missing { chain_entries } => format!(
                "the audit log is SHORTER than the anchor of {} in {}: entries {}…{} are missing",
                when(sa.anchor.at),
                sa.source,
                chain_entries + 1,
                sa.anchor.entries
            ),
            _ => format!(
                "audit entry {} is not the one anchored on {} in {} (the log was rewritten up to there)",
                sa.anchor.entries,
                when(sa.anchor.at),
                sa.source
            ),
        });
    }
    if !r.batches.is_clean() {
        why.push(format!(
            "{} batch(es) of punches no longer match their audit entries",
            r.batches.problems.len()
        ));
    }
    Err(anyhow!(
        "{}; keep this database, its anchor file and the backups as evidence and compare them with a backup",
        why.join("; ")
    ))
}

fn print_report(r: &EvidenceReport) -> Result<()> {
    match &r.chain.first_break {
        None => {
            outln!(
                "Audit log intact: {} entries; head hash {}",
                r.chain.entries_checked,
                r.chain.head_hash
            );
        }
        Some(b) => {
            outln!(
                "Audit log BROKEN at entry {}: {}",
                b.seq,
                b.reason.describe()
            );
            outln!("  expected: {}", b.expected);
            outln!("  found:    {}", b.found);
        }
    }
    let through = if r.chain.is_intact() {
        r.chain.entries_checked
    } else {
        r.chain
            .first_break
            .as_ref()
            .map(|b| u64::try_from(b.seq - 1).unwrap_or(0))
            .unwrap_or(0)
    };
    match r.intact_through_at {
        Some(t) => outln!("Intact through entry {through} of {}.", when(t)),
        None => outln!("Intact through entry {through}."),
    }

    // Anchors.
    let failures: Vec<_> = r.anchors.failures().collect();
    for (sa, st) in &failures {
        match st {
            AnchorStatus::Missing { chain_entries } => outln!(
                "The audit log is SHORTER than the anchor of {} (entry {}, from {}): entries {}…{} are missing.",
                when(sa.anchor.at),
                sa.anchor.entries,
                sa.source,
                chain_entries + 1,
                sa.anchor.entries
            ),
            AnchorStatus::Differs { found } => outln!(
                "Entry {} does NOT match the anchor of {} (from {}): anchored {}, found {}; the log was rewritten up to there.",
                sa.anchor.entries,
                when(sa.anchor.at),
                sa.source,
                sa.anchor.head,
                found
            ),
            _ => {}
        }
    }
    match r.anchors.newest_match() {
        Some(sa) => outln!(
            "The newest anchor (entry {}, from {}, {}) matches; {} anchor(s) checked.",
            sa.anchor.entries,
            sa.source,
            when(sa.anchor.at),
            r.anchors.checked.len()
        ),
        None if r.anchors.checked.is_empty() => outln!(
            "No anchor was found (looked in {}): the newest entries cannot be vouched for; \
             a backup or any act from now on writes one.",
            r.looked_in.join(", ")
        ),
        None => outln!("No anchor matches the chain."),
    }
    if let Some(newest) = r.anchors.newest_match()
        && newest.anchor.entries < r.chain.entries_checked
        && r.chain.is_intact()
    {
        outln!(
            "Entries {}…{} are newer than every anchor: nothing outside the database vouches for them yet.",
            newest.anchor.entries + 1,
            r.chain.entries_checked
        );
    }
    for (sa, st) in r.workbook_anchors() {
        match st {
            AnchorStatus::Matches => outln!(
                "The {} vouches for entry {} of {}: it matches.",
                sa.source,
                sa.anchor.entries,
                when(sa.anchor.at)
            ),
            AnchorStatus::BeforeRestore { .. } => outln!(
                "The {} (entry {} of {}) belongs to the database replaced by a restore.",
                sa.source,
                sa.anchor.entries,
                when(sa.anchor.at)
            ),
            // Shown above with the other anchors that fail.
            AnchorStatus::Missing { .. } | AnchorStatus::Differs { .. } => {}
        }
    }
    let before = r.anchors.before_restore();
    if before > 0 {
        let restore = r.anchors.checked.iter().find_map(|(_, st)| match st {
            AnchorStatus::BeforeRestore {
                restore_seq,
                restore_at,
            } => Some((*restore_seq, *restore_at)),
            _ => None,
        });
        if let Some((seq, at)) = restore {
            outln!(
                "{before} older anchor(s) belong to the database replaced by the restore of {} (entry {seq}); \
                 check that this restore really happened.",
                when(at)
            );
        }
    }
    for u in &r.unreadable {
        outln!("Note: {u}");
    }

    // Punches.
    let b = &r.batches;
    if b.covered_batches > 0 || b.not_covered_batches == 0 {
        outln!(
            "Punches: {} batch(es) with {} punch(es) checked against the hashes their audit entries recorded; {} do not match.",
            b.covered_batches,
            b.covered_punches,
            b.problems.len()
        );
    } else if !b.problems.is_empty() {
        outln!("Punches: {} problem(s).", b.problems.len());
    }
    if b.not_covered_batches > 0 {
        outln!(
            "Not covered: {} older batch(es) with {} punch(es), stored before batch hashes were recorded.",
            b.not_covered_batches,
            b.not_covered_punches
        );
    }
    for p in &b.problems {
        outln!("  {p}");
    }
    Ok(())
}

pub fn backup(s: &mut Session, file: &Path) -> Result<()> {
    let out = s
        .backup_with_manifest(file)
        .with_context(|| format!("backup to {} failed", file.display()))?;
    outln!(
        "Backed up to {} ({} audit entries, {} punches).",
        file.display(),
        out.info.audit_entries,
        out.info.punches
    );
    outln!(
        "Manifest: {} (audit head: entry {}, {}).",
        out.manifest_path.display(),
        out.manifest.audit_head.entries,
        out.manifest.audit_head.head
    );
    if let Some(c) = &out.anchors_copy {
        outln!("The anchor file was copied to {}.", c.display());
    }
    Ok(())
}

pub fn restore(s: Session, a: RestoreArgs) -> Result<()> {
    let reason = if a.force_unverified {
        Some(a.reason.as_deref().unwrap_or(""))
    } else {
        None
    };
    let out = s
        .restore_checked(&a.file, reason)
        .with_context(|| format!("cannot restore from {}", a.file.display()))?;
    outln!(
        "Restored from {} ({} audit entries, {} punches).",
        a.file.display(),
        out.restored.audit_entries,
        out.restored.punches
    );
    if !out.unverified.is_empty() {
        outln!(
            "The backup did NOT verify and was restored on your override (recorded in the audit log):"
        );
        for p in &out.unverified {
            outln!("  {p}");
        }
    }
    for r in &out.reinstated {
        outln!("Protection put back: {r}.");
    }
    outln!(
        "The replaced database had {} audit entries (head {}); the restore entry records it.",
        out.replaced_head.0,
        out.replaced_head.1
    );
    match out.kept_aside {
        Some(p) => outln!("The previous database was kept as {}", p.display()),
        None => outln!("There was no previous database to keep."),
    }
    Ok(())
}
