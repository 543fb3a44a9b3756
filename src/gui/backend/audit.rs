//! The Audit page: the log with filters (`Session::audit_log`), the evidence check
//! (`verify_evidence`, as `kaoqin audit verify`: chain, anchors outside the database, batch hashes
//! of the punches), download sessions and their CSV (`download_sessions`, the columns of
//! `kaoqin audit sessions`), and the auditor's snapshots (`list_snapshots`, `take_snapshot`,
//! `verify_snapshot`, `diff_snapshots`, `diff_snapshot_against_db`). Plain rows, no egui.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use kaoqin_store::audit::BreakReason;
use kaoqin_store::evidence::{AnchorStatus, BatchProblem, SourcedAnchor};
use kaoqin_store::sessions::SessionFilter;
use kaoqin_sync::listing::{SESSIONS_CSV_HEADER, session_row};
use kaoqin_sync::snapshot::file::PunchRow;

use crate::app::audit_log::AuditQuery;
use crate::app::evidence::EvidenceReport;

use super::super::model::{AuditRow, UiError};
use super::dashboard::ops_error;
use super::{Backend, UserSession, app_error, fmt_time};

/// The log filter as the form holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilterForm {
    pub from: Option<NaiveDate>,
    /// Inclusive.
    pub to: Option<NaiveDate>,
    pub actor: String,
    pub action: String,
}

/// One download session (the CSV's columns, for the table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub terminal: String,
    pub started: String,
    pub ended: String,
    pub result: String,
    pub records_read: u64,
    pub records_new: u64,
    pub actor: String,
    pub override_reason: String,
    pub error: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRow {
    pub terminal: String,
    pub taken_by: String,
    pub taken_at: String,
    pub path: String,
    pub sha256: String,
}

/// The result of verifying a snapshot file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotCheck {
    pub terminal: String,
    pub taken_by: String,
    pub taken_at: String,
    pub whole_sha256: String,
    pub public_key: String,
    /// (part, sha256) as the manifest records them.
    pub parts: Vec<(String, String)>,
    /// Empty: intact (hashes and signature match, key registered).
    pub problems: Vec<String>,
}

/// One punch in a diff table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PunchLine {
    pub enrollment: String,
    pub time: String,
    pub detail: String,
}

/// Two snapshots, or a snapshot and the ledger, compared.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DiffView {
    pub removed: Vec<PunchLine>,
    pub backdated: Vec<PunchLine>,
    pub time_changed: Vec<PunchLine>,
    pub users: Vec<PunchLine>,
    /// (skew before, skew after) in seconds.
    pub clock: Option<(i64, i64)>,
    pub new_after: usize,
    /// Against the ledger: in Kaoqin, no longer on the terminal / on the terminal, never downloaded.
    pub missing_on_terminal: Vec<PunchLine>,
    pub never_downloaded: Vec<PunchLine>,
    pub against_db: bool,
}

impl DiffView {
    pub fn is_clean(&self) -> bool {
        self.removed.is_empty()
            && self.backdated.is_empty()
            && self.time_changed.is_empty()
            && self.users.is_empty()
            && self.clock.is_none()
            && self.missing_on_terminal.is_empty()
            && self.never_downloaded.is_empty()
    }
}

/// Where an anchor was found, for the page to name in the user's language (the service names
/// its sources in English: "the anchor file PATH", "backup manifest PATH", …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorPlace {
    /// The anchor file beside the database.
    AnchorFile(String),
    /// The anchor file's copy kept with the backups.
    AnchorCopy(String),
    BackupManifest(String),
    Snapshot(String),
    /// A source this version does not know by name, as the service wrote it.
    Other(String),
}

