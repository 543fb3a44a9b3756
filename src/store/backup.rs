//! Backup and restore. Backups use SQLite's online backup API in one step, i.e. one read transaction:
//! a consistent copy while other processes keep writing (WAL lets them). Restore validates the file
//! first and keeps the current database aside under a timestamped name. Neither touches audit entries:
//! the services append "backup"/"restore" entries themselves.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use rusqlite::{Connection, OpenFlags};

use crate::db::{check_header, integrity_problems, open_error};
use crate::error::{Result, StoreError};
use crate::schema::{APPLICATION_ID, SCHEMA_VERSION, schema_version};

/// What a check found in a Kaoqin database file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DbInfo {
    pub path: PathBuf,
    pub schema_version: i64,
    pub audit_entries: u64,
    pub punches: u64,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RestoreReport {
    /// Where the previous database now is (None if there was none).
    pub kept_aside: Option<PathBuf>,
    /// The restored file's facts.
    pub restored: DbInfo,
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

/// Writes a consistent copy of the database behind `conn` to `dest`, which must not exist yet. The copy
/// is written to a temporary name beside `dest`, checked, then renamed, so `dest` is never half-written.
pub fn backup_to(conn: &Connection, dest: &Path) -> Result<DbInfo> {
    if dest.exists() {
        return Err(StoreError::BackupExists {
            path: dest.to_path_buf(),
        });
    }
    let tmp = temp_beside(dest, "backup");
    let result = (|| {
        copy_db(conn, &tmp)?;
        check_is_kaoqin_db(&tmp)?;
        std::fs::rename(&tmp, dest).map_err(|e| io(dest, e))?;
        check_is_kaoqin_db(dest)
    })();
    if result.is_err() {
        remove_db_files(&tmp);
    }
    result
}

/// Copies `src` page by page into a fresh file `to` in a single backup step (one read snapshot).
fn copy_db(src: &Connection, to: &Path) -> Result<()> {
    let mut out = Connection::open(to).map_err(|e| open_error(to, e))?;
    {
        let b = rusqlite::backup::Backup::new(src, &mut out)?;
        // -1: all pages in one step, so the copy is one consistent snapshot even while others write.
        b.step(-1)?;
    }
    // A backup is one self-contained file.
    out.pragma_update(None, "journal_mode", "DELETE")?;
    out.close().map_err(|(_, e)| StoreError::from(e))?;
    Ok(())
}

/// Opens `path` read-only and checks: SQLite header, Kaoqin application id, schema not newer than this
/// binary, `PRAGMA integrity_check` clean. Returns what it found.
pub fn check_is_kaoqin_db(path: &Path) -> Result<DbInfo> {
    if !path.is_file() {
        return Err(io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "file not found"),
        ));
    }
    check_header(path)?;
    if std::fs::metadata(path).map_err(|e| io(path, e))?.len() == 0 {
        return Err(StoreError::NotKaoqinDatabase {
            path: path.to_path_buf(),
        });
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| open_error(path, e))?;
    let app_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| open_error(path, e))?;
    if app_id != APPLICATION_ID {
        return Err(StoreError::NotKaoqinDatabase {
            path: path.to_path_buf(),
        });
    }
    let version = schema_version(&conn).map_err(|e| reopen(path, e))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: path.to_path_buf(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    let problems = integrity_problems(&conn).map_err(|e| reopen(path, e))?;
    if !problems.is_empty() {
        return Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: problems.join("; "),
        });
    }
    let count = |table: &str| -> Result<u64> {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .map(crate::timefmt::to_u64)
        .map_err(|e| open_error(path, e))
    };
    Ok(DbInfo {
        path: path.to_path_buf(),
        schema_version: version,
        audit_entries: count("audit_log")?,
        punches: count("raw_punches")?,
    })
}

fn reopen(path: &Path, e: StoreError) -> StoreError {
    match e {
        StoreError::Sqlite(inner) => open_error(path, inner),
        other => other,
    }
}

/// Replaces the database at `current` with a copy of the backup `from`, after checking `from` with
/// [`check_is_kaoqin_db`]. The current database (if any) is checkpointed and renamed to
/// `<name>.before-restore-YYYYMMDD-HHMMSS<.ext>` beside it; `now` supplies that timestamp. Every Kaoqin
/// process using `current` must have closed it first. On failure the old file is put back.
pub fn restore(from: &Path, current: &Path, now: NaiveDateTime) -> Result<RestoreReport> {
    check_is_kaoqin_db(from)?;
    if let (Ok(a), Ok(b)) = (from.canonicalize(), current.canonicalize())
        && a == b
    {
        return Err(StoreError::Invalid {
            field: "restore file",
            reason: format!("{} is the current database itself", from.display()),
        });
    }
    let kept_aside = if current.exists() {
        // Fold the WAL into the main file so the renamed file is complete on its own.
        let c = Connection::open(current).map_err(|e| open_error(current, e))?;
        c.busy_timeout(crate::db::BUSY_TIMEOUT)?;
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(|e| open_error(current, e))?;
        c.close().map_err(|(_, e)| open_error(current, e))?;
        let aside = aside_name(current, now);
        std::fs::rename(current, &aside).map_err(|e| io(current, e))?;
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(with_suffix(current, suffix));
        }
        Some(aside)
    } else {
        None
    };
    let result = (|| {
        let tmp = temp_beside(current, "restore");
        let src = Connection::open_with_flags(
            from,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_error(from, e))?;
        let copied = copy_db(&src, &tmp).and_then(|_| {
            std::fs::rename(&tmp, current).map_err(|e| io(current, e))?;
            Ok(())
        });
        if copied.is_err() {
            remove_db_files(&tmp);
        }
        copied?;
        // Open once through the normal path: WAL on, migrations brought up to date.
        drop(crate::db::Store::open(current)?);
        check_is_kaoqin_db(current)
    })();
    match result {
        Ok(restored) => Ok(RestoreReport {
            kept_aside,
            restored,
        }),
        Err(e) => {
            if let Some(aside) = &kept_aside {
                remove_db_files(current);
                let _ = std::fs::rename(aside, current);
            }
            Err(e)
        }
    }
}

/// `kaoqin.db` → `kaoqin.before-restore-20261125-213000.db` (a counter is added if that exists).
fn aside_name(current: &Path, now: NaiveDateTime) -> PathBuf {
    let stem = current
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "kaoqin".into());
    let ext = current
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let stamp = now.format("%Y%m%d-%H%M%S");
    let mut n = 0;
    loop {
        let extra = if n == 0 {
            String::new()
        } else {
            format!("-{n}")
        };
        let p = current.with_file_name(format!("{stem}.before-restore-{stamp}{extra}{ext}"));
        if !p.exists() {
            return p;
        }
        n += 1;
    }
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn temp_beside(p: &Path, what: &str) -> PathBuf {
    with_suffix(p, &format!(".{what}-tmp-{}", std::process::id()))
}

fn remove_db_files(p: &Path) {
    let _ = std::fs::remove_file(p);
    for suffix in ["-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(with_suffix(p, suffix));
    }
}
