//! The evidence chain as a whole (`kaoqin audit verify`): the hash chain, the anchors kept outside
//! the database (the anchor file beside it, backup manifests and the anchor-file copies in the backup
//! directories, snapshot manifests, the audit head in exported workbooks' properties), and every
//! batch's punches against the hash its audit entry recorded. Also [`Session::anchor`], which every
//! privileged act calls to note the new head in the anchor file. See SECURITY.md, "The evidence
//! chain", for what this can and cannot show.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use kaoqin_store::audit::{self, VerifyReport};
use kaoqin_store::evidence::{
    self, Anchor, AnchorReport, AnchorStatus, BatchReport, SourcedAnchor,
};
use kaoqin_store::{StoreError, backup as store_backup};

use super::error::AppResult;
use super::permissions::Action;
use super::session::Session;

/// Everything `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceReport {
    pub chain: VerifyReport,
    /// Time of the last entry that verified (the head when intact).
    pub intact_through_at: Option<NaiveDateTime>,
    pub anchors: AnchorReport,
    /// Where anchors were looked for (files and directories), for the message.
    pub looked_in: Vec<String>,
    /// Anchor sources that could not be read, in words (not a verdict: they are only missing help).
    pub unreadable: Vec<String>,
    /// The exported workbooks whose audit head was read as an anchor.
    pub workbooks: Vec<PathBuf>,
    pub batches: BatchReport,
}

impl EvidenceReport {
    /// True when the chain is intact, no anchor shows missing or rewritten entries, and every
    /// hashed batch matches the ledger.
    pub fn is_sound(&self) -> bool {
        self.chain.is_intact()
            && self.anchors.failures().next().is_none()
            && self.batches.is_clean()
    }

    /// The anchors read from exported workbooks, with their status.
    pub fn workbook_anchors(&self) -> impl Iterator<Item = &(SourcedAnchor, AnchorStatus)> {
        let sources: BTreeSet<String> = self.workbooks.iter().map(|p| workbook_source(p)).collect();
        self.anchors
            .checked
            .iter()
            .filter(move |(sa, _)| sources.contains(&sa.source))
    }
}

/// How a workbook is named as an anchor source.
fn workbook_source(path: &Path) -> String {
    format!("workbook {}", path.display())
}

impl Session {
    /// The anchor file of this session's database (`<db>.anchors`).
    pub fn anchor_file(&self) -> PathBuf {
        evidence::anchor_file(&self.paths().db)
    }

    /// Notes the chain's head in the anchor file after an act (`event` = its audit action). A failure
    /// is logged, not returned: the act has committed, and a missing anchor only weakens later
    /// checks.
    pub(crate) fn anchor(&self, event: &str) {
        if self.db_path() == Path::new(":memory:") {
            return;
        }
        let written = Anchor::of(self.conn(), self.now(), event)
            .and_then(|a| evidence::append_anchor(&self.anchor_file(), &a));
        if let Err(e) = written {
            tracing::warn!(error = %e, event, "could not note the audit head in the anchor file");
        }
    }

    /// Verifies the chain, the anchors and the batches. `backup_dirs` are searched for backup
    /// manifests and anchor-file copies, together with the directories of the backups the audit log
    /// records; exported workbooks are read in the directories the log records exports to.
    pub fn verify_evidence(&self, backup_dirs: &[PathBuf]) -> AppResult<EvidenceReport> {
        self.verify_evidence_in(backup_dirs, &[])
    }

