//! Who owns a `running` session row: a lease file per supervised session, locked by the process
//! that runs it for as long as it runs (an OS file lock: `flock` on Unix, `LockFileEx` on Windows).
//!
//! The operating system releases the lock when the process ends, however it ends (SIGKILL, power
//! cut of the PC aside, a crash), so "the row says running and its lease is not locked" means the
//! process is gone — no pid that could be reused, no heartbeat to keep writing. The file is
//! `<database file>.leases/session-<id>.lock` and holds the pid and start time for a person
//! looking at it; only the lock decides.
//!
//! The lease is created and locked inside the transaction that inserts the row (before commit), so
//! no other process ever sees a row of this version without its locked lease. A row without any
//! lease file (written before leases existed, or a database in memory) is taken as abandoned only
//! once its time limit has passed: no live session lasts longer ([`crate::session`]).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use kaoqin_store::Store;

/// The directory of the lease files of the database at `db`, or None for a database in memory.
fn dir(db: &Path) -> Option<PathBuf> {
    let name = db.file_name()?.to_string_lossy().into_owned();
    if name.is_empty() || name == ":memory:" {
        return None;
    }
    Some(db.with_file_name(format!("{name}.leases")))
}

fn path(db: &Path, session_id: i64) -> Option<PathBuf> {
    dir(db).map(|d| d.join(format!("session-{session_id}.lock")))
}

/// A held lease: the lock is released and the file removed when it is dropped.
#[derive(Debug)]
pub struct Lease {
    file: Option<File>,
    path: PathBuf,
}

impl Drop for Lease {
    fn drop(&mut self) {
        // Close (and so unlock) first: Windows does not remove an open file.
        drop(self.file.take());
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Takes the lease of session `session_id` of the database at `db` for this process. None for a
/// database in memory. Started-at is written for people; the lock is what counts.
pub fn take(
    db: &Path,
    session_id: i64,
    started_at: chrono::NaiveDateTime,
) -> std::io::Result<Option<Lease>> {
    let Some(path) = path(db, session_id) else {
        return Ok(None);
    };
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    file.try_lock().map_err(|e| match e {
        TryLockError::WouldBlock => std::io::Error::new(
            std::io::ErrorKind::WouldBlock,
            format!("{} is locked by another process", path.display()),
        ),
        TryLockError::Error(e) => e,
    })?;
    file.set_len(0)?;
    writeln!(
        file,
        "pid={} started_at={}",
        std::process::id(),
        started_at.format("%Y-%m-%d %H:%M:%S")
    )?;
    Ok(Some(Lease {
        file: Some(file),
        path,
    }))
}

/// What the lease of a `running` session says about its process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Its lease is locked: a process is running it.
    Alive,
    /// Its lease exists but nobody holds the lock: the process is gone.
    Gone,
    /// No lease file (a row from before leases, or a database in memory): decide by its time limit.
    Unknown,
}

/// Looks at the lease of session `session_id` (without disturbing a live owner: a successful
/// trial lock is released at once).
pub fn owner(store: &Store, session_id: i64) -> Owner {
    let Some(path) = path(store.path(), session_id) else {
        return Owner::Unknown;
    };
    let file = match OpenOptions::new().write(true).open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Owner::Unknown,
        // Cannot open it (permissions): do not take over a session that may be alive.
        Err(_) => return Owner::Alive,
    };
    match file.try_lock() {
        Ok(()) => Owner::Gone,
        Err(TryLockError::WouldBlock) => Owner::Alive,
        Err(TryLockError::Error(_)) => Owner::Alive,
    }
}

/// Removes the lease file of a session closed by recovery (best effort).
pub fn remove(store: &Store, session_id: i64) {
    if let Some(p) = path(store.path(), session_id) {
        let _ = std::fs::remove_file(p);
    }
}
