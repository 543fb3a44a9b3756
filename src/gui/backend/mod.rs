//! The GUI's only door to the application: sign-in and first-run set-up through the application
//! services, and the lists the pages show, copied into [`model`](super::model) types.
//!
//! Every method blocks (SQLite, argon2) and is called from a worker thread, never from `ui()`.
//! Reads that have no service yet use the store's read functions here, in one place, so they can
//! be swapped for services without touching a page. Errors become locale keys here.

pub(crate) mod audit;
pub(crate) mod dashboard;
pub(crate) mod employees;
pub(crate) mod reports;
pub(crate) mod requests;
pub(crate) mod schedules;
pub(crate) mod settings;
pub(crate) mod terminals;

use std::path::Path;
use std::sync::{Arc, Mutex};

use kaoqin_store::{Store, StoreError};

use crate::app::audit_log::AuditQuery;
use crate::app::clock::{Clock, SystemClock, ThreadSleeper};
use crate::app::employees::EmployeeQuery;
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
    /// "Now" for every service and page: the PC's clock in the app, a set time in tests, so the
    /// connection rules (peak windows, spacing) and "today" give the same screens at any hour.
    clock: Arc<dyn Clock>,
    /// The in-process simulated terminal of a demo database, kept running while the window is open.
    demo: Mutex<Option<crate::app::demo::DemoSimulator>>,
}

impl Backend {
    /// The backend of the real window: the PC's local clock.
    pub fn new(paths: Paths) -> Self {
        Self::with_clock(paths, Arc::new(SystemClock))
    }

    /// A backend that reads "now" from `clock` (tests, replays).
    pub fn with_clock(paths: Paths, clock: Arc<dyn Clock>) -> Self {
        Backend {
            paths,
            clock,
            demo: Mutex::new(None),
        }
    }

    /// The local time the services and pages work with.
    pub fn now(&self) -> chrono::NaiveDateTime {
        self.clock.now()
    }

    /// The clock itself, for services that keep it (a signed-in session).
    pub(crate) fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// "Try it with a simulated terminal": the sample database through `app::demo::create`; the
    /// simulator keeps running until the window closes.
    pub fn create_demo(&self, password: &str) -> Result<(), UiError> {
        let sim = crate::app::demo::create(&self.paths, password, self.clock(), &ThreadSleeper)
            .map_err(demo_error)?;
        *self.demo.lock().unwrap_or_else(|p| p.into_inner()) = Some(sim);
        Ok(())
    }

    /// On start: restarts a demo database's simulator (same data). A failure is logged, not
    /// shown: the database still opens and a download then says the terminal is unreachable.
    pub fn resume_demo(&self) {
        match crate::app::demo::resume(&self.paths, self.now()) {
            Ok(Some(sim)) => {
                *self.demo.lock().unwrap_or_else(|p| p.into_inner()) = Some(sim);
            }
            Ok(None) => {}
            Err(err) => tracing::warn!(%err, "cannot restart the demo's simulated terminal"),
        }
    }

    /// The demo's simulated terminal while it runs in this window (its state, faults and
    /// counters); `None` for an ordinary database.
    pub fn demo_terminal(&self) -> Option<Arc<kaoqin_sim::server::Shared>> {
        let demo = self.demo.lock().unwrap_or_else(|p| p.into_inner());
        demo.as_ref().map(|sim| Arc::clone(sim.terminal()))
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
        session::init(
            &self.paths,
            organisation,
            admin,
            password,
            self.clock.as_ref(),
        )
        .map_err(app_error)
    }

    /// Checks the password through `app::session::Session::login` (audited, failed-log-in delay).
    pub fn login(&self, user: &str, password: &str) -> Result<(UserSession, SignedIn), UiError> {
        let s = session::Session::login(&self.paths, user, password, self.clock(), &ThreadSleeper)
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

    /// Everything the pages list, filtered by what the role may see, through the services
    /// (`Session::organisation`, `list_departments`, `list_employees`, `list_terminals`,
    /// `list_users`, `audit_log`, `verify_audit`). Download sessions have no service yet and are
    /// read with the store's read function (ADAPTER, read-only).
    pub fn lists(&self, user: &UserSession) -> Result<Lists, UiError> {
        // A panic in another job while holding the lock does not make the data unreadable.
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let may = |a| allowed(user.role, a);
        let organisation = s.organisation().map_err(app_error)?;
        let departments = s
            .list_departments()
            .map_err(app_error)?
            .into_iter()
            .map(|d| DepartmentRow {
                name: d.name,
                parent: d.parent,
            })
            .collect();
        let query = EmployeeQuery {
            department: None,
            include_inactive: true,
        };
        let employees = s
            .list_employees(&query)
            .map_err(app_error)?
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
        let terminals = s
            .list_terminals()
            .map_err(app_error)?
            .into_iter()
            .map(|t| TerminalRow {
                address: match t.baud {
                    Some(baud) => format!("{} @ {baud}", t.address),
                    None => t.address.clone(),
                },
                kind: t.kind.as_str().to_owned(),
                name: t.name,
                location: t.location.unwrap_or_default(),
                serial: t.serial_no.unwrap_or_default(),
                last_contact: t.last_contact_at.map(fmt_datetime).unwrap_or_default(),
                last_error: t.last_error.unwrap_or_default(),
            })
            .collect();
        let users = if may(Action::ManageUsers) {
            s.list_users()
                .map_err(app_error)?
                .into_iter()
                .map(|u| UserRow {
                    name: u.name,
                    role: u.role,
                    disabled: u.disabled,
                    failed_logins: u.failed_logins,
                })
                .collect()
        } else {
            Vec::new()
        };
        let audit = if may(Action::ViewAudit) {
            s.audit_log(&AuditQuery::default())
                .map_err(app_error)?
                .into_iter()
                .map(|a| AuditRow {
                    seq: a.seq,
                    time: fmt_datetime(a.at),
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
        let chain = if may(Action::VerifyAudit) {
            let report = s.verify_audit().map_err(app_error)?;
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
        let last_download = kaoqin_store::sessions::list(s.conn(), &Default::default())
            .map_err(store_error)?
            .into_iter()
            .filter(|x| {
                x.kind == kaoqin_store::sessions::SessionKind::Download
                    && x.result == kaoqin_store::sessions::SessionResult::Ok
            })
            .filter_map(|x| x.ended_at)
            .max()
            .map(fmt_datetime);
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

/// `2026-03-01 08:30` under the name the Audit page's backend (`audit.rs`) still imports; the rest
/// of the backend calls `timefmt::fmt_datetime` itself.
use kaoqin_domain::timefmt::fmt_datetime as fmt_time;
use kaoqin_domain::timefmt::fmt_datetime;

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

fn demo_error(e: crate::app::demo::DemoError) -> UiError {
    match e {
        crate::app::demo::DemoError::App(e) => app_error(e),
        other => UiError::new("wizard.demo_error", other.to_string()),
    }
}

/// Maps a service error to a locale key; the service's own message stays as detail.
fn app_error(e: AppError) -> UiError {
    let key = match &e {
        // One message for unknown user, wrong password and disabled account: no hint which
        // part was wrong (the audit log says).
        AppError::Auth(
            AuthError::UnknownUser { .. }
            | AuthError::WrongPassword { .. }
            | AuthError::Disabled { .. }
            | AuthError::NoUser,
        ) => {
            return UiError::new("error.bad_credentials", "");
        }
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