    /// [`Session::verify_evidence`], also reading the `.xlsx` workbooks in `reports_dirs` (besides
    /// those in the directories the audit log records exports to): each exported workbook carries
    /// the audit head of its export in its properties.
    pub fn verify_evidence_in(
        &self,
        backup_dirs: &[PathBuf],
        reports_dirs: &[PathBuf],
    ) -> AppResult<EvidenceReport> {
        self.require(Action::VerifyAudit, "audit log")?;
        let conn = self.conn();
        let chain = audit::verify(conn)?;
        let verified_seq = if chain.is_intact() {
            i64::try_from(chain.entries_checked).unwrap_or(i64::MAX)
        } else {
            chain.first_break.as_ref().map(|b| b.seq - 1).unwrap_or(0)
        };
        let intact_through_at = conn
            .query_row(
                "SELECT at FROM audit_log WHERE seq = ?1",
                [verified_seq],
                |r| r.get::<_, String>(0),
            )
            .ok()
            .and_then(|t| NaiveDateTime::parse_from_str(&t, kaoqin_store::EVENT_TS).ok());

        let mut anchors = Vec::new();
        let mut looked_in = Vec::new();
        let mut unreadable = Vec::new();
        let file = self.anchor_file();
        read_anchor_file(&file, "the anchor file", &mut anchors, &mut unreadable);
        looked_in.push(file.display().to_string());

        let mut dirs: BTreeSet<PathBuf> = backup_dirs.iter().cloned().collect();
        for e in audit::list(
            conn,
            &audit::AuditFilter {
                since: None,
                actor: None,
                action: Some("backup".into()),
            },
        )? {
            if let Some(d) = Path::new(&e.target).parent() {
                dirs.insert(d.to_path_buf());
            }
        }
        let db_name = self
            .paths()
            .db
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for dir in &dirs {
            looked_in.push(dir.display().to_string());
            backup_dir_anchors(dir, &db_name, &file, &mut anchors, &mut unreadable);
        }
        for s in kaoqin_store::snapshots::list(conn, None)? {
            let path = PathBuf::from(&s.file_path);
            if !path.is_file() {
                continue;
            }
            // Only a snapshot that verifies, signed by the registered key of the auditor it names,
            // may vouch for the head (the same test every command reading a snapshot applies).
            match kaoqin_sync::snapshot::verify(&path, None) {
                Ok(r) => {
                    let Some(m) = r.manifest.filter(|_| r.problems.is_empty()) else {
                        unreadable.push(format!(
                            "snapshot {}: it does not verify, so its anchor is not used",
                            path.display()
                        ));
                        continue;
                    };
                    let registered =
                        kaoqin_store::snapshots::find_auditor_key(conn, &m.public_key)?
                            .is_some_and(|k| k.user_name == m.taken_by);
                    if !registered {
                        unreadable.push(format!(
                            "snapshot {}: signed by a key not registered to {}, so its anchor is not used",
                            path.display(),
                            m.taken_by
                        ));
                        continue;
                    }
                    if let Some(a) = m.audit_head {
                        anchors.push(SourcedAnchor {
                            anchor: a,
                            source: format!("snapshot {}", path.display()),
                        });
                    }
                }
                Err(e) => unreadable.push(format!("snapshot {}: {e}", path.display())),
            }
        }
        let mut workbooks = Vec::new();
        for dir in exported_to(conn, reports_dirs)? {
            looked_in.push(dir.display().to_string());
            workbook_anchors(&dir, &mut anchors, &mut workbooks, &mut unreadable);
        }
        let anchors = evidence::check_anchors(conn, anchors)?;
        let batches = evidence::verify_batches(conn)?;
        Ok(EvidenceReport {
            chain,
            intact_through_at,
            anchors,
            looked_in,
            unreadable,
            workbooks,
            batches,
        })
    }
}

/// The directories to read workbooks in: `given`, and those of the .xlsx files the audit log's
/// `report.export` entries record (relative paths of older entries against the current
/// directory), each once.
fn exported_to(
    conn: &rusqlite::Connection,
    given: &[PathBuf],
) -> Result<Vec<PathBuf>, kaoqin_store::StoreError> {
    let mut dirs: Vec<PathBuf> = given.to_vec();
    for e in audit::list(
        conn,
        &audit::AuditFilter {
            since: None,
            actor: None,
            action: Some("report.export".into()),
        },
    )? {
        let files = e.details.get("files").and_then(|f| f.as_array());
        for f in files.into_iter().flatten().filter_map(|f| f.as_str()) {
            let f = Path::new(f);
            if is_workbook(f) {
                dirs.push(f.parent().map(Path::to_path_buf).unwrap_or_default());
            }
        }
    }
    let mut seen = BTreeSet::new();
    Ok(dirs
        .into_iter()
        .map(|d| {
            if d.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                d
            }
        })
        .filter(|d| seen.insert(d.canonicalize().unwrap_or_else(|_| d.clone())))
        .collect())
}

/// An .xlsx file by its name (Excel's `~$` owner files beside an open workbook are not).
fn is_workbook(p: &Path) -> bool {
    p.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
        && !p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("~$"))
}

