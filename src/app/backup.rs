//! Backup (SQLite online backup, consistent while others write) and restore (admin only; the file
//! is checked first and the current database is kept aside). Both are audited.

use std::path::{Path, PathBuf};

use kaoqin_store::audit;
use kaoqin_store::backup::{self as store_backup, DbInfo};
use kaoqin_store::{Store, StoreError};
use serde_json::json;

use super::error::AppResult;
use super::permissions::Action;
use super::session::Session;

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreOutcome {
    /// Where the previous database now is.
    pub kept_aside: Option<PathBuf>,
    pub restored: DbInfo,
}

impl Session {
    /// Writes a consistent copy to `dest` (must not exist). The entry is appended after the copy,
    /// so the log records only backups that exist.
    pub fn backup(&mut self, dest: &Path) -> AppResult<DbInfo> {
        self.require(Action::Backup, &dest.display().to_string())?;
        let info = store_backup::backup_to(self.conn(), dest)?;
        let abs = dest.canonicalize().unwrap_or_else(|_| dest.to_path_buf());
        let target = abs.display().to_string();
        self.act(Action::Backup, "backup", &target, |_| {
            Ok((
                (),
                json!({ "audit_entries": info.audit_entries, "punches": info.punches }),
            ))
        })?;
        Ok(info)
    }

    /// Replaces the database with the backup `from` (checked to be a sound Kaoqin database). The
    /// session ends: the current database is closed, renamed aside, and the restored one gets a
    /// `restore` entry from this user. Other Kaoqin processes must be closed first.
    /// [`Session::restore`] for a caller that must keep a session in place (the GUI): the database
    /// moves out of `self` (which is left on an empty in-memory stand-in until the user signs in
    /// again), so no connection of this process holds the file while it is replaced.
    pub fn restore_in_place(&mut self, from: &Path) -> AppResult<RestoreOutcome> {
        self.require(Action::Restore, &from.display().to_string())?;
        store_backup::check_is_kaoqin_db(from)?;
        let result = self.take_out()?.restore(from);
        // Whatever happened, the session works on the file at its path again (the restored one,
        // or the untouched one when the restore failed).
        self.reopen()?;
        result
    }

    pub fn restore(self, from: &Path) -> AppResult<RestoreOutcome> {
        self.require(Action::Restore, &from.display().to_string())?;
        let found = store_backup::check_is_kaoqin_db(from)?;
        let source = from.canonicalize().unwrap_or_else(|_| from.to_path_buf());
        let entry = self.entry(
            "restore.begin",
            &source.display().to_string(),
            json!({ "audit_entries": found.audit_entries, "punches": found.punches }),
        );
        audit::append(self.conn(), entry)?;
        let (store, user, clock, _paths) = self.into_parts();
        let current = store.path().to_path_buf();
        drop(store);
        let report = store_backup::restore(from, &current, clock.now())?;
        let store = Store::open(&current)?;
        let entry = audit::NewEntry {
            at: clock.now(),
            actor: user.name.clone(),
            role: Some(user.role),
            action: "restore".into(),
            target: source.display().to_string(),
            details: json!({
                "kept_aside": report.kept_aside.as_ref().map(|p| p.display().to_string()),
                "audit_entries": report.restored.audit_entries,
                "punches": report.restored.punches,
            }),
        };
        audit::append(store.conn(), entry).map_err(|e: StoreError| e)?;
        Ok(RestoreOutcome {
            kept_aside: report.kept_aside,
            restored: report.restored,
        })
    }
}
