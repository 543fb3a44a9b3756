//! The services' error type. Variants are typed so the CLI can choose an exit code and the GUI a
//! message; texts name the field or file and say what to do. Never carries a password or secret.

use super::permissions::{Action, Role};
use kaoqin_domain::TransitionError;
use kaoqin_store::StoreError;
use std::path::PathBuf;

/// The one text for every refused log-in: it must not tell which part was wrong.
pub const LOGIN_FAILED: &str = "log-in failed: the user name or the password is wrong, or the account is disabled; \
     check both and try again (each failure makes the next attempt for this name wait longer), \
     or ask the administrator";

/// Why a log-in was refused. The three refusals show the same text ([`LOGIN_FAILED`]) so that a
/// guesser learns nothing; the audit entry records which it was. `failures` counts the attempts
/// for the name in a row, this one included.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("{LOGIN_FAILED}")]
    UnknownUser { name: String, failures: u32 },
    #[error("{LOGIN_FAILED}")]
    WrongPassword { name: String, failures: u32 },
    #[error("{LOGIN_FAILED}")]
    Disabled { name: String, failures: u32 },
    #[error("no user given: pass --user NAME or set KAOQIN_USER")]
    NoUser,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The role may not do this (the attempt is in the audit log).
    #[error(
        "permission denied: the {role} role may not {what} ({action}); ask a user with the right role"
    )]
    PermissionDenied {
        role: Role,
        action: Action,
        what: &'static str,
    },

    #[error(transparent)]
    Auth(#[from] AuthError),

    /// A value given by the user is not acceptable; `field` names it.
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },

    #[error(
        "no Kaoqin database at {path}; create one with `kaoqin init --org NAME --admin NAME`, \
         or point --db / KAOQIN_DB at the right file"
    )]
    NoDatabase { path: PathBuf },

    #[error(
        "{path} is an empty file, not a Kaoqin database; check the --db / KAOQIN_DB path, or \
         make a new database in it with `kaoqin init --org NAME --admin NAME`"
    )]
    EmptyDatabaseFile { path: PathBuf },

    #[error(
        "{path} already holds a Kaoqin database; nothing was changed (use another --db path to start afresh)"
    )]
    AlreadyInitialised { path: PathBuf },

    /// A request step the approval rules refuse: about who acts (their own request, not one they may
    /// decide: a permission refusal) or about the request's state (already decided, withdrawn).
    #[error(transparent)]
    Request(#[from] TransitionError),

    /// A backup that does not verify was not restored (nothing was changed).
    #[error(
        "{} was not restored, nothing was changed: {}. Restore another backup; only if there is none, \
         an administrator may restore this one anyway, giving a reason that goes into the audit log \
         (`kaoqin restore FILE --force-unverified --reason TEXT`)",
        path.display(),
        problems.join("; ")
    )]
    RestoreRefused {
        path: PathBuf,
        problems: Vec<String>,
    },

    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AppError {
    pub fn denied(role: Role, action: Action) -> AppError {
        AppError::PermissionDenied {
            role,
            action,
            what: action.description(),
        }
    }

    /// True when the refusal is about who acts: the role (including the auditor connection's own
    /// guard) or the approval rules' refusal of the actor (e.g. approving one's own request).
    pub fn is_permission_denied(&self) -> bool {
        match self {
            AppError::PermissionDenied { .. } | AppError::Store(StoreError::AuditorReadOnly) => {
                true
            }
            AppError::Request(e) => e.is_about_the_actor(),
            _ => false,
        }
    }

    pub fn is_auth_failure(&self) -> bool {
        matches!(self, AppError::Auth(_))
    }
}

/// A typed month that is not one (`kaoqin month run 2026-13`): `invalid month: 2026-13 is not a
/// month: the month is 1–12`.
impl From<kaoqin_domain::MonthError> for AppError {
    fn from(e: kaoqin_domain::MonthError) -> Self {
        AppError::Invalid {
            field: "month",
            reason: e.to_string(),
        }
    }
}

/// A comm key that a ZK terminal cannot take (the text is never repeated: it is a secret).
impl From<kaoqin_domain::CommKeyError> for AppError {
    fn from(e: kaoqin_domain::CommKeyError) -> Self {
        AppError::Invalid {
            field: "comm key",
            reason: e.to_string(),
        }
    }
}

/// A terminal password a terminal's keypad cannot take (never repeated: it is a secret).
impl From<kaoqin_domain::DevicePasswordError> for AppError {
    fn from(e: kaoqin_domain::DevicePasswordError) -> Self {
        AppError::Invalid {
            field: "terminal password",
            reason: e.to_string(),
        }
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::Store(StoreError::from(e))
    }
}

pub type AppResult<T> = Result<T, AppError>;
