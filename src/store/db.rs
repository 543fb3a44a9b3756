//! Opening the database: file checks, pragmas, migrations, and the auditor's restricted connection.
//! This module decides what a connection may do; it must not hold entity queries.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::checkpoint::Checkpointer;
use crate::error::{Result, StoreError};
use crate::schema::{self, APPLICATION_ID, SCHEMA_VERSION};

/// How long a statement waits for another process's write lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Tables the auditor's connection may INSERT into (and nothing may be updated or deleted).
pub const AUDITOR_APPEND_TABLES: [&str; 3] = ["audit_log", "snapshots", "auditor_keys"];

/// An open Kaoqin database.
pub struct Store {
    // Declared before `conn` so it is dropped (its thread joined) before the connection closes.
    checkpointer: Option<Checkpointer>,
    conn: Connection,
    path: PathBuf,
    auditor: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("auditor", &self.auditor)
            .finish()
    }
}

impl Store {
    /// Opens (creating if missing) the database at `path`, sets WAL, foreign keys, the busy timeout,
    /// and runs pending migrations.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        check_header(&path)?;
        // A new database is its owner's only (0600 on Unix); SQLite gives its -wal and -shm files
        // the same permissions. An existing file keeps its own.
        if !path.exists() {
            crate::private_file::touch(&path).map_err(|e| StoreError::Io {
                path: path.clone(),
                source: e,
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn =
            Connection::open_with_flags(&path, flags).map_err(|e| open_error(&path, e))?;
        configure(&conn, &path)?;
        check_identity(&conn, &path)?;
        set_wal(&conn).map_err(|e| open_error(&path, e))?;
        schema::migrate(&mut conn, &path).map_err(|e| match e {
            StoreError::Sqlite(inner) => open_error(&path, inner),
            other => other,
        })?;
        // Checkpoints run on a background thread (see checkpoint.rs) so commits never wait for them.
        let checkpointer = Checkpointer::start(&conn, &path);
        Ok(Store {
            checkpointer,
            conn,
            path,
            auditor: false,
        })
    }

    /// An empty, migrated database in memory, without a checkpoint thread: the stand-in a session
    /// holds while its real file is replaced by a restore, so that no handle keeps the file open
    /// (Windows refuses to rename an open file).
    pub fn open_in_memory() -> Result<Store> {
        let path = PathBuf::from(":memory:");
        let mut conn = Connection::open_in_memory().map_err(|e| open_error(&path, e))?;
        configure(&conn, &path)?;
        schema::migrate(&mut conn, &path).map_err(|e| match e {
            StoreError::Sqlite(inner) => open_error(&path, inner),
            other => other,
        })?;
        Ok(Store {
            checkpointer: None,
            conn,
            path,
            auditor: false,
        })
    }

    /// Opens an existing database for an auditor: every write is refused by a SQLite authorizer except
    /// INSERT into [`AUDITOR_APPEND_TABLES`]. Never creates or migrates the file.
    pub fn open_read_only_for_auditor(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if !path.is_file() {
            return Err(StoreError::Io {
                path,
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "database file not found",
                ),
            });
        }
        check_header(&path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags).map_err(|e| open_error(&path, e))?;
        configure(&conn, &path)?;
        check_identity(&conn, &path)?;
        let found = schema::schema_version(&conn).map_err(|e| reclassify(&path, e))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                path,
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found < SCHEMA_VERSION {
            return Err(StoreError::SchemaTooOld {
                path,
                found,
                supported: SCHEMA_VERSION,
            });
        }
        conn.authorizer(Some(auditor_authorizer))?;
        Ok(Store {
            checkpointer: None,
            conn,
            path,
            auditor: true,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True if WAL checkpoints run on this store's background thread (every [`Store::open`] unless the
    /// thread could not be started; never for the auditor's connection, which SQLite checkpoints itself).
    pub fn background_checkpoints(&self) -> bool {
        self.checkpointer.is_some()
    }

    /// True for a connection from [`Store::open_read_only_for_auditor`].
    pub fn is_auditor(&self) -> bool {
        self.auditor
    }

    /// The connection, for reads and single-statement writes.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Mutable access (for rusqlite APIs that need it, e.g. `Connection::transaction_with_behavior`).
    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Starts an IMMEDIATE transaction (takes the write lock up front, so two writers queue on the busy
    /// timeout instead of failing with SQLITE_BUSY on lock upgrade). Write the effect and its audit entry
    /// through it, then `commit()`; dropping it rolls back.
    pub fn transaction(&mut self) -> Result<Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// `PRAGMA integrity_check`: an empty list means the file is sound.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        integrity_problems(&self.conn)
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64> {
        schema::schema_version(&self.conn)
    }
}

pub(crate) fn integrity_problems(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows.into_iter().filter(|r| r != "ok").collect())
}

/// Switches a new file to WAL. SQLite answers "database is locked" at once, without the busy
/// handler, when another process opens the same new file at that moment (the GUI and the CLI
/// started together), so this waits and retries as the busy timeout would, up to its length.
fn set_wal(conn: &Connection) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

fn configure(conn: &Connection, path: &Path) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| open_error(path, e))?;
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384;",
    )
    .map_err(|e| open_error(path, e))?;
    Ok(())
}

/// Refuses a non-empty file that does not start with the SQLite header, before SQLite touches it.
pub(crate) fn check_header(path: &Path) -> Result<()> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(StoreError::Io {
                path: path.to_path_buf(),
                source: e,
            });
        }
    };
    let mut head = [0u8; 16];
    let mut got = 0;
    while got < head.len() {
        let n = f.read(&mut head[got..]).map_err(|e| StoreError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        if n == 0 {
            break;
        }
        got += n;
    }
    if got == 0 {
        return Ok(());
    }
    if got < 16 || &head != b"SQLite format 3\0" {
        return Err(StoreError::NotKaoqinDatabase {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// Accepts our application id, or a brand-new empty SQLite file.
fn check_identity(conn: &Connection, path: &Path) -> Result<()> {
    let app_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| open_error(path, e))?;
    if app_id == APPLICATION_ID {
        return Ok(());
    }
    let objects: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(|e| open_error(path, e))?;
    if app_id == 0 && objects == 0 {
        return Ok(());
    }
    Err(StoreError::NotKaoqinDatabase {
        path: path.to_path_buf(),
    })
}

/// Maps SQLite's "not a database" and "corrupt" codes to errors naming the file.
pub(crate) fn open_error(path: &Path, e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        match f.code {
            rusqlite::ErrorCode::NotADatabase => {
                return StoreError::NotKaoqinDatabase {
                    path: path.to_path_buf(),
                };
            }
            rusqlite::ErrorCode::DatabaseCorrupt => {
                return StoreError::Corrupt {
                    path: path.to_path_buf(),
                    detail: msg
                        .clone()
                        .unwrap_or_else(|| "database disk image is malformed".into()),
                };
            }
            rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::PermissionDenied => {
                return StoreError::Io {
                    path: path.to_path_buf(),
                    source: std::io::Error::other(
                        msg.clone().unwrap_or_else(|| "cannot open".into()),
                    ),
                };
            }
            _ => {}
        }
    }
    crate::error::classify(e)
}

fn reclassify(path: &Path, e: StoreError) -> StoreError {
    match e {
        StoreError::Sqlite(inner) => open_error(path, inner),
        other => other,
    }
}

/// The auditor's policy: read anything, append only to the audit/snapshot tables, change nothing else.
fn auditor_authorizer(ctx: AuthContext<'_>) -> Authorization {
    match ctx.action {
        AuthAction::Select
        | AuthAction::Read { .. }
        | AuthAction::Function { .. }
        | AuthAction::Recursive
        | AuthAction::Transaction { .. }
        | AuthAction::Savepoint { .. } => Authorization::Allow,
        AuthAction::Insert { table_name } if AUDITOR_APPEND_TABLES.contains(&table_name) => {
            Authorization::Allow
        }
        AuthAction::Pragma {
            pragma_value: None, ..
        } => Authorization::Allow,
        _ => Authorization::Deny,
    }
}
