//! The GUI's only door to the application: sign-in and first-run set-up through the application
//! services, and the lists the pages show, copied into [`model`](super::model) types.
//!
//! Every method blocks (SQLite, argon2) and is called from a worker thread, never from `ui()`.
//! Reads that have no service yet use the store's read functions here, in one place, so they can
//! be swapped for services without touching a page. Errors become locale keys here.

use std::path::Path;
use std::sync::{Arc, Mutex};

use kaoqin_store::{Store, StoreError};

use crate::app::clock::{SystemClock, ThreadSleeper};
use crate::app::error::{AppError, AuthError};
use crate::app::paths::Paths;
use crate::app::permissions::{Action, Role, allowed};
use crate::app::session;

use super::model::{
    AuditRow, ChainCheck, DbStatus, DepartmentRow, EmployeeRow, Lists, SignedIn, TerminalRow,
    UiError, UserRow,
};

/// A signed-in user, as the services know it. Opaque to the pages.
pub struct UserSession {
    user: String,
    role: Role,
    /// The services' session: its connection (read-only for the auditor) serves the lists.
    session: Mutex<session::Session>,
}

impl UserSession {
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn user(&self) -> &str {
        &self.user
    }
}

/// The adapter over the services for one database.
pub struct Backend {
    paths: Paths,
}

impl Backend {
    pub fn new(paths: Paths) -> Self {
        Backend { paths }
    }

