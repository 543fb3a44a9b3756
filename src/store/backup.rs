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

/// The manifest written beside every backup (`<backup>.manifest.json`): what the copy holds, and
/// its audit head as an anchor kept apart from the database (see [`crate::evidence`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackupManifest {
    pub format: String,
    /// The backup file's name (the manifest sits beside it).
    pub file: String,
    /// SHA-256 of the backup file as written.
    pub sha256: String,
    pub schema_version: i64,
    pub punches: u64,
    /// The audit head of the copy: its entries, head hash and the time of the backup.
    pub audit_head: crate::evidence::Anchor,
}

/// `format` of [`BackupManifest`].
pub const MANIFEST_FORMAT: &str = "kaoqin-backup-manifest-1";

/// `backup.db` → `backup.db.manifest.json`.
pub fn manifest_path(backup: &Path) -> PathBuf {
    with_suffix(backup, ".manifest.json")
}

fn file_sha256(path: &Path) -> Result<String> {
    use sha2::Digest;
    let mut f = std::fs::File::open(path).map_err(|e| io(path, e))?;
    let mut h = sha2::Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| io(path, e))?;
    Ok(hex::encode(h.finalize()))
}

/// [`backup_to`], then the manifest beside the copy (written to a temporary name and renamed).
/// `now` is the backup's time, recorded in the manifest's anchor.
pub fn backup_with_manifest(
    conn: &Connection,
    dest: &Path,
    now: NaiveDateTime,
) -> Result<(DbInfo, BackupManifest)> {
    let mpath = manifest_path(dest);
    if mpath.exists() {
        return Err(StoreError::BackupExists { path: mpath });
    }
    let info = backup_to(conn, dest)?;
    let copy = Connection::open_with_flags(
        dest,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| open_error(dest, e))?;
    let head = crate::evidence::Anchor::of(&copy, now, "backup")?;
    drop(copy);
    let manifest = BackupManifest {
        format: MANIFEST_FORMAT.into(),
        file: dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        sha256: file_sha256(dest)?,
        schema_version: info.schema_version,
        punches: info.punches,
        audit_head: head,
    };
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| StoreError::Invalid {
        field: "backup manifest",
        reason: e.to_string(),
    })?;
    let tmp = temp_beside(&mpath, "manifest");
    std::fs::write(&tmp, text.as_bytes()).map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, &mpath).map_err(|e| io(&mpath, e))?;
    Ok((info, manifest))
}

/// The manifest beside `backup`: None if there is none; an error if it cannot be read.
pub fn read_manifest(backup: &Path) -> Result<Option<BackupManifest>> {
    read_manifest_file(&manifest_path(backup))
}

/// Reads a manifest file (None if missing).
pub fn read_manifest_file(path: &Path) -> Result<Option<BackupManifest>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path, e)),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| StoreError::Invalid {
            field: "backup manifest",
            reason: format!("{}: {e}", path.display()),
        })
}

/// What [`check_backup`] found: the file's facts and every reason not to trust it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackupCheck {
    pub info: DbInfo,
    /// Its audit head (entries, hash).
    pub head: (u64, String),
    pub manifest: Option<BackupManifest>,
    /// Empty: the backup verifies (schema and triggers as our migrations make them, chain intact and
    /// as long as its manifest says, batches match, an enabled administrator).
    pub problems: Vec<String>,
}

/// Checks a backup before a restore: [`check_is_kaoqin_db`], then the evidence (see [`BackupCheck`]).
pub fn check_backup(path: &Path) -> Result<BackupCheck> {
    let info = check_is_kaoqin_db(path)?;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| open_error(path, e))?;
    let mut problems = Vec::new();
    for p in crate::evidence::schema_problems(&conn).map_err(|e| reopen(path, e))? {
        problems.push(format!("its schema differs from Kaoqin's: {p}"));
    }
    let chain = crate::audit::verify(&conn).map_err(|e| reopen(path, e))?;
    if let Some(b) = &chain.first_break {
        problems.push(format!("its audit chain is broken at {b}"));
    }
    let head = crate::audit::head(&conn)
        .map_err(|e| reopen(path, e))?
        .map(|(s, h)| (crate::timefmt::to_u64(s), h))
        .unwrap_or((0, crate::audit::GENESIS_HASH.to_string()));
    let manifest = match read_manifest(path) {
        Ok(m) => m,
        Err(e) => {
            problems.push(format!("its manifest cannot be read ({e})"));
            None
        }
    };
    match &manifest {
        None => problems.push(format!(
            "it has no manifest ({}), so a cut-off end of its audit log could not be seen",
            manifest_path(path).display()
        )),
        Some(m) => {
            let a = &m.audit_head;
            let anchored = crate::evidence::check_anchors(
                &conn,
                vec![crate::evidence::SourcedAnchor {
                    anchor: a.clone(),
                    source: "its manifest".into(),
                }],
            )
            .map_err(|e| reopen(path, e))?;
            for (_, status) in anchored.checked {
                match status {
                    crate::evidence::AnchorStatus::Missing { chain_entries } => problems.push(
                        format!(
                            "its audit log is SHORTER than its manifest says: {chain_entries} entries,                              the manifest of {} records {} (entries {}… are missing)",
                            a.at.format("%Y-%m-%d %H:%M:%S"),
                            a.entries,
                            chain_entries + 1
                        ),
                    ),
                    crate::evidence::AnchorStatus::Differs { .. }
                    | crate::evidence::AnchorStatus::BeforeRestore { .. } => problems.push(format!(
                        "its audit entry {} is not the one its manifest of {} records (the log was rewritten)",
                        a.entries,
                        a.at.format("%Y-%m-%d %H:%M:%S")
                    )),
                    crate::evidence::AnchorStatus::Matches => {}
                }
            }
            if head.0 > a.entries {
                problems.push(format!(
                    "its audit log has {} entries, more than the {} its manifest records",
                    head.0, a.entries
                ));
            }
            match file_sha256(path) {
                Ok(h) if h != m.sha256 => problems.push(
                    "the file changed after the backup was made (its SHA-256 differs from the manifest's)"
                        .to_string(),
                ),
                Ok(_) => {}
                Err(e) => problems.push(format!("it cannot be hashed ({e})")),
            }
        }
    }
    let admins: i64 = conn
        .query_row(
            "SELECT count(*) FROM app_users WHERE role = 'admin' AND disabled = 0",
            [],
            |r| r.get(0),
        )
        .map_err(|e| open_error(path, e))?;
    if admins == 0 {
        problems.push(
            "it has no enabled administrator (nobody could manage it after the restore)".into(),
        );
    }
    let batches = crate::evidence::verify_batches(&conn).map_err(|e| reopen(path, e))?;
    for p in &batches.problems {
        problems.push(p.to_string());
    }
    Ok(BackupCheck {
        info,
        head,
        manifest,
        problems,
    })
}

/// Copies `src` page by page into a fresh file `to` in a single backup step (one read snapshot).
fn copy_db(src: &Connection, to: &Path) -> Result<()> {
    // Created owner-only (0600 on Unix) before SQLite opens it.
    crate::private_file::touch(to).map_err(|e| io(to, e))?;
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