impl AnchorPlace {
    fn of(source: &str) -> Self {
        let path = |prefix: &str| source.strip_prefix(prefix).map(str::to_string);
        // The longer prefix first: "the anchor file copy" also starts with "the anchor file".
        if let Some(p) = path("the anchor file copy ") {
            AnchorPlace::AnchorCopy(p)
        } else if let Some(p) = path("the anchor file ") {
            AnchorPlace::AnchorFile(p)
        } else if let Some(p) = path("backup manifest ") {
            AnchorPlace::BackupManifest(p)
        } else if let Some(p) = path("snapshot ") {
            AnchorPlace::Snapshot(p)
        } else {
            AnchorPlace::Other(source.to_string())
        }
    }
}

/// One anchor: the chain's head as noted outside the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorLine {
    pub place: AnchorPlace,
    /// The number of audit entries it vouches for.
    pub entries: u64,
    pub at: String,
}

impl AnchorLine {
    fn of(sa: &SourcedAnchor) -> Self {
        AnchorLine {
            place: AnchorPlace::of(&sa.source),
            entries: sa.anchor.entries,
            at: ts(sa.anchor.at),
        }
    }
}

/// An anchor the audit log no longer agrees with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorFailure {
    /// The log is shorter than the anchor: entries `from..=to` were cut off.
    Missing {
        anchor: AnchorLine,
        from: u64,
        to: u64,
    },
    /// The anchored entry is another one now: the log was rewritten up to there.
    Rewritten {
        anchor: AnchorLine,
        anchored: String,
        found: String,
    },
}

/// A batch of punches that no longer matches what its audit entry recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchFailure {
    /// Punches were altered, added or removed: the count or the hash differs.
    Changed {
        session: i64,
        audit_seq: i64,
        recorded: u64,
        now: u64,
        recorded_hash: String,
        now_hash: String,
    },
    /// Punches under a session no audit entry covers, newer than the first hashed batch: added
    /// outside Kaoqin.
    Uncovered { session: i64, punches: u64 },
}

impl BatchFailure {
    fn of(p: &BatchProblem) -> Self {
        match (p.audit_seq, &p.expected) {
            (Some(audit_seq), Some(exp)) => BatchFailure::Changed {
                session: p.session_id,
                audit_seq,
                recorded: exp.punches,
                now: p.found.punches,
                recorded_hash: exp.sha256.clone(),
                now_hash: p.found.sha256.clone(),
            },
            _ => BatchFailure::Uncovered {
                session: p.session_id,
                punches: p.found.punches,
            },
        }
    }
}

/// The first broken link of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreakLine {
    pub seq: i64,
    /// What the break means, as a locale key (`audit.break_*`).
    pub reason_key: &'static str,
    pub expected: String,
    pub found: String,
}

/// The evidence check as the page shows it (see `kaoqin audit verify`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceView {
    /// Chain intact, no anchor shows missing or rewritten entries, every hashed batch matches.
    pub sound: bool,
    /// Entries walked (all of them when intact).
    pub entries: u64,
    pub head_hash: String,
    pub chain_break: Option<ChainBreakLine>,
    /// The last entry that verified, and its time.
    pub intact_through: u64,
    pub intact_through_at: Option<String>,
    /// The newest anchor that matches: how far back something outside the database vouches.
    pub newest_anchor: Option<AnchorLine>,
    pub anchors_checked: usize,
    /// Entries newer than every matching anchor (first, last), when the chain is intact.
    pub unvouched: Option<(u64, u64)>,
    pub anchor_failures: Vec<AnchorFailure>,
    /// Anchors of the database a restore replaced: (how many, the restore's entry, its time).
    pub before_restore: Option<(usize, i64, String)>,
    /// Where anchors were looked for.
    pub looked_in: Vec<String>,
    /// Sources that could not be read, in the service's words (only less help, not a verdict).
    pub unreadable: Vec<String>,
    pub batches_checked: u64,
    pub punches_checked: u64,
    /// Batches stored before batch hashes were recorded: counted, not judged.
    pub not_covered_batches: u64,
    pub not_covered_punches: u64,
    pub batch_failures: Vec<BatchFailure>,
}