    pub fn db_path(&self) -> &Path {
        &self.paths.db
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    /// Says whether set-up is due (no database yet, or one without users) and the organisation.
    pub fn status(&self) -> Result<DbStatus, UiError> {
        if !session::is_initialised(&self.paths).map_err(app_error)? {
            return Ok(DbStatus {
                needs_setup: true,
                organisation: None,
            });
        }
        let store = Store::open(&self.paths.db).map_err(store_error)?;
        let organisation = kaoqin_store::org::get_name(store.conn()).map_err(store_error)?;
        Ok(DbStatus {
            needs_setup: false,
            organisation,
        })
    }

    /// First run: the organisation and the first administrator, through `app::session::init`,
    /// the same service as `kaoqin init`.
    pub fn init(&self, organisation: &str, admin: &str, password: &str) -> Result<(), UiError> {
        session::init(&self.paths, organisation, admin, password, &SystemClock).map_err(app_error)
    }

    /// Checks the password through `app::session::Session::login` (audited, failed-log-in delay).
    pub fn login(&self, user: &str, password: &str) -> Result<(UserSession, SignedIn), UiError> {
        let s = session::Session::login(
            &self.paths,
            user,
            password,
            Arc::new(SystemClock),
            &ThreadSleeper,
        )
        .map_err(app_error)?;
        let who = SignedIn {
            user: s.user().name.clone(),
            role: s.role(),
        };
        Ok((
            UserSession {
                user: who.user.clone(),
                role: who.role,
                session: Mutex::new(s),
            },
            who,
        ))
    }

    /// Everything the pages list, filtered by what the role may see.
    pub fn lists(&self, session: &UserSession) -> Result<Lists, UiError> {
        // Reads go through the session's own connection (read-only for the auditor). A panic in
        // another job while holding the lock does not make the data unreadable.
        let guard = session.session.lock().unwrap_or_else(|p| p.into_inner());
        let conn = guard.conn();
        let organisation = kaoqin_store::org::get_name(conn)
            .map_err(store_error)?
            .unwrap_or_default();

        let depts = kaoqin_store::departments::list(conn).map_err(store_error)?;
        let name_of = |id: Option<i64>| {
            id.and_then(|id| depts.iter().find(|d| d.id == id))
                .map(|d| d.name.clone())
        };
        let departments = depts
            .iter()
            .map(|d| DepartmentRow {
                name: d.name.clone(),
                parent: name_of(d.parent_id),
            })
            .collect();

        let employees = kaoqin_store::employees::list(conn, &Default::default())
            .map_err(store_error)?
            .into_iter()
            .map(|e| EmployeeRow {
                no: e.enrollment_no,
                name: e.name,
                department: e.department.unwrap_or_default(),
                position: e.position.unwrap_or_default(),
                hired: e.hire_date.map(|d| d.to_string()).unwrap_or_default(),
                active: e.active,
            })
            .collect();

        let terminals = kaoqin_store::terminals::list(conn)
            .map_err(store_error)?
            .into_iter()
            .map(|t| TerminalRow {
                address: match (t.port, t.baud) {
                    (Some(port), _) => format!("{}:{port}", t.address),
                    (None, Some(baud)) => format!("{} @ {baud}", t.address),
                    _ => t.address.clone(),
                },
                kind: t.kind.as_str().to_owned(),
                name: t.name,
                location: t.location.unwrap_or_default(),
                serial: t.serial_no.unwrap_or_default(),
                last_contact: t.last_contact_at.map(fmt_time).unwrap_or_default(),
                last_error: t.last_error.unwrap_or_default(),
            })
            .collect();

        let users = if allowed(session.role, Action::ManageUsers) {
            kaoqin_store::users::list(conn)
                .map_err(store_error)?
                .into_iter()
                .filter_map(|u| {
                    let role = u.role.as_str().parse::<Role>().ok()?;
                    Some(UserRow {
                        name: u.name,
                        role,
                        disabled: u.disabled,
                    })
                })
                .collect()
        } else {
            Vec::new()
        };

        let audit = if allowed(session.role, Action::ViewAudit) {
            kaoqin_store::audit::list(conn, &Default::default())
                .map_err(store_error)?
                .into_iter()
                .map(|a| AuditRow {
                    seq: a.seq,
                    time: fmt_time(a.at),
                    actor: a.actor,
                    role: a.role,
                    action: a.action,
                    target: a.target,
                    details: if a.details.is_null() {
                        String::new()
                    } else {
                        a.details.to_string()
                    },
                })
                .collect()
        } else {
            Vec::new()
        };

        let chain = if allowed(session.role, Action::VerifyAudit) {
            let report = kaoqin_store::audit::verify(conn).map_err(store_error)?;
            Some(match report.first_break {
                None => ChainCheck::Intact {
                    entries: report.entries_checked,
                },
                Some(b) => ChainCheck::Broken {
                    seq: b.seq,
                    reason: b.to_string(),
                },
            })
        } else {
            None
        };

        let last_download = kaoqin_store::sessions::list(conn, &Default::default())
            .map_err(store_error)?
            .into_iter()
            .filter(|s| {
                s.kind == kaoqin_store::sessions::SessionKind::Download
                    && s.result == kaoqin_store::sessions::SessionResult::Ok
            })
            .filter_map(|s| s.ended_at)
            .max()
            .map(fmt_time);

        Ok(Lists {
            organisation,
            departments,
            employees,
            terminals,
            users,
            audit,
            chain,
            last_download,
        })
    }
}

fn fmt_time(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// Maps a store error to what the user should read; the store's message stays as detail.
fn store_error(e: StoreError) -> UiError {
    let key = match &e {
        StoreError::SchemaTooNew { .. } => "error.db_too_new",
        StoreError::NotKaoqinDatabase { .. } => "error.db_not_ours",
        StoreError::Corrupt { .. } => "error.db_corrupt",
        StoreError::Io { .. } => "error.db_io",
        StoreError::Invalid { .. } => "error.invalid",
        StoreError::Duplicate { .. } => "error.duplicate",
        _ => "error.generic",
    };
    UiError::new(key, e.to_string())
}

/// Maps a service error to a locale key; the service's own message stays as detail.
fn app_error(e: AppError) -> UiError {
    let key = match &e {
        // One message for unknown user and wrong password: no hint which part was wrong.
        AppError::Auth(
            AuthError::UnknownUser { .. } | AuthError::WrongPassword { .. } | AuthError::NoUser,
        ) => {
            return UiError::new("error.bad_credentials", "");
        }
        AppError::Auth(AuthError::Disabled { .. }) => "error.user_disabled",
        AppError::PermissionDenied { .. } => "error.permission",
        AppError::AlreadyInitialised { .. } => "error.already_initialised",
        AppError::Invalid { .. } => "error.invalid",
        AppError::Store(_) => {
            if let AppError::Store(inner) = e {
                return store_error(inner);
            }
            "error.generic"
        }
        _ => "error.generic",
    };
    UiError::new(key, e.to_string())
}
