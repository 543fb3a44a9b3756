//! What the pages show: plain data copied out of the services, and errors as locale keys.
//!
//! Pages render these types and nothing else, so a page never holds a database connection and
//! never formats a service error itself. No egui, no I/O here.

use crate::app::permissions::Role;

/// The signed-in user, as shown in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub user: String,
    pub role: Role,
}

/// What the database holds before anyone signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbStatus {
    /// No organisation and no app user yet: the first-run wizard is shown.
    pub needs_setup: bool,
    pub organisation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentRow {
    pub name: String,
    pub parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeRow {
    pub no: String,
    pub name: String,
    pub department: String,
    pub position: String,
    pub hired: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalRow {
    pub name: String,
    pub kind: String,
    pub address: String,
    pub location: String,
    pub serial: String,
    pub last_contact: String,
    pub last_error: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    /// Failed log-ins in a row (the next attempt waits longer; the administrator can clear them).
    pub failed_logins: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    pub time: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub target: String,
    pub details: String,
}

/// The result of walking the audit hash chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    Intact { entries: u64 },
    Broken { seq: i64, reason: String },
}

/// Everything the pages list at this stage, loaded in one go after sign-in and on refresh.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lists {
    pub organisation: String,
    pub departments: Vec<DepartmentRow>,
    pub employees: Vec<EmployeeRow>,
    pub terminals: Vec<TerminalRow>,
    /// Empty unless the role may manage users.
    pub users: Vec<UserRow>,
    /// Empty unless the role may read the audit log.
    pub audit: Vec<AuditRow>,
    /// `None` unless the role may verify the chain.
    pub chain: Option<ChainCheck>,
    /// When the last successful download finished, if any.
    pub last_download: Option<String>,
}

/// An error to show: a locale key saying what happened and what to do, plus the service's own
/// message (English, technical) as detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiError {
    pub key: &'static str,
    pub detail: String,
}

impl UiError {
    pub fn new(key: &'static str, detail: impl Into<String>) -> Self {
        UiError {
            key,
            detail: detail.into(),
        }
    }
}