impl EvidenceView {
    fn from_report(r: &EvidenceReport) -> Self {
        let chain_break = r.chain.first_break.as_ref().map(|b| ChainBreakLine {
            seq: b.seq,
            reason_key: match b.reason {
                BreakReason::SeqGap => "audit.break_seq_gap",
                BreakReason::PrevHashMismatch => "audit.break_prev_hash",
                BreakReason::ContentChanged => "audit.break_content",
            },
            expected: b.expected.clone(),
            found: b.found.clone(),
        });
        let intact_through = match &r.chain.first_break {
            None => r.chain.entries_checked,
            Some(b) => u64::try_from(b.seq - 1).unwrap_or(0),
        };
        let newest_anchor = r.anchors.newest_match().map(AnchorLine::of);
        let unvouched = newest_anchor
            .as_ref()
            .filter(|a| r.chain.is_intact() && a.entries < r.chain.entries_checked)
            .map(|a| (a.entries + 1, r.chain.entries_checked));
        let anchor_failures = r
            .anchors
            .failures()
            .filter_map(|(sa, st)| match st {
                AnchorStatus::Missing { chain_entries } => Some(AnchorFailure::Missing {
                    anchor: AnchorLine::of(sa),
                    from: chain_entries + 1,
                    to: sa.anchor.entries,
                }),
                AnchorStatus::Differs { found } => Some(AnchorFailure::Rewritten {
                    anchor: AnchorLine::of(sa),
                    anchored: sa.anchor.head.clone(),
                    found: found.clone(),
                }),
                _ => None,
            })
            .collect();
        let before_restore = r.anchors.checked.iter().find_map(|(_, st)| match st {
            AnchorStatus::BeforeRestore {
                restore_seq,
                restore_at,
            } => Some((r.anchors.before_restore(), *restore_seq, ts(*restore_at))),
            _ => None,
        });
        let b = &r.batches;
        EvidenceView {
            sound: r.is_sound(),
            entries: r.chain.entries_checked,
            head_hash: r.chain.head_hash.clone(),
            chain_break,
            intact_through,
            intact_through_at: r.intact_through_at.map(ts),
            newest_anchor,
            anchors_checked: r.anchors.checked.len(),
            unvouched,
            anchor_failures,
            before_restore,
            looked_in: r.looked_in.clone(),
            unreadable: r.unreadable.clone(),
            batches_checked: b.covered_batches,
            punches_checked: b.covered_punches,
            not_covered_batches: b.not_covered_batches,
            not_covered_punches: b.not_covered_punches,
            batch_failures: b.problems.iter().map(BatchFailure::of).collect(),
        }
    }
}

