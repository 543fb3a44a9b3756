//! The store's one error type. Messages are written for a clerk: they name the field, the file or the
//! rule, and say what to do. This module must not log or carry secrets.

use std::path::PathBuf;

/// Every failure the store reports.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database was written by a newer Kaoqin.
    #[error(
        "the database {path} has schema version {found}, but this Kaoqin only knows up to version {supported}; \
         install the newer Kaoqin that wrote it (or restore an older backup)"
    )]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    /// The database is older than this binary and the caller may not migrate it (auditor connection).
    #[error(
        "the database {path} has schema version {found} but this Kaoqin needs {supported}; \
         let an administrator open it once so it is upgraded"
    )]
    SchemaTooOld {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    /// The file is not SQLite, or is SQLite but not a Kaoqin database.
    #[error(
        "{path} is not a Kaoqin database (check the file name; Kaoqin never modifies foreign files)"
    )]
    NotKaoqinDatabase { path: PathBuf },

    /// SQLite reports the file as damaged.
    #[error(
        "the database {path} is damaged ({detail}); restore it from a backup with `kaoqin restore FILE`"
    )]
    Corrupt { path: PathBuf, detail: String },

    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A value given by the user is not acceptable; `field` names it.
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },

    /// A unique value is already taken (`what` names the field, e.g. "工号 (enrollment number)").
    #[error("{what} '{value}' already exists")]
    Duplicate { what: &'static str, value: String },

    /// A referenced row does not exist (`what` names the kind, e.g. "department").
    #[error("no {what} named '{key}'")]
    NotFound { what: &'static str, key: String },

    /// A row is still referenced and cannot be removed.
    #[error("{what} '{key}' is still in use: {reason}")]
    InUse {
        what: &'static str,
        key: String,
        reason: String,
    },

    /// Someone tried to change or delete a raw punch (rejected by the ledger's triggers).
    #[error(
        "raw punches are immutable: the ledger only accepts new punches (corrections are requests)"
    )]
    PunchesImmutable,

    /// Someone tried to change or delete an audit entry (rejected by triggers).
    #[error("the audit log is append-only: entries cannot be changed or deleted")]
    AuditImmutable,

    /// An audit `details` object has a key that looks like a secret.
    #[error(
        "audit details must never hold secrets, but key '{key}' looks like one; log that it changed, not its value"
    )]
    SecretInAuditDetails { key: String },

    /// The connection is the auditor's read-only one and the statement would write.
    #[error(
        "not allowed for an auditor: the auditor's connection is read-only except audit entries and snapshots"
    )]
    AuditorReadOnly,

    /// An unknown role name.
    #[error(transparent)]
    UnknownRole(#[from] crate::role::UnknownRole),

    /// The secret key file is unusable.
    #[error("secret key file {path}: {reason}")]
    KeyFile { path: PathBuf, reason: String },

    /// A sealed secret does not open with this key (wrong key file, or a damaged value).
    #[error(
        "a stored secret cannot be decrypted with the key in {key_path}: the key file was replaced or the database \
         comes from another PC; enter the terminal's comm key/password again"
    )]
    SecretUndecryptable { key_path: PathBuf },

    /// Password hashing failed (argon2).
    #[error("password hashing failed: {0}")]
    PasswordHash(String),

    /// A backup destination already exists.
    #[error("{path} already exists; choose a new file name for the backup")]
    BackupExists { path: PathBuf },

    /// Any other SQLite error.
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        classify(e)
    }
}

/// Turns trigger aborts and authorizer denials into their typed variants.
pub(crate) fn classify(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(code, msg) = &e {
        let msg = msg.as_deref().unwrap_or("");
        if msg.contains("raw punches are immutable") {
            return StoreError::PunchesImmutable;
        }
        if msg.contains("audit log is append-only") {
            return StoreError::AuditImmutable;
        }
        if code.code == rusqlite::ErrorCode::AuthorizationForStatementDenied
            || msg.contains("not authorized")
        {
            return StoreError::AuditorReadOnly;
        }
    }
    StoreError::Sqlite(e)
}

/// True if the error is a UNIQUE / PRIMARY KEY violation.
pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

/// True if the error is a FOREIGN KEY violation.
pub(crate) fn is_fk_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY)
}

/// Shorthand used by every module.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