/// The audit heads in the exported workbooks in `dir`. A workbook that cannot be read, or carries
/// no head Kaoqin wrote, is noted, never fatal: it only gives no help. Workbooks without the
/// property (other spreadsheets kept beside the reports) make one note per directory.
fn workbook_anchors(
    dir: &Path,
    out: &mut Vec<SourcedAnchor>,
    workbooks: &mut Vec<PathBuf>,
    unreadable: &mut Vec<String>,
) {
    /// How many names of workbooks without a head a note lists.
    const NAMED: usize = 5;
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            unreadable.push(format!("reports directory {}: {e}", dir.display()));
            return;
        }
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| is_workbook(p) && p.is_file())
        .collect();
    files.sort();
    let mut headless = Vec::new();
    for path in files {
        let source = workbook_source(&path);
        match kaoqin_excel::read_audit_head(&path) {
            Ok(Some(text)) => match Anchor::parse_workbook_text(&text) {
                Some(anchor) => {
                    out.push(SourcedAnchor { anchor, source });
                    workbooks.push(path);
                }
                None => unreadable.push(format!(
                    "{source}: its audit head property is not one Kaoqin writes ({:?}), so it is not used",
                    text.chars().take(120).collect::<String>()
                )),
            },
            Ok(None) => headless.push(
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ),
            Err(kaoqin_excel::ExcelError::Read { reason, .. }) => unreadable.push(format!(
                "{source} is unreadable, so its anchor is not used: {reason}"
            )),
            Err(e) => unreadable.push(format!(
                "{source} is unreadable, so its anchor is not used: {e}"
            )),
        }
    }
    if !headless.is_empty() {
        let more = headless.len().saturating_sub(NAMED);
        unreadable.push(format!(
            "{} workbook(s) in {} carry no audit head (not exported by Kaoqin, or exported before \
             anchors existed), so they are no anchors: {}{}",
            headless.len(),
            dir.display(),
            headless[..headless.len().min(NAMED)].join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
}

fn read_anchor_file(
    file: &Path,
    what: &str,
    out: &mut Vec<SourcedAnchor>,
    unreadable: &mut Vec<String>,
) {
    match evidence::read_anchors(file) {
        Ok((list, bad)) => {
            if bad > 0 {
                unreadable.push(format!(
                    "{what} {}: {bad} line(s) are not anchors and were skipped",
                    file.display()
                ));
            }
            out.extend(list.into_iter().map(|anchor| SourcedAnchor {
                anchor,
                source: format!("{what} {}", file.display()),
            }));
        }
        Err(e) => unreadable.push(format!("{what}: {e}")),
    }
}

/// Backup manifests (`*.manifest.json`) and the copy of this database's anchor file in `dir`.
fn backup_dir_anchors(
    dir: &Path,
    db_name: &str,
    own_file: &Path,
    out: &mut Vec<SourcedAnchor>,
    unreadable: &mut Vec<String>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            unreadable.push(format!("backup directory {}: {e}", dir.display()));
            return;
        }
    };
    let copy_name = format!("{db_name}{}", evidence::ANCHOR_SUFFIX);
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == copy_name {
            if same_file(&path, own_file) {
                // Backups kept beside the database: this is the anchor file itself, already read.
                continue;
            }
            read_anchor_file(&path, "the anchor file copy", out, unreadable);
        } else if name.ends_with(".manifest.json") {
            match store_backup::read_manifest_file(&path) {
                Ok(Some(m)) => out.push(SourcedAnchor {
                    anchor: m.audit_head,
                    source: format!("backup manifest {}", path.display()),
                }),
                Ok(None) => {}
                Err(e) => unreadable.push(e.to_string()),
            }
        }
    }
}

/// True when both paths name the same existing file.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Copies the anchor file `from` over `to` (the copy kept with the backups). A missing `from`
/// copies nothing.
pub(crate) fn copy_anchor_file(from: &Path, to: &Path) -> Result<(), StoreError> {
    if !from.is_file() || same_file(from, to) {
        return Ok(());
    }
    let tmp = {
        let mut s = to.as_os_str().to_owned();
        s.push(format!(".tmp-{}", std::process::id()));
        PathBuf::from(s)
    };
    let io = |p: &Path, e: std::io::Error| StoreError::Io {
        path: p.to_path_buf(),
        source: e,
    };
    std::fs::copy(from, &tmp).map_err(|e| io(&tmp, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| io(&tmp, e))?;
    }
    std::fs::rename(&tmp, to).map_err(|e| io(to, e))
}