fn ts(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn punch(p: &PunchRow) -> PunchLine {
    PunchLine {
        enrollment: p.enrollment_no.clone(),
        time: ts(p.timestamp),
        detail: format!("#{} verify {} state {}", p.position, p.verify, p.state),
    }
}

impl Backend {
    /// The log, newest first, filtered by date range, actor and action (exact names).
    pub fn audit_entries(
        &self,
        user: &UserSession,
        f: &AuditFilterForm,
    ) -> Result<Vec<AuditRow>, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let opt = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_string());
        let q = AuditQuery {
            since: f.from,
            actor: opt(&f.actor),
            action: opt(&f.action),
        };
        let mut rows: Vec<AuditRow> = s
            .audit_log(&q)
            .map_err(app_error)?
            .into_iter()
            .filter(|a| f.to.is_none_or(|to| a.at.date() <= to))
            .map(|a| AuditRow {
                seq: a.seq,
                time: fmt_time(a.at),
                actor: a.actor,
                role: a.role,
                action: a.action,
                target: a.target,
                details: if a.details.is_null() {
                    String::new()
                } else {
                    a.details.to_string()
                },
            })
            .collect();
        rows.reverse();
        Ok(rows)
    }

    /// The whole evidence check (`Session::verify_evidence`, what `kaoqin audit verify` prints):
    /// the chain, the anchors found beside the database, in the backup directories the log records
    /// and in `backup_dirs`, and in the snapshots; every hashed batch of punches.
    pub fn verify_evidence(
        &self,
        user: &UserSession,
        backup_dirs: &[PathBuf],
    ) -> Result<EvidenceView, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let report = s.verify_evidence(backup_dirs).map_err(app_error)?;
        Ok(EvidenceView::from_report(&report))
    }

    /// Download sessions, newest first.
    pub fn download_sessions(&self, user: &UserSession) -> Result<Vec<SessionRow>, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let mut rows: Vec<SessionRow> = s
            .download_sessions(&SessionFilter::default())
            .map_err(ops_error)?
            .into_iter()
            .map(|x| SessionRow {
                terminal: x.terminal_name,
                started: ts(x.started_at),
                ended: x.ended_at.map(ts).unwrap_or_default(),
                result: x.result.as_str().to_string(),
                records_read: x.records_read,
                records_new: x.records_new,
                actor: x.actor,
                override_reason: x.override_reason.unwrap_or_default(),
                error: x.error.unwrap_or_default(),
            })
            .collect();
        rows.reverse();
        Ok(rows)
    }

    /// Writes every download session as CSV (the columns of `kaoqin audit sessions --format
    /// csv`, UTF-8 with BOM so spreadsheet programs read the Chinese right). Returns the rows.
    pub fn export_sessions_csv(&self, user: &UserSession, path: &Path) -> Result<usize, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let list = s
            .download_sessions(&SessionFilter::default())
            .map_err(ops_error)?;
        let file_err = |e: String| UiError::new("audit.error_file", e);
        let mut buf: Vec<u8> = b"\xEF\xBB\xBF".to_vec();
        {
            let mut w = csv::Writer::from_writer(&mut buf);
            w.write_record(SESSIONS_CSV_HEADER)
                .map_err(|e| file_err(e.to_string()))?;
            for x in &list {
                w.write_record(
                    session_row(x)
                        .iter()
                        .map(|c| kaoqin_domain::csv_safe::cell(c).into_owned()),
                )
                .map_err(|e| file_err(e.to_string()))?;
            }
            w.flush().map_err(|e| file_err(e.to_string()))?;
        }
        std::fs::write(path, buf).map_err(|e| file_err(format!("{}: {e}", path.display())))?;
        Ok(list.len())
    }

    /// The snapshots Kaoqin knows of, newest first.
    pub fn snapshots(&self, user: &UserSession) -> Result<Vec<SnapshotRow>, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let mut rows: Vec<SnapshotRow> = s
            .list_snapshots(None)
            .map_err(ops_error)?
            .into_iter()
            .map(|x| SnapshotRow {
                terminal: x.terminal_name,
                taken_by: x.taken_by,
                taken_at: ts(x.taken_at),
                path: x.file_path,
                sha256: x.sha256,
            })
            .collect();
        rows.reverse();
        Ok(rows)
    }

    /// Takes a snapshot of `terminal` into `out` (auditor; read-only connection; audited).
    /// Returns (records, users, whole sha256).
    pub fn take_snapshot(
        &self,
        user: &UserSession,
        terminal: &str,
        out: &Path,
    ) -> Result<(usize, usize, String), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let r = s.take_snapshot(terminal, out).map_err(ops_error)?;
        Ok((r.records, r.users, r.whole_sha256))
    }

    /// Verifies a snapshot file's hashes, signature and signer.
    pub fn verify_snapshot(
        &self,
        user: &UserSession,
        path: &Path,
    ) -> Result<SnapshotCheck, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let r = s.verify_snapshot(path).map_err(ops_error)?;
        let mut out = SnapshotCheck {
            terminal: String::new(),
            taken_by: String::new(),
            taken_at: String::new(),
            whole_sha256: String::new(),
            public_key: String::new(),
            parts: Vec::new(),
            problems: r.problems.clone(),
        };
        if let Some(m) = r.manifest {
            out.terminal = m.terminal_name;
            out.taken_by = m.taken_by;
            out.taken_at = ts(m.taken_at);
            out.whole_sha256 = m.whole_sha256;
            out.public_key = m.public_key;
            out.parts = m.parts.into_iter().map(|p| (p.name, p.sha256)).collect();
        }
        Ok(out)
    }

    /// Compares snapshot `a` with `b`, or with the ledger when `b` is `None`.
    pub fn diff_snapshot(
        &self,
        user: &UserSession,
        a: &Path,
        b: Option<&Path>,
    ) -> Result<DiffView, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let Some(b) = b else {
            let d = s.diff_snapshot_against_db(a).map_err(ops_error)?;
            return Ok(DiffView {
                missing_on_terminal: d
                    .missing_on_terminal
                    .iter()
                    .map(|(no, t)| PunchLine {
                        enrollment: no.clone(),
                        time: ts(*t),
                        detail: d.serial.clone(),
                    })
                    .collect(),
                never_downloaded: d.never_downloaded.iter().map(punch).collect(),
                against_db: true,
                ..DiffView::default()
            });
        };
        let d = s.diff_snapshots(a, b).map_err(ops_error)?;
        use kaoqin_sync::snapshot::diff::UserChange;
        let user_line = |u: &kaoqin_sync::snapshot::file::UserRow, what: &str| PunchLine {
            enrollment: u.enrollment_no.clone(),
            time: what.to_string(),
            detail: format!("{} privilege {} card {}", u.name, u.privilege, u.card),
        };
        Ok(DiffView {
            removed: d.removed.iter().map(punch).collect(),
            backdated: d.backdated.iter().map(punch).collect(),
            time_changed: d
                .time_changed
                .iter()
                .map(|c| PunchLine {
                    enrollment: c.before.enrollment_no.clone(),
                    time: format!("{} → {}", ts(c.before.timestamp), ts(c.after.timestamp)),
                    detail: format!("#{}", c.before.position),
                })
                .collect(),
            users: d
                .users
                .iter()
                .map(|u| match u {
                    UserChange::Added(u) => user_line(u, "+"),
                    UserChange::Removed(u) => user_line(u, "−"),
                    UserChange::Changed { before, after } => PunchLine {
                        enrollment: after.enrollment_no.clone(),
                        time: "~".into(),
                        detail: format!(
                            "{} privilege {}→{} card {}→{}",
                            after.name, before.privilege, after.privilege, before.card, after.card
                        ),
                    },
                })
                .collect(),
            clock: d.clock.map(|c| (c.skew_before_secs, c.skew_after_secs)),
            new_after: d.new_after,
            ..DiffView::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::AnchorPlace;

    #[test]
    fn anchor_sources_are_named_by_kind_and_unknown_ones_kept_whole() {
        let cases = [
            (
                "the anchor file /d/kaoqin.db.anchors",
                AnchorPlace::AnchorFile("/d/kaoqin.db.anchors".into()),
            ),
            (
                "the anchor file copy /b/kaoqin.db.anchors",
                AnchorPlace::AnchorCopy("/b/kaoqin.db.anchors".into()),
            ),
            (
                "backup manifest /b/x.db.manifest.json",
                AnchorPlace::BackupManifest("/b/x.db.manifest.json".into()),
            ),
            (
                "snapshot /s/a.kqsnap",
                AnchorPlace::Snapshot("/s/a.kqsnap".into()),
            ),
            (
                "workbook /r/month.xlsx",
                AnchorPlace::Other("workbook /r/month.xlsx".into()),
            ),
        ];
        for (source, want) in cases {
            assert_eq!(AnchorPlace::of(source), want, "{source}");
        }
    }
}
