//! Backup (SQLite online backup, consistent while others write; a manifest with the copy's audit
//! head beside it, and a copy of the anchor file in the backup directory) and restore (admin only;
//! the backup is verified first — schema, triggers, chain, manifest, administrator — and refused
//! unless an administrator forces it with a reason; the current database is kept aside). Both are
//! audited.

use std::path::{Path, PathBuf};

use kaoqin_store::audit;
use kaoqin_store::backup::{self as store_backup, BackupManifest, DbInfo};
use kaoqin_store::evidence::{self, Anchor};
use kaoqin_store::{Store, StoreError};
use serde_json::json;

use super::error::{AppError, AppResult};
use super::permissions::Action;
use super::session::Session;

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreOutcome {
    /// Where the previous database now is.
    pub kept_aside: Option<PathBuf>,
    pub restored: DbInfo,
    /// Why the backup did not verify (empty for a verified restore; otherwise the administrator
    /// restored it with `--force-unverified`).
    pub unverified: Vec<String>,
    /// Triggers put back as our migrations make them (a forced restore of a backup without them).
    pub reinstated: Vec<String>,
    /// The replaced database's audit head (entries, hash), recorded in the restore entry.
    pub replaced_head: (u64, String),
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupOutcome {
    pub info: DbInfo,
    pub manifest_path: PathBuf,
    pub manifest: BackupManifest,
    /// The copy of the anchor file kept with the backups (None when the backup is beside the
    /// database, where the anchor file itself is).
    pub anchors_copy: Option<PathBuf>,
}

impl Session {
    /// Writes a consistent copy to `dest` (must not exist). The entry is appended after the copy,
    /// so the log records only backups that exist.
    pub fn backup(&mut self, dest: &Path) -> AppResult<DbInfo> {
        Ok(self.backup_with_manifest(dest)?.info)
    }

    /// [`Session::backup`], with what was written beside it: the manifest (`<dest>.manifest.json`,
    /// the copy's audit head as an anchor) and the copy of the anchor file in the backup directory.
    pub fn backup_with_manifest(&mut self, dest: &Path) -> AppResult<BackupOutcome> {
        self.require(Action::Backup, &dest.display().to_string())?;
        let now = self.now();
        let (info, manifest) = store_backup::backup_with_manifest(self.conn(), dest, now)?;
        let abs = dest.canonicalize().unwrap_or_else(|_| dest.to_path_buf());
        let target = abs.display().to_string();
        self.act(Action::Backup, "backup", &target, |_| {
            Ok((
                (),
                json!({
                    "audit_entries": info.audit_entries,
                    "punches": info.punches,
                    "audit_head": manifest.audit_head.head,
                }),
            ))
        })?;
        // `act` noted the new head in the anchor file; a copy goes with the backups.
        let db_name = self
            .paths()
            .db
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "kaoqin.db".into());
        let copy = abs
            .parent()
            .map(|d| d.join(format!("{db_name}{}", evidence::ANCHOR_SUFFIX)));
        let anchors_copy = match copy {
            Some(c) if !super::evidence::same_file(&c, &self.anchor_file()) => {
                super::evidence::copy_anchor_file(&self.anchor_file(), &c)?;
                Some(c)
            }
            _ => None,
        };
        Ok(BackupOutcome {
            info,
            manifest_path: store_backup::manifest_path(dest),
            manifest,
            anchors_copy,
        })
    }

    /// Replaces the database with the backup `from` (checked to be a sound Kaoqin database). The
    /// session ends: the current database is closed, renamed aside, and the restored one gets a
    /// `restore` entry from this user. Other Kaoqin processes must be closed first.
    /// [`Session::restore`] for a caller that must keep a session in place (the GUI): the database
    /// moves out of `self` (which is left on an empty in-memory stand-in until the user signs in
    /// again), so no connection of this process holds the file while it is replaced.
    pub fn restore_in_place(&mut self, from: &Path) -> AppResult<RestoreOutcome> {
        self.restore_in_place_checked(from, None)
    }

    /// [`Session::restore_in_place`] with the administrator's override of a backup that does not
    /// verify (`force_reason`, see [`Session::restore_checked`]).
    pub fn restore_in_place_checked(
        &mut self,
        from: &Path,
        force_reason: Option<&str>,
    ) -> AppResult<RestoreOutcome> {
        self.require(Action::Restore, &from.display().to_string())?;
        store_backup::check_is_kaoqin_db(from)?;
        let result = self
            .take_out()
            .and_then(|taken| taken.restore_checked(from, force_reason));
        // Whatever happened, the session works on the file at its path again (the restored one,
        // or the untouched one when the restore failed).
        self.reopen()?;
        result
    }

    /// Restores a backup that verifies (see [`Session::restore_checked`]).
    pub fn restore(self, from: &Path) -> AppResult<RestoreOutcome> {
        self.restore_checked(from, None)
    }

    /// Replaces the database with the backup `from` after verifying it
    /// ([`store_backup::check_backup`]: schema and triggers as our migrations make them, audit chain
    /// intact and as long as its manifest records, batches matching, an enabled administrator).
    /// A backup that does not verify is refused ([`AppError::RestoreRefused`], audited as
    /// `restore.refused`) unless `force_reason` gives the administrator's reason to restore it anyway
    /// (audited with the problems). The restore entry records the replaced database's audit head,
    /// and our triggers are put back if the backup lacked them.
    pub fn restore_checked(
        self,
        from: &Path,
        force_reason: Option<&str>,
    ) -> AppResult<RestoreOutcome> {
        self.require(Action::Restore, &from.display().to_string())?;
        let force_reason = match force_reason.map(str::trim) {
            Some("") => {
                return Err(AppError::Invalid {
                    field: "reason",
                    reason: "say why this backup must be restored although it does not verify"
                        .into(),
                });
            }
            other => other.map(str::to_string),
        };
        let check = store_backup::check_backup(from)?;
        let source = from.canonicalize().unwrap_or_else(|_| from.to_path_buf());
        let target = source.display().to_string();
        if !check.problems.is_empty() && force_reason.is_none() {
            let entry = self.entry(
                "restore.refused",
                &target,
                json!({ "problems": check.problems }),
            );
            audit::append(self.conn(), entry)?;
            self.anchor("restore.refused");
            return Err(AppError::RestoreRefused {
                path: from.to_path_buf(),
                problems: check.problems,
            });
        }
        let verified = check.problems.is_empty();
        let entry = self.entry(
            "restore.begin",
            &target,
            json!({
                "audit_entries": check.info.audit_entries,
                "punches": check.info.punches,
                "verified": verified,
                "problems": check.problems,
                "override_reason": force_reason,
            }),
        );
        audit::append(self.conn(), entry)?;
        self.anchor("restore.begin");
        let replaced = Anchor::of(self.conn(), self.now(), "restore.begin")?;
        let anchor_file = self.anchor_file();
        let (store, user, clock, _paths) = self.into_parts();
        let current = store.path().to_path_buf();
        drop(store);
        let report = store_backup::restore(from, &current, clock.now())?;
        let mut store = Store::open(&current)?;
        let tx = store.transaction()?;
        let reinstated = evidence::reinstate_schema(&tx)?;
        let entry = audit::NewEntry {
            at: clock.now(),
            actor: user.name.clone(),
            role: Some(user.role),
            action: "restore".into(),
            target,
            details: json!({
                "kept_aside": report.kept_aside.as_ref().map(|p| p.display().to_string()),
                "audit_entries": report.restored.audit_entries,
                "punches": report.restored.punches,
                "replaced_audit_entries": replaced.entries,
                "replaced_audit_head": replaced.head,
                "verified": verified,
                "problems": check.problems,
                "override_reason": force_reason,
                "reinstated": reinstated,
            }),
        };
        audit::append(&tx, entry).map_err(|e: StoreError| e)?;
        tx.commit().map_err(StoreError::from)?;
        let anchored = Anchor::of(store.conn(), clock.now(), "restore")
            .and_then(|a| evidence::append_anchor(&anchor_file, &a));
        if let Err(e) = anchored {
            tracing::warn!(error = %e, "could not note the audit head in the anchor file");
        }
        Ok(RestoreOutcome {
            kept_aside: report.kept_aside,
            restored: report.restored,
            unverified: check.problems,
            reinstated,
            replaced_head: (replaced.entries, replaced.head),
        })
    }
}
