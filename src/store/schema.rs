//! Versioned schema migrations, in code, tracked by `PRAGMA user_version`; `PRAGMA application_id` marks the
//! file as Kaoqin's. Migrations only ever append: never edit a shipped step, add the next one. This module
//! must not hold queries of the repositories.

use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

use crate::error::{Result, StoreError};

/// `PRAGMA application_id` of every Kaoqin database ("KQN1").
pub const APPLICATION_ID: i32 = 0x4B51_4E31;

/// The newest schema this binary knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Step N (1-based) brings the schema from N-1 to N.
pub(crate) const MIGRATIONS: &[&str] = &[
    MIGRATION_1,
    crate::schema_v2::MIGRATION_2,
    crate::schema_v3::MIGRATION_3,
    crate::schema_v4::MIGRATION_4,
];

const MIGRATION_1: &str = r#"
CREATE TABLE organisation (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL CHECK (length(trim(name)) > 0)
);

-- 处室: a tree under the organisation (parent_id NULL = directly under it).
CREATE TABLE departments (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    parent_id INTEGER REFERENCES departments(id) ON DELETE RESTRICT
);

CREATE TABLE employees (
    id            INTEGER PRIMARY KEY,
    enrollment_no TEXT NOT NULL UNIQUE CHECK (length(enrollment_no) > 0), -- 工号 = terminal enrollment number
    name          TEXT NOT NULL CHECK (length(trim(name)) > 0),
    department_id INTEGER REFERENCES departments(id) ON DELETE RESTRICT,
    position      TEXT,
    hire_date     TEXT,  -- YYYY-MM-DD
    leave_date    TEXT,  -- YYYY-MM-DD
    card_no       TEXT,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    CHECK (leave_date IS NULL OR hire_date IS NULL OR leave_date >= hire_date)
);
CREATE INDEX employees_department ON employees(department_id);

CREATE TABLE terminals (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    kind                 TEXT NOT NULL CHECK (kind IN ('zk-tcp', 'zk-udp', 'zk-serial', 'isapi')),
    address              TEXT NOT NULL,  -- host, serial device path, or ISAPI base URL
    port                 INTEGER,
    baud                 INTEGER,
    machine_no           INTEGER NOT NULL DEFAULT 1,
    encoding             TEXT NOT NULL DEFAULT 'gbk' CHECK (encoding IN ('gbk', 'utf8')),
    comm_secret          BLOB,           -- sealed by SecretBox: ZK comm key or ISAPI password
    admin_secret         BLOB,           -- sealed by SecretBox: the supervisor's super-admin password
    location             TEXT,
    serial_no            TEXT UNIQUE,    -- learned at first contact
    handover_until       TEXT,           -- enrollment window end (issue 8)
    last_contact_at      TEXT,
    last_error           TEXT,
    last_error_at        TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE app_users (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    role           TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'hr_clerk', 'auditor')),
    password_hash  TEXT NOT NULL,        -- argon2 PHC string
    disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    last_failed_at TEXT,
    created_at     TEXT NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per connection (or import) so it can be laid beside the router's log.
CREATE TABLE download_sessions (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    terminal_id     INTEGER REFERENCES terminals(id) ON DELETE SET NULL,
    terminal_name   TEXT NOT NULL,
    actor           TEXT NOT NULL,
    role            TEXT NOT NULL,
    peer_addr       TEXT,
    started_at      TEXT NOT NULL,
    ended_at        TEXT,
    commands        TEXT NOT NULL DEFAULT '{}',  -- JSON: command name -> count
    records_read    INTEGER NOT NULL DEFAULT 0,
    records_new     INTEGER NOT NULL DEFAULT 0,
    records_dup     INTEGER NOT NULL DEFAULT 0,
    result          TEXT NOT NULL DEFAULT 'running',
    error           TEXT,
    override_reason TEXT,
    cut             INTEGER NOT NULL DEFAULT 0,
    clock_skew_secs INTEGER
);
CREATE INDEX download_sessions_terminal ON download_sessions(terminal_id, started_at);
CREATE INDEX download_sessions_started ON download_sessions(started_at);

-- The ledger. The key is ordered (serial, ts, enrollment) because terminals hand over their log in time
-- order, so a download appends at the end of the b-tree; WITHOUT ROWID keeps it to one b-tree.
CREATE TABLE raw_punches (
    terminal_serial TEXT NOT NULL,
    ts              TEXT NOT NULL,  -- terminal local time 'YYYY-MM-DD HH:MM:SS', as read
    enrollment_no   TEXT NOT NULL,
    verify_mode     INTEGER NOT NULL,
    in_out_state    INTEGER NOT NULL,
    work_code       INTEGER NOT NULL DEFAULT 0,
    session_id      INTEGER NOT NULL REFERENCES download_sessions(id),
    stored_at       TEXT NOT NULL,
    PRIMARY KEY (terminal_serial, ts, enrollment_no)
) WITHOUT ROWID;

CREATE TRIGGER raw_punches_no_update BEFORE UPDATE ON raw_punches
BEGIN SELECT RAISE(ABORT, 'raw punches are immutable: UPDATE rejected'); END;
CREATE TRIGGER raw_punches_no_delete BEFORE DELETE ON raw_punches
BEGIN SELECT RAISE(ABORT, 'raw punches are immutable: DELETE rejected'); END;

CREATE TABLE findings (
    id             INTEGER PRIMARY KEY,
    session_id     INTEGER REFERENCES download_sessions(id) ON DELETE SET NULL,
    terminal_id    INTEGER REFERENCES terminals(id) ON DELETE SET NULL,
    kind           TEXT NOT NULL,
    details        TEXT NOT NULL DEFAULT '{}',  -- JSON
    found_at       TEXT NOT NULL,
    explained_note TEXT,
    explained_by   TEXT,
    explained_at   TEXT
);
CREATE INDEX findings_terminal ON findings(terminal_id);

CREATE TABLE snapshots (
    id            INTEGER PRIMARY KEY,
    terminal_id   INTEGER REFERENCES terminals(id) ON DELETE SET NULL,
    terminal_name TEXT NOT NULL,
    taken_by      TEXT NOT NULL,
    taken_at      TEXT NOT NULL,
    file_path     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    signature     TEXT NOT NULL,
    public_key    TEXT NOT NULL
);

CREATE TABLE auditor_keys (
    id         INTEGER PRIMARY KEY,
    user_name  TEXT NOT NULL,
    public_key TEXT NOT NULL UNIQUE,  -- ed25519, hex
    created_at TEXT NOT NULL
);

-- The hash chain (see audit.rs for the canonical encoding). No AUTOINCREMENT: seq is assigned by
-- audit::append, and sqlite_sequence writes would trip the auditor's authorizer.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    role      TEXT,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    details   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE rejected'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE rejected'); END;
"#;

/// Reads `PRAGMA user_version`.
pub fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the schema up to [`SCHEMA_VERSION`] in one IMMEDIATE transaction, so two processes opening a
/// fresh file at once do not both migrate. Returns the version found before migrating.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<i64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = schema_version(&tx)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, step) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(found).unwrap_or(0))
    {
        tx.execute_batch(step)?;
        tracing::info!(version = i + 1, "applied schema migration");
    }
    if found < SCHEMA_VERSION {
        tx.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
        ))?;
    }
    tx.commit()?;
    Ok(found)
}
